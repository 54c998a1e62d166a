import { z } from 'zod'

/**
 * The inputs of the two-way sync beyond status: assignees (`sync-assignees`, mapped through
 * `assignee-map`, which content-options.ts parses). Off by default: it needs more of the Sentry
 * token (`event:write`). Validated with zod; each problem names the input and what it allows.
 */

export const SYNC_DIRECTIONS = ['off', 'both', 'to-sentry', 'to-github'] as const
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number]

export const TWO_WAY_INPUT_DEFAULTS = {
  'sync-assignees': 'off'
} as const

export type TwoWayInputName = keyof typeof TWO_WAY_INPUT_DEFAULTS
export const TWO_WAY_INPUT_NAMES = Object.keys(TWO_WAY_INPUT_DEFAULTS) as TwoWayInputName[]

export interface TwoWayOptions {
  /** Which way assignees travel; `off` leaves them alone. */
  assignees: SyncDirection
}

export const TWO_WAY_OFF: TwoWayOptions = { assignees: 'off' }

const schema = z.object({
  'sync-assignees': z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(
      z.enum(SYNC_DIRECTIONS, {
        error: `sync-assignees must be one of: ${SYNC_DIRECTIONS.join(', ')} (both ways, or only GitHub → Sentry or Sentry → GitHub)`
      })
    )
})

/**
 * Validates the two-way inputs. Missing or empty inputs take `TWO_WAY_INPUT_DEFAULTS`. With
 * problems, `options` is `TWO_WAY_OFF` and should not be used. `hasAssigneeMap`: whether
 * assignee-map names anyone (sync-assignees needs it).
 */
export function parseTwoWayOptions(
  raw: Record<string, string | undefined>,
  hasAssigneeMap: boolean
): { options: TwoWayOptions; problems: string[] } {
  const values: Record<string, string> = {}
  for (const name of TWO_WAY_INPUT_NAMES) {
    const given = raw[name]
    values[name] = given !== undefined && given.trim() !== '' ? given : TWO_WAY_INPUT_DEFAULTS[name]
  }
  const result = schema.safeParse(values)
  if (!result.success) {
    return { options: TWO_WAY_OFF, problems: [result.error.issues[0]?.message ?? 'invalid'] }
  }
  const direction = result.data['sync-assignees']
  if (direction !== 'off' && !hasAssigneeMap) {
    return {
      options: TWO_WAY_OFF,
      problems: [
        `sync-assignees ${direction} needs assignee-map: one "sentry-email-or-#team-slug => github-login" a line, for example "ada@example.com => ada-l"`
      ]
    }
  }
  return { options: { assignees: direction }, problems: [] }
}

import { z } from 'zod'

/**
 * The inputs of the two-way sync beyond status: assignees (`sync-assignees`, mapped through
 * `assignee-map`, which content-options.ts parses) and comments (`sync-comments`, GitHub comments
 * from the authors `comment-authors` admits). Off by default: they need more of the Sentry token
 * (`event:write`). Validated with zod; each problem names the input and what it allows.
 */

export const SYNC_DIRECTIONS = ['off', 'both', 'to-sentry', 'to-github'] as const
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number]

export const TWO_WAY_INPUT_DEFAULTS = {
  'sync-assignees': 'off',
  'sync-comments': 'off',
  'comment-authors': 'OWNER, MEMBER, COLLABORATOR'
} as const

/** GitHub's `author_association` values. */
export const AUTHOR_ASSOCIATIONS = [
  'OWNER',
  'MEMBER',
  'COLLABORATOR',
  'CONTRIBUTOR',
  'FIRST_TIME_CONTRIBUTOR',
  'FIRST_TIMER',
  'MANNEQUIN',
  'NONE'
] as const
export type AuthorAssociation = (typeof AUTHOR_ASSOCIATIONS)[number]

export type TwoWayInputName = keyof typeof TWO_WAY_INPUT_DEFAULTS
export const TWO_WAY_INPUT_NAMES = Object.keys(TWO_WAY_INPUT_DEFAULTS) as TwoWayInputName[]

export interface TwoWayOptions {
  /** Which way assignees travel; `off` leaves them alone. */
  assignees: SyncDirection
  /** Which way comments travel; `off` copies none. */
  comments: SyncDirection
  /** Whose GitHub comments travel to Sentry, by `author_association`. */
  commentAuthors: AuthorAssociation[]
}

export const TWO_WAY_OFF: TwoWayOptions = {
  assignees: 'off',
  comments: 'off',
  commentAuthors: ['OWNER', 'MEMBER', 'COLLABORATOR']
}

const directionInput = (name: string) =>
  z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(
      z.enum(SYNC_DIRECTIONS, {
        error: `${name} must be one of: ${SYNC_DIRECTIONS.join(', ')} (both ways, or only GitHub → Sentry or Sentry → GitHub)`
      })
    )

const schema = z.object({
  'sync-assignees': directionInput('sync-assignees'),
  'sync-comments': directionInput('sync-comments'),
  'comment-authors': z
    .string()
    .transform((v) =>
      v
        .split(/[,\n]/)
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== '')
    )
    .pipe(
      z
        .array(
          z.enum(AUTHOR_ASSOCIATIONS, {
            error: `comment-authors must be a comma-separated list of GitHub author associations: ${AUTHOR_ASSOCIATIONS.join(', ')}`
          })
        )
        .min(1, 'comment-authors must name at least one author association')
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
    const problems = new Map<string, string>()
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'input')
      if (!problems.has(name)) {
        problems.set(
          name,
          issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`
        )
      }
    }
    return { options: TWO_WAY_OFF, problems: [...problems.values()] }
  }
  const direction = result.data['sync-assignees']
  if (direction !== 'off' && !hasAssigneeMap) {
    return {
      options: TWO_WAY_OFF,
      problems: [
        `sync-assignees ${direction} needs assignee-map: one "sentry-email-or-user-id-or-#team-slug => github-login" a line, for example "ada@example.com => ada-l"`
      ]
    }
  }
  return {
    options: {
      assignees: direction,
      comments: result.data['sync-comments'],
      commentAuthors: [...new Set(result.data['comment-authors'])]
    },
    problems: []
  }
}

import { z } from 'zod'

/**
 * The inputs that add Sentry's own signals to new issues: suggested owners (`owners`), Seer's
 * root-cause analysis (`seer`) and the top values of chosen tags (`tag-breakdown`). Each is off
 * by default: owners need more scopes, Seer uses the organization's Seer quota, and every signal
 * costs Sentry requests per new issue. Validated with zod; each problem names the input and what
 * it allows.
 */

export const OWNER_MODES = ['off', 'show', 'assign'] as const
export type OwnerMode = (typeof OWNER_MODES)[number]

export const SEER_MODES = ['off', 'show', 'start'] as const
export type SeerMode = (typeof SEER_MODES)[number]

export const SIGNAL_INPUT_DEFAULTS = {
  owners: 'off',
  seer: 'off',
  'tag-breakdown': ''
} as const

export type SignalInputName = keyof typeof SIGNAL_INPUT_DEFAULTS
export const SIGNAL_INPUT_NAMES = Object.keys(SIGNAL_INPUT_DEFAULTS) as SignalInputName[]

/** Tags shown at most in a breakdown (each costs one request per new issue). */
export const MAX_BREAKDOWN_TAGS = 10

/** Sentry's tag key syntax (as for `tags.<key>` in templates). */
const TAG_KEY = /^[a-zA-Z0-9_.:-]{1,64}$/u

export interface SignalOptions {
  /** off; show: a "Suggested owners" line; assign: that line, and assignees when none is set. */
  owners: OwnerMode
  /** off; show: Seer's root cause when there is one; start: also start an analysis. */
  seer: SeerMode
  /** Tag keys whose top values new issues show (empty: none). */
  tagBreakdown: string[]
}

const lower = (v: string): string => v.trim().toLowerCase()

const schema = z.object({
  owners: z
    .string()
    .transform(lower)
    .pipe(
      z.enum(OWNER_MODES, {
        error: `owners must be one of: ${OWNER_MODES.join(', ')} (show adds a "Suggested owners" line; assign also assigns them when the Sentry issue has no assignee)`
      })
    ),
  seer: z
    .string()
    .transform(lower)
    .pipe(
      z.enum(SEER_MODES, {
        error: `seer must be one of: ${SEER_MODES.join(', ')} (start uses the organization's Seer quota)`
      })
    ),
  'tag-breakdown': z
    .string()
    .transform((v) =>
      v
        .split(/[,\n]/u)
        .map((s) => s.trim())
        .filter((s) => s !== '')
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              TAG_KEY,
              'tag-breakdown must be a comma- or newline-separated list of Sentry tag keys (letters, digits, "_", ".", ":" and "-", at most 64 characters each)'
            )
        )
        .max(
          MAX_BREAKDOWN_TAGS,
          `tag-breakdown: at most ${MAX_BREAKDOWN_TAGS} tags (each is one Sentry request per new issue)`
        )
    )
})

/**
 * Validates the signal inputs. Missing or empty inputs take `SIGNAL_INPUT_DEFAULTS`. With
 * problems, `options` holds the defaults and should not be used.
 */
export function parseSignalOptions(raw: Record<string, string | undefined>): {
  options: SignalOptions
  problems: string[]
} {
  const values: Record<string, string> = {}
  for (const name of SIGNAL_INPUT_NAMES) {
    const given = raw[name]
    values[name] = given !== undefined && given.trim() !== '' ? given : SIGNAL_INPUT_DEFAULTS[name]
  }
  const result = schema.safeParse(values)
  if (!result.success) {
    const problems: string[] = []
    const named = new Set<string>()
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'input')
      if (named.has(name)) continue
      named.add(name)
      problems.push(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`)
    }
    return { options: { owners: 'off', seer: 'off', tagBreakdown: [] }, problems }
  }
  const v = result.data
  return {
    options: { owners: v.owners, seer: v.seer, tagBreakdown: [...new Set(v['tag-breakdown'])] },
    problems: []
  }
}

/** Whether any signal is on (so new issues need Sentry reads beyond their latest event). */
export function signalsOn(options: SignalOptions): boolean {
  return options.owners !== 'off' || options.seer !== 'off' || options.tagBreakdown.length > 0
}

import type { Config } from '../inputs/config.js'
import type { SentryAuthInfo } from '../sentry/schemas.js'
import { fail, ok, warn, type CheckRow } from './checks.js'
import { inputRef, type Surface } from './probe.js'

/** The Sentry token's scopes: those every sync needs, and those the options that write need. */

/** Scopes every sync needs. */
export const BASE_SENTRY_SCOPES = ['event:read', 'org:read', 'project:read'] as const

/** Rows for the options that write to Sentry: they need event:write (and a user, for notes). */
export function writeFeatureRows(
  config: Config,
  auth: SentryAuthInfo,
  scopes: string[],
  surface: Surface
): CheckRow[] {
  const rows: CheckRow[] = []
  const canWrite = missingScopes(scopes, ['event:write']).length === 0
  const fix = `Add the event:write scope to the token (a new personal token, or the integration's Issue & Event: Read & Write), or turn the option off.`
  if (config.lifecycle.resolveInSentry) {
    rows.push(
      canWrite
        ? ok(
            'resolve-in-sentry',
            'the token has event:write, so closed issues can resolve in Sentry.'
          )
        : fail('resolve-in-sentry', 'is on, but the token lacks event:write.', fix)
    )
  }
  if (config.lifecycle.sentryComment) {
    const organizationToken = auth.user === null || config.sentry.token.startsWith('sntrys_')
    if (!canWrite) rows.push(fail('sentry-comment', 'is on, but the token lacks event:write.', fix))
    else if (organizationToken) {
      rows.push(
        warn(
          'sentry-comment',
          'is on, but the token belongs to no user (an organization token): Sentry refuses notes from it, so each note gives a warning.',
          `Use a personal token with event:write in ${inputRef(surface, 'sentry-token')}, or turn sentry-comment off.`
        )
      )
    } else rows.push(ok('sentry-comment', 'the token has event:write and belongs to a user.'))
  }
  const signals = config.signals
  if (signals.seer === 'start') {
    rows.push(
      canWrite
        ? ok('seer', 'start: the token has event:write to start root-cause analyses.')
        : fail('seer', 'is start, but the token lacks event:write.', fix)
    )
  }
  if (signals.owners !== 'off') {
    const lacking = missingScopes(scopes, ['member:read', 'org:read'])
    rows.push(
      lacking.length === 0
        ? ok('owners', 'the token can name owners (member:read, org:read).')
        : warn(
            'owners',
            `is ${signals.owners}, but the token lacks ${lacking.join(' and ')}: owners are shown by id, and none can be assigned.`,
            `Add ${lacking.join(' and ')} to the token, or set owners to off.`
          )
    )
  }
  return rows
}

/** Scopes from `needed` that `have` does not grant; `x:write` and `x:admin` grant `x:read`. */
export function missingScopes(have: readonly string[], needed: readonly string[]): string[] {
  const levels = ['read', 'write', 'admin']
  return needed.filter((scope) => {
    const [resource, level] = scope.split(':')
    const from = levels.indexOf(level ?? '')
    if (from < 0) return !have.includes(scope)
    return !levels.slice(from).some((l) => have.includes(`${resource}:${l}`))
  })
}

export function shownScopes(scopes: readonly string[]): string {
  return scopes.length === 0 ? '(none)' : [...scopes].sort().join(', ')
}

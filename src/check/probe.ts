import { envNameFor } from '../cli/args.js'
import type { GitHubClient } from '../github/client.js'
import type { Logger } from '../log.js'
import type { SentryClient } from '../sentry/client.js'
import type { CheckRow } from './checks.js'

/** What every probe of the set-up check is given, and how it names inputs and lists what it saw. */

/** Where the check runs: names inputs as the action does, or as flags and variables. */
export type Surface = 'action' | 'cli'

export interface CheckDeps {
  sentry: SentryClient
  github: GitHubClient
  log: Logger
  surface: Surface
  /** The row about where the sync state is kept (the Actions cache, or a state file). */
  state: () => Promise<CheckRow>
}

/** How the input `name` is set where the check runs. */
export function inputRef(surface: Surface, name: string): string {
  return surface === 'action'
    ? `the \`${name}\` input`
    : `\`--${name}\` (or ${envNameFor(name as Parameters<typeof envNameFor>[0])})`
}

/** The first `max` items, and how many there are in all when that is more. */
export function shown(items: readonly string[], max = 20): string {
  return items.slice(0, max).join(', ') + (items.length > max ? `, … (${items.length} in all)` : '')
}

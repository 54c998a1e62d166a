import type { Config } from '../inputs/config.js'
import type { CheckRow } from './checks.js'
import { githubRows } from './github.js'
import type { CheckDeps } from './probe.js'
import { sentryRows } from './sentry.js'

/**
 * The probes of a set-up check: everything a sync needs, read and never written (no GitHub or
 * Sentry write, no state saved). Each probe gives one row of the checklist; a probe that cannot
 * run because an earlier one failed (no connection, no token) is left out.
 *
 * The probes: ./sentry.ts (with ./sentry-connection.ts and ./sentry-scopes.ts), ./github.ts (with
 * ./github-access.ts and ./github-features.ts) and ./state.ts; what they share is in ./probe.ts.
 */

export async function runChecks(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  await deps.log.group('Checking Sentry', async () => {
    rows.push(...(await sentryRows(config, deps)))
  })
  await deps.log.group('Checking GitHub', async () => {
    rows.push(...(await githubRows(config, deps)))
  })
  rows.push(await deps.state())
  return rows
}

import type { Config } from '../inputs/config.js'
import { markerKey } from '../plan/marker.js'
import { emptyResult, type RunResult } from '../report/result.js'
import type { SentryIssue, SentryOrganization } from '../sentry/schemas.js'
import { underOrg, type SyncState } from '../state/store.js'
import { runSync, type PassOptions } from '../sync.js'
import type { SyncDeps } from './context.js'
import type { SentryRead } from './read-sentry.js'

/**
 * A quick pass: only the issues that are new since the last pass, for `watch` and `mode: quick`.
 *
 * It lists Sentry's issues newest first (`sort=new`, the run's query, projects and environments),
 * a small first page, and stops at the first issue already seen: one tracked in the state (or
 * remembered as gone), or first seen no later than the newest issue the last full sync read. When
 * nothing new passes min-events / min-users, the pass ends there: one Sentry request and none to
 * GitHub. Otherwise the new issues go through the sync core as a quick run, with every dedup layer
 * (tracking label, marker search, state), so nothing is filed twice.
 */

/** The first page of a quick listing: enough for a burst of new issues, small when idle. */
export const QUICK_FIRST_PAGE = 10

/** What a quick pass can reuse from the last full one, so an idle pass makes one request. */
export interface QuickMemo {
  projectIds?: string[]
  organization?: SentryOrganization
}

export interface QuickOutcome {
  /** The run, or undefined when nothing new was found (no GitHub request was made). */
  result: RunResult | undefined
  /** New issues listed (whether or not they pass the thresholds). */
  newIssues: number
}

/** Whether a listed issue was seen by an earlier run (tracked, gone, or older than the last full read). */
export function seenBefore(config: Config, state: SyncState): (issue: SentryIssue) => boolean {
  const since = state.quickSince === undefined ? undefined : Date.parse(state.quickSince)
  return (issue) => {
    const key = markerKey({ org: config.sentry.org, issueId: issue.id })
    if (state.issues[key] !== undefined || state.gone?.[key] !== undefined) return true
    if (since === undefined || issue.firstSeen == null) return false
    const first = Date.parse(issue.firstSeen)
    return !Number.isNaN(first) && first <= since
  }
}

export async function runQuickSync(
  config: Config,
  deps: SyncDeps,
  memo: QuickMemo = {},
  pass: Omit<PassOptions, 'quick'> = {}
): Promise<QuickOutcome> {
  const state = underOrg(await deps.state.load(), config.sentry.org)
  const projectIds =
    memo.projectIds ??
    (await deps.sentry.resolveProjectIds(config.sentry.org, config.sentry.projects))
  const listed = await deps.sentry.listIssues(config.sentry.org, {
    query: config.sentry.query,
    statsPeriod: config.sentry.statsPeriod,
    projectIds,
    environments: config.sentry.environments,
    sort: 'new',
    max: config.sentry.maxIssues,
    firstPage: QUICK_FIRST_PAGE,
    until: seenBefore(config, state)
  })
  const wanted = listed.issues.filter(
    (issue) => issue.count >= config.minEvents && issue.userCount >= config.minUsers
  )
  if (wanted.length === 0) {
    deps.log.debug(
      listed.issues.length === 0
        ? 'Quick pass: nothing new in Sentry.'
        : `Quick pass: ${listed.issues.length} new Sentry issue(s), none over min-events / min-users yet.`
    )
    return { result: undefined, newIssues: listed.issues.length }
  }
  const read: SentryRead = {
    issues: wanted,
    projectIds,
    pages: listed.pages,
    truncated: false,
    ...(memo.organization ? { organization: memo.organization } : {})
  }
  const result = await runSync(config, deps, Promise.resolve(read), { ...pass, quick: true })
  return { result, newIssues: listed.issues.length }
}

/**
 * One quick pass on its own (`mode: quick`, `sentry-issues-sync quick`): nothing new is an empty
 * result, and no GitHub request.
 */
export async function runQuickPass(config: Config, deps: SyncDeps): Promise<RunResult> {
  const { result, newIssues } = await runQuickSync(config, deps)
  if (result) return result
  deps.log.info(
    newIssues === 0
      ? 'Quick pass: nothing new in Sentry since the last run.'
      : `Quick pass: ${newIssues} new Sentry issue(s), none over min-events / min-users yet.`
  )
  return emptyResult(config.dryRun)
}

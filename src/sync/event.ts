import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import type { RepoRef } from '../github/issues.js'
import { findMarker, identify, installationOf, markerKey, sentryIdentity } from '../plan/marker.js'
import { decideExisting } from '../plan/lifecycle.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { emptyResult, type RunResult } from '../report/result.js'
import { baseRow, keyRow, type SyncDeps } from './context.js'
import { applyLifecycle } from './lifecycle.js'
import { startRun } from './resources.js'

/** The parts of an `issues` event payload the action reads. */
export interface IssueEventPayload {
  action?: string
  issue?: {
    id?: number
    number?: number
    body?: string | null
    html_url?: string
    state?: string
    state_reason?: string | null
    created_at?: string
    closed_at?: string | null
  }
}

/**
 * `on: issues: types: [closed]`: handles the one issue in the payload and nothing else. With
 * resolve-in-sentry, an issue a person closed as completed resolves its Sentry issue (an issue
 * the action closed itself records `resolved` in its stats block and is left alone).
 */
export async function runClosedIssueEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  const result = emptyResult(config.dryRun)
  const issue = payload.issue
  const notOurs = (): RunResult => {
    deps.log.info('The event is not the closing of an issue this sync tracks; nothing to do.')
    return result
  }
  // The Sentry issue the body names: its marker (whatever URL wrote it) or the action's link.
  const named =
    findMarker(issue?.body)?.issueId ??
    identify(issue?.body, sentryIdentity(config.sentry.org, config.sentry.url))?.issueId
  if (payload.action !== 'closed' || !issue || named === undefined) return notOurs()
  if (!config.lifecycle.resolveInSentry) {
    deps.log.info('resolve-in-sentry is off; a closed issue does not change Sentry.')
    return result
  }
  // Whether it is this installation's issue is told as a sync run tells it (see identify).
  const [organization, namedIssue] = await Promise.all([
    deps.sentry.getOrganization(config.sentry.org).catch((error: unknown) => {
      deps.log.warning(
        `Could not read the Sentry organization (${errorMessage(error)}); the issue is told apart from another Sentry installation's by URL only.`
      )
      return undefined
    }),
    deps.sentry.getIssue(config.sentry.org, named)
  ])
  const identity = sentryIdentity(
    config.sentry.org,
    config.sentry.url,
    [namedIssue?.permalink, organization?.links?.organizationUrl].filter(
      (url): url is string => url !== undefined
    ),
    {
      ...(organization ? { installation: installationOf(organization) } : {}),
      ...(namedIssue ? { listed: new Map([[namedIssue.id, namedIssue]]) } : {})
    }
  )
  const ref = identify(issue.body, identity)
  if (!ref) return notOurs()
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const key = markerKey({ org: config.sentry.org, issueId: ref.issueId })
  const sentry =
    ref.issueId === named ? namedIssue : await deps.sentry.getIssue(config.sentry.org, ref.issueId)
  const tracked: TrackedIssue = {
    id: issue.id ?? 0,
    number: issue.number ?? 0,
    url: issue.html_url ?? '',
    state: 'closed',
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at ?? '',
    closedAt: issue.closed_at ?? null,
    body: issue.body ?? null,
    marker: ref.marker,
    foundBy: 'label'
  }
  if (!sentry || sentry.id !== ref.issueId) {
    result.rows.push({
      ...keyRow(key),
      action: 'skipped',
      number: tracked.number,
      url: tracked.url,
      detail: sentry
        ? `merged in Sentry into ${sentry.shortId}; nothing to resolve here`
        : 'Sentry no longer has this issue'
    })
    return result
  }
  result.sentryIssuesRead = 1
  const decision = decideExisting(sentry, tracked, {
    options: { ...config.lifecycle, onRegression: 'ignore' },
    ...(identity.installation !== undefined ? { installation: identity.installation } : {})
  })
  const ctx = startRun({
    config,
    deps,
    repo,
    identity,
    index: new Map(),
    result,
    notes: new Map(),
    gone: new Map(),
    projectIds: undefined,
    lastRunAt: undefined
  })
  result.rows.push(
    decision.kind === 'resolve-in-sentry'
      ? await applyLifecycle(ctx, baseRow(sentry), tracked, decision, sentry)
      : {
          ...baseRow(sentry),
          action: 'skipped',
          number: tracked.number,
          url: tracked.url,
          detail: decision.kind === 'none' ? decision.why : 'nothing to do'
        }
  )
  return result
}

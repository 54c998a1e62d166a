import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import type { RepoRef } from '../github/issues.js'
import {
  findMarker,
  identify,
  installationOf,
  markerKey,
  sentryIdentity,
  type SentryIdentity
} from '../plan/marker.js'
import { decideExisting } from '../plan/lifecycle.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { emptyResult, type RunResult } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { baseRow, keyRow, type RunContext, type SyncDeps } from './context.js'
import { applyLifecycle } from './lifecycle.js'
import { startRun } from './resources.js'

/** The parts of an `issues` (or `issue_comment`) event payload the action reads. */
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
    updated_at?: string
    assignees?: Array<{ login?: string } | null> | null
  }
  /** `assigned` / `unassigned`: the person added or removed. */
  assignee?: { login?: string } | null
  /** Who acted. */
  sender?: { login?: string; type?: string } | null
  /** `issue_comment` events: the comment (as GitHub's REST API serves it). */
  comment?: unknown
}

/** The Sentry issue an event's GitHub issue tracks, with what a handler needs to act on it. */
export interface EventIssue {
  ctx: RunContext
  /** The tracked GitHub issue as the payload tells it. */
  tracked: TrackedIssue
  /** The Sentry issue (its id is the marker's: a merged-away one is answered as skipped). */
  sentry: SentryIssue
  identity: SentryIdentity
}

/**
 * Finds the Sentry issue the event's GitHub issue tracks: its marker (whatever URL wrote it) or
 * the action's link, told apart from another installation's as a sync run tells it (see
 * identify). Undefined, with a row or a log line saying why, when the event is not about an issue
 * this sync tracks (or its Sentry issue is gone or merged away).
 */
export async function findEventIssue(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload,
  result: RunResult
): Promise<EventIssue | undefined> {
  const issue = payload.issue
  const notOurs = (): undefined => {
    deps.log.info('The event is not about an issue this sync tracks; nothing to do.')
    return undefined
  }
  const named =
    findMarker(issue?.body)?.issueId ??
    identify(issue?.body, sentryIdentity(config.sentry.org, config.sentry.url))?.issueId
  if (!issue || named === undefined) return notOurs()
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
    state: issue.state === 'open' ? 'open' : 'closed',
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at ?? '',
    closedAt: issue.closed_at ?? null,
    ...(issue.updated_at ? { updatedAt: issue.updated_at } : {}),
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
        ? `merged in Sentry into ${sentry.shortId}; nothing to change here`
        : 'Sentry no longer has this issue'
    })
    return undefined
  }
  result.sentryIssuesRead = 1
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
  return { ctx, tracked, sentry, identity }
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
  if (payload.action !== 'closed' || !findMarkerOrLink(config, payload)) {
    deps.log.info('The event is not the closing of an issue this sync tracks; nothing to do.')
    return result
  }
  if (!config.lifecycle.resolveInSentry) {
    deps.log.info('resolve-in-sentry is off; a closed issue does not change Sentry.')
    return result
  }
  const found = await findEventIssue(config, deps, payload, result)
  if (!found) return result
  const { ctx, tracked, sentry, identity } = found
  tracked.state = 'closed'
  const decision = decideExisting(sentry, tracked, {
    options: { ...config.lifecycle, onRegression: 'ignore' },
    ...(identity.installation !== undefined ? { installation: identity.installation } : {})
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

/** Whether the payload's issue body names a Sentry issue at all (before any request). */
export function findMarkerOrLink(config: Config, payload: IssueEventPayload): boolean {
  const body = payload.issue?.body
  return (
    findMarker(body) !== undefined ||
    identify(body, sentryIdentity(config.sentry.org, config.sentry.url)) !== undefined
  )
}

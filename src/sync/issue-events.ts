import { getIssue } from '../github/issues.js'
import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { findStatsBlock } from '../render/stats-block.js'
import { emptyResult, type RunResult } from '../report/result.js'
import { githubCommentSchema } from '../github/comments.js'
import { isActionComment } from '../render/comments.js'
import { syncAssignees } from './assignees.js'
import { copyCommentToSentry } from './comments.js'
import { baseRow, type SyncDeps } from './context.js'
import {
  findEventIssue,
  findMarkerOrLink,
  runClosedIssueEvent,
  type IssueEventPayload
} from './event.js'

/**
 * The run of an `issues` event: the one issue in the payload and nothing else.
 * - `closed`: resolve-in-sentry (event.ts);
 * - `reopened`: with resolve-in-sentry, a person's reopen unresolves the Sentry issue, unless
 *   Sentry already has it unresolved (it regressed: the action's own reopen is that case);
 * - `assigned` / `unassigned`: with sync-assignees, the assignees as both tools have them now
 *   (the issue is read fresh: events can arrive late or be dropped by a concurrency group);
 * - `issue_comment: created`: with sync-comments, that comment to Sentry (sync/comments.ts).
 */
export async function runIssueEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  if (payload.comment !== undefined) return runCommentEvent(config, deps, payload)
  switch (payload.action) {
    case 'reopened':
      return runReopenedEvent(config, deps, payload)
    case 'assigned':
    case 'unassigned':
      return runAssignedEvent(config, deps, payload)
    default:
      return runClosedIssueEvent(config, deps, payload)
  }
}

async function runReopenedEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  const result = emptyResult(config.dryRun)
  if (!findMarkerOrLink(config, payload)) {
    deps.log.info('The event is not the reopening of an issue this sync tracks; nothing to do.')
    return result
  }
  if (!config.lifecycle.resolveInSentry) {
    deps.log.info('resolve-in-sentry is off; a reopened issue does not change Sentry.')
    return result
  }
  const found = await findEventIssue(config, deps, payload, result)
  if (!found) return result
  const { sentry, tracked } = found
  const row = {
    ...baseRow(sentry),
    number: tracked.number,
    url: tracked.url
  }
  const memory = findStatsBlock(tracked.body)?.memory
  if (sentry.status === 'unresolved') {
    result.rows.push({
      ...row,
      action: 'skipped',
      detail: `already unresolved in Sentry${sentry.substatus ? ` (${sentry.substatus})` : ''}`
    })
    return result
  }
  if (memory?.closed === 'reopened') {
    // The action reopened it itself (a regression), and Sentry changed since: leave Sentry be.
    result.rows.push({ ...row, action: 'skipped', detail: 'reopened by sentry-issues-action' })
    return result
  }
  if (config.dryRun) {
    result.rows.push({
      ...row,
      action: 'updated',
      detail: 'dry run: would unresolve in Sentry (reopened on GitHub)'
    })
    return result
  }
  try {
    await deps.sentry.updateIssueStatus(config.sentry.org, sentry.id, 'unresolved')
    deps.log.info(
      `#${tracked.number}: unresolved ${sentry.shortId} in Sentry (reopened on GitHub).`
    )
    result.rows.push({
      ...row,
      action: 'updated',
      detail: 'unresolved in Sentry (reopened on GitHub)'
    })
  } catch (error) {
    const message = `could not unresolve ${sentry.shortId} in Sentry: ${errorMessage(error)}`
    deps.log.warning(`#${tracked.number}: ${message}`)
    result.rows.push({ ...row, action: 'failed', detail: message })
  }
  return result
}

async function runAssignedEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  const result = emptyResult(config.dryRun)
  if ((config.twoWay?.assignees ?? 'off') === 'off') {
    deps.log.info('sync-assignees is off; an assignee change does not change Sentry.')
    return result
  }
  if (!findMarkerOrLink(config, payload)) {
    deps.log.info('The event is not about an issue this sync tracks; nothing to do.')
    return result
  }
  const found = await findEventIssue(config, deps, payload, result)
  if (!found) return result
  const { ctx, sentry, tracked } = found
  const fresh = await getIssue(deps.github, ctx.repo, tracked.number)
  tracked.body = fresh.body ?? null
  tracked.assignees = fresh.assignees ?? []
  tracked.state = fresh.state
  const note = await syncAssignees(ctx, tracked, sentry)
  result.rows.push({
    ...baseRow(sentry),
    number: tracked.number,
    url: tracked.url,
    action: note && !config.dryRun && !note.startsWith('not carried') ? 'updated' : 'skipped',
    detail: note ?? 'assignees in step'
  })
  return result
}

async function runCommentEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  const result = emptyResult(config.dryRun)
  const way = config.twoWay?.comments ?? 'off'
  if (payload.action !== 'created' || way === 'off' || way === 'to-github') {
    deps.log.info('sync-comments does not copy this comment to Sentry; nothing to do.')
    return result
  }
  const parsed = githubCommentSchema.safeParse(payload.comment)
  if (!parsed.success || !findMarkerOrLink(config, payload)) {
    deps.log.info('The event is not a comment on an issue this sync tracks; nothing to do.')
    return result
  }
  // The action's own comments (and copies of notes) never travel: no request for them.
  if (isActionComment(parsed.data.body)) {
    deps.log.info('The comment is the action’s own; it does not travel.')
    return result
  }
  const found = await findEventIssue(config, deps, payload, result)
  if (!found) return result
  const { ctx, sentry, tracked } = found
  const detail = await copyCommentToSentry(ctx, sentry, tracked, parsed.data)
  result.rows.push({
    ...baseRow(sentry),
    number: tracked.number,
    url: tracked.url,
    action: detail.startsWith('copied')
      ? 'updated'
      : detail.startsWith('comments not')
        ? 'failed'
        : 'skipped',
    detail
  })
  return result
}

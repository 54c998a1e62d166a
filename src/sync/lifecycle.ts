import { errorMessage } from '../log.js'
import {
  addLabels,
  createComment,
  getIssue,
  removeLabel,
  updateIssue,
  type IssuePatch
} from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import type { BodyChange, LabelChange, LifecycleDecision } from '../plan/lifecycle.js'
import { withCurrentMarker } from '../plan/marker.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { MAX_BODY_LENGTH } from '../render/issue.js'
import { findStatsBlock } from '../render/stats-block.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { inRepo, statusOf, type RunContext } from './context.js'
import { resolveFixed } from './fixed-in.js'
import { relinkInSentry } from './sentry-link.js'
import { ensureLabels } from './labels.js'
import { runSteps } from './steps.js'
import { groupDigits } from '../render/numbers.js'

const ROW_ACTION = {
  update: 'updated',
  close: 'closed',
  reopen: 'reopened',
  'resolve-in-sentry': 'updated',
  merged: 'closed'
} as const

type Acting = Exclude<LifecycleDecision, { kind: 'none' | 'recreate' }>

/**
 * Carries out one lifecycle decision on an existing issue. The body is read fresh just before the
 * write and only the stats block and the marker line are replaced in it, so an edit a person made
 * during the run is kept; an issue whose state a person changed during the run is left for the
 * next run. A refused comment (a locked conversation) does not stop a close or a reopen.
 */
export async function applyLifecycle(
  ctx: RunContext,
  base: Omit<ResultRow, 'action'>,
  existing: TrackedIssue,
  decision: LifecycleDecision,
  sentry?: SentryIssue
): Promise<ResultRow> {
  if (decision.kind === 'none' || decision.kind === 'recreate') {
    return {
      ...base,
      action: 'skipped',
      number: existing.number,
      url: existing.url,
      detail: decision.why
    }
  }
  const row: ResultRow = {
    ...base,
    action: ROW_ACTION[decision.kind],
    number: existing.number,
    url: existing.url,
    detail:
      decision.kind === 'resolve-in-sentry' ? `resolved in Sentry (${decision.why})` : decision.why
  }
  if (ctx.config.dryRun)
    return { ...row, detail: `dry run: would ${verb(decision)}: ${decision.why}` }
  try {
    const done = await carryOut(ctx, row, existing, decision, sentry)
    if (done.action !== 'skipped') await relinkAfterMerge(ctx, existing, decision, sentry)
    return done
  } catch (error) {
    const message = `could not ${verb(decision)} #${existing.number}: ${errorMessage(error)}`
    ctx.deps.log.warning(`${base.shortId}: ${message}`)
    return { ...row, action: 'failed', detail: message }
  }
}

/**
 * After a Sentry merge, the link in Sentry follows the GitHub issue that tracks the survivor: the
 * duplicate's issue when it was closed, this issue when it took the survivor over.
 */
async function relinkAfterMerge(
  ctx: RunContext,
  existing: TrackedIssue,
  decision: Acting,
  sentry: SentryIssue | undefined
): Promise<void> {
  if (decision.kind === 'merged') {
    const { into } = decision
    await relinkInSentry(ctx, decision.survivorId, `#${into.number}`, into)
  } else if (existing.marker === 'rekeyed' && sentry) {
    await relinkInSentry(ctx, sentry.id, sentry.shortId, existing)
  }
}

function verb(decision: Acting): string {
  return decision.kind === 'merged' ? 'close as a duplicate' : decision.kind
}

async function carryOut(
  ctx: RunContext,
  row: ResultRow,
  existing: TrackedIssue,
  decision: Acting,
  sentry: SentryIssue | undefined
): Promise<ResultRow> {
  const { github } = ctx.deps
  const notes: string[] = []
  const change: BodyChange = 'change' in decision ? decision.change : {}
  const labels: LabelChange | undefined = 'labels' in decision ? decision.labels : undefined
  const touchesBody = change.block !== undefined || change.marker !== undefined
  const changesState = decision.kind !== 'update' && decision.kind !== 'resolve-in-sentry'

  let body: string | undefined
  if (touchesBody || changesState) {
    const fresh = await readFresh(ctx, existing)
    if (typeof fresh === 'string') return { ...row, action: 'skipped', detail: fresh }
    if (touchesBody) {
      const next = applyBodyChange(fresh.body ?? '', change, notes)
      if (next !== (fresh.body ?? '')) {
        if (next.length > MAX_BODY_LENGTH) {
          ctx.warnings.warn(
            `#${existing.number}: the body is ${groupDigits(next.length)} characters with the stats block, over GitHub's ${groupDigits(MAX_BODY_LENGTH)}; the block was not updated. Shorten the issue's description to let the action update it again.`
          )
          notes.push('body over GitHub’s limit; block not updated')
        } else {
          body = next
        }
      }
    }
  }

  if (labels) await changeLabels(ctx, existing.number, labels)
  switch (decision.kind) {
    case 'update':
      if (body !== undefined) await updateIssue(github, ctx.repo, existing.number, { body })
      if (sentry) {
        await runSteps(ctx, existing.number, (step) => step.updated(ctx, existing.number, sentry))
      }
      // A comment goes with the block that records it (so it is said once): without that write
      // (a block a person deleted, a body over the limit) it is not posted.
      if (decision.comment && body !== undefined) {
        await commentSoftly(ctx, existing, decision.comment, notes)
      }
      if (body === undefined && !labels) {
        return { ...row, action: 'skipped', detail: [decision.why, ...notes].join('; ') }
      }
      break
    case 'close':
      // The state first, the comment after: a comment is said at most once, never twice.
      await updateIssue(github, ctx.repo, existing.number, {
        state: 'closed',
        state_reason: decision.stateReason,
        ...(body !== undefined ? { body } : {})
      })
      existing.state = 'closed'
      await commentSoftly(ctx, existing, decision.comment, notes)
      break
    case 'reopen':
      await updateIssue(github, ctx.repo, existing.number, {
        state: 'open',
        ...(body !== undefined ? { body } : {})
      })
      existing.state = 'open'
      await commentSoftly(ctx, existing, decision.comment, notes)
      break
    case 'resolve-in-sentry': {
      if (!sentry) throw new Error('no Sentry issue to resolve')
      const how = await resolveFixed(ctx, existing, sentry)
      if (body !== undefined) await updateIssue(github, ctx.repo, existing.number, { body })
      row.detail = `${how} (${decision.why})`
      break
    }
    case 'merged':
      await closeAsDuplicate(ctx, existing.number, decision.into, body)
      existing.state = 'closed'
      existing.stateReason = 'duplicate'
      await commentSoftly(ctx, existing, decision.comment, notes)
      break
  }
  ctx.deps.log.info(`#${existing.number}: ${row.action} (${decision.why}).`)
  return notes.length > 0 ? { ...row, detail: [row.detail, ...notes].join('; ') } : row
}

/**
 * The issue as GitHub has it now, or why it is left alone: moved away (the client followed the
 * 301 to another repository), deleted (410), or its state changed during this run.
 */
async function readFresh(ctx: RunContext, existing: TrackedIssue): Promise<GitHubIssue | string> {
  let fresh: GitHubIssue
  try {
    fresh = await getIssue(ctx.deps.github, ctx.repo, existing.number)
  } catch (error) {
    if (statusOf(error) === 410) return 'deleted on GitHub during the run'
    throw error
  }
  if (!inRepo(fresh, ctx.repo)) return `moved to ${fresh.html_url} during the run`
  if (fresh.state !== existing.state) {
    return `its state changed on GitHub during the run (now ${fresh.state}); the next run decides`
  }
  return fresh
}

/** The body with the new block and marker; a block a person deleted is not put back. */
export function applyBodyChange(body: string, change: BodyChange, notes: string[] = []): string {
  let next = body
  if (change.block !== undefined) {
    const found = findStatsBlock(next)
    if (found) next = next.slice(0, found.start) + change.block + next.slice(found.end)
    else notes.push('stats block removed by a person; not restored')
  }
  if (change.marker !== undefined) next = withCurrentMarker(next, change.marker)
  return next
}

/** Adds and removes the labels the action manages, one call each; never replaces the list. */
async function changeLabels(ctx: RunContext, number: number, change: LabelChange): Promise<void> {
  if (change.add.length > 0) {
    await ensureLabels(ctx, change.add)
    await addLabels(ctx.deps.github, ctx.repo, number, change.add)
  }
  for (const name of change.remove) await removeLabel(ctx.deps.github, ctx.repo, number, name)
}

/**
 * Posts a comment after the write it goes with. Comments are never retried (a retry after a lost
 * answer could say it twice), and a refusal (a locked conversation) or a failure is a warning: the
 * write stands, and the row says the comment is missing.
 */
async function commentSoftly(
  ctx: RunContext,
  existing: TrackedIssue,
  text: string,
  notes: string[]
): Promise<void> {
  try {
    await createComment(ctx.deps.github, ctx.repo, existing.number, text)
  } catch (error) {
    ctx.warnings.warn(
      `#${existing.number}: GitHub refused the comment${existing.locked ? ' (the conversation is locked)' : ''}: ${errorMessage(error)}. The issue's state was changed without it.`
    )
    notes.push('comment refused')
  }
}

/**
 * Closes an issue as a duplicate of another with GitHub's native marking; a server that refuses
 * it gets `not_planned` (the caller's comment links the other issue).
 */
export async function closeAsDuplicate(
  ctx: RunContext,
  number: number,
  of: Pick<TrackedIssue, 'id' | 'number'>,
  body?: string
): Promise<void> {
  const patch: IssuePatch = {
    state: 'closed',
    state_reason: 'duplicate',
    duplicate_issue_id: of.id,
    ...(body !== undefined ? { body } : {})
  }
  try {
    await updateIssue(ctx.deps.github, ctx.repo, number, patch)
  } catch (error) {
    if (statusOf(error) !== 422) throw error
    await updateIssue(ctx.deps.github, ctx.repo, number, {
      state: 'closed',
      state_reason: 'not_planned',
      ...(body !== undefined ? { body } : {})
    })
  }
}

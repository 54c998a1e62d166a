import type { SentryIssue } from '../sentry/schemas.js'
import { escapeInline } from '../render/escape.js'
import {
  findStatsBlock,
  formatCount,
  renderStatsBlock,
  replaceStatsBlock,
  snapshotOf,
  STATS_END,
  type FoundBlock
} from '../render/stats-block.js'
import type { TrackedIssue } from './plan.js'

/**
 * Lifecycle decisions for a Sentry issue that already has a GitHub issue: keep the stats block
 * current, close on resolve (and optionally on ignore), handle regressions by policy, resolve in
 * Sentry what a person closed on GitHub. Pure: the stats block in the body is the only memory it
 * needs (its start line records the last Sentry status the action saw).
 *
 * | Sentry status        | GitHub open                                   | GitHub closed                                           |
 * |----------------------|-----------------------------------------------|---------------------------------------------------------|
 * | unresolved           | update the block when a value changed          | regression (recorded status was not unresolved, or substatus regressed after the close): on-regression policy; else nothing (or resolve in Sentry when a person closed it since the last run and resolve-in-sentry is on) |
 * | resolved             | close-on-resolve: close as completed + comment | update the block when it changed                        |
 * | ignored (archived)   | close-on-ignore: close as not planned + comment; else update the block | update the block when it changed |
 * | deleted              | comment once and leave open (block records it) | nothing                                                 |
 */

export type RegressionPolicy = 'reopen' | 'new' | 'comment' | 'ignore'

export interface LifecycleOptions {
  updateExisting: boolean
  closeOnResolve: boolean
  closeOnIgnore: boolean
  onRegression: RegressionPolicy
  reopenNotPlanned: boolean
  resolveInSentry: boolean
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = {
  updateExisting: true,
  closeOnResolve: true,
  closeOnIgnore: false,
  onRegression: 'reopen',
  reopenNotPlanned: false,
  resolveInSentry: false
}

export type LifecycleDecision =
  | { kind: 'none'; why: string }
  | { kind: 'update'; body: string; comment?: string; why: string }
  | {
      kind: 'close'
      stateReason: 'completed' | 'not_planned'
      comment: string
      body?: string
      why: string
    }
  | { kind: 'reopen'; comment: string; body?: string; why: string }
  | { kind: 'recreate'; why: string }
  | { kind: 'resolve-in-sentry'; body?: string; why: string }

export interface LifecycleContext {
  options: LifecycleOptions
  /** When the previous run ended (ISO), for "closed since the last run". */
  lastRunAt?: string
}

/** The body with a fresh block for this Sentry issue, or undefined if nothing would change. */
export function refreshedBody(
  existing: TrackedIssue,
  sentry: SentryIssue,
  statusOverride?: string
): string | undefined {
  const body = existing.body
  if (!body) return undefined
  const block = findStatsBlock(body)
  if (!block) return undefined
  const snapshot = snapshotOf(sentry)
  if (statusOverride) {
    snapshot.status = statusOverride
    snapshot.substatus = null
  }
  const next = renderStatsBlock(snapshot, block.releaseRow)
  if (next === block.text.replace(/\r/g, '')) return undefined
  return replaceStatsBlock(body, next)
}

function releaseOf(sentry: SentryIssue): string | undefined {
  const inRelease = sentry.statusDetails?.inRelease
  return inRelease ? inRelease : undefined
}

function countsLine(sentry: SentryIssue): string {
  const parts = [`${formatCount(sentry.count)} events`, `${formatCount(sentry.userCount)} users`]
  if (sentry.lastSeen) parts.push(`last seen ${escapeInline(sentry.lastSeen, 40)}`)
  const release = releaseOf(sentry)
  if (release) parts.push(`release ${escapeInline(release, 200)}`)
  return parts.join(', ')
}

function isResolvedLike(status: string): boolean {
  return status !== 'unresolved' && status !== 'deleted'
}

function regressed(
  sentry: SentryIssue,
  existing: TrackedIssue,
  block: FoundBlock | undefined
): boolean {
  if (sentry.status !== 'unresolved') return false
  if (block && isResolvedLike(block.recordedStatus)) return true
  // No usable record: trust Sentry's own regression flag, for events after the close.
  return (
    sentry.substatus === 'regressed' &&
    !!existing.closedAt &&
    !!sentry.lastSeen &&
    Date.parse(sentry.lastSeen) > Date.parse(existing.closedAt)
  )
}

export function decideExisting(
  sentry: SentryIssue,
  existing: TrackedIssue,
  ctx: LifecycleContext
): LifecycleDecision {
  const { options } = ctx
  const block = findStatsBlock(existing.body)
  const status = sentry.status

  if (existing.state === 'open') {
    if (status === 'resolved' && options.closeOnResolve) {
      const release = releaseOf(sentry)
      return {
        kind: 'close',
        stateReason: 'completed',
        comment: `Resolved in Sentry${release ? ` in release ${escapeInline(release, 200)}` : ''}${sentry.lastSeen ? ` (last seen ${escapeInline(sentry.lastSeen, 40)})` : ''}. Closed by sentry-issues-action${options.onRegression === 'reopen' ? '; it reopens this issue if the error comes back' : ''}.`,
        ...bodyIf(refreshedBody(existing, sentry)),
        why: 'resolved in Sentry'
      }
    }
    if (status === 'ignored' && options.closeOnIgnore) {
      return {
        kind: 'close',
        stateReason: 'not_planned',
        comment: `Archived (ignored) in Sentry${sentry.substatus ? ` (${escapeInline(sentry.substatus, 40)})` : ''}. Closed as not planned by sentry-issues-action.`,
        ...bodyIf(refreshedBody(existing, sentry)),
        why: 'ignored in Sentry'
      }
    }
    return updateOrNone(existing, sentry, options)
  }

  // Closed on GitHub.
  if (regressed(sentry, existing, block)) {
    if (existing.stateReason === 'not_planned' && !options.reopenNotPlanned) {
      return {
        kind: 'none',
        why: 'regressed, but closed as not planned (reopen-not-planned is off)'
      }
    }
    if (existing.stateReason === 'duplicate') {
      return { kind: 'none', why: 'closed as a duplicate' }
    }
    const comment = `This error is back in Sentry (${escapeInline(sentry.substatus ?? 'unresolved', 40)}): ${countsLine(sentry)}.`
    switch (options.onRegression) {
      case 'reopen':
        return {
          kind: 'reopen',
          comment: `${comment} Reopened by sentry-issues-action.`,
          ...bodyIf(refreshedBody(existing, sentry)),
          why: 'regressed'
        }
      case 'new':
        return { kind: 'recreate', why: 'regressed; a new issue replaces the closed one' }
      case 'comment': {
        const body = refreshedBody(existing, sentry)
        // The refreshed block records the new status, so the comment is posted once.
        return body
          ? { kind: 'update', body, comment, why: 'regressed (comment only)' }
          : { kind: 'none', why: 'regressed (already noted)' }
      }
      case 'ignore':
        return { kind: 'none', why: 'regressed (on-regression: ignore)' }
    }
  }

  if (
    options.resolveInSentry &&
    status === 'unresolved' &&
    existing.stateReason === 'completed' &&
    block?.recordedStatus === 'unresolved' &&
    closedSince(existing, ctx.lastRunAt)
  ) {
    return {
      kind: 'resolve-in-sentry',
      ...bodyIf(refreshedBody(existing, sentry, 'resolved')),
      why: 'closed as completed on GitHub'
    }
  }

  if (status !== 'unresolved') return updateOrNone(existing, sentry, options)
  return { kind: 'none', why: 'closed on GitHub' }
}

function closedSince(existing: TrackedIssue, lastRunAt: string | undefined): boolean {
  if (!existing.closedAt) return false
  if (!lastRunAt) return true
  return Date.parse(existing.closedAt) > Date.parse(lastRunAt)
}

function updateOrNone(
  existing: TrackedIssue,
  sentry: SentryIssue,
  options: LifecycleOptions
): LifecycleDecision {
  if (!options.updateExisting) return { kind: 'none', why: 'already tracked' }
  const body = refreshedBody(existing, sentry)
  return body ? { kind: 'update', body, why: 'stats changed' } : { kind: 'none', why: 'unchanged' }
}

function bodyIf(body: string | undefined): { body?: string } {
  return body === undefined ? {} : { body }
}

/**
 * A tracked open issue whose Sentry issue no longer exists: record `deleted` in the block and say
 * so once. Without a block there is no record, so nothing is written (the summary reports it).
 */
export function decideDeleted(existing: TrackedIssue): LifecycleDecision {
  const block = findStatsBlock(existing.body)
  if (existing.state !== 'open') return { kind: 'none', why: 'deleted in Sentry; issue closed' }
  if (!block || !existing.body) return { kind: 'none', why: 'deleted in Sentry' }
  if (block.recordedStatus === 'deleted')
    return { kind: 'none', why: 'deleted in Sentry (already noted)' }
  const lines = block.text.replace(/\r/g, '').split('\n')
  lines[0] = '<!-- sentry-stats:start status=deleted -->'
  const marked = lines.map((l) =>
    /^\| Status \| .* \|$/.test(l) ? '| Status | deleted in Sentry |' : l
  )
  if (marked[marked.length - 1] !== STATS_END) return { kind: 'none', why: 'deleted in Sentry' }
  return {
    kind: 'update',
    body: existing.body.slice(0, block.start) + marked.join('\n') + existing.body.slice(block.end),
    comment:
      'Sentry no longer has this issue (it was deleted or merged into another). This issue stays open; close it when it is no longer useful.',
    why: 'deleted in Sentry'
  }
}

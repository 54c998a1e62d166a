import type { SentryIssue } from '../sentry/schemas.js'
import { escapeInline } from '../render/escape.js'
import { priorityLabel, type PriorityRule } from '../render/labels.js'
import {
  findStatsBlock,
  formatCount,
  normaliseStatus,
  renderStartLine,
  renderStatsBlock,
  snapshotOf,
  STATS_END,
  type BlockMemory,
  type FoundBlock
} from '../render/stats-block.js'
import type { TrackedIssue } from './tracked.js'

/**
 * Lifecycle decisions for a Sentry issue that already has a GitHub issue. Pure: the hidden stats
 * block is the memory (see stats-block.ts), and a person's last action is final:
 *
 * | Sentry status   | GitHub open                                                      | GitHub closed |
 * |-----------------|------------------------------------------------------------------|---------------|
 * | unresolved      | update the block when what a reader sees changed                 | regression (recorded status was resolved/ignored, or substatus regressed after the close): on-regression policy; the action's own not-planned close is undone; a person's not-planned close only with reopen-not-planned. Else nothing (or resolve in Sentry when a person closed it as completed since the last run, with resolve-in-sentry) |
 * | resolved        | close-on-resolve: close as completed + comment, unless a person reopened the action's close and Sentry has not changed since | update the block when it changed |
 * | ignored         | close-on-ignore: close as not planned + comment (same exception); else update the block | update the block when it changed |
 * | deleted         | comment once and leave open (the block records it)               | nothing |
 * | merged          | close as a duplicate of the survivor's issue (or take the survivor's marker when it has none) | nothing |
 *
 * Priority labels: the block records the label the action last applied; a label a person changed
 * stays until the rule moves to another level.
 */

export type RegressionPolicy = 'reopen' | 'new' | 'sub-issue' | 'comment' | 'ignore'

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

/** Changes to an issue's body: only the block and the marker line are ever rewritten. */
export interface BodyChange {
  /** The new stats block, put in place of the body's block (a body without one keeps none). */
  block?: string
  /** The marker line the body should carry (a stale one is replaced, a missing one put back). */
  marker?: string
}

/** Labels to add and remove, one by one (never the whole list). */
export interface LabelChange {
  add: string[]
  remove: string[]
}

interface Writes {
  change: BodyChange
  labels?: LabelChange
}

export type LifecycleDecision =
  | { kind: 'none'; why: string }
  | (Writes & { kind: 'update'; comment?: string; why: string })
  | (Writes & {
      kind: 'close'
      stateReason: 'completed' | 'not_planned'
      comment: string
      why: string
    })
  | (Writes & { kind: 'reopen'; comment: string; why: string })
  | { kind: 'recreate'; why: string }
  | (Writes & { kind: 'resolve-in-sentry'; why: string })
  | {
      kind: 'merged'
      /** The survivor's GitHub issue, which this one duplicates. */
      into: TrackedIssue
      /** The surviving Sentry issue's id. */
      survivorId: string
      change: BodyChange
      comment: string
      why: string
    }

export interface LifecycleContext {
  options: LifecycleOptions
  /** When the previous run ended (ISO), for "closed since the last run". */
  lastRunAt?: string
  /** Priority rules, when labels follow counts. */
  priorityRules?: readonly PriorityRule[]
  /** The marker line the action writes today for a Sentry issue id. */
  markerLine?: (issueId: string) => string
  /** The Sentry installation, recorded in the block whenever it is written for another reason. */
  installation?: string
}

function isResolvedLike(status: string): boolean {
  return status !== 'unresolved' && status !== 'deleted'
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

/** What one decision will write: block, marker and labels, computed together. */
class Planner {
  readonly block: FoundBlock | undefined
  readonly memory: BlockMemory | undefined
  readonly labelMemory: string | null | undefined
  readonly labels: LabelChange | undefined

  constructor(
    readonly sentry: SentryIssue,
    readonly existing: TrackedIssue,
    readonly ctx: LifecycleContext
  ) {
    this.block = findStatsBlock(existing.body)
    this.memory = this.block?.memory
    const priority = planPriority(existing, sentry, this.memory, ctx.priorityRules ?? [])
    this.labelMemory = priority.memory
    this.labels = priority.change
  }

  /** The writes that bring block, marker and labels up to date, with `memory` recorded. */
  writes(
    memory: Omit<
      BlockMemory,
      'status' | 'project' | 'label' | 'installation' | 'assignees' | 'comments'
    >,
    status?: string
  ): Writes {
    const change: BodyChange = {}
    if (this.block) {
      const snapshot = snapshotOf(this.sentry)
      if (status !== undefined) {
        snapshot.status = status
        snapshot.substatus = null
      }
      const render = (installation: string | undefined): string =>
        renderStatsBlock(snapshot, this.block, {
          project: this.sentry.project.id,
          ...(this.labelMemory !== undefined ? { label: this.labelMemory } : {}),
          ...memory,
          ...(installation !== undefined ? { installation } : {}),
          // What the two-way sync remembers is its own, kept as it is (sync/assignees.ts).
          ...(this.memory?.assignees ? { assignees: this.memory.assignees } : {}),
          ...(this.memory?.comments ? { comments: this.memory.comments } : {})
        })
      // The installation is recorded when the block is written anyway, never for its own sake.
      const recorded = this.memory?.installation
      if (render(recorded) !== this.block.text.replace(/\r/g, '')) {
        change.block = render(this.ctx.installation ?? recorded)
      }
    }
    if (this.existing.marker !== undefined && this.existing.marker !== 'current') {
      const line = this.ctx.markerLine?.(this.sentry.id)
      if (line) change.marker = line
    }
    return { change, ...(this.labels ? { labels: this.labels } : {}) }
  }

  /** Memory carried over unchanged (closed-by-action, events at close). */
  kept(): Omit<BlockMemory, 'status' | 'project' | 'label' | 'installation'> {
    const m = this.memory
    return {
      ...(m?.closed !== undefined ? { closed: m.closed } : {}),
      ...(m?.events !== undefined ? { events: m.events } : {})
    }
  }
}

/** Whether the memory says the action itself closed the issue (as opposed to a person). */
function closedByAction(memory: BlockMemory | undefined): boolean {
  return (
    memory?.closed === 'completed' ||
    memory?.closed === 'not_planned' ||
    memory?.closed === 'duplicate'
  )
}

/**
 * Whether the writes are worth a request. A stale or missing marker alone is not (it is fixed
 * when the issue is next written for another reason); a marker taken over in a merge is.
 */
function hasWrites(w: Writes, existing: TrackedIssue): boolean {
  return (
    w.change.block !== undefined ||
    w.labels !== undefined ||
    (w.change.marker !== undefined && existing.marker === 'rekeyed')
  )
}

/**
 * The priority label to record and the label writes: the rule's label when it differs from the
 * one the action last applied; nothing when it is the same, whatever a person set meanwhile.
 * A block from before labels were recorded adopts the issue's current priority label.
 */
export function planPriority(
  existing: Pick<TrackedIssue, 'labels'>,
  sentry: Pick<SentryIssue, 'count' | 'userCount'>,
  memory: BlockMemory | undefined,
  rules: readonly PriorityRule[]
): { memory: string | null | undefined; change?: LabelChange } {
  if (rules.length === 0) return { memory: memory?.label }
  const lower = (s: string): string => s.toLowerCase()
  const managed = new Set(rules.map((r) => lower(r.label)))
  const current = existing.labels ?? []
  const desired = priorityLabel(sentry, rules) ?? null
  if (memory?.label === undefined) {
    // Nothing recorded (a block from before, or none): adopt what the issue carries, change nothing.
    return { memory: current.find((l) => managed.has(lower(l))) ?? desired }
  }
  const recorded = memory.label
  if (recorded !== null && desired !== null && lower(recorded) === lower(desired)) {
    return { memory: recorded }
  }
  if (recorded === desired) return { memory: recorded }
  const add = desired !== null && !current.some((l) => lower(l) === lower(desired)) ? [desired] : []
  const remove = current.filter(
    (l) => managed.has(lower(l)) && (desired === null || lower(l) !== lower(desired))
  )
  if (add.length === 0 && remove.length === 0) return { memory: desired }
  return { memory: desired, change: { add, remove: [...new Set(remove)] } }
}

export function decideExisting(
  sentry: SentryIssue,
  existing: TrackedIssue,
  ctx: LifecycleContext
): LifecycleDecision {
  const { options } = ctx
  const p = new Planner(sentry, existing, ctx)
  const memory = p.memory
  const status = normaliseStatus(sentry.status)

  if (existing.state === 'open') {
    const closeAs =
      status === 'resolved' && options.closeOnResolve
        ? 'completed'
        : status === 'ignored' && options.closeOnIgnore
          ? 'not_planned'
          : undefined
    // Sentry shows what the block recorded: the status, and no more events than when it was
    // written. Then nothing happened in Sentry since the action last wrote the issue.
    const unchanged =
      memory?.status === status && (memory.events === undefined || sentry.count <= memory.events)
    if (closeAs) {
      const reopened =
        closedByAction(memory) ||
        memory?.closed === 'undone' ||
        (memory?.closed === undefined && existing.stateReason === 'reopened')
      if (reopened && unchanged) {
        // Open although the action closed it (or a person's reopen was recorded) and Sentry has
        // not changed since: a person reopened it last. GitHub's state and the block say so
        // together, so nothing is written to remember it.
        return keptOpen(p, options)
      }
      if (memory?.closed === 'undone' || eventsSinceTouched(sentry, existing, memory)) {
        return closeDecision(sentry, p, closeAs, options)
      }
      if (reopened) {
        // Reopened by a person, and Sentry changed since the block was written: which came last
        // is unknown, so the reopen stands. The block records Sentry as it is now (a write that
        // Sentry's change brings), and the next change in Sentry closes the issue again.
        if (!p.block) return { kind: 'none', why: 'reopened by a person; left open' }
        const w = p.writes({ closed: 'undone', events: sentry.count })
        return {
          kind: 'update',
          ...w,
          why: 'reopened by a person; stays open until Sentry changes'
        }
      }
      return closeDecision(sentry, p, closeAs, options)
    }
    // Open and not to be closed: a person's reopen (and the action's own) is remembered until the
    // action closes the issue again, so that a later close follows Sentry's next change, not
    // GitHub's lasting `reopened` reason. What the action recorded of its own close stays while
    // Sentry is as the block says (dropping it alone would be a write for nothing).
    const kept = p.kept()
    const next =
      kept.closed === 'undone' || kept.closed === 'reopened' || unchanged
        ? kept
        : closedByAction(memory)
          ? { closed: 'undone' as const, events: sentry.count }
          : {}
    return updateOrNone(p, next, options)
  }

  // Closed on GitHub.
  if (regressed(sentry, existing, p.block)) {
    if (existing.stateReason === 'duplicate') {
      return { kind: 'none', why: 'closed as a duplicate' }
    }
    const ownNotPlanned = existing.stateReason === 'not_planned' && memory?.closed === 'not_planned'
    if (existing.stateReason === 'not_planned' && !ownNotPlanned && !options.reopenNotPlanned) {
      return {
        kind: 'none',
        why: 'regressed, but closed as not planned (reopen-not-planned is off)'
      }
    }
    const comment = `This error is back in Sentry (${escapeInline(sentry.substatus ?? 'unresolved', 40)}): ${countsLine(sentry)}.`
    if (ownNotPlanned) {
      return {
        kind: 'reopen',
        comment: `${comment} Reopened by sentry-issues-action, which had closed it as not planned.`,
        ...p.writes({ closed: 'reopened' }),
        why: 'escalated in Sentry; undoing the action’s not-planned close'
      }
    }
    switch (options.onRegression) {
      case 'reopen':
        return {
          kind: 'reopen',
          comment: `${comment} Reopened by sentry-issues-action.`,
          ...p.writes({ closed: 'reopened' }),
          why: 'regressed'
        }
      case 'new':
        return { kind: 'recreate', why: 'regressed; a new issue replaces the closed one' }
      case 'sub-issue':
        return { kind: 'recreate', why: 'regressed; a sub-issue of the closed one is filed' }
      case 'comment': {
        // The refreshed block records the new status, so the comment is posted once.
        const w = p.writes(p.kept())
        return w.change.block !== undefined
          ? { kind: 'update', ...w, comment, why: 'regressed (comment only)' }
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
    memory?.status === 'unresolved' &&
    !closedByAction(memory) &&
    closedSince(existing, ctx.lastRunAt)
  ) {
    return {
      kind: 'resolve-in-sentry',
      ...p.writes({}, 'resolved'),
      why: 'closed as completed on GitHub'
    }
  }

  if (status !== 'unresolved') return updateOrNone(p, p.kept(), options)
  return { kind: 'none', why: 'closed on GitHub' }
}

/**
 * Events came after anything last changed on the GitHub issue (a person's reopen included): the
 * count grew past the recorded one and Sentry last saw the error after GitHub's `updated_at`.
 * Sentry then moved after the person, so the person's reopen no longer has the last word.
 */
function eventsSinceTouched(
  sentry: SentryIssue,
  existing: TrackedIssue,
  memory: BlockMemory | undefined
): boolean {
  if (memory?.events === undefined || sentry.count <= memory.events) return false
  const seen = sentry.lastSeen ? Date.parse(sentry.lastSeen) : NaN
  const touched = existing.updatedAt ? Date.parse(existing.updatedAt) : NaN
  return seen > touched
}

/** A person keeps the issue open: only a change of what a reader sees is written. */
function keptOpen(p: Planner, options: LifecycleOptions): LifecycleDecision {
  const w = p.writes(p.kept())
  if (!options.updateExisting || !hasWrites(w, p.existing)) {
    return { kind: 'none', why: 'reopened by a person; stays open until Sentry changes' }
  }
  return { kind: 'update', ...w, why: 'stats changed (kept open by a person)' }
}

function closeDecision(
  sentry: SentryIssue,
  p: Planner,
  closeAs: 'completed' | 'not_planned',
  options: LifecycleOptions
): LifecycleDecision {
  const w = p.writes({ closed: closeAs, events: sentry.count })
  if (closeAs === 'completed') {
    const release = releaseOf(sentry)
    return {
      kind: 'close',
      stateReason: 'completed',
      comment: `Resolved in Sentry${release ? ` in release ${escapeInline(release, 200)}` : ''}${sentry.lastSeen ? ` (last seen ${escapeInline(sentry.lastSeen, 40)})` : ''}. Closed by sentry-issues-action${options.onRegression === 'reopen' ? '; it reopens this issue if the error comes back' : ''}.`,
      ...w,
      why: 'resolved in Sentry'
    }
  }
  return {
    kind: 'close',
    stateReason: 'not_planned',
    comment: `Archived (ignored) in Sentry${sentry.substatus ? ` (${escapeInline(sentry.substatus, 40)})` : ''}. Closed as not planned by sentry-issues-action; it reopens this issue if Sentry escalates it.`,
    ...w,
    why: 'ignored in Sentry'
  }
}

function closedSince(existing: TrackedIssue, lastRunAt: string | undefined): boolean {
  if (!existing.closedAt) return false
  if (!lastRunAt) return true
  return Date.parse(existing.closedAt) > Date.parse(lastRunAt)
}

function updateOrNone(
  p: Planner,
  memory: Omit<BlockMemory, 'status' | 'project' | 'label'>,
  options: LifecycleOptions
): LifecycleDecision {
  if (!options.updateExisting) return { kind: 'none', why: 'already tracked' }
  const w = p.writes(memory)
  return hasWrites(w, p.existing)
    ? { kind: 'update', ...w, why: whyUpdate(w) }
    : { kind: 'none', why: 'unchanged' }
}

function whyUpdate(w: Writes): string {
  const parts: string[] = []
  if (w.change.block !== undefined) parts.push('stats changed')
  if (w.labels) parts.push('priority moved')
  if (w.change.marker !== undefined) parts.push('marker rewritten')
  return parts.join('; ')
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
  lines[0] = renderStartLine({ ...block.memory, status: 'deleted' })
  const marked = lines.map((l) =>
    /^\| Status \| .* \|$/.test(l) ? '| Status | deleted in Sentry |' : l
  )
  if (marked[marked.length - 1] !== STATS_END) return { kind: 'none', why: 'deleted in Sentry' }
  return {
    kind: 'update',
    change: { block: marked.join('\n') },
    comment:
      'Sentry no longer has this issue (it was deleted). This issue stays open; close it when it is no longer useful.',
    why: 'deleted in Sentry'
  }
}

/**
 * A tracked issue whose Sentry issue was merged into another that has its own GitHub issue: an
 * open one is closed as a duplicate of the survivor's issue, with a comment that links it.
 */
export function decideMerged(
  existing: TrackedIssue,
  survivor: SentryIssue,
  into: TrackedIssue
): LifecycleDecision {
  if (existing.state !== 'open') return { kind: 'none', why: 'merged in Sentry; issue closed' }
  if (into.number === existing.number) return { kind: 'none', why: 'merged in Sentry' }
  const block = findStatsBlock(existing.body)
  // The action closed it as the survivor's duplicate before: a person reopened it since.
  if (block?.memory.closed === 'duplicate' || existing.stateReason === 'reopened') {
    return { kind: 'none', why: `merged in Sentry into ${survivor.shortId}; reopened by a person` }
  }
  const change: BodyChange = {}
  if (block && existing.body) {
    const lines = block.text.replace(/\r/g, '').split('\n')
    lines[0] = renderStartLine({ ...block.memory, closed: 'duplicate' })
    change.block = lines.join('\n')
  }
  return {
    kind: 'merged',
    into,
    survivorId: survivor.id,
    change,
    comment: `Sentry merged this issue into ${escapeInline(survivor.shortId, 128)}, which is tracked in #${into.number}. Closed as its duplicate by sentry-issues-action.`,
    why: `merged in Sentry into ${survivor.shortId}; duplicate of #${into.number}`
  }
}

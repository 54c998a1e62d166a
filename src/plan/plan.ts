import type { SentryIssue } from '../sentry/schemas.js'
import {
  decideDeleted,
  decideExisting,
  decideMerged,
  DEFAULT_LIFECYCLE,
  type LifecycleContext,
  type LifecycleDecision
} from './lifecycle.js'
import { identify, markerKey, type SentryIdentity } from './marker.js'
import type { TrackedIssue } from './tracked.js'

/**
 * The planning core: Sentry issues + the GitHub issues that already carry markers + cached state
 * → one decision per Sentry issue. Pure: no I/O, no clock, no @actions imports.
 */

/** `org/sentryIssueId` → the GitHub issues carrying that marker, oldest first. */
export type IssueIndex = Map<string, TrackedIssue[]>

export interface IndexableIssue {
  id: number
  number: number
  body?: string | null
  html_url: string
  state: 'open' | 'closed'
  state_reason?: string | null
  created_at: string
  closed_at?: string | null
  updated_at?: string
  labels?: string[]
  locked?: boolean
  /** Logins of the people assigned (sync-assignees). */
  assignees?: string[]
  /** How many comments it has (sync-comments). */
  comments?: number
}

/**
 * Builds the index from listed issues, identifying each body (its marker line anywhere, or the
 * action's Sentry link when a person deleted the marker); issues of other Sentry installations
 * and issues without either are ignored. Keys use the run's org, so a renamed organisation's
 * issues keep their keys.
 */
export function buildIndex(
  issues: Iterable<IndexableIssue>,
  foundBy: TrackedIssue['foundBy'],
  identity: SentryIdentity,
  into: IssueIndex = new Map()
): IssueIndex {
  for (const issue of issues) {
    const found = identify(issue.body, identity)
    if (!found) continue
    addToIndex(into, markerKey({ org: identity.org, issueId: found.issueId }), {
      ...trackedOf(issue, foundBy),
      marker: found.marker
    })
  }
  return into
}

/** A listed GitHub issue as the index keeps it. */
export function trackedOf(issue: IndexableIssue, foundBy: TrackedIssue['foundBy']): TrackedIssue {
  return {
    id: issue.id,
    number: issue.number,
    url: issue.html_url,
    state: issue.state,
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at,
    closedAt: issue.closed_at ?? null,
    ...(issue.updated_at ? { updatedAt: issue.updated_at } : {}),
    body: issue.body ?? null,
    ...(issue.labels ? { labels: issue.labels } : {}),
    ...(issue.locked !== undefined ? { locked: issue.locked } : {}),
    ...(issue.assignees ? { assignees: issue.assignees } : {}),
    ...(issue.comments !== undefined ? { comments: issue.comments } : {}),
    foundBy
  }
}

/** Adds one tracked issue under `key` (once per issue number), keeping the list primary first. */
export function addToIndex(index: IssueIndex, key: string, tracked: TrackedIssue): void {
  const list = index.get(key) ?? []
  if (list.some((t) => t.number === tracked.number)) return
  list.push(tracked)
  list.sort(comparePrimary)
  index.set(key, list)
}

function compareAge(a: TrackedIssue, b: TrackedIssue): number {
  return a.createdAt === b.createdAt ? a.number - b.number : a.createdAt < b.createdAt ? -1 : 1
}

/**
 * The order in which issues carrying one marker stand for it: the issue people kept first (an
 * open one over closed ones, a closed one over one closed as a duplicate), then the oldest.
 */
function comparePrimary(a: TrackedIssue, b: TrackedIssue): number {
  return rank(a) - rank(b) || compareAge(a, b)
}

function rank(t: TrackedIssue): number {
  if (t.state === 'open') return 0
  return t.stateReason === 'duplicate' ? 2 : 1
}

/** Re-sorts a list whose states changed during the run (a duplicate closed, an issue reopened). */
export function resortIndex(index: IssueIndex, key: string): void {
  index.get(key)?.sort(comparePrimary)
}

/** `held`: a new issue that passes the thresholds, not filed because `auto-create` is off. */
export type SkipReason = 'exists' | 'below-threshold' | 'deferred' | 'gone' | 'held'

export type PlanItem =
  | {
      kind: 'create'
      sentry: SentryIssue
      key: string
      cachedNumber?: number
      /** A closed issue this one replaces (on-regression: new). */
      supersedes?: TrackedIssue
    }
  | {
      kind: 'skip'
      sentry: SentryIssue
      key: string
      reason: SkipReason
      existing?: TrackedIssue
      why?: string
    }
  | {
      kind: 'lifecycle'
      sentry: SentryIssue
      key: string
      existing: TrackedIssue
      decision: Exclude<LifecycleDecision, { kind: 'none' | 'recreate' }>
    }
  | { kind: 'gone'; key: string; existing: TrackedIssue; decision: LifecycleDecision }

export interface PlanOptions {
  org: string
  minEvents: number
  minUsers: number
  maxNewIssues: number
}

/** A tracked issue that left the repository: deleted (410) or transferred (301). */
export interface GoneRecord {
  number: number
  how: 'deleted' | 'transferred'
  url?: string
}

export interface Lookups {
  /** Tracked issues outside the query that Sentry still has. */
  found: readonly SentryIssue[]
  /** Keys Sentry no longer has (a 404 when looked up alone: deleted). */
  missing: readonly string[]
  /** Keys merged into another issue that has its own GitHub issue. */
  merged?: ReadonlyArray<{ key: string; survivor: SentryIssue }>
}

export interface PlanInput {
  sentryIssues: readonly SentryIssue[]
  /** Tracked issues the query did not return, looked up by id. */
  lookups?: Lookups
  lifecycle?: LifecycleContext
  index: IssueIndex
  /** Cached `org/sentryId` → issue number; a hint for issues the index cannot see. */
  cached: Readonly<Record<string, number>>
  /** Issues the cached state remembers as deleted or moved away: never recreated while it does. */
  gone?: Readonly<Record<string, GoneRecord>>
  options: PlanOptions
}

/**
 * Decides per Sentry issue. An issue with a GitHub issue in the index, open or closed, is never
 * created again. New issues below the thresholds are skipped; of the rest, the most frequent
 * `maxNewIssues` are created and the others deferred to the next run. A cached number the index
 * does not know is passed along with the create, for the caller to verify before creating.
 */
export function planSync(input: PlanInput): PlanItem[] {
  const { options } = input
  const seen = new Set<string>()
  const items: PlanItem[] = []
  const candidates: Array<Extract<PlanItem, { kind: 'create' }>> = []

  for (const sentry of input.sentryIssues) {
    const key = markerKey({ org: options.org, issueId: sentry.id })
    if (seen.has(key)) continue
    seen.add(key)
    const existing = input.index.get(key)?.[0]
    if (existing) {
      const item = decide(sentry, key, existing, input.lifecycle)
      if (item.kind === 'create') candidates.push(item)
      else items.push(item)
    } else if (input.gone?.[key]) {
      const gone = input.gone[key]
      items.push({
        kind: 'skip',
        sentry,
        key,
        reason: 'gone',
        why:
          gone.how === 'deleted'
            ? `#${gone.number} was deleted on GitHub; not recreated`
            : `#${gone.number} was moved to ${gone.url ?? 'another repository'}; not recreated`
      })
    } else if (sentry.count < options.minEvents || sentry.userCount < options.minUsers) {
      items.push({ kind: 'skip', sentry, key, reason: 'below-threshold' })
    } else {
      const cachedNumber = input.cached[key]
      candidates.push(
        cachedNumber === undefined
          ? { kind: 'create', sentry, key }
          : { kind: 'create', sentry, key, cachedNumber }
      )
    }
  }

  for (const sentry of input.lookups?.found ?? []) {
    const key = markerKey({ org: options.org, issueId: sentry.id })
    const existing = input.index.get(key)?.[0]
    if (seen.has(key) || !existing) continue
    seen.add(key)
    const item = decide(sentry, key, existing, input.lifecycle)
    // A looked-up issue is outside the query: it is never created anew.
    items.push(
      item.kind === 'create'
        ? {
            kind: 'skip',
            sentry,
            key,
            reason: 'exists',
            existing,
            why: 'regressed, outside the query'
          }
        : item
    )
  }
  for (const key of input.lookups?.missing ?? []) {
    const existing = input.index.get(key)?.[0]
    if (seen.has(key) || !existing) continue
    seen.add(key)
    items.push({ kind: 'gone', key, existing, decision: decideDeleted(existing) })
  }
  for (const { key, survivor } of input.lookups?.merged ?? []) {
    const existing = input.index.get(key)?.[0]
    const into = input.index.get(markerKey({ org: options.org, issueId: survivor.id }))?.[0]
    if (seen.has(key) || !existing || !into) continue
    seen.add(key)
    items.push({ kind: 'gone', key, existing, decision: decideMerged(existing, survivor, into) })
  }

  candidates.sort(byFrequency)
  candidates.forEach((candidate, position) => {
    items.push(
      position < options.maxNewIssues
        ? candidate
        : { kind: 'skip', sentry: candidate.sentry, key: candidate.key, reason: 'deferred' }
    )
  })
  return items
}

function decide(
  sentry: SentryIssue,
  key: string,
  existing: TrackedIssue,
  lifecycle: LifecycleContext | undefined
): PlanItem {
  const decision = decideExisting(
    sentry,
    existing,
    lifecycle ?? { options: { ...DEFAULT_LIFECYCLE, updateExisting: false, closeOnResolve: false } }
  )
  if (decision.kind === 'none')
    return { kind: 'skip', sentry, key, reason: 'exists', existing, why: decision.why }
  if (decision.kind === 'recreate') return { kind: 'create', sentry, key, supersedes: existing }
  return { kind: 'lifecycle', sentry, key, existing, decision }
}

function byFrequency(a: { sentry: SentryIssue }, b: { sentry: SentryIssue }): number {
  return (
    b.sentry.count - a.sentry.count ||
    b.sentry.userCount - a.sentry.userCount ||
    compareIds(a.sentry.id, b.sentry.id)
  )
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

export interface DuplicateSet {
  key: string
  /** The issue people kept (see comparePrimary): the one that stays. */
  keep: TrackedIssue
  /** Other open issues with the same marker: to be closed as duplicates. */
  close: TrackedIssue[]
}

/**
 * Markers carried by more than one GitHub issue (two runs at once can both create one). The issue
 * people kept stays: an open one over closed ones, among open ones the oldest. The other open
 * ones are closed as its duplicates, except one a person reopened (GitHub says `reopened`), which
 * people clearly want. So the only open issue is never closed.
 */
export function findDuplicates(index: IssueIndex): DuplicateSet[] {
  const sets: DuplicateSet[] = []
  for (const [key, tracked] of index) {
    if (tracked.length < 2) continue
    const [keep, ...rest] = [...tracked].sort(comparePrimary)
    const close = rest.filter((t) => t.state === 'open' && t.stateReason !== 'reopened')
    if (keep && close.length > 0) sets.push({ key, keep, close })
  }
  return sets
}

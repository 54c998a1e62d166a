/**
 * What an issue counts over time. The issue's `count`, `userCount`, `firstSeen` and `lastSeen` are
 * its lifetime figures; events recorded at an instant (`addEvents`) are kept hidden as
 * `_buckets`, so that the issue index can serve `count`/`userCount` within the query window
 * while `lifetime` keeps the totals. Merging issues joins their counts.
 */
import { toTime } from './http.js'
import type { FakeIssue, SentryState } from './state.js'

/**
 * Events of an issue at one instant: how many, and how many users they affected. Stored hidden
 * as `_buckets`. The issue's own `count`/`userCount`/`lastSeen` fields are its lifetime totals;
 * whatever part of those totals the buckets do not account for (all of it for an issue that was
 * only added, or raised by a test writing `count` directly) counts as seen at `lastSeen`. So an
 * issue added with `count: 50` serves 50 in every window that covers its `lastSeen`, as before
 * events were modelled.
 */
interface EventBucket {
  at: number
  events: number
  users: number
}

function bucketsOf(issue: FakeIssue): EventBucket[] {
  const buckets = issue['_buckets']
  return Array.isArray(buckets) ? (buckets as EventBucket[]) : []
}

/** Adds `bucket`'s figures to the bucket at the same instant, or a copy of it as a new one. */
function addToBuckets(buckets: EventBucket[], bucket: EventBucket): void {
  const same = buckets.find((b) => b.at === bucket.at)
  if (same) {
    same.events += bucket.events
    same.users += bucket.users
  } else {
    buckets.push({ ...bucket })
  }
}

/**
 * The issue's buckets, stored, with the unbucketed part of its totals fixed as a bucket at the
 * current `lastSeen` (before a change moves `lastSeen`).
 */
function freezeBuckets(issue: FakeIssue): EventBucket[] {
  const rest = unbucketed(issue)
  const buckets = [...bucketsOf(issue)]
  if (rest !== undefined) addToBuckets(buckets, rest)
  issue['_buckets'] = buckets
  return buckets
}

/** Lifetime totals, or undefined when the stored fields are not numbers (a deliberately broken fixture). */
export function lifetimeTotals(issue: FakeIssue): { count: number; userCount: number } | undefined {
  const count = issue['count']
  const userCount = issue['userCount']
  if (typeof count !== 'string' || !/^\d+$/.test(count)) return undefined
  if (typeof userCount !== 'number' || !Number.isInteger(userCount)) return undefined
  return { count: Number(count), userCount }
}

/** The part of the lifetime totals the buckets do not account for, seen at `lastSeen`. */
function unbucketed(issue: FakeIssue): EventBucket | undefined {
  const totals = lifetimeTotals(issue)
  const lastSeen = toTime(issue['lastSeen'])
  if (totals === undefined || lastSeen === undefined) return undefined
  const buckets = bucketsOf(issue)
  const events = totals.count - buckets.reduce((sum, b) => sum + b.events, 0)
  const users = totals.userCount - buckets.reduce((sum, b) => sum + b.users, 0)
  return events === 0 && users === 0 ? undefined : { at: lastSeen, events, users }
}

/**
 * `count` and `userCount` within [from, to], as Sentry's `StreamGroupSerializerSnuba` computes
 * them for the issue index from the query window: the events in range and the distinct users
 * among them. The fake sums each bucket's users, an approximation (Sentry counts distinct users;
 * the sum can exceed that), so the result is capped at the lifetime user count. Undefined when
 * the stored totals are not numbers.
 */
export function windowedSeen(
  issue: FakeIssue,
  [from, to]: [number, number]
): { count: string; userCount: number } | undefined {
  const totals = lifetimeTotals(issue)
  if (totals === undefined) return undefined
  const rest = unbucketed(issue)
  let events = 0
  let users = 0
  for (const bucket of rest === undefined ? bucketsOf(issue) : [...bucketsOf(issue), rest]) {
    if (bucket.at < from || bucket.at > to) continue
    events += bucket.events
    users += bucket.users
  }
  return {
    count: String(Math.min(totals.count, Math.max(0, events))),
    userCount: Math.min(totals.userCount, Math.max(0, users))
  }
}

/** The issue's totals as Sentry serves them in `lifetime`. */
export function lifetimeOf(issue: FakeIssue): unknown {
  const stored = issue['lifetime']
  if (lifetimeTotals(issue) === undefined) return stored
  return {
    ...(typeof stored === 'object' && stored !== null ? stored : {}),
    count: issue['count'],
    userCount: issue['userCount'],
    firstSeen: issue['firstSeen'] ?? null,
    lastSeen: issue['lastSeen'] ?? null
  }
}

// ---------------------------------------------------------------------------------------------
// Changes (`FakeSentry` documents each helper)

export function addEvents(
  s: SentryState,
  issueId: string,
  events: number,
  opts: { users?: number; at?: Date }
): FakeIssue {
  const issue = s.requireIssue(issueId)
  const users = opts.users ?? 0
  if (!Number.isInteger(events) || events < 0 || !Number.isInteger(users) || users < 0) {
    throw new RangeError('addEvents: events and users must be whole numbers, 0 or more')
  }
  const totals = lifetimeTotals(issue)
  if (totals === undefined) {
    throw new Error(`Fake Sentry issue ${issueId} has a non-numeric count or userCount`)
  }
  const at = (opts.at ?? s.now()).getTime()
  addToBuckets(freezeBuckets(issue), { at, events, users })
  issue['count'] = String(totals.count + events)
  issue['userCount'] = totals.userCount + users
  const iso = new Date(at).toISOString()
  if ((toTime(issue['lastSeen']) ?? -Infinity) < at) issue['lastSeen'] = iso
  if ((toTime(issue['firstSeen']) ?? Infinity) > at) issue['firstSeen'] = iso
  return issue
}

/**
 * Adds the counts of `merged` to `survivor`'s, as Sentry's merge does: their events at the
 * instants they were seen, the lifetime totals, and the earliest first and latest last seen.
 */
export function mergeCounts(survivor: FakeIssue, merged: FakeIssue[]): void {
  const into = freezeBuckets(survivor)
  for (const issue of merged) {
    for (const bucket of freezeBuckets(issue)) addToBuckets(into, bucket)
    const totals = lifetimeTotals(issue) ?? { count: 0, userCount: 0 }
    const mine = lifetimeTotals(survivor) ?? { count: 0, userCount: 0 }
    survivor['count'] = String(mine.count + totals.count)
    survivor['userCount'] = mine.userCount + totals.userCount
    const first = toTime(issue['firstSeen'])
    const last = toTime(issue['lastSeen'])
    if (first !== undefined && first < (toTime(survivor['firstSeen']) ?? Infinity)) {
      survivor['firstSeen'] = issue['firstSeen']
    }
    if (last !== undefined && last > (toTime(survivor['lastSeen']) ?? -Infinity)) {
      survivor['lastSeen'] = issue['lastSeen']
    }
  }
}

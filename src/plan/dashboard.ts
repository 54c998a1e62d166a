import type { SentryIssue } from '../sentry/schemas.js'
import type { PlanItem } from './plan.js'

/**
 * The triage dashboard's planning rules (pure): which sync configuration a dashboard belongs to,
 * how ticks and `auto-create` reshape the plan's new issues, and which Sentry issues the dashboard
 * lists. The dashboard itself (its marker, section and lines) is rendered in render/dashboard.ts
 * and written by sync/dashboard.ts.
 */

/** What tells one sync configuration from another: one dashboard each. */
export interface DashboardScope {
  org: string
  projects: readonly string[]
  environments: readonly string[]
  query: string
  trackingLabel: string
}

/**
 * The dashboard's id: 16 hexadecimal digits of a 64-bit FNV-1a hash of the scope, the same for
 * projects and environments in any order and for the tracking label in any case (GitHub's labels
 * ignore case).
 */
export function dashboardId(scope: DashboardScope): string {
  const text = JSON.stringify([
    scope.org,
    [...scope.projects].sort(),
    [...scope.environments].sort(),
    scope.query.trim(),
    scope.trackingLabel.toLowerCase()
  ])
  let hash = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

export interface ShapeOptions {
  /** Sentry issue ids a person ticked on the (open) dashboard, among the lines it lists. */
  ticked: ReadonlySet<string>
  /** False: nothing new is filed unless ticked. */
  autoCreate: boolean
  maxNewIssues: number
  /** Whether a key already has a GitHub issue (in the index): such an issue is not new. */
  tracked: (key: string) => boolean
  /** Cached issue numbers, kept on a create so that it is verified before it is made. */
  cached: Readonly<Record<string, number>>
}

export interface Shaped {
  items: PlanItem[]
  /** Keys of the creates a person asked for with a tick. */
  fromDashboard: Set<string>
}

type Create = Extract<PlanItem, { kind: 'create' }>

/**
 * The plan with ticks and `auto-create` applied to the issues that could be created: a ticked new
 * issue is created whatever the thresholds, before the others (it counts toward max-new-issues;
 * ticks beyond it are deferred and stay ticked); with `autoCreate` false, a new issue nobody
 * ticked is held (`held`), while regressions filed anew still are created. Everything else is
 * left as planned.
 */
export function shapePlan(items: readonly PlanItem[], options: ShapeOptions): Shaped {
  const kept: PlanItem[] = []
  const pool: Array<{ item: PlanItem & { sentry: SentryIssue }; fresh: boolean; passes: boolean }> =
    []
  for (const item of items) {
    if (
      item.kind === 'create' ||
      (item.kind === 'skip' && (item.reason === 'deferred' || item.reason === 'below-threshold'))
    ) {
      const fresh = !(item.kind === 'create' && item.supersedes) && !options.tracked(item.key)
      pool.push({ item, fresh, passes: item.kind === 'create' || item.reason === 'deferred' })
    } else {
      kept.push(item)
    }
  }
  const isTicked = (p: (typeof pool)[number]): boolean =>
    p.fresh && options.ticked.has(p.item.sentry.id)
  const eligible = (p: (typeof pool)[number]): boolean =>
    isTicked(p) || (p.passes && (options.autoCreate || !p.fresh))
  const ordered = [
    ...pool.filter(isTicked).sort(byFrequency),
    ...pool.filter((p) => !isTicked(p) && eligible(p)).sort(byFrequency)
  ]
  const fromDashboard = new Set<string>()
  ordered.forEach((p, position) => {
    const { item } = p
    if (position >= options.maxNewIssues) {
      kept.push({ kind: 'skip', sentry: item.sentry, key: item.key, reason: 'deferred' })
      return
    }
    if (isTicked(p)) fromDashboard.add(item.key)
    kept.push(item.kind === 'create' ? item : createOf(item.sentry, item.key, options.cached))
  })
  for (const p of pool) {
    if (eligible(p)) continue
    kept.push(
      p.passes ? { kind: 'skip', sentry: p.item.sentry, key: p.item.key, reason: 'held' } : p.item
    )
  }
  return { items: kept, fromDashboard }
}

function createOf(sentry: SentryIssue, key: string, cached: ShapeOptions['cached']): Create {
  const cachedNumber = cached[key]
  return cachedNumber === undefined
    ? { kind: 'create', sentry, key }
    : { kind: 'create', sentry, key, cachedNumber }
}

function byFrequency(a: { item: { sentry: SentryIssue } }, b: { item: { sentry: SentryIssue } }) {
  const x = a.item.sentry
  const y = b.item.sentry
  return y.count - x.count || y.userCount - x.userCount || compareIds(x.id, y.id)
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/**
 * The Sentry issues the dashboard lists: those that match the query and have no GitHub issue
 * (below the thresholds, beyond max-new-issues or GitHub's hourly limit, held by `auto-create`, or
 * a create that failed), most events first. `filed` holds the Sentry ids this run filed (in a dry
 * run, would file): they leave the list.
 */
export function dashboardEntries(
  items: readonly PlanItem[],
  filed: ReadonlySet<string>,
  tracked: (key: string) => boolean
): SentryIssue[] {
  const entries: SentryIssue[] = []
  const seen = new Set<string>()
  for (const item of items) {
    if (item.kind === 'lifecycle' || item.kind === 'gone') continue
    if (item.kind === 'create' && item.supersedes) continue
    if (item.kind === 'skip' && !['deferred', 'below-threshold', 'held'].includes(item.reason))
      continue
    if (tracked(item.key) || filed.has(item.sentry.id) || seen.has(item.sentry.id)) continue
    seen.add(item.sentry.id)
    entries.push(item.sentry)
  }
  return entries.sort(
    (a, b) => b.count - a.count || b.userCount - a.userCount || compareIds(a.id, b.id)
  )
}

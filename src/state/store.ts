import type { GoneRecord } from '../plan/plan.js'

/**
 * Cached state: a small map from `org/sentryIssueId` to the GitHub issue number that tracks it.
 * It is the third dedup layer (after the label index and marker search), so losing it is never
 * fatal; stores therefore degrade to warnings rather than failing a run. It also remembers the
 * tracked issues that left the repository (deleted: 410, transferred: 301), which are not
 * recreated while it does.
 */
export interface SyncState {
  version: 1
  /** `org/sentryIssueId` → GitHub issue number. */
  issues: Record<string, number>
  /** `org/sentryIssueId` → the issue that was deleted or moved away. */
  gone?: Record<string, GoneRecord>
  /** When the previous run finished (ISO 8601): "closed since the last run" is measured from it. */
  lastRunAt?: string
  /** When recent runs made content-creating GitHub requests (epoch ms, the last hour's only). */
  contentWrites?: number[]
  /**
   * Until when (ISO 8601) runs search for markers even with nothing to create: an hour after a
   * run created issues, so a duplicate filed by a run at the same time is found (and healed) even
   * if a person removed its tracking label, once GitHub's search index has caught up.
   */
  searchUntil?: string
  /**
   * The newest `firstSeen` (ISO 8601) among the issues the last full sync read: quick passes
   * (`watch`, `mode: quick`) file only issues first seen after it that are not tracked yet.
   */
  quickSince?: string
  /**
   * Dashboard id (src/plan/dashboard.ts) → its issue number, and whether a person deleted it or
   * moved it away: then it is not recreated while the state remembers it.
   */
  dashboards?: Record<string, DashboardRecord>
}

export interface DashboardRecord {
  number: number
  gone?: 'deleted' | 'transferred'
}

export type { GoneRecord }

const KEY = /^[a-z0-9][a-z0-9_-]*\/[1-9][0-9]*$/

export function emptyState(): SyncState {
  return { version: 1, issues: {} }
}

export interface StateStore {
  /** Restores the newest saved state, or an empty one when there is none. Never throws. */
  load(): Promise<SyncState>
  /** Saves the state. Never throws: failures are reported as warnings. */
  save(state: SyncState): Promise<void>
}

/** Validates a parsed JSON value as SyncState, dropping entries that do not fit. */
export function coerceState(value: unknown): SyncState {
  const state = emptyState()
  if (typeof value !== 'object' || value === null) return state
  const lastRunAt = (value as { lastRunAt?: unknown }).lastRunAt
  if (typeof lastRunAt === 'string' && !Number.isNaN(Date.parse(lastRunAt)))
    state.lastRunAt = lastRunAt
  const gone = (value as { gone?: unknown }).gone
  if (typeof gone === 'object' && gone !== null) {
    for (const [key, record] of Object.entries(gone)) {
      const r = record as Partial<GoneRecord> | null
      if (
        KEY.test(key) &&
        typeof r === 'object' &&
        r !== null &&
        isIssueNumber(r.number) &&
        (r.how === 'deleted' || r.how === 'transferred')
      ) {
        state.gone ??= {}
        state.gone[key] = {
          number: r.number,
          how: r.how,
          ...(typeof r.url === 'string' && r.url.length <= 2048 ? { url: r.url } : {})
        }
      }
    }
  }
  const searchUntil = (value as { searchUntil?: unknown }).searchUntil
  if (typeof searchUntil === 'string' && !Number.isNaN(Date.parse(searchUntil)))
    state.searchUntil = searchUntil
  const dashboards = (value as { dashboards?: unknown }).dashboards
  if (typeof dashboards === 'object' && dashboards !== null) {
    for (const [id, record] of Object.entries(dashboards)) {
      const r = record as Partial<DashboardRecord> | null
      if (!/^[0-9a-f]{16}$/.test(id) || typeof r !== 'object' || r === null) continue
      if (!isIssueNumber(r.number)) continue
      state.dashboards ??= {}
      state.dashboards[id] = {
        number: r.number,
        ...(r.gone === 'deleted' || r.gone === 'transferred' ? { gone: r.gone } : {})
      }
    }
  }
  const quickSince = (value as { quickSince?: unknown }).quickSince
  if (typeof quickSince === 'string' && !Number.isNaN(Date.parse(quickSince)))
    state.quickSince = quickSince
  const writes = (value as { contentWrites?: unknown }).contentWrites
  if (Array.isArray(writes))
    state.contentWrites = (writes as unknown[]).filter((t): t is number => Number.isSafeInteger(t))
  const issues = (value as { issues?: unknown }).issues
  if (typeof issues !== 'object' || issues === null) return state
  for (const [key, number] of Object.entries(issues)) {
    if (KEY.test(key) && isIssueNumber(number)) state.issues[key] = number
  }
  return state
}

/**
 * The state with every key under `org`: keys name issues by id on one Sentry host, so the entries a
 * renamed organisation saved under its old slug still apply.
 */
export function underOrg(state: SyncState, org: string): SyncState {
  const rekey = <T>(map: Record<string, T> | undefined): Record<string, T> | undefined => {
    if (!map) return undefined
    const out: Record<string, T> = {}
    for (const [key, value] of Object.entries(map)) {
      const id = key.slice(key.indexOf('/') + 1)
      const own = `${org}/${id}`
      if (key === own || !(own in out)) out[own] = value
    }
    return out
  }
  const gone = rekey(state.gone)
  return { ...state, issues: rekey(state.issues) ?? {}, ...(gone ? { gone } : {}) }
}

function isIssueNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0
}

/** An in-memory store (dry runs, tests of the core). */
export class MemoryStateStore implements StateStore {
  constructor(private state: SyncState = emptyState()) {}
  async load(): Promise<SyncState> {
    return structuredClone(this.state)
  }
  async save(state: SyncState): Promise<void> {
    this.state = structuredClone(state)
  }
  get current(): SyncState {
    return structuredClone(this.state)
  }
}

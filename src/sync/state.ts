import { errorMessage } from '../log.js'
import type { SyncState } from '../state/store.js'
import type { RunContext } from './context.js'

const SEARCH_AFTER_CREATE_MS = 3600_000

function searchUntil(ctx: RunContext, previous: SyncState): { searchUntil?: string } {
  const now = Date.now()
  if (ctx.result.rows.some((r) => r.action === 'created' && r.number !== undefined)) {
    return { searchUntil: new Date(now + SEARCH_AFTER_CREATE_MS).toISOString() }
  }
  const until = previous.searchUntil
  return until !== undefined && Date.parse(until) > now ? { searchUntil: until } : {}
}

/** What kind of run saves the state. */
export interface SavedPass {
  /** A quick pass (new issues only), or a run stopped before its end, keeps the last full run's time. */
  quick: boolean
  /** The newest `firstSeen` among the issues a full run read (see SyncState.quickSince). */
  newestFirstSeen?: string
}

function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Date.parse(b) > Date.parse(a) ? b : a
}

/**
 * Saves what the next run needs: the tracked issues' numbers, the gone ones, this run's time and
 * `contentWrites`, the times of the content-creating requests within the last hour.
 */
export async function saveState(
  ctx: RunContext,
  previous: SyncState,
  contentWrites: number[],
  pass: SavedPass = { quick: false }
): Promise<void> {
  // A quick pass looks at new issues only: "closed since the last run" still counts from the last
  // full one.
  const lastRunAt = pass.quick ? previous.lastRunAt : new Date().toISOString()
  const quickSince = newest(previous.quickSince, pass.newestFirstSeen)
  const next: SyncState = {
    version: 1,
    issues: { ...previous.issues },
    ...(lastRunAt !== undefined ? { lastRunAt } : {}),
    ...(contentWrites.length ? { contentWrites } : {}),
    ...(previous.dashboards ? { dashboards: previous.dashboards } : {}),
    ...searchUntil(ctx, previous),
    ...(quickSince !== undefined ? { quickSince } : {})
  }
  for (const [key, tracked] of ctx.index) {
    const first = tracked.find((t) => t.url !== '')
    if (first && key.startsWith(`${ctx.config.sentry.org}/`)) next.issues[key] = first.number
  }
  // Deleted and moved issues are remembered (and not recreated) until one is back in the index.
  const gone = { ...previous.gone, ...Object.fromEntries(ctx.gone) }
  for (const key of Object.keys(gone)) {
    if (ctx.index.get(key)?.some((t) => t.url !== '')) delete gone[key]
    else delete next.issues[key]
  }
  if (Object.keys(gone).length > 0) next.gone = gone
  try {
    await ctx.deps.state.save(next)
  } catch (error) {
    ctx.warnings.warn(`Could not save the sync state: ${errorMessage(error)}`)
  }
}

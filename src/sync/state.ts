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

/**
 * Saves what the next run needs: the tracked issues' numbers, the gone ones, this run's time and
 * `contentWrites`, the times of the content-creating requests within the last hour.
 */
export async function saveState(
  ctx: RunContext,
  previous: SyncState,
  contentWrites: number[]
): Promise<void> {
  const next: SyncState = {
    version: 1,
    issues: { ...previous.issues },
    lastRunAt: new Date().toISOString(),
    ...(contentWrites.length ? { contentWrites } : {}),
    ...(previous.dashboards ? { dashboards: previous.dashboards } : {}),
    ...searchUntil(ctx, previous)
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

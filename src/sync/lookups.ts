import { errorMessage } from '../log.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { warn, type RunContext } from './context.js'

/**
 * Tracked issues the query did not return still need their Sentry status: open ones (to close on
 * resolve, or note a deletion) and, with resolve-in-sentry, ones closed since the last run. They
 * are looked up in batches by id. If the lookup fails, nothing is concluded about them.
 */
/** At least this many issues missing, and more missing than found, is treated as suspect. */
const SUSPICIOUS_MISSING = 10

export async function lookUpTracked(
  ctx: RunContext,
  sentryIssues: readonly SentryIssue[]
): Promise<{ found: SentryIssue[]; missing: string[] } | undefined> {
  const { config } = ctx
  const listed = new Set(sentryIssues.map((s) => s.id))
  const prefix = `${config.sentry.org}/`
  const ids: string[] = []
  for (const [key, tracked] of ctx.index) {
    const primary = tracked[0]
    if (!primary || !key.startsWith(prefix)) continue
    const id = key.slice(prefix.length)
    if (listed.has(id)) continue
    const wanted =
      (primary.state === 'open' &&
        (config.lifecycle.closeOnResolve ||
          config.lifecycle.closeOnIgnore ||
          config.lifecycle.updateExisting)) ||
      (primary.state === 'closed' &&
        config.lifecycle.resolveInSentry &&
        primary.stateReason === 'completed' &&
        (!ctx.lastRunAt || (primary.closedAt ?? '') > ctx.lastRunAt))
    if (wanted) ids.push(id)
  }
  if (ids.length === 0) return undefined
  try {
    // No project filter: a tracked issue may come from a project no longer in sentry-projects,
    // and it still exists in Sentry.
    const found = await ctx.deps.sentry.getIssuesByIds(config.sentry.org, ids)
    const foundIds = new Set(found.map((s) => s.id))
    let missing = ids.filter((id) => !foundIds.has(id)).map((id) => `${prefix}${id}`)
    if (missing.length >= SUSPICIOUS_MISSING && missing.length > found.length) {
      // More gone than found is more likely a token that cannot see a project than a mass
      // deletion: say so, and conclude nothing (a real deletion is noted by a later run).
      warn(
        ctx,
        `Sentry returned ${found.length} of ${ids.length} tracked issues looked up by id; ${missing.length} were not returned. Not treating them as deleted: check that sentry-token can see every project this repository tracks.`
      )
      missing = []
    }
    ctx.deps.log.info(
      `Looked up ${ids.length} tracked issue(s) outside the query: ${found.length} found, ${missing.length} gone.`
    )
    return { found, missing }
  } catch (error) {
    warn(
      ctx,
      `Could not look up ${ids.length} tracked issue(s) outside the query (${errorMessage(error)}); their GitHub issues are left as they are this run.`
    )
    return undefined
  }
}

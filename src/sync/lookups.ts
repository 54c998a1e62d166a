import { errorMessage } from '../log.js'
import { markerKey } from '../plan/marker.js'
import type { Lookups } from '../plan/plan.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { findStatsBlock } from '../render/stats-block.js'
import type { SentryIssue } from '../sentry/schemas.js'
import type { RunContext } from './context.js'

/**
 * Tracked issues the query did not return still need their Sentry status: open ones (to close on
 * resolve, or note a deletion) and, with resolve-in-sentry, ones closed since the last run. They
 * are looked up in batches by id across every project the token can access (`project=-1`); an id
 * the batch does not return is then asked for alone: a 404 means deleted, an answer with another
 * id means it was merged into that issue. Issues of projects this run does not sync belong to
 * another workflow and are left alone. If a look-up fails, nothing is concluded.
 */

/** At least this many issues missing, and more missing than found, is treated as suspect. */
const SUSPICIOUS_MISSING = 10
/** Ids checked one by one per run at most; the rest wait for the next run. */
const SINGLE_CHECKS_PER_RUN = 50

export async function lookUpTracked(
  ctx: RunContext,
  sentryIssues: readonly SentryIssue[]
): Promise<Lookups | undefined> {
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
    if (wanted && !otherProject(ctx, primary)) ids.push(id)
  }
  if (ids.length === 0) return undefined
  let batch: SentryIssue[]
  try {
    batch = await ctx.deps.sentry.getIssuesByIds(config.sentry.org, ids)
  } catch (error) {
    ctx.warnings.warn(
      `Could not look up ${ids.length} tracked issue(s) outside the query (${errorMessage(error)}); their GitHub issues are left as they are this run.`
    )
    return undefined
  }
  const found = batch.filter((s) => ours(ctx, s))
  const foundIds = new Set(batch.map((s) => s.id))
  const absent = ids.filter((id) => !foundIds.has(id))
  if (absent.length >= SUSPICIOUS_MISSING && absent.length > batch.length) {
    // More gone than found is more likely a token that cannot see a project than a mass
    // deletion: say so, and conclude nothing (a real deletion is noted by a later run).
    ctx.warnings.warn(
      `Sentry returned ${batch.length} of ${ids.length} tracked issues looked up by id; ${absent.length} were not returned. Not treating them as deleted: check that sentry-token can see every project this repository tracks.`
    )
    return { found, missing: [] }
  }

  const missing: string[] = []
  const merged: Array<{ key: string; survivor: SentryIssue }> = []
  const checked = absent.slice(0, SINGLE_CHECKS_PER_RUN)
  if (absent.length > checked.length) {
    ctx.deps.log.info(
      `${absent.length - checked.length} tracked issue(s) not returned by the batch look-up are checked on a later run.`
    )
  }
  for (const id of checked) {
    const key = `${prefix}${id}`
    let alone: SentryIssue | undefined
    try {
      alone = await ctx.deps.sentry.getIssue(config.sentry.org, id)
    } catch (error) {
      ctx.warnings.warn(
        `Could not look up Sentry issue ${id} (${errorMessage(error)}); left as it is.`
      )
      continue
    }
    if (!alone) missing.push(key)
    else if (alone.id === id) {
      if (ours(ctx, alone)) found.push(alone)
    } else mergedInto(ctx, key, alone, merged, found, listed)
  }
  ctx.deps.log.info(
    `Looked up ${ids.length} tracked issue(s) outside the query: ${found.length} found, ${missing.length} deleted, ${merged.length} merged.`
  )
  return { found, missing, merged }
}

/**
 * A tracked issue whose Sentry id now answers as another issue (Sentry merged it). If the survivor
 * has its own GitHub issue, this one is closed as its duplicate (planned later); if not, this
 * GitHub issue takes the survivor over: it is re-keyed in the index, and its marker is rewritten
 * on the next write.
 */
function mergedInto(
  ctx: RunContext,
  key: string,
  survivor: SentryIssue,
  merged: Array<{ key: string; survivor: SentryIssue }>,
  found: SentryIssue[],
  listed: ReadonlySet<string>
): void {
  const survivorKey = markerKey({ org: ctx.config.sentry.org, issueId: survivor.id })
  const tracked = ctx.index.get(key)
  if (ctx.index.get(survivorKey)?.length || !tracked) {
    merged.push({ key, survivor })
    return
  }
  ctx.index.delete(key)
  ctx.index.set(
    survivorKey,
    tracked.map((t) => ({ ...t, marker: 'rekeyed' as const }))
  )
  ctx.notes.set(survivorKey, `merged in Sentry from ${key}; #${tracked[0]?.number} now tracks it`)
  if (!listed.has(survivor.id) && !found.some((s) => s.id === survivor.id)) found.push(survivor)
}

/** Whether a Sentry issue belongs to the projects this run syncs. */
function ours(ctx: RunContext, issue: SentryIssue): boolean {
  return ctx.projectIds === undefined || ctx.projectIds.has(issue.project.id)
}

/** A tracked issue whose block records a project this run does not sync. */
function otherProject(ctx: RunContext, tracked: TrackedIssue): boolean {
  const project = findStatsBlock(tracked.body)?.memory.project
  return ctx.projectIds !== undefined && project !== undefined && !ctx.projectIds.has(project)
}

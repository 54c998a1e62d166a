import type { EndpointDefaults, OctokitResponse } from '@octokit/types'
import type { GitHubClient } from '../github/client.js'
import type { PlanItem } from '../plan/plan.js'
import type { ResultRow } from '../report/result.js'
import type { SyncState } from '../state/store.js'
import {
  CONTENT_LIMITS,
  fitsNow,
  lifecycleWrites,
  planBudget,
  progressLine,
  runsNeeded,
  withinHour,
  writesPerCreate
} from './budget.js'
import { baseRow, type RunContext } from './context.js'
import { stepWrites } from './steps.js'

/**
 * A big backlog, a bit at a time: the run creates as many new issues as GitHub's hourly limit on
 * content-creating requests leaves (see budget.ts), the most frequent first, defers the rest with
 * a reason, logs its progress with an estimate, and reports how many remain and how many runs
 * they take. It counts every content-creating request it makes and keeps their times in the
 * sync state, so the next run within the hour knows what is already spent.
 */

export const OVER_BUDGET = "over GitHub's hourly content limit; next run"

export interface Pacer {
  /** Runs one plan item, or defers a create that no longer fits the hour. */
  run(item: PlanItem, execute: () => Promise<ResultRow>): Promise<ResultRow>
  /** The planned creates this run gets to (the first ones, in plan order). */
  admitted<T extends PlanItem>(creates: readonly T[]): T[]
  /**
   * Stops counting and records the backlog for the summary; returns the times of the
   * content-creating requests within the last hour, earlier runs' and this one's (for the state).
   */
  finish(): number[]
}

export function startPacer(ctx: RunContext, plan: readonly PlanItem[], state: SyncState): Pacer {
  const { config, deps } = ctx
  const perHour = deps.contentWritesPerHour ?? CONTENT_LIMITS.perHour
  const steps = stepWrites(config)
  const perCreate = writesPerCreate(steps)
  const writes = withinHour(state.contentWrites ?? [], Date.now())
  const budget = planBudget({
    now: Date.now(),
    earlier: writes,
    perHour,
    reserve: lifecycleWrites(plan, steps) + labelsToCreate(ctx),
    perCreate
  })
  const planned = plan.filter((p) => p.kind === 'create').length
  const total = Math.min(planned, budget.creates)
  if (total < planned) {
    deps.log.info(
      `GitHub allows ${perHour} content-creating requests an hour; ${budget.used} were made in the last hour, so this run creates ${total} of the ${planned} planned new issues (the most frequent) and leaves the rest for the next runs.`
    )
  }
  const untrack = config.dryRun ? () => undefined : countWrites(deps.github, writes)
  const started = Date.now()
  let attempted = 0
  let overBudget = 0
  return {
    admitted: (creates) => creates.slice(0, total),
    async run(item, execute) {
      if (item.kind !== 'create') return execute()
      // A regression's new issue also retires the old marker (and, as a sub-issue, attaches).
      const cost =
        perCreate + (item.supersedes ? (config.lifecycle.onRegression === 'sub-issue' ? 2 : 1) : 0)
      const fits = config.dryRun || fitsNow({ now: Date.now(), writes, perHour, perCreate: cost })
      if (attempted >= total || !fits) {
        overBudget++
        return { ...baseRow(item.sentry), action: 'skipped', detail: OVER_BUDGET }
      }
      attempted++
      const row = await execute()
      const line = config.dryRun ? undefined : progressLine(attempted, total, Date.now() - started)
      if (line) deps.log.info(line)
      return row
    },
    finish() {
      untrack()
      const contentWrites = withinHour(writes, Date.now())
      const deferred = plan.filter((p) => p.kind === 'skip' && p.reason === 'deferred').length
      const remaining = deferred + overBudget
      if (remaining === 0) return contentWrites
      const perRun = Math.min(config.maxNewIssues, budget.createsPerFreshRun)
      ctx.result.backlog = { remaining, perRun, runs: runsNeeded(remaining, perRun) }
      deps.log.info(
        `${remaining} new issue(s) remain; about ${ctx.result.backlog.runs} more run(s) at up to ${perRun} a run.`
      )
      return contentWrites
    }
  }
}

/** The labels a run may have to create on the way: its own and the priority labels (at most). */
function labelsToCreate(ctx: RunContext): number {
  const { config } = ctx
  const names = [
    config.trackingLabel,
    ...config.labels,
    ...config.content.priorityRules.map((r) => r.label)
  ]
  return new Set(names.map((n) => n.toLowerCase())).size
}

/**
 * Pushes the time of every content-creating request the client makes onto `into`; returns the
 * function that stops it. Every write counts (GitHub does not list which ones it counts),
 * except GraphQL queries, which read.
 */
function countWrites(github: GitHubClient, into: number[]): () => void {
  const hook = async (
    request: (
      options: Required<EndpointDefaults>
    ) => OctokitResponse<unknown> | Promise<OctokitResponse<unknown>>,
    options: Required<EndpointDefaults>
  ): Promise<OctokitResponse<unknown>> => {
    const method = options.method.toUpperCase()
    const counts = method !== 'GET' && method !== 'HEAD' && !/\/graphql$/.test(options.url)
    try {
      return await request(options)
    } finally {
      if (counts) into.push(Date.now())
    }
  }
  github.hook.wrap('request', hook)
  return () => github.hook.remove('request', hook)
}

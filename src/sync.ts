import type { Config } from './inputs/config.js'
import { listIssuesWithLabel, type RepoRef } from './github/issues.js'
import { installationOf, sentryIdentity } from './plan/marker.js'
import { buildIndex, findDuplicates, planSync, type Lookups, type PlanItem } from './plan/plan.js'
import { emptyResult, type ResultRow, type RunResult } from './report/result.js'
import type { SentryIssue } from './sentry/schemas.js'
import { underOrg, type SyncState } from './state/store.js'
import {
  baseRow,
  keyRow,
  markerLineFor,
  type CreateItem,
  type RunContext,
  type SyncDeps
} from './sync/context.js'
import { create } from './sync/create.js'
import { healDuplicates, searchForMarkers, verifyCached } from './sync/dedup.js'
import { ensureLabels } from './sync/labels.js'
import { startPacer } from './sync/backlog.js'
import { applyLifecycle } from './sync/lifecycle.js'
import { assigneesAfter } from './sync/assignees.js'
import { commentsAfter } from './sync/comments.js'
import { lookUpTracked } from './sync/lookups.js'
import { openTriage, type Triage } from './sync/dashboard.js'
import { startRun } from './sync/resources.js'
import { saveState } from './sync/state.js'
import { readSentry, recordSentryRead, type SentryRead } from './sync/read-sentry.js'

export type { SyncDeps } from './sync/context.js'
export { runClosedIssueEvent, type IssueEventPayload } from './sync/event.js'
export { runIssueEvent } from './sync/issue-events.js'

/**
 * One sync run: read Sentry, index GitHub, plan, write, report. Everything it talks to is passed
 * in, so the action, the CLI, the demo and the tests run exactly this code.
 *
 * Existing issues are found in three layers, each covering a hole in the one before:
 * 1. the tracking-label listing (consistent at once, sees issues created a moment ago);
 * 2. a marker search (finds issues whose label a person removed; only when something would be
 *    created, and never instead of layer 1, because the search index lags);
 * 3. cached state (issue numbers from earlier runs), each verified before it is trusted.
 */

/** How a run is run (the defaults: a full sync, never stopped). */
export interface PassOptions {
  /**
   * A quick pass (`watch`, `mode: quick`): the Sentry read holds new issues only, so tracked
   * issues outside it are not looked up, nothing is updated, closed or healed, and the state keeps
   * the last full run's time.
   */
  quick?: boolean
  /** Once aborted, the run writes nothing more: each item left is a row "stopped", then it saves. */
  stop?: AbortSignal
}

export async function runSync(
  config: Config,
  deps: SyncDeps,
  /** The Sentry read, when the caller started it already (the action does, see main.ts). */
  sentryRead?: Promise<SentryRead>,
  pass: PassOptions = {}
): Promise<RunResult> {
  const quick = pass.quick === true
  const { log } = deps
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const result = emptyResult(config.dryRun)

  const {
    issues: sentryIssues,
    projectIds,
    organization
  } = await log.group('Reading Sentry issues', async () =>
    recordSentryRead(await (sentryRead ?? readSentry(config, deps.sentry)), config, result, log)
  )
  // The installation: what its organisation endpoint says it is, the URLs it is known by (the
  // configured one, the permalinks and organisation links Sentry serves) and the issues it has.
  const identity = sentryIdentity(
    config.sentry.org,
    config.sentry.url,
    [
      ...sentryIssues.slice(0, 20).map((s) => s.permalink),
      ...[organization?.links?.organizationUrl, organization?.links?.regionUrl].filter(
        (url): url is string => url !== undefined
      )
    ],
    {
      ...(organization ? { installation: installationOf(organization) } : {}),
      listed: new Map(sentryIssues.map((s) => [s.id, s]))
    }
  )

  const { index, labelled } = await log.group(
    `Indexing GitHub issues labelled "${config.trackingLabel}"`,
    async () => {
      const issues = await listIssuesWithLabel(deps.github, repo, config.trackingLabel)
      const built = buildIndex(issues, 'label', identity)
      log.info(`Found ${built.size} synced issue(s) among ${issues.length} labelled issue(s).`)
      return { index: built, labelled: issues }
    }
  )
  const state = underOrg(await deps.state.load(), config.sentry.org)
  const ctx = startRun({
    config,
    deps,
    repo,
    identity,
    index,
    result,
    notes: new Map(),
    gone: new Map(),
    projectIds: projectIds.length > 0 ? new Set(projectIds) : undefined,
    lastRunAt: state.lastRunAt
  })
  const lookups = quick
    ? undefined
    : await log.group('Looking up tracked issues outside the query', () =>
        lookUpTracked(ctx, sentryIssues)
      )
  // The triage dashboard (dashboard: true), and auto-create: false. A quick pass holds what
  // auto-create: false holds and files what is ticked, but does not rewrite the dashboard: it
  // reads new issues only, not the whole list.
  const triage =
    config.dashboard.enabled || !config.dashboard.autoCreate
      ? await log.group('Reading the triage dashboard', () => openTriage(ctx, labelled, state))
      : undefined

  const plan = await log.group('Planning', async () => {
    const planned = (): PlanItem[] => {
      const all = makePlan(ctx, sentryIssues, state, lookups, triage)
      return quick ? all.map(onlyCreates) : all
    }
    let items = planned()
    // Search when something would be created, and for an hour after a run created something (a
    // run at the same time may have filed the same issue, and a person may have unlabelled it).
    const recentlyCreated =
      state.searchUntil !== undefined && Date.parse(state.searchUntil) > Date.now()
    if (items.some((p) => p.kind === 'create') || recentlyCreated) {
      await searchForMarkers(ctx)
      items = planned()
    }
    const cached = items.filter(
      (p): p is CreateItem => p.kind === 'create' && p.cachedNumber !== undefined
    )
    if (cached.length > 0) {
      await verifyCached(ctx, cached)
      items = planned()
    }
    for (const item of items) {
      if (item.kind === 'skip' && item.existing) {
        log.debug(
          `${item.sentry.shortId} → #${item.existing.number} (found by ${item.existing.foundBy})`
        )
      }
    }
    const creates = items.filter((p) => p.kind === 'create').length
    log.info(`Plan: ${creates} to create, ${items.length - creates} to skip.`)
    return items
  })

  const pacer = startPacer(ctx, plan, state)
  let stopped = false
  try {
    if (config.healDuplicates && !quick) {
      const duplicates = findDuplicates(index)
      if (duplicates.length > 0) {
        await log.group('Closing duplicate issues', () =>
          healDuplicates(ctx, duplicates, sentryIssues)
        )
      }
    }
    const creates = plan.filter((p): p is CreateItem => p.kind === 'create')
    // Dry runs fetch the events too: their previews show the body a real run creates.
    if (creates.length > 0) {
      const admitted = pacer.admitted(creates)
      ctx.resources.events.start(admitted)
      ctx.resources.signals.start(admitted)
      ctx.resources.suspects.start(admitted)
    }
    if (creates.length > 0 && !config.dryRun) {
      await log.group('Ensuring labels exist', () =>
        ensureLabels(ctx, [config.trackingLabel, ...config.labels])
      )
    }
    await log.group(
      config.dryRun ? 'Planned changes (dry run)' : 'Writing GitHub issues',
      async () => {
        for (const item of plan) {
          stopped ||= pass.stop?.aborted === true
          if (stopped) {
            result.rows.push(stoppedRow(item))
            continue
          }
          const row = await pacer.run(item, () => execute(ctx, item))
          await assigneesAfter(ctx, item, row)
          await commentsAfter(ctx, item, row)
          result.rows.push(row)
        }
      }
    )
    if (triage && !quick && !stopped) {
      await log.group('Triage dashboard', () => triage.finish(plan, state))
    }
  } finally {
    const contentWrites = pacer.finish()
    if (!config.dryRun) {
      // A run stopped before its end saves what it did, but not as a finished full run: the next
      // one still looks at what was closed since the last finished run, and at every new issue.
      const partial = quick || stopped
      await saveState(ctx, state, contentWrites, {
        quick: partial,
        ...(partial ? {} : { newestFirstSeen: newestFirstSeen(sentryIssues) })
      })
    }
  }
  return result
}

/** A quick pass files new issues only: what is tracked already waits for the next full sync. */
function onlyCreates(item: PlanItem): PlanItem {
  if (item.kind !== 'lifecycle') return item
  return {
    kind: 'skip',
    sentry: item.sentry,
    key: item.key,
    reason: 'exists',
    existing: item.existing,
    why: 'a quick pass files new issues only'
  }
}

function stoppedRow(item: PlanItem): ResultRow {
  return {
    ...(item.kind === 'gone' ? keyRow(item.key) : baseRow(item.sentry)),
    action: 'skipped',
    detail: 'stopped before this write; the next run does it'
  }
}

function newestFirstSeen(issues: readonly SentryIssue[]): string | undefined {
  let newest: string | undefined
  for (const issue of issues) {
    const at = issue.firstSeen
    if (at && !Number.isNaN(Date.parse(at)) && (!newest || Date.parse(at) > Date.parse(newest)))
      newest = at
  }
  return newest
}

function makePlan(
  ctx: RunContext,
  sentryIssues: readonly SentryIssue[],
  state: SyncState,
  lookups: Lookups | undefined,
  triage: Triage | undefined
): PlanItem[] {
  const items = planSync({
    sentryIssues,
    ...(lookups ? { lookups } : {}),
    lifecycle: {
      options: ctx.config.lifecycle,
      ...(ctx.lastRunAt ? { lastRunAt: ctx.lastRunAt } : {}),
      priorityRules: ctx.config.content.priorityRules,
      markerLine: (issueId) => markerLineFor(ctx, issueId),
      ...(ctx.identity.installation !== undefined
        ? { installation: ctx.identity.installation }
        : {})
    },
    index: ctx.index,
    cached: state.issues,
    gone: { ...state.gone, ...Object.fromEntries(ctx.gone) },
    options: {
      org: ctx.config.sentry.org,
      minEvents: ctx.config.minEvents,
      minUsers: ctx.config.minUsers,
      maxNewIssues: ctx.config.maxNewIssues
    }
  })
  return triage ? triage.shape(items) : items
}

async function execute(ctx: RunContext, item: PlanItem): Promise<ResultRow> {
  switch (item.kind) {
    case 'skip':
      return {
        ...baseRow(item.sentry),
        action: 'skipped',
        detail: ctx.notes.get(item.key) ?? skipDetail(item, ctx.config),
        ...(item.existing ? { number: item.existing.number, url: item.existing.url } : {})
      }
    case 'create':
      return create(ctx, item)
    case 'lifecycle':
      return applyLifecycle(ctx, baseRow(item.sentry), item.existing, item.decision, item.sentry)
    case 'gone':
      return item.decision.kind === 'none'
        ? {
            ...keyRow(item.key),
            action: 'skipped',
            number: item.existing.number,
            url: item.existing.url,
            detail: item.decision.why
          }
        : applyLifecycle(ctx, keyRow(item.key), item.existing, item.decision)
  }
}

function skipDetail(item: Extract<PlanItem, { kind: 'skip' }>, config: Config): string {
  switch (item.reason) {
    case 'exists': {
      const where = `already tracked (${item.existing?.state ?? 'open'}, found by ${item.existing?.foundBy ?? 'label'})`
      // Why the lifecycle left it alone (unchanged, closed as not planned, …), when it said.
      return item.why ? `${where}: ${item.why}` : where
    }
    case 'below-threshold':
      return `below min-events ${config.minEvents} / min-users ${config.minUsers}`
    case 'deferred':
      return `over max-new-issues (${config.maxNewIssues}); next run`
    case 'held':
      return config.dashboard.enabled
        ? 'auto-create is off; tick it on the dashboard to file it'
        : 'auto-create is off'
    case 'gone':
      return item.why ?? 'gone from the repository; not recreated'
  }
}

import type { Config } from './inputs/config.js'
import { errorMessage, type Logger } from './log.js'
import type { GitHubClient } from './github/client.js'
import {
  createComment,
  createIssue,
  createLabel,
  getIssue,
  listIssuesWithLabel,
  listLabels,
  searchIssues,
  updateIssue,
  type RepoRef
} from './github/issues.js'
import type { GitHubIssue } from './github/schemas.js'
import { MARKER_PREFIX, markerKey, parseMarker } from './plan/marker.js'
import {
  addToIndex,
  buildIndex,
  findDuplicates,
  planSync,
  type DuplicateSet,
  type IssueIndex,
  type PlanItem,
  type TrackedIssue
} from './plan/plan.js'
import { renderIssue } from './render/issue.js'
import type { ResultRow, RunResult } from './report/result.js'
import type { SentryClient } from './sentry/client.js'
import type { SentryIssue } from './sentry/schemas.js'
import type { StateStore, SyncState } from './state/store.js'

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

export interface SyncDeps {
  sentry: SentryClient
  github: GitHubClient
  state: StateStore
  log: Logger
}

/** Colours and descriptions for labels the action creates. */
const LABEL_STYLE = {
  tracking: { color: '362d59', description: 'Synced from Sentry by sentry-issues-action' },
  other: { color: 'd73a4a', description: 'Added by sentry-issues-action' }
}

type CreateItem = Extract<PlanItem, { kind: 'create' }>

interface RunContext {
  config: Config
  deps: SyncDeps
  repo: RepoRef
  index: IssueIndex
  result: RunResult
  /** Notes per Sentry key, shown in the row (e.g. a cached issue that no longer exists). */
  notes: Map<string, string>
}

export async function runSync(config: Config, deps: SyncDeps): Promise<RunResult> {
  const { log } = deps
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const result: RunResult = {
    dryRun: config.dryRun,
    rows: [],
    sentryIssuesRead: 0,
    truncated: false,
    warnings: []
  }

  const sentryIssues = await log.group('Reading Sentry issues', () =>
    readSentry(config, deps, result)
  )

  const index = await log.group(
    `Indexing GitHub issues labelled "${config.trackingLabel}"`,
    async () => {
      const issues = await listIssuesWithLabel(deps.github, repo, config.trackingLabel)
      const built = buildIndex(issues, 'label')
      log.info(`Found ${built.size} synced issue(s) among ${issues.length} labelled issue(s).`)
      return built
    }
  )
  const ctx: RunContext = { config, deps, repo, index, result, notes: new Map() }
  const state = await deps.state.load()

  const plan = await log.group('Planning', async () => {
    let items = makePlan(ctx, sentryIssues, state)
    if (items.some((p) => p.kind === 'create')) {
      await searchForMarkers(ctx)
      items = makePlan(ctx, sentryIssues, state)
    }
    const cached = items.filter(
      (p): p is CreateItem => p.kind === 'create' && p.cachedNumber !== undefined
    )
    if (cached.length > 0) {
      await verifyCached(ctx, cached)
      items = makePlan(ctx, sentryIssues, state)
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

  try {
    if (config.healDuplicates && !config.dryRun) {
      const duplicates = findDuplicates(index, config.sentry.org)
      if (duplicates.length > 0) {
        await log.group('Closing duplicate issues', () =>
          healDuplicates(ctx, duplicates, sentryIssues)
        )
      }
    }
    if (plan.some((p) => p.kind === 'create') && !config.dryRun) {
      await log.group('Ensuring labels exist', () => ensureLabels(ctx))
    }
    await log.group(
      config.dryRun ? 'Planned changes (dry run)' : 'Writing GitHub issues',
      async () => {
        for (const item of plan) result.rows.push(await execute(ctx, item))
      }
    )
  } finally {
    if (!config.dryRun) await saveState(ctx, state)
  }
  return result
}

async function readSentry(
  config: Config,
  deps: SyncDeps,
  result: RunResult
): Promise<SentryIssue[]> {
  const projectIds = await deps.sentry.resolveProjectIds(config.sentry.org, config.sentry.projects)
  const listed = await deps.sentry.listIssues(config.sentry.org, {
    query: config.sentry.query,
    statsPeriod: config.sentry.statsPeriod,
    projectIds,
    environments: config.sentry.environments,
    sort: config.sentry.sort,
    max: config.sentry.maxIssues
  })
  result.sentryIssuesRead = listed.issues.length
  result.truncated = listed.truncated
  deps.log.info(
    `Read ${listed.issues.length} Sentry issues in ${listed.pages} page(s)${listed.truncated ? ` (capped at max-sentry-issues: ${config.sentry.maxIssues})` : ''}.`
  )
  if (listed.truncated) {
    result.warnings.push(
      `More than ${config.sentry.maxIssues} Sentry issues matched; only the first ${config.sentry.maxIssues} were read. Raise max-sentry-issues or narrow the query.`
    )
  }
  return listed.issues
}

function makePlan(
  ctx: RunContext,
  sentryIssues: readonly SentryIssue[],
  state: SyncState
): PlanItem[] {
  return planSync({
    sentryIssues,
    index: ctx.index,
    cached: state.issues,
    options: {
      org: ctx.config.sentry.org,
      minEvents: ctx.config.minEvents,
      minUsers: ctx.config.minUsers,
      maxNewIssues: ctx.config.maxNewIssues
    }
  })
}

/**
 * Layer 2: one search for every issue in the repository whose body holds our marker prefix but
 * that lacks the tracking label (the label listing already saw the others). Bodies are checked
 * with the same strict parser, so text that merely mentions a marker never counts.
 */
async function searchForMarkers(ctx: RunContext): Promise<void> {
  const { owner, repo } = ctx.repo
  const q = `repo:${owner}/${repo} is:issue in:body "${MARKER_PREFIX.replace('<!-- ', '').trim()} ${ctx.config.sentry.org}/" -label:"${ctx.config.trackingLabel}"`
  try {
    const found = await searchIssues(ctx.deps.github, q)
    const before = countTracked(ctx.index)
    buildIndex(
      found.items.filter((i) => i.pull_request === undefined && inRepo(i, ctx.repo)),
      'search',
      ctx.index
    )
    ctx.deps.log.info(
      `Marker search found ${countTracked(ctx.index) - before} synced issue(s) without the "${ctx.config.trackingLabel}" label.`
    )
    if (found.incomplete) {
      warn(
        ctx,
        `The marker search returned incomplete results (${found.items.length} of ${found.totalCount}).`
      )
    }
  } catch (error) {
    warn(
      ctx,
      `The marker search failed (${errorMessage(error)}); issues whose "${ctx.config.trackingLabel}" label was removed may not be found this run.`
    )
  }
}

/**
 * Layer 3: a cached issue number is trusted only if the issue still exists in this repository
 * and carries this marker. A deleted or transferred issue is recreated, and the row says so.
 */
async function verifyCached(ctx: RunContext, items: CreateItem[]): Promise<void> {
  for (const item of items) {
    const number = item.cachedNumber
    if (number === undefined) continue
    try {
      const issue = await getIssue(ctx.deps.github, ctx.repo, number)
      const ref = parseMarker(issue.body)
      if (!inRepo(issue, ctx.repo)) {
        ctx.notes.set(
          item.key,
          `cached issue #${number} was transferred to another repository; recreated`
        )
      } else if (!ref || markerKey(ref) !== item.key || issue.pull_request !== undefined) {
        ctx.notes.set(item.key, `cached issue #${number} no longer carries this marker; recreated`)
      } else {
        buildIndex([issue], 'cache', ctx.index)
      }
    } catch (error) {
      const status = statusOf(error)
      if (status === 404 || status === 410) {
        ctx.notes.set(item.key, `cached issue #${number} no longer exists (${status}); recreated`)
      } else {
        // Unknown: do not create on a guess. Leave the Sentry issue for the next run.
        ctx.notes.set(
          item.key,
          `could not check cached issue #${number}; left for the next run (${errorMessage(error)})`
        )
        addToIndex(ctx.index, item.key, {
          id: 0,
          number,
          url: '',
          state: 'open',
          createdAt: '',
          foundBy: 'cache'
        })
      }
    }
  }
}

async function execute(ctx: RunContext, item: PlanItem): Promise<ResultRow> {
  const { config, deps } = ctx
  const base = baseRow(item.sentry)
  const note = ctx.notes.get(item.key)
  if (item.kind === 'skip') {
    return {
      ...base,
      action: 'skipped',
      detail: note ?? skipDetail(item, config),
      ...(item.existing ? { number: item.existing.number, url: item.existing.url } : {})
    }
  }
  const rendered = renderIssue(item.sentry, {
    org: config.sentry.org,
    trackingLabel: config.trackingLabel,
    labels: config.labels
  })
  if (config.dryRun) {
    deps.log.info(`Would create: ${rendered.title}`)
    return {
      ...base,
      action: 'created',
      detail: note ? `dry run: ${note}` : 'dry run: would create'
    }
  }
  try {
    const created = await createIssue(deps.github, ctx.repo, rendered)
    deps.log.info(`Created #${created.number} for ${item.sentry.shortId}.`)
    buildIndex([created], 'label', ctx.index)
    return {
      ...base,
      action: 'created',
      number: created.number,
      url: created.html_url,
      ...(note ? { detail: note } : {})
    }
  } catch (error) {
    // A create that failed without a clear "no" may still have been stored: look before reporting.
    const status = statusOf(error)
    const ambiguous = status === undefined || status >= 500
    const found = ambiguous ? await findAfterFailedCreate(ctx, item.key) : undefined
    if (found) {
      deps.log.warning(
        `Creating the issue for ${item.sentry.shortId} reported an error (${errorMessage(error)}), but GitHub stored it as #${found.number}.`
      )
      return {
        ...base,
        action: 'created',
        number: found.number,
        url: found.url,
        detail: 'response lost; found by its marker'
      }
    }
    deps.log.warning(
      `Could not create the issue for ${item.sentry.shortId}: ${errorMessage(error)}`
    )
    return { ...base, action: 'failed', detail: errorMessage(error) }
  }
}

async function findAfterFailedCreate(
  ctx: RunContext,
  key: string
): Promise<TrackedIssue | undefined> {
  try {
    const issues = await listIssuesWithLabel(ctx.deps.github, ctx.repo, ctx.config.trackingLabel)
    buildIndex(issues, 'label', ctx.index)
    return ctx.index.get(key)?.[0]
  } catch (error) {
    ctx.deps.log.warning(
      `Could not check whether a failed create was stored: ${errorMessage(error)}`
    )
    return undefined
  }
}

/**
 * Closes newer issues that carry the same marker as an older one, with GitHub's native duplicate
 * marking; a server that refuses it gets `not_planned` plus a comment linking the kept issue.
 */
async function healDuplicates(
  ctx: RunContext,
  sets: DuplicateSet[],
  sentryIssues: readonly SentryIssue[]
): Promise<void> {
  const byKey = new Map(
    sentryIssues.map((s) => [markerKey({ org: ctx.config.sentry.org, issueId: s.id }), s])
  )
  for (const set of sets) {
    const sentry = byKey.get(set.key)
    for (const duplicate of set.close) {
      const row: ResultRow = {
        ...(sentry ? baseRow(sentry) : keyRow(set.key)),
        action: 'closed',
        number: duplicate.number,
        url: duplicate.url,
        detail: `duplicate of #${set.keep.number}`
      }
      try {
        try {
          await updateIssue(ctx.deps.github, ctx.repo, duplicate.number, {
            state: 'closed',
            state_reason: 'duplicate',
            duplicate_issue_id: set.keep.id
          })
        } catch (error) {
          if (statusOf(error) !== 422) throw error
          await updateIssue(ctx.deps.github, ctx.repo, duplicate.number, {
            state: 'closed',
            state_reason: 'not_planned'
          })
          await createComment(
            ctx.deps.github,
            ctx.repo,
            duplicate.number,
            `Duplicate of #${set.keep.number}: two sync runs created an issue for the same Sentry issue. Closed by sentry-issues-action.`
          )
        }
        duplicate.state = 'closed'
        ctx.deps.log.info(`Closed #${duplicate.number} as a duplicate of #${set.keep.number}.`)
      } catch (error) {
        row.action = 'failed'
        row.detail = `could not close duplicate #${duplicate.number} of #${set.keep.number}: ${errorMessage(error)}`
        ctx.deps.log.warning(row.detail)
      }
      ctx.result.rows.push(row)
    }
  }
}

async function ensureLabels(ctx: RunContext): Promise<void> {
  const { config, deps, repo } = ctx
  const existing = new Set((await listLabels(deps.github, repo)).map((l) => l.name.toLowerCase()))
  for (const name of [config.trackingLabel, ...config.labels]) {
    if (existing.has(name.toLowerCase())) continue
    const style = name === config.trackingLabel ? LABEL_STYLE.tracking : LABEL_STYLE.other
    try {
      await createLabel(deps.github, repo, { name, ...style })
      deps.log.info(`Created label "${name}".`)
    } catch (error) {
      warn(
        ctx,
        `Could not create label "${name}" (${errorMessage(error)}); GitHub will create it with a default colour when the first issue uses it.`
      )
    }
  }
}

async function saveState(ctx: RunContext, previous: SyncState): Promise<void> {
  const next: SyncState = { version: 1, issues: { ...previous.issues } }
  for (const [key, tracked] of ctx.index) {
    const first = tracked.find((t) => t.url !== '')
    if (first && key.startsWith(`${ctx.config.sentry.org}/`)) next.issues[key] = first.number
  }
  try {
    await ctx.deps.state.save(next)
  } catch (error) {
    warn(ctx, `Could not save the sync state: ${errorMessage(error)}`)
  }
}

function warn(ctx: RunContext, message: string): void {
  ctx.deps.log.warning(message)
  ctx.result.warnings.push(message)
}

function baseRow(sentry: SentryIssue): Omit<ResultRow, 'action'> {
  return {
    sentryId: sentry.id,
    shortId: sentry.shortId,
    title: sentry.title,
    permalink: sentry.permalink,
    events: sentry.count,
    users: sentry.userCount
  }
}

function keyRow(key: string): Omit<ResultRow, 'action'> {
  const sentryId = key.slice(key.indexOf('/') + 1)
  return { sentryId, shortId: key, title: '', permalink: '', events: 0, users: 0 }
}

function skipDetail(item: Extract<PlanItem, { kind: 'skip' }>, config: Config): string {
  switch (item.reason) {
    case 'exists':
      return `already tracked (${item.existing?.state ?? 'open'}, found by ${item.existing?.foundBy ?? 'label'})`
    case 'below-threshold':
      return `below min-events ${config.minEvents} / min-users ${config.minUsers}`
    case 'deferred':
      return `over max-new-issues (${config.maxNewIssues}); next run`
  }
}

function countTracked(index: IssueIndex): number {
  let n = 0
  for (const list of index.values()) n += list.length
  return n
}

function inRepo(issue: Pick<GitHubIssue, 'repository_url' | 'html_url'>, repo: RepoRef): boolean {
  const suffix = `/repos/${repo.owner}/${repo.repo}`.toLowerCase()
  if (issue.repository_url) return issue.repository_url.toLowerCase().endsWith(suffix)
  return issue.html_url.toLowerCase().includes(`/${repo.owner}/${repo.repo}/`.toLowerCase())
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status
    return typeof status === 'number' ? status : undefined
  }
  return undefined
}

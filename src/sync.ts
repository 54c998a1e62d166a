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
  type NewIssue,
  type RepoRef
} from './github/issues.js'
import type { GitHubIssue } from './github/schemas.js'
import { MARKER_PREFIX, markerKey, parseMarker } from './plan/marker.js'
import { decideExisting, type LifecycleDecision } from './plan/lifecycle.js'
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
import { renderIssueWithTemplates } from './render/template.js'
import { issueLabels, labelColor, priorityLabel, priorityLabelSwap } from './render/labels.js'
import { createCodeLinker, type CodeLinker } from './render/code-links.js'
import { assigneesFor, issueFieldValues, needsLatestEvent } from './inputs/content-options.js'
import {
  listIssueFields,
  listMilestones,
  setIssueFieldValues,
  type IssueField,
  type IssueFieldValueInput
} from './github/metadata.js'
import { emptyResult, type ResultRow, type RunResult } from './report/result.js'
import type { SentryClient } from './sentry/client.js'
import type { SentryEvent, SentryIssue } from './sentry/schemas.js'
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
  /** Sentry project ids the run reads (resolved from the configured slugs once). */
  projectIds: string[]
  lastRunAt?: string
  /** Latest events for the issues to create, fetched ahead of the writes. */
  events?: Map<string, Promise<SentryEvent | undefined>>
  /** Label names the repository has (lower case), loaded when first needed. */
  knownLabels?: Set<string>
  codeLinks?: CodeLinker
  warned?: Set<string>
  /** Resolved once per run: the milestone number, and issue fields by lower-case name. */
  milestone?: number
  issueFields?: Map<string, IssueField>
  metadata?: Promise<void>
  /** Optional create fields GitHub refused this run (not sent again). */
  refused?: Set<(typeof OPTIONAL_FIELDS)[number]>
  lookups?: { found: SentryIssue[]; missing: string[] }
}

export async function runSync(config: Config, deps: SyncDeps): Promise<RunResult> {
  const { log } = deps
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const result = emptyResult(config.dryRun)

  const { issues: sentryIssues, projectIds } = await log.group('Reading Sentry issues', () =>
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
  const ctx: RunContext = { config, deps, repo, index, result, notes: new Map(), projectIds }
  const state = await deps.state.load()
  ctx.lastRunAt = state.lastRunAt
  ctx.lookups = await log.group('Looking up tracked issues outside the query', () =>
    lookUpTracked(ctx, sentryIssues)
  )

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
    const creates = plan.filter((p): p is CreateItem => p.kind === 'create')
    if (creates.length > 0 && !config.dryRun) {
      ctx.events = prefetchEvents(ctx, creates)
      ctx.codeLinks = codeLinkerFor(config)
      await log.group('Ensuring labels exist', () =>
        ensureLabels(ctx, [config.trackingLabel, ...config.labels])
      )
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
): Promise<{ issues: SentryIssue[]; projectIds: string[] }> {
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
  return { issues: listed.issues, projectIds }
}

function makePlan(
  ctx: RunContext,
  sentryIssues: readonly SentryIssue[],
  state: SyncState
): PlanItem[] {
  return planSync({
    sentryIssues,
    ...(ctx.lookups ? { lookups: ctx.lookups } : {}),
    lifecycle: {
      options: ctx.config.lifecycle,
      ...(ctx.lastRunAt ? { lastRunAt: ctx.lastRunAt } : {})
    },
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
 * Tracked issues the query did not return still need their Sentry status: open ones (to close on
 * resolve, or note a deletion) and, with resolve-in-sentry, ones closed since the last run. They
 * are looked up in batches by id. If the lookup fails, nothing is concluded about them.
 */
async function lookUpTracked(
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
    const found = await ctx.deps.sentry.getIssuesByIds(config.sentry.org, ids, ctx.projectIds)
    const foundIds = new Set(found.map((s) => s.id))
    const missing = ids.filter((id) => !foundIds.has(id)).map((id) => `${prefix}${id}`)
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

const ROW_ACTION = {
  update: 'updated',
  close: 'closed',
  reopen: 'reopened',
  'resolve-in-sentry': 'updated'
} as const

/** Carries out one lifecycle decision on an existing issue: a few writes, comment first. */
async function applyLifecycle(
  ctx: RunContext,
  base: Omit<ResultRow, 'action'>,
  existing: TrackedIssue,
  decision: LifecycleDecision,
  sentry?: SentryIssue
): Promise<ResultRow> {
  if (decision.kind === 'none' || decision.kind === 'recreate') {
    return {
      ...base,
      action: 'skipped',
      number: existing.number,
      url: existing.url,
      detail: decision.why
    }
  }
  const row: ResultRow = {
    ...base,
    action: ROW_ACTION[decision.kind],
    number: existing.number,
    url: existing.url,
    detail:
      decision.kind === 'resolve-in-sentry' ? `resolved in Sentry (${decision.why})` : decision.why
  }
  if (ctx.config.dryRun)
    return { ...row, detail: `dry run: would ${decision.kind}: ${decision.why}` }
  const { github } = ctx.deps
  try {
    switch (decision.kind) {
      case 'update': {
        const labels = sentry ? swappedPriorityLabels(ctx, existing, sentry) : undefined
        if (labels) await ensureLabels(ctx, labels)
        if (decision.comment) {
          await createComment(github, ctx.repo, existing.number, decision.comment)
        }
        await updateIssue(github, ctx.repo, existing.number, {
          body: decision.body,
          ...(labels ? { labels } : {})
        })
        if (sentry) await setFields(ctx, existing.number, sentry, undefined)
        break
      }
      case 'close':
        await createComment(github, ctx.repo, existing.number, decision.comment)
        await updateIssue(github, ctx.repo, existing.number, {
          state: 'closed',
          state_reason: decision.stateReason,
          ...(decision.body !== undefined ? { body: decision.body } : {})
        })
        break
      case 'reopen':
        await updateIssue(github, ctx.repo, existing.number, {
          state: 'open',
          ...(decision.body !== undefined ? { body: decision.body } : {})
        })
        await createComment(github, ctx.repo, existing.number, decision.comment)
        break
      case 'resolve-in-sentry':
        if (!sentry) throw new Error('no Sentry issue to resolve')
        await ctx.deps.sentry.updateIssueStatus(ctx.config.sentry.org, sentry.id, 'resolved')
        if (decision.body !== undefined) {
          await updateIssue(github, ctx.repo, existing.number, { body: decision.body })
        }
        break
    }
    ctx.deps.log.info(`#${existing.number}: ${row.action} (${decision.why}).`)
    return row
  } catch (error) {
    const message = `could not ${decision.kind} #${existing.number}: ${errorMessage(error)}`
    ctx.deps.log.warning(`${base.shortId}: ${message}`)
    return { ...row, action: 'failed', detail: message }
  }
}

/**
 * The issue's labels with its priority label swapped for the one its new counts call for (never
 * stacked), or undefined when it already carries the right one.
 */
function swappedPriorityLabels(
  ctx: RunContext,
  existing: TrackedIssue,
  sentry: SentryIssue
): string[] | undefined {
  const rules = ctx.config.content.priorityRules
  if (rules.length === 0 || !existing.labels) return undefined
  const swap = priorityLabelSwap(
    existing.labels,
    priorityLabel(sentry, rules),
    rules.map((r) => r.label)
  )
  if (swap.add.length === 0 && swap.remove.length === 0) return undefined
  const removed = new Set(swap.remove.map((l) => l.toLowerCase()))
  return [...existing.labels.filter((l) => !removed.has(l.toLowerCase())), ...swap.add]
}

/** The first line an issue gets when a newer issue takes over its Sentry issue (on-regression: new). */
function supersededLine(key: string, by: string): string {
  return `<!-- sentry-issue (superseded ${by}): ${key} -->`
}

async function create(ctx: RunContext, item: CreateItem): Promise<ResultRow> {
  const { config, deps } = ctx
  const base = baseRow(item.sentry)
  const note =
    ctx.notes.get(item.key) ??
    (item.supersedes ? `regressed; replaces closed #${item.supersedes.number}` : undefined)
  const content = config.content
  const event = await ctx.events?.get(item.key)
  const labels = issueLabels(item.sentry, event, {
    trackingLabel: config.trackingLabel,
    labels: config.labels,
    priorityRules: content.priorityRules,
    sources: content.labelFrom,
    prefixes: content.labelPrefixes
  })
  const rendered = renderIssueWithTemplates(
    item.sentry,
    {
      org: config.sentry.org,
      trackingLabel: config.trackingLabel,
      labels: labels.slice(1),
      event,
      maxFrames: content.stackTrace ? content.maxFrames : 0,
      codeLinks: ctx.codeLinks
    },
    { title: content.titleTemplate, body: content.bodyTemplate }
  )
  rendered.labels = labels
  if (item.supersedes) {
    rendered.body += `\n_This error came back after #${item.supersedes.number} was closed; that issue is kept for its history._\n`
  }
  if (config.dryRun) {
    deps.log.info(`Would create: ${rendered.title}`)
    return {
      ...base,
      action: 'created',
      detail: note ? `dry run: ${note}` : 'dry run: would create'
    }
  }
  if (item.supersedes) {
    // Retire the old issue's marker first, so exactly one issue carries it at any time.
    const old = item.supersedes
    try {
      const body = old.body ?? ''
      const rest = body.includes('\n') ? body.slice(body.indexOf('\n')) : ''
      await updateIssue(deps.github, ctx.repo, old.number, {
        body: `${supersededLine(item.key, 'by a newer issue')}${rest}`
      })
      ctx.index.delete(item.key)
    } catch (error) {
      const message = `could not retire the marker of closed #${old.number}: ${errorMessage(error)}`
      deps.log.warning(`${item.sentry.shortId}: ${message}`)
      return { ...base, action: 'failed', number: old.number, url: old.url, detail: message }
    }
  }
  try {
    await ensureLabels(ctx, labels)
    await (ctx.metadata ??= resolveMetadata(ctx))
    const created = await createWithOptionalFields(ctx, item.sentry, {
      ...rendered,
      assignees: assigneesFor(item.sentry, content),
      ...(content.issueType ? { type: content.issueType } : {}),
      ...(ctx.milestone !== undefined ? { milestone: ctx.milestone } : {})
    })
    await setFields(ctx, created.number, item.sentry, event)
    deps.log.info(`Created #${created.number} for ${item.sentry.shortId}.`)
    buildIndex([created], 'label', ctx.index)
    await afterCreate(ctx, item.sentry, created.html_url)
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

/** Optional note on the Sentry issue linking the new GitHub issue; a failure is only a warning. */
async function afterCreate(ctx: RunContext, sentry: SentryIssue, url: string): Promise<void> {
  if (!ctx.config.lifecycle.sentryComment) return
  try {
    await ctx.deps.sentry.addComment(ctx.config.sentry.org, sentry.id, `GitHub issue: ${url}`)
  } catch (error) {
    warn(
      ctx,
      `Could not post a note on Sentry issue ${sentry.shortId} (${errorMessage(error)}). Notes need a user auth token with event:write; organization tokens cannot post them. Turn sentry-comment off or use a user token.`
    )
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

/** Creates, with a colour and description, the labels in `names` the repository lacks. */
async function ensureLabels(ctx: RunContext, names: readonly string[]): Promise<void> {
  const { config, deps, repo } = ctx
  ctx.knownLabels ??= new Set(
    (await listLabels(deps.github, repo)).map((l) => l.name.toLowerCase())
  )
  for (const name of names) {
    if (ctx.knownLabels.has(name.toLowerCase())) continue
    ctx.knownLabels.add(name.toLowerCase())
    const style =
      name === config.trackingLabel
        ? LABEL_STYLE.tracking
        : { color: labelColor(name), description: LABEL_STYLE.other.description }
    try {
      await createLabel(deps.github, repo, { name, ...style })
      deps.log.info(`Created label "${name}".`)
    } catch (error) {
      if (statusOf(error) === 422) continue // created meanwhile (already_exists)
      warn(
        ctx,
        `Could not create label "${name}" (${errorMessage(error)}); GitHub will create it with a default colour when the first issue uses it.`
      )
    }
  }
}

/**
 * Creates the issue; optional extras the repository refuses (assignees it cannot assign, an issue
 * type the organisation does not have) are dropped with a warning, and the issue still created.
 * A 422 means GitHub stored nothing, so retrying without them is safe.
 */
async function createWithOptionalFields(
  ctx: RunContext,
  sentry: SentryIssue,
  issue: NewIssue
): Promise<GitHubIssue> {
  ctx.refused ??= new Set()
  for (;;) {
    const attempt: NewIssue = { title: issue.title, body: issue.body, labels: issue.labels }
    if (issue.assignees?.length && !ctx.refused.has('assignees'))
      attempt.assignees = issue.assignees
    if (issue.type && !ctx.refused.has('type')) attempt.type = issue.type
    if (issue.milestone !== undefined && !ctx.refused.has('milestone')) {
      attempt.milestone = issue.milestone
    }
    try {
      return await createIssue(ctx.deps.github, ctx.repo, attempt)
    } catch (error) {
      const optional = OPTIONAL_FIELDS.filter((f) => attempt[f] !== undefined)
      if (statusOf(error) !== 422 || optional.length === 0) throw error
      const said = errorMessage(error) + JSON.stringify(errorBody(error) ?? '')
      const named = optional.filter((f) =>
        new RegExp(`"field":"${f === 'assignees' ? 'assignees?' : f}"`).test(said)
      )
      const drop = named.length > 0 ? named : optional
      for (const field of drop) ctx.refused.add(field)
      warn(
        ctx,
        `GitHub refused ${drop.map((f) => `${f} ${JSON.stringify(attempt[f])}`).join(' and ')} for ${sentry.shortId} (${errorMessage(error)}); issues are created without ${drop.length > 1 ? 'them' : 'it'} this run. Check the ${drop.map((f) => (f === 'type' ? 'issue-type' : f)).join(' and ')} input.`
      )
    }
  }
}

const OPTIONAL_FIELDS = ['assignees', 'type', 'milestone'] as const

/**
 * Fetches the latest event of each issue to create, a few at a time (Sentry allows about 15
 * event requests a second), while the writes go on; each create waits only for its own event.
 * An event that cannot be fetched is a warning: the issue is created without it.
 */
function prefetchEvents(
  ctx: RunContext,
  creates: readonly CreateItem[]
): Map<string, Promise<SentryEvent | undefined>> | undefined {
  if (!needsLatestEvent(ctx.config.content)) return undefined
  const { config, deps } = ctx
  const results = new Map<string, Promise<SentryEvent | undefined>>()
  const queue = creates.map((item) => {
    let resolve!: (event: SentryEvent | undefined) => void
    results.set(item.key, new Promise((r) => (resolve = r)))
    return { item, resolve }
  })
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        next.resolve(
          await deps.sentry.getLatestEvent(config.sentry.org, next.item.sentry.id, {
            environments: config.sentry.environments
          })
        )
      } catch (error) {
        warnOnce(
          ctx,
          'event-fetch',
          `Could not fetch the latest event of ${next.item.sentry.shortId} (${errorMessage(error)}); issues are created without their stack trace where that happens.`
        )
        next.resolve(undefined)
      }
    }
  }
  for (let i = 0; i < Math.min(EVENT_CONCURRENCY, queue.length); i++) void worker()
  return results
}

const EVENT_CONCURRENCY = 4

/**
 * Once per run: the milestone's number (from its title when a title was given) and the
 * organisation's issue fields by name. What the repository does not have is one warning each.
 */
async function resolveMetadata(ctx: RunContext): Promise<void> {
  const { content } = ctx.config
  const milestone = content.milestone
  if (milestone && 'number' in milestone) ctx.milestone = milestone.number
  if (milestone && 'title' in milestone) {
    try {
      const all = await listMilestones(ctx.deps.github, ctx.repo)
      const found =
        all.find((m) => m.title === milestone.title) ??
        all.find((m) => m.title.toLowerCase() === milestone.title.toLowerCase())
      if (found) ctx.milestone = found.number
      else {
        warn(
          ctx,
          `No milestone titled ${JSON.stringify(milestone.title)} in ${ctx.repo.owner}/${ctx.repo.repo} (it has: ${all.map((m) => JSON.stringify(m.title)).join(', ') || 'none'}); issues are created without one.`
        )
      }
    } catch (error) {
      warn(
        ctx,
        `Could not list milestones (${errorMessage(error)}); issues are created without one.`
      )
    }
  }
  if (content.issueFields.length === 0) return
  try {
    const fields = await listIssueFields(ctx.deps.github, ctx.repo.owner)
    if (!fields) {
      warn(
        ctx,
        `Issue fields are not available for ${ctx.repo.owner} (an organisation with issue fields is needed, and a token that can read them); issue-fields is ignored.`
      )
      return
    }
    ctx.issueFields = new Map(fields.map((f) => [f.name.toLowerCase(), f]))
    const missing = content.issueFields.filter((f) => !ctx.issueFields?.has(f.field.toLowerCase()))
    if (missing.length > 0) {
      warn(
        ctx,
        `issue-fields names field(s) ${missing.map((f) => JSON.stringify(f.field)).join(', ')} that ${ctx.repo.owner} does not have (it has: ${fields.map((f) => JSON.stringify(f.name)).join(', ') || 'none'}).`
      )
    }
  } catch (error) {
    warn(
      ctx,
      `Could not list the issue fields of ${ctx.repo.owner} (${errorMessage(error)}); issue-fields is ignored.`
    )
  }
}

/** Sets the configured issue fields from Sentry's values; a refusal is a warning, once. */
async function setFields(
  ctx: RunContext,
  issueNumber: number,
  sentry: SentryIssue,
  event: SentryEvent | undefined
): Promise<void> {
  if (ctx.config.content.issueFields.length === 0 || ctx.config.dryRun) return
  await (ctx.metadata ??= resolveMetadata(ctx))
  const fields = ctx.issueFields
  if (!fields) return
  const values: IssueFieldValueInput[] = []
  for (const { field, value } of issueFieldValues(sentry, event, ctx.config.content.issueFields)) {
    const target = fields.get(field.toLowerCase())
    if (!target) continue
    const converted = fieldValue(target, value)
    if (converted === undefined) {
      warnOnce(
        ctx,
        `field-value:${target.name}:${value}`,
        `Issue field "${target.name}" has no option matching ${JSON.stringify(value)}; that value is not set.`
      )
    } else {
      values.push({ field_id: target.id, value: converted })
    }
  }
  if (values.length === 0) return
  try {
    await setIssueFieldValues(ctx.deps.github, ctx.repo, issueNumber, values)
  } catch (error) {
    warnOnce(
      ctx,
      'field-set',
      `Could not set issue fields on #${issueNumber} (${errorMessage(error)}).`
    )
  }
}

/** A Sentry value in the form the field takes, or undefined when it cannot hold it. */
function fieldValue(field: IssueField, value: string): string | number | undefined {
  switch (field.data_type) {
    case 'number': {
      const n = Number(value)
      return Number.isFinite(n) ? n : undefined
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined
    case 'single_select':
      return field.options?.find((o) => o.name.toLowerCase() === value.toLowerCase())?.name
    default:
      return value
  }
}

function codeLinkerFor(config: Config): CodeLinker | undefined {
  if (config.content.codeMappings.length === 0) return undefined
  return createCodeLinker({
    mappings: config.content.codeMappings,
    serverUrl: config.github.serverUrl,
    owner: config.github.owner,
    repo: config.github.repo
  })
}

async function saveState(ctx: RunContext, previous: SyncState): Promise<void> {
  const next: SyncState = {
    version: 1,
    issues: { ...previous.issues },
    lastRunAt: new Date().toISOString()
  }
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

/** A warning given once per run for a recurring cause (the same refusal for every issue). */
function warnOnce(ctx: RunContext, cause: string, message: string): void {
  ctx.warned ??= new Set()
  if (ctx.warned.has(cause)) return
  ctx.warned.add(cause)
  warn(ctx, message)
}

function errorBody(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'response' in error) {
    return (error as { response?: { data?: unknown } }).response?.data
  }
  return undefined
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

/** The parts of an `issues` event payload the action reads. */
export interface IssueEventPayload {
  action?: string
  issue?: {
    id?: number
    number?: number
    body?: string | null
    html_url?: string
    state?: string
    state_reason?: string | null
    created_at?: string
    closed_at?: string | null
  }
}

/**
 * `on: issues: types: [closed]`: handles the one issue in the payload and nothing else. With
 * resolve-in-sentry, an issue a person closed as completed resolves its Sentry issue (an issue
 * the action closed itself records `resolved` in its stats block and is left alone).
 */
export async function runClosedIssueEvent(
  config: Config,
  deps: SyncDeps,
  payload: IssueEventPayload
): Promise<RunResult> {
  const result = emptyResult(config.dryRun)
  const issue = payload.issue
  const ref = parseMarker(issue?.body)
  if (payload.action !== 'closed' || !issue || !ref || ref.org !== config.sentry.org) {
    deps.log.info('The event is not the closing of an issue this sync tracks; nothing to do.')
    return result
  }
  if (!config.lifecycle.resolveInSentry) {
    deps.log.info('resolve-in-sentry is off; a closed issue does not change Sentry.')
    return result
  }
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const key = markerKey(ref)
  const [sentry] = await deps.sentry.getIssuesByIds(config.sentry.org, [ref.issueId])
  const tracked: TrackedIssue = {
    id: issue.id ?? 0,
    number: issue.number ?? 0,
    url: issue.html_url ?? '',
    state: 'closed',
    stateReason: issue.state_reason ?? null,
    createdAt: issue.created_at ?? '',
    closedAt: issue.closed_at ?? null,
    body: issue.body ?? null,
    foundBy: 'label'
  }
  if (!sentry) {
    result.rows.push({
      ...keyRow(key),
      action: 'skipped',
      number: tracked.number,
      url: tracked.url,
      detail: 'Sentry no longer has this issue'
    })
    return result
  }
  result.sentryIssuesRead = 1
  const decision = decideExisting(sentry, tracked, {
    options: { ...config.lifecycle, onRegression: 'ignore' }
  })
  const ctx: RunContext = {
    config,
    deps,
    repo,
    index: new Map(),
    result,
    notes: new Map(),
    projectIds: []
  }
  result.rows.push(
    decision.kind === 'resolve-in-sentry'
      ? await applyLifecycle(ctx, baseRow(sentry), tracked, decision, sentry)
      : {
          ...baseRow(sentry),
          action: 'skipped',
          number: tracked.number,
          url: tracked.url,
          detail: decision.kind === 'none' ? decision.why : 'nothing to do'
        }
  )
  return result
}

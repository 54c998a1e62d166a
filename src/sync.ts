import type { Config } from './inputs/config.js'
import { errorMessage, type Logger } from './log.js'
import type { GitHubClient } from './github/client.js'
import {
  createIssue,
  createLabel,
  listIssuesWithLabel,
  listLabels,
  type RepoRef
} from './github/issues.js'
import {
  buildIndex,
  planSync,
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

  const sentryIssues = await log.group('Reading Sentry issues', async () => {
    const projectIds = await deps.sentry.resolveProjectIds(
      config.sentry.org,
      config.sentry.projects
    )
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
    log.info(
      `Read ${listed.issues.length} Sentry issues in ${listed.pages} page(s)${listed.truncated ? ` (capped at max-sentry-issues: ${config.sentry.maxIssues})` : ''}.`
    )
    if (listed.truncated) {
      result.warnings.push(
        `More than ${config.sentry.maxIssues} Sentry issues matched; only the first ${config.sentry.maxIssues} were read. Raise max-sentry-issues or narrow the query.`
      )
    }
    return listed.issues
  })

  const index = await log.group(
    `Indexing GitHub issues labelled "${config.trackingLabel}"`,
    async () => {
      const issues = await listIssuesWithLabel(deps.github, repo, config.trackingLabel)
      const built = buildIndex(issues, 'label')
      log.info(`Found ${built.size} synced issue(s) among ${issues.length} labelled issue(s).`)
      return built
    }
  )

  const state = await deps.state.load()
  const plan = planSync({
    sentryIssues,
    index,
    cached: state.issues,
    options: {
      org: config.sentry.org,
      minEvents: config.minEvents,
      minUsers: config.minUsers,
      maxNewIssues: config.maxNewIssues
    }
  })

  const creates = plan.filter(
    (p): p is Extract<PlanItem, { kind: 'create' }> => p.kind === 'create'
  )
  log.info(`Plan: ${creates.length} to create, ${plan.length - creates.length} to skip.`)

  if (creates.length > 0 && !config.dryRun) {
    await log.group('Ensuring labels exist', () => ensureLabels(deps, repo, config, result))
  }

  try {
    await log.group(
      config.dryRun ? 'Planned changes (dry run)' : 'Writing GitHub issues',
      async () => {
        for (const item of plan) {
          result.rows.push(await execute(item, config, deps, repo, index))
        }
      }
    )
  } finally {
    if (!config.dryRun) await saveState(deps, state, index, config.sentry.org, result)
  }
  return result
}

async function execute(
  item: PlanItem,
  config: Config,
  deps: SyncDeps,
  repo: RepoRef,
  index: IssueIndex
): Promise<ResultRow> {
  const base = baseRow(item.sentry)
  if (item.kind === 'skip') {
    return {
      ...base,
      action: 'skipped',
      detail: skipDetail(item, config),
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
    return { ...base, action: 'created', detail: 'dry run: would create' }
  }
  try {
    const created = await createIssue(deps.github, repo, rendered)
    deps.log.info(`Created #${created.number} for ${item.sentry.shortId}.`)
    remember(index, item.key, {
      number: created.number,
      url: created.html_url,
      state: 'open',
      createdAt: created.created_at,
      foundBy: 'label'
    })
    return { ...base, action: 'created', number: created.number, url: created.html_url }
  } catch (error) {
    // The create may have been stored even though its response was lost: look before reporting.
    const found = await findAfterFailedCreate(deps, repo, config, item.key)
    if (found) {
      deps.log.warning(
        `Creating the issue for ${item.sentry.shortId} reported an error (${errorMessage(error)}), but GitHub stored it as #${found.number}.`
      )
      remember(index, item.key, found)
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
  deps: SyncDeps,
  repo: RepoRef,
  config: Config,
  key: string
): Promise<TrackedIssue | undefined> {
  try {
    const issues = await listIssuesWithLabel(deps.github, repo, config.trackingLabel)
    return buildIndex(issues, 'label').get(key)?.[0]
  } catch (error) {
    deps.log.warning(`Could not check whether a failed create was stored: ${errorMessage(error)}`)
    return undefined
  }
}

function remember(index: IssueIndex, key: string, issue: TrackedIssue): void {
  const list = index.get(key) ?? []
  if (!list.some((t) => t.number === issue.number)) list.push(issue)
  index.set(key, list)
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

async function ensureLabels(
  deps: SyncDeps,
  repo: RepoRef,
  config: Config,
  result: RunResult
): Promise<void> {
  const existing = new Set((await listLabels(deps.github, repo)).map((l) => l.name.toLowerCase()))
  const wanted = [config.trackingLabel, ...config.labels]
  for (const name of wanted) {
    if (existing.has(name.toLowerCase())) continue
    const style = name === config.trackingLabel ? LABEL_STYLE.tracking : LABEL_STYLE.other
    try {
      await createLabel(deps.github, repo, { name, ...style })
      deps.log.info(`Created label "${name}".`)
    } catch (error) {
      const message = `Could not create label "${name}" (${errorMessage(error)}); GitHub will create it with a default colour when the first issue uses it.`
      deps.log.warning(message)
      result.warnings.push(message)
    }
  }
}

async function saveState(
  deps: SyncDeps,
  previous: SyncState,
  index: IssueIndex,
  org: string,
  result: RunResult
): Promise<void> {
  const next: SyncState = { version: 1, issues: { ...previous.issues } }
  for (const [key, tracked] of index) {
    const first = tracked[0]
    if (first && key.startsWith(`${org}/`)) next.issues[key] = first.number
  }
  try {
    await deps.state.save(next)
  } catch (error) {
    const message = `Could not save the sync state: ${errorMessage(error)}`
    deps.log.warning(message)
    result.warnings.push(message)
  }
}

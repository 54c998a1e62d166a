import { errorMessage } from '../log.js'
import {
  createIssue,
  getIssue,
  listIssuesWithLabel,
  searchIssues,
  updateIssue
} from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import { dashboardEntries, dashboardId, shapePlan } from '../plan/dashboard.js'
import { findMarker, markerKey } from '../plan/marker.js'
import type { PlanItem } from '../plan/plan.js'
import {
  dashboardSearchPhrase,
  findSection,
  hasDashboardMarker,
  readSection,
  renderSection,
  sectionRoom,
  tickedIn,
  withSection
} from '../render/dashboard.js'
import type { DashboardReport } from '../report/result.js'
import type { DashboardRecord, SyncState } from '../state/store.js'
import { inRepo, statusOf, type RunContext } from './context.js'
import { ensureLabels } from './labels.js'
import { closeAsDuplicate } from './lifecycle.js'

/**
 * The triage dashboard: one issue per sync configuration that lists the Sentry issues with no
 * GitHub issue yet, where a person's tick files one on the next run (see docs/dashboard.md).
 *
 * Found like the action's other issues, each layer covering a hole in the one before: the
 * tracking-label listing (consistent at once), the number the state remembers (verified; a
 * deleted or moved dashboard is remembered and not recreated), a marker search (a person removed
 * its label). Two runs at once may both create one: each looks again after its create, through
 * the listing, and the newer closes itself as a duplicate of the older, so one stays.
 *
 * A person's last action is final: a closed dashboard is not written (nor its ticks acted on)
 * until a person reopens it; what a person writes outside the action's section is kept, the body
 * being read fresh right before the write; nothing is written when the section a reader sees
 * would not change.
 */

export interface Triage {
  /** The plan with ticks and `auto-create` applied (see shapePlan). */
  shape(items: readonly PlanItem[]): PlanItem[]
  /** Marks the rows filed from a tick, then writes the dashboard and remembers it in `state`. */
  finish(plan: readonly PlanItem[], state: SyncState): Promise<void>
}

interface Found {
  /** The dashboard: the oldest not closed as a duplicate. */
  issue?: GitHubIssue
  /** Other open dashboards of this configuration (two runs at once): closed as duplicates. */
  extras: GitHubIssue[]
  /** A person deleted or moved it away (remembered in the state). */
  gone?: DashboardRecord
  /** Why the run cannot tell whether one exists (then it creates none). */
  unsure?: string
}

const NO_TICKS: ReadonlySet<string> = new Set()

/** Finds the dashboard (when `dashboard` is on) and returns what the run does with it. */
export async function openTriage(
  ctx: RunContext,
  labelled: readonly GitHubIssue[],
  state: SyncState
): Promise<Triage> {
  const { config } = ctx
  const id = dashboardId({
    org: config.sentry.org,
    projects: config.sentry.projects,
    environments: config.sentry.environments,
    query: config.sentry.query,
    trackingLabel: config.trackingLabel
  })
  const found: Found | undefined = config.dashboard.enabled
    ? await findDashboard(ctx, id, labelled, state)
    : undefined
  const open = found?.issue?.state === 'open' ? found.issue : undefined
  const ticked = open ? tickedIn(open.body, id) : NO_TICKS
  if (found?.issue) {
    ctx.deps.log.info(
      `Triage dashboard #${found.issue.number} (${found.issue.state}); ${ticked.size} line(s) ticked.`
    )
  }
  const tracked = (key: string): boolean => (ctx.index.get(key)?.length ?? 0) > 0
  let fromDashboard = new Set<string>()
  return {
    shape(items) {
      const shaped = shapePlan(items, {
        ticked,
        autoCreate: config.dashboard.autoCreate,
        maxNewIssues: config.maxNewIssues,
        tracked,
        cached: state.issues
      })
      fromDashboard = shaped.fromDashboard
      return shaped.items
    },
    async finish(plan, saved) {
      const filed = new Set<string>()
      for (const row of ctx.result.rows) {
        if (row.action !== 'created') continue
        filed.add(row.sentryId)
        if (!fromDashboard.has(markerKey({ org: config.sentry.org, issueId: row.sentryId })))
          continue
        row.from = 'dashboard'
        row.detail = [row.detail, 'filed from the dashboard'].filter(Boolean).join('; ')
      }
      if (!found) return
      const entries = dashboardEntries(plan, filed, tracked)
      const report = await writeDashboard(ctx, id, found, entries, filed)
      report.filed = ctx.result.rows.filter((r) => r.from === 'dashboard').length
      ctx.result.dashboard = report
      if (report.number !== undefined && !config.dryRun) {
        saved.dashboards = {
          ...saved.dashboards,
          [id]: {
            number: report.number,
            ...(report.action === 'gone' && found.gone?.gone ? { gone: found.gone.gone } : {})
          }
        }
      }
    }
  }
}

/**
 * The three layers: the label listing, the remembered number, a marker search. A layer that finds
 * only dashboards closed as duplicates (the loser of two runs at once) does not stop the search:
 * the one that stayed may have lost its label.
 */
async function findDashboard(
  ctx: RunContext,
  id: string,
  labelled: readonly GitHubIssue[],
  state: SyncState
): Promise<Found> {
  const candidates = new Map<number, GitHubIssue>()
  const add = (issues: readonly GitHubIssue[]): void => {
    for (const issue of issues) candidates.set(issue.number, issue)
  }
  const settled = (): boolean =>
    [...candidates.values()].some((c) => c.state_reason !== 'duplicate')
  add(labelled.filter((i) => isDashboard(i.body, id)))
  const found: Found = { extras: [] }
  const remembered = state.dashboards?.[id]
  if (!settled() && remembered?.gone) {
    found.gone = remembered
    return found
  }
  if (!settled() && remembered && !candidates.has(remembered.number)) {
    try {
      const issue = await getIssue(ctx.deps.github, ctx.repo, remembered.number)
      if (!inRepo(issue, ctx.repo)) found.gone = { number: remembered.number, gone: 'transferred' }
      else if (issue.pull_request === undefined && isOursOrUnmarked(issue.body, id)) add([issue])
    } catch (error) {
      const status = statusOf(error)
      if (status === 410) found.gone = { number: remembered.number, gone: 'deleted' }
      else if (status !== 404)
        found.unsure = `could not read #${remembered.number} (${errorMessage(error)})`
    }
    if (found.gone && !settled()) return found
  }
  if (!settled() && !found.unsure) {
    const { owner, repo } = ctx.repo
    try {
      const result = await searchIssues(
        ctx.deps.github,
        `repo:${owner}/${repo} is:issue in:body "${dashboardSearchPhrase(id)}"`
      )
      add(
        result.items.filter(
          (i) => i.pull_request === undefined && inRepo(i, ctx.repo) && isDashboard(i.body, id)
        )
      )
    } catch (error) {
      found.unsure = `the search for it failed (${errorMessage(error)})`
    }
  }
  const sorted = [...candidates.values()].sort((a, b) => a.number - b.number)
  const primary = sorted.find((c) => c.state_reason !== 'duplicate') ?? sorted[0]
  if (primary) {
    found.issue = primary
    // Found after all: a failed search does not matter.
    if (settled()) delete found.unsure
  }
  found.extras = sorted.filter((c) => c !== primary && c.state === 'open')
  return found
}

/**
 * A body with this dashboard's marker that is not a Sentry issue's GitHub issue (a person may paste
 * the marker line anywhere; Sentry's text cannot write it).
 */
function isDashboard(body: string | null | undefined, id: string): boolean {
  return hasDashboardMarker(body, id) && findMarker(body) === undefined
}

/** A body with this dashboard's marker, or with no dashboard marker at all (a person deleted it). */
function isOursOrUnmarked(body: string | null | undefined, id: string): boolean {
  if (findMarker(body) !== undefined) return false
  return (
    hasDashboardMarker(body, id) ||
    !/^<!-- sentry-dashboard: [0-9a-f]{16} -->\r?$/m.test(body ?? '')
  )
}

async function writeDashboard(
  ctx: RunContext,
  id: string,
  found: Found,
  entries: ReturnType<typeof dashboardEntries>,
  filed: ReadonlySet<string>
): Promise<DashboardReport> {
  const { config, deps } = ctx
  const base = { listed: entries.length, filed: 0 }
  const view = (
    ticked: ReadonlySet<string>,
    previous: ReturnType<typeof readSection>,
    maxLength?: number
  ) =>
    renderSection({
      ...(maxLength !== undefined ? { maxLength } : {}),
      id,
      entries,
      ticked,
      previous,
      query: config.sentry.query,
      minEvents: config.minEvents,
      minUsers: config.minUsers,
      maxNewIssues: config.maxNewIssues,
      autoCreate: config.dashboard.autoCreate
    })
  if (found.gone) {
    const how = found.gone.gone === 'transferred' ? 'moved to another repository' : 'deleted'
    return {
      ...base,
      number: found.gone.number,
      action: 'gone',
      detail: `#${found.gone.number} was ${how} by a person; not recreated while the sync state remembers it`
    }
  }
  if (found.unsure) {
    ctx.warnings.warn(`The triage dashboard was not written: ${found.unsure}.`)
    return { ...base, action: 'failed', detail: found.unsure }
  }
  try {
    const primary = found.issue
    if (primary) await closeExtras(ctx, primary, found.extras)
    if (!primary) {
      const body = view(NO_TICKS, new Map())
      if (config.dryRun) return { ...base, action: 'would-create', preview: body }
      await ensureLabels(ctx, [config.trackingLabel])
      const created = await createIssue(deps.github, ctx.repo, {
        title: config.dashboard.title,
        body,
        labels: [config.trackingLabel]
      })
      deps.log.info(`Created the triage dashboard #${created.number}.`)
      return await keepOlder(ctx, id, created, base)
    }
    const render = (body: string | null | undefined): string => {
      const ticked = new Set([...tickedIn(body, id)].filter((t) => !filed.has(t)))
      return withSection(body, id, view(ticked, readSection(body, id), sectionRoom(body, id)))
    }
    // As this run found it (read moments ago): closed, or nothing a reader sees would change,
    // needs no further request.
    if (primary.state === 'closed') return closedReport(base, primary)
    if (render(primary.body) === (primary.body ?? '')) {
      return { ...base, number: primary.number, url: primary.html_url, action: 'unchanged' }
    }
    // Read fresh before the write: a person may have ticked, edited or closed it since.
    const fresh = await getIssue(deps.github, ctx.repo, primary.number)
    const at = { number: fresh.number, url: fresh.html_url }
    if (!inRepo(fresh, ctx.repo)) {
      found.gone = { number: primary.number, gone: 'transferred' }
      return { ...base, ...at, action: 'gone', detail: 'moved to another repository by a person' }
    }
    if (fresh.state === 'closed') return closedReport(base, fresh)
    const body = render(fresh.body)
    if (body === (fresh.body ?? '')) return { ...base, ...at, action: 'unchanged' }
    if (config.dryRun) return { ...base, ...at, action: 'would-update', preview: body }
    await updateIssue(deps.github, ctx.repo, fresh.number, { body })
    deps.log.info(`Updated the triage dashboard #${fresh.number}.`)
    return {
      ...base,
      ...at,
      action: 'updated',
      ...(findSection(fresh.body, id) ? {} : { detail: 'its section was restored' })
    }
  } catch (error) {
    if (statusOf(error) === 410 && found.issue) {
      found.gone = { number: found.issue.number, gone: 'deleted' }
      return {
        ...base,
        number: found.issue.number,
        action: 'gone',
        detail: 'deleted by a person during the run; not recreated'
      }
    }
    const detail = `could not write the triage dashboard: ${errorMessage(error)}`
    ctx.warnings.warn(`The ${detail}.`)
    return { ...base, action: 'failed', detail }
  }
}

function closedReport(
  base: { listed: number; filed: number },
  issue: GitHubIssue
): DashboardReport {
  return {
    ...base,
    number: issue.number,
    url: issue.html_url,
    action: 'closed',
    detail: 'closed by a person: not updated until someone reopens it'
  }
}

/** Other open dashboards of this configuration (two runs at once): closed as duplicates. */
async function closeExtras(
  ctx: RunContext,
  primary: GitHubIssue,
  extras: readonly GitHubIssue[]
): Promise<void> {
  if (ctx.config.dryRun) return
  for (const extra of extras) {
    await closeAsDuplicate(ctx, extra.number, primary)
    ctx.deps.log.info(
      `Closed #${extra.number} as a duplicate of the triage dashboard #${primary.number}.`
    )
  }
}

/**
 * After a create: when another run created this configuration's dashboard a moment before (the
 * listing is consistent at once, so the older one shows), the new one closes itself as its
 * duplicate and the older one stays.
 */
async function keepOlder(
  ctx: RunContext,
  id: string,
  created: GitHubIssue,
  base: { listed: number; filed: number }
): Promise<DashboardReport> {
  const at = { number: created.number, url: created.html_url }
  let older: GitHubIssue | undefined
  try {
    const listed = await listIssuesWithLabel(ctx.deps.github, ctx.repo, ctx.config.trackingLabel)
    older = listed
      .filter(
        (i) =>
          i.number < created.number && i.state_reason !== 'duplicate' && isDashboard(i.body, id)
      )
      .sort((a, b) => a.number - b.number)[0]
  } catch (error) {
    ctx.warnings.warn(
      `Could not check for a triage dashboard created at the same time (${errorMessage(error)}); the next run closes any duplicate.`
    )
  }
  if (!older) return { ...base, ...at, action: 'created' }
  await closeAsDuplicate(ctx, created.number, older)
  ctx.deps.log.info(
    `Another run created the triage dashboard #${older.number} at the same time; closed #${created.number} as its duplicate.`
  )
  return {
    ...base,
    number: older.number,
    url: older.html_url,
    action: 'unchanged',
    detail: `another run created it at the same time; #${created.number} was closed as its duplicate`
  }
}

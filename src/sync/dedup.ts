import { errorMessage } from '../log.js'
import {
  createComment,
  getIssue,
  listIssuesWithLabel,
  searchIssues,
  updateIssue,
  type RepoRef
} from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import { markerKey, markerSearchPhrase, parseMarker } from '../plan/marker.js'
import {
  addToIndex,
  buildIndex,
  type DuplicateSet,
  type IssueIndex,
  type TrackedIssue
} from '../plan/plan.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { baseRow, keyRow, statusOf, warn, type CreateItem, type RunContext } from './context.js'

/**
 * The dedup layers beyond the label listing (marker search, verified cache), the check after a
 * create whose answer was lost, and the closing of duplicates that slipped through anyway.
 */

/**
 * Layer 2: one search for every issue in the repository whose body holds our marker prefix but
 * that lacks the tracking label (the label listing already saw the others). Bodies are checked
 * with the same strict parser, so text that merely mentions a marker never counts.
 */
export async function searchForMarkers(ctx: RunContext): Promise<void> {
  const { owner, repo } = ctx.repo
  const q = `repo:${owner}/${repo} is:issue in:body "${markerSearchPhrase(ctx.config.sentry.org)}" -label:"${ctx.config.trackingLabel}"`
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
export async function verifyCached(ctx: RunContext, items: CreateItem[]): Promise<void> {
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

export async function findAfterFailedCreate(
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
export async function healDuplicates(
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

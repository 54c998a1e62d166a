import { errorMessage } from '../log.js'
import { createComment, getIssue, listIssuesWithLabel, searchIssues } from '../github/issues.js'
import { findMarker, identify, markerKey, markerSearchPhrase } from '../plan/marker.js'
import {
  addToIndex,
  buildIndex,
  resortIndex,
  trackedOf,
  type DuplicateSet,
  type IssueIndex
} from '../plan/plan.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { closeAsDuplicate } from './lifecycle.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { baseRow, inRepo, keyRow, statusOf, type CreateItem, type RunContext } from './context.js'

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
  const q = `repo:${owner}/${repo} is:issue in:body "${markerSearchPhrase(ctx.config.sentry.org, ctx.identity.host)}" -label:"${ctx.config.trackingLabel}"`
  try {
    const found = await searchIssues(ctx.deps.github, q)
    const before = countTracked(ctx.index)
    buildIndex(
      found.items.filter((i) => i.pull_request === undefined && inRepo(i, ctx.repo)),
      'search',
      ctx.identity,
      ctx.index
    )
    ctx.deps.log.info(
      `Marker search found ${countTracked(ctx.index) - before} synced issue(s) without the "${ctx.config.trackingLabel}" label.`
    )
    if (found.incomplete) {
      ctx.warnings.warn(
        `The marker search returned incomplete results (${found.items.length} of ${found.totalCount}).`
      )
    }
  } catch (error) {
    ctx.warnings.warn(
      `The marker search failed (${errorMessage(error)}); issues whose "${ctx.config.trackingLabel}" label was removed may not be found this run.`
    )
  }
}

/**
 * Layer 3: a cached issue number is trusted only if the issue still exists in this repository
 * and is this Sentry issue's (its marker, its Sentry link, or, when a person deleted the marker
 * and no other marker is there, the cache itself). A deleted issue (410) or one moved to another
 * repository (the client follows the 301) is remembered and not recreated; the row says so.
 */
export async function verifyCached(ctx: RunContext, items: CreateItem[]): Promise<void> {
  for (const item of items) {
    const number = item.cachedNumber
    if (number === undefined) continue
    try {
      const issue = await getIssue(ctx.deps.github, ctx.repo, number)
      const found = identify(issue.body, ctx.identity)
      const key = found ? markerKey({ org: ctx.identity.org, issueId: found.issueId }) : undefined
      if (!inRepo(issue, ctx.repo)) {
        ctx.gone.set(item.key, { number, how: 'transferred', url: issue.html_url })
        ctx.notes.set(item.key, `#${number} was moved to ${issue.html_url}; not recreated`)
      } else if (issue.pull_request !== undefined || (key !== undefined && key !== item.key)) {
        ctx.notes.set(item.key, `cached issue #${number} no longer carries this marker; recreated`)
      } else if (key === undefined && findMarker(issue.body) !== undefined) {
        ctx.notes.set(item.key, `cached issue #${number} carries another marker; recreated`)
      } else {
        buildIndex([issue], 'cache', ctx.identity, ctx.index)
        if (key === undefined) {
          // No marker and no link: a person deleted the marker. The cache vouches for it.
          addToIndex(ctx.index, item.key, { ...trackedOf(issue, 'cache'), marker: 'missing' })
        }
      }
    } catch (error) {
      const status = statusOf(error)
      if (status === 410) {
        ctx.gone.set(item.key, { number, how: 'deleted' })
        ctx.notes.set(item.key, `#${number} was deleted on GitHub; not recreated`)
      } else if (status === 404) {
        ctx.notes.set(item.key, `cached issue #${number} no longer exists (404); recreated`)
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
    buildIndex(issues, 'label', ctx.identity, ctx.index)
    return ctx.index.get(key)?.[0]
  } catch (error) {
    ctx.deps.log.warning(
      `Could not check whether a failed create was stored: ${errorMessage(error)}`
    )
    return undefined
  }
}

/**
 * Closes the other open issues that carry a marker (see findDuplicates for which one stays), with
 * GitHub's native duplicate marking; a server that refuses it gets `not_planned` plus a comment
 * linking the kept issue. A dry run reports what it would close.
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
      if (ctx.config.dryRun) {
        row.detail = `dry run: would close as a duplicate of #${set.keep.number}`
        ctx.result.rows.push(row)
        continue
      }
      try {
        await closeAsDuplicate(ctx, duplicate.number, set.keep)
        try {
          await createComment(
            ctx.deps.github,
            ctx.repo,
            duplicate.number,
            `Duplicate of #${set.keep.number}: more than one issue was filed for the same Sentry issue. Closed by sentry-issues-action; #${set.keep.number} is kept.`
          )
        } catch (error) {
          row.detail += ` (comment refused: ${errorMessage(error)})`
        }
        duplicate.state = 'closed'
        duplicate.stateReason = 'duplicate'
        resortIndex(ctx.index, set.key)
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

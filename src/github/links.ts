import { z } from 'zod'
import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'

/**
 * What links issues to the code that fixed them, and issues to each other: an issue's timeline
 * (which commit or pull request closed it) and sub-issues.
 */

/** The parts of a timeline event the action reads; every other field passes through. */
const timelineEventSchema = z.looseObject({
  event: z.string().nullish(),
  created_at: z.string().nullish(),
  commit_id: z.string().nullish(),
  commit_url: z.string().nullish(),
  source: z
    .looseObject({
      type: z.string().nullish(),
      issue: z
        .looseObject({
          number: z.number().int(),
          repository_url: z.string().nullish(),
          pull_request: z.looseObject({ merged_at: z.string().nullish() }).nullish()
        })
        .nullish()
    })
    .nullish()
})
export type TimelineEvent = z.infer<typeof timelineEventSchema>

/** An issue's timeline, every page (oldest first). */
export async function listTimeline(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<TimelineEvent[]> {
  const items = await client.paginate(client.rest.issues.listEventsForTimeline, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100
  })
  return parseResponse(
    z.array(timelineEventSchema),
    items,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/timeline'
  )
}

/** The commit that fixed an issue, and the repository that holds it (`owner/name`). */
export interface ClosingCommit {
  sha: string
  repository: string
  /** How it was found: `commit` (the close names it) or `pull request #N` (merged, referencing it). */
  via: string
}

const SHA = /^[0-9a-f]{7,64}$/i

/**
 * The commit that closed an issue, read from its timeline:
 * - the last `closed` event names it in `commit_id` when a commit or a merged pull request closed
 *   the issue ("Fixes #N"); its `commit_url` names the repository that holds it;
 * - otherwise, a pull request of this repository that references the issue (`cross-referenced`)
 *   and was merged: the commit its `merged` event names (the merge commit).
 * Undefined when a person closed the issue without either.
 */
export async function closingCommit(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<ClosingCommit | undefined> {
  const timeline = await listTimeline(client, repo, issueNumber)
  const closed = timeline.filter((e) => e.event === 'closed').at(-1)
  if (closed?.commit_id && SHA.test(closed.commit_id)) {
    return {
      sha: closed.commit_id,
      repository: repositoryOf(closed.commit_url) ?? `${repo.owner}/${repo.repo}`,
      via: 'commit'
    }
  }
  const ours = `/repos/${repo.owner}/${repo.repo}`.toLowerCase()
  const merged = timeline
    .filter(
      (e) =>
        e.event === 'cross-referenced' &&
        e.source?.issue?.pull_request?.merged_at &&
        (e.source.issue.repository_url ?? '').toLowerCase().endsWith(ours)
    )
    .map((e) => ({
      number: e.source?.issue?.number ?? 0,
      mergedAt: e.source?.issue?.pull_request?.merged_at ?? ''
    }))
    .sort((a, b) => (a.mergedAt < b.mergedAt ? 1 : a.mergedAt > b.mergedAt ? -1 : 0))
  for (const pull of merged) {
    const events = await listTimeline(client, repo, pull.number)
    const merge = events.filter((e) => e.event === 'merged').at(-1)
    if (merge?.commit_id && SHA.test(merge.commit_id)) {
      return {
        sha: merge.commit_id,
        repository: `${repo.owner}/${repo.repo}`,
        via: `pull request #${pull.number}`
      }
    }
  }
  return undefined
}

/** `owner/name` from a commit's API URL (`…/repos/{owner}/{name}/commits/{sha}`). */
function repositoryOf(commitUrl: string | null | undefined): string | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/commits\/[^/]+$/.exec(commitUrl ?? '')
  return match
    ? `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}`
    : undefined
}

/**
 * Attaches an issue as a sub-issue of another (`POST …/issues/{parent}/sub_issues`). It takes the
 * sub-issue's `id`, not its number; a parent holds at most 100 sub-issues.
 */
export async function addSubIssue(
  client: GitHubClient,
  repo: RepoRef,
  parentNumber: number,
  subIssueId: number
): Promise<void> {
  await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
    ...repo,
    issue_number: parentNumber,
    sub_issue_id: subIssueId
  })
}

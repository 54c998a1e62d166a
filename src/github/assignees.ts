import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { listTimeline } from './links.js'

/**
 * Adding and removing an issue's assignees one login at a time (`POST` / `DELETE
 * …/issues/{n}/assignees`), so the others stay as people set them, and when they last changed.
 */

/** Adds people to an issue's assignees; GitHub leaves out (silently) a login it cannot assign. */
export async function addAssignees(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  logins: string[]
): Promise<void> {
  await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', {
    ...repo,
    issue_number: issueNumber,
    assignees: logins
  })
}

/** Removes people from an issue's assignees (a login not assigned is no error). */
export async function removeAssignees(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  logins: string[]
): Promise<void> {
  await client.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees', {
    ...repo,
    issue_number: issueNumber,
    assignees: logins
  })
}

/** When the issue's assignees last changed (its newest `assigned`/`unassigned` event), if ever. */
export async function assigneesChangedAt(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<string | undefined> {
  const events = await listTimeline(client, repo, issueNumber)
  return events
    .filter((e) => (e.event === 'assigned' || e.event === 'unassigned') && e.created_at)
    .map((e) => e.created_at as string)
    .sort((a, b) => Date.parse(b) - Date.parse(a))[0]
}

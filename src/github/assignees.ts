import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { listTimeline } from './links.js'
import { githubIssueSchema, parseResponse } from './schemas.js'

/**
 * Adding and removing an issue's assignees one login at a time (`POST` / `DELETE
 * …/issues/{n}/assignees`), so the others stay as people set them, and when they last changed.
 */

/**
 * Adds people to an issue's assignees; GitHub leaves out (silently) a login it cannot assign.
 * Returns the assignees GitHub now has.
 */
export async function addAssignees(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  logins: string[]
): Promise<string[]> {
  const operation = 'POST /repos/{owner}/{repo}/issues/{issue_number}/assignees'
  const response = await client.request(operation, {
    ...repo,
    issue_number: issueNumber,
    assignees: logins
  })
  return parseResponse(githubIssueSchema, response.data, operation).assignees ?? []
}

/** Removes people from an issue's assignees (a login not assigned is no error); returns the rest. */
export async function removeAssignees(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  logins: string[]
): Promise<string[]> {
  const operation = 'DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees'
  const response = await client.request(operation, {
    ...repo,
    issue_number: issueNumber,
    assignees: logins
  })
  return parseResponse(githubIssueSchema, response.data, operation).assignees ?? []
}

/** The newest change of an issue's assignees: when, which way and whom (from its timeline). */
export interface AssigneeChange {
  at: string
  event: 'assigned' | 'unassigned'
  login: string | undefined
}

/** The newest `assigned` / `unassigned` event of the issue's timeline, if it has any. */
export async function lastAssigneeChange(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<AssigneeChange | undefined> {
  let latest: AssigneeChange | undefined
  for (const e of await listTimeline(client, repo, issueNumber)) {
    if ((e.event !== 'assigned' && e.event !== 'unassigned') || !e.created_at) continue
    if (Number.isNaN(Date.parse(e.created_at))) continue
    // The timeline runs oldest first: a later event (or one at the same second) replaces it.
    if (latest && Date.parse(e.created_at) < Date.parse(latest.at)) continue
    const login = (e as { assignee?: { login?: unknown } | null }).assignee?.login
    latest = {
      at: e.created_at,
      event: e.event,
      login: typeof login === 'string' ? login : undefined
    }
  }
  return latest
}

import { z } from 'zod'
import type { GitHubClient } from './client.js'
import { statusOf } from './errors.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'

/**
 * Reads a set-up check makes (`mode: check`): nothing here writes. One function per REST call,
 * each taking the client, as in ./issues.ts.
 */

export const githubRepositorySchema = z.looseObject({
  full_name: z.string(),
  private: z.boolean(),
  archived: z.boolean().optional(),
  has_issues: z.boolean(),
  default_branch: z.string(),
  /** The token's user's access; GitHub leaves it out for installation tokens. */
  permissions: z
    .looseObject({
      admin: z.boolean(),
      push: z.boolean(),
      pull: z.boolean(),
      triage: z.boolean().optional(),
      maintain: z.boolean().optional()
    })
    .optional()
})
export type GitHubRepository = z.infer<typeof githubRepositorySchema>

/**
 * The repository, and the scopes of a classic personal access token (the `x-oauth-scopes`
 * header; undefined when GitHub does not send it: other kinds of token).
 */
export async function getRepository(
  client: GitHubClient,
  repo: RepoRef
): Promise<{ repository: GitHubRepository; oauthScopes: string[] | undefined }> {
  const response = await client.rest.repos.get({ ...repo })
  const header = response.headers['x-oauth-scopes']
  return {
    repository: parseResponse(githubRepositorySchema, response.data, 'GET /repos/{owner}/{repo}'),
    oauthScopes:
      typeof header === 'string'
        ? header
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : undefined
  }
}

/** Whether `login` can be assigned issues in the repository (204 yes, 404 no). */
export async function canBeAssigned(
  client: GitHubClient,
  repo: RepoRef,
  login: string
): Promise<boolean> {
  try {
    await client.rest.issues.checkUserCanBeAssigned({ ...repo, assignee: login })
    return true
  } catch (error) {
    if (statusOf(error) === 404) return false
    throw error
  }
}

/**
 * The names of the organisation's issue types, or undefined when GitHub answers 404 (the owner is
 * not an organisation, or the token may not read them).
 */
export async function listIssueTypes(
  client: GitHubClient,
  org: string
): Promise<string[] | undefined> {
  let data: unknown
  try {
    data = (await client.request('GET /orgs/{org}/issue-types', { org })).data
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
  const types = parseResponse(
    z.array(z.looseObject({ name: z.string() }).nullable()),
    data,
    'GET /orgs/{org}/issue-types'
  )
  return types.flatMap((t) => (t ? [t.name] : []))
}

/** One issue search (the first result only): proves search answers on this host. */
export async function probeSearch(client: GitHubClient, q: string): Promise<number> {
  const response = await client.rest.search.issuesAndPullRequests({ q, per_page: 1 })
  return parseResponse(
    z.looseObject({ total_count: z.number() }),
    response.data,
    'GET /search/issues'
  ).total_count
}

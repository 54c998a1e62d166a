import { z } from 'zod'
import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'

/** The fields of an issue comment the action reads (sync-comments). */
export const githubCommentSchema = z.object({
  id: z.number().int(),
  body: z.string().nullish(),
  html_url: z.string(),
  created_at: z.string(),
  author_association: z.string().nullish(),
  user: z.looseObject({ login: z.string(), type: z.string().nullish() }).nullable()
})
export type GitHubComment = z.infer<typeof githubCommentSchema>

/** An issue's comments (oldest first), only those updated at or after `since` when given. */
export async function listComments(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  since?: string
): Promise<GitHubComment[]> {
  const items = await client.paginate(client.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
    ...(since ? { since } : {})
  })
  return parseResponse(
    z.array(githubCommentSchema),
    items,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
  )
}

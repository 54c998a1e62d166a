import type { GitHubClient } from './client.js'
import {
  githubIssueSchema,
  githubLabelSchema,
  parseResponse,
  type GitHubIssue,
  type GitHubLabel
} from './schemas.js'
import { z } from 'zod'
import { statusOf } from './errors.js'
import { signed } from '../render/comments.js'

/** One function per REST call; each takes the client, so callers and tests choose the policy. */

export interface RepoRef {
  owner: string
  repo: string
}

/**
 * Every issue (open and closed) carrying `label`, all pages, pull requests left out. Listing is
 * consistent at once, unlike search, so it sees issues created a moment ago.
 */
export async function listIssuesWithLabel(
  client: GitHubClient,
  repo: RepoRef,
  label: string
): Promise<GitHubIssue[]> {
  // Page by page: each page is checked and trimmed to the fields the action reads as it arrives,
  // so the raw pages (with every user, reaction and URL field GitHub sends) never pile up.
  const issues: GitHubIssue[] = []
  const pages = client.paginate.iterator(client.rest.issues.listForRepo, {
    ...repo,
    labels: label,
    state: 'all',
    sort: 'created',
    direction: 'asc',
    per_page: 100
  })
  for await (const page of pages) {
    const items = parseResponse(
      z.array(githubIssueSchema),
      page.data,
      'GET /repos/{owner}/{repo}/issues'
    )
    for (const issue of items) if (issue.pull_request === undefined) issues.push(issue)
  }
  return issues
}

export interface NewIssue {
  title: string
  body: string
  labels: string[]
  assignees?: string[]
  milestone?: number
  /** An issue type name (organisations with issue types). */
  type?: string
}

/**
 * Creates an issue. Never retried automatically: a create whose response is lost may still have
 * been stored, so the caller must look for it before trying again.
 */
export async function createIssue(
  client: GitHubClient,
  repo: RepoRef,
  issue: NewIssue
): Promise<GitHubIssue> {
  const response = await client.rest.issues.create({
    ...repo,
    title: issue.title,
    body: issue.body,
    labels: issue.labels,
    ...(issue.assignees?.length ? { assignees: issue.assignees } : {}),
    ...(issue.milestone !== undefined ? { milestone: issue.milestone } : {}),
    ...(issue.type ? { type: issue.type } : {}),
    request: { retries: 0 }
  })
  return parseResponse(githubIssueSchema, response.data, 'POST /repos/{owner}/{repo}/issues')
}

export async function getIssue(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<GitHubIssue> {
  const response = await client.rest.issues.get({ ...repo, issue_number: issueNumber })
  return parseResponse(
    githubIssueSchema,
    response.data,
    'GET /repos/{owner}/{repo}/issues/{issue_number}'
  )
}

export async function listLabels(client: GitHubClient, repo: RepoRef): Promise<GitHubLabel[]> {
  const items = await client.paginate(client.rest.issues.listLabelsForRepo, {
    ...repo,
    per_page: 100
  })
  return parseResponse(z.array(githubLabelSchema), items, 'GET /repos/{owner}/{repo}/labels')
}

export async function createLabel(
  client: GitHubClient,
  repo: RepoRef,
  label: Required<Pick<GitHubLabel, 'name'>> & { color: string; description: string }
): Promise<GitHubLabel> {
  const response = await client.rest.issues.createLabel({ ...repo, ...label })
  return parseResponse(githubLabelSchema, response.data, 'POST /repos/{owner}/{repo}/labels')
}

export interface SearchResult {
  items: GitHubIssue[]
  totalCount: number
  /** True when GitHub said the results are incomplete or the 1,000-result cap cut them. */
  incomplete: boolean
}

/**
 * Runs one issue search, following pages up to GitHub's 1,000-result cap. The client's search
 * limiter paces the pages (30 searches a minute).
 */
export async function searchIssues(client: GitHubClient, q: string): Promise<SearchResult> {
  const items: GitHubIssue[] = []
  let totalCount = 0
  let incomplete = false
  for (let page = 1; page <= 10; page++) {
    const response = await client.rest.search.issuesAndPullRequests({ q, per_page: 100, page })
    const data = parseResponse(searchResponseSchema, response.data, 'GET /search/issues')
    totalCount = data.total_count
    incomplete ||= data.incomplete_results
    items.push(...data.items)
    if (data.items.length < 100 || items.length >= totalCount) break
  }
  if (totalCount > items.length) incomplete = true
  return { items, totalCount, incomplete }
}

const searchResponseSchema = z.looseObject({
  total_count: z.number(),
  incomplete_results: z.boolean(),
  items: z.array(githubIssueSchema)
})

export interface IssuePatch {
  title?: string
  body?: string
  state?: 'open' | 'closed'
  state_reason?: 'completed' | 'not_planned' | 'reopened' | 'duplicate'
  /** With state_reason `duplicate`: the `id` (not number) of the issue this one duplicates. */
  duplicate_issue_id?: number
  labels?: string[]
}

export async function updateIssue(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  patch: IssuePatch
): Promise<GitHubIssue> {
  const response = await client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
    ...repo,
    issue_number: issueNumber,
    ...patch
  })
  return parseResponse(
    githubIssueSchema,
    response.data,
    'PATCH /repos/{owner}/{repo}/issues/{issue_number}'
  )
}

/** Adds labels to an issue (`POST …/labels`), leaving the others as they are. */
export async function addLabels(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  labels: string[]
): Promise<void> {
  await client.rest.issues.addLabels({ ...repo, issue_number: issueNumber, labels })
}

/** Removes one label from an issue; a label the issue no longer has (404) is not an error. */
export async function removeLabel(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  name: string
): Promise<void> {
  try {
    await client.rest.issues.removeLabel({ ...repo, issue_number: issueNumber, name })
  } catch (error) {
    if (statusOf(error) !== 404) throw error
  }
}

export async function createComment(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  body: string
): Promise<void> {
  // Never retried automatically: a comment whose answer was lost may have been stored, and
  // saying it twice is worse than once too few. Signed, so it never travels to Sentry.
  await client.rest.issues.createComment({
    ...repo,
    issue_number: issueNumber,
    body: signed(body),
    request: { retries: 0 }
  })
}

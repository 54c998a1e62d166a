import { z } from 'zod'
import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'
import { statusOf } from './errors.js'

/**
 * GitHub-native issue metadata: milestones, the organisation's issue fields and their values on an
 * issue. One function per REST call, each taking the client (as in ./issues.ts); every answer is
 * validated, keeping unknown keys.
 */

export const githubMilestoneSchema = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  description: z.string().nullish(),
  due_on: z.string().nullish(),
  open_issues: z.number().optional(),
  closed_issues: z.number().optional(),
  html_url: z.string().optional()
})
export type GitHubMilestone = z.infer<typeof githubMilestoneSchema>

const issueFieldOptionSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  color: z.string().nullish()
})

/**
 * An issue field of an organisation. `data_type` is `text`, `single_select`, `multi_select`,
 * `number` or `date` today; other strings are let through so that a new type does not break a run.
 */
export const issueFieldSchema = z.looseObject({
  id: z.number(),
  node_id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  data_type: z.string(),
  /** Single- and multi-select fields. */
  options: z.array(issueFieldOptionSchema).nullish()
})
export type IssueField = z.infer<typeof issueFieldSchema>

/**
 * A value of an issue field on an issue. For a single-select field `value` is the option's id and
 * `single_select_option` names it.
 */
export const issueFieldValueSchema = z.looseObject({
  issue_field_id: z.number(),
  node_id: z.string().optional(),
  issue_field_name: z.string().optional(),
  data_type: z.string(),
  value: z.union([z.string(), z.number()]).nullable(),
  single_select_option: issueFieldOptionSchema.nullish()
})
export type IssueFieldValue = z.infer<typeof issueFieldValueSchema>

/**
 * A value to set: a string for text and date (`YYYY-MM-DD`) fields, the option's name for a
 * single-select field, a number for a number field.
 */
export interface IssueFieldValueInput {
  field_id: number
  value: string | number
}

export interface ListMilestonesOptions {
  /** Default `all`, so that a title can be matched whatever the milestone's state. */
  state?: 'open' | 'closed' | 'all'
}

/** The repository's milestones, all pages. */
export async function listMilestones(
  client: GitHubClient,
  repo: RepoRef,
  options: ListMilestonesOptions = {}
): Promise<GitHubMilestone[]> {
  const items = await client.paginate(client.rest.issues.listMilestones, {
    ...repo,
    state: options.state ?? 'all',
    per_page: 100
  })
  return parseResponse(
    z.array(githubMilestoneSchema),
    items,
    'GET /repos/{owner}/{repo}/milestones'
  )
}

/**
 * The organisation's issue fields, or undefined when GitHub answers 404: the owner is not an
 * organisation, issue fields are not available to it, or the token may not read them.
 */
export async function listIssueFields(
  client: GitHubClient,
  org: string
): Promise<IssueField[] | undefined> {
  let data: unknown
  try {
    data = (await client.request('GET /orgs/{org}/issue-fields', { org })).data
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
  return parseResponse(z.array(issueFieldSchema), data, 'GET /orgs/{org}/issue-fields')
}

/** Every issue field value of an issue, all pages. */
export async function listIssueFieldValues(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number
): Promise<IssueFieldValue[]> {
  const items: unknown = await client.paginate(
    'GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values',
    { ...repo, issue_number: issueNumber, per_page: 100 }
  )
  return parseResponse(
    z.array(issueFieldValueSchema),
    items,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
  )
}

/**
 * Adds or updates the given field values of an issue, leaving its other fields as they are, and
 * returns all of its values. GitHub answers 422 for an unknown field id or option name and 404
 * when the organisation has no issue fields.
 *
 * With no values it writes nothing and returns the current values: GitHub's endpoint would clear
 * every value of the issue instead.
 */
export async function setIssueFieldValues(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  values: IssueFieldValueInput[]
): Promise<IssueFieldValue[]> {
  if (values.length === 0) return listIssueFieldValues(client, repo, issueNumber)
  const operation = 'POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
  const response = await client.request(operation, {
    ...repo,
    issue_number: issueNumber,
    issue_field_values: values.map(({ field_id, value }) => ({ field_id, value }))
  })
  return parseResponse(z.array(issueFieldValueSchema), response.data, operation)
}

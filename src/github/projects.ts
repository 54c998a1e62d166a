import { z } from 'zod'
import type { GitHubClient } from './client.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'

/**
 * Projects (v2) through GitHub's REST endpoints: a board, its fields, its items, adding an issue
 * and setting an item's fields. An organisation's board lives under `/orgs/{org}/projectsV2/…`, a
 * user's under `/users/{username}/projectsV2/…`. One function per REST call; every answer is
 * validated, keeping unknown keys.
 */

/** A board: its owner, whether that is an organisation or a user, and its number. */
export interface BoardRef {
  kind: 'org' | 'user'
  owner: string
  number: number
}

const optionSchema = z.looseObject({
  id: z.string(),
  name: z.looseObject({ raw: z.string() })
})

export const projectFieldSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  data_type: z.string(),
  options: z.array(optionSchema).optional()
})
export type ProjectField = z.infer<typeof projectFieldSchema>

const projectSchema = z.looseObject({
  id: z.number(),
  title: z.string().nullish(),
  closed: z.boolean().nullish()
})
export type Project = z.infer<typeof projectSchema>

const itemFieldSchema = z.looseObject({
  id: z.number().int(),
  value: z.unknown().optional()
})

export const projectItemSchema = z.looseObject({
  id: z.number(),
  content_type: z.string().nullish(),
  content: z
    .looseObject({
      number: z.number().int().optional(),
      repository_url: z.string().optional()
    })
    .nullish(),
  fields: z.array(itemFieldSchema).optional()
})
export type ProjectItem = z.infer<typeof projectItemSchema>

/** The path of a board: `/orgs/{org}/projectsV2/{n}` or `/users/{username}/projectsV2/{n}`. */
function base(board: BoardRef): { route: string; params: Record<string, string | number> } {
  return board.kind === 'org'
    ? {
        route: '/orgs/{org}/projectsV2/{project_number}',
        params: { org: board.owner, project_number: board.number }
      }
    : {
        route: '/users/{username}/projectsV2/{project_number}',
        params: { username: board.owner, project_number: board.number }
      }
}

/** The board itself (404 when it does not exist or the token cannot see it). */
export async function getProject(client: GitHubClient, board: BoardRef): Promise<Project> {
  const { route, params } = base(board)
  const data: unknown = (await client.request(`GET ${route}`, params)).data
  return parseResponse(projectSchema, data, `GET ${route}`)
}

/** Every field of the board, all pages. */
export async function listProjectFields(
  client: GitHubClient,
  board: BoardRef
): Promise<ProjectField[]> {
  const { route, params } = base(board)
  const data: unknown = await client.paginate(`GET ${route}/fields`, { ...params, per_page: 100 })
  return parseResponse(z.array(projectFieldSchema), data, `GET ${route}/fields`)
}

/**
 * Adds an issue of the repository to the board by its number and returns the item. GitHub answers
 * with the existing item when the issue is already on the board.
 */
export async function addIssueToProject(
  client: GitHubClient,
  board: BoardRef,
  repo: RepoRef,
  issueNumber: number
): Promise<ProjectItem> {
  const { route, params } = base(board)
  const data: unknown = (
    await client.request(`POST ${route}/items`, {
      ...params,
      type: 'Issue',
      owner: repo.owner,
      repo: repo.repo,
      number: issueNumber
    })
  ).data
  return parseResponse(projectItemSchema, data, `POST ${route}/items`)
}

/**
 * The board's items, all pages, with the values of the given fields. `query` narrows them with
 * the board's filter syntax (for example `repo:acme/web`).
 */
export async function listProjectItems(
  client: GitHubClient,
  board: BoardRef,
  fieldIds: readonly number[],
  query?: string
): Promise<ProjectItem[]> {
  const { route, params } = base(board)
  const data: unknown = await client.paginate(`GET ${route}/items`, {
    ...params,
    per_page: 100,
    ...(fieldIds.length > 0 ? { fields: fieldIds.join(',') } : {}),
    ...(query ? { q: query } : {})
  })
  return parseResponse(z.array(projectItemSchema), data, `GET ${route}/items`)
}

/** A value for a field: text, number or date as is, a single-select option by its id. */
export interface ProjectFieldUpdate {
  id: number
  value: string | number | null
}

/** Sets the given fields of an item, leaving its other fields as they are. */
export async function updateProjectItem(
  client: GitHubClient,
  board: BoardRef,
  itemId: number,
  fields: readonly ProjectFieldUpdate[]
): Promise<void> {
  const { route, params } = base(board)
  await client.request(`PATCH ${route}/items/{item_id}`, {
    ...params,
    item_id: itemId,
    fields: [...fields]
  })
}

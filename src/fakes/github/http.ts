/**
 * The vocabulary the fake GitHub's router and its resources share: a request as the router parsed
 * it (`Ctx`), an answer (`Reply`), a route, GitHub's error answers and the documentation URLs they
 * cite, and small helpers for reading requests and making ids. Nothing here holds state.
 */
import type { IncomingMessage } from 'node:http'
import type { GitHubState } from './state.js'

/** The rate-limit resource a request counts against. */
export type Resource = 'core' | 'search'

/** An answer: status, JSON body (none when undefined) and extra headers. */
export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** A request as the router parsed it. */
export interface Ctx {
  method: string
  /** Path without prefix (or the raw path when outside the prefix). */
  path: string
  outside: boolean
  query: URLSearchParams
  body: unknown
  bodyInvalid: boolean
  req: IncomingMessage
  requestId: string
  resource: Resource
  apiVersion: string
}

/** The path parameters of a matched route, by name (decoded). */
export type Params = Readonly<Record<string, string>>

/**
 * One endpoint. `path` is a pattern of segments: a literal, `:name` (any one segment) or `#name`
 * (digits only). Routes with `:owner` and `:repo` serve only the fake's repository (compared
 * case-insensitively); any other repository answers 404.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  /** A content-creating request: it counts against the secondary rate limit. */
  creates?: boolean
  handle: (s: GitHubState, ctx: Ctx, params: Params) => Reply
}

export const DOCS = {
  root: 'https://docs.github.com/rest',
  listIssues: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
  createIssue: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
  updateIssue: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  listComments: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  createComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  issueLabels: 'https://docs.github.com/rest/issues/labels#list-labels-for-an-issue',
  addLabels: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
  setLabels: 'https://docs.github.com/rest/issues/labels#set-labels-for-an-issue',
  removeLabel: 'https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue',
  listLabels: 'https://docs.github.com/rest/issues/labels#list-labels-for-a-repository',
  getLabel: 'https://docs.github.com/rest/issues/labels#get-a-label',
  createLabel: 'https://docs.github.com/rest/issues/labels#create-a-label',
  updateLabel: 'https://docs.github.com/rest/issues/labels#update-a-label',
  deleteLabel: 'https://docs.github.com/rest/issues/labels#delete-a-label',
  search: 'https://docs.github.com/v3/search/',
  searchIssues: 'https://docs.github.com/rest/search/search#search-issues-and-pull-requests',
  rateLimit:
    'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
  primaryLimit:
    'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits',
  secondaryLimit:
    'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  redirect:
    'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects',
  listMilestones: 'https://docs.github.com/rest/issues/milestones#list-milestones',
  createMilestone: 'https://docs.github.com/rest/issues/milestones#create-a-milestone',
  listIssueFields:
    'https://docs.github.com/rest/orgs/issue-fields#list-issue-fields-for-an-organization',
  listFieldValues:
    'https://docs.github.com/rest/issues/issue-field-values#list-issue-field-values-for-an-issue',
  addFieldValues:
    'https://docs.github.com/rest/issues/issue-field-values#add-issue-field-values-to-an-issue'
} as const

// ---------------------------------------------------------------------------------------------
// Error answers
// ---------------------------------------------------------------------------------------------

/** An error answer, thrown from deep inside a handler. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`GitHub ${status}`)
  }
}

export function errorBody(
  status: number,
  message: string,
  docs: string,
  errors?: unknown[]
): unknown {
  return errors === undefined
    ? { message, documentation_url: docs, status: String(status) }
    : { message, errors, documentation_url: docs, status: String(status) }
}

export function fail(status: number, message: string, docs: string, errors?: unknown[]): ApiError {
  return new ApiError(status, errorBody(status, message, docs, errors))
}

export function notFound(docs: string = DOCS.root): ApiError {
  return fail(404, 'Not Found', docs)
}

export function validationFailed(docs: string, ...errors: unknown[]): ApiError {
  return fail(422, 'Validation Failed', docs, errors)
}

/** GitHub's 422 for a text over its maximum length. */
export function tooLong(docs: string, resource: string, field: string, max: number): ApiError {
  return validationFailed(docs, {
    resource,
    code: 'custom',
    field,
    message: `${field} is too long (maximum is ${max} characters)`
  })
}

/** GitHub's JSON-schema style 422 ("Invalid request.\n\n..."). */
export function invalidRequest(docs: string, detail: string): ApiError {
  return fail(422, `Invalid request.\n\n${detail}`, docs)
}

export function notMember(
  docs: string,
  field: string,
  value: unknown,
  allowed: readonly unknown[]
): ApiError {
  return invalidRequest(
    docs,
    `For 'properties/${field}', ${JSON.stringify(value)} is not a member of ${JSON.stringify(allowed)}.`
  )
}

// ---------------------------------------------------------------------------------------------
// Reading requests
// ---------------------------------------------------------------------------------------------

/** The JSON body as an object (`{}` when empty); 422 when it is not an object. */
export function objectBody(ctx: Ctx, docs: string): Record<string, unknown> {
  if (ctx.body === undefined) return {}
  if (!isRecord(ctx.body)) {
    throw invalidRequest(docs, `${JSON.stringify(ctx.body)} is not an object.`)
  }
  return ctx.body
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function has(body: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(body, key)
}

export function parsePerPage(query: URLSearchParams): number {
  const n = Number.parseInt(query.get('per_page') ?? '', 10)
  if (!Number.isFinite(n) || n < 1) return 30
  return Math.min(n, 100)
}

export function parsePage(query: URLSearchParams): number {
  const n = Number.parseInt(query.get('page') ?? '', 10)
  return Number.isFinite(n) && n >= 1 ? n : 1
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function timeOf(value: string | null | undefined): number {
  if (!value) return Number.NaN
  return Date.parse(value)
}

/** Stable small positive number for a string (FNV-1a). */
export function hashId(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return (h % 90_000_000) + 10_000_000
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString('base64url')}`
}

export function lower(text: string): string {
  return text.toLowerCase()
}

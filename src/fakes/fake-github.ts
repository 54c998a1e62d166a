/**
 * An in-process fake of the GitHub REST API: the parts sentry-issues-action uses (issues, comments,
 * labels, issue search, rate limits) with api.github.com's shapes, status codes, headers and
 * pagination, so that the project's tests, benchmark and demo can drive a real Octokit over real
 * HTTP without a network.
 *
 *     const fake = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
 *     const octokit = getOctokit(fake.token, { baseUrl: fake.url })
 *     await octokit.rest.issues.create({ owner: 'acme', repo: 'web', title: 'Boom' })
 *     expect(fake.issues[0]?.title).toBe('Boom')
 *     await fake.close()
 *
 * What it models:
 * - One repository (`owner/repo`); any other repository answers 404. `pathPrefix: '/api/v3'` gives
 *   GitHub Enterprise Server style URLs.
 * - Issues and pull requests share one number sequence. Listing returns both (pull requests carry a
 *   `pull_request` object). Deleted issues answer 410, transferred ones 301 (307 for writes) with
 *   a `Location` (`/repositories/{id}/issues/{n}`) that the fake also serves, as the moved issue
 *   (reads, updates and new comments); both are left out of listings and search. Comments on
 *   locked issues are refused for app tokens (`lockedCommentsRefused`).
 * - A person acting between runs: `personEdit`, `personClose`, `personReopen`,
 *   `personSetLabels`, `transfer`, `deleteIssue` and `lock`, as `PERSON_LOGIN`.
 * - Search (`GET /search/issues`) with the common qualifiers, an index lag (`searchLagMs`) during
 *   which it keeps answering with the issue as it was before (or not at all, for a new issue), its
 *   own 30/min rate limit and the 1,000-result cap.
 * - The primary rate limit (`x-ratelimit-*` headers on every response, 403 when spent) and the
 *   secondary limit on content-creating requests (403 with `retry-after`).
 * - One-shot faults (`injectFault`): a status, a write that is stored but whose response is lost,
 *   a reset connection, a rate limit, a delay.
 * - Issue metadata: milestones (`milestones`, `addMilestone`, list and create), the owner's issue
 *   types (`issueTypes`), the organisation's issue fields (`issueFields`, listed at
 *   `/orgs/{org}/issue-fields`) and their values on issues (list and add), which assignees are
 *   assignable (`assignableUsers`) and a token without push access (`pushAccess: false`), with
 *   GitHub's 422s for an unknown milestone, type, assignee, field or option.
 * - Reads of a set-up check: the repository (with the token's `permissions`, and `x-oauth-scopes`
 *   from `oauthScopes`), whether a login can be assigned, and the organisation's issue types.
 *
 * The state is public on purpose: tests read `issues`, `labels` and `requests` directly and may
 * change issues in place (close one, drop a label) to simulate people acting on GitHub. Changes made
 * that way are seen by search at once; changes made through the API go through the index lag.
 *
 * Time: everything that depends on time (timestamps, search lag, rate-limit windows) reads the
 * injectable `now()` clock; only `latencyMs` and `delay` faults use real timers.
 */
import { randomBytes } from 'node:crypto'
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface FakeGitHubOptions {
  /** Repository owner. Default `acme`. */
  owner?: string
  /** Repository name. Default `web`. */
  repo?: string
  /**
   * The only token the fake accepts (as `token X` or `Bearer X`). Requests with another token or
   * none answer 401 "Bad credentials". Default `ghs_test_token`.
   */
  token?: string
  /** Login of the identity behind the token (author of created issues). Default `github-actions[bot]`. */
  userLogin?: string
  /** `''` for api.github.com style URLs (default), `'/api/v3'` for GHES style. */
  pathPrefix?: string
  /** Web origin used for `html_url`s. Default the fake's own origin (`http://127.0.0.1:PORT`). */
  serverUrl?: string
  /** Search sees an issue only this long after its creation or last edit. Default 0. */
  searchLagMs?: number
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Enforced primary rate limit. Without it the fake reports a 5,000/h budget that renews before it
   * runs out, so it never blocks. `remaining` defaults to `limit`; `resetEpochSeconds` to an hour on.
   */
  rateLimit?: { limit: number; remaining?: number; resetEpochSeconds?: number }
  /** Secondary limit on content-creating requests, over sliding 60 s and 3600 s windows. */
  secondaryLimit?: { contentWritesPerMinute?: number; contentWritesPerHour?: number }
  /** Search requests allowed per minute (resource `search`). Default 30, as on GitHub. */
  searchRequestsPerMinute?: number
  /** Fixed delay (real time) before every request is handled, for benchmarks. Default 0. */
  latencyMs?: number
  /** Answer `state_reason: "duplicate"` with 422, like older GHES versions. */
  rejectDuplicateStateReason?: boolean
  /**
   * The token may not create labels: `POST /labels` answers 403 "Resource not accessible by
   * integration", and unknown labels on issue writes are silently dropped instead of auto-created.
   */
  forbidLabelCreation?: boolean
  /** `GET /search/issues` answers 503. */
  searchUnavailable?: boolean
  /**
   * The kind of account that owns the repository. `'User'`: there is no organisation, so
   * `GET /orgs/{owner}/issue-fields` answers 404 and a `type` sent when creating an issue is
   * ignored, as GitHub does for user-owned repositories. Default `'Organization'`.
   */
  ownerType?: 'Organization' | 'User'
  /**
   * The owner's issue types, for example `['Bug', 'Task', 'Feature']` (matched case-insensitively).
   * Undefined (default): the owner has none; then creating an issue with a `type` answers 422
   * (organisations), and a `type` in an update is ignored.
   */
  issueTypes?: string[]
  /**
   * The organisation's issue fields; ids are assigned from 1001 on, option ids from 2001 on.
   * Undefined (default): issue fields are not available, so `GET /orgs/{org}/issue-fields` and the
   * issue-field-values endpoints answer 404 and `issue_field_values` on issue writes is ignored.
   */
  issueFields?: Array<{
    name: string
    data_type: FakeIssueFieldDataType
    /** Option names of a single-select field. */
    options?: string[]
    description?: string
  }>
  /**
   * Logins that can be assigned (case-insensitive); an issue's author and commenters always can.
   * Undefined (default): anyone can.
   */
  assignableUsers?: string[]
  /**
   * Whether the token has push access. `false`: labels, assignees, milestone, type and issue field
   * values sent with an issue create or update are silently dropped (as documented), and adding
   * issue field values answers 403. Default `true`.
   */
  pushAccess?: boolean
  /**
   * Comments on a locked issue answer 403 "Unable to create comment because issue is locked.".
   * GitHub lets people with write access comment on locked conversations, but refuses GitHub Apps
   * and installation tokens such as `GITHUB_TOKEN` even with `issues: write` (reported for
   * probot/stale#25, renovatebot/renovate#6215, semantic-release/github#221). Default: refused
   * when `userLogin` is a bot (`…[bot]`), allowed for a person's token.
   */
  lockedCommentsRefused?: boolean
}

/** The login of the person the `person…` helpers act as (not the token's user). */
export const PERSON_LOGIN = 'octocat-person'

export interface FakeComment {
  id: number
  body: string
  created_at: string
  updated_at?: string
  /** Author; defaults to the token's user. */
  user_login?: string
}

export interface FakeIssue {
  number: number
  /** Database id (what `duplicate_issue_id` refers to). */
  id: number
  node_id: string
  title: string
  body: string | null
  state: 'open' | 'closed'
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null
  /** Label names (canonical case, as in `FakeGitHub.labels`). */
  labels: string[]
  assignees: string[]
  /** Milestone number; the fake synthesises the milestone object. */
  milestone: number | null
  created_at: string
  updated_at: string
  closed_at: string | null
  locked: boolean
  /** A pull request rather than an issue. */
  pull_request?: boolean
  comments: FakeComment[]
  user_login: string
  /** Moved to another repository: answers 301. */
  transferred?: boolean
  /** Where a transferred issue went. Default: same number in `{owner}/{repo}-moved`. */
  transferred_to?: { owner: string; repo: string; number: number }
  /**
   * The token cannot read the repository the issue went to (a `GITHUB_TOKEN` only reads its own
   * repository): GitHub then answers 404 instead of redirecting.
   */
  transferred_unreadable?: boolean
  /** Deleted: answers 410. */
  deleted?: boolean
  /** Who closed it (set when closed through the API); rendered as `closed_by`. */
  closed_by_login?: string | null
  /** Database id of the issue it was closed as a duplicate of (`duplicate_issue_id`). */
  duplicate_of_id?: number | null
  /** Issue type name (rendered as the type object), or null/absent for none. */
  type?: string | null
  /** Issue field values (see {@link FakeIssueFieldValue}). */
  field_values?: FakeIssueFieldValue[]
}

export interface FakeLabel {
  id: number
  name: string
  color: string
  description: string | null
}

/** A milestone of the repository; issues refer to it by `number`. */
export interface FakeMilestone {
  number: number
  id: number
  title: string
  description: string | null
  state: 'open' | 'closed'
  /** ISO 8601 date-time, or null. */
  due_on: string | null
  created_at: string
  updated_at: string
  closed_at: string | null
  /** Who created it. Default: the token's user. */
  creator_login: string
}

/** The colours GitHub allows for issue types and issue-field options. */
export type FakeIssueColor =
  'gray' | 'blue' | 'green' | 'yellow' | 'orange' | 'red' | 'pink' | 'purple'

/** An issue type of the owner. */
export interface FakeIssueType {
  id: number
  name: string
  description: string | null
  color: FakeIssueColor | null
}

export type FakeIssueFieldDataType = 'text' | 'single_select' | 'number' | 'date'

/** An issue field of the organisation. */
export interface FakeIssueField {
  id: number
  node_id: string
  name: string
  description: string | null
  data_type: FakeIssueFieldDataType
  /** Single-select fields only. */
  options?: Array<{ id: number; name: string; color: FakeIssueColor }>
  created_at: string
  updated_at: string
}

/**
 * A value of an issue field on an issue: a string (text, date, and single-select, where it is the
 * option's name) or a number.
 */
export interface FakeIssueFieldValue {
  field_id: number
  value: string | number
}

export interface FakeRequest {
  method: string
  /** Path without the prefix and query, e.g. `/repos/acme/web/issues`. */
  path: string
  query: URLSearchParams
  /** Parsed JSON body (the raw text when it is not JSON; undefined when empty). */
  body: unknown
  /** Status answered; 0 while pending or when the connection was reset. */
  status: number
}

/** A request and the answer the fake gives it, as reported to `onExchange`. */
export interface FakeGitHubExchange {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  /** 0 when the connection was reset instead of answered. */
  status: number
  responseBody: unknown
}

/**
 * A one-shot fault. It applies to the next request(s) matching `method` (case-insensitive) and
 * `pathIncludes` (a substring of the path without prefix, query string included), `times` times
 * (default 1). Faults apply before authentication, in the order they were injected.
 */
export type GitHubFault = { times?: number; method?: string; pathIncludes?: string } & (
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'store-then-fail'; status: number }
  | { kind: 'reset' }
  | { kind: 'secondary-limit'; retryAfter?: number }
  | { kind: 'primary-exhausted'; resetInSeconds?: number }
  | { kind: 'delay'; ms: number }
)

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

const API_VERSION = '2022-11-28'
const SUPPORTED_API_VERSIONS = new Set(['2022-11-28', '2026-03-10'])
const REPO_ID = 1296269
const BOT_LOGIN = 'github-actions[bot]'
const BOT_ID = 41898282
const MAX_TITLE = 256
const MAX_BODY = 65536
const MAX_LABEL_NAME = 50
const MAX_LABEL_DESCRIPTION = 100
const MAX_QUERY = 256
const SEARCH_CAP = 1000
const DEFAULT_LABEL_COLOR = 'ededed'
const UNLIMITED_CORE = 5000

const DOCS = {
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

const ISSUE_COLORS: readonly FakeIssueColor[] = [
  'gray',
  'blue',
  'green',
  'yellow',
  'orange',
  'red',
  'pink',
  'purple'
]

/** GitHub's default issue types of an organisation. */
const DEFAULT_ISSUE_TYPES: Record<string, { description: string; color: FakeIssueColor }> = {
  task: { description: 'A specific piece of work', color: 'yellow' },
  bug: { description: 'An unexpected problem or behavior', color: 'red' },
  feature: { description: 'A request, idea, or new functionality', color: 'blue' }
}

/** Node id prefixes of issue fields by data type (as in GitHub's examples). */
const FIELD_NODE_PREFIX: Record<FakeIssueFieldDataType, string> = {
  text: 'IFT',
  single_select: 'IFSS',
  number: 'IFN',
  date: 'IFD'
}

const STATE_REASONS = ['completed', 'not_planned', 'reopened', 'duplicate'] as const
type StateReason = (typeof STATE_REASONS)[number]

// ---------------------------------------------------------------------------------------------
// Internal types and helpers
// ---------------------------------------------------------------------------------------------

type Resource = 'core' | 'search'

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

interface Ctx {
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

interface Bucket {
  limit: number
  remaining: number
  /** Epoch seconds. */
  resetAt: number
  /** Window length in seconds. */
  window: number
  /** Blocks when spent (otherwise renews early). */
  enforced: boolean
  /** Spent by a `primary-exhausted` fault: blocks until `resetAt` even when not enforced. */
  forced: boolean
}

interface PendingFault {
  fault: GitHubFault
  left: number
}

interface IndexVersion {
  visibleAt: number
  snapshot: FakeIssue
}

interface RepoLoc {
  owner: string
  repo: string
}

/** An error answer, thrown from deep inside a handler. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`GitHub ${status}`)
  }
}

function errorBody(status: number, message: string, docs: string, errors?: unknown[]): unknown {
  return errors === undefined
    ? { message, documentation_url: docs, status: String(status) }
    : { message, errors, documentation_url: docs, status: String(status) }
}

function fail(status: number, message: string, docs: string, errors?: unknown[]): ApiError {
  return new ApiError(status, errorBody(status, message, docs, errors))
}

function notFound(docs: string = DOCS.root): ApiError {
  return fail(404, 'Not Found', docs)
}

function validationFailed(docs: string, ...errors: unknown[]): ApiError {
  return fail(422, 'Validation Failed', docs, errors)
}

/** GitHub's JSON-schema style 422 ("Invalid request.\n\n..."). */
function invalidRequest(docs: string, detail: string): ApiError {
  return fail(422, `Invalid request.\n\n${detail}`, docs)
}

function notMember(
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

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function timeOf(value: string | null | undefined): number {
  if (!value) return Number.NaN
  return Date.parse(value)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function newRequestId(): string {
  const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase()
  return `${hex(2)}:${hex(2)}:${hex(4).slice(1)}:${hex(4).slice(1)}:${hex(4)}`
}

/** Stable small positive number for a string (FNV-1a). */
function hashId(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return (h % 90_000_000) + 10_000_000
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString('base64url')}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function has(body: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(body, key)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parsePerPage(query: URLSearchParams): number {
  const n = Number.parseInt(query.get('per_page') ?? '', 10)
  if (!Number.isFinite(n) || n < 1) return 30
  return Math.min(n, 100)
}

function parsePage(query: URLSearchParams): number {
  const n = Number.parseInt(query.get('page') ?? '', 10)
  return Number.isFinite(n) && n >= 1 ? n : 1
}

function lower(text: string): string {
  return text.toLowerCase()
}

// ---------------------------------------------------------------------------------------------
// Search query parsing
// ---------------------------------------------------------------------------------------------

interface SearchTerm {
  negate: boolean
  /** Qualifier name (lower case), absent for words and phrases. */
  key?: string
  value: string
}

const QUALIFIERS = new Set([
  'repo',
  'user',
  'org',
  'is',
  'type',
  'state',
  'in',
  'label',
  'no',
  'author',
  'assignee',
  'created',
  'updated',
  'closed',
  'reason',
  'sort'
])

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text
}

/** Splits a search query into qualifiers, quoted phrases and words. */
function parseSearchQuery(q: string): SearchTerm[] {
  const terms: SearchTerm[] = []
  const space = (c: string | undefined): boolean => c !== undefined && /\s/.test(c)
  let i = 0
  while (i < q.length) {
    while (space(q[i])) i++
    if (i >= q.length) break
    let negate = false
    if (q[i] === '-' && i + 1 < q.length && !space(q[i + 1])) {
      negate = true
      i++
    }
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1)
      const stop = end === -1 ? q.length : end
      const phrase = q.slice(i + 1, stop)
      i = stop + 1
      if (phrase.length > 0) terms.push({ negate, value: phrase })
      continue
    }
    const start = i
    while (i < q.length && !space(q[i])) {
      if (q[i] === '"') {
        const end = q.indexOf('"', i + 1)
        i = end === -1 ? q.length : end + 1
      } else {
        i++
      }
    }
    const token = q.slice(start, i)
    if (!negate && (token === 'AND' || token === 'OR' || token === 'NOT')) continue
    const m = /^([A-Za-z_-]+):(.*)$/s.exec(token)
    const key = m?.[1]?.toLowerCase()
    if (m && key !== undefined && QUALIFIERS.has(key)) {
      terms.push({ negate, key, value: unquote(m[2] ?? '') })
    } else {
      terms.push({ negate, value: unquote(token) })
    }
  }
  return terms
}

/** A predicate for `created:`/`updated:`/`closed:` values (`>=2024-01-01`, `a..b`, `2024-01-01`). */
function dateMatcher(expr: string): (value: string | null) => boolean {
  const dateOnly = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s)
  const start = (s: string): number => (s === '*' ? -Infinity : Date.parse(s))
  const end = (s: string): number =>
    s === '*' ? Infinity : dateOnly(s) ? Date.parse(s) + 86_400_000 - 1 : Date.parse(s)
  let test: (t: number) => boolean
  const range = /^(.+)\.\.(.+)$/.exec(expr)
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(expr)
  if (range) {
    const a = start(range[1] ?? '')
    const b = end(range[2] ?? '')
    test = (t) => t >= a && t <= b
  } else if (cmp) {
    const op = cmp[1]
    const raw = cmp[2] ?? ''
    if (op === '>=') test = (t) => t >= start(raw)
    else if (op === '>') test = (t) => t > end(raw)
    else if (op === '<=') test = (t) => t <= end(raw)
    else test = (t) => t < start(raw)
  } else {
    const a = start(expr)
    const b = end(expr)
    test = (t) => t >= a && t <= b
  }
  return (value) => {
    const t = timeOf(value)
    return !Number.isNaN(t) && test(t)
  }
}

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

export class FakeGitHub {
  /** API base URL (origin + pathPrefix): what `GITHUB_API_URL` / Octokit's `baseUrl` would be. */
  readonly url: string
  /** Web origin used in `html_url`s. */
  readonly serverUrl: string
  readonly owner: string
  readonly repo: string
  readonly token: string
  /** Login of the identity behind the token. */
  readonly userLogin: string
  readonly pathPrefix: string
  /** The kind of account that owns the repository. */
  readonly ownerType: 'Organization' | 'User'

  /** All issues and pull requests, in creation order. Tests may read and change them in place. */
  issues: FakeIssue[] = []
  /** The repository's labels. */
  labels: FakeLabel[] = []
  /** The repository's milestones (`addMilestone` seeds one). */
  milestones: FakeMilestone[] = []
  /** The owner's issue types; undefined when it has none. */
  issueTypes: FakeIssueType[] | undefined
  /** The organisation's issue fields; undefined when issue fields are not available. */
  issueFields: FakeIssueField[] | undefined
  /** Every request received, in arrival order. */
  requests: FakeRequest[] = []

  /** Mutable copies of the options of the same name, so a test can change them mid-way. */
  searchLagMs: number
  latencyMs: number
  rejectDuplicateStateReason: boolean
  forbidLabelCreation: boolean
  searchUnavailable: boolean
  secondaryLimit: { contentWritesPerMinute?: number; contentWritesPerHour?: number } | undefined
  assignableUsers: string[] | undefined
  pushAccess: boolean
  lockedCommentsRefused: boolean
  /**
   * Scopes of a classic personal access token, sent as `x-oauth-scopes` with the repository
   * (`GET /repos/{owner}/{repo}`). Undefined (default): not sent, as for other kinds of token.
   */
  oauthScopes: string[] | undefined = undefined
  /** Called with every request and its answer just before it is sent (contract checks). Must not throw. */
  onExchange: ((exchange: FakeGitHubExchange) => void) | undefined = undefined

  private readonly server: Server
  private readonly origin: string
  private readonly clock: () => number
  private readonly faults: PendingFault[] = []
  private readonly core: Bucket
  private readonly search: Bucket
  private contentWrites: number[] = []
  private index = new WeakMap<FakeIssue, IndexVersion[]>()
  private readonly movedRepos = new Map<number, RepoLoc>()
  private lastIssueId = 3_100_000_000
  private lastCommentId = 2_400_000_000
  private lastLabelId = 7_000_000_000

  private constructor(server: Server, port: number, opts: FakeGitHubOptions) {
    this.server = server
    this.origin = `http://127.0.0.1:${port}`
    let prefix = opts.pathPrefix ?? ''
    if (prefix !== '' && !prefix.startsWith('/')) prefix = `/${prefix}`
    prefix = prefix.replace(/\/+$/, '')
    this.pathPrefix = prefix
    this.url = this.origin + prefix
    this.serverUrl = (opts.serverUrl ?? this.origin).replace(/\/+$/, '')
    this.owner = opts.owner ?? 'acme'
    this.repo = opts.repo ?? 'web'
    this.token = opts.token ?? 'ghs_test_token'
    this.userLogin = opts.userLogin ?? BOT_LOGIN
    this.clock = opts.now ?? Date.now
    this.searchLagMs = opts.searchLagMs ?? 0
    this.latencyMs = opts.latencyMs ?? 0
    this.rejectDuplicateStateReason = opts.rejectDuplicateStateReason ?? false
    this.forbidLabelCreation = opts.forbidLabelCreation ?? false
    this.searchUnavailable = opts.searchUnavailable ?? false
    this.ownerType = opts.ownerType ?? 'Organization'
    this.assignableUsers = opts.assignableUsers ? [...opts.assignableUsers] : undefined
    this.pushAccess = opts.pushAccess ?? true
    this.lockedCommentsRefused = opts.lockedCommentsRefused ?? this.userLogin.endsWith('[bot]')
    this.issueTypes = opts.issueTypes?.map((name) => {
      const known = DEFAULT_ISSUE_TYPES[lower(name)]
      return {
        id: hashId(`issue-type:${lower(name)}`),
        name,
        description: known?.description ?? null,
        color: known?.color ?? 'gray'
      }
    })
    const fieldsCreated = iso(this.clock())
    let optionId = 2000
    this.issueFields = opts.issueFields?.map((spec, i) => {
      const id = 1001 + i
      return {
        id,
        node_id: nodeId(FIELD_NODE_PREFIX[spec.data_type], id),
        name: spec.name,
        description: spec.description ?? null,
        data_type: spec.data_type,
        ...(spec.data_type === 'single_select'
          ? {
              options: (spec.options ?? []).map((name, j) => ({
                id: ++optionId,
                name,
                color: ISSUE_COLORS[(j + 5) % ISSUE_COLORS.length] ?? 'gray'
              }))
            }
          : {}),
        created_at: fieldsCreated,
        updated_at: fieldsCreated
      }
    })
    this.secondaryLimit = opts.secondaryLimit
    const nowS = Math.ceil(this.clock() / 1000)
    this.core = opts.rateLimit
      ? {
          limit: opts.rateLimit.limit,
          remaining: opts.rateLimit.remaining ?? opts.rateLimit.limit,
          resetAt: opts.rateLimit.resetEpochSeconds ?? nowS + 3600,
          window: 3600,
          enforced: true,
          forced: false
        }
      : {
          limit: UNLIMITED_CORE,
          remaining: UNLIMITED_CORE,
          resetAt: nowS + 3600,
          window: 3600,
          enforced: false,
          forced: false
        }
    const searchLimit = opts.searchRequestsPerMinute ?? 30
    this.search = {
      limit: searchLimit,
      remaining: searchLimit,
      resetAt: nowS + 60,
      window: 60,
      enforced: true,
      forced: false
    }
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const server = createServer()
    server.keepAliveTimeout = 1000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const port = (server.address() as AddressInfo).port
    const fake = new FakeGitHub(server, port, opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.onRequest(req, res)
    })
    return fake
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** Number of non-GET requests received (whatever their outcome). */
  writeCount(): number {
    return this.requests.filter((r) => r.method !== 'GET').length
  }

  resetRequests(): void {
    this.requests = []
  }

  /** Queues a one-shot fault (see {@link GitHubFault}). */
  injectFault(f: GitHubFault): void {
    this.faults.push({ fault: f, left: Math.max(1, f.times ?? 1) })
  }

  /**
   * Seeds an issue. Defaults: next number, open, no labels, created now by the token's user.
   * Unknown labels are added to `labels`. Search sees it `searchLagMs` after its `updated_at`
   * (so an issue seeded with a past date is searchable at once).
   */
  addIssue(partial: Partial<FakeIssue> & { title: string }): FakeIssue {
    const now = this.clock()
    const createdAt = partial.created_at ? iso(Date.parse(partial.created_at)) : iso(now)
    const updatedAt = partial.updated_at ? iso(Date.parse(partial.updated_at)) : createdAt
    const state = partial.state ?? 'open'
    const id = partial.id ?? this.nextIssueId()
    const issue: FakeIssue = {
      ...partial,
      number: partial.number ?? this.nextNumber(),
      id,
      node_id: partial.node_id ?? nodeId(partial.pull_request ? 'PR' : 'I', id),
      title: partial.title,
      body: partial.body ?? null,
      state,
      state_reason: partial.state_reason ?? (state === 'closed' ? 'completed' : null),
      labels: this.canonicalLabels(partial.labels ?? [], 'seed'),
      assignees: [...(partial.assignees ?? [])],
      milestone: partial.milestone ?? null,
      type: partial.type ?? null,
      field_values: (partial.field_values ?? []).map((v) => ({ ...v })),
      created_at: createdAt,
      updated_at: updatedAt,
      closed_at: partial.closed_at ?? (state === 'closed' ? updatedAt : null),
      locked: partial.locked ?? false,
      comments: (partial.comments ?? []).map((c) => ({ ...c })),
      user_login: partial.user_login ?? this.userLogin
    }
    if (issue.milestone !== null && !this.findMilestone(issue.milestone)) {
      this.addMilestone(`Milestone ${issue.milestone}`, { number: issue.milestone })
    }
    this.issues.push(issue)
    this.indexVersion(issue, Date.parse(updatedAt))
    return issue
  }

  /**
   * Seeds a milestone. Defaults: the next number, open, no description or due date, created now by
   * the token's user. Throws when the number is taken.
   */
  addMilestone(title: string, opts: Partial<Omit<FakeMilestone, 'title'>> = {}): FakeMilestone {
    const number = opts.number ?? this.milestones.reduce((max, m) => Math.max(max, m.number), 0) + 1
    if (this.findMilestone(number)) throw new Error(`FakeGitHub: milestone ${number} exists`)
    const now = iso(this.clock())
    const state = opts.state ?? 'open'
    const milestone: FakeMilestone = {
      number,
      id: opts.id ?? 9_000_000 + number,
      title,
      description: opts.description ?? null,
      state,
      due_on: opts.due_on ?? null,
      created_at: opts.created_at ?? now,
      updated_at: opts.updated_at ?? opts.created_at ?? now,
      closed_at: opts.closed_at ?? (state === 'closed' ? now : null),
      creator_login: opts.creator_login ?? this.userLogin
    }
    this.milestones.push(milestone)
    return milestone
  }

  /** Seeds an open pull request. */
  addPullRequest(title: string, labels: string[] = []): FakeIssue {
    return this.addIssue({ title, labels, pull_request: true, body: null })
  }

  // -------------------------------------------------------------------------------------------
  // A person acting on GitHub between runs (as `PERSON_LOGIN`, not the token's user). Each change
  // is stored as GitHub would make it: `updated_at` touched, and search sees it after the lag.
  // -------------------------------------------------------------------------------------------

  /** A person edits the issue's body. */
  personEdit(number: number, body: string): FakeIssue {
    const issue = this.personIssue(number)
    issue.body = body
    this.touch(issue, this.clock())
    return issue
  }

  /**
   * A person closes the issue with a reason (`duplicate` with the issue it duplicates):
   * `state_reason`, `closed_at` and `closed_by` are set as GitHub sets them.
   */
  personClose(
    number: number,
    reason: 'completed' | 'not_planned' | 'duplicate',
    duplicateOf?: number
  ): FakeIssue {
    const issue = this.personIssue(number)
    const original = duplicateOf === undefined ? undefined : this.personIssue(duplicateOf)
    if ((reason === 'duplicate') !== (original !== undefined) || original === issue) {
      throw new Error('FakeGitHub.personClose: a duplicate needs another issue, only a duplicate')
    }
    const nowMs = this.clock()
    if (issue.state === 'open') issue.closed_at = iso(nowMs)
    issue.state = 'closed'
    issue.state_reason = reason
    issue.closed_by_login = PERSON_LOGIN
    issue.duplicate_of_id = original?.id ?? null
    this.touch(issue, nowMs)
    return issue
  }

  /** A person reopens the issue (`state_reason: "reopened"`, no `closed_at` or `closed_by`). */
  personReopen(number: number): FakeIssue {
    const issue = this.personIssue(number)
    issue.state = 'open'
    issue.state_reason = 'reopened'
    issue.closed_at = null
    issue.closed_by_login = null
    issue.duplicate_of_id = null
    this.touch(issue, this.clock())
    return issue
  }

  /** A person sets the issue's labels (labels not in the repository yet are created). */
  personSetLabels(number: number, labels: string[]): FakeIssue {
    const issue = this.personIssue(number)
    issue.labels = this.canonicalLabels(labels, 'seed')
    this.touch(issue, this.clock())
    return issue
  }

  /**
   * A person transfers the issue to another repository (default `{owner}/{repo}-moved`, same
   * number). `readable: false`: the token cannot read that repository, so GitHub answers 404.
   */
  transfer(
    number: number,
    to?: { owner: string; repo: string; number: number },
    opts: { readable?: boolean } = {}
  ): FakeIssue {
    const issue = this.personIssue(number)
    issue.transferred = true
    if (to) issue.transferred_to = { ...to }
    issue.transferred_unreadable = opts.readable === false
    this.touch(issue, this.clock())
    return issue
  }

  /** A person deletes the issue: it answers 410 and leaves listings and search. */
  deleteIssue(number: number): void {
    const issue = this.personIssue(number)
    issue.deleted = true
    this.touch(issue, this.clock())
  }

  /** A person locks the issue's conversation. */
  lock(number: number): FakeIssue {
    const issue = this.personIssue(number)
    issue.locked = true
    this.touch(issue, this.clock())
    return issue
  }

  private personIssue(number: number): FakeIssue {
    const issue = this.issues.find((i) => i.number === number && !i.deleted && !i.transferred)
    if (!issue) throw new Error(`FakeGitHub: no issue #${number} in ${this.owner}/${this.repo}`)
    return issue
  }

  // -------------------------------------------------------------------------------------------
  // Request pipeline
  // -------------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId()
    let ctx: Ctx | undefined
    let record: FakeRequest | undefined
    try {
      const raw = await readBody(req)
      const method = (req.method ?? 'GET').toUpperCase()
      const parsed = new URL(req.url ?? '/', 'http://localhost')
      const stripped = this.stripPrefix(parsed.pathname)
      let body: unknown = undefined
      let bodyInvalid = false
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw) as unknown
        } catch {
          body = raw
          bodyInvalid = true
        }
      }
      const path = stripped ?? parsed.pathname
      const requested = req.headers['x-github-api-version']
      ctx = {
        method,
        path,
        outside: stripped === undefined,
        query: parsed.searchParams,
        body,
        bodyInvalid,
        req,
        requestId,
        resource: stripped?.startsWith('/search/') ? 'search' : 'core',
        apiVersion:
          typeof requested === 'string' && SUPPORTED_API_VERSIONS.has(requested)
            ? requested
            : API_VERSION
      }
      record = { method, path, query: new URLSearchParams(parsed.searchParams), body, status: 0 }
      this.requests.push(record)
      if (this.latencyMs > 0) await sleep(this.latencyMs)
      const reply = await this.process(ctx)
      if (reply === 'reset') {
        this.reportExchange(ctx, { status: 0 })
        req.socket.destroy()
        return
      }
      record.status = reply.status
      this.send(res, ctx, reply)
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500
      if (record) record.status = status
      const reply: Reply =
        error instanceof ApiError
          ? { status, body: error.body, headers: error.headers }
          : { status, body: errorBody(500, `Fake GitHub error: ${String(error)}`, DOCS.root) }
      if (ctx) this.send(res, ctx, reply)
      else if (!res.headersSent && !res.destroyed) res.writeHead(status).end()
    }
  }

  private async process(ctx: Ctx): Promise<Reply | 'reset'> {
    let storeThenFail: number | undefined
    const fault = this.takeFault(ctx)
    if (fault) {
      switch (fault.kind) {
        case 'delay':
          await sleep(fault.ms)
          break
        case 'reset':
          return 'reset'
        case 'status':
          return {
            status: fault.status,
            headers: fault.headers,
            body:
              fault.body === undefined
                ? errorBody(fault.status, STATUS_CODES[fault.status] ?? 'Error', DOCS.root)
                : fault.body
          }
        case 'secondary-limit':
          return this.secondaryLimitReply(ctx, fault.retryAfter ?? 60)
        case 'primary-exhausted': {
          const bucket = ctx.resource === 'search' ? this.search : this.core
          bucket.remaining = 0
          bucket.forced = true
          bucket.resetAt = Math.ceil(this.clock() / 1000 + (fault.resetInSeconds ?? 60))
          return this.primaryLimitReply(ctx)
        }
        case 'store-then-fail':
          storeThenFail = fault.status
          break
      }
    }

    if (!this.authorized(ctx.req)) throw fail(401, 'Bad credentials', DOCS.root)

    if (ctx.path !== '/rate_limit' || ctx.outside) {
      const bucket = ctx.resource === 'search' ? this.search : this.core
      this.refreshBucket(bucket)
      if (bucket.remaining <= 0 && (bucket.enforced || bucket.forced)) {
        return this.primaryLimitReply(ctx)
      }
      if (!bucket.enforced && bucket.remaining <= 1) {
        bucket.remaining = bucket.limit
        bucket.resetAt = Math.ceil(this.clock() / 1000) + bucket.window
      }
      bucket.remaining -= 1
    }

    if (this.isContentCreating(ctx) && this.secondaryLimited()) {
      return this.secondaryLimitReply(ctx, 60)
    }

    if (ctx.bodyInvalid) throw fail(400, 'Problems parsing JSON', DOCS.root)

    let reply: Reply
    try {
      reply = this.route(ctx)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      reply = { status: error.status, body: error.body, headers: error.headers }
    }
    if (storeThenFail !== undefined) {
      return {
        status: storeThenFail,
        body: errorBody(storeThenFail, STATUS_CODES[storeThenFail] ?? 'Error', DOCS.root)
      }
    }
    return reply
  }

  private reportExchange(ctx: Ctx, reply: Reply): void {
    const { method, path, body } = ctx
    const query = new URLSearchParams(ctx.query)
    this.onExchange?.({ method, path, query, body, status: reply.status, responseBody: reply.body })
  }

  private send(res: ServerResponse, ctx: Ctx, reply: Reply): void {
    this.reportExchange(ctx, reply)
    if (res.headersSent || res.destroyed) return
    const bucket = ctx.resource === 'search' ? this.search : this.core
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      server: 'github.com',
      'x-github-request-id': ctx.requestId,
      'x-github-api-version-selected': ctx.apiVersion,
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(Math.max(0, bucket.remaining)),
      'x-ratelimit-used': String(bucket.limit - Math.max(0, bucket.remaining)),
      'x-ratelimit-reset': String(bucket.resetAt),
      'x-ratelimit-resource': ctx.resource,
      ...(reply.headers ?? {})
    }
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body)
    if (payload !== '') headers['content-length'] = String(Buffer.byteLength(payload))
    res.writeHead(reply.status, headers)
    res.end(payload)
  }

  private stripPrefix(pathname: string): string | undefined {
    if (this.pathPrefix === '') return pathname
    if (pathname === this.pathPrefix) return '/'
    if (pathname.startsWith(`${this.pathPrefix}/`)) return pathname.slice(this.pathPrefix.length)
    return undefined
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header)
    return m?.[1] === this.token
  }

  private takeFault(ctx: Ctx): GitHubFault | undefined {
    const target = ctx.query.size > 0 ? `${ctx.path}?${ctx.query.toString()}` : ctx.path
    const targetDecoded = (() => {
      try {
        return decodeURIComponent(target.replace(/\+/g, ' '))
      } catch {
        return target
      }
    })()
    const i = this.faults.findIndex(
      ({ fault }) =>
        (fault.method === undefined || fault.method.toUpperCase() === ctx.method) &&
        (fault.pathIncludes === undefined ||
          target.includes(fault.pathIncludes) ||
          targetDecoded.includes(fault.pathIncludes))
    )
    const pending = this.faults[i]
    if (!pending) return undefined
    pending.left -= 1
    if (pending.left <= 0) this.faults.splice(i, 1)
    return pending.fault
  }

  // -------------------------------------------------------------------------------------------
  // Rate limits
  // -------------------------------------------------------------------------------------------

  private refreshBucket(bucket: Bucket): void {
    const nowS = this.clock() / 1000
    if (nowS >= bucket.resetAt) {
      bucket.remaining = bucket.limit
      bucket.forced = false
      bucket.resetAt = Math.ceil(nowS) + bucket.window
    }
  }

  private primaryLimitReply(ctx: Ctx): Reply {
    const bucket = ctx.resource === 'search' ? this.search : this.core
    bucket.remaining = 0
    return {
      status: 403,
      body: errorBody(403, 'API rate limit exceeded for installation ID 1.', DOCS.primaryLimit),
      headers: { 'x-ratelimit-remaining': '0' }
    }
  }

  private secondaryLimitReply(ctx: Ctx, retryAfter: number): Reply {
    const stamp = new Date(this.clock()).toISOString().slice(0, 19).replace('T', ' ')
    return {
      status: 403,
      headers: { 'retry-after': String(retryAfter) },
      body: errorBody(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
          'If you reach out to GitHub Support for help, please include the request ID ' +
          `${ctx.requestId} and timestamp ${stamp} UTC.`,
        DOCS.secondaryLimit
      )
    }
  }

  private isContentCreating(ctx: Ctx): boolean {
    if (ctx.outside) return false
    const p = ctx.path
    if (ctx.method === 'POST') {
      return (
        /^\/repos\/[^/]+\/[^/]+\/issues\/?$/.test(p) ||
        /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments\/?$/.test(p) ||
        /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/issue-field-values\/?$/.test(p) ||
        /^\/repos\/[^/]+\/[^/]+\/labels\/?$/.test(p) ||
        /^\/repos\/[^/]+\/[^/]+\/milestones\/?$/.test(p)
      )
    }
    return ctx.method === 'PATCH' && /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/?$/.test(p)
  }

  /** Checks the secondary windows and, when allowed, records the write. */
  private secondaryLimited(): boolean {
    const limits = this.secondaryLimit
    if (!limits) return false
    const now = this.clock()
    this.contentWrites = this.contentWrites.filter((t) => t > now - 3_600_000)
    const lastMinute = this.contentWrites.filter((t) => t > now - 60_000).length
    if (
      limits.contentWritesPerMinute !== undefined &&
      lastMinute >= limits.contentWritesPerMinute
    ) {
      return true
    }
    if (
      limits.contentWritesPerHour !== undefined &&
      this.contentWrites.length >= limits.contentWritesPerHour
    ) {
      return true
    }
    this.contentWrites.push(now)
    return false
  }

  // -------------------------------------------------------------------------------------------
  // Routing
  // -------------------------------------------------------------------------------------------

  private route(ctx: Ctx): Reply {
    if (ctx.outside) throw notFound()
    const segments = ctx.path
      .split('/')
      .filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)))
      .map((s) => {
        try {
          return decodeURIComponent(s)
        } catch {
          return s
        }
      })
    const m = ctx.method
    const [a, b, c, d, e, f] = segments

    if (segments.length === 1 && a === 'rate_limit' && m === 'GET') return this.getRateLimit()
    if (segments.length === 2 && a === 'search' && b === 'issues' && m === 'GET') {
      return this.searchIssues(ctx)
    }
    if (a === 'repositories' && c === 'issues' && segments.length === 4 && m === 'GET') {
      return this.getByRepositoryId(Number(b), d ?? '')
    }
    // GitHub serves every repository route under `/repositories/{id}` too; the fake serves the
    // writes a redirected client repeats there (an update, a comment) for moved issues.
    if (a === 'repositories' && c === 'issues' && d !== undefined && /^\d+$/.test(d)) {
      const moved = this.movedIssue(Number(b), Number(d))
      if (moved && segments.length === 4 && m === 'PATCH') {
        return this.updateIssue(moved.issue.number, ctx, moved)
      }
      if (moved && segments.length === 5 && e === 'comments' && m === 'POST') {
        return this.createComment(moved.issue.number, ctx, moved.issue)
      }
    }
    if (a === 'orgs' && c === 'issue-fields' && segments.length === 3 && m === 'GET') {
      return this.listIssueFields(b ?? '')
    }
    const setup = m === 'GET' ? this.setupRead(segments) : undefined
    if (setup) return setup
    if (a !== 'repos' || b === undefined || c === undefined) throw notFound()
    if (lower(b) !== lower(this.owner) || lower(c) !== lower(this.repo)) throw notFound()

    const rest = segments.slice(3)
    const n = rest.length >= 2 && d === 'issues' ? e : undefined
    if (rest.length === 1 && d === 'issues') {
      if (m === 'GET') return this.listIssues(ctx)
      if (m === 'POST') return this.createIssue(ctx)
    }
    if (n !== undefined && /^\d+$/.test(n)) {
      const number = Number(n)
      if (rest.length === 2) {
        if (m === 'GET') return this.getIssue(number, ctx)
        if (m === 'PATCH') return this.updateIssue(number, ctx)
      }
      if (rest.length === 3 && f === 'comments') {
        if (m === 'GET') return this.listComments(number, ctx)
        if (m === 'POST') return this.createComment(number, ctx)
      }
      if (rest.length === 3 && f === 'labels') {
        if (m === 'GET') return this.listIssueLabels(number, ctx)
        if (m === 'POST') return this.addIssueLabels(number, ctx, false)
        if (m === 'PUT') return this.addIssueLabels(number, ctx, true)
        if (m === 'DELETE') return this.clearIssueLabels(number, ctx)
      }
      if (rest.length === 4 && f === 'labels' && m === 'DELETE') {
        return this.removeIssueLabel(number, rest[3] ?? '', ctx)
      }
      if (rest.length === 3 && f === 'issue-field-values') {
        if (m === 'GET') return this.listFieldValues(number, ctx)
        if (m === 'POST') return this.addFieldValues(number, ctx)
      }
    }
    if (d === 'milestones' && rest.length === 1) {
      if (m === 'GET') return this.listMilestones(ctx)
      if (m === 'POST') return this.createMilestone(ctx)
    }
    if (d === 'labels') {
      if (rest.length === 1 && m === 'GET') return this.listLabels(ctx)
      if (rest.length === 1 && m === 'POST') return this.createLabel(ctx)
      if (rest.length === 2 && e !== undefined) {
        if (m === 'GET') return this.getLabel(e)
        if (m === 'PATCH') return this.updateLabel(e, ctx)
        if (m === 'DELETE') return this.deleteLabel(e)
      }
    }
    throw notFound()
  }

  // -------------------------------------------------------------------------------------------
  // Issues
  // -------------------------------------------------------------------------------------------

  private listIssues(ctx: Ctx): Reply {
    const q = ctx.query
    const state = q.get('state') ?? 'open'
    if (!['open', 'closed', 'all'].includes(state)) {
      throw notMember(DOCS.listIssues, 'state', state, ['open', 'closed', 'all'])
    }
    const sort = q.get('sort') ?? 'created'
    if (!['created', 'updated', 'comments'].includes(sort)) {
      throw notMember(DOCS.listIssues, 'sort', sort, ['created', 'updated', 'comments'])
    }
    const direction = q.get('direction') ?? 'desc'
    if (!['asc', 'desc'].includes(direction)) {
      throw notMember(DOCS.listIssues, 'direction', direction, ['asc', 'desc'])
    }
    const wanted = (q.get('labels') ?? '')
      .split(',')
      .map((l) => lower(l.trim()))
      .filter((l) => l !== '')
    let since = Number.NaN
    const sinceRaw = q.get('since')
    if (sinceRaw !== null && sinceRaw !== '') {
      since = Date.parse(sinceRaw)
      if (Number.isNaN(since)) {
        throw invalidRequest(
          DOCS.listIssues,
          `For 'properties/since', ${JSON.stringify(sinceRaw)} is not a valid date-time.`
        )
      }
    }
    const assignee = q.get('assignee')
    const creator = q.get('creator')
    const milestone = q.get('milestone')
    if (milestone !== null && milestone !== 'none' && milestone !== '*') {
      // GitHub looks the milestone up by number and refuses one that does not exist.
      if (!/^\d+$/.test(milestone) || !this.findMilestone(Number(milestone))) {
        throw validationFailed(DOCS.listIssues, {
          value: milestone,
          resource: 'Issue',
          field: 'milestone',
          code: 'invalid'
        })
      }
    }

    const items = this.issues.filter((issue) => {
      if (issue.deleted || issue.transferred) return false
      if (state !== 'all' && issue.state !== state) return false
      const have = new Set(issue.labels.map(lower))
      if (!wanted.every((l) => have.has(l))) return false
      if (!Number.isNaN(since) && timeOf(issue.updated_at) < since) return false
      if (assignee === 'none' && issue.assignees.length > 0) return false
      if (assignee === '*' && issue.assignees.length === 0) return false
      if (
        assignee !== null &&
        assignee !== 'none' &&
        assignee !== '*' &&
        !issue.assignees.some((a) => lower(a) === lower(assignee))
      ) {
        return false
      }
      if (creator !== null && lower(issue.user_login) !== lower(creator)) return false
      if (milestone === 'none' && issue.milestone !== null) return false
      if (milestone === '*' && issue.milestone === null) return false
      if (milestone !== null && /^\d+$/.test(milestone) && issue.milestone !== Number(milestone)) {
        return false
      }
      return true
    })
    this.sortIssues(items, sort, direction === 'asc')
    return this.paged(ctx, items, (issue) => this.renderIssue(issue))
  }

  private sortIssues(items: FakeIssue[], sort: string, ascending: boolean): void {
    const key = (issue: FakeIssue): number =>
      sort === 'updated'
        ? timeOf(issue.updated_at)
        : sort === 'comments'
          ? issue.comments.length
          : timeOf(issue.created_at)
    items.sort((x, y) => {
      const diff = key(x) - key(y) || x.number - y.number
      return ascending ? diff : -diff
    })
  }

  private createIssue(ctx: Ctx): Reply {
    const body = this.objectBody(ctx, DOCS.createIssue)
    if (!has(body, 'title') || body['title'] === null) {
      throw invalidRequest(DOCS.createIssue, '"title" wasn\'t supplied.')
    }
    const docs = DOCS.createIssue
    const title = this.checkTitle(body['title'], docs)
    const text = this.checkBody(body['body'], docs)
    // Without push access GitHub silently drops labels, assignees, milestone, type and field values
    // (after checking their shape).
    const push = this.pushAccess
    const labelNames = has(body, 'labels') ? this.labelInputs(body['labels'], docs) : []
    const type = has(body, 'type') && push ? this.typeInput(body['type'], docs, 'create') : null
    const assigneeInput = this.assigneeInputs(body, docs)
    const milestoneRaw = has(body, 'milestone')
      ? this.milestoneShape(body['milestone'], docs)
      : null
    const fieldItems = has(body, 'issue_field_values')
      ? this.fieldValueItems(body['issue_field_values'], docs, 'properties/issue_field_values')
      : []
    const assignees =
      push && assigneeInput ? this.assignable(assigneeInput, this.userLogin, [], docs) : []
    const milestone = push ? this.existingMilestone(milestoneRaw, docs) : null
    // Issue field values are only kept where the organisation has issue fields.
    const fieldValues = push && this.issueFields ? this.checkFieldValues(fieldItems, docs) : []
    const now = iso(this.clock())
    const id = this.nextIssueId()
    const issue: FakeIssue = {
      number: this.nextNumber(),
      id,
      node_id: nodeId('I', id),
      title,
      body: text ?? null,
      state: 'open',
      state_reason: null,
      labels: push ? this.canonicalLabels(labelNames, 'api') : [],
      assignees,
      milestone,
      type: type ?? null,
      field_values: fieldValues,
      created_at: now,
      updated_at: now,
      closed_at: null,
      locked: false,
      comments: [],
      user_login: this.userLogin
    }
    this.issues.push(issue)
    this.indexVersion(issue)
    const location = `${this.apiRepo(this.loc())}/issues/${issue.number}`
    return { status: 201, body: this.renderIssue(issue, { single: true }), headers: { location } }
  }

  private getIssue(number: number, ctx: Ctx): Reply {
    const issue = this.resolveIssue(number, ctx, DOCS.getIssue)
    return { status: 200, body: this.renderIssue(issue, { single: true }) }
  }

  private updateIssue(
    number: number,
    ctx: Ctx,
    moved?: { issue: FakeIssue; loc: RepoLoc; number: number; repoId: number }
  ): Reply {
    const issue = moved?.issue ?? this.resolveIssue(number, ctx, DOCS.updateIssue)
    const body = this.objectBody(ctx, DOCS.updateIssue)
    const docs = DOCS.updateIssue

    // Validate everything before changing anything.
    const title = has(body, 'title') ? this.checkTitle(body['title'], docs) : undefined
    const text = has(body, 'body') ? this.checkBody(body['body'], docs) : undefined
    let state: 'open' | 'closed' | undefined
    if (has(body, 'state')) {
      const s = body['state']
      if (s !== 'open' && s !== 'closed') throw notMember(docs, 'state', s, ['open', 'closed'])
      state = s
    }
    let reason: StateReason | null | undefined
    if (has(body, 'state_reason')) {
      const r = body['state_reason']
      const allowed: unknown[] = this.rejectDuplicateStateReason
        ? ['completed', 'not_planned', 'reopened', null]
        : [...STATE_REASONS, null]
      if (!allowed.includes(r)) throw notMember(docs, 'state_reason', r, allowed)
      reason = r as StateReason | null
    }
    let duplicateOf: FakeIssue | undefined
    if (state === 'closed' && reason === 'duplicate' && has(body, 'duplicate_issue_id')) {
      const target = body['duplicate_issue_id']
      duplicateOf = this.issues.find(
        (i) => typeof target === 'number' && i.id === target && !i.deleted && !i.transferred
      )
      if (!duplicateOf || duplicateOf === issue) {
        throw validationFailed(docs, {
          resource: 'Issue',
          code: 'invalid',
          field: 'duplicate_issue_id',
          message:
            duplicateOf === issue
              ? 'An issue cannot be a duplicate of itself'
              : 'duplicate_issue_id must refer to an existing issue'
        })
      }
    }
    const push = this.pushAccess
    const labelInput = has(body, 'labels') ? this.labelInputs(body['labels'], docs) : undefined
    const labelNames = push ? labelInput : undefined
    const typeInput = has(body, 'type') ? this.typeInput(body['type'], docs, 'update') : undefined
    const type = push ? typeInput : undefined
    let fieldValues: FakeIssueFieldValue[] | undefined
    if (has(body, 'issue_field_values') && push && this.issueFields) {
      const raw = body['issue_field_values']
      if (!Array.isArray(raw)) {
        throw fail(422, 'Invalid request: issue_field_values must be an array', docs)
      }
      // PATCH sets them: fields left out lose their value.
      fieldValues = this.checkFieldValues(this.fieldValueItems(raw, docs, 'items', true), docs)
    }
    const assigneeInput = this.assigneeInputs(body, docs)
    const assignees =
      push && assigneeInput
        ? this.assignable(
            assigneeInput,
            issue.user_login,
            issue.comments.map((c) => c.user_login ?? this.userLogin),
            docs
          )
        : undefined
    let milestone: number | null | undefined
    if (has(body, 'milestone') && push) {
      const raw = body['milestone']
      milestone =
        raw === null || raw === ''
          ? null
          : this.existingMilestone(this.milestoneShape(raw, docs), docs)
    }

    const before = JSON.stringify(issue)
    const nowMs = this.clock()
    if (title !== undefined) issue.title = title
    if (text !== undefined) issue.body = text
    if (labelNames !== undefined) issue.labels = this.canonicalLabels(labelNames, 'api')
    if (assignees !== undefined) issue.assignees = assignees
    if (milestone !== undefined) issue.milestone = milestone
    if (type !== undefined) issue.type = type
    if (fieldValues !== undefined) issue.field_values = fieldValues
    if (state === 'closed') {
      if (issue.state === 'open') {
        issue.state = 'closed'
        issue.closed_at = iso(nowMs)
        issue.closed_by_login = this.userLogin
        issue.state_reason =
          reason === undefined || reason === null || reason === 'reopened' ? 'completed' : reason
      } else if (reason !== undefined && reason !== null && reason !== 'reopened') {
        issue.state_reason = reason
      }
      if (issue.state_reason === 'duplicate') {
        issue.duplicate_of_id = duplicateOf?.id ?? issue.duplicate_of_id ?? null
      } else {
        issue.duplicate_of_id = null
      }
    } else if (state === 'open' && issue.state === 'closed') {
      issue.state = 'open'
      issue.state_reason = 'reopened'
      issue.closed_at = null
      issue.closed_by_login = null
      issue.duplicate_of_id = null
    }
    if (JSON.stringify(issue) !== before) this.touch(issue, nowMs)
    return { status: 200, body: this.renderIssue(issue, { single: true, ...moved }) }
  }

  /** A transferred issue by its new repository's id and number (what a redirect points at). */
  private movedIssue(
    repoId: number,
    number: number
  ): { issue: FakeIssue; loc: RepoLoc; number: number; repoId: number } | undefined {
    const target = this.movedRepos.get(repoId)
    if (!target) return undefined
    const issue = this.issues.find(
      (i) =>
        i.transferred &&
        !i.deleted &&
        this.transferTarget(i).number === number &&
        lower(this.transferTarget(i).repo) === lower(target.repo) &&
        lower(this.transferTarget(i).owner) === lower(target.owner)
    )
    return issue ? { issue, loc: target, number, repoId } : undefined
  }

  private getByRepositoryId(repoId: number, n: string): Reply {
    if (!/^\d+$/.test(n)) throw notFound(DOCS.getIssue)
    const number = Number(n)
    if (repoId === REPO_ID) {
      const issue = this.issues.find((i) => i.number === number)
      if (!issue || issue.transferred) throw notFound(DOCS.getIssue)
      if (issue.deleted) throw fail(410, 'This issue was deleted', DOCS.getIssue)
      return { status: 200, body: this.renderIssue(issue, { single: true }) }
    }
    const target = this.movedRepos.get(repoId)
    if (!target) throw notFound(DOCS.getIssue)
    const issue = this.issues.find(
      (i) =>
        i.transferred &&
        !i.deleted &&
        this.transferTarget(i).number === number &&
        lower(this.transferTarget(i).repo) === lower(target.repo) &&
        lower(this.transferTarget(i).owner) === lower(target.owner)
    )
    if (!issue) throw notFound(DOCS.getIssue)
    return {
      status: 200,
      body: this.renderIssue(issue, { single: true, loc: target, number, repoId })
    }
  }

  /**
   * Finds an issue for `/issues/{n}` routes: 404 if missing, 410 if deleted, a redirect if
   * transferred (404 when the token cannot read the new repository, as GitHub documents for "Get
   * an issue"). The redirect is 301 for GET and 307 for other methods, as GitHub announced for
   * moved repositories ("either a 301 or 307 HTTP redirect, depending on the type of request",
   * developer.github.com/changes/2015-04-17-preview-repository-redirects): a fetch-based client
   * repeats the same method and body at the `Location`, `/repositories/{id}/issues/{n}`.
   */
  private resolveIssue(number: number, ctx: Ctx, docs: string): FakeIssue {
    const issue = this.issues.find((i) => i.number === number)
    if (!issue) throw notFound(docs)
    if (issue.deleted) throw fail(410, 'This issue was deleted', docs)
    if (issue.transferred && issue.transferred_unreadable) throw notFound(docs)
    if (issue.transferred) {
      const target = this.transferTarget(issue)
      const repoId = hashId(`${lower(target.owner)}/${lower(target.repo)}`)
      this.movedRepos.set(repoId, { owner: target.owner, repo: target.repo })
      const suffix = ctx.path.replace(/^\/repos\/[^/]+\/[^/]+\/issues\/\d+/, '')
      const query = ctx.query.size > 0 ? `?${ctx.query.toString()}` : ''
      const location = `${this.url}/repositories/${repoId}/issues/${target.number}${suffix}${query}`
      const permanent = ctx.method === 'GET' || ctx.method === 'HEAD'
      throw new ApiError(
        permanent ? 301 : 307,
        {
          message: permanent ? 'Moved Permanently' : 'Temporary Redirect',
          url: location,
          documentation_url: DOCS.redirect
        },
        { location }
      )
    }
    return issue
  }

  private transferTarget(issue: FakeIssue): { owner: string; repo: string; number: number } {
    return (
      issue.transferred_to ?? {
        owner: this.owner,
        repo: `${this.repo}-moved`,
        number: issue.number
      }
    )
  }

  // -------------------------------------------------------------------------------------------
  // Comments
  // -------------------------------------------------------------------------------------------

  private listComments(number: number, ctx: Ctx): Reply {
    const issue = this.resolveIssue(number, ctx, DOCS.listComments)
    let comments = [...issue.comments]
    const sinceRaw = ctx.query.get('since')
    if (sinceRaw) {
      const since = Date.parse(sinceRaw)
      if (Number.isNaN(since)) {
        throw invalidRequest(
          DOCS.listComments,
          `For 'properties/since', ${JSON.stringify(sinceRaw)} is not a valid date-time.`
        )
      }
      comments = comments.filter((c) => timeOf(c.updated_at ?? c.created_at) >= since)
    }
    comments.sort((x, y) => timeOf(x.created_at) - timeOf(y.created_at) || x.id - y.id)
    return this.paged(ctx, comments, (c) => this.renderComment(issue, c))
  }

  private createComment(number: number, ctx: Ctx, moved?: FakeIssue): Reply {
    const issue = moved ?? this.resolveIssue(number, ctx, DOCS.createComment)
    if (issue.locked && this.lockedCommentsRefused) {
      throw fail(
        403,
        'Unable to create comment because issue is locked.',
        'https://help.github.com/articles/locking-conversations/'
      )
    }
    const body = this.objectBody(ctx, DOCS.createComment)
    const text = body['body']
    if (!has(body, 'body') || text === null) {
      throw invalidRequest(DOCS.createComment, '"body" wasn\'t supplied.')
    }
    if (typeof text !== 'string') {
      throw invalidRequest(
        DOCS.createComment,
        `For 'properties/body', ${JSON.stringify(text)} is not a string.`
      )
    }
    if (text.trim() === '') {
      throw validationFailed(DOCS.createComment, {
        resource: 'IssueComment',
        code: 'missing_field',
        field: 'body'
      })
    }
    if (text.length > MAX_BODY) {
      throw validationFailed(DOCS.createComment, {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY} characters)`
      })
    }
    const nowMs = this.clock()
    const comment: FakeComment = {
      id: this.nextCommentId(),
      body: text,
      created_at: iso(nowMs),
      updated_at: iso(nowMs),
      user_login: this.userLogin
    }
    issue.comments.push(comment)
    this.touch(issue, nowMs)
    const rendered = this.renderComment(issue, comment)
    return { status: 201, body: rendered, headers: { location: String(rendered['url']) } }
  }

  // -------------------------------------------------------------------------------------------
  // Labels on issues
  // -------------------------------------------------------------------------------------------

  private listIssueLabels(number: number, ctx: Ctx): Reply {
    const issue = this.resolveIssue(number, ctx, DOCS.issueLabels)
    return this.paged(ctx, issue.labels, (name) => this.renderLabel(this.labelFor(name)))
  }

  private addIssueLabels(number: number, ctx: Ctx, replace: boolean): Reply {
    const docs = replace ? DOCS.setLabels : DOCS.addLabels
    const issue = this.resolveIssue(number, ctx, docs)
    let input: unknown = ctx.body
    if (isRecord(input)) {
      if (!has(input, 'labels')) throw invalidRequest(docs, '"labels" wasn\'t supplied.')
      input = input['labels']
    } else if (typeof input === 'string') {
      input = [input]
    } else if (input === undefined) {
      throw invalidRequest(docs, '"labels" wasn\'t supplied.')
    }
    const names = this.labelInputs(input, docs)
    const before = JSON.stringify(issue.labels)
    issue.labels = this.canonicalLabels(replace ? names : [...issue.labels, ...names], 'api')
    if (JSON.stringify(issue.labels) !== before) this.touch(issue, this.clock())
    return { status: 200, body: issue.labels.map((name) => this.renderLabel(this.labelFor(name))) }
  }

  private clearIssueLabels(number: number, ctx: Ctx): Reply {
    const issue = this.resolveIssue(number, ctx, DOCS.removeLabel)
    if (issue.labels.length > 0) {
      issue.labels = []
      this.touch(issue, this.clock())
    }
    return { status: 204 }
  }

  private removeIssueLabel(number: number, name: string, ctx: Ctx): Reply {
    const issue = this.resolveIssue(number, ctx, DOCS.removeLabel)
    const idx = issue.labels.findIndex((l) => lower(l) === lower(name))
    if (idx === -1) throw fail(404, 'Label does not exist', DOCS.removeLabel)
    issue.labels.splice(idx, 1)
    this.touch(issue, this.clock())
    return { status: 200, body: issue.labels.map((n) => this.renderLabel(this.labelFor(n))) }
  }

  // -------------------------------------------------------------------------------------------
  // Repository labels
  // -------------------------------------------------------------------------------------------

  private listLabels(ctx: Ctx): Reply {
    return this.paged(ctx, [...this.labels], (label) => this.renderLabel(label))
  }

  private getLabel(name: string): Reply {
    const label = this.findLabel(name)
    if (!label) throw notFound(DOCS.getLabel)
    return { status: 200, body: this.renderLabel(label) }
  }

  private createLabel(ctx: Ctx): Reply {
    const docs = DOCS.createLabel
    if (this.forbidLabelCreation) throw fail(403, 'Resource not accessible by integration', docs)
    const body = this.objectBody(ctx, docs)
    if (!has(body, 'name') || body['name'] === null) {
      throw invalidRequest(docs, '"name" wasn\'t supplied.')
    }
    const name = this.checkLabelName(body['name'], docs)
    const color = has(body, 'color') ? this.checkColor(body['color'], docs) : DEFAULT_LABEL_COLOR
    const description = has(body, 'description')
      ? this.checkDescription(body['description'], docs)
      : null
    if (this.findLabel(name)) {
      throw validationFailed(docs, { resource: 'Label', code: 'already_exists', field: 'name' })
    }
    const label: FakeLabel = { id: this.nextLabelId(), name, color, description }
    this.labels.push(label)
    const rendered = this.renderLabel(label)
    return { status: 201, body: rendered, headers: { location: rendered.url } }
  }

  private updateLabel(name: string, ctx: Ctx): Reply {
    const docs = DOCS.updateLabel
    const label = this.findLabel(name)
    if (!label) throw notFound(docs)
    const body = this.objectBody(ctx, docs)
    const newName = has(body, 'new_name') ? this.checkLabelName(body['new_name'], docs) : undefined
    const color = has(body, 'color') ? this.checkColor(body['color'], docs) : undefined
    const description = has(body, 'description')
      ? this.checkDescription(body['description'], docs)
      : undefined
    if (newName !== undefined) {
      const clash = this.findLabel(newName)
      if (clash && clash !== label) {
        throw validationFailed(docs, { resource: 'Label', code: 'already_exists', field: 'name' })
      }
      for (const issue of this.issues) {
        issue.labels = issue.labels.map((l) => (lower(l) === lower(label.name) ? newName : l))
      }
      label.name = newName
    }
    if (color !== undefined) label.color = color
    if (description !== undefined) label.description = description
    return { status: 200, body: this.renderLabel(label) }
  }

  private deleteLabel(name: string): Reply {
    const label = this.findLabel(name)
    if (!label) throw notFound(DOCS.deleteLabel)
    this.labels = this.labels.filter((l) => l !== label)
    for (const issue of this.issues) {
      issue.labels = issue.labels.filter((l) => lower(l) !== lower(label.name))
    }
    return { status: 204 }
  }

  // -------------------------------------------------------------------------------------------
  // Milestones
  // -------------------------------------------------------------------------------------------

  private listMilestones(ctx: Ctx): Reply {
    const docs = DOCS.listMilestones
    const q = ctx.query
    const state = q.get('state') ?? 'open'
    if (!['open', 'closed', 'all'].includes(state)) {
      throw notMember(docs, 'state', state, ['open', 'closed', 'all'])
    }
    const sort = q.get('sort') ?? 'due_on'
    if (!['due_on', 'completeness'].includes(sort)) {
      throw notMember(docs, 'sort', sort, ['due_on', 'completeness'])
    }
    const direction = q.get('direction') ?? 'asc'
    if (!['asc', 'desc'].includes(direction)) {
      throw notMember(docs, 'direction', direction, ['asc', 'desc'])
    }
    const completeness = (m: FakeMilestone): number => {
      const mine = this.issues.filter(
        (i) => i.milestone === m.number && !i.deleted && !i.transferred
      )
      return mine.length === 0 ? 0 : mine.filter((i) => i.state === 'closed').length / mine.length
    }
    // Ascending by due date puts milestones without one last.
    const key = (m: FakeMilestone): number =>
      sort === 'completeness' ? completeness(m) : m.due_on === null ? Infinity : timeOf(m.due_on)
    const items = this.milestones
      .filter((m) => state === 'all' || m.state === state)
      .sort((x, y) => {
        const a = key(x)
        const b = key(y)
        const diff = a === b ? 0 : a < b ? -1 : 1
        return (direction === 'asc' ? diff : -diff) || x.number - y.number
      })
    return this.paged(ctx, items, (m) => this.renderMilestone(m.number, this.loc()))
  }

  private createMilestone(ctx: Ctx): Reply {
    const docs = DOCS.createMilestone
    const body = this.objectBody(ctx, docs)
    if (!has(body, 'title') || body['title'] === null) {
      throw invalidRequest(docs, '"title" wasn\'t supplied.')
    }
    const title = body['title']
    if (typeof title !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/title', ${JSON.stringify(title)} is not a string.`
      )
    }
    if (title.trim() === '') {
      throw validationFailed(docs, { resource: 'Milestone', code: 'missing_field', field: 'title' })
    }
    const state = body['state'] ?? 'open'
    if (state !== 'open' && state !== 'closed') {
      throw notMember(docs, 'state', state, ['open', 'closed'])
    }
    const description = body['description'] ?? null
    if (description !== null && typeof description !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/description', ${JSON.stringify(description)} is not a string.`
      )
    }
    const dueRaw = body['due_on'] ?? null
    if (dueRaw !== null && (typeof dueRaw !== 'string' || Number.isNaN(Date.parse(dueRaw)))) {
      throw invalidRequest(
        docs,
        `For 'properties/due_on', ${JSON.stringify(dueRaw)} is not a date-time.`
      )
    }
    if (this.milestones.some((m) => lower(m.title) === lower(title))) {
      throw validationFailed(docs, {
        resource: 'Milestone',
        code: 'already_exists',
        field: 'title'
      })
    }
    const milestone = this.addMilestone(title, {
      state,
      description,
      due_on: dueRaw === null ? null : iso(Date.parse(dueRaw))
    })
    const rendered = this.renderMilestone(milestone.number, this.loc())
    return { status: 201, body: rendered, headers: { location: String(rendered['url']) } }
  }

  // -------------------------------------------------------------------------------------------
  // Set-up checks (reads only)
  // -------------------------------------------------------------------------------------------

  /**
   * `GET /repos/{owner}/{repo}`, `GET /repos/{owner}/{repo}/assignees/{login}` (204 when the login
   * can be assigned, else 404) and `GET /orgs/{org}/issue-types`; undefined for other paths. The
   * repository carries `permissions` (push from `pushAccess`) except for installation tokens
   * (`ghs_…`), for which GitHub leaves the key out.
   */
  private setupRead(segments: string[]): Reply | undefined {
    const [a, b, c, d, e] = segments
    if (a === 'orgs' && c === 'issue-types' && segments.length === 3) {
      if (lower(b ?? '') !== lower(this.owner) || this.ownerType !== 'Organization') {
        throw notFound(DOCS.root)
      }
      return {
        status: 200,
        body: (this.issueTypes ?? []).map((t) => this.renderIssueType(t.name))
      }
    }
    if (
      a !== 'repos' ||
      lower(b ?? '') !== lower(this.owner) ||
      lower(c ?? '') !== lower(this.repo)
    ) {
      return undefined
    }
    if (segments.length === 5 && d === 'assignees' && e !== undefined) {
      const ok = this.assignableUsers?.some((u) => lower(u) === lower(e)) ?? true
      if (!ok) throw notFound(DOCS.root)
      return { status: 204 }
    }
    if (segments.length !== 3) return undefined
    const api = this.apiRepo(this.loc())
    const html = this.htmlRepo(this.loc())
    const owner = this.renderUser(this.owner)
    owner['type'] = this.ownerType
    const urls = Object.fromEntries(
      ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits']
        .concat(['compare', 'contents', 'contributors', 'deployments', 'downloads', 'events'])
        .concat(['forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment'])
        .concat(['issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones'])
        .concat(['notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers'])
        .concat(['subscription', 'tags', 'teams', 'trees'])
        .map((name) => [`${name}_url`, `${api}/${name.replace('_', '/')}`])
    )
    const time = '2024-01-01T00:00:00Z'
    const body: Record<string, unknown> = {
      ...urls,
      id: REPO_ID,
      node_id: nodeId('R', REPO_ID),
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      owner,
      private: false,
      html_url: html,
      description: null,
      fork: false,
      url: api,
      clone_url: `${html}.git`,
      git_url: `${html.replace(/^https?/, 'git')}.git`,
      ssh_url: `git@${new URL(html).host}:${this.owner}/${this.repo}.git`,
      svn_url: html,
      mirror_url: null,
      homepage: null,
      language: 'TypeScript',
      default_branch: 'main',
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      open_issues: this.issues.filter((i) => i.state === 'open').length,
      open_issues_count: this.issues.filter((i) => i.state === 'open').length,
      size: 100,
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      license: null,
      pushed_at: time,
      created_at: time,
      updated_at: time,
      network_count: 0,
      subscribers_count: 0,
      ...(this.token.startsWith('ghs_')
        ? {}
        : {
            permissions: {
              admin: false,
              maintain: false,
              push: this.pushAccess,
              triage: this.pushAccess,
              pull: true
            }
          })
    }
    const headers: Record<string, string> = this.oauthScopes
      ? { 'x-oauth-scopes': this.oauthScopes.join(', ') }
      : {}
    return { status: 200, body, headers }
  }

  // -------------------------------------------------------------------------------------------
  // Issue fields
  // -------------------------------------------------------------------------------------------

  private listIssueFields(org: string): Reply {
    if (
      lower(org) !== lower(this.owner) ||
      this.ownerType !== 'Organization' ||
      !this.issueFields
    ) {
      throw notFound(DOCS.listIssueFields)
    }
    return { status: 200, body: this.issueFields.map((f) => this.renderIssueField(f)) }
  }

  private listFieldValues(number: number, ctx: Ctx): Reply {
    if (!this.issueFields) throw notFound(DOCS.listFieldValues)
    const issue = this.resolveIssue(number, ctx, DOCS.listFieldValues)
    return this.paged(ctx, this.renderFieldValues(issue), (v) => v)
  }

  /**
   * Adds or updates the values given and leaves the others; an empty array clears them all.
   * Answers every value of the issue.
   */
  private addFieldValues(number: number, ctx: Ctx): Reply {
    const docs = DOCS.addFieldValues
    if (!this.issueFields) throw notFound(docs)
    const issue = this.resolveIssue(number, ctx, docs)
    if (!this.pushAccess) throw fail(403, 'Resource not accessible by integration', docs)
    let input: unknown = ctx.body
    if (isRecord(input)) {
      if (!has(input, 'issue_field_values')) {
        throw invalidRequest(docs, '"issue_field_values" wasn\'t supplied.')
      }
      input = input['issue_field_values']
    }
    const values = this.checkFieldValues(
      this.fieldValueItems(input, docs, 'properties/issue_field_values'),
      docs
    )
    const before = JSON.stringify(issue.field_values ?? [])
    if (values.length === 0) {
      issue.field_values = []
    } else {
      const next = [...(issue.field_values ?? [])]
      for (const v of values) {
        const at = next.findIndex((x) => x.field_id === v.field_id)
        if (at === -1) next.push(v)
        else next[at] = v
      }
      issue.field_values = next
    }
    if (JSON.stringify(issue.field_values) !== before) this.touch(issue, this.clock())
    return { status: 200, body: this.renderFieldValues(issue) }
  }

  // -------------------------------------------------------------------------------------------
  // Search
  // -------------------------------------------------------------------------------------------

  private searchIssues(ctx: Ctx): Reply {
    const docs = DOCS.search
    if (this.searchUnavailable) throw fail(503, 'Service Unavailable', DOCS.searchIssues)
    const q = ctx.query.get('q')
    if (q === null || q.trim() === '') {
      throw validationFailed(docs, { resource: 'Search', field: 'q', code: 'missing' })
    }
    if (q.length > MAX_QUERY) {
      throw validationFailed(docs, {
        message: `The search is longer than ${MAX_QUERY} characters.`,
        resource: 'Search',
        field: 'q',
        code: 'invalid'
      })
    }
    const perPage = parsePerPage(ctx.query)
    const page = parsePage(ctx.query)
    if ((page - 1) * perPage >= SEARCH_CAP) {
      throw fail(422, `Only the first ${SEARCH_CAP} search results are available`, docs)
    }

    const terms = parseSearchQuery(q)
    const fields = new Set<string>()
    for (const t of terms) {
      if (t.key === 'in') for (const f of t.value.split(',')) fields.add(lower(f.trim()))
    }
    if (fields.size === 0) {
      fields.add('title')
      fields.add('body')
    }
    let sort = ctx.query.get('sort') ?? ''
    let order = ctx.query.get('order') ?? 'desc'
    const predicates: Array<(doc: FakeIssue) => boolean> = []
    for (const term of terms) {
      const test = this.searchPredicate(term, fields, (s, o) => {
        sort = s
        order = o
      })
      if (test) predicates.push(term.negate ? (doc) => !test(doc) : test)
    }

    const matches: FakeIssue[] = []
    for (const issue of this.issues) {
      if (issue.deleted || issue.transferred) continue
      const doc = this.searchView(issue)
      if (doc && predicates.every((p) => p(doc))) matches.push(doc)
    }
    if (sort === 'created' || sort === 'updated' || sort === 'comments') {
      this.sortIssues(matches, sort, order === 'asc')
    } else {
      // "Best match": every document scores the same here; newest first.
      matches.sort((x, y) => y.number - x.number)
    }
    const total = matches.length
    const reachable = matches.slice(0, SEARCH_CAP)
    const start = (page - 1) * perPage
    const items = reachable.slice(start, start + perPage)
    const lastPage = Math.ceil(reachable.length / perPage)
    const link = this.linkHeader(ctx, page, lastPage)
    return {
      status: 200,
      body: {
        total_count: total,
        incomplete_results: false,
        // The kind of search that ran; `lexical` unless `search_type` asked for another.
        search_type: 'lexical',
        items: items.map((doc) => this.renderIssue(doc, { search: true }))
      },
      headers: link ? { link } : {}
    }
  }

  /** Builds the predicate for one search term (undefined when the term filters nothing). */
  private searchPredicate(
    term: SearchTerm,
    fields: Set<string>,
    setSort: (sort: string, order: string) => void
  ): ((doc: FakeIssue) => boolean) | undefined {
    const v = lower(term.value)
    const cannotSearch = (): ApiError =>
      validationFailed(DOCS.search, {
        message:
          'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.',
        resource: 'Search',
        field: 'q',
        code: 'invalid'
      })
    switch (term.key) {
      case undefined: {
        if (v === '') return undefined
        return (doc) => {
          const texts: string[] = []
          if (fields.has('title')) texts.push(doc.title)
          if (fields.has('body')) texts.push(doc.body ?? '')
          if (fields.has('comments')) for (const c of doc.comments) texts.push(c.body)
          return texts.some((t) => lower(t).includes(v))
        }
      }
      case 'repo':
        if (v !== lower(`${this.owner}/${this.repo}`)) throw cannotSearch()
        return undefined
      case 'user':
      case 'org':
        if (v !== lower(this.owner)) throw cannotSearch()
        return undefined
      case 'in':
        return undefined
      case 'is':
      case 'type':
      case 'state':
        switch (v) {
          case 'issue':
            return (doc) => !doc.pull_request
          case 'pr':
          case 'pull-request':
            return (doc) => doc.pull_request === true
          case 'open':
          case 'closed':
            return (doc) => doc.state === v
          case 'locked':
            return (doc) => doc.locked
          case 'unlocked':
            return (doc) => !doc.locked
          case 'merged':
            return () => false
          case 'unmerged':
            return (doc) => doc.pull_request === true && doc.state === 'closed'
          default:
            return undefined
        }
      case 'label': {
        const names = v.split(',').map((s) => unquote(s.trim()))
        return (doc) => doc.labels.some((l) => names.includes(lower(l)))
      }
      case 'no':
        if (v === 'label') return (doc) => doc.labels.length === 0
        if (v === 'assignee') return (doc) => doc.assignees.length === 0
        if (v === 'milestone') return (doc) => doc.milestone === null
        return undefined
      case 'author':
        return (doc) =>
          lower(doc.user_login) === v || lower(doc.user_login) === `${v.replace(/^app\//, '')}[bot]`
      case 'assignee':
        return (doc) => doc.assignees.some((a) => lower(a) === v)
      case 'created': {
        const m = dateMatcher(term.value)
        return (doc) => m(doc.created_at)
      }
      case 'updated': {
        const m = dateMatcher(term.value)
        return (doc) => m(doc.updated_at)
      }
      case 'closed': {
        const m = dateMatcher(term.value)
        return (doc) => m(doc.closed_at)
      }
      case 'reason': {
        const reason = v.replace(/[\s-]+/g, '_')
        return (doc) => doc.state_reason === reason
      }
      case 'sort': {
        const m = /^(created|updated|comments)(?:-(asc|desc))?$/.exec(v)
        if (m) setSort(m[1] ?? '', m[2] ?? 'desc')
        return undefined
      }
      default:
        return undefined
    }
  }

  /** Records an API change of `issue`: bumps `updated_at` and queues a new search snapshot. */
  private touch(issue: FakeIssue, nowMs: number): void {
    issue.updated_at = iso(nowMs)
    this.indexVersion(issue)
  }

  private indexVersion(issue: FakeIssue, changedAt: number = this.clock()): void {
    const now = this.clock()
    const versions = this.index.get(issue) ?? []
    versions.push({ visibleAt: changedAt + this.searchLagMs, snapshot: structuredClone(issue) })
    // Keep only the newest version already visible and the ones still pending.
    let newestVisible = -1
    versions.forEach((v, i) => {
      if (v.visibleAt <= now) newestVisible = i
    })
    this.index.set(
      issue,
      versions.filter((v, i) => i === newestVisible || v.visibleAt > now)
    )
  }

  /**
   * What search sees of an issue: nothing while its first version is still within the lag, the
   * last indexed snapshot while a later edit is, otherwise the live issue (which includes changes
   * tests made in place).
   */
  private searchView(issue: FakeIssue): FakeIssue | undefined {
    const versions = this.index.get(issue)
    if (!versions || versions.length === 0) return issue
    const now = this.clock()
    let lastVisible: IndexVersion | undefined
    let pending = false
    for (const v of versions) {
      if (v.visibleAt <= now) lastVisible = v
      else pending = true
    }
    if (!pending) {
      this.index.set(issue, versions.slice(-1))
      return issue
    }
    return lastVisible?.snapshot
  }

  private getRateLimit(): Reply {
    this.refreshBucket(this.core)
    this.refreshBucket(this.search)
    const view = (b: Bucket): Record<string, number> => ({
      limit: b.limit,
      used: b.limit - Math.max(0, b.remaining),
      remaining: Math.max(0, b.remaining),
      reset: b.resetAt
    })
    const hour = Math.ceil(this.clock() / 1000) + 3600
    const fixed = (limit: number): Record<string, number> => ({
      limit,
      used: 0,
      remaining: limit,
      reset: hour
    })
    return {
      status: 200,
      body: {
        resources: {
          core: view(this.core),
          search: view(this.search),
          graphql: fixed(5000),
          integration_manifest: fixed(5000),
          code_search: fixed(10)
        },
        rate: view(this.core)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Input validation
  // -------------------------------------------------------------------------------------------

  private objectBody(ctx: Ctx, docs: string): Record<string, unknown> {
    if (ctx.body === undefined) return {}
    if (!isRecord(ctx.body)) {
      throw invalidRequest(docs, `${JSON.stringify(ctx.body)} is not an object.`)
    }
    return ctx.body
  }

  private checkTitle(value: unknown, docs: string): string {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw invalidRequest(
        docs,
        `For 'properties/title', ${JSON.stringify(value)} is not a string or integer.`
      )
    }
    const title = String(value)
    if (title.trim() === '') {
      throw validationFailed(docs, { resource: 'Issue', code: 'missing_field', field: 'title' })
    }
    if (title.length > MAX_TITLE) {
      throw validationFailed(docs, {
        resource: 'Issue',
        code: 'custom',
        field: 'title',
        message: `title is too long (maximum is ${MAX_TITLE} characters)`
      })
    }
    return title
  }

  private checkBody(value: unknown, docs: string): string | null | undefined {
    if (value === undefined || value === null) return value
    if (typeof value !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/body', ${JSON.stringify(value)} is not a string or null.`
      )
    }
    if (value.length > MAX_BODY) {
      throw validationFailed(docs, {
        resource: 'Issue',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY} characters)`
      })
    }
    return value
  }

  private labelInputs(value: unknown, docs: string): string[] {
    if (value === null) return []
    if (!Array.isArray(value)) {
      throw invalidRequest(
        docs,
        `For 'properties/labels', ${JSON.stringify(value)} is not an array.`
      )
    }
    return value.map((item: unknown) => {
      if (typeof item === 'string') return item
      if (isRecord(item) && typeof item['name'] === 'string') return item['name']
      throw invalidRequest(
        docs,
        `For 'items', ${JSON.stringify(item)} is not a string or an object with a name.`
      )
    })
  }

  /** The assignees asked for, as sent (`assignees` or the older `assignee`; not both). */
  private assigneeInputs(
    body: Record<string, unknown>,
    docs: string
  ): { key: 'assignees' | 'assignee'; logins: string[] } | undefined {
    if (has(body, 'assignees') && has(body, 'assignee')) {
      throw fail(
        422,
        'You cannot pass both `assignee` and `assignees`. Only one may be provided.',
        docs
      )
    }
    if (has(body, 'assignees')) {
      const v = body['assignees']
      if (v === null) return { key: 'assignees', logins: [] }
      const logins = Array.isArray(v)
        ? v.map((a: unknown) =>
            typeof a === 'string'
              ? a
              : isRecord(a) && typeof a['login'] === 'string'
                ? a['login']
                : undefined
          )
        : undefined
      if (!logins || logins.some((a) => a === undefined)) {
        throw invalidRequest(
          docs,
          `For 'properties/assignees', ${JSON.stringify(v)} is not an array of strings.`
        )
      }
      return { key: 'assignees', logins: logins as string[] }
    }
    if (has(body, 'assignee')) {
      const v = body['assignee']
      if (v === null || v === '') return { key: 'assignee', logins: [] }
      if (typeof v !== 'string') {
        throw invalidRequest(
          docs,
          `For 'properties/assignee', ${JSON.stringify(v)} is not a string or null.`
        )
      }
      return { key: 'assignee', logins: [v] }
    }
    return undefined
  }

  /**
   * The logins to assign, blanks and duplicates (case-insensitively) left out; answers 422 for the
   * first one that cannot be assigned, as GitHub does: not in `assignableUsers` (when set) and
   * neither the issue's author nor one of its commenters.
   */
  private assignable(
    input: { key: 'assignees' | 'assignee'; logins: string[] },
    author: string,
    commenters: string[],
    docs: string
  ): string[] {
    const out: string[] = []
    for (const login of input.logins) {
      if (login.trim() === '' || out.some((a) => lower(a) === lower(login))) continue
      const known = this.assignableUsers?.find((u) => lower(u) === lower(login))
      const involved = [author, ...commenters].find((u) => lower(u) === lower(login))
      if (this.assignableUsers !== undefined && known === undefined && involved === undefined) {
        throw validationFailed(docs, {
          value: login,
          resource: 'Issue',
          field: input.key,
          code: 'invalid'
        })
      }
      out.push(known ?? involved ?? login)
    }
    return out
  }

  /** Checks the shape of a `milestone` (a number or a string; null for none). */
  private milestoneShape(value: unknown, docs: string): number | string | null {
    if (value === null) return null
    if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string') {
      return value
    }
    throw invalidRequest(
      docs,
      `For 'properties/milestone', ${JSON.stringify(value)} is not a string or integer or null.`
    )
  }

  /** The number of an existing milestone; 422 (`invalid`, with the value sent) otherwise. */
  private existingMilestone(value: number | string | null, docs: string): number | null {
    if (value === null) return null
    const number =
      typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (this.findMilestone(number)) return number
    throw validationFailed(docs, { value, resource: 'Issue', field: 'milestone', code: 'invalid' })
  }

  private findMilestone(number: number): FakeMilestone | undefined {
    return this.milestones.find((m) => m.number === number)
  }

  /**
   * The issue type name for a `type` (canonical case), null for none, undefined for "leave as is".
   * Creating: on an organisation, an unknown name (or any name when it has no issue types) answers
   * 422; on a user's repository it is ignored. Updating: `null` or `''` removes the type; an
   * unknown name answers 422 when the owner has issue types, and is ignored when it has none.
   */
  private typeInput(
    value: unknown,
    docs: string,
    mode: 'create' | 'update'
  ): string | null | undefined {
    let name: unknown = value
    if (mode === 'update' && isRecord(value)) name = value['value'] ?? null
    if (name !== null && typeof name !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/type', ${JSON.stringify(value)} is not a string or null.`
      )
    }
    const org = this.ownerType === 'Organization'
    const invalid = (): ApiError =>
      validationFailed(docs, { value: name, resource: 'Issue', field: 'type', code: 'invalid' })
    if (mode === 'create') {
      if (name === null || !org) return null
      const found = this.issueTypes?.find((t) => lower(t.name) === lower(name))
      if (!found) throw invalid()
      return found.name
    }
    if (!org || this.issueTypes === undefined) return undefined
    if (name === null || name === '') return null
    const found = this.issueTypes.find((t) => lower(t.name) === lower(name))
    if (!found) throw invalid()
    return found.name
  }

  /**
   * Checks the shape of issue field values (an array of `{field_id, value}`, as the request schema
   * says); `extraKeys` allows the update endpoint's suggestion keys.
   */
  private fieldValueItems(
    value: unknown,
    docs: string,
    where: string,
    extraKeys = false
  ): Array<{ field_id: number; value: unknown }> {
    if (!Array.isArray(value)) {
      throw invalidRequest(docs, `For '${where}', ${JSON.stringify(value)} is not an array.`)
    }
    const allowed = new Set([
      'field_id',
      'value',
      ...(extraKeys ? ['rationale', 'suggest', 'confidence'] : [])
    ])
    return value.map((item: unknown) => {
      if (!isRecord(item)) {
        throw invalidRequest(docs, `For 'items', ${JSON.stringify(item)} is not an object.`)
      }
      for (const key of ['field_id', 'value']) {
        if (!has(item, key)) throw invalidRequest(docs, `"${key}" wasn't supplied.`)
      }
      const extra = Object.keys(item).find((k) => !allowed.has(k))
      if (extra !== undefined) {
        throw invalidRequest(docs, `For 'items', "${extra}" is not a permitted key.`)
      }
      const fieldId = item['field_id']
      if (typeof fieldId !== 'number' || !Number.isInteger(fieldId)) {
        throw invalidRequest(
          docs,
          `For 'properties/field_id', ${JSON.stringify(fieldId)} is not an integer.`
        )
      }
      const v = item['value']
      if (
        typeof v !== 'string' &&
        typeof v !== 'number' &&
        !(Array.isArray(v) && v.every((x) => typeof x === 'string'))
      ) {
        throw invalidRequest(
          docs,
          `For 'properties/value', ${JSON.stringify(v)} is not a string or number or array.`
        )
      }
      return { field_id: fieldId, value: v }
    })
  }

  /**
   * Resolves issue field values against the organisation's fields, first value of a field winning.
   * Answers 422 with GitHub's messages for an unknown field id, an unknown option name, a text field
   * given a non-string and a number field given a non-number.
   */
  private checkFieldValues(
    items: Array<{ field_id: number; value: unknown }>,
    docs: string
  ): FakeIssueFieldValue[] {
    const out: FakeIssueFieldValue[] = []
    for (const { field_id: id, value } of items) {
      if (out.some((v) => v.field_id === id)) continue
      const field = this.issueFields?.find((f) => f.id === id)
      if (!field) throw fail(422, `Issue field with id ${id} not found`, docs)
      switch (field.data_type) {
        case 'text':
          if (typeof value !== 'string') {
            throw fail(422, `Issue field value for field with id ${id} must be a string`, docs)
          }
          out.push({ field_id: id, value })
          break
        case 'number':
          if (typeof value !== 'number') {
            throw fail(422, `Issue field value for field with id ${id} must be a number`, docs)
          }
          out.push({ field_id: id, value })
          break
        case 'single_select': {
          const option =
            typeof value === 'string'
              ? field.options?.find((o) => lower(o.name) === lower(value))
              : undefined
          if (!option) {
            throw fail(
              422,
              `Issue field option with name ${Array.isArray(value) ? value.join(',') : String(value)} does not exist`,
              docs
            )
          }
          out.push({ field_id: id, value: option.name })
          break
        }
        case 'date':
          // GitHub's endpoint does not check dates itself; the store refuses what is not a date.
          if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
            throw fail(
              422,
              `Failed to update issue field values: ${JSON.stringify(value)} is not a valid date`,
              docs
            )
          }
          out.push({ field_id: id, value: value.slice(0, 10) })
          break
      }
    }
    return out
  }

  private checkLabelName(value: unknown, docs: string): string {
    if (typeof value !== 'string') {
      throw invalidRequest(docs, `For 'properties/name', ${JSON.stringify(value)} is not a string.`)
    }
    if (value.trim() === '') {
      throw validationFailed(docs, { resource: 'Label', code: 'missing_field', field: 'name' })
    }
    if (value.length > MAX_LABEL_NAME) {
      throw validationFailed(docs, {
        resource: 'Label',
        code: 'custom',
        field: 'name',
        message: `name is too long (maximum is ${MAX_LABEL_NAME} characters)`
      })
    }
    return value
  }

  private checkColor(value: unknown, docs: string): string {
    if (typeof value !== 'string' || !/^[0-9a-fA-F]{6}$/.test(value)) {
      throw validationFailed(docs, { resource: 'Label', code: 'invalid', field: 'color' })
    }
    return value.toLowerCase()
  }

  private checkDescription(value: unknown, docs: string): string | null {
    if (value === null) return null
    if (typeof value !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/description', ${JSON.stringify(value)} is not a string.`
      )
    }
    if (value.length > MAX_LABEL_DESCRIPTION) {
      throw validationFailed(docs, {
        resource: 'Label',
        code: 'custom',
        field: 'description',
        message: `description is too long (maximum is ${MAX_LABEL_DESCRIPTION} characters)`
      })
    }
    return value
  }

  /**
   * Maps label names to the repository's labels (case-insensitively, deduplicated). Unknown ones are
   * created with the default colour, or dropped when label creation is forbidden (API writes only).
   */
  private canonicalLabels(names: string[], origin: 'api' | 'seed'): string[] {
    const out: string[] = []
    for (const raw of names) {
      if (out.some((n) => lower(n) === lower(raw))) continue
      const existing = this.findLabel(raw)
      if (existing) {
        out.push(existing.name)
        continue
      }
      if (origin === 'api' && this.forbidLabelCreation) continue
      if (origin === 'api') this.checkLabelName(raw, DOCS.createLabel)
      this.labels.push({
        id: this.nextLabelId(),
        name: raw,
        color: DEFAULT_LABEL_COLOR,
        description: null
      })
      out.push(raw)
    }
    return out
  }

  private findLabel(name: string): FakeLabel | undefined {
    return this.labels.find((l) => lower(l.name) === lower(name))
  }

  /** The label for a name on an issue; synthesised when a test put an unknown name there. */
  private labelFor(name: string): FakeLabel {
    return (
      this.findLabel(name) ?? {
        id: 7_500_000_000 + hashId(lower(name)),
        name,
        color: DEFAULT_LABEL_COLOR,
        description: null
      }
    )
  }

  // -------------------------------------------------------------------------------------------
  // Identifiers
  // -------------------------------------------------------------------------------------------

  private nextNumber(): number {
    return this.issues.reduce((max, i) => Math.max(max, i.number), 0) + 1
  }

  private nextIssueId(): number {
    this.lastIssueId = this.issues.reduce((max, i) => Math.max(max, i.id), this.lastIssueId) + 1
    return this.lastIssueId
  }

  private nextCommentId(): number {
    let max = this.lastCommentId
    for (const issue of this.issues) for (const c of issue.comments) max = Math.max(max, c.id)
    this.lastCommentId = max + 1
    return this.lastCommentId
  }

  private nextLabelId(): number {
    this.lastLabelId = this.labels.reduce((max, l) => Math.max(max, l.id), this.lastLabelId) + 1
    return this.lastLabelId
  }

  // -------------------------------------------------------------------------------------------
  // Rendering (GitHub's JSON shapes)
  // -------------------------------------------------------------------------------------------

  private loc(): RepoLoc {
    return { owner: this.owner, repo: this.repo }
  }

  private apiRepo(loc: RepoLoc): string {
    return `${this.url}/repos/${loc.owner}/${loc.repo}`
  }

  private htmlRepo(loc: RepoLoc): string {
    return `${this.serverUrl}/${loc.owner}/${loc.repo}`
  }

  private paged<T>(ctx: Ctx, all: T[], render: (item: T) => unknown): Reply {
    const perPage = parsePerPage(ctx.query)
    const page = parsePage(ctx.query)
    const start = (page - 1) * perPage
    const items = all.slice(start, start + perPage).map(render)
    const link = this.linkHeader(ctx, page, Math.ceil(all.length / perPage))
    return { status: 200, body: items, headers: link ? { link } : {} }
  }

  /** GitHub's Link header: prev, next, last, first, as applicable. */
  private linkHeader(ctx: Ctx, page: number, lastPage: number): string | undefined {
    if (lastPage <= 1 && page <= 1) return undefined
    const href = (p: number): string => {
      const q = new URLSearchParams(ctx.query)
      q.set('page', String(p))
      return `<${this.url}${ctx.path}?${q.toString()}>`
    }
    const parts: string[] = []
    if (page > 1) parts.push(`${href(page - 1)}; rel="prev"`)
    if (page < lastPage) {
      parts.push(`${href(page + 1)}; rel="next"`)
      parts.push(`${href(lastPage)}; rel="last"`)
    }
    if (page > 1) parts.push(`${href(1)}; rel="first"`)
    return parts.length > 0 ? parts.join(', ') : undefined
  }

  private renderUser(login: string): Record<string, unknown> {
    const bot = login.endsWith('[bot]')
    const id = login === BOT_LOGIN ? BOT_ID : hashId(lower(login))
    const apiUrl = `${this.url}/users/${encodeURIComponent(login)}`
    return {
      login,
      id,
      node_id: bot
        ? `BOT_kgDO${Buffer.from(String(id)).toString('base64url')}`
        : `U_kgDO${Buffer.from(String(id)).toString('base64url')}`,
      avatar_url: bot
        ? 'https://avatars.githubusercontent.com/in/15368?v=4'
        : `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: apiUrl,
      html_url: bot
        ? `${this.serverUrl}/apps/${login.replace(/\[bot\]$/, '')}`
        : `${this.serverUrl}/${login}`,
      followers_url: `${apiUrl}/followers`,
      following_url: `${apiUrl}/following{/other_user}`,
      gists_url: `${apiUrl}/gists{/gist_id}`,
      starred_url: `${apiUrl}/starred{/owner}{/repo}`,
      subscriptions_url: `${apiUrl}/subscriptions`,
      organizations_url: `${apiUrl}/orgs`,
      repos_url: `${apiUrl}/repos`,
      events_url: `${apiUrl}/events{/privacy}`,
      received_events_url: `${apiUrl}/received_events`,
      type: bot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false
    }
  }

  private renderLabel(
    label: FakeLabel,
    loc: RepoLoc = this.loc()
  ): Record<string, unknown> & { url: string } {
    return {
      id: label.id,
      node_id: nodeId('LA', label.id),
      url: `${this.apiRepo(loc)}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: label.description
    }
  }

  private renderMilestone(number: number, loc: RepoLoc): Record<string, unknown> {
    // An issue a test changed in place may name a milestone that was never seeded.
    const m = this.findMilestone(number) ?? {
      number,
      id: 9_000_000 + number,
      title: `Milestone ${number}`,
      description: null,
      state: 'open',
      due_on: null,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      closed_at: null,
      creator_login: this.owner
    }
    const count = (state: 'open' | 'closed'): number =>
      this.issues.filter(
        (i) => i.milestone === number && i.state === state && !i.deleted && !i.transferred
      ).length
    return {
      url: `${this.apiRepo(loc)}/milestones/${number}`,
      html_url: `${this.htmlRepo(loc)}/milestone/${number}`,
      labels_url: `${this.apiRepo(loc)}/milestones/${number}/labels`,
      id: m.id,
      node_id: nodeId('MI', m.id),
      number,
      title: m.title,
      description: m.description,
      creator: this.renderUser(m.creator_login),
      open_issues: count('open'),
      closed_issues: count('closed'),
      state: m.state,
      created_at: m.created_at,
      updated_at: m.updated_at,
      due_on: m.due_on,
      closed_at: m.closed_at
    }
  }

  private renderIssueType(name: string): Record<string, unknown> {
    const type = this.issueTypes?.find((t) => lower(t.name) === lower(name)) ?? {
      id: hashId(`issue-type:${lower(name)}`),
      name,
      description: null,
      color: 'gray'
    }
    return {
      id: type.id,
      node_id: nodeId('IT', type.id),
      name: type.name,
      description: type.description,
      color: type.color,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      is_enabled: true
    }
  }

  private renderIssueField(field: FakeIssueField): Record<string, unknown> {
    return {
      id: field.id,
      node_id: field.node_id,
      name: field.name,
      description: field.description,
      data_type: field.data_type,
      ...(field.options ? { options: field.options.map((o) => ({ ...o })) } : {}),
      created_at: field.created_at,
      updated_at: field.updated_at
    }
  }

  /** An issue's field values as GitHub renders them, in the order of the organisation's fields. */
  private renderFieldValues(issue: FakeIssue): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    for (const field of this.issueFields ?? []) {
      const v = issue.field_values?.find((x) => x.field_id === field.id)
      if (!v) continue
      const base = {
        issue_field_id: field.id,
        node_id: field.node_id,
        issue_field_name: field.name,
        data_type: field.data_type
      }
      if (field.data_type === 'single_select') {
        const option = field.options?.find((o) => lower(o.name) === lower(String(v.value)))
        if (!option) continue
        // The value of a single-select field is its option's id.
        out.push({ ...base, value: option.id, single_select_option: { ...option } })
      } else {
        out.push({ ...base, value: v.value })
      }
    }
    return out
  }

  private renderIssue(
    issue: FakeIssue,
    opts: {
      single?: boolean
      search?: boolean
      loc?: RepoLoc
      number?: number
      repoId?: number
    } = {}
  ): Record<string, unknown> {
    const loc = opts.loc ?? this.loc()
    const n = opts.number ?? issue.number
    const api = `${this.apiRepo(loc)}/issues/${n}`
    const html = issue.pull_request
      ? `${this.htmlRepo(loc)}/pull/${n}`
      : `${this.htmlRepo(loc)}/issues/${n}`
    const assignees = issue.assignees.map((a) => this.renderUser(a))
    const out: Record<string, unknown> = {
      url: api,
      repository_url: this.apiRepo(loc),
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: html,
      id: issue.id,
      node_id: issue.node_id,
      number: n,
      title: issue.title,
      user: this.renderUser(issue.user_login),
      labels: issue.labels.map((name) => this.renderLabel(this.labelFor(name), loc)),
      state: issue.state,
      locked: issue.locked,
      assignee: assignees[0] ?? null,
      assignees,
      milestone: issue.milestone === null ? null : this.renderMilestone(issue.milestone, loc),
      comments: issue.comments.length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      author_association: lower(issue.user_login) === lower(this.owner) ? 'OWNER' : 'NONE',
      type: issue.type ? this.renderIssueType(issue.type) : null,
      active_lock_reason: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 }
    }
    if (this.issueFields) out['issue_field_values'] = this.renderFieldValues(issue)
    if (issue.pull_request) {
      out['draft'] = false
      out['pull_request'] = {
        url: `${this.apiRepo(loc)}/pulls/${n}`,
        html_url: `${this.htmlRepo(loc)}/pull/${n}`,
        diff_url: `${this.htmlRepo(loc)}/pull/${n}.diff`,
        patch_url: `${this.htmlRepo(loc)}/pull/${n}.patch`,
        merged_at: null
      }
    }
    out['body'] = issue.body
    if (opts.single) {
      out['closed_by'] =
        issue.state === 'closed' && issue.closed_by_login
          ? this.renderUser(issue.closed_by_login)
          : null
    }
    out['reactions'] = {
      url: `${api}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0
    }
    out['timeline_url'] = `${api}/timeline`
    out['performed_via_github_app'] = null
    out['state_reason'] = issue.state_reason
    if (opts.search) out['score'] = 1
    return out
  }

  private renderComment(issue: FakeIssue, comment: FakeComment): Record<string, unknown> {
    const loc = this.loc()
    const api = `${this.apiRepo(loc)}/issues/comments/${comment.id}`
    return {
      url: api,
      html_url: `${this.htmlRepo(loc)}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${this.apiRepo(loc)}/issues/${issue.number}`,
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      user: this.renderUser(comment.user_login ?? this.userLogin),
      created_at: comment.created_at,
      updated_at: comment.updated_at ?? comment.created_at,
      author_association:
        lower(comment.user_login ?? this.userLogin) === lower(this.owner) ? 'OWNER' : 'NONE',
      body: comment.body,
      reactions: {
        url: `${api}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0
      },
      performed_via_github_app: null
    }
  }
}

/**
 * An in-process fake of the parts of Sentry's REST API the action uses, served over real HTTP on
 * loopback (node:http, port 0). Tests and the demo point the real Sentry client at `fake.url`.
 *
 * It imitates sentry.io closely where the action's behaviour depends on it:
 * - Bearer authentication on every request (401 for a missing or unknown token, 403 for tokens
 *   listed in `forbiddenTokens`), 404 for an unknown organization or route, `{"detail": ...}` bodies;
 * - `GET /api/0/organizations/{org}/issues/` with `query`, `statsPeriod`/`start`/`end`, repeatable
 *   numeric `project` and `environment`, `sort`, `limit`, `cursor`, and the batch look-up by `group`;
 * - `GET /api/0/organizations/{org}/projects/`, `GET` and `PUT /api/0/organizations/{org}/issues/{id}/`;
 * - cursor pagination with Sentry's exact `Link` header (both `previous` and `next`, always);
 * - the `X-Sentry-Rate-Limit-*` headers, and optional real per-second rate limiting answered with a
 *   429 that, like Sentry, carries no `Retry-After`.
 *
 * Faults (`injectFault`) simulate what proxies and networks do: error statuses and HTML pages,
 * connections reset mid-body, slow responses, malformed JSON, and a cursor that loops forever.
 *
 * Issues are built from the example in Sentry's own OpenAPI description (extracted into
 * `data/sentry-spec.json` by `scripts/extract-sentry-spec.mjs`), so every required field is present.
 * `issues` and `projects` are plain public arrays: tests may read and mutate them freely; every
 * request sees their current state. Keys of an issue that start with `_` (such as `_environments`)
 * are hidden data the fake filters on and never serves.
 *
 * Only for tests and the demo: product code must not import this module.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import spec from './data/sentry-spec.json' with { type: 'json' }

// ---------------------------------------------------------------------------------------------
// Public types

export interface FakeSentryOptions {
  /** The token the fake accepts (default `sentry-test-token`). */
  token?: string
  /** The organization slug the fake serves (default `acme`). */
  org?: string
  /** A path prefix, as for a self-hosted Sentry served under e.g. `/sentry` (default none). */
  pathPrefix?: string
  /**
   * Send `X-Sentry-Rate-Limit-Limit/-Remaining/-Reset/-ConcurrentLimit/-ConcurrentRemaining` on
   * every normal response, as sentry.io does (default true). False imitates a self-hosted server.
   */
  rateLimitHeaders?: boolean
  /**
   * Real rate limiting: once this many requests arrived in the current one-second window, answer
   * 429 (without `Retry-After`, with `X-Sentry-Rate-Limit-Reset` = the window's end in epoch
   * seconds) until the window ends. Default: unlimited.
   */
  requestsPerWindow?: number
  /** Tokens that authenticate but lack the scopes to read (answered with 403). */
  forbiddenTokens?: string[]
  /** The clock that `statsPeriod` filtering and new issues' timestamps use (default: real time). */
  now?: () => Date
}

export interface FakeSentryProject {
  id: string
  slug: string
  name: string
  platform: string
}

export interface FakeSentryRequest {
  method: string
  /** The request path without the `pathPrefix`, e.g. `/api/0/organizations/acme/issues/`. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
}

/**
 * A fault applies to the next request(s) that match: `times` requests (default 1; for
 * `loop-cursor` default forever), restricted to requests whose path (without the prefix) plus
 * query string contains `pathIncludes`. Faults are tried in the order they were injected; at most
 * one applies to a request.
 */
export type SentryFault = { times?: number; pathIncludes?: string } & (
  | {
      /** Answer with this status (and headers and body; default a JSON `{"detail": ...}`). */
      kind: 'status'
      status: number
      headers?: Record<string, string>
      body?: string
    }
  /** Send the headers and part of a 200 body, then destroy the socket. */
  | { kind: 'reset' }
  /** Handle the request normally, but only after `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /** Answer 200 with a truncated JSON document. */
  | { kind: 'malformed-json' }
  /** On list endpoints only: a `Link` whose `next` cursor points back to the current page. */
  | { kind: 'loop-cursor' }
)

/** An issue as the fake stores it: the API's fields plus hidden `_`-prefixed ones. */
export type FakeIssue = Record<string, unknown>

/** Fields to set on a new issue; anything not given gets a realistic default. */
export interface FakeIssueInput {
  /** Slug of the issue's project (default: the first project; one is created if there is none). */
  projectSlug?: string
  /** Environments the issue was seen in (stored hidden as `_environments`; default production). */
  environments?: string[]
  id?: string
  shortId?: string
  title?: string
  culprit?: string | null
  level?: string
  status?: string
  substatus?: string | null
  priority?: string | null
  /** Sentry serves `count` as a string; a number given here is stored as a string. */
  count?: string | number
  userCount?: number
  firstSeen?: string | null
  lastSeen?: string | null
  metadata?: Record<string, unknown>
  assignedTo?: Record<string, unknown> | null
  isUnhandled?: boolean
  [field: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// Constants

const DEFAULT_TOKEN = 'sentry-test-token'
const DEFAULT_ORG = 'acme'
/** Nominal per-second budget advertised when no real limit is configured. */
const NOMINAL_RATE_LIMIT = 1000
const CONCURRENT_LIMIT = 25
const MAX_PAGE_SIZE = 100
const DEFAULT_PERIOD_MS = 90 * 24 * 3600_000
const FIRST_ISSUE_ID = 6_000_000_000
const FIRST_PROJECT_ID = 4_500_000_000_000_000

const DETAIL_NOT_FOUND = 'The requested resource does not exist'
const DETAIL_INVALID_TOKEN = 'Invalid token'
const DETAIL_FORBIDDEN = 'You do not have permission to perform this action.'

const ISSUE_SORTS = new Set(['date', 'new', 'freq', 'user', 'trends', 'inbox', 'recommended'])
const IS_STATUSES: Record<string, string> = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  ignored: 'ignored',
  archived: 'ignored'
}
const PUT_STATUSES: Record<string, { status: string; substatus: string | null }> = {
  resolved: { status: 'resolved', substatus: null },
  resolvedInNextRelease: { status: 'resolved', substatus: null },
  unresolved: { status: 'unresolved', substatus: 'ongoing' },
  ignored: { status: 'ignored', substatus: 'archived_until_escalating' }
}
const PERIOD_UNITS_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 86_400_000,
  w: 604_800_000
}

// ---------------------------------------------------------------------------------------------
// The spec's example issue

interface ExtractedSpec {
  operations: Record<
    string,
    { examples: Record<string, Record<string, { value: unknown }>> } | undefined
  >
}

const ISSUES_LIST_OPERATION = 'GET /api/0/organizations/{organization_id_or_slug}/issues/'

/** The first item of the issues-list example in Sentry's OpenAPI description. */
function specExampleIssue(): FakeIssue {
  const examples = (spec as unknown as ExtractedSpec).operations[ISSUES_LIST_OPERATION]?.examples
  const first = Object.values(examples?.['200'] ?? {})[0]?.value
  if (!Array.isArray(first) || typeof first[0] !== 'object' || first[0] === null) {
    throw new Error('data/sentry-spec.json has no issues-list example: re-run the extract script')
  }
  return first[0] as FakeIssue
}

const EXAMPLE_ISSUE = specExampleIssue()

// ---------------------------------------------------------------------------------------------
// Seed data

interface ErrorTemplate {
  type: string
  values: string[]
  filename: string
  function: string
  module: string
}

const PYTHON_ERRORS: ErrorTemplate[] = [
  {
    type: 'KeyError',
    values: ["'user_id'", "'order_id'", "'tenant'", "'Authorization'"],
    filename: 'app/views/users.py',
    function: 'get_user',
    module: 'app.views.users'
  },
  {
    type: 'ValueError',
    values: ["invalid literal for int() with base 10: 'abc'", 'too many values to unpack'],
    filename: 'app/services/billing.py',
    function: 'parse_amount',
    module: 'app.services.billing'
  },
  {
    type: 'AttributeError',
    values: ["'NoneType' object has no attribute 'id'", "'dict' object has no attribute 'email'"],
    filename: 'app/models/order.py',
    function: 'customer_email',
    module: 'app.models.order'
  },
  {
    type: 'ZeroDivisionError',
    values: ['division by zero'],
    filename: 'app/reports/metrics.py',
    function: 'conversion_rate',
    module: 'app.reports.metrics'
  },
  {
    type: 'OperationalError',
    values: ['could not connect to server: Connection refused', 'server closed the connection'],
    filename: 'app/db/session.py',
    function: 'execute',
    module: 'app.db.session'
  },
  {
    type: 'TimeoutError',
    values: ['timed out after 30 seconds waiting for payments-api'],
    filename: 'app/clients/payments.py',
    function: 'charge',
    module: 'app.clients.payments'
  }
]

const JAVASCRIPT_ERRORS: ErrorTemplate[] = [
  {
    type: 'TypeError',
    values: [
      "Cannot read properties of undefined (reading 'id')",
      "Cannot read properties of null (reading 'map')",
      'fetch failed'
    ],
    filename: 'src/components/UserCard.tsx',
    function: 'UserCard',
    module: 'src/components/UserCard'
  },
  {
    type: 'ReferenceError',
    values: ['process is not defined', 'analytics is not defined'],
    filename: 'src/lib/tracking.ts',
    function: 'track',
    module: 'src/lib/tracking'
  },
  {
    type: 'RangeError',
    values: ['Maximum call stack size exceeded', 'Invalid time value'],
    filename: 'src/utils/date.ts',
    function: 'formatDate',
    module: 'src/utils/date'
  },
  {
    type: 'SyntaxError',
    values: ['Unexpected token < in JSON at position 0', 'Unexpected end of JSON input'],
    filename: 'src/api/client.ts',
    function: 'parseResponse',
    module: 'src/api/client'
  },
  {
    type: 'ChunkLoadError',
    values: ['Loading chunk 42 failed.', 'Loading chunk 7 failed.'],
    filename: 'webpack/runtime/jsonp chunk loading',
    function: 'loadChunk',
    module: 'webpack/runtime'
  },
  {
    type: 'Error',
    values: ['Request failed with status code 500', 'Network Error'],
    filename: 'src/api/orders.ts',
    function: 'fetchOrders',
    module: 'src/api/orders'
  }
]

const PEOPLE = [
  { id: '101', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: '102', name: 'Grace Hopper', email: 'grace@example.com' },
  { id: '103', name: 'Alan Turing', email: 'alan@example.com' }
]
const TEAMS = [
  { id: '201', name: 'backend' },
  { id: '202', name: 'frontend' }
]

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** An error answer (`{"detail": ...}`) thrown inside request handling. */
class HttpError extends Error {
  readonly status: number
  readonly detail: string

  constructor(status: number, detail: string) {
    super(detail)
    this.status = status
    this.detail = detail
  }
}

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

type Route =
  | { name: 'issues'; org: string }
  | { name: 'projects'; org: string }
  | { name: 'issue'; org: string; id: string }

const ROUTE_PATTERN = /^\/api\/0\/organizations\/([^/]+)\/(issues|projects)\/(?:([^/]+)\/)?$/

function matchRoute(path: string): Route | undefined {
  const match = ROUTE_PATTERN.exec(path)
  if (!match) return undefined
  const org = decodeURIComponent(match[1] ?? '')
  const id = match[3] === undefined ? undefined : decodeURIComponent(match[3])
  if (match[2] === 'projects') return id === undefined ? { name: 'projects', org } : undefined
  return id === undefined ? { name: 'issues', org } : { name: 'issue', org, id }
}

const ALLOWED_METHODS: Record<Route['name'], string[]> = {
  issues: ['GET'],
  projects: ['GET'],
  issue: ['GET', 'PUT']
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function titleCase(slug: string): string {
  return slug
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ')
}

/** Strips the hidden `_`-prefixed keys of an issue. */
function serveIssue(issue: FakeIssue): Record<string, unknown> {
  return Object.fromEntries(Object.entries(issue).filter(([key]) => !key.startsWith('_')))
}

function toTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : 0
  }
  return 0
}

function issueProjectId(issue: FakeIssue): string | undefined {
  const project = issue['project']
  if (typeof project !== 'object' || project === null) return undefined
  const id = (project as Record<string, unknown>)['id']
  return id === undefined ? undefined : String(id)
}

/** Splits a search query into tokens, keeping double-quoted phrases (and `key:"a b"`) whole. */
function tokenize(query: string): string[] {
  return query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value
}

/** The values of `key:value` or `key:[a,b]`. */
function listValues(value: string): string[] {
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  return inner
    .split(',')
    .map((v) => unquote(v.trim()))
    .filter((v) => v !== '')
}

function parseIntParam(value: string | null, name: string, min: number, max: number): number {
  if (value === null) return max
  if (!/^\d+$/.test(value)) throw new HttpError(400, `Invalid ${name} parameter: not an integer.`)
  const parsed = Number(value)
  if (parsed < min || parsed > max) {
    throw new HttpError(400, `Invalid ${name} parameter: must be between ${min} and ${max}.`)
  }
  return parsed
}

interface Cursor {
  value: string
  offset: number
  isPrev: boolean
}

function parseCursor(value: string | null): Cursor {
  if (value === null) return { value: '0', offset: 0, isPrev: false }
  const match = /^(-?\d+(?:\.\d+)?):(\d+):([01])$/.exec(value)
  if (!match) throw new HttpError(400, 'Invalid cursor parameter.')
  return { value: match[1] ?? '0', offset: Number(match[2]), isPrev: match[3] === '1' }
}

// ---------------------------------------------------------------------------------------------
// The server

interface QueuedFault {
  fault: SentryFault
  remaining: number
}

interface PendingDelay {
  timer: NodeJS.Timeout
  resolve: () => void
}

/** A fake Sentry server. Create one with `FakeSentry.start()`, and `close()` it when done. */
export class FakeSentry {
  /** The base URL a user would configure as `sentry-url` (includes the prefix, no trailing slash). */
  readonly url: string
  readonly org: string
  readonly token: string
  readonly pathPrefix: string
  /** Tokens answered with 403 (the token is known but lacks the scopes). */
  forbiddenTokens: string[]
  /** The clock for `statsPeriod` filtering and new issues' timestamps. */
  now: () => Date
  projects: FakeSentryProject[] = []
  issues: FakeIssue[] = []
  /** Every request received, in order (faulted ones included). */
  requests: FakeSentryRequest[] = []

  readonly #server: Server
  readonly #rateLimitHeaders: boolean
  readonly #requestsPerWindow: number | undefined
  #faults: QueuedFault[] = []
  #delays = new Set<PendingDelay>()
  #nextIssueId = FIRST_ISSUE_ID + 1
  #nextProjectId = FIRST_PROJECT_ID + 1
  #shortIdCounters = new Map<string, number>()
  #window = { second: 0, count: 0 }
  #inFlight = 0
  #closed = false

  private constructor(server: Server, port: number, opts: FakeSentryOptions) {
    this.#server = server
    this.pathPrefix = normalizePrefix(opts.pathPrefix)
    this.url = `http://127.0.0.1:${port}${this.pathPrefix}`
    this.org = opts.org ?? DEFAULT_ORG
    this.token = opts.token ?? DEFAULT_TOKEN
    this.forbiddenTokens = [...(opts.forbiddenTokens ?? [])]
    this.now = opts.now ?? (() => new Date())
    this.#rateLimitHeaders = opts.rateLimitHeaders ?? true
    this.#requestsPerWindow = opts.requestsPerWindow
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(opts: FakeSentryOptions = {}): Promise<FakeSentry> {
    if (opts.requestsPerWindow !== undefined && !(opts.requestsPerWindow >= 1)) {
      throw new RangeError('requestsPerWindow must be at least 1')
    }
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const fake = new FakeSentry(server, (server.address() as AddressInfo).port, opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          fake.#send(res, { status: 500, body: { detail: `Fake Sentry failed: ${String(error)}` } })
        } else {
          res.destroy()
        }
      })
    })
    return fake
  }

  /**
   * Adds a project. Its id is a sequential numeric string unless given; its platform defaults to
   * `javascript` for slugs that look like a front end (web, frontend, js, react, ui), else `python`.
   */
  addProject(
    slug: string,
    opts: { id?: string; name?: string; platform?: string } = {}
  ): FakeSentryProject {
    if (this.projects.some((p) => p.slug === slug)) {
      throw new Error(`Fake Sentry already has a project "${slug}"`)
    }
    const id = opts.id ?? String(this.#nextProjectId++)
    const project = {
      id,
      slug,
      name: opts.name ?? titleCase(slug),
      platform: opts.platform ?? (/web|front|js|react|vue|ui/.test(slug) ? 'javascript' : 'python')
    }
    this.projects.push(project)
    return project
  }

  /**
   * Adds an issue built from the spec's example: every field of `OrganizationGroupIndexGetResponse`
   * items is present, with a sequential id, a per-project short id (`BACKEND-3`), a permalink on
   * this server, `count` as a string and timestamps of now. `overrides` replace any field.
   */
  addIssue(overrides: FakeIssueInput = {}): FakeIssue {
    const { projectSlug, environments, ...fields } = overrides
    const project = this.#projectFor(projectSlug)

    const id = fields.id ?? String(this.#nextIssueId++)
    if (/^\d+$/.test(id) && Number(id) >= this.#nextIssueId) this.#nextIssueId = Number(id) + 1
    const shortNumber = (this.#shortIdCounters.get(project.slug) ?? 0) + 1
    this.#shortIdCounters.set(project.slug, shortNumber)

    const now = this.now()
    const nowIso = now.toISOString()
    const level = fields.level ?? 'error'
    const metadata = fields.metadata ?? {
      type: 'TypeError',
      value: "Cannot read properties of undefined (reading 'id')",
      filename: 'src/components/UserCard.tsx',
      function: 'UserCard'
    }
    const defaultTitle =
      typeof metadata['type'] === 'string' && typeof metadata['value'] === 'string'
        ? `${metadata['type']}: ${metadata['value']}`
        : typeof metadata['title'] === 'string'
          ? metadata['title']
          : 'Example error'
    const status = fields.status ?? 'unresolved'
    const defaultSubstatus =
      status === 'resolved' ? null : status === 'ignored' ? 'archived_until_escalating' : 'new'
    const firstSeen = fields.firstSeen === undefined ? nowIso : fields.firstSeen
    const lastSeen = fields.lastSeen === undefined ? nowIso : fields.lastSeen
    const count = fields.count === undefined ? '1' : String(fields.count)
    const userCount = fields.userCount ?? 1
    const assignedTo = fields.assignedTo ?? null
    const hourStart = Math.floor(now.getTime() / 3600_000) * 3600

    const issue: FakeIssue = {
      ...structuredClone(EXAMPLE_ISSUE),
      id,
      shortId: `${project.slug.toUpperCase()}-${shortNumber}`,
      title: defaultTitle,
      culprit:
        typeof metadata['filename'] === 'string' && typeof metadata['function'] === 'string'
          ? `${metadata['filename']} in ${metadata['function']}`
          : null,
      permalink: `${this.url}/organizations/${this.org}/issues/${id}/`,
      level,
      status,
      substatus: defaultSubstatus,
      statusDetails: {},
      priority: level === 'fatal' || level === 'error' ? 'high' : 'medium',
      platform: project.platform,
      type: 'error',
      issueCategory: 'error',
      issueType: 'error',
      isUnhandled: true,
      count,
      userCount,
      firstSeen,
      lastSeen,
      metadata,
      project: { ...project },
      assignedTo,
      shareId: null,
      hasSeen: false,
      numComments: 0,
      inbox: { date_added: firstSeen ?? nowIso, reason: 0, reason_details: null },
      lifetime: { count, userCount, firstSeen, lastSeen },
      stats: { '24h': Array.from({ length: 24 }, (_, i) => [hourStart - (23 - i) * 3600, 0]) },
      derivedData: {
        ...((EXAMPLE_ISSUE['derivedData'] as Record<string, unknown> | undefined) ?? {}),
        isAssigned: assignedTo !== null
      },
      _environments: environments ?? ['production'],
      ...fields
    }
    if (fields.count !== undefined) issue['count'] = count
    this.issues.push(issue)
    return issue
  }

  /**
   * Adds `n` realistic, varied issues (error types and messages, levels, substatuses, counts,
   * users, assignees, ages and environments), deterministic for a given `seed` (default 1) and
   * clock. They are all unresolved and last seen within the past 20 hours, so they match the
   * action's defaults (`is:unresolved`, `24h`); set fields on them for other cases. Without a
   * `projectSlug` they are spread over the existing projects.
   */
  seed(n: number, opts: { projectSlug?: string; seed?: number } = {}): FakeIssue[] {
    const random = prng(opts.seed ?? 1)
    const projects =
      opts.projectSlug !== undefined
        ? [this.#projectFor(opts.projectSlug)]
        : this.projects.length > 0
          ? [...this.projects]
          : [this.#projectFor(undefined)]
    const nowMs = this.now().getTime()
    const created: FakeIssue[] = []
    for (let i = 0; i < n; i++) {
      const project = pick(random, projects)
      const catalogue = /javascript|node|react|vue|angular/.test(project.platform)
        ? JAVASCRIPT_ERRORS
        : PYTHON_ERRORS
      const template = pick(random, catalogue)
      const value = pick(random, template.values)
      const levelRoll = random()
      const level =
        levelRoll < 0.75
          ? 'error'
          : levelRoll < 0.87
            ? 'warning'
            : levelRoll < 0.95
              ? 'fatal'
              : 'info'
      const substatus = pick(random, ['new', 'ongoing', 'ongoing', 'regressed', 'escalating'])
      const count = Math.max(1, Math.floor(Math.exp(random() * 10)))
      const userCount = Math.floor(count * random() * 0.6)
      // First seen up to 60 days ago; last seen within the last 20 hours.
      const lastSeenMs = nowMs - random() * 20 * 3600_000
      const firstSeenMs = lastSeenMs - random() * 60 * 86_400_000
      const envRoll = random()
      const environments =
        envRoll < 0.7 ? ['production'] : envRoll < 0.9 ? ['production', 'staging'] : ['staging']
      const assignRoll = random()
      const assignedTo =
        assignRoll < 0.2
          ? { type: 'user', ...pick(random, PEOPLE) }
          : assignRoll < 0.3
            ? { type: 'team', ...pick(random, TEAMS) }
            : null
      created.push(
        this.addIssue({
          projectSlug: project.slug,
          environments,
          title: `${template.type}: ${value}`,
          culprit: `${template.module} in ${template.function}`,
          metadata: {
            type: template.type,
            value,
            filename: template.filename,
            function: template.function
          },
          level,
          status: 'unresolved',
          substatus,
          priority: level === 'fatal' ? 'high' : level === 'error' ? 'medium' : 'low',
          count: String(count),
          userCount,
          firstSeen: new Date(firstSeenMs).toISOString(),
          lastSeen: new Date(lastSeenMs).toISOString(),
          isUnhandled: random() < 0.6,
          assignedTo
        })
      )
    }
    return created
  }

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: SentryFault): void {
    const remaining = fault.times ?? (fault.kind === 'loop-cursor' ? Infinity : 1)
    if (remaining > 0) this.#faults.push({ fault, remaining })
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults = []
  }

  /** Stops the server, ends pending delays and destroys every open connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const delay of this.#delays) {
      clearTimeout(delay.timer)
      delay.resolve()
    }
    this.#delays.clear()
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeAllConnections()
    await closed
  }

  // -------------------------------------------------------------------------------------------
  // Request handling

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://fake.invalid')
    const method = (req.method ?? 'GET').toUpperCase()
    const rawPath = target.pathname
    const inPrefix =
      this.pathPrefix === '' ||
      rawPath === this.pathPrefix ||
      rawPath.startsWith(`${this.pathPrefix}/`)
    const path = inPrefix ? rawPath.slice(this.pathPrefix.length) || '/' : rawPath
    this.requests.push({ method, path, query: target.searchParams, headers: req.headers })

    const body = await readBody(req)
    const route = inPrefix ? matchRoute(path) : undefined
    const isList = route?.name === 'issues' || route?.name === 'projects'
    const fault = this.#takeFault(`${path}${target.search}`, isList)

    switch (fault?.kind) {
      case 'status':
        return this.#sendFaultStatus(res, fault)
      case 'reset':
        return this.#sendReset(res)
      case 'malformed-json':
        return this.#sendRaw(
          res,
          200,
          { 'content-type': 'application/json' },
          '[{"id": "1", "title": '
        )
      case 'delay':
        await this.#delay(fault.ms)
        if (this.#closed || res.destroyed || req.socket.destroyed) return
        break
      default:
        break
    }

    this.#inFlight++
    try {
      const rateHeaders = this.#countRequest()
      const reply = this.#dispatch(req, method, route, target, body, rateHeaders, {
        loopCursor: fault?.kind === 'loop-cursor'
      })
      this.#send(res, { ...reply, headers: { ...rateHeaders.headers, ...reply.headers } })
    } finally {
      this.#inFlight--
    }
  }

  #dispatch(
    req: IncomingMessage,
    method: string,
    route: Route | undefined,
    target: URL,
    body: string,
    rate: { limited: boolean },
    flags: { loopCursor: boolean }
  ): Reply {
    try {
      if (!route) throw new HttpError(404, DETAIL_NOT_FOUND)
      if (rate.limited) {
        throw new HttpError(
          429,
          `You are attempting to use this endpoint too frequently. Limit is ` +
            `${this.#requestsPerWindow} requests in 1 seconds`
        )
      }
      this.#authenticate(req.headers.authorization)
      if (!ALLOWED_METHODS[route.name].includes(method)) {
        throw new HttpError(405, `Method "${method}" not allowed.`)
      }
      if (route.org !== this.org) throw new HttpError(404, DETAIL_NOT_FOUND)

      const base = this.#absoluteBase(req, target.pathname)
      switch (route.name) {
        case 'issues':
          return this.#listIssues(target.searchParams, base, flags.loopCursor)
        case 'projects':
          return this.#listProjects(target.searchParams, base, flags.loopCursor)
        case 'issue':
          return method === 'PUT' ? this.#updateIssue(route.id, body) : this.#getIssue(route.id)
      }
    } catch (error) {
      if (error instanceof HttpError)
        return { status: error.status, body: { detail: error.detail } }
      throw error
    }
  }

  #authenticate(header: string | undefined): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    const token = match?.[1]
    if (token !== undefined && this.forbiddenTokens.includes(token)) {
      throw new HttpError(403, DETAIL_FORBIDDEN)
    }
    if (token !== this.token) throw new HttpError(401, DETAIL_INVALID_TOKEN)
  }

  /** The absolute URL of the requested path, as Sentry builds it for `Link` (from the Host). */
  #absoluteBase(req: IncomingMessage, pathname: string): string {
    const host = req.headers.host ?? new URL(this.url).host
    return `http://${host}${pathname}`
  }

  // ---- GET /organizations/{org}/issues/

  #listIssues(query: URLSearchParams, base: string, loopCursor: boolean): Reply {
    const projectIds = this.#selectedProjects(query)
    const inProjects = (issue: FakeIssue): boolean =>
      projectIds === undefined || projectIds.has(issueProjectId(issue) ?? '')

    const groups = query.getAll('group')
    if (groups.length > 0) {
      if (!groups.every((g) => /^\d+$/.test(g))) {
        throw new HttpError(400, 'Invalid group parameter. Values must be numbers.')
      }
      const wanted = new Set(groups)
      // Like Sentry: the batch look-up ignores query and period, and is not paginated.
      return {
        status: 200,
        body: this.issues
          .filter((i) => wanted.has(String(i['id'])) && inProjects(i))
          .map(serveIssue)
      }
    }

    const sort = query.get('sort') ?? 'date'
    if (!ISSUE_SORTS.has(sort)) throw new HttpError(400, `Invalid sort: ${sort}`)
    const limit = parseIntParam(query.get('limit'), 'limit', 1, MAX_PAGE_SIZE)
    const cursor = parseCursor(query.get('cursor'))
    const [from, to] = this.#period(query)
    const matchesQuery = this.#searchPredicate(query.get('query') ?? 'is:unresolved')
    const environments = query.getAll('environment')

    const matching = this.issues.filter((issue) => {
      const lastSeen = toTime(issue['lastSeen'])
      if (lastSeen === undefined || lastSeen < from || lastSeen > to) return false
      if (!inProjects(issue) || !matchesQuery(issue)) return false
      if (environments.length > 0) {
        const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
        if (!environments.some((env) => seenIn.includes(env))) return false
      }
      return true
    })
    sortIssues(matching, sort)
    const reply = this.#page(matching, query, base, cursor, limit, loopCursor)
    return {
      ...reply,
      body: (reply.body as FakeIssue[]).map(serveIssue),
      headers: { ...reply.headers, 'X-Hits': String(matching.length), 'X-Max-Hits': '1000' }
    }
  }

  /** The numeric `project` ids requested, or undefined for all (none given, or `-1`). */
  #selectedProjects(query: URLSearchParams): Set<string> | undefined {
    const values = query.getAll('project')
    if (values.length === 0) return undefined
    if (!values.every((v) => /^-?\d+$/.test(v))) {
      throw new HttpError(400, 'Invalid project parameter. Values must be numbers.')
    }
    if (values.includes('-1')) return undefined
    const known = new Set(this.projects.map((p) => p.id))
    // Sentry answers a project the token cannot see (or that does not exist) with 403.
    if (!values.every((v) => known.has(v))) throw new HttpError(403, DETAIL_FORBIDDEN)
    return new Set(values)
  }

  /** The [from, to] window in epoch ms from statsPeriod (wins) or start/end; default 90 days. */
  #period(query: URLSearchParams): [number, number] {
    const now = this.now().getTime()
    const statsPeriod = query.get('statsPeriod')
    if (statsPeriod !== null && statsPeriod !== '') {
      const match = /^(\d+)([smhdw])$/.exec(statsPeriod)
      const amount = Number(match?.[1] ?? 0)
      const unit = PERIOD_UNITS_MS[match?.[2] ?? '']
      if (!match || unit === undefined || amount <= 0) {
        throw new HttpError(400, `Invalid statsPeriod: ${statsPeriod}`)
      }
      return [now - amount * unit, now]
    }
    const start = query.get('start')
    const end = query.get('end')
    if (start !== null || end !== null) {
      const from = toTime(start)
      const to = toTime(end)
      if (from === undefined || to === undefined || from > to) {
        throw new HttpError(400, 'start and end are both required and must be ISO-8601 dates.')
      }
      return [from, to]
    }
    return [now - DEFAULT_PERIOD_MS, now]
  }

  /**
   * A predicate for Sentry's search syntax, within what the fake supports: `is:` (unresolved,
   * resolved, ignored, archived), `level:`, `priority:`/`issue.priority:` and `environment:`
   * (values or `[a,b]` lists), and free text matched case-insensitively against the title.
   * Every term must match. Anything else is a 400 (the fake says so rather than guess).
   */
  #searchPredicate(query: string): (issue: FakeIssue) => boolean {
    const tests: Array<(issue: FakeIssue) => boolean> = []
    const words: string[] = []
    for (const token of tokenize(query)) {
      const match = /^([A-Za-z_.]+):(.+)$/.exec(token)
      if (!match) {
        words.push(unquote(token))
        continue
      }
      const key = match[1] ?? ''
      const values = listValues(match[2] ?? '')
      if (key === 'is') {
        for (const value of values) {
          const status = IS_STATUSES[value]
          if (status === undefined) {
            throw new HttpError(
              400,
              `Invalid value for "is" search, valid values are ${Object.keys(IS_STATUSES).join(', ')}`
            )
          }
        }
        tests.push((issue) => values.some((v) => issue['status'] === IS_STATUSES[v]))
      } else if (key === 'level') {
        tests.push((issue) => values.includes(String(issue['level'])))
      } else if (key === 'priority' || key === 'issue.priority') {
        tests.push((issue) => values.includes(String(issue['priority'])))
      } else if (key === 'environment') {
        tests.push((issue) => {
          const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
          return values.some((v) => seenIn.includes(v))
        })
      } else {
        throw new HttpError(400, `The fake Sentry does not support the search key "${key}".`)
      }
    }
    const text = words.join(' ').toLowerCase()
    if (text !== '') {
      tests.push((issue) =>
        String(issue['title'] ?? '')
          .toLowerCase()
          .includes(text)
      )
    }
    return (issue) => tests.every((test) => test(issue))
  }

  // ---- GET /organizations/{org}/projects/

  #listProjects(query: URLSearchParams, base: string, loopCursor: boolean): Reply {
    const perPage = parseIntParam(query.get('per_page'), 'per_page', 1, MAX_PAGE_SIZE)
    const cursor = parseCursor(query.get('cursor'))
    const sorted = [...this.projects].sort((a, b) =>
      a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0
    )
    const served = sorted.map((project) => ({
      ...project,
      dateCreated: '2024-01-15T09:30:00.000000Z',
      isBookmarked: false,
      isMember: true,
      hasAccess: true,
      features: [],
      firstEvent: '2024-01-15T10:00:00.000000Z',
      status: 'active'
    }))
    return this.#page(served, query, base, cursor, perPage, loopCursor)
  }

  // ---- GET / PUT /organizations/{org}/issues/{id}/

  #findIssue(id: string): FakeIssue {
    const issue = this.issues.find((i) => String(i['id']) === id)
    if (!issue) throw new HttpError(404, DETAIL_NOT_FOUND)
    return issue
  }

  #getIssue(id: string): Reply {
    return { status: 200, body: serveIssue(this.#findIssue(id)) }
  }

  #updateIssue(id: string, body: string): Reply {
    const issue = this.#findIssue(id)
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      throw new HttpError(400, 'JSON parse error')
    }
    const status =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)['status']
        : undefined
    const change = typeof status === 'string' ? PUT_STATUSES[status] : undefined
    if (!change) {
      throw new HttpError(400, `"status" must be one of ${Object.keys(PUT_STATUSES).join(', ')}`)
    }
    issue['status'] = change.status
    issue['substatus'] = change.substatus
    issue['statusDetails'] = status === 'resolvedInNextRelease' ? { inNextRelease: true } : {}
    return { status: 200, body: serveIssue(issue) }
  }

  // ---- Pagination

  /** One page of `items`, with Sentry's `Link` header (offset cursors `0:OFFSET:IS_PREV`). */
  #page<T>(
    items: T[],
    query: URLSearchParams,
    base: string,
    cursor: Cursor,
    limit: number,
    loopCursor: boolean
  ): Reply {
    const offset = cursor.offset
    const page = items.slice(offset, offset + limit)
    const previous = `0:${Math.max(0, offset - limit)}:1`
    const next = loopCursor ? `${cursor.value}:${offset}:0` : `0:${offset + limit}:0`
    const hasNext = loopCursor || offset + limit < items.length
    const others = new URLSearchParams(query)
    others.delete('cursor')
    const qs = others.toString()
    const link = (name: string, value: string, results: boolean): string =>
      `<${base}?${qs === '' ? '' : `${qs}&`}cursor=${value}>; rel="${name}"; ` +
      `results="${results}"; cursor="${value}"`
    return {
      status: 200,
      body: page,
      headers: {
        Link: `${link('previous', previous, offset > 0)}, ${link('next', next, hasNext)}`
      }
    }
  }

  // ---- Rate limiting, faults and output

  /** Counts a request in the current one-second window; returns its headers and whether it is over. */
  #countRequest(): { limited: boolean; headers: Record<string, string> } {
    const nowMs = Date.now()
    const second = Math.floor(nowMs / 1000)
    if (this.#window.second !== second) this.#window = { second, count: 0 }
    this.#window.count++
    const limit = this.#requestsPerWindow ?? NOMINAL_RATE_LIMIT
    const limited = this.#requestsPerWindow !== undefined && this.#window.count > limit
    if (!this.#rateLimitHeaders) return { limited, headers: {} }
    return {
      limited,
      headers: {
        'X-Sentry-Rate-Limit-Limit': String(limit),
        'X-Sentry-Rate-Limit-Remaining': String(Math.max(0, limit - this.#window.count)),
        'X-Sentry-Rate-Limit-Reset': String(second + 1),
        'X-Sentry-Rate-Limit-ConcurrentLimit': String(CONCURRENT_LIMIT),
        'X-Sentry-Rate-Limit-ConcurrentRemaining': String(
          Math.max(0, CONCURRENT_LIMIT - this.#inFlight)
        )
      }
    }
  }

  #takeFault(target: string, isList: boolean): SentryFault | undefined {
    const index = this.#faults.findIndex(
      ({ fault }) =>
        (fault.pathIncludes === undefined || target.includes(fault.pathIncludes)) &&
        (fault.kind !== 'loop-cursor' || isList)
    )
    const queued = this.#faults[index]
    if (!queued) return undefined
    queued.remaining--
    if (queued.remaining <= 0) this.#faults.splice(index, 1)
    return queued.fault
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending: PendingDelay = {
        timer: setTimeout(() => {
          this.#delays.delete(pending)
          resolve()
        }, ms),
        resolve
      }
      this.#delays.add(pending)
    })
  }

  #send(res: ServerResponse, reply: Reply): void {
    this.#sendRaw(
      res,
      reply.status,
      { 'content-type': 'application/json', ...reply.headers },
      JSON.stringify(reply.body)
    )
  }

  #sendRaw(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string
  ): void {
    if (res.destroyed) return
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  }

  #sendFaultStatus(res: ServerResponse, fault: Extract<SentryFault, { kind: 'status' }>): void {
    const body = fault.body ?? JSON.stringify({ detail: `Fake Sentry fault: HTTP ${fault.status}` })
    const contentType = /^\s*</.test(body) ? 'text/html; charset=utf-8' : 'application/json'
    this.#sendRaw(res, fault.status, { 'content-type': contentType, ...fault.headers }, body)
  }

  /** Sends the headers and the first half of a JSON body, then destroys the connection. */
  #sendReset(res: ServerResponse): void {
    const body = JSON.stringify(this.issues.slice(0, 5).map(serveIssue))
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body) + 64)
    })
    res.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))), () => {
      setImmediate(() => res.socket?.destroy())
    })
  }

  #projectFor(slug: string | undefined): FakeSentryProject {
    if (slug === undefined) return this.projects[0] ?? this.addProject('backend')
    return this.projects.find((p) => p.slug === slug) ?? this.addProject(slug)
  }
}

/** Orders issues as Sentry's `sort` does (ties broken by id, newest first, for stable pages). */
function sortIssues(issues: FakeIssue[], sort: string): void {
  const key = (issue: FakeIssue): number => {
    switch (sort) {
      case 'new':
        return toTime(issue['firstSeen']) ?? 0
      case 'freq':
        return toNumber(issue['count'])
      case 'user':
        return toNumber(issue['userCount'])
      default:
        return toTime(issue['lastSeen']) ?? 0
    }
  }
  issues.sort((a, b) => key(b) - key(a) || toNumber(b['id']) - toNumber(a['id']))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > 1_000_000) throw new Error('request body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

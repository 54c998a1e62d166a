/**
 * The fake GitHub's router: it parses each request, applies the injected faults, checks the
 * token, spends the primary rate limits (`core`, `search`) and the secondary limit on
 * content-creating requests, finds the endpoint in the route table, and sends the answer with
 * GitHub's headers, reporting each exchange to `onExchange`.
 *
 * The endpoints live in one module per resource (issues, comments, labels, search, metadata), each
 * exporting its routes (method, path pattern, handler over the shared `GitHubState`); the route
 * table below lists those modules. Adding a resource (a GraphQL endpoint, sub-issues, the
 * timeline) is one new module exporting its routes plus one line in the route table.
 */
import { randomBytes } from 'node:crypto'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { assigneeRoutes } from './assignees.js'
import { commentRoutes } from './comments.js'
import {
  ApiError,
  DOCS,
  errorBody,
  fail,
  lower,
  notFound,
  type Ctx,
  type Params,
  type Reply,
  type Route
} from './http.js'
import { commitRoutes } from './commits.js'
import { graphqlRoutes } from './graphql.js'
import { issueRoutes } from './issues.js'
import { labelRoutes } from './labels.js'
import { metadataRoutes } from './metadata.js'
import { projectRoutes } from './projects.js'
import { searchRoutes } from './search.js'
import { subIssueRoutes } from './sub-issues.js'
import { timelineRoutes } from './timeline.js'
import type { FakeGitHubOptions, GitHubState } from './state.js'

/**
 * The route table: every endpoint of the fake, resource by resource (each module lists its own;
 * `/rate_limit` is the router's). A new resource is one more line here.
 */
const ROUTES: readonly Route[] = [
  ...issueRoutes,
  ...commentRoutes,
  ...labelRoutes,
  ...searchRoutes,
  ...metadataRoutes,
  ...commitRoutes,
  ...graphqlRoutes,
  ...timelineRoutes,
  ...subIssueRoutes,
  ...projectRoutes,
  ...assigneeRoutes
]

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

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
// The router
// ---------------------------------------------------------------------------------------------

const API_VERSION = '2022-11-28'
const SUPPORTED_API_VERSIONS = new Set(['2022-11-28', '2026-03-10'])
const UNLIMITED_CORE = 5000

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

interface CompiledRoute {
  route: Route
  /** The pattern's segments. */
  parts: string[]
}

interface Match {
  route: Route
  params: Params
}

export class GitHubRouter {
  /** Every request received, in arrival order. */
  requests: FakeRequest[] = []
  latencyMs: number
  secondaryLimit: FakeGitHubOptions['secondaryLimit']
  onExchange: ((exchange: FakeGitHubExchange) => void) | undefined = undefined

  private readonly faults: PendingFault[] = []
  private readonly core: Bucket
  private readonly search: Bucket
  private contentWrites: number[] = []
  private readonly routes: CompiledRoute[]

  constructor(
    private readonly state: GitHubState,
    opts: FakeGitHubOptions
  ) {
    this.latencyMs = opts.latencyMs ?? 0
    this.secondaryLimit = opts.secondaryLimit

    const nowS = Math.ceil(this.state.now() / 1000)
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
    const rateLimit: Route = {
      method: 'GET',
      path: '/rate_limit',
      handle: () => this.getRateLimit()
    }
    this.routes = [rateLimit, ...ROUTES].map((route) => ({
      route,
      parts: route.path.split('/').filter((part) => part !== '')
    }))
  }

  /** Queues a one-shot fault (see {@link GitHubFault}). */
  injectFault(f: GitHubFault): void {
    this.faults.push({ fault: f, left: Math.max(1, f.times ?? 1) })
  }
  /** Drops every fault not yet used. */
  clearFaults(): void {
    this.faults.length = 0
  }

  // -------------------------------------------------------------------------------------------
  // Request pipeline
  // -------------------------------------------------------------------------------------------

  /** Answers one request (the server's `request` listener). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
          bucket.resetAt = Math.ceil(this.state.now() / 1000 + (fault.resetInSeconds ?? 60))
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
        bucket.resetAt = Math.ceil(this.state.now() / 1000) + bucket.window
      }
      bucket.remaining -= 1
    }

    const found = ctx.outside ? undefined : this.match(ctx)
    if (found?.route.creates === true && this.secondaryLimited()) {
      return this.secondaryLimitReply(ctx, 60)
    }

    if (ctx.bodyInvalid) throw fail(400, 'Problems parsing JSON', DOCS.root)

    let reply: Reply
    try {
      reply = this.route(ctx, found)
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
    if (this.state.pathPrefix === '') return pathname
    // GHES serves GraphQL beside the REST prefix: `/api/graphql` next to `/api/v3`.
    const ghesGraphql = this.state.pathPrefix.replace(/\/api\/v3$/, '/api/graphql')
    if (ghesGraphql !== this.state.pathPrefix && pathname === ghesGraphql) return '/api/graphql'
    if (pathname === this.state.pathPrefix) return '/'
    if (pathname.startsWith(`${this.state.pathPrefix}/`))
      return pathname.slice(this.state.pathPrefix.length)
    return undefined
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header)
    return m?.[1] === this.state.token
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
  // Routing
  // -------------------------------------------------------------------------------------------

  /** The route whose method and pattern fit the request, whatever repository it names. */
  private match(ctx: Ctx): Match | undefined {
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
    for (const { route, parts } of this.routes) {
      if (route.method !== ctx.method || parts.length !== segments.length) continue
      const params: Record<string, string> = {}
      const fits = parts.every((part, i) => {
        const segment = segments[i] ?? ''
        if (part.startsWith(':') || (part.startsWith('#') && /^\d+$/.test(segment))) {
          params[part.slice(1)] = segment
          return true
        }
        return part === segment
      })
      if (fits) return { route, params }
    }
    return undefined
  }

  /** Runs the matched route; 404 when none matched or it names another repository. */
  private route(ctx: Ctx, found: Match | undefined): Reply {
    if (ctx.outside || !found) throw notFound()
    const { owner, repo } = found.params
    if (owner !== undefined && repo !== undefined) {
      if (lower(owner) !== lower(this.state.owner) || lower(repo) !== lower(this.state.repo)) {
        throw notFound()
      }
    }
    return found.route.handle(this.state, ctx, found.params)
  }

  // -------------------------------------------------------------------------------------------
  // Rate limits
  // -------------------------------------------------------------------------------------------

  private refreshBucket(bucket: Bucket): void {
    const nowS = this.state.now() / 1000
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
    const stamp = new Date(this.state.now()).toISOString().slice(0, 19).replace('T', ' ')
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

  /** Checks the secondary windows and, when allowed, records the write. */
  private secondaryLimited(): boolean {
    const limits = this.secondaryLimit
    if (!limits) return false
    const now = this.state.now()
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

  private getRateLimit(): Reply {
    this.refreshBucket(this.core)
    this.refreshBucket(this.search)
    const view = (b: Bucket): Record<string, number> => ({
      limit: b.limit,
      used: b.limit - Math.max(0, b.remaining),
      remaining: Math.max(0, b.remaining),
      reset: b.resetAt
    })
    const hour = Math.ceil(this.state.now() / 1000) + 3600
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function newRequestId(): string {
  const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase()
  return `${hex(2)}:${hex(2)}:${hex(4).slice(1)}:${hex(4).slice(1)}:${hex(4)}`
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

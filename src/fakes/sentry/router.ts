/**
 * The fake Sentry's router: it parses each request (path prefix, query, body) and records it,
 * waits out the latency, applies the injected faults, counts the request in the one-second rate
 * window (429 over `requestsPerWindow`; the `X-Sentry-Rate-Limit-*` headers), checks the token,
 * finds the endpoint in the route table (405 for a method it does not answer, 404 for another
 * organization) and sends the answer.
 *
 * The endpoints live in one module per resource, each exporting its routes (a path matcher, the
 * methods, a handler over the shared `SentryState`); the route table below lists those modules.
 * The router serves the sibling modules itself: the signal routes of `../fake-sentry-signals.ts`
 * (members, teams, Seer, tag details) have a line in the table, and the external-issue routes of
 * `../sentry-integrations.ts` are tried when no route matches.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { matchSignalRoute, type SignalRoute } from '../fake-sentry-signals.js'
import { commentRoutes } from './comments.js'
import { eventRoutes } from './events.js'
import {
  DETAIL_FORBIDDEN,
  DETAIL_NOT_FOUND,
  HttpError,
  readBody,
  send,
  sendRaw,
  type Ctx,
  type Params,
  type Reply,
  type Route
} from './http.js'
import { issueRoutes } from './issues.js'
import { projectRoutes } from './projects.js'
import { searchRoutes } from './search.js'
import { setupRoutes } from './setup.js'
import { serveIssue, type FakeSentryOptions, type SentryState } from './state.js'

// ---------------------------------------------------------------------------------------------
// Public types

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

// ---------------------------------------------------------------------------------------------
// The route table

/** Members, teams, Seer and tag details (`../fake-sentry-signals.ts`); issue ids as resolved. */
const signalRoute: Route<SignalRoute> = {
  match: matchSignalRoute,
  methods: ['GET', 'POST'],
  handle(s, ctx, route) {
    const issueId = 'id' in route ? String(s.findIssue(route.id)['id']) : undefined
    return s.signals.handle(route, ctx.method, ctx.query, ctx.body, issueId)
  }
}

/** Every endpoint of the fake, resource by resource; a path matches at most one. */
const ROUTES: readonly Route[] = [
  ...setupRoutes,
  signalRoute,
  ...commentRoutes,
  ...eventRoutes,
  ...searchRoutes,
  ...issueRoutes,
  ...projectRoutes
]

// ---------------------------------------------------------------------------------------------
// The router

/** Nominal per-second budget advertised when no real limit is configured. */
const NOMINAL_RATE_LIMIT = 1000
const CONCURRENT_LIMIT = 25
const DETAIL_INVALID_TOKEN = 'Invalid token'

interface QueuedFault {
  fault: SentryFault
  remaining: number
}

interface PendingDelay {
  timer: NodeJS.Timeout
  resolve: () => void
}

interface Match {
  route: Route
  params: Params
}

export class SentryRouter {
  /** Every request received, in order (faulted ones included). */
  requests: FakeSentryRequest[] = []

  readonly #state: SentryState
  readonly #rateLimitHeaders: boolean
  readonly #requestsPerWindow: number | undefined
  readonly #legacyEventsOnly: boolean
  readonly #latencyMs: number
  #faults: QueuedFault[] = []
  #delays = new Set<PendingDelay>()
  #window = { second: 0, count: 0 }
  #inFlight = 0
  #closed = false

  constructor(state: SentryState, opts: FakeSentryOptions) {
    this.#state = state
    this.#rateLimitHeaders = opts.rateLimitHeaders ?? true
    this.#requestsPerWindow = opts.requestsPerWindow
    this.#legacyEventsOnly = opts.legacyEventsOnly ?? false
    this.#latencyMs = Math.max(0, opts.latencyMs ?? 0)
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

  get closed(): boolean {
    return this.#closed
  }

  /** Marks the fake closed and ends pending delays (the server is closed by its owner). */
  close(): void {
    this.#closed = true
    for (const delay of this.#delays) {
      clearTimeout(delay.timer)
      delay.resolve()
    }
    this.#delays.clear()
  }

  // -------------------------------------------------------------------------------------------
  // Request pipeline

  /** Answers one request (the server's `request` listener); a failure answers 500. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.#answer(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, body: { detail: `Fake Sentry failed: ${String(error)}` } })
      } else {
        res.destroy()
      }
    })
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const prefix = this.#state.pathPrefix
    const target = new URL(req.url ?? '/', 'http://fake.invalid')
    const method = (req.method ?? 'GET').toUpperCase()
    const rawPath = target.pathname
    const inPrefix = prefix === '' || rawPath === prefix || rawPath.startsWith(`${prefix}/`)
    const path = inPrefix ? rawPath.slice(prefix.length) || '/' : rawPath
    this.requests.push({ method, path, query: target.searchParams, headers: req.headers })

    const body = await readBody(req)
    if (this.#latencyMs > 0) await this.#delay(this.#latencyMs)
    const found = inPrefix ? this.#match(path) : undefined
    const fault = this.#takeFault(`${path}${target.search}`, found?.route.list === true)

    switch (fault?.kind) {
      case 'status':
        return this.#sendFaultStatus(res, fault)
      case 'reset':
        return this.#sendReset(res)
      case 'malformed-json':
        return sendRaw(res, 200, { 'content-type': 'application/json' }, '[{"id": "1", "title": ')
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
      const ctx: Ctx = {
        method,
        query: target.searchParams,
        body,
        base: this.#absoluteBase(req, target.pathname),
        loopCursor: fault?.kind === 'loop-cursor'
      }
      const reply = this.#dispatch(req, ctx, found, target.pathname, rateHeaders)
      send(res, { ...reply, headers: { ...rateHeaders.headers, ...reply.headers } })
    } finally {
      this.#inFlight--
    }
  }

  #dispatch(
    req: IncomingMessage,
    ctx: Ctx,
    found: Match | undefined,
    pathname: string,
    rate: { limited: boolean }
  ): Reply {
    const s = this.#state
    try {
      const path = pathname.slice(s.pathPrefix.length)
      if (!found && s.links.matches(path)) {
        if (rate.limited)
          throw new HttpError(429, 'You are attempting to use this endpoint too frequently.')
        this.#authenticate(req.headers.authorization)
        const reply = s.links.handle(
          ctx.method,
          path,
          ctx.body,
          (id) => {
            const issue = s.resolveIssue(id)
            return issue ? { id: String(issue['id']) } : undefined
          },
          (org) => s.knowsOrg(org)
        )
        return reply.empty ? { status: reply.status, body: null, rawBody: '' } : reply
      }
      if (!found) throw new HttpError(404, DETAIL_NOT_FOUND)
      const { route, params } = found
      // An old server does not know the org-scoped route: its catch-all answers an empty 404.
      if (route.newerServersOnly === true && this.#legacyEventsOnly) {
        return { status: 404, body: null, rawBody: '' }
      }
      if (rate.limited) {
        throw new HttpError(
          429,
          `You are attempting to use this endpoint too frequently. Limit is ` +
            `${this.#requestsPerWindow} requests in 1 seconds`
        )
      }
      this.#authenticate(req.headers.authorization)
      if (!route.methods.includes(ctx.method)) {
        throw new HttpError(405, `Method "${ctx.method}" not allowed.`)
      }
      // Sentry looks the organization up by slug or id; an old slug after a rename is simply
      // unknown (the slug reservation moves with the rename), so it answers 404 like any other.
      const org = params['org']
      if (org !== undefined && !s.knowsOrg(org)) throw new HttpError(404, DETAIL_NOT_FOUND)
      return route.handle(s, ctx, params)
    } catch (error) {
      if (error instanceof HttpError)
        return { status: error.status, body: { detail: error.detail } }
      throw error
    }
  }

  /** The route whose matcher takes the path (without the prefix), with its parameters. */
  #match(path: string): Match | undefined {
    for (const route of ROUTES) {
      const params = route.match(path)
      if (params) return { route, params }
    }
    return undefined
  }

  #authenticate(header: string | undefined): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    const token = match?.[1]
    if (token !== undefined && this.#state.forbiddenTokens.includes(token)) {
      throw new HttpError(403, DETAIL_FORBIDDEN)
    }
    if (token !== this.#state.token) throw new HttpError(401, DETAIL_INVALID_TOKEN)
  }

  /** The absolute URL of the requested path, as Sentry builds it for `Link` (from the Host). */
  #absoluteBase(req: IncomingMessage, pathname: string): string {
    const host = req.headers.host ?? new URL(this.#state.url).host
    return `http://${host}${pathname}`
  }

  // -------------------------------------------------------------------------------------------
  // Rate limiting and faults

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

  #sendFaultStatus(res: ServerResponse, fault: Extract<SentryFault, { kind: 'status' }>): void {
    const body = fault.body ?? JSON.stringify({ detail: `Fake Sentry fault: HTTP ${fault.status}` })
    const contentType = /^\s*</.test(body) ? 'text/html; charset=utf-8' : 'application/json'
    sendRaw(res, fault.status, { 'content-type': contentType, ...fault.headers }, body)
  }

  /** Sends the headers and the first half of a JSON body, then destroys the connection. */
  #sendReset(res: ServerResponse): void {
    const body = JSON.stringify(this.#state.issues.slice(0, 5).map(serveIssue))
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body) + 64)
    })
    res.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))), () => {
      setImmediate(() => res.socket?.destroy())
    })
  }
}

/**
 * The HTTP layer under the Sentry client: one authenticated, validated request at a time.
 *
 * - HTTP goes through undici, via the proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY choose (as
 *   @actions/http-client reads them); an optional PEM CA is trusted in addition to Node's roots.
 * - Lists follow Sentry's cursor pagination (`Link` header, `rel="next"` while `results="true"`),
 *   stop at a maximum, and detect a cursor that repeats.
 * - 429s wait for `Retry-After` (added by proxies) or `X-Sentry-Rate-Limit-Reset`; 5xx, network
 *   errors and timeouts are retried with exponential backoff and jitter; when
 *   `X-Sentry-Rate-Limit-Remaining` reaches 0 the next request waits for the reset.
 * - Every response is validated with the zod schema the caller passes.
 * - Failures are `SentryApiError`s whose messages name the likely cause. The token is sent only in
 *   the Authorization header and is scrubbed from every message and log line.
 */
import { rootCertificates } from 'node:tls'
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici'
import { getProxyUrl } from '@actions/http-client'
import type { z } from 'zod'
import { errorMessage, silentLogger, type Logger } from '../log.js'
import { normalizeSentryBaseUrl } from './url.js'
import { sentryErrorBodySchema } from './schemas.js'

export interface SentryTransportOptions {
  /** The user's `sentry-url`: a trailing slash and a trailing `/api/0` are tolerated, a path prefix kept. */
  baseUrl: string
  token: string
  /** Time allowed for one request, headers and body (default 30000). */
  timeoutMs?: number
  /** Retries after the first attempt, for 429, 5xx, network errors and timeouts (default 4). */
  maxRetries?: number
  /** Cap on any single wait: backoff, Retry-After or rate-limit reset (default 60000). */
  maxRetryWaitMs?: number
  /** A PEM CA certificate (or bundle) to trust for Sentry, in addition to Node's default roots. */
  caCert?: string
  log?: Logger
  /** How to wait; injectable so tests need not really wait. */
  sleep?: (ms: number) => Promise<void>
  userAgent?: string
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE'

export type SentryErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid-response'
  | 'bad-request'

/** A failed Sentry call, with a message meant for the person running the action. */
export class SentryApiError extends Error {
  override readonly name = 'SentryApiError'
  readonly kind: SentryErrorKind
  /** The HTTP status, when Sentry (or a proxy) answered. */
  readonly status?: number
  /** Sentry's `detail` (or a summary of a non-JSON body), when there was one. */
  readonly detail?: string
  /** The request URL (never contains the token). */
  readonly url: string

  constructor(
    message: string,
    info: { kind: SentryErrorKind; url: string; status?: number; detail?: string; cause?: unknown }
  ) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause })
    this.kind = info.kind
    this.url = info.url
    if (info.status !== undefined) this.status = info.status
    if (info.detail !== undefined) this.detail = info.detail
  }
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_MAX_RETRIES = 4
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000
const BACKOFF_BASE_MS = 1000
/** Added to rate-limit reset waits, for clock granularity. */
const RESET_MARGIN_MS = 50
/** Give up a listing after this many pages in a row that add nothing new. */
const MAX_EMPTY_PAGES = 3
const DEFAULT_USER_AGENT = 'sentry-issues-action'

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])
/** Errors meaning no connection could be made at all (as opposed to one that broke). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT'
])
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** A failed attempt before any usable answer: a network error or a timeout. */
class TransportFailure extends Error {
  readonly kind: 'network' | 'timeout'
  readonly retriable: boolean

  constructor(kind: 'network' | 'timeout', message: string, retriable: boolean, cause: unknown) {
    super(message, { cause })
    this.kind = kind
    this.retriable = retriable
  }
}

interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** What a page handler tells the paginator: stop?, how many new items, the next page's limit. */
export interface PageOutcome {
  stop: boolean
  added: number
  nextLimit?: number
}

interface LinkEntry {
  rel: string
  results: boolean
  cursor: string | undefined
}

/** What `fetchJson` answers: validated data, or (with `allowNotFound`) the 404 it got. */
export type FetchOutcome<T> =
  | { kind: 'ok'; data: T; link: string | undefined }
  | {
      kind: 'not-found'
      url: string
      /**
       * True when the 404 is not one of Sentry's own answers (a JSON object with a `detail`), so
       * the route itself is unknown: Sentry's catch-all, a proxy or a web server answered.
       */
      routeMissing: boolean
    }

export class SentryTransport {
  readonly baseUrl: string
  readonly #token: string
  readonly #timeoutMs: number
  readonly #maxRetries: number
  readonly #maxRetryWaitMs: number
  /** The caller's logger behind a filter that removes the token. */
  readonly log: Pick<Logger, 'debug' | 'info' | 'warning'>
  readonly #sleep: (ms: number) => Promise<void>
  readonly #userAgent: string
  readonly #dispatcher: Dispatcher
  #requestCount = 0
  /** Epoch ms before which no request should be sent (rate-limit budget exhausted). */
  #pauseUntil = 0

  constructor(opts: SentryTransportOptions) {
    this.baseUrl = normalizeSentryBaseUrl(opts.baseUrl)
    this.#token = opts.token
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#maxRetries = Math.max(0, opts.maxRetries ?? DEFAULT_MAX_RETRIES)
    this.#maxRetryWaitMs = Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS)
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT
    const log = opts.log ?? silentLogger
    this.log = {
      debug: (message) => log.debug(this.#redact(message)),
      info: (message) => log.info(this.#redact(message)),
      warning: (message) => log.warning(this.#redact(message))
    }
    this.#dispatcher = createDispatcher(this.baseUrl, opts.caCert)
  }

  /** HTTP requests sent so far (every attempt counts). */
  get requestCount(): number {
    return this.#requestCount
  }

  /** Closes the connections this transport keeps open. */
  async close(): Promise<void> {
    await this.#dispatcher.close()
  }

  // -------------------------------------------------------------------------------------------
  // Pagination

  /**
   * Follows `rel="next"` while it says `results="true"`. `onPage` receives each validated page
   * and whether more exist; it may stop, and may set the next page's `limit`. The next page is
   * requested with our own URL plus the `cursor` from the Link header (not the Link URL, whose
   * host a proxy may have rewritten). `onIncomplete` is called when paging had to stop early.
   */
  async paginate<S extends z.ZodType>(
    path: string,
    base: URLSearchParams,
    schema: S,
    handlers: {
      firstLimit?: number
      onPage: (page: z.output<S>, hasMore: boolean) => PageOutcome
      onIncomplete?: () => void
    }
  ): Promise<void> {
    const { onPage, onIncomplete } = handlers
    const cursorsSeen = new Set<string>()
    let cursor: string | undefined
    let limit = handlers.firstLimit
    let pagesWithoutNews = 0
    for (;;) {
      const params = new URLSearchParams(base)
      if (limit !== undefined) params.set('limit', String(limit))
      if (cursor !== undefined) params.set('cursor', cursor)
      const { data, link } = await this.getJson(path, params, schema)
      const next = parseLinkHeader(link).find((entry) => entry.rel === 'next')
      const hasMore = next?.results === true && next.cursor !== undefined && next.cursor !== ''
      const outcome = onPage(data, hasMore)
      if (outcome.stop || !hasMore || next?.cursor === undefined) return

      if (next.cursor === cursor || cursorsSeen.has(next.cursor)) {
        this.log.warning(
          `Sentry's pagination for ${path} returned cursor "${next.cursor}" again; stopping here ` +
            'to avoid an endless loop (the listing may be incomplete).'
        )
        onIncomplete?.()
        return
      }
      pagesWithoutNews = outcome.added === 0 ? pagesWithoutNews + 1 : 0
      if (pagesWithoutNews >= MAX_EMPTY_PAGES) {
        this.log.warning(
          `Sentry returned ${MAX_EMPTY_PAGES} pages in a row with nothing new for ${path}; ` +
            'stopping here (the listing may be incomplete).'
        )
        onIncomplete?.()
        return
      }
      if (cursor !== undefined) cursorsSeen.add(cursor)
      cursorsSeen.add(next.cursor)
      cursor = next.cursor
      limit = outcome.nextLimit ?? limit
    }
  }

  // -------------------------------------------------------------------------------------------
  // One validated request, with retries

  async getJson<S extends z.ZodType>(
    path: string,
    params: URLSearchParams,
    schema: S
  ): Promise<{ data: z.output<S>; link: string | undefined }> {
    const outcome = await this.fetchJson(path, params, schema, { allowNotFound: false })
    if (outcome.kind === 'ok') return outcome
    // Unreachable: without allowNotFound a 404 is thrown.
    throw new SentryApiError(`Sentry answered GET ${path} with 404 Not Found.`, {
      kind: 'not-found',
      url: outcome.url,
      status: 404
    })
  }

  /**
   * One validated request (GET by default) with the retry policy. With `allowNotFound`, a 404 is
   * returned (saying whether it was Sentry's own, for the caller to interpret) instead of thrown.
   */
  async fetchJson<S extends z.ZodType>(
    path: string,
    params: URLSearchParams,
    schema: S,
    opts: { allowNotFound: boolean; method?: HttpMethod; body?: unknown }
  ): Promise<FetchOutcome<z.output<S>>> {
    const url = this.url(path, params)
    const method = opts.method ?? 'GET'
    const what = `${method} ${new URL(url).pathname}`
    const attempts = this.#maxRetries + 1
    let retriedInvalid = false

    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt < attempts
      await this.#paceBeforeRequest()

      let response: RawResponse
      try {
        response = await this.#send(url, method, opts.body)
      } catch (error) {
        if (!(error instanceof TransportFailure)) throw error
        if (error.retriable && canRetry) {
          await this.#backoff(attempt, `${what} failed (${error.message})`)
          continue
        }
        throw this.#transportError(error, url, what, attempt)
      }

      this.#notePacing(response.headers)
      const { status } = response

      if (status >= 200 && status < 300) {
        // 204 No Content (a delete) has no body to read.
        const parsed: ParsedBody =
          status === 204 ? { ok: true, value: null } : parseJsonBody(response)
        if (!parsed.ok) {
          if (canRetry && !retriedInvalid) {
            retriedInvalid = true
            await this.#backoff(
              attempt,
              `${what} returned an unreadable response (${parsed.problem})`
            )
            continue
          }
          throw new SentryApiError(
            `Sentry at ${this.baseUrl} answered ${what} with ${parsed.problem}. ` +
              (parsed.html
                ? 'sentry-url probably points at a login page, a proxy or the web UI rather than the Sentry API.'
                : 'The response was cut short or corrupted on the way; try again, and check any proxy between the runner and Sentry.'),
            { kind: 'invalid-response', url, status, detail: this.#redact(parsed.problem) }
          )
        }
        const result = schema.safeParse(parsed.value)
        if (!result.success) {
          throw new SentryApiError(
            `Sentry answered ${what} with data this action does not understand: ` +
              `${summarizeZodIssues(result.error, parsed.value)}. Is sentry-url a Sentry server, and a supported version?`,
            { kind: 'invalid-response', url, status, cause: result.error }
          )
        }
        return { kind: 'ok', data: result.data, link: headerValue(response.headers, 'link') }
      }

      if (status === 404 && opts.allowNotFound) {
        return { kind: 'not-found', url, routeMissing: !hasErrorDetail(response) }
      }

      if (status === 429) {
        if (canRetry) {
          await this.#waitForRateLimit(response.headers, attempt, what)
          continue
        }
        throw this.#httpError(response, url, what, attempt)
      }

      if (status >= 500) {
        if (canRetry) {
          await this.#backoff(attempt, `${what} answered HTTP ${status}`)
          continue
        }
        throw this.#httpError(response, url, what, attempt)
      }

      throw this.#httpError(response, url, what, attempt)
    }
  }

  /** One HTTP attempt: the whole response, headers and body, within the timeout. */
  async #send(url: string, method: HttpMethod = 'GET', body?: unknown): Promise<RawResponse> {
    this.#requestCount++
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs)
    const started = Date.now()
    try {
      const response = await request(url, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        dispatcher: this.#dispatcher,
        signal: controller.signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          'user-agent': this.#userAgent
        }
      })
      const text = await response.body.text()
      this.log.debug(`${method} ${url} → ${response.statusCode} (${Date.now() - started} ms)`)
      return { status: response.statusCode, headers: response.headers, text }
    } catch (error) {
      const code = errorCode(error)
      if (controller.signal.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
        throw new TransportFailure(
          'timeout',
          `no complete answer within ${formatMs(this.#timeoutMs)}`,
          true,
          error
        )
      }
      const retriable =
        !(code !== undefined && TLS_TRUST_CODES.has(code)) && !/\b407\b/.test(errorMessage(error))
      throw new TransportFailure(
        'network',
        this.#redact(describeNetworkError(error)),
        retriable,
        error
      )
    } finally {
      clearTimeout(timer)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Waiting

  async #wait(ms: number, reason: string, level: 'info' | 'warning'): Promise<void> {
    let wait = Math.max(0, Math.ceil(ms))
    if (wait > this.#maxRetryWaitMs) {
      this.log.warning(
        `${reason}: Sentry asked to wait ${formatMs(wait)}; waiting at most ${formatMs(this.#maxRetryWaitMs)}.`
      )
      wait = this.#maxRetryWaitMs
    } else {
      this.log[level](`${reason}: waiting ${formatMs(wait)}.`)
    }
    await this.#sleep(wait)
  }

  async #backoff(attempt: number, reason: string): Promise<void> {
    const ceiling = Math.min(this.#maxRetryWaitMs, BACKOFF_BASE_MS * 2 ** (attempt - 1))
    const wait = ceiling / 2 + Math.random() * (ceiling / 2)
    await this.#wait(wait, `${reason}; retry ${attempt} of ${this.#maxRetries}`, 'warning')
  }

  async #waitForRateLimit(
    headers: RawResponse['headers'],
    attempt: number,
    what: string
  ): Promise<void> {
    const now = Date.now()
    const retryAfter = retryAfterMs(headerValue(headers, 'retry-after'), now)
    const reset = resetWaitMs(headerValue(headers, 'x-sentry-rate-limit-reset'), now)
    const reason = `Sentry rate limit reached (HTTP 429) on ${what}; retry ${attempt} of ${this.#maxRetries}`
    if (retryAfter !== undefined) {
      await this.#wait(retryAfter, `${reason} (Retry-After)`, 'info')
    } else if (reset !== undefined) {
      await this.#wait(reset, `${reason} (until X-Sentry-Rate-Limit-Reset)`, 'info')
    } else {
      await this.#backoff(attempt, `Sentry rate limit reached (HTTP 429) on ${what}`)
    }
    this.#pauseUntil = 0
  }

  /** Remembers when the rate-limit budget is exhausted (`Remaining: 0`), until its reset. */
  #notePacing(headers: RawResponse['headers']): void {
    const remaining = headerValue(headers, 'x-sentry-rate-limit-remaining')
    const reset = Number(headerValue(headers, 'x-sentry-rate-limit-reset'))
    if (remaining !== undefined && Number(remaining) <= 0 && Number.isFinite(reset) && reset > 0) {
      this.#pauseUntil = reset * 1000 + RESET_MARGIN_MS
    }
  }

  async #paceBeforeRequest(): Promise<void> {
    const wait = this.#pauseUntil - Date.now()
    this.#pauseUntil = 0
    if (wait > 0) {
      await this.#wait(
        wait,
        'Sentry rate-limit budget used up (X-Sentry-Rate-Limit-Remaining: 0); pausing until it resets',
        'info'
      )
    }
  }

  // -------------------------------------------------------------------------------------------
  // Errors

  #transportError(
    failure: TransportFailure,
    url: string,
    what: string,
    attempts: number
  ): SentryApiError {
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
    if (failure.kind === 'timeout') {
      return new SentryApiError(
        `Sentry at ${this.baseUrl} did not answer ${what} in time after ${tries} ` +
          `(${failure.message} each). Sentry may be overloaded, or the runner's network/proxy is slow.`,
        { kind: 'timeout', url, cause: failure.cause }
      )
    }
    const code = errorCode(failure.cause)
    const hint =
      code !== undefined && TLS_TRUST_CODES.has(code)
        ? " Sentry's TLS certificate is not trusted: if it uses a private or self-signed CA, provide that CA certificate (PEM), or fix sentry-url's host name."
        : " Check sentry-url and the runner's network/proxy (HTTPS_PROXY, NO_PROXY)."
    const opening =
      code !== undefined && UNREACHABLE_CODES.has(code)
        ? `Could not reach Sentry at ${this.baseUrl}`
        : `The connection to Sentry at ${this.baseUrl} failed`
    return new SentryApiError(`${opening} after ${tries}: ${failure.message}.${hint}`, {
      kind: 'network',
      url,
      cause: failure.cause
    })
  }

  #httpError(response: RawResponse, url: string, what: string, attempts: number): SentryApiError {
    const { status } = response
    const detail = extractDetail(response)
    const said = detail === undefined ? '' : ` Sentry said: "${detail}".`
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
    const make = (kind: SentryErrorKind, message: string): SentryApiError =>
      new SentryApiError(this.#redact(message + said), {
        kind,
        url,
        status,
        ...(detail === undefined ? {} : { detail: this.#redact(detail) })
      })

    if (status === 401) {
      return make(
        'auth',
        `Sentry rejected the token (HTTP 401) for ${what}: it is invalid, expired or revoked. Check the sentry-token secret.`
      )
    }
    if (status === 403) {
      return make(
        'forbidden',
        `Sentry refused access (HTTP 403) for ${what}: the token lacks the scopes this action needs ` +
          '(event:read, org:read, project:read) or has no access to this organization or its projects.'
      )
    }
    if (status === 404) {
      return make(
        'not-found',
        `Sentry answered 404 Not Found for ${what} at ${this.baseUrl}: check sentry-org (the organization slug) ` +
          "and sentry-url. On sentry.io use your organization's region host (e.g. https://us.sentry.io or " +
          'https://de.sentry.io); for a self-hosted Sentry under a path, include that path.'
      )
    }
    if (status === 429) {
      return make(
        'rate-limited',
        `Sentry kept rate limiting ${what} (HTTP 429) after ${tries}. Try again later or run less often.`
      )
    }
    if (status >= 500) {
      return make(
        'server',
        `Sentry answered ${what} with HTTP ${status} after ${tries}; it may be down or overloaded.`
      )
    }
    if (status >= 300 && status < 400) {
      const location = headerValue(response.headers, 'location')
      return make(
        'invalid-response',
        `Sentry answered ${what} with a redirect (HTTP ${status}${location ? ` to ${location}` : ''}): set sentry-url to the address it redirects to.`
      )
    }
    return make(
      'bad-request',
      `Sentry rejected ${what} (HTTP ${status}): check the query, stats period, sort, environment and project inputs.`
    )
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  /** The full URL of an API path (`/organizations/…/`), with its query. */
  url(path: string, params?: URLSearchParams): string {
    const query = params?.toString() ?? ''
    return `${this.baseUrl}/api/0${path}${query === '' ? '' : `?${query}`}`
  }

  /** Removes the token from text meant for people. */
  #redact(text: string): string {
    return this.#token.length >= 4 ? text.split(this.#token).join('[redacted]') : text
  }
}

// ---------------------------------------------------------------------------------------------
// Module helpers

/**
 * The dispatcher for every Sentry request: through the proxy that the runner's rules
 * (HTTPS_PROXY/HTTP_PROXY/NO_PROXY, as @actions/http-client reads them, the same rules the GitHub
 * client follows) choose for the Sentry URL, trusting an extra CA when one is given.
 */
function createDispatcher(baseUrl: string, caCert: string | undefined): Dispatcher {
  // An explicit `ca` replaces Node's roots, so keep them and add the extra CA.
  const ca =
    caCert !== undefined && caCert.trim() !== '' ? [...rootCertificates, caCert] : undefined
  const proxyUrl = getProxyUrl(baseUrl)
  if (proxyUrl) {
    return new ProxyAgent({ uri: proxyUrl, ...(ca ? { requestTls: { ca } } : {}) })
  }
  return new Agent(ca ? { connect: { ca } } : {})
}

function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** `Retry-After` in ms: delay-seconds or an HTTP date. */
function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Time until `X-Sentry-Rate-Limit-Reset` (epoch seconds), in ms. */
function resetWaitMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined
  return Math.max(0, Number(value) * 1000 - now) + RESET_MARGIN_MS
}

/**
 * Sentry's `Link` header: `<URL>; rel="previous"; results="false"; cursor="0:0:1", <URL>; rel="next"; …`.
 */
function parseLinkHeader(header: string | undefined): LinkEntry[] {
  if (header === undefined) return []
  const entries: LinkEntry[] = []
  for (const part of header.split(/,\s*(?=<)/)) {
    const attributes = new Map<string, string>()
    for (const match of part.matchAll(/;\s*([A-Za-z-]+)\s*=\s*"([^"]*)"/g)) {
      attributes.set((match[1] ?? '').toLowerCase(), match[2] ?? '')
    }
    const rel = attributes.get('rel')
    if (rel === undefined) continue
    entries.push({
      rel,
      results: attributes.get('results') === 'true',
      cursor: attributes.get('cursor')
    })
  }
  return entries
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: string; html: boolean }

function parseJsonBody(response: RawResponse): ParsedBody {
  const contentType = headerValue(response.headers, 'content-type') ?? ''
  const text = response.text
  const html = /html/i.test(contentType) || /^\s*</.test(text)
  if (html) {
    const title = htmlTitle(text)
    return {
      ok: false,
      html,
      problem: `an HTML page${title ? ` ("${title}")` : ''} instead of JSON`
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const kind =
      text.trim() === ''
        ? 'an empty body instead of JSON'
        : `malformed JSON (${errorMessage(error)})`
    return { ok: false, html, problem: kind }
  }
}

function htmlTitle(text: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim()
  return title === undefined || title === '' ? undefined : title.slice(0, 120)
}

/**
 * Whether an error response is one of Sentry's own: a JSON object with a `detail`. Sentry's
 * endpoints answer "no such issue" or "no event" that way; an unknown route gets Sentry's catch-all
 * (an empty 404, or `{"info": …}`), and a proxy or web server answers with HTML.
 */
function hasErrorDetail(response: RawResponse): boolean {
  try {
    const parsed = sentryErrorBodySchema.safeParse(JSON.parse(response.text))
    return parsed.success && parsed.data.detail !== undefined && parsed.data.detail !== null
  } catch {
    return false
  }
}

/** Sentry's `detail`, or a short description of a non-JSON error body. */
function extractDetail(response: RawResponse): string | undefined {
  const text = response.text.trim()
  if (text === '') return undefined
  try {
    const parsed = sentryErrorBodySchema.safeParse(JSON.parse(text))
    if (parsed.success && parsed.data.detail !== undefined)
      return truncate(detailText(parsed.data.detail))
    return truncate(text)
  } catch {
    const contentType = headerValue(response.headers, 'content-type') ?? ''
    if (/html/i.test(contentType) || text.startsWith('<')) {
      const title = htmlTitle(text)
      return `an HTML page${title ? ` ("${title}")` : ''}`
    }
    return truncate(text)
  }
}

function detailText(detail: unknown): string {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) return detail.map(detailText).join('; ')
  if (typeof detail === 'object' && detail !== null) {
    const message = (detail as Record<string, unknown>)['message']
    if (typeof message === 'string') return message
  }
  return JSON.stringify(detail)
}

function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function summarizeZodIssues(error: z.ZodError, data: unknown): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const [first, ...rest] = issue.path
    let where: string
    if (typeof first === 'number') {
      const item: unknown = Array.isArray(data) ? data[first] : undefined
      const id =
        typeof item === 'object' && item !== null
          ? (item as Record<string, unknown>)['id']
          : undefined
      where = `item ${first}${typeof id === 'string' || typeof id === 'number' ? ` (id ${id})` : ''}`
      if (rest.length > 0) where += ` field ${rest.map(String).join('.')}`
    } else {
      where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}` : 'the response'
    }
    return `${where}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '')
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    const errors = (current as { errors?: unknown }).errors
    current =
      Array.isArray(errors) && errors.length > 0
        ? errors[0]
        : (current as { cause?: unknown }).cause
  }
  return undefined
}

function describeNetworkError(error: unknown): string {
  let message = errorMessage(error)
  if (message === '' && error instanceof AggregateError && error.errors.length > 0) {
    message = errorMessage(error.errors[0])
  }
  const cause = error instanceof Error && error.cause !== undefined ? errorMessage(error.cause) : ''
  if (cause !== '' && !message.includes(cause))
    message = message === '' ? cause : `${message}: ${cause}`
  const code = errorCode(error)
  if (code !== undefined && !message.includes(code))
    message = message === '' ? code : `${message} (${code})`
  return message === '' ? 'unknown network error' : message
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

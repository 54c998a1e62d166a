/**
 * The HTTP layer under the Sentry client: one authenticated, validated request at a time.
 *
 * - HTTP goes through undici, via the proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY choose (as
 *   @actions/http-client reads them); an optional PEM CA is trusted in addition to Node's roots
 *   (./dispatcher.ts).
 * - Lists follow Sentry's cursor pagination (`Link` header, `rel="next"` while `results="true"`),
 *   stop at a maximum, and detect a cursor that repeats (./pagination.ts).
 * - 429s wait for `Retry-After` (added by proxies) or `X-Sentry-Rate-Limit-Reset`; 5xx, network
 *   errors and timeouts are retried with exponential backoff and jitter; when
 *   `X-Sentry-Rate-Limit-Remaining` reaches 0 the next request waits for the reset (./pacing.ts).
 * - Every response is validated with the zod schema the caller passes (./response.ts).
 * - Failures are `SentryApiError`s whose messages name the likely cause (./errors.ts). The token is
 *   sent only in the Authorization header and is scrubbed from every message and log line.
 */
import { request, type Dispatcher } from 'undici'
import type { z } from 'zod'
import { silentLogger, type Logger } from '../log.js'
import { createDispatcher } from './dispatcher.js'
import {
  httpError,
  SentryApiError,
  TransportFailure,
  transportError,
  transportFailure,
  type FailedRequest
} from './errors.js'
import { Pacer } from './pacing.js'
import { paginate, type PageHandlers } from './pagination.js'
import {
  hasErrorDetail,
  headerValue,
  parseJsonBody,
  summarizeZodIssues,
  type ParsedBody,
  type RawResponse
} from './response.js'
import { normalizeSentryBaseUrl } from './url.js'

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

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_MAX_RETRIES = 4
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000
const DEFAULT_USER_AGENT = 'sentry-issues-action'

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
  /** The caller's logger behind a filter that removes the token. */
  readonly log: Pick<Logger, 'debug' | 'info' | 'warning'>
  readonly #pacer: Pacer
  readonly #userAgent: string
  readonly #dispatcher: Dispatcher
  #requestCount = 0

  constructor(opts: SentryTransportOptions) {
    this.baseUrl = normalizeSentryBaseUrl(opts.baseUrl)
    this.#token = opts.token
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT
    const log = opts.log ?? silentLogger
    this.log = {
      debug: (message) => log.debug(this.#redact(message)),
      info: (message) => log.info(this.#redact(message)),
      warning: (message) => log.warning(this.#redact(message))
    }
    this.#pacer = new Pacer({
      maxRetries: Math.max(0, opts.maxRetries ?? DEFAULT_MAX_RETRIES),
      maxRetryWaitMs: Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS),
      sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      log: this.log
    })
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

  /** Reads `path` page by page (see ./pagination.ts), each page validated with `schema`. */
  async paginate<S extends z.ZodType>(
    path: string,
    base: URLSearchParams,
    schema: S,
    handlers: PageHandlers<z.output<S>>
  ): Promise<void> {
    await paginate(path, base, (params) => this.getJson(path, params, schema), handlers, this.log)
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
    const attempts = this.#pacer.maxRetries + 1
    let retriedInvalid = false

    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt < attempts
      await this.#pacer.paceBeforeRequest()

      let response: RawResponse
      try {
        response = await this.#send(url, method, opts.body)
      } catch (error) {
        if (!(error instanceof TransportFailure)) throw error
        if (error.retriable && canRetry) {
          await this.#pacer.backoff(attempt, `${what} failed (${error.message})`)
          continue
        }
        throw transportError(error, this.#failed(url, what, attempt))
      }

      this.#pacer.notePacing(response.headers)
      const { status } = response

      if (status >= 200 && status < 300) {
        // 204 No Content (a delete) has no body to read.
        const parsed: ParsedBody =
          status === 204 ? { ok: true, value: null } : parseJsonBody(response)
        if (!parsed.ok) {
          if (canRetry && !retriedInvalid) {
            retriedInvalid = true
            await this.#pacer.backoff(
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
          await this.#pacer.waitForRateLimit(response.headers, attempt, what)
          continue
        }
        throw httpError(response, this.#failed(url, what, attempt), (text) => this.#redact(text))
      }

      if (status >= 500) {
        if (canRetry) {
          await this.#pacer.backoff(attempt, `${what} answered HTTP ${status}`)
          continue
        }
        throw httpError(response, this.#failed(url, what, attempt), (text) => this.#redact(text))
      }

      throw httpError(response, this.#failed(url, what, attempt), (text) => this.#redact(text))
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
      throw transportFailure(error, controller.signal.aborted, this.#timeoutMs, (text) =>
        this.#redact(text)
      )
    } finally {
      clearTimeout(timer)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  /** The full URL of an API path (`/organizations/…/`), with its query. */
  url(path: string, params?: URLSearchParams): string {
    const query = params?.toString() ?? ''
    return `${this.baseUrl}/api/0${path}${query === '' ? '' : `?${query}`}`
  }

  /** The request a failure message is about. */
  #failed(url: string, what: string, attempts: number): FailedRequest {
    return { baseUrl: this.baseUrl, url, what, attempts }
  }

  /** Removes the token from text meant for people. */
  #redact(text: string): string {
    return this.#token.length >= 4 ? text.split(this.#token).join('[redacted]') : text
  }
}

/**
 * How a Sentry call fails: `SentryApiError`, whose message names the likely cause; which network
 * errors are worth a retry; and the message for each kind of failure (no connection, a timeout, an
 * HTTP error status).
 */
import { errorMessage } from '../log.js'
import { formatMs } from './pacing.js'
import { extractDetail, headerValue, type RawResponse } from './response.js'

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

/** Node's codes for a certificate chain that is not trusted here (a private CA, a self-signed one). */
export const UNTRUSTED_CERT_CODES: readonly string[] = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED'
]

/** TLS failures the transport explains as such: untrusted, expired, or for another name. */
const TLS_TRUST_CODES = new Set([
  ...UNTRUSTED_CERT_CODES,
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
export class TransportFailure extends Error {
  readonly kind: 'network' | 'timeout'
  readonly retriable: boolean

  constructor(kind: 'network' | 'timeout', message: string, retriable: boolean, cause: unknown) {
    super(message, { cause })
    this.kind = kind
    this.retriable = retriable
  }
}

/**
 * A failed attempt that got no answer, as a `TransportFailure`: a timeout (`aborted`, or undici's
 * own timeouts), or a network error, retriable unless retrying cannot help (an untrusted
 * certificate, a proxy asking for credentials). `redact` removes the token from the message.
 */
export function transportFailure(
  error: unknown,
  aborted: boolean,
  timeoutMs: number,
  redact: (text: string) => string
): TransportFailure {
  const code = errorCode(error)
  if (aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new TransportFailure(
      'timeout',
      `no complete answer within ${formatMs(timeoutMs)}`,
      true,
      error
    )
  }
  const retriable =
    !(code !== undefined && TLS_TRUST_CODES.has(code)) && !/\b407\b/.test(errorMessage(error))
  return new TransportFailure('network', redact(describeNetworkError(error)), retriable, error)
}

/** The request a failure message is about. */
export interface FailedRequest {
  /** The Sentry base URL, as the messages name it. */
  baseUrl: string
  /** The request URL (never contains the token). */
  url: string
  /** The method and path, `GET /api/0/…`. */
  what: string
  /** How many attempts were made. */
  attempts: number
}

/** The error for a request that never got an answer, after its last attempt. */
export function transportError(failure: TransportFailure, request: FailedRequest): SentryApiError {
  const { baseUrl, url, what, attempts } = request
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
  if (failure.kind === 'timeout') {
    return new SentryApiError(
      `Sentry at ${baseUrl} did not answer ${what} in time after ${tries} ` +
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
      ? `Could not reach Sentry at ${baseUrl}`
      : `The connection to Sentry at ${baseUrl} failed`
  return new SentryApiError(`${opening} after ${tries}: ${failure.message}.${hint}`, {
    kind: 'network',
    url,
    cause: failure.cause
  })
}

/**
 * The error for an HTTP status that ends the request (after its last attempt, when retriable),
 * with Sentry's `detail`. `redact` removes the token from the message and the detail.
 */
export function httpError(
  response: RawResponse,
  request: FailedRequest,
  redact: (text: string) => string
): SentryApiError {
  const { baseUrl, url, what, attempts } = request
  const { status } = response
  const detail = extractDetail(response)
  const said = detail === undefined ? '' : ` Sentry said: "${detail}".`
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`
  const make = (kind: SentryErrorKind, message: string): SentryApiError =>
    new SentryApiError(redact(message + said), {
      kind,
      url,
      status,
      ...(detail === undefined ? {} : { detail: redact(detail) })
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
      `Sentry answered 404 Not Found for ${what} at ${baseUrl}: check sentry-org (the organization slug) ` +
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

/**
 * The first error `code` along an error's chain (an AggregateError's first error, else its
 * `cause`), within `depth` links, that `accept` takes.
 */
export function chainedErrorCode(
  error: unknown,
  depth: number,
  accept: (code: string) => boolean = () => true
): string | undefined {
  let current: unknown = error
  for (let link = 0; link < depth && typeof current === 'object' && current !== null; link++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && accept(code)) return code
    const errors = (current as { errors?: unknown }).errors
    current =
      Array.isArray(errors) && errors.length > 0
        ? errors[0]
        : (current as { cause?: unknown }).cause
  }
  return undefined
}

function errorCode(error: unknown): string | undefined {
  return chainedErrorCode(error, 4)
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

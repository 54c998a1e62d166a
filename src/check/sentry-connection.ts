import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { SentryApiError } from '../sentry/client.js'
import { chainedErrorCode, UNTRUSTED_CERT_CODES } from '../sentry/errors.js'
import { fail, type CheckRow } from './checks.js'
import { inputRef, type Surface } from './probe.js'

/**
 * Why Sentry gave no usable answer (DNS, a refused connection, TLS, a proxy, a timeout, something
 * other than Sentry's API answering), and the fix.
 */

/** Certificates not trusted here; an expired one and one for another name get rows of their own. */
const TLS_CODES = new Set([...UNTRUSTED_CERT_CODES, 'CERT_SIGNATURE_FAILURE'])

/** The Node/undici error code in an error's cause chain (`ENOTFOUND`, `CERT_HAS_EXPIRED`, …). */
export function errorCodeOf(error: unknown): string | undefined {
  // Deeper than the transport looks, and past undici's own UND_ERR_* wrappers to the cause.
  return chainedErrorCode(error, 6, (code) => !code.startsWith('UND_ERR_'))
}

/** The row for a Sentry that gave no usable answer to `GET /api/0/`: which kind of failure, and the fix. */
export function connectionRow(
  error: unknown,
  config: Config,
  surface: Surface,
  proxy: string | undefined
): CheckRow {
  if (!(error instanceof Error)) throw error
  const name = 'Sentry reachable'
  const url = config.sentry.url
  const host = new URL(url).host
  const proxyFix = `If the runner reaches the internet through a proxy, set HTTPS_PROXY (and NO_PROXY for hosts it must not be used for)${proxy ? `; the proxy in use is ${proxy}` : ''}.`
  if (!(error instanceof SentryApiError)) return fail(name, errorMessage(error), proxyFix)
  if (error.kind === 'timeout') {
    return fail(
      name,
      `${url} did not answer in time${proxy ? ` (through ${proxy})` : ''}.`,
      `Check that ${host} is reachable from where this runs (firewall, VPN, a self-hosted Sentry inside a private network needs a self-hosted runner or the CLI there). ${proxyFix}`
    )
  }
  if (error.kind !== 'network') {
    // Sentry, or something in its place, answered, but not as Sentry's API does.
    const fix =
      error.kind === 'not-found' || error.kind === 'invalid-response'
        ? `Set ${inputRef(surface, 'sentry-url')} to the Sentry server's base URL (https://sentry.io, https://us.sentry.io, https://de.sentry.io, or your server, including any path prefix, without /api/0).`
        : 'Try again later; if it persists, check the Sentry server and any proxy in front of it.'
    return fail(name, error.message, fix)
  }
  const code = errorCodeOf(error.cause)
  const message = errorMessage(error)
  const ca = inputRef(surface, 'sentry-ca-cert')
  if (/\b407\b/.test(message)) {
    return fail(
      name,
      `The proxy ${proxy ?? ''} asks for credentials (HTTP 407).`.replace('  ', ' '),
      'Put the proxy credentials in the proxy URL: HTTPS_PROXY=http://USER:PASSWORD@proxy:3128 (percent-encoded).'
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const target = proxy ? `the proxy (${proxy})` : host
    return fail(
      name,
      `DNS: the name of ${target} does not resolve (${code}).`,
      `Check the host name in ${proxy ? 'HTTPS_PROXY' : inputRef(surface, 'sentry-url')}. A host that only your internal DNS knows needs a runner inside that network (or the CLI there). ${proxy ? '' : proxyFix}`.trim()
    )
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      name,
      `${proxy ? `The proxy ${proxy}` : host} refused the connection (ECONNREFUSED).`,
      proxy
        ? 'Check HTTPS_PROXY (host and port), or add the Sentry host to NO_PROXY if it must be reached directly.'
        : `Check the port in ${inputRef(surface, 'sentry-url')} and that Sentry is running there. ${proxyFix}`
    )
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return fail(
      name,
      `TLS: the certificate of ${host} is not issued for that name (${code}).`,
      `Use the host name the certificate names in ${inputRef(surface, 'sentry-url')}.`
    )
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return fail(
      name,
      `TLS: the certificate of ${host} is not valid now (${code}).`,
      'Renew the certificate on the Sentry server (or check the clock of this machine).'
    )
  }
  if (code !== undefined && TLS_CODES.has(code)) {
    return fail(
      name,
      `TLS: the certificate of ${host} is not trusted (${code}).`,
      config.sentryCaCert
        ? `The CA certificate given in ${ca} does not verify it: give the CA that issued the server's certificate (the root, and any intermediate the server does not send).`
        : `If Sentry uses a private or self-signed CA, give that CA certificate (PEM) in ${ca}${surface === 'cli' ? ' (a file path or the PEM text)' : ''}; it is trusted for Sentry only. Setting NODE_EXTRA_CA_CERTS=/path/ca.pem for the whole process works too.`
    )
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return fail(
      name,
      `${host} is unreachable from here (${code}).`,
      `Check the network path to ${host} (firewall, VPN, routes). ${proxyFix}`
    )
  }
  return fail(name, message, proxyFix)
}

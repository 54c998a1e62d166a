import type { Config } from './inputs/config.js'
import type { Logger } from './log.js'
import { SentryClient, type SentryClientOptions } from './sentry/client.js'

/**
 * The Sentry client of a run, as every entry point builds it: its base URL, its token and the
 * optional private CA (trusted for Sentry only); HTTPS_PROXY / HTTP_PROXY / NO_PROXY are followed.
 * Kept apart from the GitHub client, so the action can start reading Sentry before it loads
 * Octokit (src/main.ts).
 */

/** Knobs for embedding (tests, the demo); real runs use the defaults. */
export type SentryTuning = Partial<
  Pick<SentryClientOptions, 'sleep' | 'timeoutMs' | 'maxRetries' | 'maxRetryWaitMs' | 'userAgent'>
>

export function createSentryClient(
  config: Config,
  log: Logger,
  tuning: SentryTuning = {}
): SentryClient {
  return new SentryClient({
    baseUrl: config.sentry.url,
    token: config.sentry.token,
    log,
    ...(config.sentryCaCert ? { caCert: config.sentryCaCert } : {}),
    ...tuning
  })
}

/** True for localhost, 127.0.0.0/8 and [::1]: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  )
}

/** Warns when the Sentry token would travel unencrypted to another machine. */
export function warnOnPlainHttp(url: string, log: Pick<Logger, 'warning'>): void {
  const { protocol, hostname } = new URL(url)
  if (protocol === 'http:' && !isLoopbackHost(hostname)) {
    log.warning(
      `sentry-url uses plain http (${url}): the Sentry token travels unencrypted. Use https unless this network is trusted.`
    )
  }
}

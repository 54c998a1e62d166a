import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './github/client.js'
import type { Config } from './inputs/config.js'
import type { Logger } from './log.js'
import { SentryClient, type SentryClientOptions } from './sentry/client.js'

/**
 * The two API clients of a run, built the same way by every entry point (the action and the
 * CLI): Sentry with its base URL, token and optional private CA (trusted for Sentry only), GitHub
 * with the configured API URL (GITHUB_API_URL on a runner; GitHub Enterprise Server works).
 * Both follow HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 */

/** Knobs for embedding (tests, the demo); real runs use the defaults. */
export interface ClientTuning {
  sentry?: Partial<
    Pick<SentryClientOptions, 'sleep' | 'timeoutMs' | 'maxRetries' | 'maxRetryWaitMs' | 'userAgent'>
  >
  github?: Partial<Omit<GitHubClientOptions, 'token' | 'baseUrl' | 'log'>>
}

export interface Clients {
  sentry: SentryClient
  github: GitHubClient
  /** Closes the connections the clients keep open. */
  close(): Promise<void>
}

export function createClients(config: Config, log: Logger, tuning: ClientTuning = {}): Clients {
  const sentry = new SentryClient({
    baseUrl: config.sentry.url,
    token: config.sentry.token,
    log,
    ...(config.sentryCaCert ? { caCert: config.sentryCaCert } : {}),
    ...tuning.sentry
  })
  const github = createGitHubClient({
    token: config.github.token,
    baseUrl: config.github.apiUrl,
    log,
    ...tuning.github
  })
  return {
    sentry,
    github,
    close: () => sentry.close()
  }
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

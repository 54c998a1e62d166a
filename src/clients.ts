import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './github/client.js'
import type { Config } from './inputs/config.js'
import type { Logger } from './log.js'
import type { SentryClient } from './sentry/client.js'
import { createSentryClient, type SentryTuning } from './sentry-setup.js'

/**
 * The two API clients of a run, built the same way by every entry point (the action and the
 * CLI): Sentry as src/sentry-setup.ts builds it, GitHub with the configured API URL
 * (GITHUB_API_URL on a runner; GitHub Enterprise Server works). Both follow HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY.
 */

/** Knobs for embedding (tests, the demo); real runs use the defaults. */
export interface ClientTuning {
  sentry?: SentryTuning
  github?: GitHubTuning
}

export type GitHubTuning = Partial<Omit<GitHubClientOptions, 'token' | 'baseUrl' | 'log'>>

export interface Clients {
  sentry: SentryClient
  github: GitHubClient
  /** Closes the connections the clients keep open. */
  close(): Promise<void>
}

export function createClients(config: Config, log: Logger, tuning: ClientTuning = {}): Clients {
  const sentry = createSentryClient(config, log, tuning.sentry)
  const github = createGitHubClientFor(config, log, tuning.github)
  return {
    sentry,
    github,
    close: () => sentry.close()
  }
}

export function createGitHubClientFor(
  config: Config,
  log: Logger,
  tuning: GitHubTuning = {}
): GitHubClient {
  return createGitHubClient({
    token: config.github.token,
    baseUrl: config.github.apiUrl,
    log,
    ...tuning
  })
}

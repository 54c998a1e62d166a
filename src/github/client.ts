import { getOctokit } from '@actions/github'
import { HttpClient } from '@actions/http-client'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import { fetch as undiciFetch } from 'undici'
import type { Logger } from '../log.js'

/**
 * The GitHub client, with the whole request policy in one place:
 *
 * - Base URL from configuration (GITHUB_API_URL on a runner), so GitHub Enterprise Server works.
 * - Proxy: the same HTTPS_PROXY/NO_PROXY handling as @actions/http-client, computed for the real
 *   base URL at run time (@actions/github computes it once at import time for its default URL).
 * - Throttling (@octokit/plugin-throttling): writes are serial and at least `writeSpacingMs` apart
 *   (GitHub asks for 1 s; at most 80 content-creating requests a minute), searches 2 s apart.
 *   Primary and secondary rate limits are waited out and retried a bounded number of times,
 *   only when the wait is within `maxRateLimitWaitSeconds`; every wait is logged.
 * - Retries (@octokit/plugin-retry): 5xx and network errors, three times with backoff. 4xx are
 *   final; 429 is left to the throttling plugin. Requests that must not be repeated blindly
 *   (creating an issue) opt out per request with `request: { retries: 0 }`.
 */

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  token: string
  baseUrl: string
  log: Logger
  /** Minimum spacing between writes (ms). Default 1000, GitHub's documented floor. */
  writeSpacingMs?: number
  /** Minimum spacing between search requests (ms). Default 2000 (30 searches a minute). */
  searchSpacingMs?: number
  /** The longest rate-limit wait the client accepts before giving up (seconds). Default 300. */
  maxRateLimitWaitSeconds?: number
  /** How many times one request is retried after a rate limit. Default 3. */
  maxRateLimitRetries?: number
  /** Milliseconds per second of `retry-after` (tests shrink it). Default 1000. */
  retryAfterBaseMs?: number
  /** Retries of 5xx/network errors. Default 3. */
  retries?: number
  userAgent?: string
}

/** A fetch that goes through the proxy configured for `baseUrl`, if any. */
export function proxyAwareFetch(baseUrl: string): typeof undiciFetch {
  const dispatcher = new HttpClient().getAgentDispatcher(baseUrl)
  if (!dispatcher) return undiciFetch
  return (input, init) => undiciFetch(input, { ...init, dispatcher })
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const {
    log,
    writeSpacingMs = 1000,
    searchSpacingMs = 2000,
    maxRateLimitWaitSeconds = 300,
    maxRateLimitRetries = 3,
    retryAfterBaseMs = 1000,
    retries = 3
  } = options

  const limitHandler =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number
    ) => {
      const what = `${request.method} ${request.url}`
      if (retryCount >= maxRateLimitRetries) {
        log.warning(
          `GitHub ${kind} rate limit hit for ${what}; giving up after ${retryCount} retries.`
        )
        return false
      }
      if (retryAfter > maxRateLimitWaitSeconds) {
        log.warning(
          `GitHub ${kind} rate limit hit for ${what}; the limit resets in ${retryAfter} s, longer than the ${maxRateLimitWaitSeconds} s this run waits. The next run picks up what is left.`
        )
        return false
      }
      log.warning(
        `GitHub ${kind} rate limit hit for ${what}; waiting ${retryAfter} s before retry ${retryCount + 1}.`
      )
      return true
    }

  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: options.userAgent ?? 'sentry-issues-action',
      request: { fetch: proxyAwareFetch(options.baseUrl) },
      log: {
        debug: (message: string) => log.debug(message),
        info: (message: string) => log.debug(message),
        warn: (message: string) => log.warning(message),
        error: (message: string) => log.warning(message)
      },
      throttle: {
        Bottleneck,
        retryAfterBaseValue: retryAfterBaseMs,
        fallbackSecondaryRateRetryAfter: 60,
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs }),
        search: new Bottleneck.Group({ maxConcurrent: 1, minTime: searchSpacingMs }),
        onRateLimit: limitHandler('primary'),
        onSecondaryRateLimit: limitHandler('secondary')
      },
      retry: {
        retries,
        retryAfterBaseValue: retryAfterBaseMs,
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
      }
    },
    throttling,
    retry
  )
}

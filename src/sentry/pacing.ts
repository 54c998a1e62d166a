/**
 * When to send the next attempt: 429s wait for `Retry-After` (added by proxies) or
 * `X-Sentry-Rate-Limit-Reset`; 5xx, network errors and timeouts back off exponentially with
 * jitter; when `X-Sentry-Rate-Limit-Remaining` reaches 0 the next request waits for the reset.
 * Every wait is capped, and said in the log.
 */
import type { Logger } from '../log.js'
import { headerValue, type RawResponse } from './response.js'

const BACKOFF_BASE_MS = 1000
/** Added to rate-limit reset waits, for clock granularity. */
const RESET_MARGIN_MS = 50

export interface PacerOptions {
  /** Retries after the first attempt; the messages count them. */
  maxRetries: number
  /** Cap on any single wait: backoff, Retry-After or rate-limit reset. */
  maxRetryWaitMs: number
  sleep: (ms: number) => Promise<void>
  log: Pick<Logger, 'info' | 'warning'>
}

/** The retry and rate-limit policy of one transport, and the rate-limit pause it remembers. */
export class Pacer {
  readonly maxRetries: number
  readonly #maxRetryWaitMs: number
  readonly #sleep: (ms: number) => Promise<void>
  readonly #log: Pick<Logger, 'info' | 'warning'>
  /** Epoch ms before which no request should be sent (rate-limit budget exhausted). */
  #pauseUntil = 0

  constructor(opts: PacerOptions) {
    this.maxRetries = opts.maxRetries
    this.#maxRetryWaitMs = opts.maxRetryWaitMs
    this.#sleep = opts.sleep
    this.#log = opts.log
  }

  async #wait(ms: number, reason: string, level: 'info' | 'warning'): Promise<void> {
    let wait = Math.max(0, Math.ceil(ms))
    if (wait > this.#maxRetryWaitMs) {
      this.#log.warning(
        `${reason}: Sentry asked to wait ${formatMs(wait)}; waiting at most ${formatMs(this.#maxRetryWaitMs)}.`
      )
      wait = this.#maxRetryWaitMs
    } else {
      this.#log[level](`${reason}: waiting ${formatMs(wait)}.`)
    }
    await this.#sleep(wait)
  }

  /** Exponential backoff with jitter before retry `attempt`. */
  async backoff(attempt: number, reason: string): Promise<void> {
    const ceiling = Math.min(this.#maxRetryWaitMs, BACKOFF_BASE_MS * 2 ** (attempt - 1))
    const wait = ceiling / 2 + Math.random() * (ceiling / 2)
    await this.#wait(wait, `${reason}; retry ${attempt} of ${this.maxRetries}`, 'warning')
  }

  /** After a 429: `Retry-After`, else the rate-limit reset, else a backoff. */
  async waitForRateLimit(
    headers: RawResponse['headers'],
    attempt: number,
    what: string
  ): Promise<void> {
    const now = Date.now()
    const retryAfter = retryAfterMs(headerValue(headers, 'retry-after'), now)
    const reset = resetWaitMs(headerValue(headers, 'x-sentry-rate-limit-reset'), now)
    const reason = `Sentry rate limit reached (HTTP 429) on ${what}; retry ${attempt} of ${this.maxRetries}`
    if (retryAfter !== undefined) {
      await this.#wait(retryAfter, `${reason} (Retry-After)`, 'info')
    } else if (reset !== undefined) {
      await this.#wait(reset, `${reason} (until X-Sentry-Rate-Limit-Reset)`, 'info')
    } else {
      await this.backoff(attempt, `Sentry rate limit reached (HTTP 429) on ${what}`)
    }
    this.#pauseUntil = 0
  }

  /** Remembers when the rate-limit budget is exhausted (`Remaining: 0`), until its reset. */
  notePacing(headers: RawResponse['headers']): void {
    const remaining = headerValue(headers, 'x-sentry-rate-limit-remaining')
    const reset = Number(headerValue(headers, 'x-sentry-rate-limit-reset'))
    if (remaining !== undefined && Number(remaining) <= 0 && Number.isFinite(reset) && reset > 0) {
      this.#pauseUntil = reset * 1000 + RESET_MARGIN_MS
    }
  }

  /** Before each attempt: waits out a used-up rate-limit budget (see `notePacing`). */
  async paceBeforeRequest(): Promise<void> {
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

/** A wait for the log: `250 ms`, `1.5 s`, `30 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

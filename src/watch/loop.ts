/**
 * The schedule of `sentry-issues-sync watch`: a full pass first and then every `fullEveryMs`, a
 * quick pass every `intervalMs` in between (measured start to start; passes never overlap), and
 * after a failed pass a growing wait instead. An outage is one warning when it starts and one line
 * when it ends, however many passes fail in between. `stop()` ends the wait at once and asks the
 * running pass to stop writing; `run()` then resolves.
 */

export type PassKind = 'full' | 'quick'

/** What a finished pass reports (a pass that throws has failed). */
export interface PassReport {
  /** Issues changed on GitHub (created, updated, closed, reopened). 0: an idle pass. */
  changed: number
  /** One line for the log when the pass changed something, e.g. the counts. */
  summary?: string
  /** Sentry issues that failed this pass (the pass itself went through). */
  failed?: number
  /** Why those failed, one line. */
  failure?: string
  /** More fields for the pass's log line (requests made, …). */
  fields?: Record<string, unknown>
}

export interface WatchEvents {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warning(message: string, fields?: Record<string, unknown>): void
  /** A pass ended (for the metrics and the health check). */
  passEnded?(kind: PassKind, outcome: 'ok' | 'failed', at: number, error?: string): void
}

export interface WatchLoopOptions {
  intervalMs: number
  fullEveryMs: number
  pass(kind: PassKind, stop: AbortSignal): Promise<PassReport>
  events: WatchEvents
  /** Longest wait after failures (default the larger of 5 minutes and the interval). */
  maxBackoffMs?: number
  now?: () => number
  /**
   * A failure of the very first pass that no waiting can fix (a wrong token, organization or
   * repository): it ends the loop instead of backing off. Default: none.
   */
  fatal?: (error: unknown) => boolean
  /** The failure in one line (default the error's message). */
  describe?: (error: unknown) => string
}

const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000

/** The first pass failed for a reason that needs a person: run() rejects with it. */
export class FatalPassError extends Error {
  override readonly name = 'FatalPassError'
}

export class WatchLoop {
  readonly #options: WatchLoopOptions
  readonly #now: () => number
  readonly #stop = new AbortController()
  #wake: (() => void) | undefined
  /** When the last full pass started successfully; undefined: the next pass is a full one. */
  #lastFullAt: number | undefined
  #failures = 0
  #outageSince: number | undefined
  #passes = 0

  constructor(options: WatchLoopOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  get stopping(): boolean {
    return this.#stop.signal.aborted
  }

  /** Passes finished so far (successful or not). */
  get passes(): number {
    return this.#passes
  }

  /** Ends the loop: the running pass stops before its next write, a wait ends at once. */
  stop(): void {
    this.#stop.abort()
    this.#wake?.()
  }

  async run(): Promise<void> {
    const { events } = this.#options
    while (!this.stopping) {
      const started = this.#now()
      const kind: PassKind =
        this.#lastFullAt === undefined || started - this.#lastFullAt >= this.#options.fullEveryMs
          ? 'full'
          : 'quick'
      let wait: number
      try {
        const report = await this.#options.pass(kind, this.#stop.signal)
        this.#passes++
        if (kind === 'full') this.#lastFullAt = started
        this.#recovered(kind)
        events.passEnded?.(kind, 'ok', this.#now())
        const fields = {
          pass: kind,
          changed: report.changed,
          ms: this.#now() - started,
          ...report.fields
        }
        if (report.changed > 0)
          events.info(`${label(kind)}: ${report.summary ?? ''}`.trim(), fields)
        else events.debug(`${label(kind)}: nothing to change.`, fields)
        if (report.failed && report.failed > 0) {
          events.warning(
            `${label(kind)}: ${report.failed} Sentry issue(s) failed: ${report.failure ?? ''}`.trim(),
            { pass: kind, failed: report.failed }
          )
        }
        wait = Math.max(0, this.#options.intervalMs - (this.#now() - started))
      } catch (error) {
        this.#passes++
        const message = messageOf(this.#options.describe?.(error) ?? error)
        events.passEnded?.(kind, 'failed', this.#now(), message)
        if (this.#passes === 1 && this.#options.fatal?.(error)) {
          throw new FatalPassError(message, { cause: error })
        }
        if (this.stopping) break
        wait = this.#failed(kind, message, retryAfterMs(error))
      }
      if (!this.stopping) await this.#sleep(wait)
    }
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  #failed(kind: PassKind, message: string, retryAfter: number | undefined): number {
    this.#failures++
    const max =
      this.#options.maxBackoffMs ?? Math.max(DEFAULT_MAX_BACKOFF_MS, this.#options.intervalMs)
    const backoff = Math.min(max, this.#options.intervalMs * 2 ** (this.#failures - 1))
    const wait = Math.max(backoff, Math.min(retryAfter ?? 0, max))
    const fields = { pass: kind, failures: this.#failures, retryInMs: wait }
    if (this.#outageSince === undefined) {
      this.#outageSince = this.#now()
      this.#options.events.warning(
        `${label(kind)} failed: ${message} Retrying with backoff (next in ${seconds(wait)}); further failures are logged at debug level until a pass succeeds.`,
        fields
      )
    } else {
      this.#options.events.debug(`${label(kind)} failed again: ${message}`, fields)
    }
    return wait
  }

  #recovered(kind: PassKind): void {
    if (this.#outageSince === undefined) {
      this.#failures = 0
      return
    }
    const failures = this.#failures
    const lasted = this.#now() - this.#outageSince
    this.#failures = 0
    this.#outageSince = undefined
    this.#options.events.info(
      `Recovered: a ${kind} pass succeeded after ${failures} failed pass(es) over ${seconds(lasted)}.`,
      { pass: kind, failures, outageMs: lasted }
    )
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = () => {
        this.#wake = undefined
        done()
      }
    })
  }
}

function label(kind: PassKind): string {
  return kind === 'full' ? 'Full pass' : 'Quick pass'
}

function seconds(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  return `${Math.round(ms / 60_000)} min`
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (text === '') return 'unknown error.'
  return /[.!?)]$/.test(text) ? text : `${text}.`
}

/** A Retry-After the failed request was answered with (GitHub's errors carry their response). */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  const headers = (error as { response?: { headers?: Record<string, unknown> } } | null)?.response
    ?.headers
  const value = headers?.['retry-after']
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const text = String(value).trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

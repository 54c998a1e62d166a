import { createClients, type ClientTuning, type Clients } from '../clients.js'
import { ConfigError, type Config } from '../inputs/config.js'
import { errorMessage, type Logger } from '../log.js'
import { countRows, failureMessage, type RunResult } from '../report/result.js'
import { SentryApiError } from '../sentry/client.js'
import { FileStateStore, LockHeldError } from '../state/file-store.js'
import { runSync } from '../sync.js'
import { runQuickSync, type QuickMemo } from '../sync/quick.js'
import { readSentry } from '../sync/read-sentry.js'
import { formatDuration, parseDuration } from '../watch/duration.js'
import { HealthState, startHealthServer, type HealthServer } from '../watch/health.js'
import { FatalPassError, WatchLoop, type PassKind, type PassReport } from '../watch/loop.js'
import { WatchMetrics } from '../watch/metrics.js'
import { UsageError, type Settings } from './args.js'
import type { EventLogger } from './log-format.js'
import type { Scrubber } from './output.js'

/** What embedding the watcher can change (main()'s options include these). */
export interface WatchProcessOptions extends ClientTuning {
  /** Lock staleness and heartbeat (tests). */
  lock?: { staleLockMs?: number; heartbeatMs?: number }
  /** Where SIGTERM and SIGINT come from (default the process). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>
  /** How to exit when a stop takes too long (default process.exit). */
  exit?: (code: number) => void
}

/**
 * `sentry-issues-sync watch`: one long-running process that holds the state file's lock for its
 * whole life and runs the passes WatchLoop schedules (src/watch/loop.ts): a full sync first and
 * every --full-every, a quick pass (new issues only, src/sync/quick.ts) every --interval. SIGTERM
 * or SIGINT ends the wait at once or lets the running pass finish the write under way, save the
 * state and stop; the process exits 0. Optionally serves /healthz and /metrics.
 */

export interface WatchSettings {
  intervalMs: number
  fullEveryMs: number
  healthPort: number | undefined
  healthHost: string
}

const MIN_INTERVAL_MS = 1000
/**
 * Every holder refreshes its lock each minute, so one not refreshed for 5 minutes belongs to a run
 * that died, such as a pod killed for memory whose replacement has another host name.
 */
const WATCH_STALE_LOCK_MS = 5 * 60_000
/** How long a stop may take before the process exits anyway (SIGTERM's grace is usually 10 s). */
const STOP_GRACE_MS = 8000

/** The watch options from flags and environment; a bad value is a UsageError naming the option. */
export function watchSettings(settings: Settings): WatchSettings {
  const duration = (name: 'interval' | 'full-every', fallback: string): number => {
    const text = settings.extra[name] ?? fallback
    const ms = parseDuration(text)
    if (ms === undefined || ms < MIN_INTERVAL_MS) {
      throw new UsageError(
        `--${name} (SENTRY_SYNC_${name.toUpperCase().replace('-', '_')}): "${text}" is not a duration of at least 1s; give a number and a unit, s, m or h (30s, 5m, 1h).`
      )
    }
    return ms
  }
  const intervalMs = duration('interval', '60s')
  const fullEveryMs = duration('full-every', '1h')
  if (fullEveryMs < intervalMs) {
    throw new UsageError(
      `--full-every (${formatDuration(fullEveryMs)}) is shorter than --interval (${formatDuration(intervalMs)}); a full pass cannot come more often than a quick one.`
    )
  }
  const port = settings.extra['health-port']
  let healthPort: number | undefined
  if (port !== undefined && port.trim().toLowerCase() !== 'off') {
    healthPort = /^\d{1,5}$/.test(port.trim()) ? Number(port.trim()) : NaN
    if (!(healthPort >= 0 && healthPort <= 65535)) {
      throw new UsageError(
        `--health-port (SENTRY_SYNC_HEALTH_PORT): "${port}" is not a TCP port; give 1 to 65535, 0 for any free port, or off.`
      )
    }
  }
  const healthHost = settings.extra['health-host']?.trim() || '127.0.0.1'
  return { intervalMs, fullEveryMs, healthPort, healthHost }
}

export interface WatchContext {
  log: EventLogger
  scrub: Scrubber
  stateFile: string
  options: WatchProcessOptions
  watch: WatchSettings
  userAgent: string
  /** Prints an error line and returns the exit code. */
  fail(code: number, message: string): number
}

export async function runWatch(config: Config, ctx: WatchContext): Promise<number> {
  const { log, watch, options } = ctx
  const repository = `${config.github.owner}/${config.github.repo}`
  const store = new FileStateStore({
    file: ctx.stateFile,
    log,
    staleLockMs: WATCH_STALE_LOCK_MS,
    ...options.lock
  })
  try {
    await store.acquire()
  } catch (error) {
    if (error instanceof LockHeldError) {
      return ctx.fail(2, `${lockHeldMessage(error)} watch does not start a second time.`)
    }
    return ctx.fail(1, errorMessage(error))
  }

  const stopping = new AbortController()
  // Waits inside the clients (retry backoff) end at once when the watcher stops.
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping.signal.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        stopping.signal.removeEventListener('abort', done)
        resolve()
      }
      stopping.signal.addEventListener('abort', done)
    })
  // The clients log through the running pass's log (see PassLog), between passes to the console.
  let passLog: PassLog | undefined
  const clientLog: Logger = {
    debug: (message) => (passLog ?? log).debug(message),
    info: (message) => (passLog ?? log).info(message),
    warning: (message) => (passLog ?? log).warning(message),
    group: (name, fn) => (passLog ?? log).group(name, fn)
  }
  // The watcher retries whole passes with backoff, so each request is retried only once.
  const clients: Clients = createClients(config, clientLog, {
    sentry: { userAgent: ctx.userAgent, maxRetries: 1, sleep, ...options.sentry },
    github: { userAgent: ctx.userAgent, retries: 1, ...options.github }
  })
  let githubRequests = 0
  clients.github.hook.before('request', () => {
    githubRequests++
  })

  const metrics = new WatchMetrics()
  const health = new HealthState(watch.intervalMs, ctx.scrub)
  let server: HealthServer | undefined
  let loop: WatchLoop | undefined
  let signalled: string | undefined
  let forced: NodeJS.Timeout | undefined
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) {
      log.event('warning', `${signal} again: exiting now.`, { signal })
      exit(1)
      return
    }
    signalled = signal
    log.event('info', `${signal}: stopping after the write under way; the state is saved.`, {
      signal
    })
    stopping.abort()
    loop?.stop()
    forced = setTimeout(() => {
      log.event(
        'warning',
        `Still not stopped ${STOP_GRACE_MS / 1000} s after ${signal}: exiting now. Issues written so far carry their marker and tracking label, so the next run finds them.`,
        { signal }
      )
      exit(1)
    }, STOP_GRACE_MS)
    forced.unref()
  }
  const signals = options.signals ?? process
  signals.on('SIGTERM', onSignal)
  signals.on('SIGINT', onSignal)

  try {
    if (watch.healthPort !== undefined) {
      try {
        server = await startHealthServer({
          port: watch.healthPort,
          host: watch.healthHost,
          health,
          metrics
        })
      } catch (error) {
        return ctx.fail(
          2,
          `--health-port: could not listen on ${watch.healthHost}:${watch.healthPort} (${errorMessage(error)}).`
        )
      }
    }
    log.event(
      'info',
      `Watching Sentry organization "${config.sentry.org}" at ${config.sentry.url} for ${repository}: a quick pass every ${formatDuration(watch.intervalMs)}, a full pass every ${formatDuration(watch.fullEveryMs)}; state file ${ctx.stateFile}${server ? `; /healthz and /metrics on http://${server.address}` : ''}.`,
      {
        intervalMs: watch.intervalMs,
        fullEveryMs: watch.fullEveryMs,
        ...(server ? { health: server.address } : {})
      }
    )
    const memo: QuickMemo = {}
    const deps = { sentry: clients.sentry, github: clients.github, state: store }
    loop = new WatchLoop({
      intervalMs: watch.intervalMs,
      fullEveryMs: watch.fullEveryMs,
      fatal: refusedForGood,
      describe: describePassError,
      events: {
        debug: (message, fields) => log.event('debug', message, fields),
        info: (message, fields) => log.event('info', message, fields),
        warning: (message, fields) => log.event('warning', message, fields),
        passEnded: (kind, outcome, at, error) => {
          metrics.passEnded(kind, outcome, at)
          health.passEnded(kind, outcome, at, error)
        }
      },
      pass: async (kind, stop) => {
        const current = new PassLog(log)
        passLog = current
        const sentryBefore = clients.sentry.requestCount
        const githubBefore = githubRequests
        const counted = (): Record<string, number> => {
          const sentryRequests = clients.sentry.requestCount - sentryBefore
          const github = githubRequests - githubBefore
          metrics.requests('sentry', sentryRequests)
          metrics.requests('github', github)
          return { sentryRequests, githubRequests: github }
        }
        try {
          const result = await onePass(kind, config, { ...deps, log: current }, memo, stop)
          current.flush(true)
          return { ...passReport(result, metrics), fields: counted() }
        } catch (error) {
          counted()
          current.flush(false)
          throw error
        } finally {
          passLog = undefined
        }
      }
    })
    if (signalled) loop.stop()
    try {
      await loop.run()
    } catch (error) {
      if (error instanceof FatalPassError) {
        return ctx.fail(
          2,
          `${error.message} This needs a change to the configuration or the tokens; watch stops.`
        )
      }
      throw error
    }
    log.event('info', `Stopped after ${loop.passes} pass(es); the state is saved.`, {
      passes: loop.passes
    })
    return 0
  } finally {
    if (forced) clearTimeout(forced)
    signals.off('SIGTERM', onSignal)
    signals.off('SIGINT', onSignal)
    await server?.close()
    await clients.close().catch(() => undefined)
    await store.release()
  }
}

async function onePass(
  kind: PassKind,
  config: Config,
  deps: Parameters<typeof runSync>[1],
  memo: QuickMemo,
  stop: AbortSignal
): Promise<RunResult | undefined> {
  if (kind === 'quick') return (await runQuickSync(config, deps, memo, { stop })).result
  const read = await readSentry(config, deps.sentry)
  memo.projectIds = read.projectIds
  if (read.organization) memo.organization = read.organization
  return runSync(config, deps, Promise.resolve(read), { stop })
}

function passReport(result: RunResult | undefined, metrics: WatchMetrics): PassReport {
  if (result === undefined) return { changed: 0 }
  const counts = countRows(result.rows)
  for (const action of ['created', 'updated', 'closed', 'reopened', 'failed'] as const) {
    metrics.issues(action, counts[action])
  }
  const changed = counts.created + counts.updated + counts.closed + counts.reopened
  const created = result.rows.filter((r) => r.action === 'created' && r.url).map((r) => r.url)
  const failure = failureMessage(result.rows)
  return {
    changed,
    summary:
      `created ${counts.created}, updated ${counts.updated}, closed ${counts.closed}, reopened ${counts.reopened}` +
      (created.length > 0
        ? ` (${created.slice(0, 5).join(' ')}${created.length > 5 ? ' …' : ''})`
        : '') +
      '.',
    failed: counts.failed,
    ...(failure ? { failure } : {})
  }
}

/**
 * The sync core's log during a pass: its progress is debug output (an idle or routine pass says
 * nothing above debug), and its warnings are held until the pass ends: shown when it succeeded,
 * debug output when it failed (the watcher then reports the outage once).
 */
class PassLog implements Logger {
  readonly #log: EventLogger
  readonly #held: string[] = []
  static readonly MAX_HELD = 50

  constructor(log: EventLogger) {
    this.#log = log
  }

  debug(message: string): void {
    this.#log.event('debug', message)
  }
  info(message: string): void {
    this.#log.event('debug', message)
  }
  warning(message: string): void {
    if (this.#held.length < PassLog.MAX_HELD) this.#held.push(message)
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.#log.event('debug', name, { group: true })
    return fn()
  }
  flush(succeeded: boolean): void {
    for (const message of this.#held) this.#log.event(succeeded ? 'warning' : 'debug', message)
    this.#held.length = 0
  }
}

/** A first-pass failure that waiting cannot fix: a refused token, an unknown organization or repository. */
function refusedForGood(error: unknown): boolean {
  if (error instanceof ConfigError) return true
  if (error instanceof SentryApiError) {
    return ['auth', 'forbidden', 'not-found', 'bad-request'].includes(error.kind)
  }
  const status = (error as { status?: unknown } | null)?.status
  const name = (error as { name?: unknown } | null)?.name
  return name === 'HttpError' && (status === 401 || status === 404)
}

/** A failed pass in one line: Sentry's errors say what failed; GitHub's get their status. */
function describePassError(error: unknown): string {
  if (error instanceof SentryApiError || error instanceof ConfigError) return error.message
  const { name, status } = (error ?? {}) as { name?: unknown; status?: unknown }
  if (name === 'HttpError') {
    const cause = (error as { cause?: { message?: unknown; code?: unknown } }).cause
    const detail = [errorMessage(error), cause?.code ?? cause?.message]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(': ')
    return `GitHub request failed (HTTP ${String(status)}): ${detail}`
  }
  return errorMessage(error)
}

function lockHeldMessage(error: LockHeldError): string {
  const holder = error.holder
  const who = holder?.pid
    ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.started ? ` since ${holder.started}` : ''}`
    : 'a run that is just starting'
  return `Another sync is running: ${error.lockFile} is held by ${who}.`
}

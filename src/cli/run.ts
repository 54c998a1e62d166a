import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClients, type ClientTuning, type Clients } from '../clients.js'
import { warnOnPlainHttp } from '../sentry-setup.js'
import { describeGitHubError } from '../github/errors.js'
import { ConfigError, INPUT_NAMES, parseConfig, type Config } from '../inputs/config.js'
import { passed, renderText } from '../check/checks.js'
import { runChecks } from '../check/run.js'
import { fileStateRow } from '../check/state.js'
import { errorMessage, type Logger } from '../log.js'
import { countRows, failureMessage, type RunResult } from '../report/result.js'
import { renderSummary } from '../report/summary.js'
import { FileStateStore, LockHeldError } from '../state/file-store.js'
import { SentryApiError } from '../sentry/client.js'
import { runSync } from '../sync.js'
import { runQuickPass } from '../sync/quick.js'
import { eventLogger, parseLogFormat, type EventLogger, type LogFormat } from './log-format.js'
import { runWatch, watchSettings, type WatchProcessOptions, type WatchSettings } from './watch.js'
import {
  envNameFor,
  helpText,
  parseCliArgs,
  resolveSettings,
  UsageError,
  type Settings
} from './args.js'
import { createScrubber, processIo, summaryAsText, writePreviews, type CliIo } from './output.js'

/**
 * `sentry-issues-sync`: the action's core as a command. `main` is the whole program, returning its
 * exit code; src/cli.ts only calls it, so tests run it in-process against the fakes.
 *
 * Exit codes: 0 synced; 1 some Sentry issues failed or the run failed; 2 invalid options or
 * configuration, or another run holds the lock (nothing was requested). `check`: 0 when a sync
 * would work, 1 when a check failed, 2 as before.
 */

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

export interface MainOptions extends ClientTuning, WatchProcessOptions {
  io?: CliIo
  /** Folder relative paths (state file, CA file) are resolved against; default process.cwd(). */
  cwd?: string
}

const COMMANDS = ['sync', 'check', 'quick', 'watch'] as const
type Command = (typeof COMMANDS)[number]
/** Options only `watch` takes. */
const WATCH_ONLY = ['interval', 'full-every', 'health-port', 'health-host'] as const

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: MainOptions = {}
): Promise<number> {
  const io = options.io ?? processIo
  const cwd = options.cwd ?? process.cwd()
  const scrub = createScrubber()
  let format: LogFormat = 'text'
  const fail = (code: number, message: string): number => {
    io.err(
      format === 'json'
        ? JSON.stringify({
            time: new Date().toISOString(),
            level: 'error',
            message: scrub(message)
          })
        : scrub(`error: ${message}`)
    )
    return code
  }

  // Secrets are known before anything can print them, even a usage error.
  scrub.add(env.SENTRY_TOKEN)
  scrub.add(env.GITHUB_TOKEN)
  let settings: Settings
  let verbose: boolean
  // A subcommand first: `check` verifies the set-up; `sync` (or none) syncs; `quick` files what is
  // new; `watch` keeps running.
  const command = COMMANDS.find((c): c is Command => c === argv[0])
  const args = command === undefined ? argv : argv.slice(1)
  let watch: WatchSettings | undefined
  try {
    const parsed = parseCliArgs(args)
    scrub.add(parsed.inputs['sentry-token'])
    scrub.add(parsed.inputs['github-token'])
    if (parsed.help) {
      io.out(helpText(version()))
      return EXIT_OK
    }
    if (parsed.version) {
      io.out(version())
      return EXIT_OK
    }
    verbose = parsed.verbose
    settings = resolveSettings(parsed, env)
    const logFormat = parseLogFormat(settings.extra['log-format'])
    if (logFormat === undefined) {
      throw new UsageError(
        `--log-format (SENTRY_SYNC_LOG_FORMAT): "${settings.extra['log-format']}" is not a log format; give text or json.`
      )
    }
    format = logFormat
    if (command === 'watch') {
      watch = watchSettings(settings)
      settings.raw.mode = 'sync'
    } else {
      const given = WATCH_ONLY.find((name) => parsed.options[name] !== undefined)
      if (given) throw new UsageError(`--${given} applies to the watch command only.`)
      if (command !== undefined) settings.raw.mode = command
    }
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(EXIT_USAGE, `${error.message} Run sentry-issues-sync --help for the options.`)
    }
    throw error
  }

  let config: Config
  try {
    for (const [name, file] of Object.entries(settings.files)) {
      settings.raw[name] = await readValueFile(file.variable, file.path, cwd)
    }
    scrub.add(settings.raw['sentry-token'])
    scrub.add(settings.raw['github-token'])
    const ca = settings.raw['sentry-ca-cert']
    if (ca !== undefined) settings.raw['sentry-ca-cert'] = await readCaCert(ca, cwd)
    config = parseConfig(settings.raw, { apiUrl: settings.apiUrl, serverUrl: settings.serverUrl })
  } catch (error) {
    return fail(
      EXIT_USAGE,
      error instanceof ConfigError ? cliConfigMessage(error) : errorMessage(error)
    )
  }

  const log = eventLogger(io, scrub, verbose, format)
  for (const [name, source] of Object.entries(settings.sources)) {
    log.debug(`${name}: from ${source === 'flag' ? 'the command line' : 'the environment'}`)
  }
  const repository = `${config.github.owner}/${config.github.repo}`
  warnOnPlainHttp(config.sentry.url, log)

  const stateFile = path.resolve(cwd, settings.stateFile ?? defaultStateFile(config, env))
  if (config.mode === 'check') return runCheck(config, { io, scrub, log, stateFile, options })
  if (watch !== undefined) {
    if (config.dryRun) {
      return fail(EXIT_USAGE, 'watch writes: --dry-run is for one-off runs (sync, quick).')
    }
    const userAgent = `sentry-issues-sync/${version()}`
    return runWatch(config, { log, scrub, stateFile, options, watch, userAgent, fail })
  }
  const store = new FileStateStore({
    file: stateFile,
    log,
    readOnly: config.dryRun,
    ...options.lock
  })
  if (!config.dryRun) {
    try {
      await store.acquire()
    } catch (error) {
      // Another run holds the lock: refused at once, nothing requested (as for a second watch).
      return fail(error instanceof LockHeldError ? EXIT_USAGE : EXIT_FAILED, errorMessage(error))
    }
  }
  let clients: Clients | undefined
  try {
    clients = createClients(config, log, {
      sentry: { userAgent: `sentry-issues-sync/${version()}`, ...options.sentry },
      github: { userAgent: `sentry-issues-sync/${version()}`, ...options.github }
    })
    log.info(
      `Syncing Sentry organization "${config.sentry.org}" at ${config.sentry.url} into ${repository}` +
        `${config.dryRun ? ' (dry run: nothing is written)' : ''}; state file ${stateFile}.`
    )
    const deps = { ...clients, state: store, log }
    const result =
      config.mode === 'quick' ? await runQuickPass(config, deps) : await runSync(config, deps)
    report(log, io, scrub, result, repository)
    if (settings.previewDir !== undefined) {
      const dir = path.resolve(cwd, settings.previewDir)
      try {
        log.info(await writePreviews(dir, result.rows))
      } catch (error) {
        return fail(
          EXIT_FAILED,
          `--preview-dir: could not write the previews to ${dir} (${errorMessage(error)}).`
        )
      }
    }
    const failure = failureMessage(result.rows)
    return failure ? fail(EXIT_FAILED, failure) : EXIT_OK
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT_USAGE, error.message)
    return fail(EXIT_FAILED, describeRunError(error, config))
  } finally {
    await clients?.close().catch(() => undefined)
    await store.release()
  }
}

/**
 * `sentry-issues-sync check`: the set-up checklist on stdout, one line per check; exit 0 when a
 * sync would work, else 1. Writes nothing (the state file's lock is taken and given back).
 */
async function runCheck(
  config: Config,
  ctx: {
    io: CliIo
    scrub: (text: string) => string
    log: Logger
    stateFile: string
    options: MainOptions
  }
): Promise<number> {
  const { io, scrub, log, stateFile, options } = ctx
  const clients = createClients(config, log, {
    sentry: { userAgent: `sentry-issues-sync/${version()}`, maxRetries: 1, ...options.sentry },
    github: { userAgent: `sentry-issues-sync/${version()}`, retries: 1, ...options.github }
  })
  try {
    log.info(
      `Checking the set-up for Sentry organization "${config.sentry.org}" at ${config.sentry.url} and ${config.github.owner}/${config.github.repo} (nothing is written).`
    )
    const rows = await runChecks(config, {
      sentry: clients.sentry,
      github: clients.github,
      log,
      surface: 'cli',
      state: () => fileStateRow(stateFile, log, options.lock)
    })
    io.out('')
    io.out(scrub(renderText(rows)))
    return passed(rows) ? EXIT_OK : EXIT_FAILED
  } catch (error) {
    io.err(scrub(`error: the check could not finish: ${errorMessage(error)}`))
    return EXIT_FAILED
  } finally {
    await clients.close().catch(() => undefined)
  }
}

function report(
  log: EventLogger,
  io: CliIo,
  scrub: (text: string) => string,
  result: RunResult,
  repo: string
): void {
  const counts = countRows(result.rows)
  if (log.format === 'json') {
    log.event('info', 'Sync finished.', { ...counts, repository: repo })
    return
  }
  io.out('')
  io.out(scrub(summaryAsText(renderSummary(result, repo))))
  io.out(
    `created=${counts.created} updated=${counts.updated} closed=${counts.closed} reopened=${counts.reopened} skipped=${counts.skipped} failed=${counts.failed}`
  )
}

/**
 * The configuration problems in the CLI's terms: the action's hints about workflow defaults
 * become the flag and environment variable to set.
 */
function cliConfigMessage(error: ConfigError): string {
  const problems = error.problems.map((problem) => {
    const text = problem
      .replace(/ \(it defaults to the workflow token, github\.token\)/, '')
      .replace(/ \(defaults to the workflow repository\)/, '')
    const name = INPUT_NAMES.find((n) => text.startsWith(`${n} `) || text.startsWith(`${n}:`))
    return name ? `${text} (--${name} or ${envNameFor(name)})` : text
  })
  return new ConfigError(problems).message
}

/** One clear sentence for a failed run, with the low-level cause when there is one (TLS, DNS). */
function describeRunError(error: unknown, config: Config): string {
  const message = describeFailure(error, config)
  return /\b407\b/.test(message)
    ? `${message} The proxy wants credentials: put them in the proxy URL (http://USER:PASSWORD@proxy:3128, percent-encoded).`
    : message
}

function describeFailure(error: unknown, config: Config): string {
  if (error instanceof SentryApiError) {
    return /certificate is not trusted/.test(error.message)
      ? `${error.message} With this command: --sentry-ca-cert FILE (or SENTRY_CA_CERT).`
      : error.message
  }
  const causes = causeChain(error)
  if (isGitHubTransportError(error)) {
    const detail = causes.length > 0 ? causes.join(': ') : errorMessage(error)
    const tls = /certificate|self[- ]signed|unable to verify/i.test(detail)
    return (
      `Could not connect to GitHub at ${config.github.apiUrl}: ${detail}. ` +
      (tls
        ? "GitHub's TLS certificate is not trusted: for GitHub Enterprise Server with a private CA, start the command with NODE_EXTRA_CA_CERTS=/path/to/ca.pem (--sentry-ca-cert applies to Sentry only)."
        : 'Check --github-api-url (GITHUB_API_URL) and the network or proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).')
    )
  }
  const message = describeGitHubError(error, config).replace(
    ', or leave github-token at its default (the workflow token).',
    ' given with --github-token or GITHUB_TOKEN.'
  )
  const extra = causes.filter((text) => !message.includes(text))
  return extra.length > 0 ? `${message} (cause: ${extra.join(': ')})` : message
}

/** Octokit reports a request that got no answer (DNS, refused, TLS) as status 500 from fetch. */
function isGitHubTransportError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if ((error as { name?: unknown }).name !== 'HttpError') return false
  const status = (error as { status?: unknown }).status
  const response = (error as { response?: unknown }).response
  return status === 500 && response === undefined
}

function causeChain(error: unknown): string[] {
  const causes: string[] = []
  let cause = causeOf(error)
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const { message, code } = cause as { message?: unknown; code?: unknown }
    let text = typeof message === 'string' ? message : errorMessage(cause)
    if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`
    if (text && text !== 'fetch failed' && !causes.includes(text)) causes.push(text)
    cause = causeOf(cause)
  }
  return causes
}

/** `error.cause`, also for errors from another realm (Node internals seen from a test sandbox). */
function causeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'cause' in error
    ? (error as { cause?: unknown }).cause
    : undefined
}

/** The value of an input kept in a file (`<VARIABLE>_FILE`), without its final line break. */
async function readValueFile(variable: string, file: string, cwd: string): Promise<string> {
  const full = path.resolve(cwd, file)
  try {
    return (await readFile(full, 'utf8')).replace(/\r?\n$/, '')
  } catch (error) {
    throw new Error(`${variable}: could not read ${full} (${errorMessage(error)}).`, {
      cause: error
    })
  }
}

/** `--sentry-ca-cert`: PEM text as given, or the content of the PEM file it names. */
async function readCaCert(value: string, cwd: string): Promise<string> {
  if (value.trim() === '' || value.includes('-----BEGIN')) return value
  const file = path.resolve(cwd, value.trim())
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new Error(
      `sentry-ca-cert: could not read the CA file ${file} (${errorMessage(error)}). Give a PEM file path or the PEM text.`,
      { cause: error }
    )
  }
}

/**
 * Where the state lives unless --state-file says otherwise: systemd's StateDirectory, else the XDG
 * state folder, one file per repository, organization and tracking label (so two syncs never
 * share state or a lock).
 */
export function defaultStateFile(config: Config, env: NodeJS.ProcessEnv): string {
  const base =
    env.STATE_DIRECTORY?.split(':')[0] ||
    (env.XDG_STATE_HOME
      ? path.join(env.XDG_STATE_HOME, 'sentry-issues-sync')
      : path.join(os.homedir(), '.local', 'state', 'sentry-issues-sync'))
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        `${config.github.owner}/${config.github.repo}`.toLowerCase(),
        config.github.apiUrl,
        config.sentry.org,
        config.trackingLabel.toLowerCase()
      ])
    )
    .digest('hex')
    .slice(0, 12)
  return path.join(base, `${config.github.owner}-${config.github.repo}-${digest}.json`)
}

/** Replaced with the package version in dist/cli.js by scripts/place-cli.mjs. */
const VERSION_STAMP = '@@SENTRY_ISSUES_SYNC_VERSION@@'

let cachedVersion: string | undefined

/**
 * This package's version: stamped into the bundle, or (running from source) read from the
 * package.json above this file.
 */
export function version(): string {
  if (!VERSION_STAMP.startsWith('@@')) return VERSION_STAMP
  if (cachedVersion !== undefined) return cachedVersion
  cachedVersion = 'unknown'
  try {
    let dir = path.dirname(fileURLToPath(import.meta.url))
    for (let i = 0; i < 4; i++) {
      const candidate = path.join(dir, 'package.json')
      if (existsSync(candidate)) {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as {
          name?: string
          version?: string
        }
        if (pkg.name === 'sentry-issues-action' && pkg.version) {
          cachedVersion = pkg.version
          break
        }
      }
      dir = path.dirname(dir)
    }
  } catch {
    // keep "unknown"
  }
  return cachedVersion
}

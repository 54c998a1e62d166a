import { parseArgs } from 'node:util'
import { INPUT_NAMES, type RawInputs } from '../inputs/config.js'
import type { ContentInputName } from '../inputs/content-options.js'
import { ENV_PREFIX, INPUT_SPECS, type InputSpec } from '../inputs/inputs.generated.js'

/**
 * The CLI's command line: every action input is a flag `--<input>` and can be set through the
 * environment under two names, `SENTRY_SYNC_<INPUT>` (upper snake case: `sentry-token` →
 * `SENTRY_SYNC_SENTRY_TOKEN`) and a short name kept for compatibility (`SENTRY_TOKEN`;
 * `repository` reads `GITHUB_REPOSITORY`), plus a few CLI-only options. A flag beats the
 * variables, the prefixed variable beats the short one; an empty variable counts as unset.
 * Names, descriptions and defaults come from action.yml through src/inputs/inputs.generated.ts
 * (scripts/gen-inputs.mjs), so the help cannot drift from the action.
 */

export type InputName = (typeof INPUT_NAMES)[number] | ContentInputName

const SPECS: ReadonlyMap<string, InputSpec> = new Map(
  INPUT_SPECS.map((spec: InputSpec) => [spec.name, spec])
)

/** action.yml's entry for an input the code reads (a test checks that each has one). */
export function inputSpec(name: InputName): InputSpec {
  const spec = SPECS.get(name)
  if (spec === undefined) throw new Error(`action.yml declares no input ${name}`)
  return spec
}

/** The default of every input outside a workflow; required inputs have none. */
export const DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  INPUT_SPECS.flatMap((spec: InputSpec) =>
    spec.cliDefault === undefined ? [] : [[spec.name, spec.cliDefault]]
  )
)

/** An input's description for --help: action.yml's, and where the command differs. */
export function cliDescription(name: InputName): string {
  const spec = inputSpec(name)
  return spec.cliNote === undefined ? spec.description : `${spec.description} ${spec.cliNote}`
}

/** Options that exist only on the command line (and in the environment). */
export const CLI_OPTIONS = {
  'github-api-url': {
    env: 'GITHUB_API_URL',
    default: 'https://api.github.com',
    description: 'GitHub REST API URL; for GitHub Enterprise Server https://HOST/api/v3.'
  },
  'github-server-url': {
    env: 'GITHUB_SERVER_URL',
    default: 'https://github.com',
    description: 'GitHub web URL (GitHub Enterprise Server: https://HOST).'
  },
  'state-file': {
    env: 'STATE_FILE',
    default:
      '$STATE_DIRECTORY, $XDG_STATE_HOME or ~/.local/state, then sentry-issues-sync/OWNER-REPO-HASH.json',
    description:
      'JSON file that keeps the sync state between runs. A lock file next to it (.lock) stops two runs from overlapping.'
  },
  'log-format': {
    env: 'SENTRY_SYNC_LOG_FORMAT',
    default: 'text',
    description:
      'text, or json for one JSON object a line (time, level, message and fields), for a log collector.'
  },
  interval: {
    env: 'SENTRY_SYNC_INTERVAL',
    default: '60s',
    description:
      'watch: how often a quick pass asks Sentry for issues that are new since the last pass and files them (30s, 5m, 1h; at least 1s).'
  },
  'full-every': {
    env: 'SENTRY_SYNC_FULL_EVERY',
    default: '1h',
    description:
      'watch: how often a full pass runs, exactly what a one-off sync does (updates, closes, reopens, healing); the first pass is a full one.'
  },
  'health-port': {
    env: 'SENTRY_SYNC_HEALTH_PORT',
    default: 'off',
    description:
      'watch: serve GET /healthz (200 while the last pass succeeded within three intervals, else 503 and why) and GET /metrics (Prometheus text) on this port.'
  },
  'health-host': {
    env: 'SENTRY_SYNC_HEALTH_HOST',
    default: '127.0.0.1',
    description:
      'watch: the address --health-port listens on (0.0.0.0 when probes come from outside the container, as in Kubernetes).'
  },
  'preview-dir': {
    env: 'PREVIEW_DIR',
    default: 'none',
    description:
      'Write every issue the run would create (with --dry-run) or creates as a Markdown file DIR/<short id>.md: the title as a heading, its labels, assignees and milestone, then the body exactly as GitHub gets it. The folder is created if needed; files of the same name are replaced.'
  }
} as const

export type CliOptionName = keyof typeof CLI_OPTIONS

/** Flags that take no value from the environment. */
const SWITCHES = {
  verbose: 'Print debug messages too.',
  help: 'Print this help and exit.',
  version: 'Print the version and exit.'
} as const

/** Inputs whose default is true or false: switches on the command line. */
export const BOOLEAN_INPUTS: readonly InputName[] = INPUT_NAMES.filter((name) => {
  const fallback = DEFAULTS[name]
  return fallback === 'true' || fallback === 'false'
})

/** How --help shows an input's default. */
export function shownDefault(name: InputName): string {
  const fallback = DEFAULTS[name]
  if (fallback === undefined) return 'required'
  if (fallback === '') return 'empty'
  if (fallback.includes('\n')) return 'the built-in rules (below)'
  return JSON.stringify(fallback)
}

/** The short environment variable of an input (kept for compatibility). */
export function envNameFor(input: InputName): string {
  return inputSpec(input).env
}

/** The environment variables of an input, the one that wins first: `SENTRY_SYNC_<INPUT>`, then the short one. */
export function envNamesFor(input: InputName): [prefixed: string, short: string] {
  const spec = inputSpec(input)
  return [spec.envAlias, spec.env]
}

/** A command-line mistake (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface ParsedArgs {
  help: boolean
  version: boolean
  verbose: boolean
  /** Inputs given as flags (as strings, the way the action receives them). */
  inputs: Partial<Record<InputName, string>>
  options: Partial<Record<CliOptionName, string>>
}

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const booleans = new Set<string>(BOOLEAN_INPUTS)
  const inputs: Partial<Record<InputName, string>> = {}
  // `--dry-run=false` style values for switches: taken verbatim, validated with the other inputs.
  const rest: string[] = []
  for (const arg of argv) {
    const match = /^--([a-z-]+)=([\s\S]*)$/.exec(arg)
    if (match?.[1] && booleans.has(match[1])) inputs[match[1] as InputName] = match[2] ?? ''
    else rest.push(arg)
  }

  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const name of INPUT_NAMES)
    options[name] = { type: booleans.has(name) ? 'boolean' : 'string' }
  for (const name of Object.keys(CLI_OPTIONS)) options[name] = { type: 'string' }
  options.verbose = { type: 'boolean', short: 'v' }
  options.help = { type: 'boolean', short: 'h' }
  options.version = { type: 'boolean', short: 'V' }

  let values: Record<string, string | boolean | undefined>
  try {
    const parsed = parseArgs({
      args: rest,
      options,
      strict: true,
      allowPositionals: false,
      allowNegative: true
    })
    values = parsed.values
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new UsageError(`${message.split('. To specify a positional')[0]}.`.replace(/\.\.$/, '.'))
  }

  for (const name of INPUT_NAMES) {
    const value = values[name]
    if (value === undefined || name in inputs) continue
    inputs[name] = typeof value === 'boolean' ? String(value) : value
  }
  const cli: Partial<Record<CliOptionName, string>> = {}
  for (const name of Object.keys(CLI_OPTIONS) as CliOptionName[]) {
    const value = values[name]
    if (typeof value === 'string') cli[name] = value
  }
  return {
    help: values.help === true,
    version: values.version === true,
    verbose: values.verbose === true,
    inputs,
    options: cli
  }
}

export interface Settings {
  /** Raw inputs for parseConfig: flags over environment; unset ones are left out. */
  raw: RawInputs
  /**
   * Inputs to read from a file named by `<VARIABLE>_FILE` (for secrets kept in files, such as
   * systemd credentials, and multi-line values such as templates), when neither the flag nor a
   * variable that wins over it is set: the file and the variable that named it.
   */
  files: Partial<Record<InputName, { path: string; variable: string }>>
  apiUrl: string | undefined
  serverUrl: string | undefined
  stateFile: string | undefined
  previewDir: string | undefined
  /** CLI options that only some commands take (log format, watch's schedule and health port). */
  extra: Partial<Record<CliOptionName, string>>
  /** Where each input came from, for debug output (never the value). */
  sources: Partial<Record<InputName, 'flag' | 'env' | 'file'>>
}

/**
 * Merges flags and environment: a flag wins, then `SENTRY_SYNC_<INPUT>` or the file named by
 * `SENTRY_SYNC_<INPUT>_FILE`, then the short variable or its `_FILE`. An empty variable counts as
 * unset; setting both a variable and its own `_FILE` twin is a usage error.
 */
export function resolveSettings(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Settings {
  const raw: RawInputs = {}
  const files: Settings['files'] = {}
  const sources: Settings['sources'] = {}
  for (const name of INPUT_NAMES) {
    const found = envNamesFor(name).map((variable) => {
      const value = nonEmpty(env[variable])
      const file = nonEmpty(env[`${variable}_FILE`])
      if (value !== undefined && file !== undefined) {
        throw new UsageError(`Both ${variable} and ${variable}_FILE are set; set one of them.`)
      }
      return { variable, value, file }
    })
    const flag = parsed.inputs[name]
    const fromEnv = found.find((f) => f.value !== undefined || f.file !== undefined)
    if (flag !== undefined) {
      raw[name] = flag
      sources[name] = 'flag'
    } else if (fromEnv?.value !== undefined) {
      raw[name] = fromEnv.value
      sources[name] = 'env'
    } else if (fromEnv?.file !== undefined) {
      files[name] = { path: fromEnv.file, variable: `${fromEnv.variable}_FILE` }
      sources[name] = 'file'
    }
  }
  const option = (name: CliOptionName): string | undefined =>
    parsed.options[name] ?? nonEmpty(env[CLI_OPTIONS[name].env])
  return {
    raw,
    files,
    apiUrl: option('github-api-url'),
    serverUrl: option('github-server-url'),
    stateFile: option('state-file'),
    previewDir: option('preview-dir'),
    extra: Object.fromEntries(
      (['log-format', 'interval', 'full-every', 'health-port', 'health-host'] as const).flatMap(
        (name) => {
          const value = option(name)
          return value === undefined ? [] : [[name, value]]
        }
      )
    ),
    sources
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

// ---------------------------------------------------------------------------------------------
// Help

const WIDTH = 100

export function helpText(version: string): string {
  const lines: string[] = [
    `sentry-issues-sync ${version}`,
    '',
    'Turns Sentry issues into GitHub issues and keeps them in step: the sentry-issues-action core,',
    'for cron, systemd timers, a long-running watcher and local runs.',
    '',
    'Usage: sentry-issues-sync [options]        sync',
    '       sentry-issues-sync check [options]  verify everything a sync needs, writing nothing:',
    '                                           one line per check (ok, FAIL or warn, with the fix)',
    '       sentry-issues-sync quick [options]  one quick pass: file only the issues that are new',
    '                                           since the last run (as --mode quick)',
    '       sentry-issues-sync watch [options]  keep running: a quick pass every --interval, a full',
    '                                           sync every --full-every; stop with SIGTERM or SIGINT',
    '',
    'Every input can also be set through the environment, under the two names shown:',
    `${ENV_PREFIX}<INPUT> (the input in upper snake case) or the short name kept for`,
    `compatibility. A flag beats both; ${ENV_PREFIX}<INPUT> beats the short name.`,
    'A variable NAME can also be given as NAME_FILE, the path of a file that holds the value (for',
    'secrets in files, such as systemd credentials, and for multi-line values such as templates).',
    'Each CLI option reads the one variable shown.',
    'Switches (default true/false) take --name, --no-name or --name=true|false.',
    '',
    'Inputs (the same as the action):',
    ''
  ]
  for (const name of INPUT_NAMES) {
    const isSwitch = BOOLEAN_INPUTS.includes(name)
    lines.push(
      ...entry(
        `--${name}${isSwitch ? '' : ' <value>'}`,
        `env ${envNamesFor(name).join(' or ')}; default ${shownDefault(name)}`,
        helpDescription(name)
      )
    )
  }
  lines.push('CLI options:', '')
  for (const [name, spec] of Object.entries(CLI_OPTIONS)) {
    lines.push(
      ...entry(`--${name} <value>`, `env ${spec.env}; default ${spec.default}`, spec.description)
    )
  }
  for (const [name, description] of Object.entries(SWITCHES)) {
    const short = name === 'verbose' ? '-v, ' : name === 'help' ? '-h, ' : '-V, '
    lines.push(...entry(`${short}--${name}`, undefined, description))
  }
  lines.push(
    'Exit codes: 0 synced; 1 some Sentry issues failed or the run failed; 2 invalid options or',
    'configuration, or another run holds the lock. check: 0 when a sync would work, 1 when a check',
    'failed, 2 invalid options or configuration. watch: 0 once stopped by SIGTERM or SIGINT; 2',
    'invalid options or configuration, another run holds the lock, or the first pass was refused',
    '(token, organization or repository).',
    '',
    'Documentation: docs/configuration.md (every input and its formats) and',
    'docs/running-anywhere.md in the sentry-issues-action repository.',
    ''
  )
  return lines.join('\n')
}

/** The description, and a multi-line default spelled out (one rule a line, joined by `;`). */
function helpDescription(name: InputName): string {
  const fallback = DEFAULTS[name]
  return fallback?.includes('\n')
    ? `${cliDescription(name)} Default: ${fallback.split('\n').join('; ')}.`
    : cliDescription(name)
}

function entry(flag: string, meta: string | undefined, description: string): string[] {
  const out = [`  ${flag}`]
  if (meta) out.push(`      ${meta}`)
  out.push(...wrap(description, WIDTH - 6).map((line) => `      ${line}`), '')
  return out
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

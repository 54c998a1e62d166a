import { parseArgs } from 'node:util'
import { INPUT_DEFAULTS, INPUT_NAMES, type RawInputs } from '../inputs/config.js'
import {
  CONTENT_INPUT_DEFAULTS,
  INPUT_DESCRIPTIONS as CONTENT_INPUT_DESCRIPTIONS,
  type ContentInputName
} from '../inputs/content-options.js'

/**
 * The CLI's command line: every action input is a flag `--<input>` and an environment variable
 * (`<INPUT>` in upper snake case: `sentry-token` → `SENTRY_TOKEN`; `repository` reads
 * `GITHUB_REPOSITORY`), plus a few CLI-only options. A flag beats the variable; an empty variable
 * counts as unset. The help text is generated from the same tables, so it cannot drift.
 */

export type InputName = (typeof INPUT_NAMES)[number] | ContentInputName

/** The default of every input (the content inputs keep theirs in content-options.ts). */
export const DEFAULTS: Readonly<Record<string, string>> = {
  ...INPUT_DEFAULTS,
  ...CONTENT_INPUT_DEFAULTS
}

/** One line per input, for --help (a test checks it covers action.yml and INPUT_NAMES). */
const CORE_DESCRIPTIONS: Record<Exclude<InputName, ContentInputName>, string> = {
  mode: 'sync, or check: verify everything a sync needs and write nothing (the same as the check command).',
  'sentry-url':
    'Sentry base URL: https://sentry.io, a region host (https://us.sentry.io, https://de.sentry.io) or a self-hosted URL (a path prefix is kept).',
  'sentry-token':
    'Sentry auth token with event:read, org:read and project:read. Prefer the environment variable: flags show up in process lists.',
  'sentry-org': 'Sentry organization slug.',
  'sentry-projects':
    'Comma- or newline-separated project slugs or numeric IDs. Empty means every project the token can see.',
  'sentry-environments': 'Comma- or newline-separated environments. Empty means all.',
  query: 'Sentry search query, sent as given.',
  'stats-period':
    'Only issues seen in this window: 24h, 14d, 90d, ... (a number and s, m, h, d or w).',
  sort: 'Sentry sort order: date, new, freq, user, trends, inbox or recommended.',
  'max-sentry-issues': 'Stop reading Sentry after this many issues (100 per page).',
  'max-new-issues':
    'Create at most this many GitHub issues per run, the most frequent first; later runs create the rest.',
  'min-events': 'Skip Sentry issues with fewer events.',
  'min-users': 'Skip Sentry issues affecting fewer users.',
  'github-token':
    'GitHub token that can read and write issues in the repository. Prefer the environment variable.',
  repository: 'Target repository, owner/repo.',
  'tracking-label': 'Label on every synced issue; the sync finds its issues through it.',
  labels: 'Extra labels for new issues (comma- or newline-separated).',
  'dry-run': 'Plan and report, write nothing (neither GitHub nor the state file; no lock).',
  'heal-duplicates':
    'Close extra issues that carry the same Sentry marker (from concurrent runs), keeping the oldest.',
  'update-existing': 'Keep the event and user counts of tracked issues up to date.',
  'close-on-resolve': 'Close the GitHub issue when its Sentry issue is resolved.',
  'close-on-ignore': 'Close the GitHub issue (as not planned) when its Sentry issue is ignored.',
  'on-regression':
    'When a resolved Sentry issue comes back: reopen, new (a new issue), comment or ignore.',
  'reopen-not-planned': 'Also reopen issues that were closed as not planned.',
  'resolve-in-sentry': 'Resolve the Sentry issue when its GitHub issue is closed as completed.',
  'sentry-comment': 'Comment on the Sentry issue with a link to its GitHub issue.',
  'sentry-ca-cert':
    'Extra CA certificate(s) trusted for Sentry only: a PEM file path, or the PEM text itself.'
}

export const INPUT_DESCRIPTIONS: Readonly<Record<InputName, string>> = {
  ...CORE_DESCRIPTIONS,
  ...CONTENT_INPUT_DESCRIPTIONS
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
  if (fallback.includes('\n')) return 'the built-in list (see below)'
  return JSON.stringify(fallback)
}

/** The environment variable of an input. */
export function envNameFor(input: InputName): string {
  if (input === 'repository') return 'GITHUB_REPOSITORY'
  // A bare MODE variable is too common in other tools' environments to be read by accident.
  if (input === 'mode') return 'SENTRY_ISSUES_SYNC_MODE'
  return input.toUpperCase().replace(/-/g, '_')
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
   * systemd credentials, and multi-line values such as templates), when neither the flag nor the
   * variable is set.
   */
  files: Partial<Record<InputName, string>>
  apiUrl: string | undefined
  serverUrl: string | undefined
  stateFile: string | undefined
  previewDir: string | undefined
  /** Where each input came from, for debug output (never the value). */
  sources: Partial<Record<InputName, 'flag' | 'env' | 'file'>>
}

/**
 * Merges flags and environment: a flag wins, then the variable, then the file named by the
 * variable with `_FILE` appended. An empty variable counts as unset; setting both a variable and
 * its `_FILE` twin is a usage error.
 */
export function resolveSettings(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Settings {
  const raw: RawInputs = {}
  const files: Settings['files'] = {}
  const sources: Settings['sources'] = {}
  for (const name of INPUT_NAMES) {
    const variable = envNameFor(name)
    const flag = parsed.inputs[name]
    const fromEnv = nonEmpty(env[variable])
    const fromFile = nonEmpty(env[`${variable}_FILE`])
    if (fromEnv !== undefined && fromFile !== undefined) {
      throw new UsageError(`Both ${variable} and ${variable}_FILE are set; set one of them.`)
    }
    if (flag !== undefined) {
      raw[name] = flag
      sources[name] = 'flag'
    } else if (fromEnv !== undefined) {
      raw[name] = fromEnv
      sources[name] = 'env'
    } else if (fromFile !== undefined) {
      files[name] = fromFile
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
    'for cron, systemd timers and local runs.',
    '',
    'Usage: sentry-issues-sync [options]        sync',
    '       sentry-issues-sync check [options]  verify everything a sync needs, writing nothing:',
    '                                           one line per check (ok, FAIL or warn, with the fix)',
    '',
    'Every option can also be set through the environment variable shown; a flag beats the variable.',
    'A variable NAME can also be given as NAME_FILE, the path of a file that holds the value (for',
    'secrets in files, such as systemd credentials, and for multi-line values such as templates).',
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
        `env ${envNameFor(name)}; default ${shownDefault(name)}`,
        INPUT_DESCRIPTIONS[name]
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
    'Exit codes: 0 synced; 1 some Sentry issues failed, the run failed, or another run holds the',
    'lock; 2 invalid options or configuration. check: 0 when a sync would work, 1 when a check',
    'failed, 2 invalid options or configuration.',
    '',
    'Documentation: docs/running-anywhere.md in the sentry-issues-action repository.',
    ''
  )
  return lines.join('\n')
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

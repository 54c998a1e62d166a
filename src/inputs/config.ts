import { z } from 'zod'
import { errorMessage } from '../log.js'
import { ORG_SLUG_PATTERN } from '../plan/marker.js'
import { normalizeSentryBaseUrl } from '../sentry/url.js'
import { CONTENT_INPUT_NAMES, parseContentOptions, type ContentOptions } from './content-options.js'
import { SIGNAL_INPUT_NAMES, parseSignalOptions, type SignalOptions } from './signals.js'
import { TWO_WAY_INPUT_NAMES, parseTwoWayOptions, type TwoWayOptions } from './two-way.js'

/**
 * The one typed configuration of a run, shared by the action and the CLI. Raw values arrive as
 * strings keyed by input name (exactly as in action.yml); `parseConfig` validates all of them with
 * zod and reports every problem at once, each naming the input and what it allows.
 */

export const SENTRY_SORTS = [
  'date',
  'new',
  'freq',
  'user',
  'trends',
  'inbox',
  'recommended'
] as const

export const MODES = ['sync', 'check', 'quick'] as const

export const INPUT_DEFAULTS = {
  mode: 'sync',
  'sentry-url': 'https://sentry.io',
  'sentry-projects': '',
  'sentry-environments': '',
  query: 'is:unresolved',
  'stats-period': '24h',
  sort: 'date',
  'max-sentry-issues': '1000',
  'max-new-issues': '50',
  'min-events': '0',
  'min-users': '0',
  'tracking-label': 'sentry',
  labels: 'bug',
  'dry-run': 'false',
  'heal-duplicates': 'true',
  dashboard: 'false',
  'dashboard-title': 'Sentry triage',
  'auto-create': 'true',
  'update-existing': 'true',
  'close-on-resolve': 'true',
  'close-on-ignore': 'false',
  'on-regression': 'reopen',
  'reopen-not-planned': 'false',
  'resolve-in-sentry': 'false',
  'sentry-comment': 'false',
  'sentry-app-installation': '',
  'sentry-ca-cert': ''
} as const

export const REGRESSION_POLICIES = ['reopen', 'new', 'sub-issue', 'comment', 'ignore'] as const

export type RawInputs = Record<string, string | undefined>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`
    )
    this.name = 'ConfigError'
  }
}

/** Splits a comma- or newline-separated list, trimming entries and dropping empty ones. */
export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

const LIST_SEPARATOR_HINT = 'a comma- or newline-separated list'

function intInput(name: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be a whole number from ${min} to ${max}`)
}

function boolInput(name: string) {
  return z
    .string()
    .trim()
    .transform((v) => v.toLowerCase())
    .refine(
      (v) => ['true', 'false'].includes(v),
      `${name} must be true or false (YAML 1.2 core schema: true, True, TRUE, false, False or FALSE)`
    )
    .transform((v) => v === 'true')
}

const sentryUrl = z
  .string()
  .trim()
  .min(1, 'sentry-url must not be empty')
  .transform((value, ctx) => {
    try {
      return normalizeSentryBaseUrl(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: errorMessage(error) })
      return z.NEVER
    }
  })

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/

const repository = z
  .string()
  .trim()
  .min(1, 'repository must be set as owner/repo (defaults to the workflow repository)')
  .transform((value, ctx) => {
    const parts = value.split('/')
    const [owner, repo] = parts
    if (
      parts.length !== 2 ||
      !owner ||
      !repo ||
      !GITHUB_OWNER.test(owner) ||
      !GITHUB_REPO.test(repo) ||
      repo === '.' ||
      repo === '..'
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `repository must be owner/repo, for example octo-org/web (got ${JSON.stringify(value)})`
      })
      return z.NEVER
    }
    return { owner, repo }
  })

/** GitHub label names: at most 50 characters, no commas (our list separator). */
const labelName = (name: string) =>
  z
    .string()
    .trim()
    .min(1, `${name} must not be empty`)
    .max(50, `${name} must be at most 50 characters (GitHub's limit for label names)`)

const labelList = z
  .string()
  .transform(parseList)
  .pipe(
    z.array(z.string().max(50, 'labels: each label must be at most 50 characters (GitHub’s limit)'))
  )

const STATS_PERIOD = /^(?:\d+[smhdw])?$/

const schema = z.object({
  mode: z.enum(MODES, {
    error: `mode must be one of: ${MODES.join(', ')} (check verifies the set-up and writes nothing; quick files only the issues that are new since the last run)`
  }),
  'sentry-url': sentryUrl,
  'sentry-token': z
    .string()
    .trim()
    .min(
      1,
      'sentry-token is required: a Sentry auth token with event:read, org:read and project:read'
    ),
  'sentry-org': z
    .string()
    .trim()
    .min(1, 'sentry-org is required: your Sentry organization slug')
    .regex(
      ORG_SLUG_PATTERN,
      'sentry-org must be an organization slug: lower-case letters, digits, "-" and "_"'
    ),
  'sentry-projects': z
    .string()
    .transform(parseList)
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9_-]+$/,
            `sentry-projects must be ${LIST_SEPARATOR_HINT} of project slugs or numeric IDs`
          )
      )
    ),
  'sentry-environments': z.string().transform(parseList),
  query: z.string().trim(),
  'stats-period': z
    .string()
    .trim()
    .regex(
      STATS_PERIOD,
      'stats-period must be a Sentry period such as 24h, 14d or 90d (a number followed by s, m, h, d or w), or empty'
    ),
  sort: z.enum(SENTRY_SORTS, { error: `sort must be one of: ${SENTRY_SORTS.join(', ')}` }),
  'max-sentry-issues': intInput('max-sentry-issues', 1, 100000),
  'max-new-issues': intInput('max-new-issues', 0, 10000),
  'min-events': intInput('min-events', 0, Number.MAX_SAFE_INTEGER),
  'min-users': intInput('min-users', 0, Number.MAX_SAFE_INTEGER),
  'github-token': z
    .string()
    .trim()
    .min(1, 'github-token is required (it defaults to the workflow token, github.token)'),
  repository,
  'tracking-label': labelName('tracking-label'),
  labels: labelList,
  'dry-run': boolInput('dry-run'),
  'heal-duplicates': boolInput('heal-duplicates'),
  dashboard: boolInput('dashboard'),
  'dashboard-title': z
    .string()
    .trim()
    .min(1, 'dashboard-title must not be empty')
    .max(256, 'dashboard-title must be at most 256 characters (GitHub’s limit for a title)'),
  'auto-create': boolInput('auto-create'),
  'update-existing': boolInput('update-existing'),
  'close-on-resolve': boolInput('close-on-resolve'),
  'close-on-ignore': boolInput('close-on-ignore'),
  'on-regression': z.enum(REGRESSION_POLICIES, {
    error: `on-regression must be one of: ${REGRESSION_POLICIES.join(', ')}`
  }),
  'reopen-not-planned': boolInput('reopen-not-planned'),
  'resolve-in-sentry': boolInput('resolve-in-sentry'),
  'sentry-comment': boolInput('sentry-comment'),
  'sentry-app-installation': z
    .string()
    .trim()
    .transform((v) => v.toLowerCase())
    .refine(
      (v) => v === '' || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
      'sentry-app-installation must be the installation UUID of a Sentry internal integration (8-4-4-4-12 hexadecimal digits, as in Settings → Developer Settings → the integration), or empty'
    ),
  'sentry-ca-cert': z
    .string()
    .trim()
    .refine(
      (v) => v === '' || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v),
      'sentry-ca-cert must be one or more PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)'
    )
})

/** Every input, exactly as named in action.yml (the CLI offers each as a flag too). */
export const INPUT_NAMES = [
  ...(Object.keys(schema.shape) as Array<keyof typeof schema.shape>),
  ...CONTENT_INPUT_NAMES,
  ...SIGNAL_INPUT_NAMES,
  ...TWO_WAY_INPUT_NAMES
]

export interface Config {
  /** `sync` (the default) or `check`: verify everything a sync needs, writing nothing. */
  mode: (typeof MODES)[number]
  sentry: {
    url: string
    token: string
    org: string
    projects: string[]
    environments: string[]
    query: string
    statsPeriod: string
    sort: (typeof SENTRY_SORTS)[number]
    maxIssues: number
  }
  github: {
    token: string
    owner: string
    repo: string
    apiUrl: string
    serverUrl: string
  }
  maxNewIssues: number
  minEvents: number
  minUsers: number
  trackingLabel: string
  labels: string[]
  dryRun: boolean
  /** Close extra issues that carry the same marker (concurrent runs), keeping the oldest. */
  healDuplicates: boolean
  /** The triage dashboard (src/sync/dashboard.ts) and whether new issues are filed on their own. */
  dashboard: { enabled: boolean; title: string; autoCreate: boolean }
  lifecycle: {
    updateExisting: boolean
    closeOnResolve: boolean
    closeOnIgnore: boolean
    onRegression: (typeof REGRESSION_POLICIES)[number]
    reopenNotPlanned: boolean
    resolveInSentry: boolean
    sentryComment: boolean
    /** The installation UUID of the internal integration that links issues in Sentry; '' for none. */
    sentryAppInstallation: string
  }
  /** Extra PEM CA certificate(s) trusted for Sentry requests only. */
  sentryCaCert?: string
  /** What new issues hold: stack traces, templates, labels, assignees, issue type and fields. */
  content: ContentOptions
  /** Sentry's own signals in new issues: suggested owners, Seer, tag breakdown. */
  signals: SignalOptions
  /** Assignees both ways (sync-assignees); off unless asked for. */
  twoWay?: TwoWayOptions
}

export interface Environment {
  /** GITHUB_API_URL; defaults to https://api.github.com. */
  apiUrl?: string
  /** GITHUB_SERVER_URL; defaults to https://github.com. */
  serverUrl?: string
}

function firstInputName(path: PropertyKey[]): string {
  return String(path[0] ?? 'input')
}

/**
 * Validates raw inputs into a Config. Missing inputs take the defaults above; an empty string
 * counts as missing for inputs that have a default (as on a runner).
 */
export function parseConfig(raw: RawInputs, env: Environment = {}): Config {
  const withDefaults: Record<string, string> = {}
  for (const key of Object.keys(schema.shape)) {
    const value = raw[key]
    const fallback = (INPUT_DEFAULTS as Record<string, string>)[key]
    withDefaults[key] =
      value !== undefined && value.trim() !== '' ? value : (fallback ?? value ?? '')
  }
  const result = schema.safeParse(withDefaults)
  const problems: string[] = []
  if (!result.success) {
    const named = new Set<string>()
    for (const issue of result.error.issues) {
      const name = firstInputName(issue.path)
      if (named.has(name)) continue // one problem per input: the first is the most basic
      named.add(name)
      problems.push(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`)
    }
  }
  const content = parseContentOptions(raw)
  problems.push(...content.problems)
  const signals = parseSignalOptions(raw)
  problems.push(...signals.problems)
  const twoWay = parseTwoWayOptions(raw, content.options.assigneeMap.length > 0)
  problems.push(...twoWay.problems)
  const apiUrl = validateGitHubUrl('GITHUB_API_URL', env.apiUrl, 'https://api.github.com', problems)
  const serverUrl = validateGitHubUrl(
    'GITHUB_SERVER_URL',
    env.serverUrl,
    'https://github.com',
    problems
  )
  if (!result.success || problems.length > 0) throw new ConfigError(unique(problems))
  const v = result.data
  const trackingLabel = v['tracking-label']
  const labels = unique(v.labels.filter((l) => l.toLowerCase() !== trackingLabel.toLowerCase()))
  return {
    mode: v.mode,
    sentry: {
      url: v['sentry-url'],
      token: v['sentry-token'],
      org: v['sentry-org'],
      projects: unique(v['sentry-projects']),
      environments: unique(v['sentry-environments']),
      query: v.query,
      statsPeriod: v['stats-period'],
      sort: v.sort,
      maxIssues: v['max-sentry-issues']
    },
    github: {
      token: v['github-token'],
      owner: v.repository.owner,
      repo: v.repository.repo,
      apiUrl,
      serverUrl
    },
    maxNewIssues: v['max-new-issues'],
    minEvents: v['min-events'],
    minUsers: v['min-users'],
    trackingLabel,
    labels,
    dryRun: v['dry-run'],
    healDuplicates: v['heal-duplicates'],
    dashboard: {
      enabled: v.dashboard,
      title: v['dashboard-title'],
      autoCreate: v['auto-create']
    },
    lifecycle: {
      updateExisting: v['update-existing'],
      closeOnResolve: v['close-on-resolve'],
      closeOnIgnore: v['close-on-ignore'],
      onRegression: v['on-regression'],
      reopenNotPlanned: v['reopen-not-planned'],
      resolveInSentry: v['resolve-in-sentry'],
      sentryComment: v['sentry-comment'],
      sentryAppInstallation: v['sentry-app-installation']
    },
    ...(v['sentry-ca-cert'] ? { sentryCaCert: v['sentry-ca-cert'] } : {}),
    content: content.options,
    signals: signals.options,
    twoWay: twoWay.options
  }
}

function validateGitHubUrl(
  name: string,
  value: string | undefined,
  fallback: string,
  problems: string[]
): string {
  const candidate = value?.trim() || fallback
  try {
    const url = new URL(candidate)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)')
    return candidate.replace(/\/+$/, '')
  } catch {
    problems.push(`${name} must be an http(s) URL (got ${JSON.stringify(candidate)})`)
    return fallback
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

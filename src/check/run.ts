import { getProxyUrl } from '@actions/http-client'
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import path from 'node:path'
import { envNameFor } from '../cli/args.js'
import type { GitHubClient } from '../github/client.js'
import { statusOf } from '../github/errors.js'
import { listLabels, type RepoRef } from '../github/issues.js'
import { listIssueFields, listMilestones } from '../github/metadata.js'
import {
  canBeAssigned,
  getRepository,
  listIssueTypes,
  probeSearch,
  type GitHubRepository
} from '../github/setup.js'
import type { Config } from '../inputs/config.js'
import { errorMessage, type Logger } from '../log.js'
import { markerSearchPhrase } from '../plan/marker.js'
import { SentryApiError, type SentryClient } from '../sentry/client.js'
import type { SentryAuthInfo } from '../sentry/schemas.js'
import { FileStateStore, LockHeldError } from '../state/file-store.js'
import { fail, ok, warn, type CheckRow } from './checks.js'

/**
 * The probes of a set-up check: everything a sync needs, read and never written (no GitHub or
 * Sentry write, no state saved). Each probe gives one row of the checklist; a probe that cannot
 * run because an earlier one failed (no connection, no token) is left out.
 */

/** Where the check runs: names inputs as the action does, or as flags and variables. */
export type Surface = 'action' | 'cli'

export interface CheckDeps {
  sentry: SentryClient
  github: GitHubClient
  log: Logger
  surface: Surface
  /** The row about where the sync state is kept (the Actions cache, or a state file). */
  state: () => Promise<CheckRow>
}

/** Scopes every sync needs. */
export const BASE_SENTRY_SCOPES = ['event:read', 'org:read', 'project:read'] as const

export async function runChecks(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  await deps.log.group('Checking Sentry', async () => {
    rows.push(...(await sentryRows(config, deps)))
  })
  await deps.log.group('Checking GitHub', async () => {
    rows.push(...(await githubRows(config, deps)))
  })
  rows.push(await deps.state())
  return rows
}

/** How the input `name` is set where the check runs. */
function inputRef(surface: Surface, name: string): string {
  return surface === 'action'
    ? `the \`${name}\` input`
    : `\`--${name}\` (or ${envNameFor(name as Parameters<typeof envNameFor>[0])})`
}

// ---------------------------------------------------------------------------------------------
// Sentry

async function sentryRows(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
  const { sentry, surface } = deps
  const { url, org } = config.sentry
  const proxy = proxyFor(url)
  const via = proxy ? ` through the proxy ${proxy}` : ''
  const rows: CheckRow[] = []
  let auth: SentryAuthInfo
  try {
    auth = await sentry.getAuthInfo()
  } catch (error) {
    if (error instanceof SentryApiError && error.status === 401) {
      rows.push(ok('Sentry reachable', `${url} answered${via}.`))
      rows.push(
        fail(
          'Sentry token',
          `Sentry rejected the token (HTTP 401: ${error.detail ?? 'Invalid token'}): it is wrong, expired or revoked.`,
          `Create a new token (User Settings → Personal Tokens, or an internal integration) with ${BASE_SENTRY_SCOPES.join(', ')} and set it in ${inputRef(surface, 'sentry-token')}.`
        )
      )
      return rows
    }
    rows.push(connectionRow(error, config, surface, proxy))
    return rows
  }
  rows.push(ok('Sentry reachable', `${url} answered${via}.`))

  const scopes = auth.auth?.scopes
  if (scopes === undefined) {
    rows.push(
      fail(
        'Sentry token',
        'Sentry did not recognise a token in the request (GET /api/0/ answered without `auth`).',
        `Set ${inputRef(surface, 'sentry-token')} to a Sentry auth token; check that no proxy strips the Authorization header.`
      )
    )
    return rows
  }
  const missing = missingScopes(scopes, BASE_SENTRY_SCOPES)
  rows.push(
    missing.length === 0
      ? ok('Sentry token', `valid; scopes ${shownScopes(scopes)}.`)
      : fail(
          'Sentry token',
          `valid, but missing the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${shownScopes(scopes)}).`,
          `Create a token with ${BASE_SENTRY_SCOPES.join(', ')}: a personal token (User Settings → Personal Tokens) or an internal integration with Issue & Event: Read, Project: Read and Organization: Read. Organization tokens (sntrys_…) cannot read issues. Set it in ${inputRef(surface, 'sentry-token')}.`
        )
  )
  rows.push(...writeFeatureRows(config, auth, scopes, surface))
  if (missing.length > 0) return rows

  try {
    const found = await sentry.getOrganization(org)
    rows.push(ok('Sentry organization', `"${found.name}" (${found.slug}).`))
  } catch (error) {
    rows.push(sentryFailure('Sentry organization', error, organizationFix(config, surface)))
    return rows
  }

  let projectIds: string[] | undefined
  try {
    if (config.sentry.projects.length > 0) {
      projectIds = await sentry.resolveProjectIds(org, config.sentry.projects)
      rows.push(
        ok(
          'Sentry projects',
          `${config.sentry.projects.join(', ')} (id${projectIds.length > 1 ? 's' : ''} ${projectIds.join(', ')}).`
        )
      )
    } else {
      const all = await sentry.listProjects(org)
      const slugs = all.map((p) => p.slug).sort()
      rows.push(
        all.length > 0
          ? ok(
              'Sentry projects',
              `none given: the sync reads every project the token's teams have (it can see ${all.length}: ${shown(slugs)}).`
            )
          : warn(
              'Sentry projects',
              `the token can see no project in "${org}".`,
              `Check the token's project:read scope and that its user is on the project's team, or name projects in ${inputRef(surface, 'sentry-projects')}.`
            )
      )
    }
  } catch (error) {
    rows.push(
      sentryFailure(
        'Sentry projects',
        error,
        `Set ${inputRef(surface, 'sentry-projects')} to project slugs (or numeric IDs) the token can see.`
      )
    )
    return rows
  }

  if (config.sentry.environments.length > 0) {
    try {
      const known = await sentry.listEnvironments(org)
      const unknown = config.sentry.environments.filter((e) => !known.includes(e))
      rows.push(
        unknown.length === 0
          ? ok('Sentry environments', `${config.sentry.environments.join(', ')}.`)
          : fail(
              'Sentry environments',
              `"${org}" has no environment ${unknown.map((e) => `"${e}"`).join(', ')}; it has ${known.length > 0 ? shown(known.map((e) => `"${e}"`)) : 'none'}.`,
              `Use the exact names (they are case-sensitive) in ${inputRef(surface, 'sentry-environments')}.`
            )
      )
    } catch (error) {
      rows.push(
        sentryFailure(
          'Sentry environments',
          error,
          `Check ${inputRef(surface, 'sentry-environments')} and the token's org:read scope.`
        )
      )
    }
  }

  try {
    const listed = await sentry.listIssues(org, {
      query: config.sentry.query,
      statsPeriod: config.sentry.statsPeriod,
      ...(projectIds ? { projectIds } : {}),
      environments: config.sentry.environments,
      sort: config.sentry.sort,
      max: 1
    })
    const matches =
      listed.issues.length === 0
        ? 'no issue matches it now'
        : `issues match it${listed.truncated ? '' : ' (one)'}`
    rows.push(
      ok(
        'Sentry issue query',
        `"${config.sentry.query}" over ${config.sentry.statsPeriod || '90d'}, sorted by ${config.sentry.sort}: ${matches}.`
      )
    )
  } catch (error) {
    rows.push(
      sentryFailure(
        'Sentry issue query',
        error,
        `Check ${inputRef(surface, 'query')}, ${inputRef(surface, 'stats-period')} and ${inputRef(surface, 'sort')}.`
      )
    )
  }
  return rows
}

/** Rows for the options that write to Sentry: they need event:write (and a user, for notes). */
function writeFeatureRows(
  config: Config,
  auth: SentryAuthInfo,
  scopes: string[],
  surface: Surface
): CheckRow[] {
  const rows: CheckRow[] = []
  const canWrite = missingScopes(scopes, ['event:write']).length === 0
  const fix = `Add the event:write scope to the token (a new personal token, or the integration's Issue & Event: Read & Write), or turn the option off.`
  if (config.lifecycle.resolveInSentry) {
    rows.push(
      canWrite
        ? ok(
            'resolve-in-sentry',
            'the token has event:write, so closed issues can resolve in Sentry.'
          )
        : fail('resolve-in-sentry', 'is on, but the token lacks event:write.', fix)
    )
  }
  if (config.lifecycle.sentryComment) {
    const organizationToken = auth.user === null || config.sentry.token.startsWith('sntrys_')
    if (!canWrite) rows.push(fail('sentry-comment', 'is on, but the token lacks event:write.', fix))
    else if (organizationToken) {
      rows.push(
        warn(
          'sentry-comment',
          'is on, but the token belongs to no user (an organization token): Sentry refuses notes from it, so each note gives a warning.',
          `Use a personal token with event:write in ${inputRef(surface, 'sentry-token')}, or turn sentry-comment off.`
        )
      )
    } else rows.push(ok('sentry-comment', 'the token has event:write and belongs to a user.'))
  }
  const signals = config.signals
  if (signals.seer === 'start') {
    rows.push(
      canWrite
        ? ok('seer', 'start: the token has event:write to start root-cause analyses.')
        : fail('seer', 'is start, but the token lacks event:write.', fix)
    )
  }
  if (signals.owners !== 'off') {
    const lacking = missingScopes(scopes, ['member:read', 'org:read'])
    rows.push(
      lacking.length === 0
        ? ok('owners', 'the token can name owners (member:read, org:read).')
        : warn(
            'owners',
            `is ${signals.owners}, but the token lacks ${lacking.join(' and ')}: owners are shown by id, and none can be assigned.`,
            `Add ${lacking.join(' and ')} to the token, or set owners to off.`
          )
    )
  }
  return rows
}

/** Scopes from `needed` that `have` does not grant; `x:write` and `x:admin` grant `x:read`. */
export function missingScopes(have: readonly string[], needed: readonly string[]): string[] {
  const levels = ['read', 'write', 'admin']
  return needed.filter((scope) => {
    const [resource, level] = scope.split(':')
    const from = levels.indexOf(level ?? '')
    if (from < 0) return !have.includes(scope)
    return !levels.slice(from).some((l) => have.includes(`${resource}:${l}`))
  })
}

function shownScopes(scopes: readonly string[]): string {
  return scopes.length === 0 ? '(none)' : [...scopes].sort().join(', ')
}

function shown(items: readonly string[], max = 20): string {
  return items.slice(0, max).join(', ') + (items.length > max ? `, … (${items.length} in all)` : '')
}

function organizationFix(config: Config, surface: Surface): string {
  return (
    `Check ${inputRef(surface, 'sentry-org')}: the slug in your Sentry URLs (https://<slug>.sentry.io or /organizations/<slug>/). ` +
    `On sentry.io, set ${inputRef(surface, 'sentry-url')} to your organization's region (https://us.sentry.io or https://de.sentry.io); ` +
    'a token from another organization, or one whose user is not a member, cannot see it.'
  )
}

/** A failed Sentry read that is not about the connection: Sentry's own explanation, and the fix. */
function sentryFailure(name: string, error: unknown, fix: string): CheckRow {
  if (!(error instanceof Error)) throw error
  if (error instanceof SentryApiError && (error.kind === 'network' || error.kind === 'timeout')) {
    return fail(name, error.message, 'See "Sentry reachable".')
  }
  return fail(name, error.message, fix)
}

/** The proxy the Sentry client uses for `url` (HTTPS_PROXY/HTTP_PROXY/NO_PROXY), credentials hidden. */
function proxyFor(url: string): string | undefined {
  const proxy = getProxyUrl(url)
  if (!proxy) return undefined
  try {
    const parsed = new URL(proxy)
    if (parsed.username || parsed.password) {
      parsed.username = '***'
      parsed.password = ''
    }
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return 'a proxy'
  }
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE'
])

/** The Node/undici error code in an error's cause chain (`ENOTFOUND`, `CERT_HAS_EXPIRED`, …). */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return code
    const errors = (current as { errors?: unknown }).errors
    current =
      Array.isArray(errors) && errors.length > 0
        ? errors[0]
        : (current as { cause?: unknown }).cause
  }
  return undefined
}

/** The row for a Sentry that gave no usable answer to `GET /api/0/`: which kind of failure, and the fix. */
function connectionRow(
  error: unknown,
  config: Config,
  surface: Surface,
  proxy: string | undefined
): CheckRow {
  if (!(error instanceof Error)) throw error
  const name = 'Sentry reachable'
  const url = config.sentry.url
  const host = new URL(url).host
  const proxyFix = `If the runner reaches the internet through a proxy, set HTTPS_PROXY (and NO_PROXY for hosts it must not be used for)${proxy ? `; the proxy in use is ${proxy}` : ''}.`
  if (!(error instanceof SentryApiError)) return fail(name, errorMessage(error), proxyFix)
  if (error.kind === 'timeout') {
    return fail(
      name,
      `${url} did not answer in time${proxy ? ` (through ${proxy})` : ''}.`,
      `Check that ${host} is reachable from where this runs (firewall, VPN, a self-hosted Sentry inside a private network needs a self-hosted runner or the CLI there). ${proxyFix}`
    )
  }
  if (error.kind !== 'network') {
    // Sentry, or something in its place, answered, but not as Sentry's API does.
    const fix =
      error.kind === 'not-found' || error.kind === 'invalid-response'
        ? `Set ${inputRef(surface, 'sentry-url')} to the Sentry server's base URL (https://sentry.io, https://us.sentry.io, https://de.sentry.io, or your server, including any path prefix, without /api/0).`
        : 'Try again later; if it persists, check the Sentry server and any proxy in front of it.'
    return fail(name, error.message, fix)
  }
  const code = errorCodeOf(error.cause)
  const message = errorMessage(error)
  const ca = inputRef(surface, 'sentry-ca-cert')
  if (/\b407\b/.test(message)) {
    return fail(
      name,
      `The proxy ${proxy ?? ''} asks for credentials (HTTP 407).`.replace('  ', ' '),
      'Put the proxy credentials in the proxy URL: HTTPS_PROXY=http://USER:PASSWORD@proxy:3128 (percent-encoded).'
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const target = proxy ? `the proxy (${proxy})` : host
    return fail(
      name,
      `DNS: the name of ${target} does not resolve (${code}).`,
      `Check the host name in ${proxy ? 'HTTPS_PROXY' : inputRef(surface, 'sentry-url')}. A host that only your internal DNS knows needs a runner inside that network (or the CLI there). ${proxy ? '' : proxyFix}`.trim()
    )
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      name,
      `${proxy ? `The proxy ${proxy}` : host} refused the connection (ECONNREFUSED).`,
      proxy
        ? 'Check HTTPS_PROXY (host and port), or add the Sentry host to NO_PROXY if it must be reached directly.'
        : `Check the port in ${inputRef(surface, 'sentry-url')} and that Sentry is running there. ${proxyFix}`
    )
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return fail(
      name,
      `TLS: the certificate of ${host} is not issued for that name (${code}).`,
      `Use the host name the certificate names in ${inputRef(surface, 'sentry-url')}.`
    )
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return fail(
      name,
      `TLS: the certificate of ${host} is not valid now (${code}).`,
      'Renew the certificate on the Sentry server (or check the clock of this machine).'
    )
  }
  if (code !== undefined && TLS_CODES.has(code)) {
    return fail(
      name,
      `TLS: the certificate of ${host} is not trusted (${code}).`,
      config.sentryCaCert
        ? `The CA certificate given in ${ca} does not verify it: give the CA that issued the server's certificate (the root, and any intermediate the server does not send).`
        : `If Sentry uses a private or self-signed CA, give that CA certificate (PEM) in ${ca}${surface === 'cli' ? ' (a file path or the PEM text)' : ''}; it is trusted for Sentry only. Setting NODE_EXTRA_CA_CERTS=/path/ca.pem for the whole process works too.`
    )
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return fail(
      name,
      `${host} is unreachable from here (${code}).`,
      `Check the network path to ${host} (firewall, VPN, routes). ${proxyFix}`
    )
  }
  return fail(name, message, proxyFix)
}

// ---------------------------------------------------------------------------------------------
// GitHub

type WriteEvidence = 'yes' | 'no' | 'unknown'

async function githubRows(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
  const { github, surface } = deps
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const full = `${repo.owner}/${repo.repo}`
  const rows: CheckRow[] = []
  let repository: GitHubRepository
  let oauthScopes: string[] | undefined
  try {
    ;({ repository, oauthScopes } = await getRepository(github, repo))
  } catch (error) {
    rows.push(githubRepoFailure(error, config, surface))
    return rows
  }
  if (!repository.has_issues) {
    rows.push(
      fail(
        'GitHub repository',
        `${full}: issues are disabled.`,
        `Enable Issues in the repository's settings (Settings → General → Features).`
      )
    )
    return rows
  }
  if (repository.archived === true) {
    rows.push(
      fail(
        'GitHub repository',
        `${full} is archived (read-only).`,
        'Unarchive it, or sync into another repository.'
      )
    )
    return rows
  }
  rows.push(
    ok(
      'GitHub repository',
      `${repository.full_name} (${repository.private ? 'private' : 'public'}) is readable at ${config.github.apiUrl}.`
    )
  )

  const write = issuesWriteRow(config, repository, oauthScopes, surface)
  rows.push(write.row)

  try {
    const existing = new Set((await listLabels(github, repo)).map((l) => l.name.toLowerCase()))
    const wanted = [config.trackingLabel, ...config.labels]
    const absent = wanted.filter((l) => !existing.has(l.toLowerCase()))
    if (absent.length === 0) {
      rows.push(ok('Labels', `${wanted.map((l) => `"${l}"`).join(', ')} exist.`))
    } else if (write.evidence === 'no') {
      rows.push(
        fail(
          'Labels',
          `${absent.map((l) => `"${l}"`).join(', ')} do not exist, and this token cannot create them.`,
          write.fix
        )
      )
    } else {
      rows.push(
        ok(
          'Labels',
          `${absent.map((l) => `"${l}"`).join(', ')} will be created by the first sync (needs issues write, above); priority and label-from labels are created when first used.`
        )
      )
    }
  } catch (error) {
    rows.push(githubReadFailure('Labels', error, write.fix))
  }

  const q = `repo:${full} is:issue in:body "${markerSearchPhrase(config.sentry.org)}"`
  try {
    await probeSearch(github, q)
    rows.push(ok('Marker search', 'GitHub issue search answers on this host.'))
  } catch (error) {
    if (!(error instanceof Error)) throw error
    rows.push(
      fail(
        'Marker search',
        `GET /search/issues failed (${statusOf(error) ?? 'no answer'}: ${errorMessage(error)}). A sync then cannot find issues whose tracking label someone removed.`,
        'On GitHub Enterprise Server, ask the administrator to enable search (and its issue index); a GitHub rate limit passes by itself: run check again later.'
      )
    )
  }

  rows.push(...(await featureRows(config, deps, repo, repository, write.evidence)))
  return rows
}

function issuesWriteRow(
  config: Config,
  repository: GitHubRepository,
  oauthScopes: string[] | undefined,
  surface: Surface
): { row: CheckRow; evidence: WriteEvidence; fix: string } {
  const full = repository.full_name
  const name = 'Issues write'
  const token = config.github.token
  const fix =
    surface === 'action'
      ? `Leave \`github-token\` at its default and give the job \`permissions:\` with \`issues: write\`, or use a token that can write issues in ${full} (a fine-grained token with Issues: Read and write, or a GitHub App with Issues: Read & write).`
      : `Use a token that can write issues in ${full}: a fine-grained token with Issues: Read and write on it, or a classic token with the repo scope whose user has write access.`
  if (oauthScopes !== undefined) {
    const enough =
      oauthScopes.includes('repo') || (!repository.private && oauthScopes.includes('public_repo'))
    if (!enough) {
      return {
        row: fail(
          name,
          `the classic token's scopes (${oauthScopes.join(', ') || 'none'}) do not include repo${repository.private ? '' : ' or public_repo'}.`,
          `Give the token the repo scope (public_repo is enough for a public repository), or: ${fix}`
        ),
        evidence: 'no',
        fix
      }
    }
  }
  const permissions = repository.permissions
  if (permissions === undefined || token.startsWith('ghs_')) {
    return {
      row: warn(
        name,
        'an installation token (the workflow token, or a GitHub App): GitHub shows its permissions only when it writes, so this check cannot read them.',
        surface === 'action'
          ? 'Make sure the job has `permissions:` with `issues: write` (or the GitHub App has Issues: Read & write).'
          : 'Make sure the GitHub App has Issues: Read & write on the repository.'
      ),
      evidence: 'unknown',
      fix
    }
  }
  if (!permissions.push) {
    return {
      row: fail(
        name,
        `the token's user has ${permissions.triage ? 'triage' : 'read'} access to ${full}, not write: GitHub would drop the labels of new issues (the tracking label too), and labels cannot be created.`,
        fix
      ),
      evidence: 'no',
      fix
    }
  }
  if (token.startsWith('github_pat_')) {
    return {
      row: warn(
        name,
        `the token's user has write access to ${full}; a fine-grained token's own permissions cannot be read without a write.`,
        `Make sure the token has Issues: Read and write on ${full}.`
      ),
      evidence: 'unknown',
      fix
    }
  }
  return {
    row: ok(
      name,
      `the token's user has write access to ${full}${oauthScopes ? ` (classic token scopes: ${oauthScopes.join(', ')})` : ''}.`
    ),
    evidence: 'yes',
    fix
  }
}

/** Octokit reports a request that got no answer (DNS, refused, TLS) as status 500 without a response. */
function isTransportError(error: unknown): boolean {
  return (
    statusOf(error) === 500 &&
    typeof error === 'object' &&
    error !== null &&
    (error as { response?: unknown }).response === undefined
  )
}

function causes(error: unknown): string {
  const out: string[] = []
  let current: unknown = (error as { cause?: unknown } | null)?.cause
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { message, code } = current as { message?: unknown; code?: unknown }
    let text = typeof message === 'string' ? message : ''
    if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`
    if (text.trim() !== '' && text !== 'fetch failed') out.push(text.trim())
    current = (current as { cause?: unknown }).cause
  }
  return out.join(': ')
}

function githubRepoFailure(error: unknown, config: Config, surface: Surface): CheckRow {
  if (!(error instanceof Error)) throw error
  const name = 'GitHub repository'
  const full = `${config.github.owner}/${config.github.repo}`
  const apiUrl = config.github.apiUrl
  const tokenRef = inputRef(surface, 'github-token')
  if (isTransportError(error)) {
    const detail = causes(error) || errorMessage(error)
    const tls = /certificate|self[- ]signed|unable to verify/i.test(detail)
    return fail(
      name,
      `Could not connect to GitHub at ${apiUrl}: ${detail}.`,
      tls
        ? 'For GitHub Enterprise Server with a private CA, run with NODE_EXTRA_CA_CERTS=/path/ca.pem (sentry-ca-cert applies to Sentry only).'
        : `Check ${surface === 'action' ? 'GITHUB_API_URL' : '`--github-api-url` (GITHUB_API_URL)'} and the network or proxy (HTTPS_PROXY, NO_PROXY).`
    )
  }
  switch (statusOf(error)) {
    case 401:
      return fail(
        name,
        `GitHub rejected the token (401 ${errorMessage(error)}).`,
        surface === 'action'
          ? `Check ${tokenRef}, or leave it at its default (the workflow token).`
          : `Check ${tokenRef}: it may be wrong, expired or revoked.`
      )
    case 404:
      return fail(
        name,
        `${full} was not found at ${apiUrl}, or the token cannot see it (404).`,
        `Check ${inputRef(surface, 'repository')} and that the token has access to ${full}${surface === 'action' ? ' (the workflow token sees only its own repository)' : ''}; on GitHub Enterprise Server check GITHUB_API_URL.`
      )
    case 403:
      return fail(
        name,
        `GitHub refused to show ${full} (403 ${errorMessage(error)}).`,
        `Use a token with access to ${full}; for an organization with SSO, authorize the token for it.`
      )
    default:
      return fail(
        name,
        `GitHub answered ${statusOf(error) ?? ''} ${errorMessage(error)}.`,
        'Run check again later.'
      )
  }
}

function githubReadFailure(name: string, error: unknown, fix: string): CheckRow {
  if (!(error instanceof Error)) throw error
  return fail(name, `GitHub answered ${statusOf(error) ?? 'nothing'}: ${errorMessage(error)}.`, fix)
}

// ---------------------------------------------------------------------------------------------
// Optional features

async function featureRows(
  config: Config,
  deps: CheckDeps,
  repo: RepoRef,
  repository: GitHubRepository,
  evidence: WriteEvidence
): Promise<CheckRow[]> {
  const { github, surface } = deps
  const content = config.content
  const rows: CheckRow[] = []
  const full = repository.full_name
  const needsPush =
    evidence === 'no' ? ' The token cannot set it: new issues need write access for that.' : ''

  const milestone = content.milestone
  if (milestone) {
    try {
      const all = await listMilestones(github, repo)
      const found =
        'number' in milestone
          ? all.find((m) => m.number === milestone.number)
          : (all.find((m) => m.title === milestone.title) ??
            all.find((m) => m.title.toLowerCase() === milestone.title.toLowerCase()))
      const wanted = 'number' in milestone ? `#${milestone.number}` : `"${milestone.title}"`
      rows.push(
        found && evidence !== 'no'
          ? ok('Milestone', `${wanted}: #${found.number} "${found.title}" (${found.state}).`)
          : fail(
              'Milestone',
              found
                ? `${wanted} exists.${needsPush}`
                : `${full} has no milestone ${wanted} (it has ${all.length > 0 ? shown(all.map((m) => `"${m.title}"`)) : 'none'}).`,
              found
                ? 'Give the token write access (see "Issues write").'
                : `Create the milestone, or set ${inputRef(surface, 'milestone')} to an existing title or number.`
            )
      )
    } catch (error) {
      rows.push(githubReadFailure('Milestone', error, 'Check that the token can read issues.'))
    }
  }

  if (content.issueType) {
    const wanted = content.issueType
    try {
      const types = await listIssueTypes(github, repo.owner)
      if (types === undefined) {
        rows.push(
          warn(
            'Issue type',
            `could not read the issue types of ${repo.owner} (not an organization, or the token may not read them; the workflow token cannot).`,
            `Check by hand that ${repo.owner} has an issue type "${wanted}" (organization settings → Issue types). When GitHub refuses it, issues are created without a type.`
          )
        )
      } else if (types.some((t) => t.toLowerCase() === wanted.toLowerCase())) {
        rows.push(ok('Issue type', `"${wanted}" exists in ${repo.owner}.`))
      } else {
        rows.push(
          fail(
            'Issue type',
            `${repo.owner} has no issue type "${wanted}" (it has ${types.length > 0 ? shown(types.map((t) => `"${t}"`)) : 'none'}).`,
            `Set ${inputRef(surface, 'issue-type')} to one of them, or add the type in the organization's settings.`
          )
        )
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error
      rows.push(
        warn(
          'Issue type',
          `could not read the issue types of ${repo.owner} (${statusOf(error) ?? ''} ${errorMessage(error)}).`,
          `Check by hand that ${repo.owner} has an issue type "${wanted}".`
        )
      )
    }
  }

  if (content.issueFields.length > 0) {
    try {
      const fields = await listIssueFields(github, repo.owner)
      if (fields === undefined) {
        rows.push(
          fail(
            'Issue fields',
            `issue fields are not available for ${repo.owner} (an organization with issue fields, and a token that can read them, are needed).`,
            `Turn ${inputRef(surface, 'issue-fields')} off, or use a token that can read the organization's issue fields.`
          )
        )
      } else {
        const names = new Set(fields.map((f) => f.name.toLowerCase()))
        const absent = content.issueFields.filter((f) => !names.has(f.field.toLowerCase()))
        rows.push(
          absent.length === 0
            ? ok(
                'Issue fields',
                `${content.issueFields.map((f) => `"${f.field}"`).join(', ')} exist.`
              )
            : fail(
                'Issue fields',
                `${repo.owner} has no field ${absent.map((f) => `"${f.field}"`).join(', ')} (it has ${fields.length > 0 ? shown(fields.map((f) => `"${f.name}"`)) : 'none'}).`,
                `Use existing field names in ${inputRef(surface, 'issue-fields')}.`
              )
        )
      }
    } catch (error) {
      rows.push(
        githubReadFailure('Issue fields', error, 'Check the token can read the organization.')
      )
    }
  }

  const logins = [...new Set([...content.assignees, ...content.assigneeMap.map((m) => m.login)])]
  if (logins.length > 0) {
    try {
      const refused: string[] = []
      for (const login of logins) {
        if (!(await canBeAssigned(github, repo, login))) refused.push(login)
      }
      rows.push(
        refused.length === 0 && evidence !== 'no'
          ? ok('Assignees', `${logins.join(', ')} can be assigned in ${full}.`)
          : fail(
              'Assignees',
              refused.length > 0
                ? `${refused.join(', ')} cannot be assigned in ${full} (no access to it).`
                : `the logins can be assigned.${needsPush}`,
              refused.length > 0
                ? `Give them access to ${full}, or remove them from ${inputRef(surface, 'assignees')} / ${inputRef(surface, 'assignee-map')}.`
                : 'Give the token write access (see "Issues write").'
            )
      )
    } catch (error) {
      rows.push(githubReadFailure('Assignees', error, 'Check that the token can read issues.'))
    }
  }

  if (content.codeMappings.length > 0) {
    rows.push(
      ok(
        'Code mappings',
        `${content.codeMappings.length} mapping(s); links point into ${full} at the release when it is a commit SHA, else at ${repository.default_branch} (the paths themselves are not looked up).`
      )
    )
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// State

/** The action's state lives in the Actions cache (`available` tells whether it is, here). */
export async function cacheStateRow(
  config: Config,
  available: () => Promise<boolean>
): Promise<CheckRow> {
  const name = 'Sync state (Actions cache)'
  if (config.dryRun) return ok(name, 'dry-run is on: the state is neither restored nor saved.')
  return (await available())
    ? ok(name, 'the Actions cache is available.')
    : warn(
        name,
        'the Actions cache is not available here: the state is not kept between runs; deduplication still works through the tracking label and the marker search.',
        'Run on a GitHub-hosted runner, or enable the Actions cache on GitHub Enterprise Server.'
      )
}

/**
 * The CLI's state lives in a file: its folder must be writable (or creatable), and its lock free.
 * The lock is taken and given back at once; nothing else is written.
 */
export async function fileStateRow(
  file: string,
  log: Logger,
  lock: { staleLockMs?: number; heartbeatMs?: number } = {}
): Promise<CheckRow> {
  const name = 'State file'
  const fix = `Choose a writable place with \`--state-file\` (or STATE_FILE), or make the folder writable for this user.`
  const folder = path.dirname(file)
  let existing = folder
  while (!(await isDirectory(existing))) {
    const parent = path.dirname(existing)
    if (parent === existing) break
    existing = parent
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK)
  } catch (error) {
    return fail(name, `${file}: ${existing} is not writable (${errorMessage(error)}).`, fix)
  }
  if (existing !== folder) {
    return ok(name, `${file}: its folder will be created (${existing} is writable).`)
  }
  const store = new FileStateStore({ file, log, ...lock })
  try {
    await store.acquire()
  } catch (error) {
    if (error instanceof LockHeldError) {
      return warn(
        name,
        `${file} is writable, but another sync holds its lock now: a sync started now would stop without writing.`,
        error.message
      )
    }
    if (!(error instanceof Error)) throw error
    return fail(name, `${file}: ${errorMessage(error)}`, fix)
  } finally {
    await store.release()
  }
  return ok(name, `${file}: the folder is writable and the lock can be taken.`)
}

async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory()
  } catch {
    return false
  }
}

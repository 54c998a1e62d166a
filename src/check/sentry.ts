import { getProxyUrl } from '@actions/http-client'
import type { Config } from '../inputs/config.js'
import { SentryApiError } from '../sentry/client.js'
import type { SentryAuthInfo } from '../sentry/schemas.js'
import { fail, ok, warn, type CheckRow } from './checks.js'
import { inputRef, shown, type CheckDeps, type Surface } from './probe.js'
import { connectionRow } from './sentry-connection.js'
import { twoWayRows } from './two-way.js'
import {
  BASE_SENTRY_SCOPES,
  missingScopes,
  shownScopes,
  writeFeatureRows
} from './sentry-scopes.js'

/** The Sentry rows: reachable, token, organization, projects, environments, the issue query. */

export async function sentryRows(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
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
  rows.push(...(await twoWayRows(config, deps, auth, scopes)))
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

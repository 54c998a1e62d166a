/**
 * The organization: what a set-up check reads (`GET /api/0/` with the token's scopes, the
 * organization, its environments) and the changes a test makes to it (`renameOrg`,
 * `setUrlPrefix`), which every issue's permalink follows.
 */
import { pattern, titleCase, type Reply, type Route } from './http.js'
import { ORGANIZATION_OPERATION, specExample } from './spec.js'
import type { SentryState } from './state.js'

export const setupRoutes: Route[] = [
  { match: pattern('/api/0/'), methods: ['GET'], handle: authInfo },
  { match: pattern('/api/0/organizations/:org/'), methods: ['GET'], handle: organization },
  {
    match: pattern('/api/0/organizations/:org/environments/'),
    methods: ['GET'],
    handle: environments
  }
]

function authInfo(s: SentryState): Reply {
  const user = s.tokenWithoutUser ? null : { id: '1', username: 'ada', name: 'Ada' }
  return { status: 200, body: { version: '0', auth: { scopes: s.tokenScopes }, user } }
}

function environments(s: SentryState): Reply {
  const names =
    s.environments ??
    [...new Set(s.issues.flatMap((i) => (i['_environments'] as string[] | undefined) ?? []))]
      .filter((name) => typeof name === 'string')
      .sort()
  return { status: 200, body: names.map((name, i) => ({ id: String(i + 1), name })) }
}

function organization(s: SentryState): Reply {
  const origin = new URL(s.urlPrefix).origin
  return {
    status: 200,
    body: {
      ...specExample(ORGANIZATION_OPERATION),
      id: s.orgId,
      dateCreated: s.orgCreated,
      slug: s.org,
      name: titleCase(s.org),
      links: { organizationUrl: origin, regionUrl: origin }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Changes (`FakeSentry` documents each helper)

export function setUrlPrefix(s: SentryState, prefix: string): void {
  const old = s.urlPrefix
  s.urlPrefix = prefix.replace(/\/+$/, '')
  for (const issue of s.issues) {
    const link = issue['permalink']
    if (typeof link === 'string' && link.startsWith(old)) {
      issue['permalink'] = s.urlPrefix + link.slice(old.length)
    }
  }
}

export function renameOrg(s: SentryState, newSlug: string): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(newSlug)) {
    throw new Error(`renameOrg: "${newSlug}" is not a valid organization slug`)
  }
  s.org = newSlug
  for (const issue of s.issues) {
    issue['permalink'] = `${s.urlPrefix}/organizations/${newSlug}/issues/${String(issue['id'])}/`
  }
}

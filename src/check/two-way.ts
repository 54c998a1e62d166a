import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import type { SentryAuthInfo } from '../sentry/schemas.js'
import { fail, ok, warn, type CheckRow } from './checks.js'
import { inputRef, type CheckDeps } from './probe.js'
import { missingScopes } from './sentry-scopes.js'

/**
 * The set-up check's rows for the two-way inputs: sync-assignees needs event:write (to assign),
 * member:read and org:read (to find the people and teams assignee-map names, each checked here);
 * sync-comments towards Sentry needs event:write and a token that belongs to a user (Sentry
 * refuses notes from organization tokens).
 */
export async function twoWayRows(
  config: Config,
  deps: CheckDeps,
  auth: SentryAuthInfo,
  scopes: string[]
): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  const twoWay = config.twoWay
  if (!twoWay) return rows
  const writeFix = `Add the event:write scope to the token (a new personal token, or the integration's Issue & Event: Read & Write), or turn the option off.`
  if (twoWay.assignees !== 'off') {
    const toSentry = twoWay.assignees !== 'to-github'
    const lacking = missingScopes(scopes, [
      ...(toSentry ? ['event:write'] : []),
      'member:read',
      'org:read'
    ])
    if (lacking.includes('event:write')) {
      rows.push(fail('sync-assignees', 'is on, but the token lacks event:write.', writeFix))
    } else if (lacking.length > 0) {
      rows.push(
        warn(
          'sync-assignees',
          `is ${twoWay.assignees}, but the token lacks ${lacking.join(' and ')}: the people and teams of assignee-map cannot be checked.`,
          `Add ${lacking.join(' and ')} to the token.`
        )
      )
    } else {
      rows.push(await mappingRow(config, deps))
    }
  }
  if (twoWay.comments === 'both' || twoWay.comments === 'to-sentry') {
    const organizationToken = auth.user === null || config.sentry.token.startsWith('sntrys_')
    if (missingScopes(scopes, ['event:write']).length > 0) {
      rows.push(fail('sync-comments', 'is on, but the token lacks event:write.', writeFix))
    } else if (organizationToken) {
      rows.push(
        fail(
          'sync-comments',
          'copies comments to Sentry, but the token belongs to no user (an organization token): Sentry refuses notes from it.',
          `Use a personal token with event:write in ${inputRef(deps.surface, 'sentry-token')}, or set sync-comments to to-github.`
        )
      )
    } else {
      rows.push(ok('sync-comments', 'the token has event:write and belongs to a user.'))
    }
  } else if (twoWay.comments === 'to-github') {
    rows.push(ok('sync-comments', 'to-github: notes are read with event:read.'))
  }
  return rows
}

/** Whether every person and team assignee-map names is in the Sentry organization. */
async function mappingRow(config: Config, deps: CheckDeps): Promise<CheckRow> {
  const map = config.content.assigneeMap
  const fix =
    'Correct assignee-map: each line is "sentry-email-or-user-id-or-#team-slug => github-login".'
  try {
    const users = map.filter((m) => m.kind === 'user')
    const teams = map.filter((m) => m.kind === 'team')
    const [members, known] = await Promise.all([
      users.length > 0 ? deps.sentry.listMembers(config.sentry.org) : Promise.resolve([]),
      teams.length > 0 ? deps.sentry.listTeams(config.sentry.org) : Promise.resolve([])
    ])
    const emails = new Set(
      members.flatMap((m) => [m.email, m.user?.email]).flatMap((e) => (e ? [e.toLowerCase()] : []))
    )
    const ids = new Set(members.flatMap((m) => (m.user ? [String(m.user.id)] : [])))
    const slugs = new Set(known.map((t) => t.slug.toLowerCase()))
    const missing = [
      ...users.filter((u) => !emails.has(u.key) && !ids.has(u.key)).map((u) => u.key),
      ...teams.filter((t) => !slugs.has(t.key)).map((t) => `#${t.key}`)
    ]
    if (missing.length > 0) {
      return fail(
        'sync-assignees',
        `assignee-map names ${missing.join(', ')}, not in the Sentry organization (issues assigned to them cannot be carried over).`,
        fix
      )
    }
    return ok(
      'sync-assignees',
      `the token can assign, and the ${map.length} line(s) of assignee-map name people and teams of the organization.`
    )
  } catch (error) {
    return warn('sync-assignees', `could not read the members and teams: ${errorMessage(error)}`)
  }
}

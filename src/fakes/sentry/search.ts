/**
 * The issue index, `GET /api/0/organizations/{org}/issues/`: Sentry's search syntax (within what
 * the fake supports), `statsPeriod` or `start`/`end`, repeatable numeric `project` and
 * `environment`, `sort`, `limit` and `cursor`, and the batch look-up by `group`. Items carry
 * `count`/`userCount` for the query window and `lifetime` with the totals (`./counts.ts`).
 */
import { lifetimeOf, windowedSeen } from './counts.js'
import {
  DETAIL_FORBIDDEN,
  HttpError,
  MAX_PAGE_SIZE,
  page,
  parseCursor,
  parseIntParam,
  pattern,
  scalarText,
  toTime,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import { issueProjectId, serveIssue, type FakeIssue, type SentryState } from './state.js'

export const searchRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/issues/'),
    methods: ['GET'],
    list: true,
    handle: listIssues
  }
]

const DEFAULT_PERIOD_MS = 90 * 24 * 3600_000
const ISSUE_SORTS = new Set(['date', 'new', 'freq', 'user', 'trends', 'inbox', 'recommended'])
const IS_STATUSES: Record<string, string> = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  ignored: 'ignored',
  archived: 'ignored'
}
const PERIOD_UNITS_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 86_400_000,
  w: 604_800_000
}

function listIssues(s: SentryState, ctx: Ctx): Reply {
  const query = ctx.query
  const projectIds = selectedProjects(s, query)
  const inProjects = (issue: FakeIssue): boolean =>
    projectIds === undefined || projectIds.has(issueProjectId(issue) ?? '')

  const groups = query.getAll('group')
  if (groups.length > 0) {
    if (!groups.every((g) => /^\d+$/.test(g))) {
      throw new HttpError(400, 'Invalid group parameter. Values must be numbers.')
    }
    const wanted = new Set(groups)
    // Like Sentry: the batch look-up ignores query and period, and is not paginated. Its
    // serializer gets no start/end, so `count`/`userCount` cover all time, like `lifetime`
    // (organization_group_index.py serializes these with `serializer()`, without the window).
    // Merged-away and deleted ids are not found: only existing issues are listed.
    return {
      status: 200,
      body: s.issues
        .filter((i) => wanted.has(String(i['id'])) && inProjects(i))
        .map((i) => serveListItem(i, undefined, query))
    }
  }

  const sort = query.get('sort') ?? 'date'
  if (!ISSUE_SORTS.has(sort)) throw new HttpError(400, `Invalid sort: ${sort}`)
  const limit = parseIntParam(query.get('limit'), 'limit', 1, MAX_PAGE_SIZE)
  const cursor = parseCursor(query.get('cursor'))
  const [from, to] = period(s, query)
  const matchesQuery = searchPredicate(query.get('query') ?? 'is:unresolved')
  const environments = query.getAll('environment')

  const window: [number, number] = [from, to]
  const matching = s.issues.filter((issue) => {
    const lastSeen = toTime(issue['lastSeen'])
    if (lastSeen === undefined || lastSeen < from || lastSeen > to) return false
    if (!inProjects(issue) || !matchesQuery(issue)) return false
    if (environments.length > 0) {
      const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
      if (!environments.some((env) => seenIn.includes(env))) return false
    }
    return true
  })
  sortIssues(matching, sort, window)
  const reply = page(matching, ctx, cursor, limit)
  return {
    ...reply,
    body: (reply.body as FakeIssue[]).map((i) => serveListItem(i, window, query)),
    headers: { ...reply.headers, 'X-Hits': String(matching.length), 'X-Max-Hits': '1000' }
  }
}

/**
 * The numeric `project` ids requested, or undefined for all. None given: the token owner's
 * team projects (`memberProjects`), or all when that is undefined. `-1`: all.
 */
function selectedProjects(s: SentryState, query: URLSearchParams): Set<string> | undefined {
  const values = query.getAll('project')
  if (values.length === 0) {
    const mine = s.memberProjects
    if (mine === undefined) return undefined
    return new Set(s.projects.filter((p) => mine.includes(p.slug)).map((p) => p.id))
  }
  if (!values.every((v) => /^-?\d+$/.test(v))) {
    throw new HttpError(400, 'Invalid project parameter. Values must be numbers.')
  }
  if (values.includes('-1')) return undefined
  const known = new Set(s.projects.map((p) => p.id))
  // Sentry answers a project the token cannot see (or that does not exist) with 403.
  if (!values.every((v) => known.has(v))) throw new HttpError(403, DETAIL_FORBIDDEN)
  return new Set(values)
}

/** The [from, to] window in epoch ms from statsPeriod (wins) or start/end; default 90 days. */
function period(s: SentryState, query: URLSearchParams): [number, number] {
  const now = s.now().getTime()
  const statsPeriod = query.get('statsPeriod')
  if (statsPeriod !== null && statsPeriod !== '') {
    const match = /^(\d+)([smhdw])$/.exec(statsPeriod)
    const amount = Number(match?.[1] ?? 0)
    const unit = PERIOD_UNITS_MS[match?.[2] ?? '']
    if (!match || unit === undefined || amount <= 0) {
      throw new HttpError(400, `Invalid statsPeriod: ${statsPeriod}`)
    }
    return [now - amount * unit, now]
  }
  const start = query.get('start')
  const end = query.get('end')
  if (start !== null || end !== null) {
    const from = toTime(start)
    const to = toTime(end)
    if (from === undefined || to === undefined || from > to) {
      throw new HttpError(400, 'start and end are both required and must be ISO-8601 dates.')
    }
    return [from, to]
  }
  return [now - DEFAULT_PERIOD_MS, now]
}

/**
 * A predicate for Sentry's search syntax, within what the fake supports: `is:` (unresolved,
 * resolved, ignored, archived), `level:`, `priority:`/`issue.priority:` and `environment:`
 * (values or `[a,b]` lists), and free text matched case-insensitively against the title.
 * Every term must match. Anything else is a 400 (the fake says so rather than guess).
 */
function searchPredicate(query: string): (issue: FakeIssue) => boolean {
  const tests: Array<(issue: FakeIssue) => boolean> = []
  const words: string[] = []
  for (const token of tokenize(query)) {
    const match = /^([A-Za-z_.]+):(.+)$/.exec(token)
    if (!match) {
      words.push(unquote(token))
      continue
    }
    const key = match[1] ?? ''
    const values = listValues(match[2] ?? '')
    if (key === 'is') {
      for (const value of values) {
        const status = IS_STATUSES[value]
        if (status === undefined) {
          throw new HttpError(
            400,
            `Invalid value for "is" search, valid values are ${Object.keys(IS_STATUSES).join(', ')}`
          )
        }
      }
      tests.push((issue) => values.some((v) => issue['status'] === IS_STATUSES[v]))
    } else if (key === 'level') {
      tests.push((issue) => values.includes(String(issue['level'])))
    } else if (key === 'priority' || key === 'issue.priority') {
      tests.push((issue) => values.includes(String(issue['priority'])))
    } else if (key === 'environment') {
      tests.push((issue) => {
        const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
        return values.some((v) => seenIn.includes(v))
      })
    } else {
      throw new HttpError(400, `The fake Sentry does not support the search key "${key}".`)
    }
  }
  const text = words.join(' ').toLowerCase()
  if (text !== '') {
    tests.push((issue) => scalarText(issue['title'], '').toLowerCase().includes(text))
  }
  return (issue) => tests.every((test) => test(issue))
}

/** Splits a search query into tokens, keeping double-quoted phrases (and `key:"a b"`) whole. */
function tokenize(query: string): string[] {
  return query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value
}

/** The values of `key:value` or `key:[a,b]`. */
function listValues(value: string): string[] {
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  return inner
    .split(',')
    .map((v) => unquote(v.trim()))
    .filter((v) => v !== '')
}

// ---------------------------------------------------------------------------------------------
// Items and their order

/**
 * An item of the issue index (`StreamGroupSerializerSnuba`): `count`/`userCount` within the
 * window (all time when there is none, as for the `group=` look-up), `lifetime` with the totals,
 * left out with `collapse=lifetime` (Sentry's serializer skips it then). A fixture whose stored
 * count is not a numeric string is served as stored, so tests can break the shape on purpose.
 */
function serveListItem(
  issue: FakeIssue,
  window: [number, number] | undefined,
  query: URLSearchParams
): Record<string, unknown> {
  const served = serveIssue(issue)
  const seen = windowedSeen(issue, window ?? [-Infinity, Infinity])
  if (seen !== undefined) {
    served['count'] = seen.count
    served['userCount'] = seen.userCount
  }
  served['lifetime'] = lifetimeOf(issue)
  if (query.getAll('collapse').includes('lifetime')) delete served['lifetime']
  return served
}

/**
 * Orders issues as Sentry's `sort` does (ties broken by id, newest first, for stable pages);
 * `freq` and `user` order by the figures within the query window.
 */
function sortIssues(issues: FakeIssue[], sort: string, window: [number, number]): void {
  const key = (issue: FakeIssue): number => {
    switch (sort) {
      case 'new':
        return toTime(issue['firstSeen']) ?? 0
      case 'freq':
        return toNumber(windowedSeen(issue, window)?.count ?? issue['count'])
      case 'user':
        return toNumber(windowedSeen(issue, window)?.userCount ?? issue['userCount'])
      default:
        return toTime(issue['lastSeen']) ?? 0
    }
  }
  issues.sort((a, b) => key(b) - key(a) || toNumber(b['id']) - toNumber(a['id']))
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : 0
  }
  return 0
}

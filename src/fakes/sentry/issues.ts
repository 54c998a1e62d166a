/**
 * Issues: one issue (`GET` and `PUT /api/0/organizations/{org}/issues/{id}/`, resolving with
 * `statusDetails` through `../sentry-integrations.ts`), and the helpers that add, seed, merge,
 * delete and change issues the way a real Sentry moves between runs. Merged-away ids keep
 * answering with the issue they were merged into (`SentryState.resolveIssue`).
 */
import { JAVASCRIPT_ERRORS, PEOPLE, PYTHON_ERRORS, TEAMS, pick, prng } from './catalogue.js'
import { mergeCounts } from './counts.js'
import { assignFromBody, servedActivity } from './assignees.js'
import { addEvent } from './events.js'
import { HttpError, isoPlus, pattern, type Ctx, type Reply, type Route } from './http.js'
import { projectFor } from './projects.js'
import { EXAMPLE_ISSUE } from './spec.js'
import {
  issueProjectId,
  serveIssue,
  type FakeIssue,
  type FakeIssueInput,
  type SentryState
} from './state.js'

export const issueRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/issues/:id/'),
    methods: ['GET', 'PUT'],
    handle: (s, ctx, p) =>
      ctx.method === 'PUT' ? updateIssue(s, p.id ?? '', ctx.body) : getIssue(s, p.id ?? '', ctx)
  }
]

const PUT_STATUSES: Record<string, { status: string; substatus: string | null }> = {
  resolved: { status: 'resolved', substatus: null },
  resolvedInNextRelease: { status: 'resolved', substatus: null },
  unresolved: { status: 'unresolved', substatus: 'ongoing' },
  ignored: { status: 'ignored', substatus: 'archived_until_escalating' }
}
/** Substatuses by status, the default first (Sentry's `GroupSubStatus`). */
const SUBSTATUSES: Record<string, string[]> = {
  resolved: [],
  unresolved: ['ongoing', 'new', 'regressed', 'escalating'],
  ignored: ['archived_until_escalating', 'archived_until_condition_met', 'archived_forever']
}

// ---------------------------------------------------------------------------------------------
// GET / PUT …/issues/{id}/

function getIssue(s: SentryState, id: string, ctx: Ctx): Reply {
  const issue = serveDetails(s.findIssue(id))
  if (!ctx.query.getAll('expand').includes('owners')) return { status: 200, body: issue }
  const owners = s.signals.ownersOf(String(issue['id']))
  if ('status' in owners) return owners
  return { status: 200, body: { ...issue, ...owners } }
}

function updateIssue(s: SentryState, id: string, body: string): Reply {
  const issue = s.findIssue(id)
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new HttpError(400, 'JSON parse error')
  }
  const status =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)['status']
      : undefined
  if (typeof parsed === 'object' && parsed !== null && 'assignedTo' in parsed) {
    const refused = assignFromBody(s, issue, (parsed as Record<string, unknown>)['assignedTo'])
    if (refused) return refused
    if (status === undefined) return { status: 200, body: serveDetails(issue) }
  }
  const change = typeof status === 'string' ? PUT_STATUSES[status] : undefined
  if (!change) {
    throw new HttpError(400, `"status" must be one of ${Object.keys(PUT_STATUSES).join(', ')}`)
  }
  const details =
    status === 'resolved'
      ? s.links.resolution(
          (parsed as Record<string, unknown>)['statusDetails'],
          projectHasRelease(s, issue)
        )
      : { statusDetails: status === 'resolvedInNextRelease' ? { inNextRelease: true } : {} }
  if (!('statusDetails' in details)) return details
  issue['status'] = change.status
  issue['substatus'] = change.substatus
  issue['statusDetails'] = details.statusDetails
  return { status: 200, body: serveDetails(issue) }
}

/** Whether any event of the issue's project names a release. */
function projectHasRelease(s: SentryState, issue: FakeIssue): boolean {
  const project = issueProjectId(issue)
  return s.issues.some(
    (i) =>
      issueProjectId(i) === project &&
      (s.events.get(String(i['id'])) ?? []).some((e) => e['release'] != null)
  )
}

/**
 * A single issue (`GET`/`PUT …/issues/{id}/`). Sentry's `GroupDetailsEndpoint` serializes it with
 * `GroupSerializerSnuba` without a window and then sets `count` to the issue's global
 * `times_seen`: every figure is a total, and there is no `lifetime` key (only the index's stream
 * serializer adds that).
 */
function serveDetails(issue: FakeIssue): Record<string, unknown> {
  const served = serveIssue(issue)
  delete served['lifetime']
  served['activity'] = servedActivity(issue)
  return served
}

// ---------------------------------------------------------------------------------------------
// Changes (`FakeSentry` documents each helper)

export function addIssue(s: SentryState, overrides: FakeIssueInput): FakeIssue {
  const { projectSlug, environments, ...fields } = overrides
  const project = projectFor(s, projectSlug)

  const id = fields.id ?? String(s.nextIssueId++)
  if (/^\d+$/.test(id) && Number(id) >= s.nextIssueId) s.nextIssueId = Number(id) + 1
  const shortNumber = (s.shortIdCounters.get(project.slug) ?? 0) + 1
  s.shortIdCounters.set(project.slug, shortNumber)

  const now = s.now()
  const nowIso = now.toISOString()
  const level = fields.level ?? 'error'
  const metadata = fields.metadata ?? {
    type: 'TypeError',
    value: "Cannot read properties of undefined (reading 'id')",
    filename: 'src/components/UserCard.tsx',
    function: 'UserCard'
  }
  const defaultTitle =
    typeof metadata['type'] === 'string' && typeof metadata['value'] === 'string'
      ? `${metadata['type']}: ${metadata['value']}`
      : typeof metadata['title'] === 'string'
        ? metadata['title']
        : 'Example error'
  const status = fields.status ?? 'unresolved'
  const defaultSubstatus =
    status === 'resolved' ? null : status === 'ignored' ? 'archived_until_escalating' : 'new'
  const firstSeen = fields.firstSeen === undefined ? nowIso : fields.firstSeen
  const lastSeen = fields.lastSeen === undefined ? nowIso : fields.lastSeen
  const count = fields.count === undefined ? '1' : String(fields.count)
  const userCount = fields.userCount ?? 1
  const assignedTo = fields.assignedTo ?? null
  const hourStart = Math.floor(now.getTime() / 3600_000) * 3600

  const issue: FakeIssue = {
    ...structuredClone(EXAMPLE_ISSUE),
    id,
    shortId: `${project.slug.toUpperCase()}-${shortNumber}`,
    title: defaultTitle,
    culprit:
      typeof metadata['filename'] === 'string' && typeof metadata['function'] === 'string'
        ? `${metadata['filename']} in ${metadata['function']}`
        : null,
    permalink: `${s.urlPrefix}/organizations/${s.org}/issues/${id}/`,
    level,
    status,
    substatus: defaultSubstatus,
    statusDetails: {},
    priority: level === 'fatal' || level === 'error' ? 'high' : 'medium',
    platform: project.platform,
    type: 'error',
    issueCategory: 'error',
    issueType: 'error',
    isUnhandled: true,
    count,
    userCount,
    firstSeen,
    lastSeen,
    metadata,
    project: { ...project },
    assignedTo,
    shareId: null,
    hasSeen: false,
    numComments: 0,
    inbox: { date_added: firstSeen ?? nowIso, reason: 0, reason_details: null },
    lifetime: { count, userCount, firstSeen, lastSeen },
    stats: { '24h': Array.from({ length: 24 }, (_, i) => [hourStart - (23 - i) * 3600, 0]) },
    derivedData: {
      ...(EXAMPLE_ISSUE['derivedData'] ?? {}),
      isAssigned: assignedTo !== null
    },
    _environments: environments ?? ['production'],
    ...fields
  }
  if (fields.count !== undefined) issue['count'] = count
  s.issues.push(issue)
  return issue
}

export function mergeIssues(s: SentryState, survivorId: string, mergedIds: string[]): FakeIssue {
  const survivor = s.requireIssue(survivorId)
  const merged = mergedIds.map((id) => {
    const issue = s.issues.find((i) => String(i['id']) === id)
    if (!issue || issue === survivor) {
      throw new Error(`Fake Sentry cannot merge issue ${id} into ${survivorId}`)
    }
    return issue
  })
  mergeCounts(survivor, merged)
  for (const issue of merged) {
    const id = String(issue['id'])
    const events = s.events.get(id) ?? []
    if (events.length > 0) {
      const moved = events.map((event) => ({ ...event, groupID: survivorId }))
      s.events.set(survivorId, [...(s.events.get(survivorId) ?? []), ...moved])
    }
    s.events.delete(id)
    for (const [from, to] of s.redirects) {
      if (to === id) s.redirects.set(from, survivorId)
    }
    s.redirects.set(id, survivorId)
    s.links.moveOnMerge(id, survivorId)
  }
  s.issues = s.issues.filter((i) => !merged.includes(i))
  return survivor
}

export function deleteIssue(s: SentryState, id: string): void {
  const index = s.issues.findIndex((i) => String(i['id']) === id)
  if (index < 0) throw new Error(`Fake Sentry has no issue ${id}`)
  s.issues.splice(index, 1)
  s.events.delete(id)
  for (const [from, to] of s.redirects) {
    if (to === id) s.redirects.delete(from)
  }
}

export function setStatus(
  s: SentryState,
  id: string,
  status: 'resolved' | 'unresolved' | 'ignored',
  substatus?: string
): FakeIssue {
  const issue = s.requireIssue(id)
  const allowed = SUBSTATUSES[status]
  if (allowed === undefined) throw new Error(`setStatus: unknown status "${String(status)}"`)
  const sub = substatus ?? allowed[0] ?? null
  if (substatus !== undefined && !allowed.includes(substatus)) {
    throw new Error(
      `setStatus: substatus "${substatus}" does not go with ${status}; allowed: ${allowed.join(', ') || 'none'}`
    )
  }
  issue['status'] = status
  issue['substatus'] = sub
  issue['statusDetails'] = {}
  return issue
}

export function seed(
  s: SentryState,
  n: number,
  opts: { projectSlug?: string; seed?: number; events?: boolean }
): FakeIssue[] {
  const random = prng(opts.seed ?? 1)
  const projects =
    opts.projectSlug !== undefined
      ? [projectFor(s, opts.projectSlug)]
      : s.projects.length > 0
        ? [...s.projects]
        : [projectFor(s, undefined)]
  const nowMs = s.now().getTime()
  const created: FakeIssue[] = []
  for (let i = 0; i < n; i++) {
    const project = pick(random, projects)
    const catalogue = /javascript|node|react|vue|angular/.test(project.platform)
      ? JAVASCRIPT_ERRORS
      : PYTHON_ERRORS
    const template = pick(random, catalogue)
    const value = pick(random, template.values)
    const levelRoll = random()
    const level =
      levelRoll < 0.75
        ? 'error'
        : levelRoll < 0.87
          ? 'warning'
          : levelRoll < 0.95
            ? 'fatal'
            : 'info'
    const substatus = pick(random, ['new', 'ongoing', 'ongoing', 'regressed', 'escalating'])
    const count = Math.max(1, Math.floor(Math.exp(random() * 10)))
    const userCount = Math.floor(count * random() * 0.6)
    // First seen up to 60 days ago; last seen within the last 20 hours.
    const lastSeenMs = nowMs - random() * 20 * 3600_000
    const firstSeenMs = lastSeenMs - random() * 60 * 86_400_000
    const envRoll = random()
    const environments =
      envRoll < 0.7 ? ['production'] : envRoll < 0.9 ? ['production', 'staging'] : ['staging']
    const assignRoll = random()
    const assignedTo =
      assignRoll < 0.2
        ? { type: 'user', ...pick(random, PEOPLE) }
        : assignRoll < 0.3
          ? { type: 'team', ...pick(random, TEAMS) }
          : null
    created.push(
      addIssue(s, {
        projectSlug: project.slug,
        environments,
        title: `${template.type}: ${value}`,
        culprit: `${template.module} in ${template.function}`,
        metadata: {
          type: template.type,
          value,
          filename: template.filename,
          function: template.function
        },
        level,
        status: 'unresolved',
        substatus,
        priority: level === 'fatal' ? 'high' : level === 'error' ? 'medium' : 'low',
        count: String(count),
        userCount,
        firstSeen: new Date(firstSeenMs).toISOString(),
        lastSeen: new Date(lastSeenMs).toISOString(),
        isUnhandled: random() < 0.6,
        assignedTo
      })
    )
  }
  if (opts.events !== false) {
    // A separate generator, so the issues stay what they were before events existed.
    const eventRandom = prng((opts.seed ?? 1) * 104_729 + 17)
    for (const issue of created) {
      const id = String(issue['id'])
      const firstSeen = String(issue['firstSeen'])
      const lastSeen = String(issue['lastSeen'])
      const extra = Math.floor(eventRandom() * 3)
      const span = Math.max(0, Date.parse(lastSeen) - Date.parse(firstSeen))
      for (let e = 0; e < extra; e++) {
        addEvent(s, id, { dateCreated: isoPlus(firstSeen, Math.floor(eventRandom() * span)) })
      }
      addEvent(s, id, { dateCreated: lastSeen })
    }
  }
  return created
}

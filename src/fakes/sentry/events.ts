/**
 * Events: an issue's latest event, at `GET /api/0/organizations/{org}/issues/{id}/events/latest/`
 * and at the older unscoped `GET /api/0/issues/{id}/events/latest/` (with `legacyEventsOnly`, the
 * org-scoped route is unknown, as on an old self-hosted server), filtered by `environment`; and
 * storing the events `./event-builder.ts` builds.
 */
import { createFakeEvent } from './event-builder.js'
import { HttpError, pattern, toTime, type Reply, type Route } from './http.js'
import type { FakeEvent, FakeEventInput, SentryState } from './state.js'

/** What current servers say on the org-scoped route when the issue has no event (in range). */
const DETAIL_NO_EVENT = 'Event not found'
/** What the older unscoped route says. */
const DETAIL_NO_EVENTS_LEGACY = 'No events found for group'

export const eventRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/issues/:id/events/latest/'),
    methods: ['GET'],
    newerServersOnly: true,
    handle: (s, ctx, p) => latestEvent(s, p.id ?? '', ctx.query, DETAIL_NO_EVENT)
  },
  {
    match: pattern('/api/0/issues/:id/events/latest/'),
    methods: ['GET'],
    handle: (s, ctx, p) => latestEvent(s, p.id ?? '', ctx.query, DETAIL_NO_EVENTS_LEGACY)
  }
]

/**
 * The issue's event with the greatest `dateCreated` (the last added among equals), among those
 * of the requested environments, with `previousEventID` naming the one added before it.
 */
function latestEvent(
  s: SentryState,
  id: string,
  query: URLSearchParams,
  noEventDetail: string
): Reply {
  const issueId = String(s.findIssue(id)['id'])
  const environments = query.getAll('environment')
  const events = (s.events.get(issueId) ?? []).filter((event) => {
    if (environments.length === 0) return true
    const tags = Array.isArray(event['tags'])
      ? (event['tags'] as Array<Record<string, unknown>>)
      : []
    const env = tags.find((t) => t['key'] === 'environment')?.['value']
    return typeof env === 'string' && environments.includes(env)
  })
  let latest: FakeEvent | undefined
  let latestIndex = -1
  events.forEach((event, index) => {
    if (
      latest === undefined ||
      (toTime(event['dateCreated']) ?? 0) >= (toTime(latest['dateCreated']) ?? 0)
    ) {
      latest = event
      latestIndex = index
    }
  })
  if (latest === undefined) throw new HttpError(404, noEventDetail)
  const previous = latestIndex > 0 ? events[latestIndex - 1] : undefined
  return {
    status: 200,
    body: {
      ...latest,
      nextEventID: null,
      previousEventID: previous === undefined ? null : (previous['eventID'] ?? null)
    }
  }
}

/** `FakeSentry.addEvent`. */
export function addEvent(s: SentryState, issueId: string, input: FakeEventInput): FakeEvent {
  const issue = s.requireIssue(issueId)
  const event = createFakeEvent(issue, input, s.nextEventNumber++, s.now())
  const list = s.events.get(issueId) ?? []
  list.push(event)
  s.events.set(issueId, list)
  return event
}

/**
 * Assigning an issue (`PUT …/issues/{id}/` with `assignedTo`), as Sentry's `ActorField` and
 * `GroupValidator.validate_assignedTo` take it: `user:ID`, a bare user id, `team:ID`, or a
 * username / primary e-mail; `""` or null unassigns. An actor Sentry cannot resolve is a 400
 * `{"assignedTo": ["Unknown actor input"]}`; a user who is not a member is `Cannot assign to
 * non-team member`. The answer's `assignedTo` is `{type: 'user', id, name, email}` or `{type:
 * 'team', id, name}` (the team's slug), and every change is an `assigned` / `unassigned` entry of
 * the issue's `activity` (newest first in the details answer), with when it happened.
 */
import { PEOPLE, TEAMS } from './catalogue.js'
import type { Reply } from './http.js'
import type { FakeIssue, SentryState } from './state.js'

/** Sentry's `assignedTo`. */
export type FakeActor =
  | { type: 'user'; id: string; name: string; email: string }
  | { type: 'team'; id: string; name: string }

interface Activity {
  id: string
  type: string
  data: Record<string, unknown>
  dateCreated: string
  user: null
}

/** The users and teams the fake knows: the catalogue's and the signals' members and teams. */
function users(s: SentryState): Array<Extract<FakeActor, { type: 'user' }>> {
  return [
    ...PEOPLE.map((p) => ({ type: 'user' as const, ...p })),
    ...s.signals.members.flatMap((m) =>
      m.userId === null
        ? []
        : [{ type: 'user' as const, id: m.userId, name: m.name, email: m.email }]
    )
  ]
}

function teams(s: SentryState): Array<Extract<FakeActor, { type: 'team' }>> {
  return [
    ...TEAMS.map((t) => ({ type: 'team' as const, ...t })),
    ...s.signals.teams.map((t) => ({ type: 'team' as const, id: t.id, name: t.slug }))
  ]
}

/** The actor a value names, or undefined when Sentry could not resolve it. */
export function resolveActor(s: SentryState, value: string): FakeActor | undefined {
  const typed = /^(user|team):(\d+)$/.exec(value)
  if (typed?.[1] === 'team') return teams(s).find((t) => t.id === typed[2])
  const id = typed?.[2] ?? (/^\d+$/.test(value) ? value : undefined)
  if (id !== undefined) return users(s).find((u) => u.id === id)
  const lower = value.toLowerCase()
  return users(s).find((u) => u.email.toLowerCase() === lower)
}

/** Applies an `assignedTo` of a PUT body, or answers Sentry's 400 (the field's errors). */
export function assignFromBody(
  s: SentryState,
  issue: FakeIssue,
  value: unknown
): Reply | undefined {
  if (value === null || value === '') {
    setAssignee(s, issue, null)
    return undefined
  }
  const actor =
    typeof value === 'string' || typeof value === 'number'
      ? resolveActor(s, String(value))
      : undefined
  if (!actor) return { status: 400, body: { assignedTo: ['Unknown actor input'] } }
  if (actor.type === 'user' && s.nonMembers.includes(actor.id)) {
    return { status: 400, body: { assignedTo: ['Cannot assign to non-team member'] } }
  }
  setAssignee(s, issue, actor)
  return undefined
}

/** Sets the assignee (a person in Sentry, or the API) and records the activity when it changed. */
export function setAssignee(s: SentryState, issue: FakeIssue, actor: FakeActor | null): void {
  const before = issue['assignedTo'] as FakeActor | null | undefined
  if ((before?.type ?? null) === (actor?.type ?? null) && before?.id === actor?.id) return
  issue['assignedTo'] = actor
  const derived = issue['derivedData']
  if (typeof derived === 'object' && derived !== null) {
    ;(derived as Record<string, unknown>)['isAssigned'] = actor !== null
  }
  const list = activityOf(issue)
  list.push({
    id: String(7_000_000 + s.activityCounter++),
    type: actor ? 'assigned' : 'unassigned',
    data: actor
      ? {
          assignee: actor.id,
          assigneeType: actor.type,
          ...(actor.type === 'user' ? { assigneeEmail: actor.email } : {})
        }
      : {},
    dateCreated: s.now().toISOString(),
    user: null
  })
}

function activityOf(issue: FakeIssue): Activity[] {
  const list = issue['_activity']
  if (Array.isArray(list)) return list as Activity[]
  const created: Activity[] = []
  issue['_activity'] = created
  return created
}

/** The details answer's `activity`: newest first, the first-seen entry last. */
export function servedActivity(issue: FakeIssue): Activity[] {
  const firstSeen = typeof issue['firstSeen'] === 'string' ? issue['firstSeen'] : null
  return [
    ...[...activityOf(issue)].reverse(),
    ...(firstSeen
      ? [{ id: '0', type: 'first_seen', data: {}, dateCreated: firstSeen, user: null }]
      : [])
  ]
}

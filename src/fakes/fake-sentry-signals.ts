import spec from './data/sentry-spec.json' with { type: 'json' }
import { sentryUserJson } from './sentry/users.js'

/**
 * The fake Sentry's side of an issue's signals: suggested owners (`expand=owners` on the issue
 * details), the members and teams that name them, Seer (`…/autofix/`, GET and POST) and tag
 * details (`…/tags/{key}/`). Answers are shaped by the examples and schemas of Sentry's OpenAPI
 * description (src/fakes/data/sentry-spec.json), and each endpoint can be made unavailable the
 * way Sentry refuses it: 404 (self-hosted without Seer), 403 (plan or token scope).
 */

export interface FakeOwner {
  /** `suspectCommit`, `ownershipRule`, `codeowners` (or another kind a newer Sentry adds). */
  type: string
  owner: string
  date_added: string
}

export interface FakeMember {
  id: string
  email: string
  name: string
  /** Null for a pending invitation. */
  userId: string | null
}

export interface FakeTeam {
  id: string
  slug: string
  name: string
}

/** What a test can switch off: the endpoint answers this status for every request. */
export interface SignalOutages {
  owners?: number
  members?: number
  teams?: number
  seer?: number
  tags?: number
}

export interface SignalReply {
  status: number
  body: unknown
}

type SpecOperations = Record<
  string,
  { examples?: Record<string, Record<string, { value: unknown }>> } | undefined
>
const OPERATIONS = (spec as unknown as { operations: SpecOperations }).operations
const AUTOFIX_KEY = 'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/autofix/'
const START_KEY = 'POST /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/autofix/'

function example(key: string, status: string): Record<string, unknown> {
  const first = Object.values(OPERATIONS[key]?.examples?.[status] ?? {})[0]
  if (!first) throw new Error(`data/sentry-spec.json has no example for ${key}: re-run the script`)
  return structuredClone(first.value) as Record<string, unknown>
}

/** Seer's state after a finished root-cause analysis: the spec's example, with `rootCause`. */
export function completedAutofix(rootCause?: string, solution?: string): Record<string, unknown> {
  const state = example(AUTOFIX_KEY, '200')['autofix'] as Record<string, unknown>
  const steps = state['steps'] as Array<Record<string, unknown>>
  if (rootCause !== undefined) {
    const step = steps.find((s) => s['type'] === 'root_cause_analysis')
    const cause = (step?.['causes'] as Array<Record<string, unknown>> | undefined)?.[0]
    if (cause) cause['description'] = rootCause
  }
  if (solution !== undefined) {
    steps.push({
      id: 'solution-step',
      index: steps.length,
      key: 'solution',
      type: 'solution',
      status: 'COMPLETED',
      title: 'Solution',
      progress: [],
      description: solution,
      solution: [
        {
          title: solution,
          code_snippet_and_analysis: null,
          is_most_important_event: true,
          timeline_item_type: 'internal_code'
        }
      ],
      solution_selected: false
    })
  }
  return state
}

const ALLOWED_STEPS = ['root_cause', 'solution', 'code_changes', 'pr_iteration', 'open_pr']
const ALLOWED_STOPS = ['root_cause', 'solution', 'code_changes', 'open_pr']

const SIGNAL_PATH =
  /^\/api\/0\/organizations\/([^/]+)\/(?:(members|teams)\/|issues\/(\d+)\/(autofix|tags)\/(?:([^/]+)\/)?)$/

export type SignalRoute =
  | { what: 'members' | 'teams'; org: string }
  | { what: 'autofix'; org: string; id: string }
  | { what: 'tag'; org: string; id: string; key: string }

export function matchSignalRoute(path: string): SignalRoute | undefined {
  const m = SIGNAL_PATH.exec(path)
  if (!m) return undefined
  const org = decodeURIComponent(m[1] ?? '')
  if (m[2] === 'members' || m[2] === 'teams') return { what: m[2], org }
  const id = m[3] ?? ''
  if (m[4] === 'autofix') return m[5] === undefined ? { what: 'autofix', org, id } : undefined
  if (m[5] === undefined) return undefined
  return { what: 'tag', org, id, key: decodeURIComponent(m[5]) }
}

const DETAILS: Record<number, string> = {
  403: 'You do not have permission to perform this action.',
  404: 'The requested resource does not exist',
  500: 'Internal Error'
}

function refuse(status: number): SignalReply {
  return { status, body: { detail: DETAILS[status] ?? 'Error' } }
}

export class FakeSentrySignals {
  /** Sentry issue id → its suggested owners. */
  readonly owners = new Map<string, FakeOwner[]>()
  readonly members: FakeMember[] = []
  readonly teams: FakeTeam[] = []
  /** Sentry issue id → Seer's state (absent: no run, `autofix: null`). */
  readonly autofix = new Map<string, Record<string, unknown>>()
  /** Every accepted POST …/autofix/: the issue and the body. */
  readonly autofixStarts: Array<{ issueId: string; body: Record<string, unknown> }> = []
  /** Sentry issue id → tag key → values with counts. */
  readonly tags = new Map<string, Map<string, Array<{ value: string; count: number }>>>()
  /** Endpoints made unavailable, with the status they answer. */
  readonly outages: SignalOutages = {}

  /** A member; `userId` null makes a pending invitation (default: a new user id). */
  addMember(email: string, userId?: string | null): FakeMember {
    const member: FakeMember = {
      id: String(57_000 + this.members.length),
      email,
      name: email.split('@')[0] ?? email,
      userId: userId === undefined ? String(280_000 + this.members.length) : userId
    }
    this.members.push(member)
    return member
  }

  addTeam(slug: string): FakeTeam {
    const team: FakeTeam = { id: String(48_000 + this.teams.length), slug, name: slug }
    this.teams.push(team)
    return team
  }

  setOwners(issueId: string, owners: Array<Pick<FakeOwner, 'type' | 'owner'>>): void {
    this.owners.set(
      issueId,
      owners.map((o) => ({ ...o, date_added: '2024-01-15T10:00:00.000000Z' }))
    )
  }

  setTag(issueId: string, key: string, values: Array<{ value: string; count: number }>): void {
    const byKey =
      this.tags.get(issueId) ?? new Map<string, Array<{ value: string; count: number }>>()
    byKey.set(key, values)
    this.tags.set(issueId, byKey)
  }

  /** What `expand=owners` adds to an issue's details. */
  ownersOf(issueId: string): { owners: FakeOwner[] | null } | SignalReply {
    if (this.outages.owners !== undefined) return refuse(this.outages.owners)
    const owners = this.owners.get(issueId)
    return { owners: owners && owners.length > 0 ? owners : null }
  }

  /**
   * Serves a signal route for an existing issue (`issueId` already resolved, or undefined for the
   * organization's routes).
   */
  handle(
    route: SignalRoute,
    method: string,
    query: URLSearchParams,
    body: string,
    issueId: string | undefined
  ): SignalReply {
    switch (route.what) {
      case 'members':
        if (method !== 'GET') return refuse(405)
        if (this.outages.members !== undefined) return refuse(this.outages.members)
        return { status: 200, body: this.#members(query.get('query')) }
      case 'teams':
        if (method !== 'GET') return refuse(405)
        if (this.outages.teams !== undefined) return refuse(this.outages.teams)
        return { status: 200, body: this.teams.map((t) => this.#team(t)) }
      case 'autofix':
        if (this.outages.seer !== undefined) return refuse(this.outages.seer)
        return method === 'POST' ? this.#start(issueId ?? route.id, body) : this.#state(issueId)
      case 'tag':
        if (method !== 'GET') return refuse(405)
        if (this.outages.tags !== undefined) return refuse(this.outages.tags)
        return this.#tag(issueId ?? route.id, route.key)
    }
  }

  #members(query: string | null): unknown[] {
    // Sentry's member index: `user.id:N` tokens (several allowed) select members by user id.
    const tokens = (query ?? '').split(/\s+/).filter((t) => t !== '')
    const ids = tokens.filter((t) => t.startsWith('user.id:')).map((t) => t.slice(8))
    const other = tokens.some((t) => !t.startsWith('user.id:'))
    const chosen = other
      ? []
      : this.members.filter(
          (m) => ids.length === 0 || (m.userId !== null && ids.includes(m.userId))
        )
    return chosen.map((m) => ({
      id: m.id,
      email: m.email,
      name: m.name,
      user:
        m.userId === null ? null : sentryUserJson({ id: m.userId, name: m.name, email: m.email }),
      orgRole: 'member',
      pending: m.userId === null,
      expired: false,
      flags: {
        'idp:provisioned': false,
        'idp:role-restricted': false,
        'sso:linked': false,
        'sso:invalid': false,
        'member-limit:restricted': false,
        'partnership:restricted': false
      },
      dateCreated: '2021-07-06T21:13:01.120263Z',
      inviteStatus: 'approved',
      inviterName: null
    }))
  }

  #team(team: FakeTeam): Record<string, unknown> {
    return {
      id: team.id,
      slug: team.slug,
      name: team.name,
      dateCreated: '2018-11-06T21:20:08.115Z',
      isMember: false,
      teamRole: null,
      flags: { 'idp:provisioned': false },
      access: ['event:read', 'org:read', 'project:read', 'team:read'],
      hasAccess: true,
      isPending: false,
      memberCount: 1,
      avatar: { avatarType: 'letter_avatar', avatarUuid: null, avatarUrl: null }
    }
  }

  #state(issueId: string | undefined): SignalReply {
    const state = issueId === undefined ? undefined : this.autofix.get(issueId)
    return { status: 200, body: { autofix: state ?? null } }
  }

  #start(issueId: string, raw: string): SignalReply {
    let body: Record<string, unknown>
    try {
      body = raw.trim() === '' ? {} : (JSON.parse(raw) as Record<string, unknown>)
    } catch {
      return { status: 400, body: { detail: 'Malformed request.' } }
    }
    const step = body['step'] ?? 'root_cause'
    const stop = body['stopping_point']
    if (typeof step !== 'string' || !ALLOWED_STEPS.includes(step)) {
      return { status: 400, body: { step: [`${JSON.stringify(step)} is not a valid choice.`] } }
    }
    if (stop !== undefined && (typeof stop !== 'string' || !ALLOWED_STOPS.includes(stop))) {
      return {
        status: 400,
        body: { stopping_point: [`${JSON.stringify(stop)} is not a valid choice.`] }
      }
    }
    this.autofixStarts.push({ issueId, body })
    const started = example(START_KEY, '202')
    const state = completedAutofix()
    state['status'] = 'PROCESSING'
    state['steps'] = (state['steps'] as Array<Record<string, unknown>>).filter(
      (s) => s['type'] !== 'root_cause_analysis'
    )
    state['run_id'] = started['run_id']
    this.autofix.set(issueId, state)
    return { status: 202, body: started }
  }

  #tag(issueId: string, key: string): SignalReply {
    const values = this.tags.get(issueId)?.get(key)
    if (values === undefined) return refuse(404)
    const sorted = [...values].sort((a, b) => b.count - a.count)
    return {
      status: 200,
      body: {
        key,
        name: key,
        uniqueValues: values.length,
        totalValues: values.reduce((sum, v) => sum + v.count, 0),
        topValues: sorted.slice(0, 9).map((v) => ({
          key,
          name: v.value,
          value: v.value,
          count: v.count,
          lastSeen: '2024-01-15T10:00:00Z',
          firstSeen: '2024-01-15T10:00:00Z'
        }))
      }
    }
  }
}

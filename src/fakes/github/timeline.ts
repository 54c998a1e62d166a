/**
 * An issue's timeline (`GET /repos/{owner}/{repo}/issues/{n}/timeline`), with the events that
 * say what closed it, as GitHub records them:
 * - `closed` (a State Change Issue Event): `commit_id`/`commit_url` name the commit when a commit
 *   or a merged pull request closed the issue ("Fixes #N"), null when a person closed it by hand;
 * - `cross-referenced`: a pull request that mentions the issue, as `source.issue` (with
 *   `pull_request.merged_at` once merged);
 * - on the pull request's own timeline, `merged` with the merge commit in `commit_id`.
 * Closes made any other way (through the API, `personClose`, a test changing `state`) appear as a
 * `closed` event without a commit. The seeding helpers behind `FakeGitHub.personCloseByCommit`,
 * `personCloseByPullRequest` and `referenceFromPullRequest` record the rest.
 */
import { hashId, iso, nodeId, type Ctx, type Reply, type Route } from './http.js'
import { addIssue, personClose } from './issues.js'
import { PERSON_LOGIN, type FakeIssue, type GitHubState } from './state.js'

const DOCS_TIMELINE =
  'https://docs.github.com/rest/issues/timeline#list-timeline-events-for-an-issue'

export const timelineRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/:owner/:repo/issues/#number/timeline',
    handle: (s, ctx, p) => listTimeline(s, Number(p.number), ctx)
  }
]

/** An event as the fake records it. */
interface Recorded {
  id: number
  event: 'closed' | 'merged' | 'cross-referenced' | 'assigned' | 'unassigned'
  at: string
  actor: string
  commitId: string | null
  /** For `cross-referenced`: the pull request's number. */
  source?: number
  /** For `assigned` / `unassigned`: who. */
  assignee?: string
}

interface Store {
  events: Map<number, Recorded[]>
  /** Merged pull requests: number → when. */
  merged: Map<number, string>
  lastId: number
}

const stores = new WeakMap<GitHubState, Store>()

function storeOf(s: GitHubState): Store {
  let store = stores.get(s)
  if (!store) {
    store = { events: new Map(), merged: new Map(), lastId: 9_000_000_000 }
    stores.set(s, store)
  }
  return store
}

function record(s: GitHubState, number: number, event: Omit<Recorded, 'id'>): void {
  const store = storeOf(s)
  const list = store.events.get(number) ?? []
  list.push({ ...event, id: ++store.lastId })
  store.events.set(number, list)
}

function listTimeline(s: GitHubState, number: number, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS_TIMELINE)
  const store = storeOf(s)
  const events = [...(store.events.get(number) ?? [])]
  const lastClose = events.filter((e) => e.event === 'closed').at(-1)
  if (issue.state === 'closed' && issue.closed_at && lastClose?.at !== issue.closed_at) {
    // Closed another way than the helpers below: a close without a commit.
    events.push({
      id: hashId(`closed:${number}:${issue.closed_at}`),
      event: 'closed',
      at: issue.closed_at,
      actor: issue.closed_by_login ?? PERSON_LOGIN,
      commitId: null
    })
  }
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id))
  return s.paged(ctx, events, (e) => render(s, issue, e))
}

function render(s: GitHubState, issue: FakeIssue, e: Recorded): Record<string, unknown> {
  if (e.event === 'cross-referenced') {
    const pull = s.issues.find((i) => i.number === e.source)
    const source = pull ? s.renderIssue(pull) : undefined
    const mergedAt = pull ? (storeOf(s).merged.get(pull.number) ?? null) : null
    if (source && typeof source['pull_request'] === 'object' && source['pull_request'] !== null) {
      source['pull_request'] = { ...source['pull_request'], merged_at: mergedAt }
    }
    return {
      event: 'cross-referenced',
      actor: s.renderUser(e.actor),
      created_at: e.at,
      updated_at: e.at,
      source: { type: 'issue', ...(source ? { issue: source } : {}) }
    }
  }
  const repo = s.apiRepo(s.loc())
  if (e.event === 'assigned' || e.event === 'unassigned') {
    return {
      id: e.id,
      node_id: nodeId(e.event === 'assigned' ? 'AE' : 'UAE', e.id),
      url: `${repo}/issues/events/${e.id}`,
      actor: s.renderUser(e.actor),
      event: e.event,
      commit_id: null,
      commit_url: null,
      created_at: e.at,
      performed_via_github_app: null,
      assignee: s.renderUser(e.assignee ?? e.actor),
      assigner: s.renderUser(e.actor)
    }
  }
  return {
    id: e.id,
    node_id: nodeId(e.event === 'closed' ? 'CE' : 'ME', e.id),
    url: `${repo}/issues/events/${e.id}`,
    actor: s.renderUser(e.actor),
    event: e.event,
    commit_id: e.commitId,
    commit_url: e.commitId === null ? null : `${repo}/commits/${e.commitId}`,
    created_at: e.at,
    performed_via_github_app: null,
    ...(e.event === 'closed' ? { state_reason: issue.state_reason } : {})
  }
}

/** Records an `assigned` / `unassigned` event of `login`, by `actor`, at `at` (ISO). */
export function recordAssignment(
  s: GitHubState,
  number: number,
  event: 'assigned' | 'unassigned',
  login: string,
  actor: string,
  at: string
): void {
  record(s, number, { event, at, actor, commitId: null, assignee: login })
}

// ---------------------------------------------------------------------------------------------
// Seeding: a person closing issues through commits and pull requests
// ---------------------------------------------------------------------------------------------

/** A person pushes a commit saying "Fixes #n": the issue is closed as completed by that commit. */
export function personCloseByCommit(s: GitHubState, number: number, sha: string): FakeIssue {
  const issue = personClose(s, number, 'completed')
  record(s, number, {
    event: 'closed',
    at: issue.closed_at ?? iso(s.now()),
    actor: PERSON_LOGIN,
    commitId: sha
  })
  return issue
}

/**
 * A pull request that mentions issue `n` is merged as `mergeSha` (the pull request is seeded
 * when the repository has no issue with that number). With `closes` (default) it said
 * "Fixes #n", so its merge closed the issue, naming the merge commit; without, the issue stays
 * as it is (a person may close it later by hand).
 */
export function mergePullRequest(
  s: GitHubState,
  number: number,
  pullNumber: number,
  mergeSha: string,
  closes = true
): FakeIssue {
  const at = iso(s.now())
  const pull =
    s.issues.find((i) => i.number === pullNumber) ??
    addIssue(s, {
      number: pullNumber,
      title: `Fix #${number}`,
      body: `Fixes #${number}`,
      pull_request: true,
      user_login: PERSON_LOGIN
    })
  if (!pull.pull_request) throw new Error(`FakeGitHub: #${pullNumber} is not a pull request`)
  pull.state = 'closed'
  pull.closed_at = at
  pull.closed_by_login = PERSON_LOGIN
  s.touch(pull, s.now())
  storeOf(s).merged.set(pullNumber, at)
  record(s, pullNumber, { event: 'merged', at, actor: PERSON_LOGIN, commitId: mergeSha })
  record(s, pullNumber, { event: 'closed', at, actor: PERSON_LOGIN, commitId: null })
  record(s, number, {
    event: 'cross-referenced',
    at,
    actor: PERSON_LOGIN,
    commitId: null,
    source: pullNumber
  })
  const issue = s.issues.find((i) => i.number === number)
  if (!issue) throw new Error(`FakeGitHub: no issue #${number}`)
  if (!closes) return issue
  const closed = personClose(s, number, 'completed')
  record(s, number, {
    event: 'closed',
    at: closed.closed_at ?? at,
    actor: PERSON_LOGIN,
    commitId: mergeSha
  })
  return closed
}

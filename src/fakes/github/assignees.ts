/**
 * An issue's assignees, one login at a time: `POST …/issues/{n}/assignees` adds (201 with the
 * issue) and `DELETE …/issues/{n}/assignees` removes (200 with the issue), as GitHub does:
 * logins it cannot assign are left out silently (unlike the issue's PATCH, which answers 422),
 * at most 10 assignees, and a token without push access changes nothing. Every change is an
 * `assigned` / `unassigned` event in the issue's timeline (see timeline.ts).
 */
import {
  has,
  invalidRequest,
  iso,
  lower,
  objectBody,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import { PERSON_LOGIN, type FakeIssue, type GitHubState } from './state.js'
import { recordAssignment } from './timeline.js'

const PATH = '/repos/:owner/:repo/issues/#number/assignees'
const DOCS_ADD = 'https://docs.github.com/rest/issues/assignees#add-assignees-to-an-issue'
const DOCS_REMOVE = 'https://docs.github.com/rest/issues/assignees#remove-assignees-from-an-issue'
const MAX_ASSIGNEES = 10

export const assigneeRoutes: Route[] = [
  { method: 'POST', path: PATH, handle: (s, ctx, p) => change(s, Number(p.number), ctx, 'add') },
  {
    method: 'DELETE',
    path: PATH,
    handle: (s, ctx, p) => change(s, Number(p.number), ctx, 'remove')
  }
]

function loginsOf(ctx: Ctx, docs: string): string[] {
  const body = objectBody(ctx, docs)
  if (!has(body, 'assignees')) return []
  const value = body['assignees']
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidRequest(
      docs,
      `For 'properties/assignees', ${JSON.stringify(value)} is not an array of strings.`
    )
  }
  return value as string[]
}

function change(s: GitHubState, number: number, ctx: Ctx, how: 'add' | 'remove'): Reply {
  const docs = how === 'add' ? DOCS_ADD : DOCS_REMOVE
  const issue = s.resolveIssue(number, ctx, docs)
  const logins = loginsOf(ctx, docs)
  if (s.pushAccess) {
    if (how === 'add') addLogins(s, issue, logins, s.userLogin)
    else removeLogins(s, issue, logins, s.userLogin)
  }
  return { status: how === 'add' ? 201 : 200, body: s.renderIssue(issue) }
}

function canAssign(s: GitHubState, issue: FakeIssue, login: string): string | undefined {
  const known = s.assignableUsers?.find((u) => lower(u) === lower(login))
  if (known) return known
  const involved = [issue.user_login, ...issue.comments.map((c) => c.user_login ?? s.userLogin)]
  const found = involved.find((u) => lower(u) === lower(login))
  if (found) return found
  return s.assignableUsers === undefined ? login : undefined
}

/** Adds the logins that can be assigned (up to 10 in all), each an `assigned` event. */
export function addLogins(s: GitHubState, issue: FakeIssue, logins: string[], actor: string): void {
  const nowMs = s.now()
  let changed = false
  for (const login of logins) {
    const name = canAssign(s, issue, login)
    if (!name || issue.assignees.some((a) => lower(a) === lower(name))) continue
    if (issue.assignees.length >= MAX_ASSIGNEES) break
    issue.assignees.push(name)
    recordAssignment(s, issue.number, 'assigned', name, actor, iso(nowMs))
    changed = true
  }
  if (changed) s.touch(issue, nowMs)
}

/** Removes the logins assigned, each an `unassigned` event. */
export function removeLogins(
  s: GitHubState,
  issue: FakeIssue,
  logins: string[],
  actor: string
): void {
  const nowMs = s.now()
  let changed = false
  for (const login of logins) {
    const found = issue.assignees.find((a) => lower(a) === lower(login))
    if (!found) continue
    issue.assignees = issue.assignees.filter((a) => a !== found)
    recordAssignment(s, issue.number, 'unassigned', found, actor, iso(nowMs))
    changed = true
  }
  if (changed) s.touch(issue, nowMs)
}

/** A person (`PERSON_LOGIN`) assigns or unassigns people on GitHub. */
export function personAssign(
  s: GitHubState,
  number: number,
  add: string[],
  remove: string[] = []
): FakeIssue {
  const issue = s.issues.find((i) => i.number === number && !i.deleted)
  if (!issue) throw new Error(`Fake GitHub has no issue #${number}`)
  removeLogins(s, issue, remove, PERSON_LOGIN)
  addLogins(s, issue, add, PERSON_LOGIN)
  return issue
}

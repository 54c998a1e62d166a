/**
 * Sub-issues: `POST /repos/{owner}/{repo}/issues/{n}/sub_issues` attaches an issue, named by its
 * `id` (not its number), to a parent, with GitHub's checks: the sub-issue must exist in the
 * repository, may have only one parent (unless `replace_parent`), is not its own parent, and a
 * parent holds at most 100 sub-issues. A GitHub without sub-issues (older GitHub Enterprise
 * Server) answers 404: tests inject that as a fault.
 */
import {
  invalidRequest,
  isRecord,
  objectBody,
  validationFailed,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import type { GitHubState } from './state.js'

const DOCS_ADD = 'https://docs.github.com/rest/issues/sub-issues#add-sub-issue'
/** GitHub's limit of sub-issues per parent. */
export const MAX_SUB_ISSUES = 100

export const subIssueRoutes: Route[] = [
  {
    method: 'POST',
    path: '/repos/:owner/:repo/issues/#number/sub_issues',
    creates: true,
    handle: (s, ctx, p) => addSubIssue(s, Number(p.number), ctx)
  }
]

/** Parent issue number → the ids of its sub-issues, in the order they were added. */
const stores = new WeakMap<GitHubState, Map<number, number[]>>()

function storeOf(s: GitHubState): Map<number, number[]> {
  let store = stores.get(s)
  if (!store) {
    store = new Map()
    stores.set(s, store)
  }
  return store
}

function addSubIssue(s: GitHubState, number: number, ctx: Ctx): Reply {
  const parent = s.resolveIssue(number, ctx, DOCS_ADD)
  const body = objectBody(ctx, DOCS_ADD)
  const id = body['sub_issue_id']
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    throw invalidRequest(
      DOCS_ADD,
      isRecord(body) && 'sub_issue_id' in body
        ? `For 'properties/sub_issue_id', ${JSON.stringify(id)} is not an integer.`
        : `"sub_issue_id" wasn't supplied.`
    )
  }
  const child = s.issues.find((i) => i.id === id && !i.deleted && !i.transferred)
  const invalid = (message: string): Error =>
    validationFailed(DOCS_ADD, {
      resource: 'Issue',
      code: 'invalid',
      field: 'sub_issue_id',
      message
    })
  if (!child || child.pull_request) throw invalid('The provided sub-issue does not exist.')
  if (child === parent) throw invalid('An issue cannot be a sub-issue of itself.')
  const store = storeOf(s)
  const current = [...store].find(([, ids]) => ids.includes(id))?.[0]
  if (current === number) throw invalid('The issue is already a sub-issue of this issue.')
  if (current !== undefined && body['replace_parent'] !== true) {
    throw invalid('The issue already has a parent issue.')
  }
  const siblings = store.get(number) ?? []
  if (siblings.length >= MAX_SUB_ISSUES) {
    throw invalid(`A parent issue can have at most ${MAX_SUB_ISSUES} sub-issues.`)
  }
  if (current !== undefined) {
    store.set(
      current,
      (store.get(current) ?? []).filter((x) => x !== id)
    )
  }
  store.set(number, [...siblings, id])
  s.touch(parent, s.now())
  return { status: 201, body: s.renderIssue(child, { single: true }) }
}

/** The numbers of an issue's sub-issues, in the order they were added. */
export function subIssuesOf(s: GitHubState, number: number): number[] {
  return (storeOf(s).get(number) ?? []).map((id) => s.issues.find((i) => i.id === id)?.number ?? -1)
}

/**
 * Issues: list, create, get and update, with GitHub's checks and 422s; issues by repository id
 * (`/repositories/{id}/issues/{n}`, where the redirect of a transferred issue points); and the
 * seeding and person helpers behind `FakeGitHub.addIssue`, `personEdit`, `transfer`,
 * `deleteIssue`, ….
 */
import {
  DOCS,
  fail,
  has,
  invalidRequest,
  iso,
  lower,
  nodeId,
  notFound,
  notMember,
  objectBody,
  timeOf,
  tooLong,
  validationFailed,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import { canonicalLabels, labelInputs } from './labels.js'
import {
  addMilestone,
  assignable,
  assigneeInputs,
  checkFieldValues,
  existingMilestone,
  fieldValueItems,
  milestoneShape,
  typeInput
} from './metadata.js'
import { sortIssues } from './search.js'
import {
  MAX_BODY,
  PERSON_LOGIN,
  REPO_ID,
  type FakeIssue,
  type FakeIssueFieldValue,
  type GitHubState,
  type MovedIssue
} from './state.js'

const ISSUES = '/repos/:owner/:repo/issues'

export const issueRoutes: Route[] = [
  { method: 'GET', path: ISSUES, handle: listIssues },
  { method: 'POST', path: ISSUES, creates: true, handle: createIssue },
  {
    method: 'GET',
    path: `${ISSUES}/#number`,
    handle: (s, ctx, p) => getIssue(s, Number(p.number), ctx)
  },
  {
    method: 'PATCH',
    path: `${ISSUES}/#number`,
    creates: true,
    handle: (s, ctx, p) => updateIssue(s, Number(p.number), ctx)
  },
  {
    method: 'GET',
    path: '/repositories/:id/issues/:number',
    handle: (s, _ctx, p) => getByRepositoryId(s, Number(p.id), p.number ?? '')
  },
  // GitHub serves every repository route under `/repositories/{id}` too; the fake serves the
  // writes a redirected client repeats there (an update, and a comment: see comments.ts) for
  // moved issues.
  {
    method: 'PATCH',
    path: '/repositories/:id/issues/#number',
    handle: (s, ctx, p) => {
      const moved = s.movedIssue(Number(p.id), Number(p.number))
      if (!moved) throw notFound()
      return updateIssue(s, moved.issue.number, ctx, moved)
    }
  }
]

const MAX_TITLE = 256
const STATE_REASONS = ['completed', 'not_planned', 'reopened', 'duplicate'] as const
type StateReason = (typeof STATE_REASONS)[number]

function listIssues(s: GitHubState, ctx: Ctx): Reply {
  const q = ctx.query
  const state = q.get('state') ?? 'open'
  if (!['open', 'closed', 'all'].includes(state)) {
    throw notMember(DOCS.listIssues, 'state', state, ['open', 'closed', 'all'])
  }
  const sort = q.get('sort') ?? 'created'
  if (!['created', 'updated', 'comments'].includes(sort)) {
    throw notMember(DOCS.listIssues, 'sort', sort, ['created', 'updated', 'comments'])
  }
  const direction = q.get('direction') ?? 'desc'
  if (!['asc', 'desc'].includes(direction)) {
    throw notMember(DOCS.listIssues, 'direction', direction, ['asc', 'desc'])
  }
  const wanted = (q.get('labels') ?? '')
    .split(',')
    .map((l) => lower(l.trim()))
    .filter((l) => l !== '')
  let since = Number.NaN
  const sinceRaw = q.get('since')
  if (sinceRaw !== null && sinceRaw !== '') {
    since = Date.parse(sinceRaw)
    if (Number.isNaN(since)) {
      throw invalidRequest(
        DOCS.listIssues,
        `For 'properties/since', ${JSON.stringify(sinceRaw)} is not a valid date-time.`
      )
    }
  }
  const assignee = q.get('assignee')
  const creator = q.get('creator')
  const milestone = q.get('milestone')
  if (milestone !== null && milestone !== 'none' && milestone !== '*') {
    // GitHub looks the milestone up by number and refuses one that does not exist.
    if (!/^\d+$/.test(milestone) || !s.findMilestone(Number(milestone))) {
      throw validationFailed(DOCS.listIssues, {
        value: milestone,
        resource: 'Issue',
        field: 'milestone',
        code: 'invalid'
      })
    }
  }

  const items = s.issues.filter((issue) => {
    if (issue.deleted || issue.transferred) return false
    if (state !== 'all' && issue.state !== state) return false
    const have = new Set(issue.labels.map(lower))
    if (!wanted.every((l) => have.has(l))) return false
    if (!Number.isNaN(since) && timeOf(issue.updated_at) < since) return false
    if (assignee === 'none' && issue.assignees.length > 0) return false
    if (assignee === '*' && issue.assignees.length === 0) return false
    if (
      assignee !== null &&
      assignee !== 'none' &&
      assignee !== '*' &&
      !issue.assignees.some((a) => lower(a) === lower(assignee))
    ) {
      return false
    }
    if (creator !== null && lower(issue.user_login) !== lower(creator)) return false
    if (milestone === 'none' && issue.milestone !== null) return false
    if (milestone === '*' && issue.milestone === null) return false
    if (milestone !== null && /^\d+$/.test(milestone) && issue.milestone !== Number(milestone)) {
      return false
    }
    return true
  })
  sortIssues(items, sort, direction === 'asc')
  return s.paged(ctx, items, (issue) => s.renderIssue(issue))
}

function createIssue(s: GitHubState, ctx: Ctx): Reply {
  const body = objectBody(ctx, DOCS.createIssue)
  if (!has(body, 'title') || body['title'] === null) {
    throw invalidRequest(DOCS.createIssue, '"title" wasn\'t supplied.')
  }
  const docs = DOCS.createIssue
  const title = checkTitle(body['title'], docs)
  const text = checkBody(body['body'], docs)
  // Without push access GitHub silently drops labels, assignees, milestone, type and field values
  // (after checking their shape).
  const push = s.pushAccess
  const labelNames = has(body, 'labels') ? labelInputs(body['labels'], docs) : []
  const type = has(body, 'type') && push ? typeInput(s, body['type'], docs, 'create') : null
  const assigneeInput = assigneeInputs(body, docs)
  const milestoneRaw = has(body, 'milestone') ? milestoneShape(body['milestone'], docs) : null
  const fieldItems = has(body, 'issue_field_values')
    ? fieldValueItems(body['issue_field_values'], docs, 'properties/issue_field_values')
    : []
  const assignees = push && assigneeInput ? assignable(s, assigneeInput, s.userLogin, [], docs) : []
  const milestone = push ? existingMilestone(s, milestoneRaw, docs) : null
  // Issue field values are only kept where the organisation has issue fields.
  const fieldValues = push && s.issueFields ? checkFieldValues(s, fieldItems, docs) : []
  const now = iso(s.now())
  const id = s.nextIssueId()
  const issue: FakeIssue = {
    number: s.nextNumber(),
    id,
    node_id: nodeId('I', id),
    title,
    body: text ?? null,
    state: 'open',
    state_reason: null,
    labels: push ? canonicalLabels(s, labelNames, 'api') : [],
    assignees,
    milestone,
    type: type ?? null,
    field_values: fieldValues,
    created_at: now,
    updated_at: now,
    closed_at: null,
    locked: false,
    comments: [],
    user_login: s.userLogin
  }
  s.issues.push(issue)
  s.indexVersion(issue)
  const location = `${s.apiRepo(s.loc())}/issues/${issue.number}`
  return { status: 201, body: s.renderIssue(issue, { single: true }), headers: { location } }
}

function getIssue(s: GitHubState, number: number, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS.getIssue)
  return { status: 200, body: s.renderIssue(issue, { single: true }) }
}

function updateIssue(s: GitHubState, number: number, ctx: Ctx, moved?: MovedIssue): Reply {
  const issue = moved?.issue ?? s.resolveIssue(number, ctx, DOCS.updateIssue)
  const body = objectBody(ctx, DOCS.updateIssue)
  const docs = DOCS.updateIssue

  // Validate everything before changing anything.
  const title = has(body, 'title') ? checkTitle(body['title'], docs) : undefined
  const text = has(body, 'body') ? checkBody(body['body'], docs) : undefined
  let state: 'open' | 'closed' | undefined
  if (has(body, 'state')) {
    const s = body['state']
    if (s !== 'open' && s !== 'closed') throw notMember(docs, 'state', s, ['open', 'closed'])
    state = s
  }
  let reason: StateReason | null | undefined
  if (has(body, 'state_reason')) {
    const r = body['state_reason']
    const allowed: unknown[] = s.rejectDuplicateStateReason
      ? ['completed', 'not_planned', 'reopened', null]
      : [...STATE_REASONS, null]
    if (!allowed.includes(r)) throw notMember(docs, 'state_reason', r, allowed)
    reason = r as StateReason | null
  }
  let duplicateOf: FakeIssue | undefined
  if (state === 'closed' && reason === 'duplicate' && has(body, 'duplicate_issue_id')) {
    const target = body['duplicate_issue_id']
    duplicateOf = s.issues.find(
      (i) => typeof target === 'number' && i.id === target && !i.deleted && !i.transferred
    )
    if (!duplicateOf || duplicateOf === issue) {
      throw validationFailed(docs, {
        resource: 'Issue',
        code: 'invalid',
        field: 'duplicate_issue_id',
        message:
          duplicateOf === issue
            ? 'An issue cannot be a duplicate of itself'
            : 'duplicate_issue_id must refer to an existing issue'
      })
    }
  }
  const push = s.pushAccess
  const labelInput = has(body, 'labels') ? labelInputs(body['labels'], docs) : undefined
  const labelNames = push ? labelInput : undefined
  const typeAsked = has(body, 'type') ? typeInput(s, body['type'], docs, 'update') : undefined
  const type = push ? typeAsked : undefined
  let fieldValues: FakeIssueFieldValue[] | undefined
  if (has(body, 'issue_field_values') && push && s.issueFields) {
    const raw = body['issue_field_values']
    if (!Array.isArray(raw)) {
      throw fail(422, 'Invalid request: issue_field_values must be an array', docs)
    }
    // PATCH sets them: fields left out lose their value.
    fieldValues = checkFieldValues(s, fieldValueItems(raw, docs, 'items', true), docs)
  }
  const assigneeInput = assigneeInputs(body, docs)
  const assignees =
    push && assigneeInput
      ? assignable(
          s,
          assigneeInput,
          issue.user_login,
          issue.comments.map((c) => c.user_login ?? s.userLogin),
          docs
        )
      : undefined
  let milestone: number | null | undefined
  if (has(body, 'milestone') && push) {
    const raw = body['milestone']
    milestone =
      raw === null || raw === '' ? null : existingMilestone(s, milestoneShape(raw, docs), docs)
  }

  const before = JSON.stringify(issue)
  const nowMs = s.now()
  if (title !== undefined) issue.title = title
  if (text !== undefined) issue.body = text
  if (labelNames !== undefined) issue.labels = canonicalLabels(s, labelNames, 'api')
  if (assignees !== undefined) issue.assignees = assignees
  if (milestone !== undefined) issue.milestone = milestone
  if (type !== undefined) issue.type = type
  if (fieldValues !== undefined) issue.field_values = fieldValues
  if (state === 'closed') {
    if (issue.state === 'open') {
      issue.state = 'closed'
      issue.closed_at = iso(nowMs)
      issue.closed_by_login = s.userLogin
      issue.state_reason =
        reason === undefined || reason === null || reason === 'reopened' ? 'completed' : reason
    } else if (reason !== undefined && reason !== null && reason !== 'reopened') {
      issue.state_reason = reason
    }
    if (issue.state_reason === 'duplicate') {
      issue.duplicate_of_id = duplicateOf?.id ?? issue.duplicate_of_id ?? null
    } else {
      issue.duplicate_of_id = null
    }
  } else if (state === 'open' && issue.state === 'closed') {
    issue.state = 'open'
    issue.state_reason = 'reopened'
    issue.closed_at = null
    issue.closed_by_login = null
    issue.duplicate_of_id = null
  }
  if (JSON.stringify(issue) !== before) s.touch(issue, nowMs)
  return { status: 200, body: s.renderIssue(issue, { single: true, ...moved }) }
}

function getByRepositoryId(s: GitHubState, repoId: number, n: string): Reply {
  if (!/^\d+$/.test(n)) throw notFound(DOCS.getIssue)
  const number = Number(n)
  if (repoId === REPO_ID) {
    const issue = s.issues.find((i) => i.number === number)
    if (!issue || issue.transferred) throw notFound(DOCS.getIssue)
    if (issue.deleted) throw fail(410, 'This issue was deleted', DOCS.getIssue)
    return { status: 200, body: s.renderIssue(issue, { single: true }) }
  }
  const moved = s.movedIssue(repoId, number)
  if (!moved) throw notFound(DOCS.getIssue)
  return { status: 200, body: s.renderIssue(moved.issue, { single: true, ...moved }) }
}

function checkTitle(value: unknown, docs: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw invalidRequest(
      docs,
      `For 'properties/title', ${JSON.stringify(value)} is not a string or integer.`
    )
  }
  const title = String(value)
  if (title.trim() === '') {
    throw validationFailed(docs, { resource: 'Issue', code: 'missing_field', field: 'title' })
  }
  if (title.length > MAX_TITLE) {
    throw tooLong(docs, 'Issue', 'title', MAX_TITLE)
  }
  return title
}

function checkBody(value: unknown, docs: string): string | null | undefined {
  if (value === undefined || value === null) return value
  if (typeof value !== 'string') {
    throw invalidRequest(
      docs,
      `For 'properties/body', ${JSON.stringify(value)} is not a string or null.`
    )
  }
  if (value.length > MAX_BODY) {
    throw tooLong(docs, 'Issue', 'body', MAX_BODY)
  }
  return value
}

// ---------------------------------------------------------------------------------------------
// Seeding, and a person acting on GitHub between runs (as `PERSON_LOGIN`, not the token's user).
// Each change is stored as GitHub would make it: `updated_at` touched, and search sees it after
// the lag. `FakeGitHub` documents each helper.
// ---------------------------------------------------------------------------------------------

export function addIssue(
  s: GitHubState,
  partial: Partial<FakeIssue> & { title: string }
): FakeIssue {
  const now = s.now()
  const createdAt = partial.created_at ? iso(Date.parse(partial.created_at)) : iso(now)
  const updatedAt = partial.updated_at ? iso(Date.parse(partial.updated_at)) : createdAt
  const state = partial.state ?? 'open'
  const id = partial.id ?? s.nextIssueId()
  const issue: FakeIssue = {
    ...partial,
    number: partial.number ?? s.nextNumber(),
    id,
    node_id: partial.node_id ?? nodeId(partial.pull_request ? 'PR' : 'I', id),
    title: partial.title,
    body: partial.body ?? null,
    state,
    state_reason: partial.state_reason ?? (state === 'closed' ? 'completed' : null),
    labels: canonicalLabels(s, partial.labels ?? [], 'seed'),
    assignees: [...(partial.assignees ?? [])],
    milestone: partial.milestone ?? null,
    type: partial.type ?? null,
    field_values: (partial.field_values ?? []).map((v) => ({ ...v })),
    created_at: createdAt,
    updated_at: updatedAt,
    closed_at: partial.closed_at ?? (state === 'closed' ? updatedAt : null),
    locked: partial.locked ?? false,
    comments: (partial.comments ?? []).map((c) => ({ ...c })),
    user_login: partial.user_login ?? s.userLogin
  }
  if (issue.milestone !== null && !s.findMilestone(issue.milestone)) {
    addMilestone(s, `Milestone ${issue.milestone}`, { number: issue.milestone })
  }
  s.issues.push(issue)
  s.indexVersion(issue, Date.parse(updatedAt))
  return issue
}

export function personEdit(s: GitHubState, number: number, body: string): FakeIssue {
  const issue = personIssue(s, number)
  issue.body = body
  s.touch(issue, s.now())
  return issue
}

export function personClose(
  s: GitHubState,
  number: number,
  reason: 'completed' | 'not_planned' | 'duplicate',
  duplicateOf?: number
): FakeIssue {
  const issue = personIssue(s, number)
  const original = duplicateOf === undefined ? undefined : personIssue(s, duplicateOf)
  if ((reason === 'duplicate') !== (original !== undefined) || original === issue) {
    throw new Error('FakeGitHub.personClose: a duplicate needs another issue, only a duplicate')
  }
  const nowMs = s.now()
  if (issue.state === 'open') issue.closed_at = iso(nowMs)
  issue.state = 'closed'
  issue.state_reason = reason
  issue.closed_by_login = PERSON_LOGIN
  issue.duplicate_of_id = original?.id ?? null
  s.touch(issue, nowMs)
  return issue
}

export function personReopen(s: GitHubState, number: number): FakeIssue {
  const issue = personIssue(s, number)
  issue.state = 'open'
  issue.state_reason = 'reopened'
  issue.closed_at = null
  issue.closed_by_login = null
  issue.duplicate_of_id = null
  s.touch(issue, s.now())
  return issue
}

export function personSetLabels(s: GitHubState, number: number, labels: string[]): FakeIssue {
  const issue = personIssue(s, number)
  issue.labels = canonicalLabels(s, labels, 'seed')
  s.touch(issue, s.now())
  return issue
}

export function transfer(
  s: GitHubState,
  number: number,
  to?: { owner: string; repo: string; number: number },
  opts: { readable?: boolean } = {}
): FakeIssue {
  const issue = personIssue(s, number)
  issue.transferred = true
  if (to) issue.transferred_to = { ...to }
  issue.transferred_unreadable = opts.readable === false
  s.touch(issue, s.now())
  return issue
}

export function deleteIssue(s: GitHubState, number: number): void {
  const issue = personIssue(s, number)
  issue.deleted = true
  s.touch(issue, s.now())
}

export function lock(s: GitHubState, number: number): FakeIssue {
  const issue = personIssue(s, number)
  issue.locked = true
  s.touch(issue, s.now())
  return issue
}

function personIssue(s: GitHubState, number: number): FakeIssue {
  const issue = s.issues.find((i) => i.number === number && !i.deleted && !i.transferred)
  if (!issue) throw new Error(`FakeGitHub: no issue #${number} in ${s.owner}/${s.repo}`)
  return issue
}

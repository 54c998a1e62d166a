/**
 * Issue metadata and the reads of a set-up check: milestones (list, create, and `addMilestone`
 * for seeding), the owner's issue types, the organisation's issue fields and their values on
 * issues, who can be assigned, and the repository itself. Also the checks an issue create or
 * update makes of its `milestone`, `type`, `assignees` and `issue_field_values`, with GitHub's 422s
 * for an unknown milestone, type, assignee, field or option.
 */
import {
  DOCS,
  fail,
  has,
  invalidRequest,
  isRecord,
  iso,
  lower,
  nodeId,
  notFound,
  notMember,
  objectBody,
  timeOf,
  validationFailed,
  type ApiError,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import {
  REPO_ID,
  type FakeIssueField,
  type FakeIssueFieldValue,
  type FakeMilestone,
  type GitHubState
} from './state.js'

const REPO = '/repos/:owner/:repo'
const FIELD_VALUES = `${REPO}/issues/#number/issue-field-values`

export const metadataRoutes: Route[] = [
  { method: 'GET', path: `${REPO}/milestones`, handle: listMilestones },
  { method: 'POST', path: `${REPO}/milestones`, creates: true, handle: createMilestone },
  {
    method: 'GET',
    path: '/orgs/:org/issue-types',
    handle: (s, _ctx, p) => listIssueTypes(s, p.org ?? '')
  },
  {
    method: 'GET',
    path: '/orgs/:org/issue-fields',
    handle: (s, _ctx, p) => listIssueFields(s, p.org ?? '')
  },
  {
    method: 'GET',
    path: FIELD_VALUES,
    handle: (s, ctx, p) => listFieldValues(s, Number(p.number), ctx)
  },
  {
    method: 'POST',
    path: FIELD_VALUES,
    creates: true,
    handle: (s, ctx, p) => addFieldValues(s, Number(p.number), ctx)
  },
  {
    method: 'GET',
    path: `${REPO}/assignees/:login`,
    handle: (s, _ctx, p) => checkAssignee(s, p.login ?? '')
  },
  { method: 'GET', path: REPO, handle: getRepository }
]

// ---------------------------------------------------------------------------------------------
// Milestones
// ---------------------------------------------------------------------------------------------

/**
 * Seeds a milestone. Defaults: the next number, open, no description or due date, created now by
 * the token's user. Throws when the number is taken.
 */
export function addMilestone(
  s: GitHubState,
  title: string,
  opts: Partial<Omit<FakeMilestone, 'title'>> = {}
): FakeMilestone {
  const number = opts.number ?? s.milestones.reduce((max, m) => Math.max(max, m.number), 0) + 1
  if (s.findMilestone(number)) throw new Error(`FakeGitHub: milestone ${number} exists`)
  const now = iso(s.now())
  const state = opts.state ?? 'open'
  const milestone: FakeMilestone = {
    number,
    id: opts.id ?? 9_000_000 + number,
    title,
    description: opts.description ?? null,
    state,
    due_on: opts.due_on ?? null,
    created_at: opts.created_at ?? now,
    updated_at: opts.updated_at ?? opts.created_at ?? now,
    closed_at: opts.closed_at ?? (state === 'closed' ? now : null),
    creator_login: opts.creator_login ?? s.userLogin
  }
  s.milestones.push(milestone)
  return milestone
}

function listMilestones(s: GitHubState, ctx: Ctx): Reply {
  const docs = DOCS.listMilestones
  const q = ctx.query
  const state = q.get('state') ?? 'open'
  if (!['open', 'closed', 'all'].includes(state)) {
    throw notMember(docs, 'state', state, ['open', 'closed', 'all'])
  }
  const sort = q.get('sort') ?? 'due_on'
  if (!['due_on', 'completeness'].includes(sort)) {
    throw notMember(docs, 'sort', sort, ['due_on', 'completeness'])
  }
  const direction = q.get('direction') ?? 'asc'
  if (!['asc', 'desc'].includes(direction)) {
    throw notMember(docs, 'direction', direction, ['asc', 'desc'])
  }
  const completeness = (m: FakeMilestone): number => {
    const mine = s.issues.filter((i) => i.milestone === m.number && !i.deleted && !i.transferred)
    return mine.length === 0 ? 0 : mine.filter((i) => i.state === 'closed').length / mine.length
  }
  // Ascending by due date puts milestones without one last.
  const key = (m: FakeMilestone): number =>
    sort === 'completeness' ? completeness(m) : m.due_on === null ? Infinity : timeOf(m.due_on)
  const items = s.milestones
    .filter((m) => state === 'all' || m.state === state)
    .sort((x, y) => {
      const a = key(x)
      const b = key(y)
      const diff = a === b ? 0 : a < b ? -1 : 1
      return (direction === 'asc' ? diff : -diff) || x.number - y.number
    })
  return s.paged(ctx, items, (m) => s.renderMilestone(m.number, s.loc()))
}

function createMilestone(s: GitHubState, ctx: Ctx): Reply {
  const docs = DOCS.createMilestone
  const body = objectBody(ctx, docs)
  if (!has(body, 'title') || body['title'] === null) {
    throw invalidRequest(docs, '"title" wasn\'t supplied.')
  }
  const title = body['title']
  if (typeof title !== 'string') {
    throw invalidRequest(docs, `For 'properties/title', ${JSON.stringify(title)} is not a string.`)
  }
  if (title.trim() === '') {
    throw validationFailed(docs, { resource: 'Milestone', code: 'missing_field', field: 'title' })
  }
  const state = body['state'] ?? 'open'
  if (state !== 'open' && state !== 'closed') {
    throw notMember(docs, 'state', state, ['open', 'closed'])
  }
  const description = body['description'] ?? null
  if (description !== null && typeof description !== 'string') {
    throw invalidRequest(
      docs,
      `For 'properties/description', ${JSON.stringify(description)} is not a string.`
    )
  }
  const dueRaw = body['due_on'] ?? null
  if (dueRaw !== null && (typeof dueRaw !== 'string' || Number.isNaN(Date.parse(dueRaw)))) {
    throw invalidRequest(
      docs,
      `For 'properties/due_on', ${JSON.stringify(dueRaw)} is not a date-time.`
    )
  }
  if (s.milestones.some((m) => lower(m.title) === lower(title))) {
    throw validationFailed(docs, {
      resource: 'Milestone',
      code: 'already_exists',
      field: 'title'
    })
  }
  const milestone = addMilestone(s, title, {
    state,
    description,
    due_on: dueRaw === null ? null : iso(Date.parse(dueRaw))
  })
  const rendered = s.renderMilestone(milestone.number, s.loc())
  return { status: 201, body: rendered, headers: { location: String(rendered['url']) } }
}

// ---------------------------------------------------------------------------------------------
// Set-up checks (reads only)
// ---------------------------------------------------------------------------------------------

/** `GET /orgs/{org}/issue-types`: the owner's issue types; 404 for a user's repository. */
function listIssueTypes(s: GitHubState, org: string): Reply {
  if (lower(org) !== lower(s.owner) || s.ownerType !== 'Organization') {
    throw notFound(DOCS.root)
  }
  return {
    status: 200,
    body: (s.issueTypes ?? []).map((t) => s.renderIssueType(t.name))
  }
}

/** `GET /repos/{owner}/{repo}/assignees/{login}`: 204 when the login can be assigned, else 404. */
function checkAssignee(s: GitHubState, login: string): Reply {
  const ok = s.assignableUsers?.some((u) => lower(u) === lower(login)) ?? true
  if (!ok) throw notFound(DOCS.root)
  return { status: 204 }
}

/**
 * `GET /repos/{owner}/{repo}`. The repository carries `permissions` (push from `pushAccess`)
 * except for installation tokens (`ghs_…`), for which GitHub leaves the key out; `x-oauth-scopes`
 * comes from `oauthScopes`.
 */
function getRepository(s: GitHubState): Reply {
  const body = renderRepository(s)
  const headers: Record<string, string> = s.oauthScopes
    ? { 'x-oauth-scopes': s.oauthScopes.join(', ') }
    : {}
  return { status: 200, body, headers }
}

/** The repository as GitHub renders it (also the `repo` of a pull request's head and base). */
export function renderRepository(s: GitHubState): Record<string, unknown> {
  const api = s.apiRepo(s.loc())
  const html = s.htmlRepo(s.loc())
  const owner = s.renderUser(s.owner)
  owner['type'] = s.ownerType
  const urls = Object.fromEntries(
    ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits']
      .concat(['compare', 'contents', 'contributors', 'deployments', 'downloads', 'events'])
      .concat(['forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment'])
      .concat(['issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones'])
      .concat(['notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers'])
      .concat(['subscription', 'tags', 'teams', 'trees'])
      .map((name) => [`${name}_url`, `${api}/${name.replace('_', '/')}`])
  )
  const time = '2024-01-01T00:00:00Z'
  const body: Record<string, unknown> = {
    ...urls,
    id: REPO_ID,
    node_id: nodeId('R', REPO_ID),
    name: s.repo,
    full_name: `${s.owner}/${s.repo}`,
    owner,
    private: false,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    clone_url: `${html}.git`,
    git_url: `${html.replace(/^https?/, 'git')}.git`,
    ssh_url: `git@${new URL(html).host}:${s.owner}/${s.repo}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    default_branch: s.defaultBranch,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: s.issues.filter((i) => i.state === 'open').length,
    open_issues_count: s.issues.filter((i) => i.state === 'open').length,
    size: 100,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: time,
    created_at: time,
    updated_at: time,
    network_count: 0,
    subscribers_count: 0,
    ...(s.token.startsWith('ghs_')
      ? {}
      : {
          permissions: {
            admin: false,
            maintain: false,
            push: s.pushAccess,
            triage: s.pushAccess,
            pull: true
          }
        })
  }
  return body
}
// ---------------------------------------------------------------------------------------------
// Issue fields
// ---------------------------------------------------------------------------------------------

function listIssueFields(s: GitHubState, org: string): Reply {
  if (lower(org) !== lower(s.owner) || s.ownerType !== 'Organization' || !s.issueFields) {
    throw notFound(DOCS.listIssueFields)
  }
  return { status: 200, body: s.issueFields.map((f) => renderIssueField(f)) }
}

function listFieldValues(s: GitHubState, number: number, ctx: Ctx): Reply {
  if (!s.issueFields) throw notFound(DOCS.listFieldValues)
  const issue = s.resolveIssue(number, ctx, DOCS.listFieldValues)
  return s.paged(ctx, s.renderFieldValues(issue), (v) => v)
}

/**
 * Adds or updates the values given and leaves the others; an empty array clears them all.
 * Answers every value of the issue.
 */
function addFieldValues(s: GitHubState, number: number, ctx: Ctx): Reply {
  const docs = DOCS.addFieldValues
  if (!s.issueFields) throw notFound(docs)
  const issue = s.resolveIssue(number, ctx, docs)
  if (!s.pushAccess) throw fail(403, 'Resource not accessible by integration', docs)
  let input: unknown = ctx.body
  if (isRecord(input)) {
    if (!has(input, 'issue_field_values')) {
      throw invalidRequest(docs, '"issue_field_values" wasn\'t supplied.')
    }
    input = input['issue_field_values']
  }
  const values = checkFieldValues(
    s,
    fieldValueItems(input, docs, 'properties/issue_field_values'),
    docs
  )
  const before = JSON.stringify(issue.field_values ?? [])
  if (values.length === 0) {
    issue.field_values = []
  } else {
    const next = [...(issue.field_values ?? [])]
    for (const v of values) {
      const at = next.findIndex((x) => x.field_id === v.field_id)
      if (at === -1) next.push(v)
      else next[at] = v
    }
    issue.field_values = next
  }
  if (JSON.stringify(issue.field_values) !== before) s.touch(issue, s.now())
  return { status: 200, body: s.renderFieldValues(issue) }
}

function renderIssueField(field: FakeIssueField): Record<string, unknown> {
  return {
    id: field.id,
    node_id: field.node_id,
    name: field.name,
    description: field.description,
    data_type: field.data_type,
    ...(field.options ? { options: field.options.map((o) => ({ ...o })) } : {}),
    created_at: field.created_at,
    updated_at: field.updated_at
  }
}

// ---------------------------------------------------------------------------------------------
// What an issue create or update asks for
// ---------------------------------------------------------------------------------------------

/** The assignees asked for, as sent (`assignees` or the older `assignee`; not both). */
export function assigneeInputs(
  body: Record<string, unknown>,
  docs: string
): { key: 'assignees' | 'assignee'; logins: string[] } | undefined {
  if (has(body, 'assignees') && has(body, 'assignee')) {
    throw fail(
      422,
      'You cannot pass both `assignee` and `assignees`. Only one may be provided.',
      docs
    )
  }
  if (has(body, 'assignees')) {
    const v = body['assignees']
    if (v === null) return { key: 'assignees', logins: [] }
    const logins = Array.isArray(v)
      ? v.map((a: unknown) =>
          typeof a === 'string'
            ? a
            : isRecord(a) && typeof a['login'] === 'string'
              ? a['login']
              : undefined
        )
      : undefined
    if (!logins || logins.some((a) => a === undefined)) {
      throw invalidRequest(
        docs,
        `For 'properties/assignees', ${JSON.stringify(v)} is not an array of strings.`
      )
    }
    return { key: 'assignees', logins: logins as string[] }
  }
  if (has(body, 'assignee')) {
    const v = body['assignee']
    if (v === null || v === '') return { key: 'assignee', logins: [] }
    if (typeof v !== 'string') {
      throw invalidRequest(
        docs,
        `For 'properties/assignee', ${JSON.stringify(v)} is not a string or null.`
      )
    }
    return { key: 'assignee', logins: [v] }
  }
  return undefined
}

/**
 * The logins to assign, blanks and duplicates (case-insensitively) left out; answers 422 for the
 * first one that cannot be assigned, as GitHub does: not in `assignableUsers` (when set) and
 * neither the issue's author nor one of its commenters.
 */
export function assignable(
  s: GitHubState,
  input: { key: 'assignees' | 'assignee'; logins: string[] },
  author: string,
  commenters: string[],
  docs: string
): string[] {
  const out: string[] = []
  for (const login of input.logins) {
    if (login.trim() === '' || out.some((a) => lower(a) === lower(login))) continue
    const known = s.assignableUsers?.find((u) => lower(u) === lower(login))
    const involved = [author, ...commenters].find((u) => lower(u) === lower(login))
    if (s.assignableUsers !== undefined && known === undefined && involved === undefined) {
      throw validationFailed(docs, {
        value: login,
        resource: 'Issue',
        field: input.key,
        code: 'invalid'
      })
    }
    out.push(known ?? involved ?? login)
  }
  return out
}

/** Checks the shape of a `milestone` (a number or a string; null for none). */
export function milestoneShape(value: unknown, docs: string): number | string | null {
  if (value === null) return null
  if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string') {
    return value
  }
  throw invalidRequest(
    docs,
    `For 'properties/milestone', ${JSON.stringify(value)} is not a string or integer or null.`
  )
}

/** The number of an existing milestone; 422 (`invalid`, with the value sent) otherwise. */
export function existingMilestone(
  s: GitHubState,
  value: number | string | null,
  docs: string
): number | null {
  if (value === null) return null
  const number =
    typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (s.findMilestone(number)) return number
  throw validationFailed(docs, { value, resource: 'Issue', field: 'milestone', code: 'invalid' })
}

/**
 * The issue type name for a `type` (canonical case), null for none, undefined for "leave as is".
 * Creating: on an organisation, an unknown name (or any name when it has no issue types) answers
 * 422; on a user's repository it is ignored. Updating: `null` or `''` removes the type; an
 * unknown name answers 422 when the owner has issue types, and is ignored when it has none.
 */
export function typeInput(
  s: GitHubState,
  value: unknown,
  docs: string,
  mode: 'create' | 'update'
): string | null | undefined {
  let name: unknown = value
  if (mode === 'update' && isRecord(value)) name = value['value'] ?? null
  if (name !== null && typeof name !== 'string') {
    throw invalidRequest(
      docs,
      `For 'properties/type', ${JSON.stringify(value)} is not a string or null.`
    )
  }
  const org = s.ownerType === 'Organization'
  const invalid = (): ApiError =>
    validationFailed(docs, { value: name, resource: 'Issue', field: 'type', code: 'invalid' })
  if (mode === 'create') {
    if (name === null || !org) return null
    const found = s.issueTypes?.find((t) => lower(t.name) === lower(name))
    if (!found) throw invalid()
    return found.name
  }
  if (!org || s.issueTypes === undefined) return undefined
  if (name === null || name === '') return null
  const found = s.issueTypes.find((t) => lower(t.name) === lower(name))
  if (!found) throw invalid()
  return found.name
}

/**
 * Checks the shape of issue field values (an array of `{field_id, value}`, as the request schema
 * says); `extraKeys` allows the update endpoint's suggestion keys.
 */
export function fieldValueItems(
  value: unknown,
  docs: string,
  where: string,
  extraKeys = false
): Array<{ field_id: number; value: unknown }> {
  if (!Array.isArray(value)) {
    throw invalidRequest(docs, `For '${where}', ${JSON.stringify(value)} is not an array.`)
  }
  const allowed = new Set([
    'field_id',
    'value',
    ...(extraKeys ? ['rationale', 'suggest', 'confidence'] : [])
  ])
  return value.map((item: unknown) => {
    if (!isRecord(item)) {
      throw invalidRequest(docs, `For 'items', ${JSON.stringify(item)} is not an object.`)
    }
    for (const key of ['field_id', 'value']) {
      if (!has(item, key)) throw invalidRequest(docs, `"${key}" wasn't supplied.`)
    }
    const extra = Object.keys(item).find((k) => !allowed.has(k))
    if (extra !== undefined) {
      throw invalidRequest(docs, `For 'items', "${extra}" is not a permitted key.`)
    }
    const fieldId = item['field_id']
    if (typeof fieldId !== 'number' || !Number.isInteger(fieldId)) {
      throw invalidRequest(
        docs,
        `For 'properties/field_id', ${JSON.stringify(fieldId)} is not an integer.`
      )
    }
    const v = item['value']
    if (
      typeof v !== 'string' &&
      typeof v !== 'number' &&
      !(Array.isArray(v) && v.every((x) => typeof x === 'string'))
    ) {
      throw invalidRequest(
        docs,
        `For 'properties/value', ${JSON.stringify(v)} is not a string or number or array.`
      )
    }
    return { field_id: fieldId, value: v }
  })
}

/**
 * Resolves issue field values against the organisation's fields, first value of a field winning.
 * Answers 422 with GitHub's messages for an unknown field id, an unknown option name, a text field
 * given a non-string and a number field given a non-number.
 */
export function checkFieldValues(
  s: GitHubState,
  items: Array<{ field_id: number; value: unknown }>,
  docs: string
): FakeIssueFieldValue[] {
  const out: FakeIssueFieldValue[] = []
  for (const { field_id: id, value } of items) {
    if (out.some((v) => v.field_id === id)) continue
    const field = s.issueFields?.find((f) => f.id === id)
    if (!field) throw fail(422, `Issue field with id ${id} not found`, docs)
    switch (field.data_type) {
      case 'text':
        if (typeof value !== 'string') {
          throw fail(422, `Issue field value for field with id ${id} must be a string`, docs)
        }
        out.push({ field_id: id, value })
        break
      case 'number':
        if (typeof value !== 'number') {
          throw fail(422, `Issue field value for field with id ${id} must be a number`, docs)
        }
        out.push({ field_id: id, value })
        break
      case 'single_select': {
        const option =
          typeof value === 'string'
            ? field.options?.find((o) => lower(o.name) === lower(value))
            : undefined
        if (!option) {
          throw fail(
            422,
            `Issue field option with name ${Array.isArray(value) ? value.join(',') : String(value)} does not exist`,
            docs
          )
        }
        out.push({ field_id: id, value: option.name })
        break
      }
      case 'date':
        // GitHub's endpoint does not check dates itself; the store refuses what is not a date.
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
          throw fail(
            422,
            `Failed to update issue field values: ${JSON.stringify(value)} is not a valid date`,
            docs
          )
        }
        out.push({ field_id: id, value: value.slice(0, 10) })
        break
    }
  }
  return out
}

/**
 * Labels: the repository's labels (list, get, create, update, delete) and the labels on an issue
 * (list, add, set, remove one, remove all), with GitHub's checks of names, colours and
 * descriptions. Unknown label names on issue writes are created with the default colour, or
 * dropped when the token may not create labels (`forbidLabelCreation`).
 */
import {
  DOCS,
  fail,
  has,
  invalidRequest,
  isRecord,
  lower,
  notFound,
  objectBody,
  tooLong,
  validationFailed,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import { DEFAULT_LABEL_COLOR, type FakeLabel, type GitHubState } from './state.js'

const ISSUE_LABELS = '/repos/:owner/:repo/issues/#number/labels'
const LABELS = '/repos/:owner/:repo/labels'

export const labelRoutes: Route[] = [
  {
    method: 'GET',
    path: ISSUE_LABELS,
    handle: (s, ctx, p) => listIssueLabels(s, Number(p.number), ctx)
  },
  {
    method: 'POST',
    path: ISSUE_LABELS,
    handle: (s, ctx, p) => addIssueLabels(s, Number(p.number), ctx, false)
  },
  {
    method: 'PUT',
    path: ISSUE_LABELS,
    handle: (s, ctx, p) => addIssueLabels(s, Number(p.number), ctx, true)
  },
  {
    method: 'DELETE',
    path: ISSUE_LABELS,
    handle: (s, ctx, p) => clearIssueLabels(s, Number(p.number), ctx)
  },
  {
    method: 'DELETE',
    path: `${ISSUE_LABELS}/:name`,
    handle: (s, ctx, p) => removeIssueLabel(s, Number(p.number), p.name ?? '', ctx)
  },
  { method: 'GET', path: LABELS, handle: listLabels },
  { method: 'POST', path: LABELS, creates: true, handle: createLabel },
  { method: 'GET', path: `${LABELS}/:name`, handle: (s, _ctx, p) => getLabel(s, p.name ?? '') },
  {
    method: 'PATCH',
    path: `${LABELS}/:name`,
    handle: (s, ctx, p) => updateLabel(s, p.name ?? '', ctx)
  },
  {
    method: 'DELETE',
    path: `${LABELS}/:name`,
    handle: (s, _ctx, p) => deleteLabel(s, p.name ?? '')
  }
]

const MAX_LABEL_NAME = 50
const MAX_LABEL_DESCRIPTION = 100

// ---------------------------------------------------------------------------------------------
// Labels on issues
// ---------------------------------------------------------------------------------------------

function listIssueLabels(s: GitHubState, number: number, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS.issueLabels)
  return s.paged(ctx, issue.labels, (name) => s.renderLabel(s.labelFor(name)))
}

function addIssueLabels(s: GitHubState, number: number, ctx: Ctx, replace: boolean): Reply {
  const docs = replace ? DOCS.setLabels : DOCS.addLabels
  const issue = s.resolveIssue(number, ctx, docs)
  let input: unknown = ctx.body
  if (isRecord(input)) {
    if (!has(input, 'labels')) throw invalidRequest(docs, '"labels" wasn\'t supplied.')
    input = input['labels']
  } else if (typeof input === 'string') {
    input = [input]
  } else if (input === undefined) {
    throw invalidRequest(docs, '"labels" wasn\'t supplied.')
  }
  const names = labelInputs(input, docs)
  const before = JSON.stringify(issue.labels)
  issue.labels = canonicalLabels(s, replace ? names : [...issue.labels, ...names], 'api')
  if (JSON.stringify(issue.labels) !== before) s.touch(issue, s.now())
  return { status: 200, body: issue.labels.map((name) => s.renderLabel(s.labelFor(name))) }
}

function clearIssueLabels(s: GitHubState, number: number, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS.removeLabel)
  if (issue.labels.length > 0) {
    issue.labels = []
    s.touch(issue, s.now())
  }
  return { status: 204 }
}

function removeIssueLabel(s: GitHubState, number: number, name: string, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS.removeLabel)
  const idx = issue.labels.findIndex((l) => lower(l) === lower(name))
  if (idx === -1) throw fail(404, 'Label does not exist', DOCS.removeLabel)
  issue.labels.splice(idx, 1)
  s.touch(issue, s.now())
  return { status: 200, body: issue.labels.map((n) => s.renderLabel(s.labelFor(n))) }
}

// ---------------------------------------------------------------------------------------------
// Repository labels
// ---------------------------------------------------------------------------------------------

function listLabels(s: GitHubState, ctx: Ctx): Reply {
  return s.paged(ctx, [...s.labels], (label) => s.renderLabel(label))
}

function getLabel(s: GitHubState, name: string): Reply {
  const label = s.findLabel(name)
  if (!label) throw notFound(DOCS.getLabel)
  return { status: 200, body: s.renderLabel(label) }
}

function createLabel(s: GitHubState, ctx: Ctx): Reply {
  const docs = DOCS.createLabel
  if (s.forbidLabelCreation) throw fail(403, 'Resource not accessible by integration', docs)
  const body = objectBody(ctx, docs)
  if (!has(body, 'name') || body['name'] === null) {
    throw invalidRequest(docs, '"name" wasn\'t supplied.')
  }
  const name = checkLabelName(body['name'], docs)
  const color = has(body, 'color') ? checkColor(body['color'], docs) : DEFAULT_LABEL_COLOR
  const description = has(body, 'description') ? checkDescription(body['description'], docs) : null
  if (s.findLabel(name)) {
    throw validationFailed(docs, { resource: 'Label', code: 'already_exists', field: 'name' })
  }
  const label: FakeLabel = { id: s.nextLabelId(), name, color, description }
  s.labels.push(label)
  const rendered = s.renderLabel(label)
  return { status: 201, body: rendered, headers: { location: rendered.url } }
}

function updateLabel(s: GitHubState, name: string, ctx: Ctx): Reply {
  const docs = DOCS.updateLabel
  const label = s.findLabel(name)
  if (!label) throw notFound(docs)
  const body = objectBody(ctx, docs)
  const newName = has(body, 'new_name') ? checkLabelName(body['new_name'], docs) : undefined
  const color = has(body, 'color') ? checkColor(body['color'], docs) : undefined
  const description = has(body, 'description')
    ? checkDescription(body['description'], docs)
    : undefined
  if (newName !== undefined) {
    const clash = s.findLabel(newName)
    if (clash && clash !== label) {
      throw validationFailed(docs, { resource: 'Label', code: 'already_exists', field: 'name' })
    }
    for (const issue of s.issues) {
      issue.labels = issue.labels.map((l) => (lower(l) === lower(label.name) ? newName : l))
    }
    label.name = newName
  }
  if (color !== undefined) label.color = color
  if (description !== undefined) label.description = description
  return { status: 200, body: s.renderLabel(label) }
}

function deleteLabel(s: GitHubState, name: string): Reply {
  const label = s.findLabel(name)
  if (!label) throw notFound(DOCS.deleteLabel)
  s.labels = s.labels.filter((l) => l !== label)
  for (const issue of s.issues) {
    issue.labels = issue.labels.filter((l) => lower(l) !== lower(label.name))
  }
  return { status: 204 }
}

// ---------------------------------------------------------------------------------------------
// Label input
// ---------------------------------------------------------------------------------------------

export function labelInputs(value: unknown, docs: string): string[] {
  if (value === null) return []
  if (!Array.isArray(value)) {
    throw invalidRequest(docs, `For 'properties/labels', ${JSON.stringify(value)} is not an array.`)
  }
  return value.map((item: unknown) => {
    if (typeof item === 'string') return item
    if (isRecord(item) && typeof item['name'] === 'string') return item['name']
    throw invalidRequest(
      docs,
      `For 'items', ${JSON.stringify(item)} is not a string or an object with a name.`
    )
  })
}

/**
 * Maps label names to the repository's labels (case-insensitively, deduplicated). Unknown ones are
 * created with the default colour, or dropped when label creation is forbidden (API writes only).
 */
export function canonicalLabels(s: GitHubState, names: string[], origin: 'api' | 'seed'): string[] {
  const out: string[] = []
  for (const raw of names) {
    if (out.some((n) => lower(n) === lower(raw))) continue
    const existing = s.findLabel(raw)
    if (existing) {
      out.push(existing.name)
      continue
    }
    if (origin === 'api' && s.forbidLabelCreation) continue
    if (origin === 'api') checkLabelName(raw, DOCS.createLabel)
    s.labels.push({
      id: s.nextLabelId(),
      name: raw,
      color: DEFAULT_LABEL_COLOR,
      description: null
    })
    out.push(raw)
  }
  return out
}

function checkLabelName(value: unknown, docs: string): string {
  if (typeof value !== 'string') {
    throw invalidRequest(docs, `For 'properties/name', ${JSON.stringify(value)} is not a string.`)
  }
  if (value.trim() === '') {
    throw validationFailed(docs, { resource: 'Label', code: 'missing_field', field: 'name' })
  }
  if (value.length > MAX_LABEL_NAME) {
    throw tooLong(docs, 'Label', 'name', MAX_LABEL_NAME)
  }
  return value
}

function checkColor(value: unknown, docs: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{6}$/.test(value)) {
    throw validationFailed(docs, { resource: 'Label', code: 'invalid', field: 'color' })
  }
  return value.toLowerCase()
}

function checkDescription(value: unknown, docs: string): string | null {
  if (value === null) return null
  if (typeof value !== 'string') {
    throw invalidRequest(
      docs,
      `For 'properties/description', ${JSON.stringify(value)} is not a string.`
    )
  }
  if (value.length > MAX_LABEL_DESCRIPTION) {
    throw tooLong(docs, 'Label', 'description', MAX_LABEL_DESCRIPTION)
  }
  return value
}

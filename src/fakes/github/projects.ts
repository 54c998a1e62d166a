/**
 * Projects (v2) boards through GitHub's REST endpoints, an organisation's (`/orgs/{org}/projectsV2/…`)
 * and a user's (`/users/{username}/projectsV2/…`) alike: the board, its fields (all pages), its
 * items (cursor pages with `before`/`after` in the `Link` header, the `fields` parameter choosing
 * which values each item carries, `q` narrowed by `repo:owner/name`), adding an issue of the
 * fake's repository (by id or by owner, repo and number; an issue already on the board gives its
 * existing item) and setting an item's fields, with GitHub's 422s for an unknown field, an unknown
 * option or a value of the wrong kind.
 *
 * Boards exist only when a test adds them (`fakeProjects(fake).addBoard`); any other board answers
 * 404, and `forbidden` answers 403 "Resource not accessible by integration", as GitHub does for the
 * workflow's token, which cannot reach projects. A person acting on a board: `removeItem`,
 * `setValue`.
 *
 * Where GitHub's description leaves an item's field values open (`additionalProperties`), the fake
 * gives each as `{ id, name, data_type, value }`: a number field's value a number, a date field's
 * `YYYY-MM-DD`, a text field's `{ raw, html }`, a single-select field's option object, as GitHub's
 * examples show them.
 */
import {
  has,
  iso,
  nodeId,
  notFound,
  objectBody,
  parsePerPage,
  fail,
  invalidRequest,
  validationFailed,
  lower,
  type Ctx,
  type Params,
  type Reply,
  type Route
} from './http.js'
import type { GitHubState } from './state.js'

const DOCS_PROJECTS = 'https://docs.github.com/rest/projects/projects'
const DOCS_FIELDS = 'https://docs.github.com/rest/projects/fields'
const DOCS_ITEMS = 'https://docs.github.com/rest/projects/items'

export type FakeBoardFieldType = 'text' | 'number' | 'date' | 'single_select' | 'iteration'

export interface FakeBoardField {
  id: number
  name: string
  data_type: FakeBoardFieldType | 'title'
  /** Single-select options. */
  options?: Array<{ id: string; name: string }>
}

export interface FakeBoardItem {
  id: number
  /** The issue's number in the fake's repository. */
  issueNumber: number
  /** Field values by field id (an option's id for single-select fields). */
  values: Map<number, string | number>
  createdAt: number
  updatedAt: number
}

export interface FakeBoard {
  kind: 'org' | 'user'
  owner: string
  number: number
  id: number
  title: string
  fields: FakeBoardField[]
  items: FakeBoardItem[]
}

export interface FakeBoardSpec {
  kind?: 'org' | 'user'
  owner: string
  number: number
  title?: string
  fields?: Array<{ name: string; data_type: FakeBoardFieldType; options?: string[] }>
}

interface ProjectsStore {
  boards: FakeBoard[]
  nextId: number
  /** 403 for every board, as for a token without access to projects. */
  forbidden: boolean
}

const KEY = Symbol('projects')

/** Anything that holds the fake's stores: the fake itself, or its state in a route. */
interface StoreHolder {
  store<T>(key: symbol, make: () => T): T
}

function storeOf(holder: StoreHolder): ProjectsStore {
  return holder.store(KEY, () => ({ boards: [], nextId: 5000, forbidden: false }))
}

/** What tests do with boards: add one, read its items, act on it as a person. */
export function fakeProjects(holder: StoreHolder): {
  addBoard(spec: FakeBoardSpec): FakeBoard
  board(owner: string, number: number, kind?: 'org' | 'user'): FakeBoard | undefined
  /** Whether every board answers 403 (a token that cannot reach projects). */
  forbidden: boolean
  /** A person takes the issue's item off the board. */
  removeItem(board: FakeBoard, issueNumber: number): void
  /** A person sets a field (an option by its name for single-select fields). */
  setValue(board: FakeBoard, issueNumber: number, field: string, value: string | number): void
  /** An item's values by field name (options by their name). */
  valuesOf(board: FakeBoard, issueNumber: number): Record<string, string | number> | undefined
} {
  const store = storeOf(holder)
  const fieldNamed = (board: FakeBoard, name: string): FakeBoardField => {
    const field = board.fields.find((f) => lower(f.name) === lower(name))
    if (!field) throw new Error(`The board has no field ${name}`)
    return field
  }
  return {
    addBoard(spec) {
      const board: FakeBoard = {
        kind: spec.kind ?? 'org',
        owner: spec.owner,
        number: spec.number,
        id: store.nextId++,
        title: spec.title ?? `Board ${spec.number}`,
        fields: [{ id: store.nextId++, name: 'Title', data_type: 'title' }],
        items: []
      }
      for (const f of spec.fields ?? []) {
        board.fields.push({
          id: store.nextId++,
          name: f.name,
          data_type: f.data_type,
          ...(f.options
            ? { options: f.options.map((name) => ({ id: (store.nextId++).toString(16), name })) }
            : {})
        })
      }
      store.boards.push(board)
      return board
    },
    board: (owner, number, kind = 'org') =>
      store.boards.find(
        (b) => b.kind === kind && lower(b.owner) === lower(owner) && b.number === number
      ),
    get forbidden() {
      return store.forbidden
    },
    set forbidden(value: boolean) {
      store.forbidden = value
    },
    removeItem(board, issueNumber) {
      board.items = board.items.filter((i) => i.issueNumber !== issueNumber)
    },
    setValue(board, issueNumber, name, value) {
      const item = board.items.find((i) => i.issueNumber === issueNumber)
      if (!item) throw new Error(`#${issueNumber} is not on the board`)
      const field = fieldNamed(board, name)
      const option = field.options?.find((o) => lower(o.name) === lower(String(value)))
      item.values.set(field.id, option ? option.id : value)
    },
    valuesOf(board, issueNumber) {
      const item = board.items.find((i) => i.issueNumber === issueNumber)
      if (!item) return undefined
      const out: Record<string, string | number> = {}
      for (const [id, value] of item.values) {
        const field = board.fields.find((f) => f.id === id)
        if (!field) continue
        out[field.name] = field.options?.find((o) => o.id === value)?.name ?? value
      }
      return out
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

type Handler = (s: GitHubState, ctx: Ctx, board: FakeBoard, p: Params) => Reply

/** One route for each of the organisation's and the user's path. */
function twin(
  method: Route['method'],
  tail: string,
  handle: Handler,
  docs: string,
  creates = false
): Route[] {
  const wrap =
    (kind: 'org' | 'user'): Route['handle'] =>
    (s, ctx, p) =>
      handle(s, ctx, boardFor(s, kind, kind === 'org' ? p.org : p.username, p.number, docs), p)
  return [
    { method, path: `/orgs/:org/projectsV2/#number${tail}`, creates, handle: wrap('org') },
    { method, path: `/users/:username/projectsV2/#number${tail}`, creates, handle: wrap('user') }
  ]
}

export const projectRoutes: Route[] = [
  ...twin(
    'GET',
    '',
    (s, _ctx, board) => ({ status: 200, body: renderBoard(s, board) }),
    DOCS_PROJECTS
  ),
  ...twin('GET', '/fields', (s, ctx, board) => listFields(s, ctx, board), DOCS_FIELDS),
  ...twin('GET', '/items', (s, ctx, board) => listItems(s, ctx, board), DOCS_ITEMS),
  ...twin('POST', '/items', (s, ctx, board) => addItem(s, ctx, board), DOCS_ITEMS, true),
  ...twin(
    'PATCH',
    '/items/#item',
    (s, ctx, board, p) => updateItem(s, ctx, board, Number(p.item)),
    DOCS_ITEMS,
    true
  )
]

function boardFor(
  s: GitHubState,
  kind: 'org' | 'user',
  owner: string | undefined,
  number: string | undefined,
  docs: string
): FakeBoard {
  const store = storeOf(s)
  if (store.forbidden) throw fail(403, 'Resource not accessible by integration', docs)
  const board = store.boards.find(
    (b) => b.kind === kind && lower(b.owner) === lower(owner ?? '') && b.number === Number(number)
  )
  if (!board) throw notFound(docs)
  return board
}

function boardUrl(s: GitHubState, board: FakeBoard): string {
  return `${s.url}/${board.kind === 'org' ? 'orgs' : 'users'}/${board.owner}/projectsV2/${board.number}`
}

function renderBoard(s: GitHubState, board: FakeBoard): Record<string, unknown> {
  const created = iso(s.now())
  return {
    id: board.id,
    node_id: nodeId('PVT', board.id),
    owner: s.renderUser(board.owner),
    creator: s.renderUser(board.owner),
    title: board.title,
    description: null,
    public: false,
    closed_at: null,
    created_at: created,
    updated_at: created,
    number: board.number,
    short_description: null,
    deleted_at: null,
    deleted_by: null,
    state: 'open'
  }
}

function renderField(s: GitHubState, board: FakeBoard, f: FakeBoardField): Record<string, unknown> {
  const at = iso(s.now())
  return {
    id: f.id,
    node_id: nodeId('PVTF', f.id),
    project_url: boardUrl(s, board),
    name: f.name,
    data_type: f.data_type,
    ...(f.options
      ? {
          options: f.options.map((o) => ({
            id: o.id,
            name: { raw: o.name, html: o.name },
            description: { raw: '', html: '' },
            color: 'GRAY'
          }))
        }
      : {}),
    created_at: at,
    updated_at: at
  }
}

/** A cursor page of `all` (`after`/`before` are opaque offsets), with GitHub's `Link` header. */
function cursorPage<T>(s: GitHubState, ctx: Ctx, all: T[], render: (t: T) => unknown): Reply {
  const perPage = parsePerPage(ctx.query)
  const decode = (c: string | null): number | undefined => {
    if (c === null) return undefined
    const n = Number(Buffer.from(c, 'base64url').toString())
    if (!Number.isInteger(n) || n < 0) throw invalidRequest(DOCS_ITEMS, `Invalid cursor ${c}.`)
    return n
  }
  const after = decode(ctx.query.get('after'))
  const before = decode(ctx.query.get('before'))
  const start = after ?? (before !== undefined ? Math.max(0, before - perPage) : 0)
  const end = Math.min(all.length, before ?? start + perPage, start + perPage)
  const href = (key: string, at: number): string => {
    const q = new URLSearchParams(ctx.query)
    q.delete('after')
    q.delete('before')
    q.set(key, Buffer.from(String(at)).toString('base64url'))
    return `<${s.url}${ctx.path}?${q.toString()}>`
  }
  const links: string[] = []
  if (end < all.length) links.push(`${href('after', end)}; rel="next"`)
  if (start > 0) links.push(`${href('before', start)}; rel="prev"`)
  return {
    status: 200,
    body: all.slice(start, end).map(render),
    headers: links.length > 0 ? { link: links.join(', ') } : {}
  }
}

function listFields(s: GitHubState, ctx: Ctx, board: FakeBoard): Reply {
  return cursorPage(s, ctx, board.fields, (f) => renderField(s, board, f))
}

/** `fields=1,2` or `fields[]=1&fields[]=2`: the field ids whose values each item carries. */
function wantedFields(ctx: Ctx, board: FakeBoard): FakeBoardField[] {
  const ids = [...ctx.query.getAll('fields'), ...ctx.query.getAll('fields[]')]
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
  if (ids.length > 50) {
    throw invalidRequest(DOCS_ITEMS, `For 'fields', at most 50 fields may be given.`)
  }
  if (ids.length === 0) return board.fields.filter((f) => f.data_type === 'title')
  return board.fields.filter((f) => ids.includes(String(f.id)))
}

function renderItem(
  s: GitHubState,
  board: FakeBoard,
  item: FakeBoardItem,
  fields?: FakeBoardField[]
): Record<string, unknown> {
  const issue = s.issues.find((i) => i.number === item.issueNumber)
  const rendered = issue ? s.renderIssue(issue, { single: true }) : null
  return {
    id: item.id,
    node_id: nodeId('PVTI', item.id),
    project_url: boardUrl(s, board),
    content_type: 'Issue',
    content: rendered,
    creator: s.renderUser(s.userLogin),
    created_at: iso(item.createdAt),
    updated_at: iso(item.updatedAt),
    archived_at: null,
    item_url: `${boardUrl(s, board)}/items/${item.id}`,
    ...(fields ? { fields: fields.map((f) => renderValue(board, item, f, issue?.title)) } : {})
  }
}

function renderValue(
  board: FakeBoard,
  item: FakeBoardItem,
  f: FakeBoardField,
  title: string | undefined
): Record<string, unknown> {
  const value = item.values.get(f.id)
  let shown: unknown = null
  if (f.data_type === 'title')
    shown = { raw: title ?? '', html: title ?? '', number: item.issueNumber }
  else if (value === undefined) shown = null
  else if (f.data_type === 'text') shown = { raw: String(value), html: String(value) }
  else if (f.data_type === 'single_select') {
    const option = f.options?.find((o) => o.id === value)
    shown = option ? { id: option.id, name: { raw: option.name, html: option.name } } : null
  } else shown = value
  return { id: f.id, name: f.name, data_type: f.data_type, value: shown }
}

function listItems(s: GitHubState, ctx: Ctx, board: FakeBoard): Reply {
  const fields = wantedFields(ctx, board)
  const repo = /(?:^|\s)repo:(\S+)/u.exec(ctx.query.get('q') ?? '')?.[1]
  const ours = `${s.owner}/${s.repo}`
  const items = repo !== undefined && lower(repo) !== lower(ours) ? [] : board.items
  return cursorPage(s, ctx, items, (item) => renderItem(s, board, item, fields))
}

function addItem(s: GitHubState, ctx: Ctx, board: FakeBoard): Reply {
  const body = objectBody(ctx, DOCS_ITEMS)
  if (body['type'] !== 'Issue' && body['type'] !== 'PullRequest') {
    throw invalidRequest(
      DOCS_ITEMS,
      `For 'properties/type', ${JSON.stringify(body['type'])} is not a member of ["Issue","PullRequest"].`
    )
  }
  const byId = has(body, 'id')
  const byNumber = has(body, 'owner') && has(body, 'repo') && has(body, 'number')
  if (byId === byNumber) {
    throw invalidRequest(DOCS_ITEMS, 'Provide either "id", or "owner", "repo" and "number".')
  }
  const issue = byId
    ? s.issues.find((i) => i.id === body['id'])
    : lower(String(body['owner'])) === lower(s.owner) &&
        lower(String(body['repo'])) === lower(s.repo)
      ? s.issues.find((i) => i.number === body['number'])
      : undefined
  if (!issue || issue.deleted || issue.transferred) throw notFound(DOCS_ITEMS)
  const kind = issue.pull_request ? 'PullRequest' : 'Issue'
  if (kind !== body['type']) {
    throw validationFailed(DOCS_ITEMS, {
      resource: 'ProjectV2Item',
      code: 'invalid',
      field: 'type'
    })
  }
  let item = board.items.find((i) => i.issueNumber === issue.number)
  if (!item) {
    const now = s.now()
    item = {
      id: storeOf(s).nextId++,
      issueNumber: issue.number,
      values: new Map(),
      createdAt: now,
      updatedAt: now
    }
    board.items.push(item)
  }
  return { status: 201, body: renderItem(s, board, item) }
}

function updateItem(s: GitHubState, ctx: Ctx, board: FakeBoard, itemId: number): Reply {
  const item = board.items.find((i) => i.id === itemId)
  if (!item) throw notFound(DOCS_ITEMS)
  const body = objectBody(ctx, DOCS_ITEMS)
  const updates = body['fields']
  if (!Array.isArray(updates)) {
    throw invalidRequest(DOCS_ITEMS, `"fields" wasn't supplied.`)
  }
  const invalid = (message: string): Error =>
    validationFailed(DOCS_ITEMS, {
      resource: 'ProjectV2ItemFieldValue',
      code: 'invalid',
      field: 'value',
      message
    })
  const changes = new Map<number, string | number | null>()
  for (const update of updates as unknown[]) {
    const { id, value } = (update ?? {}) as { id?: unknown; value?: unknown }
    const field = board.fields.find((f) => f.id === id)
    if (!field) throw invalid(`The field ${JSON.stringify(id)} does not exist on this project.`)
    if (value === null) {
      changes.set(field.id, null)
      continue
    }
    switch (field.data_type) {
      case 'number':
        if (typeof value !== 'number') throw invalid(`${field.name} takes a number.`)
        break
      case 'date':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/u.test(value)) {
          throw invalid(`${field.name} takes a date (YYYY-MM-DD).`)
        }
        break
      case 'text':
        if (typeof value !== 'string') throw invalid(`${field.name} takes text.`)
        break
      case 'single_select':
        if (!field.options?.some((o) => o.id === value)) {
          throw invalid(`${JSON.stringify(value)} is not an option of ${field.name}.`)
        }
        break
      default:
        throw invalid(`${field.name} (${field.data_type}) cannot be set through this endpoint.`)
    }
    changes.set(field.id, value as string | number)
  }
  for (const [id, value] of changes) {
    if (value === null) item.values.delete(id)
    else item.values.set(id, value)
  }
  item.updatedAt = s.now()
  return { status: 200, body: renderItem(s, board, item, board.fields) }
}

/**
 * Search (`GET /search/issues`): the query parser (qualifiers, phrases, negation), the predicates
 * for the common qualifiers, the 1,000-result cap and sorting, and the search index, which keeps
 * answering with an issue as it was during `searchLagMs` after a change (or not at all, for a new
 * issue).
 */
import {
  DOCS,
  fail,
  lower,
  parsePage,
  parsePerPage,
  timeOf,
  validationFailed,
  type ApiError,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import type { FakeIssue, GitHubState } from './state.js'

export const searchRoutes: Route[] = [
  { method: 'GET', path: '/search/issues', handle: (s, ctx) => searchIssues(s, ctx) }
]

const MAX_QUERY = 256
const SEARCH_CAP = 1000

function searchIssues(s: GitHubState, ctx: Ctx): Reply {
  const docs = DOCS.search
  if (s.searchUnavailable) throw fail(503, 'Service Unavailable', DOCS.searchIssues)
  const q = ctx.query.get('q')
  if (q === null || q.trim() === '') {
    throw validationFailed(docs, { resource: 'Search', field: 'q', code: 'missing' })
  }
  if (q.length > MAX_QUERY) {
    throw validationFailed(docs, {
      message: `The search is longer than ${MAX_QUERY} characters.`,
      resource: 'Search',
      field: 'q',
      code: 'invalid'
    })
  }
  const perPage = parsePerPage(ctx.query)
  const page = parsePage(ctx.query)
  if ((page - 1) * perPage >= SEARCH_CAP) {
    throw fail(422, `Only the first ${SEARCH_CAP} search results are available`, docs)
  }

  const terms = parseSearchQuery(q)
  const fields = new Set<string>()
  for (const t of terms) {
    if (t.key === 'in') for (const f of t.value.split(',')) fields.add(lower(f.trim()))
  }
  if (fields.size === 0) {
    fields.add('title')
    fields.add('body')
  }
  let sort = ctx.query.get('sort') ?? ''
  let order = ctx.query.get('order') ?? 'desc'
  const predicates: Array<(doc: FakeIssue) => boolean> = []
  for (const term of terms) {
    const test = searchPredicate(s, term, fields, (s, o) => {
      sort = s
      order = o
    })
    if (test) predicates.push(term.negate ? (doc) => !test(doc) : test)
  }

  const matches: FakeIssue[] = []
  for (const issue of s.issues) {
    if (issue.deleted || issue.transferred) continue
    const doc = s.searchIndex.view(issue)
    if (doc && predicates.every((p) => p(doc))) matches.push(doc)
  }
  if (sort === 'created' || sort === 'updated' || sort === 'comments') {
    sortIssues(matches, sort, order === 'asc')
  } else {
    // "Best match": every document scores the same here; newest first.
    matches.sort((x, y) => y.number - x.number)
  }
  const total = matches.length
  const reachable = matches.slice(0, SEARCH_CAP)
  const start = (page - 1) * perPage
  const items = reachable.slice(start, start + perPage)
  const lastPage = Math.ceil(reachable.length / perPage)
  const link = s.linkHeader(ctx, page, lastPage)
  return {
    status: 200,
    body: {
      total_count: total,
      incomplete_results: false,
      // The kind of search that ran; `lexical` unless `search_type` asked for another.
      search_type: 'lexical',
      items: items.map((doc) => s.renderIssue(doc, { search: true }))
    },
    headers: link ? { link } : {}
  }
}

/** Builds the predicate for one search term (undefined when the term filters nothing). */
function searchPredicate(
  s: GitHubState,
  term: SearchTerm,
  fields: Set<string>,
  setSort: (sort: string, order: string) => void
): ((doc: FakeIssue) => boolean) | undefined {
  const v = lower(term.value)
  const cannotSearch = (): ApiError =>
    validationFailed(DOCS.search, {
      message:
        'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.',
      resource: 'Search',
      field: 'q',
      code: 'invalid'
    })
  switch (term.key) {
    case undefined: {
      if (v === '') return undefined
      return (doc) => {
        const texts: string[] = []
        if (fields.has('title')) texts.push(doc.title)
        if (fields.has('body')) texts.push(doc.body ?? '')
        if (fields.has('comments')) for (const c of doc.comments) texts.push(c.body)
        return texts.some((t) => lower(t).includes(v))
      }
    }
    case 'repo':
      if (v !== lower(`${s.owner}/${s.repo}`)) throw cannotSearch()
      return undefined
    case 'user':
    case 'org':
      if (v !== lower(s.owner)) throw cannotSearch()
      return undefined
    case 'in':
      return undefined
    case 'is':
    case 'type':
    case 'state':
      switch (v) {
        case 'issue':
          return (doc) => !doc.pull_request
        case 'pr':
        case 'pull-request':
          return (doc) => doc.pull_request === true
        case 'open':
        case 'closed':
          return (doc) => doc.state === v
        case 'locked':
          return (doc) => doc.locked
        case 'unlocked':
          return (doc) => !doc.locked
        case 'merged':
          return () => false
        case 'unmerged':
          return (doc) => doc.pull_request === true && doc.state === 'closed'
        default:
          return undefined
      }
    case 'label': {
      const names = v.split(',').map((name) => unquote(name.trim()))
      return (doc) => doc.labels.some((l) => names.includes(lower(l)))
    }
    case 'no':
      if (v === 'label') return (doc) => doc.labels.length === 0
      if (v === 'assignee') return (doc) => doc.assignees.length === 0
      if (v === 'milestone') return (doc) => doc.milestone === null
      return undefined
    case 'author':
      return (doc) =>
        lower(doc.user_login) === v || lower(doc.user_login) === `${v.replace(/^app\//, '')}[bot]`
    case 'assignee':
      return (doc) => doc.assignees.some((a) => lower(a) === v)
    case 'created': {
      const m = dateMatcher(term.value)
      return (doc) => m(doc.created_at)
    }
    case 'updated': {
      const m = dateMatcher(term.value)
      return (doc) => m(doc.updated_at)
    }
    case 'closed': {
      const m = dateMatcher(term.value)
      return (doc) => m(doc.closed_at)
    }
    case 'reason': {
      const reason = v.replace(/[\s-]+/g, '_')
      return (doc) => doc.state_reason === reason
    }
    case 'sort': {
      const m = /^(created|updated|comments)(?:-(asc|desc))?$/.exec(v)
      if (m) setSort(m[1] ?? '', m[2] ?? 'desc')
      return undefined
    }
    default:
      return undefined
  }
}

/** Sorts issues in place by `created`, `updated` or `comments` (then by number). */
export function sortIssues(items: FakeIssue[], sort: string, ascending: boolean): void {
  const key = (issue: FakeIssue): number =>
    sort === 'updated'
      ? timeOf(issue.updated_at)
      : sort === 'comments'
        ? issue.comments.length
        : timeOf(issue.created_at)
  items.sort((x, y) => {
    const diff = key(x) - key(y) || x.number - y.number
    return ascending ? diff : -diff
  })
}

// ---------------------------------------------------------------------------------------------
// Query parsing
// ---------------------------------------------------------------------------------------------

interface SearchTerm {
  negate: boolean
  /** Qualifier name (lower case), absent for words and phrases. */
  key?: string
  value: string
}

const QUALIFIERS = new Set([
  'repo',
  'user',
  'org',
  'is',
  'type',
  'state',
  'in',
  'label',
  'no',
  'author',
  'assignee',
  'created',
  'updated',
  'closed',
  'reason',
  'sort'
])

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text
}

/** Splits a search query into qualifiers, quoted phrases and words. */
function parseSearchQuery(q: string): SearchTerm[] {
  const terms: SearchTerm[] = []
  const space = (c: string | undefined): boolean => c !== undefined && /\s/.test(c)
  let i = 0
  while (i < q.length) {
    while (space(q[i])) i++
    if (i >= q.length) break
    let negate = false
    if (q[i] === '-' && i + 1 < q.length && !space(q[i + 1])) {
      negate = true
      i++
    }
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1)
      const stop = end === -1 ? q.length : end
      const phrase = q.slice(i + 1, stop)
      i = stop + 1
      if (phrase.length > 0) terms.push({ negate, value: phrase })
      continue
    }
    const start = i
    while (i < q.length && !space(q[i])) {
      if (q[i] === '"') {
        const end = q.indexOf('"', i + 1)
        i = end === -1 ? q.length : end + 1
      } else {
        i++
      }
    }
    const token = q.slice(start, i)
    if (!negate && (token === 'AND' || token === 'OR' || token === 'NOT')) continue
    const m = /^([A-Za-z_-]+):(.*)$/s.exec(token)
    const key = m?.[1]?.toLowerCase()
    if (m && key !== undefined && QUALIFIERS.has(key)) {
      terms.push({ negate, key, value: unquote(m[2] ?? '') })
    } else {
      terms.push({ negate, value: unquote(token) })
    }
  }
  return terms
}

/** A predicate for `created:`/`updated:`/`closed:` values (`>=2024-01-01`, `a..b`, `2024-01-01`). */
function dateMatcher(expr: string): (value: string | null) => boolean {
  const dateOnly = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s)
  const start = (s: string): number => (s === '*' ? -Infinity : Date.parse(s))
  const end = (s: string): number =>
    s === '*' ? Infinity : dateOnly(s) ? Date.parse(s) + 86_400_000 - 1 : Date.parse(s)
  let test: (t: number) => boolean
  const range = /^(.+)\.\.(.+)$/.exec(expr)
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(expr)
  if (range) {
    const a = start(range[1] ?? '')
    const b = end(range[2] ?? '')
    test = (t) => t >= a && t <= b
  } else if (cmp) {
    const op = cmp[1]
    const raw = cmp[2] ?? ''
    if (op === '>=') test = (t) => t >= start(raw)
    else if (op === '>') test = (t) => t > end(raw)
    else if (op === '<=') test = (t) => t <= end(raw)
    else test = (t) => t < start(raw)
  } else {
    const a = start(expr)
    const b = end(expr)
    test = (t) => t >= a && t <= b
  }
  return (value) => {
    const t = timeOf(value)
    return !Number.isNaN(t) && test(t)
  }
}

// ---------------------------------------------------------------------------------------------
// The index
// ---------------------------------------------------------------------------------------------

interface IndexVersion {
  visibleAt: number
  snapshot: FakeIssue
}

/**
 * What search has indexed of each issue: snapshots of its versions, each visible from a time on.
 * Changes a test makes in place are seen at once; the state records API changes (`touch`).
 */
export class SearchIndex {
  private readonly versions = new WeakMap<FakeIssue, IndexVersion[]>()

  constructor(private readonly clock: () => number) {}

  /** Queues a snapshot of `issue` as it is now, visible from `visibleAt` (epoch ms). */
  record(issue: FakeIssue, visibleAt: number): void {
    const now = this.clock()
    const versions = this.versions.get(issue) ?? []
    versions.push({ visibleAt, snapshot: structuredClone(issue) })
    // Keep only the newest version already visible and the ones still pending.
    let newestVisible = -1
    versions.forEach((v, i) => {
      if (v.visibleAt <= now) newestVisible = i
    })
    this.versions.set(
      issue,
      versions.filter((v, i) => i === newestVisible || v.visibleAt > now)
    )
  }

  /**
   * What search sees of an issue: nothing while its first version is still within the lag, the
   * last indexed snapshot while a later edit is, otherwise the live issue (which includes changes
   * tests made in place).
   */
  view(issue: FakeIssue): FakeIssue | undefined {
    const versions = this.versions.get(issue)
    if (!versions || versions.length === 0) return issue
    const now = this.clock()
    let lastVisible: IndexVersion | undefined
    let pending = false
    for (const v of versions) {
      if (v.visibleAt <= now) lastVisible = v
      else pending = true
    }
    if (!pending) {
      this.versions.set(issue, versions.slice(-1))
      return issue
    }
    return lastVisible?.snapshot
  }
}

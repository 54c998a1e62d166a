/**
 * The fake GitHub's model: what it stores (issues with their comments, labels, milestones, issue
 * types and fields, the settings a test may change mid-way), its clock and id counters, the
 * lookups every resource shares, and GitHub's JSON shapes for what it stores (`renderIssue`,
 * `renderUser`, …). The public types here are re-exported by `../fake-github.ts`.
 */
import {
  DOCS,
  ApiError,
  fail,
  hashId,
  iso,
  lower,
  nodeId,
  notFound,
  parsePage,
  parsePerPage,
  type Ctx,
  type Reply
} from './http.js'
import { SearchIndex } from './search.js'

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface FakeGitHubOptions {
  /** Repository owner. Default `acme`. */
  owner?: string
  /** Repository name. Default `web`. */
  repo?: string
  /**
   * The only token the fake accepts (as `token X` or `Bearer X`). Requests with another token or
   * none answer 401 "Bad credentials". Default `ghs_test_token`.
   */
  token?: string
  /** Login of the identity behind the token (author of created issues). Default `github-actions[bot]`. */
  userLogin?: string
  /** `''` for api.github.com style URLs (default), `'/api/v3'` for GHES style. */
  pathPrefix?: string
  /** Web origin used for `html_url`s. Default the fake's own origin (`http://127.0.0.1:PORT`). */
  serverUrl?: string
  /** Search sees an issue only this long after its creation or last edit. Default 0. */
  searchLagMs?: number
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Enforced primary rate limit. Without it the fake reports a 5,000/h budget that renews before it
   * runs out, so it never blocks. `remaining` defaults to `limit`; `resetEpochSeconds` to an hour on.
   */
  rateLimit?: { limit: number; remaining?: number; resetEpochSeconds?: number }
  /** Secondary limit on content-creating requests, over sliding 60 s and 3600 s windows. */
  secondaryLimit?: { contentWritesPerMinute?: number; contentWritesPerHour?: number }
  /** Search requests allowed per minute (resource `search`). Default 30, as on GitHub. */
  searchRequestsPerMinute?: number
  /** Fixed delay (real time) before every request is handled, for benchmarks. Default 0. */
  latencyMs?: number
  /** Answer `state_reason: "duplicate"` with 422, like older GHES versions. */
  rejectDuplicateStateReason?: boolean
  /**
   * The token may not create labels: `POST /labels` answers 403 "Resource not accessible by
   * integration", and unknown labels on issue writes are silently dropped instead of auto-created.
   */
  forbidLabelCreation?: boolean
  /** `GET /search/issues` answers 503. */
  searchUnavailable?: boolean
  /**
   * The kind of account that owns the repository. `'User'`: there is no organisation, so
   * `GET /orgs/{owner}/issue-fields` answers 404 and a `type` sent when creating an issue is
   * ignored, as GitHub does for user-owned repositories. Default `'Organization'`.
   */
  ownerType?: 'Organization' | 'User'
  /**
   * The owner's issue types, for example `['Bug', 'Task', 'Feature']` (matched case-insensitively).
   * Undefined (default): the owner has none; then creating an issue with a `type` answers 422
   * (organisations), and a `type` in an update is ignored.
   */
  issueTypes?: string[]
  /**
   * The organisation's issue fields; ids are assigned from 1001 on, option ids from 2001 on.
   * Undefined (default): issue fields are not available, so `GET /orgs/{org}/issue-fields` and the
   * issue-field-values endpoints answer 404 and `issue_field_values` on issue writes is ignored.
   */
  issueFields?: Array<{
    name: string
    data_type: FakeIssueFieldDataType
    /** Option names of a single-select field. */
    options?: string[]
    description?: string
  }>
  /**
   * Logins that can be assigned (case-insensitive); an issue's author and commenters always can.
   * Undefined (default): anyone can.
   */
  assignableUsers?: string[]
  /**
   * Whether the token has push access. `false`: labels, assignees, milestone, type and issue field
   * values sent with an issue create or update are silently dropped (as documented), and adding
   * issue field values answers 403. Default `true`.
   */
  pushAccess?: boolean
  /**
   * Comments on a locked issue answer 403 "Unable to create comment because issue is locked.".
   * GitHub lets people with write access comment on locked conversations, but refuses GitHub Apps
   * and installation tokens such as `GITHUB_TOKEN` even with `issues: write` (reported for
   * probot/stale#25, renovatebot/renovate#6215, semantic-release/github#221). Default: refused
   * when `userLogin` is a bot (`…[bot]`), allowed for a person's token.
   */
  lockedCommentsRefused?: boolean
  /** The repository's default branch (`default_branch`; what `HEAD` names). Default `main`. */
  defaultBranch?: string
  /**
   * Whether the token may read the repository's contents (a workflow token without
   * `contents: read`): `false` makes GraphQL answer `FORBIDDEN` for a commit and the REST reads
   * of commits answer 403 "Resource not accessible by integration". Default `true`.
   */
  contentsReadable?: boolean
}

/** The login of the person the `person…` helpers act as (not the token's user). */
export const PERSON_LOGIN = 'octocat-person'

export interface FakeComment {
  id: number
  body: string
  created_at: string
  updated_at?: string
  /** Author; defaults to the token's user. */
  user_login?: string
  /** The author's association with the repository (default: OWNER for the owner, else NONE). */
  author_association?: string
}

export interface FakeIssue {
  number: number
  /** Database id (what `duplicate_issue_id` refers to). */
  id: number
  node_id: string
  title: string
  body: string | null
  state: 'open' | 'closed'
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null
  /** Label names (canonical case, as in `FakeGitHub.labels`). */
  labels: string[]
  assignees: string[]
  /** Milestone number; the fake synthesises the milestone object. */
  milestone: number | null
  created_at: string
  updated_at: string
  closed_at: string | null
  locked: boolean
  /** A pull request rather than an issue. */
  pull_request?: boolean
  comments: FakeComment[]
  user_login: string
  /** Moved to another repository: answers 301. */
  transferred?: boolean
  /** Where a transferred issue went. Default: same number in `{owner}/{repo}-moved`. */
  transferred_to?: { owner: string; repo: string; number: number }
  /**
   * The token cannot read the repository the issue went to (a `GITHUB_TOKEN` only reads its own
   * repository): GitHub then answers 404 instead of redirecting.
   */
  transferred_unreadable?: boolean
  /** Deleted: answers 410. */
  deleted?: boolean
  /** Who closed it (set when closed through the API); rendered as `closed_by`. */
  closed_by_login?: string | null
  /** Database id of the issue it was closed as a duplicate of (`duplicate_issue_id`). */
  duplicate_of_id?: number | null
  /** Issue type name (rendered as the type object), or null/absent for none. */
  type?: string | null
  /** Issue field values (see {@link FakeIssueFieldValue}). */
  field_values?: FakeIssueFieldValue[]
}

export interface FakeLabel {
  id: number
  name: string
  color: string
  description: string | null
}

/** A milestone of the repository; issues refer to it by `number`. */
export interface FakeMilestone {
  number: number
  id: number
  title: string
  description: string | null
  state: 'open' | 'closed'
  /** ISO 8601 date-time, or null. */
  due_on: string | null
  created_at: string
  updated_at: string
  closed_at: string | null
  /** Who created it. Default: the token's user. */
  creator_login: string
}

/**
 * A commit on the default branch, seeded with `FakeGitHub.addCommit`. The history is linear, in
 * the order commits were added: each commit's parent is the one added before it.
 */
export interface FakeCommit {
  /** 40 lower-case hex digits. */
  sha: string
  message: string
  author: { name: string; email: string; login: string | null }
  /** Files this commit writes, as lines; `null` deletes the file. Other files stay as they were. */
  files: Record<string, string[] | null>
  /** Numbers of the pull requests associated with the commit. */
  pulls: number[]
  committed_at: string
}

/** The colours GitHub allows for issue types and issue-field options. */
export type FakeIssueColor =
  'gray' | 'blue' | 'green' | 'yellow' | 'orange' | 'red' | 'pink' | 'purple'

/** An issue type of the owner. */
export interface FakeIssueType {
  id: number
  name: string
  description: string | null
  color: FakeIssueColor | null
}

export type FakeIssueFieldDataType = 'text' | 'single_select' | 'number' | 'date'

/** An issue field of the organisation. */
export interface FakeIssueField {
  id: number
  node_id: string
  name: string
  description: string | null
  data_type: FakeIssueFieldDataType
  /** Single-select fields only. */
  options?: Array<{ id: number; name: string; color: FakeIssueColor }>
  created_at: string
  updated_at: string
}

/**
 * A value of an issue field on an issue: a string (text, date, and single-select, where it is the
 * option's name) or a number.
 */
export interface FakeIssueFieldValue {
  field_id: number
  value: string | number
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** The repository's database id (`/repositories/{id}`). */
export const REPO_ID = 1296269
const BOT_LOGIN = 'github-actions[bot]'
const BOT_ID = 41898282
export const MAX_BODY = 65536
export const DEFAULT_LABEL_COLOR = 'ededed'

const ISSUE_COLORS: readonly FakeIssueColor[] = [
  'gray',
  'blue',
  'green',
  'yellow',
  'orange',
  'red',
  'pink',
  'purple'
]

/** GitHub's default issue types of an organisation. */
const DEFAULT_ISSUE_TYPES: Record<string, { description: string; color: FakeIssueColor }> = {
  task: { description: 'A specific piece of work', color: 'yellow' },
  bug: { description: 'An unexpected problem or behavior', color: 'red' },
  feature: { description: 'A request, idea, or new functionality', color: 'blue' }
}

/** Node id prefixes of issue fields by data type (as in GitHub's examples). */
const FIELD_NODE_PREFIX: Record<FakeIssueFieldDataType, string> = {
  text: 'IFT',
  single_select: 'IFSS',
  number: 'IFN',
  date: 'IFD'
}

/** A repository, as `owner/repo`. */
export interface RepoLoc {
  owner: string
  repo: string
}

/** A transferred issue as served at its new place (`/repositories/{repoId}/issues/{number}`). */
export interface MovedIssue {
  issue: FakeIssue
  loc: RepoLoc
  number: number
  repoId: number
}

// ---------------------------------------------------------------------------------------------
// The state
// ---------------------------------------------------------------------------------------------

/**
 * Everything the fake stores, shared by the router and the resources. `FakeGitHub` exposes the
 * public part (the same names) to tests.
 */
export class GitHubState {
  readonly url: string
  readonly serverUrl: string
  readonly owner: string
  readonly repo: string
  readonly token: string
  readonly userLogin: string
  readonly pathPrefix: string
  readonly ownerType: 'Organization' | 'User'

  issues: FakeIssue[] = []
  labels: FakeLabel[] = []
  milestones: FakeMilestone[] = []
  issueTypes: FakeIssueType[] | undefined
  issueFields: FakeIssueField[] | undefined

  // Settings a test may change mid-way (see `FakeGitHubOptions`).
  searchLagMs: number
  rejectDuplicateStateReason: boolean
  forbidLabelCreation: boolean
  searchUnavailable: boolean
  assignableUsers: string[] | undefined
  pushAccess: boolean
  lockedCommentsRefused: boolean
  oauthScopes: string[] | undefined = undefined
  /** The default branch's history, oldest first (see `FakeCommit`). */
  commits: FakeCommit[] = []
  defaultBranch: string
  contentsReadable: boolean

  /** What search has indexed of each issue (see `searchLagMs`). */
  readonly searchIndex: SearchIndex
  /** The repositories transferred issues went to, by the id their redirects name. */
  readonly movedRepos = new Map<number, RepoLoc>()
  private readonly clock: () => number
  private lastIssueId = 3_100_000_000
  private lastCommentId = 2_400_000_000
  private lastLabelId = 7_000_000_000

  /** `origin`: the server's own origin (`http://127.0.0.1:PORT`). */
  constructor(opts: FakeGitHubOptions, origin: string) {
    let prefix = opts.pathPrefix ?? ''
    if (prefix !== '' && !prefix.startsWith('/')) prefix = `/${prefix}`
    prefix = prefix.replace(/\/+$/, '')
    this.pathPrefix = prefix
    this.url = origin + prefix
    this.serverUrl = (opts.serverUrl ?? origin).replace(/\/+$/, '')
    this.owner = opts.owner ?? 'acme'
    this.repo = opts.repo ?? 'web'
    this.token = opts.token ?? 'ghs_test_token'
    this.userLogin = opts.userLogin ?? BOT_LOGIN
    this.clock = opts.now ?? Date.now
    this.searchIndex = new SearchIndex(this.clock)
    this.searchLagMs = opts.searchLagMs ?? 0
    this.rejectDuplicateStateReason = opts.rejectDuplicateStateReason ?? false
    this.forbidLabelCreation = opts.forbidLabelCreation ?? false
    this.searchUnavailable = opts.searchUnavailable ?? false
    this.ownerType = opts.ownerType ?? 'Organization'
    this.assignableUsers = opts.assignableUsers ? [...opts.assignableUsers] : undefined
    this.pushAccess = opts.pushAccess ?? true
    this.lockedCommentsRefused = opts.lockedCommentsRefused ?? this.userLogin.endsWith('[bot]')
    this.defaultBranch = opts.defaultBranch ?? 'main'
    this.contentsReadable = opts.contentsReadable ?? true

    this.issueTypes = opts.issueTypes?.map((name) => {
      const known = DEFAULT_ISSUE_TYPES[lower(name)]
      return {
        id: hashId(`issue-type:${lower(name)}`),
        name,
        description: known?.description ?? null,
        color: known?.color ?? 'gray'
      }
    })
    const fieldsCreated = iso(this.now())
    let optionId = 2000
    this.issueFields = opts.issueFields?.map((spec, i) => {
      const id = 1001 + i
      return {
        id,
        node_id: nodeId(FIELD_NODE_PREFIX[spec.data_type], id),
        name: spec.name,
        description: spec.description ?? null,
        data_type: spec.data_type,
        ...(spec.data_type === 'single_select'
          ? {
              options: (spec.options ?? []).map((name, j) => ({
                id: ++optionId,
                name,
                color: ISSUE_COLORS[(j + 5) % ISSUE_COLORS.length] ?? 'gray'
              }))
            }
          : {}),
        created_at: fieldsCreated,
        updated_at: fieldsCreated
      }
    })
  }

  /** The injectable clock, in epoch milliseconds. */
  now(): number {
    return this.clock()
  }

  // -------------------------------------------------------------------------------------------
  // Changes
  // -------------------------------------------------------------------------------------------

  /** Records an API change of `issue`: bumps `updated_at` and queues a new search snapshot. */
  touch(issue: FakeIssue, nowMs: number): void {
    issue.updated_at = iso(nowMs)
    this.indexVersion(issue)
  }

  /** Queues a search snapshot of `issue` as it is now, visible `searchLagMs` after `changedAt`. */
  indexVersion(issue: FakeIssue, changedAt: number = this.now()): void {
    this.searchIndex.record(issue, changedAt + this.searchLagMs)
  }

  // -------------------------------------------------------------------------------------------
  // Lookups
  // -------------------------------------------------------------------------------------------

  /**
   * Finds an issue for `/issues/{n}` routes: 404 if missing, 410 if deleted, a redirect if
   * transferred (404 when the token cannot read the new repository, as GitHub documents for "Get
   * an issue"). The redirect is 301 for GET and 307 for other methods, as GitHub announced for
   * moved repositories ("either a 301 or 307 HTTP redirect, depending on the type of request",
   * developer.github.com/changes/2015-04-17-preview-repository-redirects): a fetch-based client
   * repeats the same method and body at the `Location`, `/repositories/{id}/issues/{n}`.
   */
  resolveIssue(number: number, ctx: Ctx, docs: string): FakeIssue {
    const issue = this.issues.find((i) => i.number === number)
    if (!issue) throw notFound(docs)
    if (issue.deleted) throw fail(410, 'This issue was deleted', docs)
    if (issue.transferred && issue.transferred_unreadable) throw notFound(docs)
    if (issue.transferred) {
      const target = this.transferTarget(issue)
      const repoId = hashId(`${lower(target.owner)}/${lower(target.repo)}`)
      this.movedRepos.set(repoId, { owner: target.owner, repo: target.repo })
      const suffix = ctx.path.replace(/^\/repos\/[^/]+\/[^/]+\/issues\/\d+/, '')
      const query = ctx.query.size > 0 ? `?${ctx.query.toString()}` : ''
      const location = `${this.url}/repositories/${repoId}/issues/${target.number}${suffix}${query}`
      const permanent = ctx.method === 'GET' || ctx.method === 'HEAD'
      throw new ApiError(
        permanent ? 301 : 307,
        {
          message: permanent ? 'Moved Permanently' : 'Temporary Redirect',
          url: location,
          documentation_url: DOCS.redirect
        },
        { location }
      )
    }
    return issue
  }

  transferTarget(issue: FakeIssue): { owner: string; repo: string; number: number } {
    return (
      issue.transferred_to ?? {
        owner: this.owner,
        repo: `${this.repo}-moved`,
        number: issue.number
      }
    )
  }

  /** A transferred issue by its new repository's id and number (what a redirect points at). */
  movedIssue(repoId: number, number: number): MovedIssue | undefined {
    const target = this.movedRepos.get(repoId)
    if (!target) return undefined
    const issue = this.issues.find(
      (i) =>
        i.transferred &&
        !i.deleted &&
        this.transferTarget(i).number === number &&
        lower(this.transferTarget(i).repo) === lower(target.repo) &&
        lower(this.transferTarget(i).owner) === lower(target.owner)
    )
    return issue ? { issue, loc: target, number, repoId } : undefined
  }

  findMilestone(number: number): FakeMilestone | undefined {
    return this.milestones.find((m) => m.number === number)
  }

  findLabel(name: string): FakeLabel | undefined {
    return this.labels.find((l) => lower(l.name) === lower(name))
  }

  /** The label for a name on an issue; synthesised when a test put an unknown name there. */
  labelFor(name: string): FakeLabel {
    return (
      this.findLabel(name) ?? {
        id: 7_500_000_000 + hashId(lower(name)),
        name,
        color: DEFAULT_LABEL_COLOR,
        description: null
      }
    )
  }

  // -------------------------------------------------------------------------------------------
  // Identifiers
  // -------------------------------------------------------------------------------------------

  nextNumber(): number {
    return this.issues.reduce((max, i) => Math.max(max, i.number), 0) + 1
  }

  nextIssueId(): number {
    this.lastIssueId = this.issues.reduce((max, i) => Math.max(max, i.id), this.lastIssueId) + 1
    return this.lastIssueId
  }

  nextCommentId(): number {
    let max = this.lastCommentId
    for (const issue of this.issues) for (const c of issue.comments) max = Math.max(max, c.id)
    this.lastCommentId = max + 1
    return this.lastCommentId
  }

  nextLabelId(): number {
    this.lastLabelId = this.labels.reduce((max, l) => Math.max(max, l.id), this.lastLabelId) + 1
    return this.lastLabelId
  }

  // -------------------------------------------------------------------------------------------
  // Rendering (GitHub's JSON shapes)
  // -------------------------------------------------------------------------------------------

  loc(): RepoLoc {
    return { owner: this.owner, repo: this.repo }
  }

  apiRepo(loc: RepoLoc): string {
    return `${this.url}/repos/${loc.owner}/${loc.repo}`
  }

  htmlRepo(loc: RepoLoc): string {
    return `${this.serverUrl}/${loc.owner}/${loc.repo}`
  }

  paged<T>(ctx: Ctx, all: T[], render: (item: T) => unknown): Reply {
    const perPage = parsePerPage(ctx.query)
    const page = parsePage(ctx.query)
    const start = (page - 1) * perPage
    const items = all.slice(start, start + perPage).map(render)
    const link = this.linkHeader(ctx, page, Math.ceil(all.length / perPage))
    return { status: 200, body: items, headers: link ? { link } : {} }
  }

  /** GitHub's Link header: prev, next, last, first, as applicable. */
  linkHeader(ctx: Ctx, page: number, lastPage: number): string | undefined {
    if (lastPage <= 1 && page <= 1) return undefined
    const href = (p: number): string => {
      const q = new URLSearchParams(ctx.query)
      q.set('page', String(p))
      return `<${this.url}${ctx.path}?${q.toString()}>`
    }
    const parts: string[] = []
    if (page > 1) parts.push(`${href(page - 1)}; rel="prev"`)
    if (page < lastPage) {
      parts.push(`${href(page + 1)}; rel="next"`)
      parts.push(`${href(lastPage)}; rel="last"`)
    }
    if (page > 1) parts.push(`${href(1)}; rel="first"`)
    return parts.length > 0 ? parts.join(', ') : undefined
  }

  renderUser(login: string): Record<string, unknown> {
    const bot = login.endsWith('[bot]')
    const id = login === BOT_LOGIN ? BOT_ID : hashId(lower(login))
    const apiUrl = `${this.url}/users/${encodeURIComponent(login)}`
    return {
      login,
      id,
      node_id: bot
        ? `BOT_kgDO${Buffer.from(String(id)).toString('base64url')}`
        : `U_kgDO${Buffer.from(String(id)).toString('base64url')}`,
      avatar_url: bot
        ? 'https://avatars.githubusercontent.com/in/15368?v=4'
        : `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: apiUrl,
      html_url: bot
        ? `${this.serverUrl}/apps/${login.replace(/\[bot\]$/, '')}`
        : `${this.serverUrl}/${login}`,
      followers_url: `${apiUrl}/followers`,
      following_url: `${apiUrl}/following{/other_user}`,
      gists_url: `${apiUrl}/gists{/gist_id}`,
      starred_url: `${apiUrl}/starred{/owner}{/repo}`,
      subscriptions_url: `${apiUrl}/subscriptions`,
      organizations_url: `${apiUrl}/orgs`,
      repos_url: `${apiUrl}/repos`,
      events_url: `${apiUrl}/events{/privacy}`,
      received_events_url: `${apiUrl}/received_events`,
      type: bot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false
    }
  }

  renderLabel(
    label: FakeLabel,
    loc: RepoLoc = this.loc()
  ): Record<string, unknown> & { url: string } {
    return {
      id: label.id,
      node_id: nodeId('LA', label.id),
      url: `${this.apiRepo(loc)}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: false,
      description: label.description
    }
  }

  renderMilestone(number: number, loc: RepoLoc): Record<string, unknown> {
    // An issue a test changed in place may name a milestone that was never seeded.
    const m = this.findMilestone(number) ?? {
      number,
      id: 9_000_000 + number,
      title: `Milestone ${number}`,
      description: null,
      state: 'open',
      due_on: null,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      closed_at: null,
      creator_login: this.owner
    }
    const count = (state: 'open' | 'closed'): number =>
      this.issues.filter(
        (i) => i.milestone === number && i.state === state && !i.deleted && !i.transferred
      ).length
    return {
      url: `${this.apiRepo(loc)}/milestones/${number}`,
      html_url: `${this.htmlRepo(loc)}/milestone/${number}`,
      labels_url: `${this.apiRepo(loc)}/milestones/${number}/labels`,
      id: m.id,
      node_id: nodeId('MI', m.id),
      number,
      title: m.title,
      description: m.description,
      creator: this.renderUser(m.creator_login),
      open_issues: count('open'),
      closed_issues: count('closed'),
      state: m.state,
      created_at: m.created_at,
      updated_at: m.updated_at,
      due_on: m.due_on,
      closed_at: m.closed_at
    }
  }

  renderIssueType(name: string): Record<string, unknown> {
    const type = this.issueTypes?.find((t) => lower(t.name) === lower(name)) ?? {
      id: hashId(`issue-type:${lower(name)}`),
      name,
      description: null,
      color: 'gray'
    }
    return {
      id: type.id,
      node_id: nodeId('IT', type.id),
      name: type.name,
      description: type.description,
      color: type.color,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      is_enabled: true
    }
  }

  /** An issue's field values as GitHub renders them, in the order of the organisation's fields. */
  renderFieldValues(issue: FakeIssue): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    for (const field of this.issueFields ?? []) {
      const v = issue.field_values?.find((x) => x.field_id === field.id)
      if (!v) continue
      const base = {
        issue_field_id: field.id,
        node_id: field.node_id,
        issue_field_name: field.name,
        data_type: field.data_type
      }
      if (field.data_type === 'single_select') {
        const option = field.options?.find((o) => lower(o.name) === lower(String(v.value)))
        if (!option) continue
        // The value of a single-select field is its option's id.
        out.push({ ...base, value: option.id, single_select_option: { ...option } })
      } else {
        out.push({ ...base, value: v.value })
      }
    }
    return out
  }

  renderIssue(
    issue: FakeIssue,
    opts: {
      single?: boolean
      search?: boolean
      loc?: RepoLoc
      number?: number
      repoId?: number
    } = {}
  ): Record<string, unknown> {
    const loc = opts.loc ?? this.loc()
    const n = opts.number ?? issue.number
    const api = `${this.apiRepo(loc)}/issues/${n}`
    const html = issue.pull_request
      ? `${this.htmlRepo(loc)}/pull/${n}`
      : `${this.htmlRepo(loc)}/issues/${n}`
    const assignees = issue.assignees.map((a) => this.renderUser(a))
    const out: Record<string, unknown> = {
      url: api,
      repository_url: this.apiRepo(loc),
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: html,
      id: issue.id,
      node_id: issue.node_id,
      number: n,
      title: issue.title,
      user: this.renderUser(issue.user_login),
      labels: issue.labels.map((name) => this.renderLabel(this.labelFor(name), loc)),
      state: issue.state,
      locked: issue.locked,
      assignee: assignees[0] ?? null,
      assignees,
      milestone: issue.milestone === null ? null : this.renderMilestone(issue.milestone, loc),
      comments: issue.comments.length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      author_association: lower(issue.user_login) === lower(this.owner) ? 'OWNER' : 'NONE',
      type: issue.type ? this.renderIssueType(issue.type) : null,
      active_lock_reason: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 }
    }
    if (this.issueFields) out['issue_field_values'] = this.renderFieldValues(issue)
    if (issue.pull_request) {
      out['draft'] = false
      out['pull_request'] = {
        url: `${this.apiRepo(loc)}/pulls/${n}`,
        html_url: `${this.htmlRepo(loc)}/pull/${n}`,
        diff_url: `${this.htmlRepo(loc)}/pull/${n}.diff`,
        patch_url: `${this.htmlRepo(loc)}/pull/${n}.patch`,
        merged_at: null
      }
    }
    out['body'] = issue.body
    if (opts.single) {
      out['closed_by'] =
        issue.state === 'closed' && issue.closed_by_login
          ? this.renderUser(issue.closed_by_login)
          : null
    }
    out['reactions'] = renderReactions(api)
    out['timeline_url'] = `${api}/timeline`
    out['performed_via_github_app'] = null
    out['state_reason'] = issue.state_reason
    if (opts.search) out['score'] = 1
    return out
  }
}

/** An item's `reactions` summary: none, at `{url}/reactions`. */
export function renderReactions(url: string): Record<string, unknown> {
  return {
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0
  }
}

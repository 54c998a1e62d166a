/**
 * The fake Sentry's model: what it stores (projects, issues with their hidden `_` fields, events,
 * notes, the redirects of merged issues, the settings a test may change mid-way), its clock and id
 * counters, and the look-ups every resource shares. The public types here are re-exported by
 * `../fake-sentry.ts`.
 */
import { FakeSentrySignals } from '../fake-sentry-signals.js'
import { FakeSentryIntegrations } from '../sentry-integrations.js'
import { DETAIL_NOT_FOUND, HttpError } from './http.js'
import { ORGANIZATION_OPERATION, specExample } from './spec.js'

// ---------------------------------------------------------------------------------------------
// Public types

export interface FakeSentryOptions {
  /** The token the fake accepts (default `sentry-test-token`). */
  token?: string
  /** The organization slug the fake serves (default `acme`). */
  org?: string
  /** A path prefix, as for a self-hosted Sentry served under e.g. `/sentry` (default none). */
  pathPrefix?: string
  /**
   * Send `X-Sentry-Rate-Limit-Limit/-Remaining/-Reset/-ConcurrentLimit/-ConcurrentRemaining` on
   * every normal response, as sentry.io does (default true). False imitates a self-hosted server.
   */
  rateLimitHeaders?: boolean
  /**
   * Real rate limiting: once this many requests arrived in the current one-second window, answer
   * 429 (without `Retry-After`, with `X-Sentry-Rate-Limit-Reset` = the window's end in epoch
   * seconds) until the window ends. Default: unlimited.
   */
  requestsPerWindow?: number
  /** Tokens that authenticate but lack the scopes to read (answered with 403). */
  forbiddenTokens?: string[]
  /** The clock that `statsPeriod` filtering and new issues' timestamps use (default: real time). */
  now?: () => Date
  /**
   * Imitate an old self-hosted server: the org-scoped latest-event route does not exist (answered
   * like any unknown route, an empty 404), only `/api/0/issues/{id}/events/latest/` does.
   */
  legacyEventsOnly?: boolean
  /** Fixed delay (real time) before every request is handled, for benchmarks. Default 0. */
  latencyMs?: number
  /**
   * Slugs of the projects on the token owner's teams ("my projects"). Sentry's issue index uses
   * only these when a request names no `project` (`project=-1` still means every project the
   * token can access; source: `OrganizationEndpoint.get_projects`). Undefined (default): the
   * token owner is on every project's team.
   */
  memberProjects?: string[]
  /** The organization's numeric id, which Sentry accepts in place of the slug (default `1`). */
  orgId?: string
  /**
   * When the organization was created (its `dateCreated`); with `orgId`, what tells one Sentry
   * installation from another. Default: the date of Sentry's own example organization.
   */
  orgCreated?: string
  /**
   * Sentry's own idea of its URL (self-hosted `system.url-prefix`): permalinks and organization
   * links use it, whatever host a request came in by. Default: the fake's own `url`.
   */
  urlPrefix?: string
}

export interface FakeSentryProject {
  id: string
  slug: string
  name: string
  platform: string
}

/** An issue as the fake stores it: the API's fields plus hidden `_`-prefixed ones. */
export type FakeIssue = Record<string, unknown>

/** Fields to set on a new issue; anything not given gets a realistic default. */
export interface FakeIssueInput {
  /** Slug of the issue's project (default: the first project; one is created if there is none). */
  projectSlug?: string
  /** Environments the issue was seen in (stored hidden as `_environments`; default production). */
  environments?: string[]
  id?: string
  shortId?: string
  title?: string
  culprit?: string | null
  level?: string
  status?: string
  substatus?: string | null
  priority?: string | null
  /** Sentry serves `count` as a string; a number given here is stored as a string. */
  count?: string | number
  userCount?: number
  firstSeen?: string | null
  lastSeen?: string | null
  metadata?: Record<string, unknown>
  assignedTo?: Record<string, unknown> | null
  isUnhandled?: boolean
  [field: string]: unknown
}

/** A note on an issue; `author` is absent for notes posted through the API (the token's user). */
export interface FakeNote {
  issueId: string
  text: string
  at: number
  author?: { id: string; name: string; email: string }
}

/** An event as the fake stores and serves it (an `IssueEventDetailsResponse`). */
export type FakeEvent = Record<string, unknown>

/** One stack frame of a new event; missing fields get realistic defaults. */
export interface FakeFrameInput {
  filename: string
  absPath?: string | null
  module?: string | null
  function?: string | null
  lineNo?: number | null
  colNo?: number | null
  inApp?: boolean | null
  /** Source lines around `lineNo`, as Sentry serves them: `[lineNo, text]`. */
  context?: Array<[number, string]>
}

/** Fields to set on a new event; anything not given is derived from its issue. */
export interface FakeEventInput {
  /** JavaScript (browser) or Python (Django) shape; default from the issue's platform. */
  flavour?: 'javascript' | 'python'
  id?: string
  dateCreated?: string
  /** The raised exception's type and value (default: the issue's metadata). */
  type?: string
  value?: string
  mechanism?: { type: string; handled: boolean } | null
  /** Oldest call first, the raising frame last (default: realistic frames for the flavour). */
  frames?: FakeFrameInput[]
  /** Tags, as `{key: value}` or Sentry's `[{key, value}]` (default: realistic tags). */
  tags?: Record<string, string> | Array<{ key: string; value: string }>
  /** The release version; null for none. */
  release?: string | null
  environment?: string
  /** Any other field of the served event, set last. */
  [field: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// The state

const DEFAULT_TOKEN = 'sentry-test-token'
const DEFAULT_ORG = 'acme'
const FIRST_ISSUE_ID = 6_000_000_000
const FIRST_PROJECT_ID = 4_500_000_000_000_000

/** What the fake stores; `FakeSentry` documents the public part. */
export class SentryState {
  readonly url: string
  readonly pathPrefix: string
  readonly token: string
  org: string
  readonly orgId: string
  readonly orgCreated: string
  urlPrefix: string
  memberProjects: string[] | undefined
  forbiddenTokens: string[]
  notes: FakeNote[] = []
  notesForbidden = false
  /** User ids that are not members of the issues' projects (assigning them is refused). */
  nonMembers: string[] = []
  activityCounter = 1
  readonly signals = new FakeSentrySignals()
  readonly links = new FakeSentryIntegrations()
  now: () => Date
  projects: FakeSentryProject[] = []
  issues: FakeIssue[] = []
  events = new Map<string, FakeEvent[]>()
  tokenScopes: string[] = ['event:read', 'event:write', 'org:read', 'project:read']
  tokenWithoutUser = false
  environments: string[] | undefined

  // Counters of the seeding helpers.
  nextEventNumber = 1
  nextIssueId = FIRST_ISSUE_ID + 1
  nextProjectId = FIRST_PROJECT_ID + 1
  /** Project slug → the number of its last short id (`BACKEND-3`). */
  readonly shortIdCounters = new Map<string, number>()
  /** Merged-away issue id → the id of the issue it was merged into (Sentry's `GroupRedirect`). */
  readonly redirects = new Map<string, string>()

  constructor(opts: FakeSentryOptions, port: number) {
    this.pathPrefix = normalizePrefix(opts.pathPrefix)
    this.url = `http://127.0.0.1:${port}${this.pathPrefix}`
    this.org = opts.org ?? DEFAULT_ORG
    this.orgId = opts.orgId ?? '1'
    this.orgCreated = opts.orgCreated ?? String(specExample(ORGANIZATION_OPERATION)['dateCreated'])
    this.urlPrefix = (opts.urlPrefix ?? this.url).replace(/\/+$/, '')
    this.memberProjects = opts.memberProjects === undefined ? undefined : [...opts.memberProjects]
    this.token = opts.token ?? DEFAULT_TOKEN
    this.forbiddenTokens = [...(opts.forbiddenTokens ?? [])]
    this.now = opts.now ?? (() => new Date())
  }

  /** Whether `org` names the organization: Sentry takes the slug or the numeric id. */
  knowsOrg(org: string): boolean {
    return org === this.org || org === this.orgId
  }

  /**
   * The issue behind `id` for the single-issue routes, or undefined. Like Sentry's `GroupEndpoint`
   * (via `get_group_with_redirect`), an id merged away resolves to the issue it was merged into,
   * and the route answers with that issue (200, its own `id`; no redirect status).
   */
  resolveIssue(id: string): FakeIssue | undefined {
    const target = this.redirects.get(id) ?? id
    return this.issues.find((i) => String(i['id']) === target)
  }

  /** `resolveIssue`, answering 404 for unknown or deleted ids. */
  findIssue(id: string): FakeIssue {
    const issue = this.resolveIssue(id)
    if (!issue) throw new HttpError(404, DETAIL_NOT_FOUND)
    return issue
  }

  /** The issue a test helper names (no redirects); throws when there is none. */
  requireIssue(id: string): FakeIssue {
    const issue = this.issues.find((i) => String(i['id']) === id)
    if (!issue) throw new Error(`Fake Sentry has no issue ${id}`)
    return issue
  }
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

// ---------------------------------------------------------------------------------------------
// Sentry's shapes of what the fake stores

/** Strips the hidden `_`-prefixed keys of an issue. */
export function serveIssue(issue: FakeIssue): Record<string, unknown> {
  return Object.fromEntries(Object.entries(issue).filter(([key]) => !key.startsWith('_')))
}

export function issueProjectId(issue: FakeIssue): string | undefined {
  const project = issue['project']
  if (typeof project !== 'object' || project === null) return undefined
  const id = (project as Record<string, unknown>)['id']
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

/**
 * The one client for Sentry's REST API (sentry.io, its regions, and self-hosted servers): one
 * method per endpoint the action uses. Requests, retries, rate limits, pagination, validation and
 * error messages live in `./transport.ts` and the modules it uses; response shapes in
 * `./schemas.ts`.
 */
import { z } from 'zod'
import {
  sentryActivitySchema,
  sentryNoteListSchema,
  type SentryNote,
  sentryAuthInfoSchema,
  sentryEnvironmentListSchema,
  sentryEventSchema,
  sentryOrganizationSchema,
  sentryIssueListSchema,
  sentryIssueSchema,
  sentryProjectListSchema,
  type SentryAuthInfo,
  type SentryEvent,
  type SentryIssue,
  type SentryOrganization,
  type SentryProject
} from './schemas.js'
import { SentryApiError } from './errors.js'
import { SentryTransport, type SentryTransportOptions } from './transport.js'
import {
  sentryAutofixStartSchema,
  sentryAutofixStateSchema,
  sentryIssueOwnersSchema,
  sentryMemberListSchema,
  sentryTagDetailsSchema,
  sentryTeamListSchema,
  type SentryAutofixState,
  type SentryMember,
  type SentryOwner,
  type SentryTagDetails,
  type SentryTeam
} from './signal-schemas.js'

export { SentryApiError, type SentryErrorKind } from './errors.js'
export { normalizeSentryBaseUrl } from './url.js'

/** See `SentryTransportOptions`: the client takes the transport's options as they are. */
export type SentryClientOptions = SentryTransportOptions

export interface ListIssuesParams {
  /** Sentry search query; always sent, so an empty string means every issue. */
  query: string
  statsPeriod?: string
  /** Numeric project ids (see `resolveProjectIds`). */
  projectIds?: string[]
  environments?: string[]
  sort?: string
  /** Read at most this many issues (a positive integer, or Infinity). */
  max: number
  /** The first page's size, when smaller than a full page (later pages are full). */
  firstPage?: number
  /**
   * Stop at the first issue for which this is true (it is not kept, and no further page is
   * asked for): quick passes list `sort: 'new'` until the first issue already seen.
   */
  until?: (issue: SentryIssue) => boolean
}

export interface ListIssuesResult {
  issues: SentryIssue[]
  /** True when more issues matched than were read (or the listing had to stop early). */
  truncated: boolean
  pages: number
}

const PAGE_SIZE = 100

/** Write endpoints answer with the changed object; the action needs nothing from it. */
const writeResponseSchema = z.unknown()

/** How an issue was resolved (`PUT …/issues/{id}/`, `statusDetails`). */
export type SentryStatusDetails =
  { inCommit: { commit: string; repository: string } } | { inNextRelease: true }

/** What links an external issue to a Sentry issue (see `linkExternalIssue`). */
export interface ExternalIssueInput {
  /** The Sentry issue id. */
  issueId: string
  webUrl: string
  /** The external service's project (Sentry shows `project#identifier`). */
  project: string
  identifier: string
}

const sentryExternalIssueSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  issueId: z.union([z.string(), z.number()]).transform(String),
  webUrl: z.string(),
  displayName: z.string().nullish(),
  serviceType: z.string().nullish()
})
export type SentryExternalIssue = z.infer<typeof sentryExternalIssueSchema>

export class SentryClient {
  readonly baseUrl: string
  readonly #http: SentryTransport
  /** Set once the server turned out not to know the org-scoped latest-event route. */
  #legacyEventRoutes = false

  constructor(opts: SentryClientOptions) {
    this.#http = new SentryTransport(opts)
    this.baseUrl = this.#http.baseUrl
  }

  /** HTTP requests sent so far (every attempt counts). */
  get requestCount(): number {
    return this.#http.requestCount
  }

  /** Closes the connections this client keeps open. */
  async close(): Promise<void> {
    await this.#http.close()
  }

  /**
   * Lists an organization's issues, following pages until `max` issues were read or there are no
   * more. Issues repeated across pages (the order can shift while paging) are kept once.
   */
  async listIssues(org: string, p: ListIssuesParams): Promise<ListIssuesResult> {
    if (!(p.max >= 1) || (!Number.isInteger(p.max) && p.max !== Infinity)) {
      throw new RangeError(`max must be a positive integer (got ${p.max})`)
    }
    const base = new URLSearchParams()
    base.set('query', p.query)
    if (p.statsPeriod) base.set('statsPeriod', p.statsPeriod)
    for (const id of p.projectIds ?? []) base.append('project', id)
    for (const env of p.environments ?? []) base.append('environment', env)
    if (p.sort) base.set('sort', p.sort)

    const issues: SentryIssue[] = []
    const ids = new Set<string>()
    const path = `/organizations/${encodeURIComponent(org)}/issues/`
    let truncated = false
    let pages = 0
    await this.#http.paginate(path, base, sentryIssueListSchema, {
      firstLimit: Math.min(p.firstPage ?? PAGE_SIZE, PAGE_SIZE, p.max),
      onPage: (page, hasMore) => {
        pages++
        let added = 0
        for (const issue of page) {
          if (ids.has(issue.id)) continue
          if (p.until?.(issue)) return { stop: true, added }
          if (issues.length >= p.max) {
            // The server sent more than `limit` asked for.
            truncated = true
            break
          }
          ids.add(issue.id)
          issues.push(issue)
          added++
        }
        if (issues.length >= p.max) {
          truncated ||= hasMore
          return { stop: true, added }
        }
        return { stop: false, added, nextLimit: Math.min(PAGE_SIZE, p.max - issues.length) }
      },
      onIncomplete: () => {
        truncated = true
      }
    })
    return { issues, truncated, pages }
  }

  /** Every project of the organization the token can see. */
  async listProjects(org: string): Promise<SentryProject[]> {
    const projects: SentryProject[] = []
    const ids = new Set<string>()
    const path = `/organizations/${encodeURIComponent(org)}/projects/`
    await this.#http.paginate(path, new URLSearchParams(), sentryProjectListSchema, {
      onPage: (page) => {
        let added = 0
        for (const project of page) {
          if (ids.has(project.id)) continue
          ids.add(project.id)
          projects.push(project)
          added++
        }
        return { stop: false, added }
      }
    })
    return projects
  }

  /**
   * Maps project slugs to numeric ids (older servers accept only ids). Numeric values are kept as
   * they are; if every value is numeric no request is made. Unknown slugs are a `not-found` error
   * naming them.
   */
  async resolveProjectIds(org: string, slugsOrIds: string[]): Promise<string[]> {
    const wanted = unique(slugsOrIds.map((v) => v.trim()).filter((v) => v !== ''))
    const isId = (v: string): boolean => /^-?\d+$/.test(v)
    if (wanted.every(isId)) return wanted

    const projects = await this.listProjects(org)
    const bySlug = new Map(projects.map((p) => [p.slug, p.id]))
    const byLowerSlug = new Map(projects.map((p) => [p.slug.toLowerCase(), p.id]))
    const idOf = (slug: string): string | undefined =>
      bySlug.get(slug) ?? byLowerSlug.get(slug.toLowerCase())

    const unknown = wanted.filter((v) => !isId(v) && idOf(v) === undefined)
    if (unknown.length > 0) {
      const known = projects.map((p) => p.slug).sort()
      const shown =
        known.slice(0, 20).join(', ') + (known.length > 20 ? `, … (${known.length} in all)` : '')
      throw new SentryApiError(
        `Unknown Sentry project${unknown.length > 1 ? 's' : ''} in organization "${org}": ` +
          `${unknown.join(', ')}. ` +
          (known.length > 0
            ? `Projects this token can see: ${shown}.`
            : 'This token can see no projects in the organization (check its project:read scope and team membership).') +
          ' Check sentry-projects (project slugs or numeric IDs).',
        {
          kind: 'not-found',
          url: this.#http.url(`/organizations/${encodeURIComponent(org)}/projects/`)
        }
      )
    }
    return unique(wanted.map((v) => (isId(v) ? v : (idOf(v) as string))))
  }

  /**
   * Fetches issues by id, whatever their status (Sentry's `group=` batch look-up, 100 ids per
   * request), optionally within the given projects. Without projects it sends `project=-1`: with
   * no `project` at all Sentry searches only the projects of the token owner's teams, so a
   * personal token outside the project's team would not see them. Ids Sentry does not return
   * (deleted, merged, outside the projects) are simply absent from the result.
   */
  async getIssuesByIds(org: string, ids: string[], projectIds?: string[]): Promise<SentryIssue[]> {
    const wanted = unique(ids)
    const invalid = wanted.filter((id) => !/^\d+$/.test(id))
    if (invalid.length > 0) {
      throw new RangeError(
        `Sentry issue ids must be numeric (got ${invalid.slice(0, 5).join(', ')})`
      )
    }
    const path = `/organizations/${encodeURIComponent(org)}/issues/`
    const found: SentryIssue[] = []
    const seen = new Set<string>()
    for (let i = 0; i < wanted.length; i += PAGE_SIZE) {
      const chunk = wanted.slice(i, i + PAGE_SIZE)
      const params = new URLSearchParams()
      // The server ignores `query` for a group look-up; an explicit empty one keeps older servers
      // from applying their default `is:unresolved`.
      params.set('query', '')
      for (const id of chunk) params.append('group', id)
      for (const id of projectIds?.length ? projectIds : ['-1']) params.append('project', id)
      params.set('limit', String(PAGE_SIZE))
      const { data } = await this.#http.getJson(path, params, sentryIssueListSchema)
      const inChunk = new Set(chunk)
      // A server that does not know `group` answers with an ordinary list: keep only what was asked.
      for (const issue of data) {
        if (inChunk.has(issue.id) && !seen.has(issue.id)) {
          seen.add(issue.id)
          found.push(issue)
        }
      }
    }
    return found
  }

  /**
   * One issue by id (`GET /organizations/{org}/issues/{id}/`), or undefined when Sentry no longer
   * has it (404). After a merge Sentry answers a merged-away id with the surviving issue, so the
   * answer's `id` may differ from the one asked for.
   */
  async getIssue(org: string, issueId: string): Promise<SentryIssue | undefined> {
    if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
    const outcome = await this.#http.fetchJson(
      `/organizations/${encodeURIComponent(org)}/issues/${issueId}/`,
      new URLSearchParams(),
      sentryIssueSchema,
      { allowNotFound: true }
    )
    if (outcome.kind === 'ok') return outcome.data
    if (!outcome.routeMissing) return undefined
    throw new SentryApiError(
      `Sentry answered GET /api/0/organizations/${org}/issues/${issueId}/ with a 404 that is not Sentry's: check sentry-url.`,
      { kind: 'not-found', url: outcome.url, status: 404 }
    )
  }

  /**
   * The latest event of an issue, or undefined when it has none (none in range, or the issue is
   * gone): Sentry answers that with a 404 carrying a JSON `detail`.
   *
   * The org-scoped `GET /organizations/{org}/issues/{id}/events/latest/` is tried first. Older
   * self-hosted servers do not have that route and answer it like any unknown route: a 404 without
   * a JSON `detail` (an empty body, an HTML page or `{"info": "Route not found…"}`). Then, and for
   * the rest of this client's life, the unscoped `GET /issues/{id}/events/latest/` is used. A
   * route-not-found from that one too is an error (the sentry-url is probably not a Sentry API).
   * Other failures are thrown as `SentryApiError`s, with the same retries and rate-limit handling
   * as every other call.
   */
  async getLatestEvent(
    org: string,
    issueId: string,
    opts: { environments?: string[] } = {}
  ): Promise<SentryEvent | undefined> {
    if (!/^\d+$/.test(issueId)) {
      throw new RangeError(`Sentry issue ids must be numeric (got ${JSON.stringify(issueId)})`)
    }
    const params = new URLSearchParams()
    for (const env of opts.environments ?? []) params.append('environment', env)
    const id = encodeURIComponent(issueId)

    if (!this.#legacyEventRoutes) {
      const path = `/organizations/${encodeURIComponent(org)}/issues/${id}/events/latest/`
      const outcome = await this.#http.fetchJson(path, params, sentryEventSchema, {
        allowNotFound: true
      })
      if (outcome.kind === 'ok') return outcome.data
      if (!outcome.routeMissing) return undefined
      this.#legacyEventRoutes = true
      this.#http.log.info(
        `Sentry at ${this.baseUrl} has no organization-scoped latest-event route (an older server); ` +
          'using /api/0/issues/{id}/events/latest/ instead.'
      )
    }

    const path = `/issues/${id}/events/latest/`
    const outcome = await this.#http.fetchJson(path, params, sentryEventSchema, {
      allowNotFound: true
    })
    if (outcome.kind === 'ok') return outcome.data
    if (!outcome.routeMissing) return undefined
    throw new SentryApiError(
      `Sentry at ${this.baseUrl} has neither latest-event route (GET /api/0/organizations/{org}/issues/{id}/events/latest/ ` +
        'nor GET /api/0/issues/{id}/events/latest/ answered as Sentry does). Check sentry-url: it should be the ' +
        "Sentry server's base URL, including any path prefix.",
      { kind: 'not-found', url: outcome.url, status: 404 }
    )
  }

  /** Sets an issue's status (`resolved`, `unresolved`, `ignored`); needs `event:write`. */
  async updateIssueStatus(
    org: string,
    issueId: string,
    status: 'resolved' | 'unresolved' | 'ignored'
  ): Promise<void> {
    if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
    await this.#http.fetchJson(
      `/organizations/${encodeURIComponent(org)}/issues/${issueId}/`,
      new URLSearchParams(),
      writeResponseSchema,
      { allowNotFound: false, method: 'PUT', body: { status } }
    )
  }

  /**
   * Assigns an issue (`PUT …/issues/{id}/` with `assignedTo`): `user:ID`, `team:ID` or a user's
   * primary e-mail; null unassigns. Needs `event:write`. Answers the issue as Sentry now has it.
   */
  async assignIssue(org: string, issueId: string, assignedTo: string | null): Promise<SentryIssue> {
    const outcome = await this.#http.fetchJson(
      `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/`,
      new URLSearchParams(),
      sentryIssueSchema,
      { allowNotFound: false, method: 'PUT', body: { assignedTo: assignedTo ?? '' } }
    )
    if (outcome.kind !== 'ok') throw new Error(`PUT issue ${issueId}: 404`)
    return outcome.data
  }

  /**
   * When the issue's assignee last changed (its newest `assigned` or `unassigned` activity, from
   * the issue's details), or undefined when Sentry records none.
   */
  async assigneeChangedAt(org: string, issueId: string): Promise<string | undefined> {
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/`
    const { data } = await this.#http.getJson(path, new URLSearchParams(), sentryActivitySchema)
    const times = (data.activity ?? [])
      .filter((a) => a.type === 'assigned' || a.type === 'unassigned')
      .map((a) => a.dateCreated)
      .filter((t) => !Number.isNaN(Date.parse(t)))
      .sort((a, b) => Date.parse(b) - Date.parse(a))
    return times[0]
  }

  /**
   * Posts a note on an issue. Needs a user auth token with `event:write`: organization tokens
   * are refused (403), and the same text twice within an hour is refused (400).
   */
  async addComment(org: string, issueId: string, text: string): Promise<void> {
    if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
    await this.#http.fetchJson(
      `/organizations/${encodeURIComponent(org)}/issues/${issueId}/comments/`,
      new URLSearchParams(),
      writeResponseSchema,
      { allowNotFound: false, method: 'POST', body: { text } }
    )
  }

  /**
   * An issue's notes, newest first (`GET …/issues/{id}/comments/`, not in the public spec: Sentry's
   * GroupNotesEndpoint), at most `maxPages` pages of 100. Needs `event:read`.
   */
  async listNotes(org: string, issueId: string, maxPages = 5): Promise<SentryNote[]> {
    const notes: SentryNote[] = []
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/comments/`
    let pages = 0
    await this.#http.paginate(
      path,
      new URLSearchParams({ per_page: '100' }),
      sentryNoteListSchema,
      {
        onPage: (page) => {
          pages++
          notes.push(...page.filter((n) => n.type === 'note'))
          return { stop: pages >= maxPages, added: page.length }
        }
      }
    )
    return notes
  }

  /**
   * Resolves an issue with details (`statusDetails`): `{inCommit: {commit, repository}}` (resolved
   * by that commit, which Sentry must know in a repository connected to the organization: 400
   * otherwise), `{inNextRelease: true}` (400 when the project has no release), or none (plain
   * `resolved`). Needs `event:write`.
   */
  async resolveIssue(
    org: string,
    issueId: string,
    statusDetails?: SentryStatusDetails
  ): Promise<void> {
    if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
    await this.#http.fetchJson(
      `/organizations/${encodeURIComponent(org)}/issues/${issueId}/`,
      new URLSearchParams(),
      writeResponseSchema,
      {
        allowNotFound: false,
        method: 'PUT',
        body: { status: 'resolved', ...(statusDetails ? { statusDetails } : {}) }
      }
    )
  }

  /**
   * Links an external issue to a Sentry issue through an integration platform installation
   * (`POST /sentry-app-installations/{uuid}/external-issues/`): Sentry keeps one link per issue
   * and integration, so a second post replaces the first. Shown in the issue's "Linked issues".
   */
  async linkExternalIssue(uuid: string, link: ExternalIssueInput): Promise<SentryExternalIssue> {
    const { data } = await this.#postOrDelete(
      `/sentry-app-installations/${encodeURIComponent(uuid)}/external-issues/`,
      'POST',
      sentryExternalIssueSchema,
      { ...link, issueId: Number(link.issueId) }
    )
    return data
  }

  /** Removes a link made by `linkExternalIssue` (`DELETE …/external-issues/{id}/`). */
  async unlinkExternalIssue(uuid: string, externalIssueId: string): Promise<void> {
    await this.#postOrDelete(
      `/sentry-app-installations/${encodeURIComponent(uuid)}/external-issues/${encodeURIComponent(externalIssueId)}/`,
      'DELETE',
      writeResponseSchema
    )
  }

  /** The external issues linked to a Sentry issue (every integration's). */
  async listExternalIssues(org: string, issueId: string): Promise<SentryExternalIssue[]> {
    if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
    const path = `/organizations/${encodeURIComponent(org)}/issues/${issueId}/external-issues/`
    return (
      await this.#http.getJson(path, new URLSearchParams(), z.array(sentryExternalIssueSchema))
    ).data
  }

  async #postOrDelete<S extends z.ZodType>(
    path: string,
    method: 'POST' | 'DELETE',
    schema: S,
    body?: unknown
  ): Promise<{ data: z.output<S> }> {
    const outcome = await this.#http.fetchJson(path, new URLSearchParams(), schema, {
      allowNotFound: false,
      method,
      ...(body !== undefined ? { body } : {})
    })
    if (outcome.kind !== 'ok') throw new Error(`${method} ${path}: 404`)
    return outcome
  }

  // -------------------------------------------------------------------------------------------
  // An issue's signals (see src/sync/signals.ts)

  /** The issue's suggested owners (`GET …/issues/{id}/?expand=owners`); none when it has none. */
  async getIssueOwners(org: string, issueId: string): Promise<SentryOwner[]> {
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/`
    const params = new URLSearchParams({ expand: 'owners', collapse: 'stats' })
    return (await this.#http.getJson(path, params, sentryIssueOwnersSchema)).data.owners ?? []
  }

  /**
   * The members whose user ids are given (one request: `query=user.id:1 user.id:2`; needs
   * `member:read`). Ids of people who are not members are simply absent.
   */
  async listMembersByUserIds(org: string, userIds: string[]): Promise<SentryMember[]> {
    const ids = unique(userIds).filter((v) => /^\d+$/.test(v))
    if (ids.length === 0) return []
    const path = `/organizations/${encodeURIComponent(org)}/members/`
    const params = new URLSearchParams({ query: ids.map((v) => `user.id:${v}`).join(' ') })
    return (await this.#http.getJson(path, params, sentryMemberListSchema)).data
  }

  /** The organization's members, at most `maxPages` pages of 100 (`member:read`). */
  async listMembers(org: string, maxPages = 10): Promise<SentryMember[]> {
    const members: SentryMember[] = []
    const path = `/organizations/${encodeURIComponent(org)}/members/`
    let pages = 0
    await this.#http.paginate(
      path,
      new URLSearchParams({ per_page: '100' }),
      sentryMemberListSchema,
      {
        onPage: (page) => {
          pages++
          members.push(...page)
          return { stop: pages >= maxPages, added: page.length }
        }
      }
    )
    return members
  }

  /** The organization's teams, at most `maxPages` pages of 100 (`org:read`). */
  async listTeams(org: string, maxPages = 10): Promise<SentryTeam[]> {
    const teams: SentryTeam[] = []
    const path = `/organizations/${encodeURIComponent(org)}/teams/`
    let pages = 0
    await this.#http.paginate(
      path,
      new URLSearchParams({ detailed: '0', per_page: '100' }),
      sentryTeamListSchema,
      {
        onPage: (page) => {
          pages++
          teams.push(...page)
          return { stop: pages >= maxPages, added: page.length }
        }
      }
    )
    return teams
  }

  /** Seer's state for an issue (`GET …/issues/{id}/autofix/`); `autofix` is null without a run. */
  async getAutofix(org: string, issueId: string): Promise<SentryAutofixState> {
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/autofix/`
    return (await this.#http.getJson(path, new URLSearchParams(), sentryAutofixStateSchema)).data
  }

  /**
   * Starts Seer's analysis of an issue, stopping at the root cause (`POST …/autofix/`; uses the
   * organization's Seer quota, needs `event:write`).
   */
  async startAutofix(org: string, issueId: string): Promise<void> {
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/autofix/`
    await this.#http.fetchJson(path, new URLSearchParams(), sentryAutofixStartSchema, {
      allowNotFound: false,
      method: 'POST',
      body: { step: 'root_cause', stopping_point: 'root_cause' }
    })
  }

  /** A tag's top values on an issue (`GET …/issues/{id}/tags/{key}/`). */
  async getIssueTag(
    org: string,
    issueId: string,
    key: string,
    opts: { environments?: string[] } = {}
  ): Promise<SentryTagDetails> {
    const path = `/organizations/${encodeURIComponent(org)}/issues/${numericId(issueId)}/tags/${encodeURIComponent(key)}/`
    const params = new URLSearchParams()
    for (const env of opts.environments ?? []) params.append('environment', env)
    return (await this.#http.getJson(path, params, sentryTagDetailsSchema)).data
  }

  // -------------------------------------------------------------------------------------------
  // Set-up checks (reads only)

  /** `GET /api/0/`: the token's scopes (`auth.scopes`) and whether it belongs to a user. */
  async getAuthInfo(): Promise<SentryAuthInfo> {
    return (await this.#http.getJson('/', new URLSearchParams(), sentryAuthInfoSchema)).data
  }

  /** `GET /api/0/organizations/{org}/?detailed=0`: the organization, without projects and teams. */
  async getOrganization(org: string): Promise<SentryOrganization> {
    const path = `/organizations/${encodeURIComponent(org)}/`
    const params = new URLSearchParams({ detailed: '0' })
    return (await this.#http.getJson(path, params, sentryOrganizationSchema)).data
  }

  /** The names of every environment of the organization, hidden ones included. */
  async listEnvironments(org: string): Promise<string[]> {
    const path = `/organizations/${encodeURIComponent(org)}/environments/`
    const params = new URLSearchParams({ visibility: 'all' })
    const { data } = await this.#http.getJson(path, params, sentryEnvironmentListSchema)
    return data.map((e) => e.name)
  }
}

function numericId(issueId: string): string {
  if (!/^\d+$/.test(issueId)) throw new RangeError(`issue ids must be numeric (got ${issueId})`)
  return issueId
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

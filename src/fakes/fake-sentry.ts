/**
 * An in-process fake of the parts of Sentry's REST API the action uses, served over real HTTP on
 * loopback (node:http, port 0). Tests and the demo point the real Sentry client at `fake.url`.
 *
 * It imitates sentry.io closely where the action's behaviour depends on it:
 * - Bearer authentication on every request (401 for a missing or unknown token, 403 for tokens
 *   listed in `forbiddenTokens`), 404 for an unknown organization or route, `{"detail": ...}` bodies;
 * - `GET /api/0/organizations/{org}/issues/` with `query`, `statsPeriod`/`start`/`end`, repeatable
 *   numeric `project` and `environment`, `sort`, `limit`, `cursor`, and the batch look-up by `group`;
 * - `GET /api/0/organizations/{org}/projects/`, `GET` and `PUT /api/0/organizations/{org}/issues/{id}/`;
 * - an issue's latest event, at `GET /api/0/organizations/{org}/issues/{id}/events/latest/` and at the
 *   older unscoped `GET /api/0/issues/{id}/events/latest/` (with `legacyEventsOnly`, the org-scoped
 *   route is unknown, as on an old self-hosted server: an empty 404 from Sentry's catch-all);
 * - resolving with `statusDetails` (`inCommit`, `inNextRelease`) and external issues linked through
 *   an integration installation (`links`, see `./sentry-integrations.ts`);
 * - reads of a set-up check: `GET /api/0/` (the token's scopes, `tokenScopes`), the organization
 *   (`GET /api/0/organizations/{org}/`) and its environments (`…/environments/`);
 * - cursor pagination with Sentry's exact `Link` header (both `previous` and `next`, always);
 * - the `X-Sentry-Rate-Limit-*` headers, and optional real per-second rate limiting answered with a
 *   429 that, like Sentry, carries no `Retry-After`.
 *
 * It also moves the way a real Sentry moves between runs:
 * - counts are windowed: list items serve `count`/`userCount` for the query window and `lifetime`
 *   with the totals; `addEvents` records new events at a given time, so counts slide with the clock;
 * - with no `project`, lists and look-ups cover only the token owner's projects (`memberProjects`);
 * - `mergeIssues` (the merged ids answer with the survivor), `deleteIssue`, `renameOrg` (the old
 *   slug is unknown; the numeric `orgId` keeps working) and `setStatus`.
 *
 * Faults (`injectFault`) simulate what proxies and networks do: error statuses and HTML pages,
 * connections reset mid-body, slow responses, malformed JSON, and a cursor that loops forever.
 *
 * Issues and events are built from the examples in Sentry's own OpenAPI description (extracted into
 * `data/sentry-spec.json` by `scripts/extract-sentry-spec.mjs`), so every required field is present.
 * `issues` and `projects` are plain public arrays: tests may read and mutate them freely; every
 * request sees their current state. Keys of an issue that start with `_` (such as `_environments`)
 * are hidden data the fake filters on and never serves.
 *
 * Layout: this file is the public entry; the fake itself lives in `./sentry/`: `router.ts` (request
 * parsing, faults, the rate-limit window, authentication, the route table), one module per
 * resource (`setup.ts` for `GET /api/0/`, the organization and its environments; `search.ts` for
 * the issue index; `issues.ts` for one issue and the helpers that add, seed, merge, delete and
 * change issues; `events.ts` for the latest event; `comments.ts` for notes; `projects.ts`),
 * `counts.ts` (windowed and lifetime counts), `event-builder.ts` and `catalogue.ts` (realistic
 * events and seed data), `spec.ts` (the OpenAPI examples), `state.ts` (what the fake stores) and
 * `http.ts` (the request, reply, error and pagination vocabulary they share). Signals and
 * integrations stay beside this file (`fake-sentry-signals.ts`, `sentry-integrations.ts`).
 *
 * Only for tests and the demo: product code must not import this module.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FakeSentrySignals } from './fake-sentry-signals.js'
import { listenOnLoopback } from './listen.js'
import type { FakeSentryIntegrations } from './sentry-integrations.js'
import { resolveActor, setAssignee } from './sentry/assignees.js'
import { personNote } from './sentry/comments.js'
import { addEvents } from './sentry/counts.js'
import { addEvent } from './sentry/events.js'
import * as issues from './sentry/issues.js'
import { addProject } from './sentry/projects.js'
import { SentryRouter, type FakeSentryRequest, type SentryFault } from './sentry/router.js'
import { renameOrg, setUrlPrefix } from './sentry/setup.js'
import {
  SentryState,
  type FakeEvent,
  type FakeEventInput,
  type FakeIssue,
  type FakeIssueInput,
  type FakeNote,
  type FakeSentryOptions,
  type FakeSentryProject
} from './sentry/state.js'

export { prng } from './sentry/catalogue.js'
export { CALLER_FRAMES, createFakeEvent } from './sentry/event-builder.js'
export { exampleIssueFromSpec } from './sentry/spec.js'
export type { FakeSentryRequest, SentryFault } from './sentry/router.js'
export type {
  FakeEvent,
  FakeEventInput,
  FakeFrameInput,
  FakeIssue,
  FakeNote,
  FakeIssueInput,
  FakeSentryOptions,
  FakeSentryProject
} from './sentry/state.js'

/** A fake Sentry server. Create one with `FakeSentry.start()`, and `close()` it when done. */
export class FakeSentry {
  /** The base URL a user would configure as `sentry-url` (includes the prefix, no trailing slash). */
  readonly url: string
  /**
   * The organization's numeric id. Sentry's routes take `organization_id_or_slug`, so requests
   * under the id keep working after a rename.
   */
  readonly orgId: string
  /** When the organization was created (`dateCreated` of the organization endpoint). */
  readonly orgCreated: string
  readonly token: string
  readonly pathPrefix: string
  /** Owners, members, teams, Seer and tag details, with knobs to make each unavailable. */
  readonly signals: FakeSentrySignals
  /** Connected repositories, releases and external issues (see sentry-integrations.ts). */
  readonly links: FakeSentryIntegrations

  readonly #server: Server
  readonly #state: SentryState
  readonly #router: SentryRouter

  // The state a test may read and change, kept by `./sentry/state.ts` (`requests` by the router).

  /** The organization slug the fake serves; change it with `renameOrg`. */
  get org(): string {
    return this.#state.org
  }

  set org(value: string) {
    this.#state.org = value
  }

  /** The URL permalinks and organization links name (`system.url-prefix`); see `setUrlPrefix`. */
  get urlPrefix(): string {
    return this.#state.urlPrefix
  }

  set urlPrefix(value: string) {
    this.#state.urlPrefix = value
  }

  /** Slugs of the projects on the token owner's teams; undefined: every project (see options). */
  get memberProjects(): string[] | undefined {
    return this.#state.memberProjects
  }

  set memberProjects(value: string[] | undefined) {
    this.#state.memberProjects = value
  }

  /** Tokens answered with 403 (the token is known but lacks the scopes). */
  get forbiddenTokens(): string[] {
    return this.#state.forbiddenTokens
  }

  set forbiddenTokens(value: string[]) {
    this.#state.forbiddenTokens = value
  }

  /** Notes posted on issues (`POST …/comments/`). */
  get notes(): FakeNote[] {
    return this.#state.notes
  }

  set notes(value: FakeNote[]) {
    this.#state.notes = value
  }

  /** Refuse notes with 403, as Sentry does for organization tokens. */
  get notesForbidden(): boolean {
    return this.#state.notesForbidden
  }

  set notesForbidden(value: boolean) {
    this.#state.notesForbidden = value
  }

  /** The clock for `statsPeriod` filtering and new issues' timestamps. */
  get now(): () => Date {
    return this.#state.now
  }

  set now(value: () => Date) {
    this.#state.now = value
  }

  get projects(): FakeSentryProject[] {
    return this.#state.projects
  }

  set projects(value: FakeSentryProject[]) {
    this.#state.projects = value
  }

  get issues(): FakeIssue[] {
    return this.#state.issues
  }

  set issues(value: FakeIssue[]) {
    this.#state.issues = value
  }

  /**
   * Events by issue id, in the order they were added. The latest is the one with the greatest
   * `dateCreated` (the last added among equals). Tests may read and mutate this freely.
   */
  get events(): Map<string, FakeEvent[]> {
    return this.#state.events
  }

  set events(value: Map<string, FakeEvent[]>) {
    this.#state.events = value
  }

  /** Every request received, in order (faulted ones included). */
  get requests(): FakeSentryRequest[] {
    return this.#router.requests
  }

  set requests(value: FakeSentryRequest[]) {
    this.#router.requests = value
  }

  /** The token's scopes, as `GET /api/0/` lists them (`auth.scopes`). */
  get tokenScopes(): string[] {
    return this.#state.tokenScopes
  }

  set tokenScopes(value: string[]) {
    this.#state.tokenScopes = value
  }

  /** `GET /api/0/` answers `user: null`, as for an organization token. */
  get tokenWithoutUser(): boolean {
    return this.#state.tokenWithoutUser
  }

  set tokenWithoutUser(value: boolean) {
    this.#state.tokenWithoutUser = value
  }

  /**
   * The organization's environments; undefined: those the issues were seen in (`_environments`),
   * sorted.
   */
  get environments(): string[] | undefined {
    return this.#state.environments
  }

  set environments(value: string[] | undefined) {
    this.#state.environments = value
  }

  private constructor(server: Server, port: number, opts: FakeSentryOptions) {
    this.#server = server
    this.#state = new SentryState(opts, port)
    this.#router = new SentryRouter(this.#state, opts)
    this.url = this.#state.url
    this.orgId = this.#state.orgId
    this.orgCreated = this.#state.orgCreated
    this.token = this.#state.token
    this.pathPrefix = this.#state.pathPrefix
    this.signals = this.#state.signals
    this.links = this.#state.links
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(opts: FakeSentryOptions = {}): Promise<FakeSentry> {
    if (opts.requestsPerWindow !== undefined && !(opts.requestsPerWindow >= 1)) {
      throw new RangeError('requestsPerWindow must be at least 1')
    }
    const server = createServer()
    const fake = new FakeSentry(server, await listenOnLoopback(server), opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.#router.handle(req, res)
    })
    return fake
  }

  /**
   * Adds a project. Its id is a sequential numeric string unless given; its platform defaults to
   * `javascript` for slugs that look like a front end (web, frontend, js, react, ui), else `python`.
   */
  addProject(
    slug: string,
    opts: { id?: string; name?: string; platform?: string } = {}
  ): FakeSentryProject {
    return addProject(this.#state, slug, opts)
  }

  /**
   * Adds an issue built from the spec's example: every field of `OrganizationGroupIndexGetResponse`
   * items is present, with a sequential id, a per-project short id (`BACKEND-3`), a permalink on
   * this server, `count` as a string and timestamps of now. `overrides` replace any field.
   */
  addIssue(overrides: FakeIssueInput = {}): FakeIssue {
    return issues.addIssue(this.#state, overrides)
  }

  /**
   * Adds an event to an issue (which must exist) and returns it as it will be served. It is built
   * from the spec's `IssueEventDetailsResponse` example, with a JavaScript (browser, React) or
   * Python (Django) shape chosen by the issue's platform: the exception of the issue's metadata,
   * a realistic stack (framework frames, then in-app frames, the raising frame last), tags,
   * release and contexts. `input` replaces any of it. Deterministic: no randomness but the
   * event's sequence number.
   */
  addEvent(issueId: string, input: FakeEventInput = {}): FakeEvent {
    return addEvent(this.#state, issueId, input)
  }

  /**
   * Records `events` new events of an issue (which must exist) at `opts.at` (default `now()`),
   * affecting `opts.users` users not seen before (default 0): the lifetime `count` and `userCount`
   * grow, `lastSeen` moves up to `at`, and lists count them in every window that covers `at`.
   * The issue's status stays as it is, even if it was resolved or archived: set it with
   * `setStatus` where the test wants Sentry's regression or escalation.
   */
  addEvents(issueId: string, events: number, opts: { users?: number; at?: Date } = {}): FakeIssue {
    return addEvents(this.#state, issueId, events, opts)
  }

  /**
   * Merges `mergedIds` into `survivorId`, as Sentry's merge does: the merged issues leave lists and
   * `group=` look-ups; their events and counts join the survivor (lifetime totals, first and last
   * seen); and each merged id keeps answering the single-issue routes (GET, PUT, notes, latest
   * event) with the survivor, through a redirect record like Sentry's `GroupRedirect`. Earlier
   * redirects to a merged issue move on to the survivor.
   */
  mergeIssues(survivorId: string, mergedIds: string[]): FakeIssue {
    return issues.mergeIssues(this.#state, survivorId, mergedIds)
  }

  /**
   * A person assigns the issue in Sentry (`user:ID`, `team:ID`, a user id or e-mail; null
   * unassigns), recorded in its activity at `now()` as Sentry records it.
   */
  personAssign(issueId: string, actor: string | null): FakeIssue {
    const issue = this.#state.requireIssue(issueId)
    const resolved = actor === null ? null : resolveActor(this.#state, actor)
    if (resolved === undefined) throw new Error(`Fake Sentry knows no actor ${String(actor)}`)
    setAssignee(this.#state, issue, resolved)
    return issue
  }

  /** A person writes a note on the issue in Sentry (as `author`; default the token's user). */
  personNote(
    issueId: string,
    text: string,
    author?: { id: string; name: string; email: string }
  ): void {
    personNote(this.#state, issueId, text, author)
  }

  /** User ids that are not members of the projects: assigning them answers 400. */
  get nonMembers(): string[] {
    return this.#state.nonMembers
  }

  set nonMembers(value: string[]) {
    this.#state.nonMembers = value
  }

  /**
   * Deletes an issue: it leaves lists and look-ups, and its single-issue routes answer 404
   * `{"detail": "The requested resource does not exist"}`, as Sentry does once a group is gone.
   */
  deleteIssue(id: string): void {
    issues.deleteIssue(this.#state, id)
  }

  /**
   * Renames the organization: routes under the old slug answer 404 as for any unknown
   * organization (Sentry keeps no alias of an old slug), the numeric `orgId` keeps working, and
   * every issue's permalink uses the new slug.
   */
  renameOrg(newSlug: string): void {
    renameOrg(this.#state, newSlug)
  }

  /**
   * Moves Sentry to another URL (`system.url-prefix`, as after a domain migration): every issue's
   * permalink and the organization's links name the new one.
   */
  setUrlPrefix(prefix: string): void {
    setUrlPrefix(this.#state, prefix)
  }

  /**
   * Sets an issue's status and substatus as Sentry would show them: `resolved` (substatus null),
   * `unresolved` (default substatus `ongoing`; also `new`, `regressed`, `escalating`) or `ignored`
   * (default `archived_until_escalating`; also `archived_until_condition_met`, `archived_forever`).
   */
  setStatus(
    id: string,
    status: 'resolved' | 'unresolved' | 'ignored',
    substatus?: string
  ): FakeIssue {
    return issues.setStatus(this.#state, id, status, substatus)
  }

  /**
   * Adds `n` realistic, varied issues (error types and messages, levels, substatuses, counts,
   * users, assignees, ages and environments), deterministic for a given `seed` (default 1) and
   * clock. They are all unresolved and last seen within the past 20 hours, so they match the
   * action's defaults (`is:unresolved`, `24h`); set fields on them for other cases. Without a
   * `projectSlug` they are spread over the existing projects. Each gets one to three events (see
   * `addEvent`), the latest at its `lastSeen`, unless `events` is false.
   */
  seed(
    n: number,
    opts: { projectSlug?: string; seed?: number; events?: boolean } = {}
  ): FakeIssue[] {
    return issues.seed(this.#state, n, opts)
  }

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: SentryFault): void {
    this.#router.injectFault(fault)
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#router.clearFaults()
  }

  /** Stops the server, ends pending delays and destroys every open connection. */
  async close(): Promise<void> {
    if (this.#router.closed) return
    this.#router.close()
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeAllConnections()
    await closed
  }
}

/**
 * An in-process fake of the GitHub REST API: the parts sentry-issues-action uses (issues, comments,
 * labels, issue search, rate limits) with api.github.com's shapes, status codes, headers and
 * pagination, so that the project's tests, benchmark and demo can drive a real Octokit over real
 * HTTP without a network.
 *
 *     const fake = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
 *     const octokit = getOctokit(fake.token, { baseUrl: fake.url })
 *     await octokit.rest.issues.create({ owner: 'acme', repo: 'web', title: 'Boom' })
 *     expect(fake.issues[0]?.title).toBe('Boom')
 *     await fake.close()
 *
 * What it models:
 * - One repository (`owner/repo`); any other repository answers 404. `pathPrefix: '/api/v3'` gives
 *   GitHub Enterprise Server style URLs.
 * - Issues and pull requests share one number sequence. Listing returns both (pull requests carry a
 *   `pull_request` object). Deleted issues answer 410, transferred ones 301 (307 for writes) with
 *   a `Location` (`/repositories/{id}/issues/{n}`) that the fake also serves, as the moved issue
 *   (reads, updates and new comments); both are left out of listings and search. Comments on
 *   locked issues are refused for app tokens (`lockedCommentsRefused`).
 * - A person acting between runs: `personEdit`, `personClose`, `personReopen`,
 *   `personSetLabels`, `transfer`, `deleteIssue` and `lock`, as `PERSON_LOGIN`; closing through a
 *   commit or a merged pull request (`personCloseByCommit`, `personCloseByPullRequest`,
 *   `referenceFromMergedPullRequest`), as an issue's timeline shows it (`…/timeline`).
 * - Sub-issues (`POST …/issues/{n}/sub_issues`, `subIssuesOf`).
 * - Search (`GET /search/issues`) with the common qualifiers, an index lag (`searchLagMs`) during
 *   which it keeps answering with the issue as it was before (or not at all, for a new issue), its
 *   own 30/min rate limit and the 1,000-result cap.
 * - The primary rate limit (`x-ratelimit-*` headers on every response, 403 when spent) and the
 *   secondary limit on content-creating requests (403 with `retry-after`).
 * - One-shot faults (`injectFault`): a status, a write that is stored but whose response is lost,
 *   a reset connection, a rate limit, a delay.
 * - Issue metadata: milestones (`milestones`, `addMilestone`, list and create), the owner's issue
 *   types (`issueTypes`), the organisation's issue fields (`issueFields`, listed at
 *   `/orgs/{org}/issue-fields`) and their values on issues (list and add), which assignees are
 *   assignable (`assignableUsers`) and a token without push access (`pushAccess: false`), with
 *   GitHub's 422s for an unknown milestone, type, assignee, field or option.
 * - Commits (`addCommit`, a linear history on `defaultBranch`), GraphQL (`POST /graphql`, GHES
 *   `/api/graphql`) validating every query against GitHub's published schema and answering
 *   `blame`, and the pull requests of a commit; `contentsReadable: false` as for a token without
 *   `contents: read`.
 * - Reads of a set-up check: the repository (with the token's `permissions`, and `x-oauth-scopes`
 *   from `oauthScopes`), whether a login can be assigned, and the organisation's issue types.
 *
 * The state is public on purpose: tests read `issues`, `labels` and `requests` directly and may
 * change issues in place (close one, drop a label) to simulate people acting on GitHub. Changes made
 * that way are seen by search at once; changes made through the API go through the index lag.
 *
 * Time: everything that depends on time (timestamps, search lag, rate-limit windows) reads the
 * injectable `now()` clock; only `latencyMs` and `delay` faults use real timers.
 *
 * Layout: this file is the public entry; the fake itself lives in `./github/`: `router.ts` (request
 * parsing, auth, faults, rate limits, and the route table, which lists one module per resource),
 * `state.ts` (what the fake stores, and GitHub's JSON shapes for it) and `http.ts` (the request and
 * error vocabulary they share). A resource module may keep its own state in a store of the fake
 * (`store`), so that adding a resource changes neither this file nor `state.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import * as assignees from './github/assignees.js'
import * as comments from './github/comments.js'
import * as commits from './github/commits.js'
import * as issues from './github/issues.js'
import * as metadata from './github/metadata.js'
import * as subIssues from './github/sub-issues.js'
import * as timeline from './github/timeline.js'
import {
  GitHubRouter,
  type FakeGitHubExchange,
  type FakeRequest,
  type GitHubFault
} from './github/router.js'
import {
  GitHubState,
  PERSON_LOGIN,
  type FakeCommit,
  type FakeGitHubOptions,
  type FakeIssue,
  type FakeIssueField,
  type FakeIssueType,
  type FakeLabel,
  type FakeMilestone
} from './github/state.js'

export { PERSON_LOGIN } from './github/state.js'
export type { CommitSpec } from './github/commits.js'
export type {
  FakeComment,
  FakeCommit,
  FakeGitHubOptions,
  FakeIssue,
  FakeIssueColor,
  FakeIssueField,
  FakeIssueFieldDataType,
  FakeIssueFieldValue,
  FakeIssueType,
  FakeLabel,
  FakeMilestone
} from './github/state.js'
import { listenOnLoopback } from './listen.js'
export type { FakeGitHubExchange, FakeRequest, GitHubFault } from './github/router.js'

export class FakeGitHub {
  /** API base URL (origin + pathPrefix): what `GITHUB_API_URL` / Octokit's `baseUrl` would be. */
  readonly url: string
  /** Web origin used in `html_url`s. */
  readonly serverUrl: string
  readonly owner: string
  readonly repo: string
  readonly token: string
  /** Login of the identity behind the token. */
  readonly userLogin: string
  readonly pathPrefix: string
  /** The kind of account that owns the repository. */
  readonly ownerType: 'Organization' | 'User'

  private readonly server: Server
  private readonly state: GitHubState
  private readonly router: GitHubRouter

  /**
   * The store a resource module keeps under `key`, made by `make` on first use: one per fake,
   * shared by the module's routes and what it offers tests (see `GitHubState.store`).
   */
  store<T>(key: symbol, make: () => T): T {
    return this.state.store(key, make)
  }

  /** All issues and pull requests, in creation order. Tests may read and change them in place. */
  get issues(): FakeIssue[] {
    return this.state.issues
  }

  set issues(value: FakeIssue[]) {
    this.state.issues = value
  }

  /** The repository's labels. */
  get labels(): FakeLabel[] {
    return this.state.labels
  }

  set labels(value: FakeLabel[]) {
    this.state.labels = value
  }

  /** The repository's milestones (`addMilestone` seeds one). */
  get milestones(): FakeMilestone[] {
    return this.state.milestones
  }

  set milestones(value: FakeMilestone[]) {
    this.state.milestones = value
  }

  /** The owner's issue types; undefined when it has none. */
  get issueTypes(): FakeIssueType[] | undefined {
    return this.state.issueTypes
  }

  set issueTypes(value: FakeIssueType[] | undefined) {
    this.state.issueTypes = value
  }

  /** The organisation's issue fields; undefined when issue fields are not available. */
  get issueFields(): FakeIssueField[] | undefined {
    return this.state.issueFields
  }

  set issueFields(value: FakeIssueField[] | undefined) {
    this.state.issueFields = value
  }

  /** Every request received, in arrival order. */
  get requests(): FakeRequest[] {
    return this.router.requests
  }

  set requests(value: FakeRequest[]) {
    this.router.requests = value
  }

  // Mutable copies of the options of the same name, so a test can change them mid-way.

  get searchLagMs(): number {
    return this.state.searchLagMs
  }

  set searchLagMs(value: number) {
    this.state.searchLagMs = value
  }

  get latencyMs(): number {
    return this.router.latencyMs
  }

  set latencyMs(value: number) {
    this.router.latencyMs = value
  }

  get rejectDuplicateStateReason(): boolean {
    return this.state.rejectDuplicateStateReason
  }

  set rejectDuplicateStateReason(value: boolean) {
    this.state.rejectDuplicateStateReason = value
  }

  get forbidLabelCreation(): boolean {
    return this.state.forbidLabelCreation
  }

  set forbidLabelCreation(value: boolean) {
    this.state.forbidLabelCreation = value
  }

  get searchUnavailable(): boolean {
    return this.state.searchUnavailable
  }

  set searchUnavailable(value: boolean) {
    this.state.searchUnavailable = value
  }

  get secondaryLimit(): FakeGitHubOptions['secondaryLimit'] {
    return this.router.secondaryLimit
  }

  set secondaryLimit(value: FakeGitHubOptions['secondaryLimit']) {
    this.router.secondaryLimit = value
  }

  get assignableUsers(): string[] | undefined {
    return this.state.assignableUsers
  }

  set assignableUsers(value: string[] | undefined) {
    this.state.assignableUsers = value
  }

  get pushAccess(): boolean {
    return this.state.pushAccess
  }

  set pushAccess(value: boolean) {
    this.state.pushAccess = value
  }

  get lockedCommentsRefused(): boolean {
    return this.state.lockedCommentsRefused
  }

  set lockedCommentsRefused(value: boolean) {
    this.state.lockedCommentsRefused = value
  }

  /**
   * Scopes of a classic personal access token, sent as `x-oauth-scopes` with the repository
   * (`GET /repos/{owner}/{repo}`). Undefined (default): not sent, as for other kinds of token.
   */
  get oauthScopes(): string[] | undefined {
    return this.state.oauthScopes
  }

  set oauthScopes(value: string[] | undefined) {
    this.state.oauthScopes = value
  }

  /** The default branch's history, oldest first (`addCommit` seeds one). */
  get commits(): FakeCommit[] {
    return this.state.commits
  }

  get defaultBranch(): string {
    return this.state.defaultBranch
  }

  set defaultBranch(value: string) {
    this.state.defaultBranch = value
  }

  /** See `FakeGitHubOptions.contentsReadable`. */
  get contentsReadable(): boolean {
    return this.state.contentsReadable
  }

  set contentsReadable(value: boolean) {
    this.state.contentsReadable = value
  }

  /** Called with every request and its answer just before it is sent (contract checks). Must not throw. */
  get onExchange(): ((exchange: FakeGitHubExchange) => void) | undefined {
    return this.router.onExchange
  }

  set onExchange(value: ((exchange: FakeGitHubExchange) => void) | undefined) {
    this.router.onExchange = value
  }

  private constructor(server: Server, port: number, opts: FakeGitHubOptions) {
    this.server = server
    this.state = new GitHubState(opts, `http://127.0.0.1:${port}`)
    this.router = new GitHubRouter(this.state, opts)
    this.url = this.state.url
    this.serverUrl = this.state.serverUrl
    this.owner = this.state.owner
    this.repo = this.state.repo
    this.token = this.state.token
    this.userLogin = this.state.userLogin
    this.pathPrefix = this.state.pathPrefix
    this.ownerType = this.state.ownerType
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const server = createServer()
    server.keepAliveTimeout = 1000
    const port = await listenOnLoopback(server)
    const fake = new FakeGitHub(server, port, opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.router.handle(req, res)
    })
    return fake
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** Number of non-GET requests received (whatever their outcome). */
  writeCount(): number {
    return this.requests.filter((r) => r.method !== 'GET').length
  }

  resetRequests(): void {
    this.requests = []
  }

  /** Queues a one-shot fault (see {@link GitHubFault}). */
  injectFault(f: GitHubFault): void {
    this.router.injectFault(f)
  }

  /** Drops every injected fault not yet used. */
  clearFaults(): void {
    this.router.clearFaults()
  }

  /**
   * Seeds an issue. Defaults: next number, open, no labels, created now by the token's user.
   * Unknown labels are added to `labels`. Search sees it `searchLagMs` after its `updated_at`
   * (so an issue seeded with a past date is searchable at once).
   */
  addIssue(partial: Partial<FakeIssue> & { title: string }): FakeIssue {
    return issues.addIssue(this.state, partial)
  }

  /**
   * Seeds a milestone. Defaults: the next number, open, no description or due date, created now by
   * the token's user. Throws when the number is taken.
   */
  addMilestone(title: string, opts: Partial<Omit<FakeMilestone, 'title'>> = {}): FakeMilestone {
    return metadata.addMilestone(this.state, title, opts)
  }

  /**
   * Seeds the next commit of the default branch (a linear history: its parent is the commit
   * added before it): the files it writes (`null` deletes one) and its pull requests. GraphQL's
   * `blame` and `GET /repos/{o}/{r}/commits/{sha}/pulls` answer from these.
   */
  addCommit(spec: commits.CommitSpec): FakeCommit {
    return commits.addCommit(this.state, spec)
  }

  /** Seeds an open pull request. */
  addPullRequest(title: string, labels: string[] = []): FakeIssue {
    return this.addIssue({ title, labels, pull_request: true, body: null })
  }

  // -------------------------------------------------------------------------------------------
  // A person acting on GitHub between runs (as `PERSON_LOGIN`, not the token's user). Each change
  // is stored as GitHub would make it: `updated_at` touched, and search sees it after the lag.
  // -------------------------------------------------------------------------------------------

  /** A person edits the issue's body. */
  personEdit(number: number, body: string): FakeIssue {
    return issues.personEdit(this.state, number, body)
  }

  /**
   * A person closes the issue with a reason (`duplicate` with the issue it duplicates):
   * `state_reason`, `closed_at` and `closed_by` are set as GitHub sets them.
   */
  personClose(
    number: number,
    reason: 'completed' | 'not_planned' | 'duplicate',
    duplicateOf?: number
  ): FakeIssue {
    return issues.personClose(this.state, number, reason, duplicateOf)
  }

  /** A person reopens the issue (`state_reason: "reopened"`, no `closed_at` or `closed_by`). */
  personReopen(number: number): FakeIssue {
    return issues.personReopen(this.state, number)
  }

  /**
   * A person assigns (`add`) and unassigns (`remove`) people: each change is an `assigned` /
   * `unassigned` event of the issue's timeline at `now()`, and `updated_at` moves.
   */
  personAssign(number: number, add: string[], remove: string[] = []): FakeIssue {
    return assignees.personAssign(this.state, number, add, remove)
  }

  /**
   * A person (`login`, with its author `association`, default MEMBER) comments on the issue;
   * returns the comment as GitHub serves it (what an `issue_comment` event carries).
   */
  personComment(
    number: number,
    body: string,
    login = PERSON_LOGIN,
    association = 'MEMBER'
  ): Record<string, unknown> {
    return comments.personComment(this.state, number, body, login, association)
  }

  /** A person sets the issue's labels (labels not in the repository yet are created). */
  personSetLabels(number: number, labels: string[]): FakeIssue {
    return issues.personSetLabels(this.state, number, labels)
  }

  /**
   * A person transfers the issue to another repository (default `{owner}/{repo}-moved`, same
   * number). `readable: false`: the token cannot read that repository, so GitHub answers 404.
   */
  transfer(
    number: number,
    to?: { owner: string; repo: string; number: number },
    opts: { readable?: boolean } = {}
  ): FakeIssue {
    return issues.transfer(this.state, number, to, opts)
  }

  /** A person deletes the issue: it answers 410 and leaves listings and search. */
  deleteIssue(number: number): void {
    issues.deleteIssue(this.state, number)
  }

  /** A person locks the issue's conversation. */
  lock(number: number): FakeIssue {
    return issues.lock(this.state, number)
  }

  /**
   * A person pushes commit `sha` saying "Fixes #n": the issue is closed as completed, and its
   * timeline's `closed` event names the commit.
   */
  personCloseByCommit(number: number, sha: string): FakeIssue {
    return timeline.personCloseByCommit(this.state, number, sha)
  }

  /**
   * A person merges pull request `pullNumber` ("Fixes #n") as `mergeSha`: the issue's timeline
   * gets the `cross-referenced` pull request and a `closed` event naming the merge commit; the
   * pull request's a `merged` event. The pull request is seeded when it does not exist.
   */
  personCloseByPullRequest(number: number, pullNumber: number, mergeSha: string): FakeIssue {
    return timeline.mergePullRequest(this.state, number, pullNumber, mergeSha)
  }

  /**
   * A pull request that mentions issue `n` (without closing it) is merged as `mergeSha`: only the
   * `cross-referenced` event on the issue, and the pull request's `merged` event.
   */
  referenceFromMergedPullRequest(number: number, pullNumber: number, mergeSha: string): FakeIssue {
    return timeline.mergePullRequest(this.state, number, pullNumber, mergeSha, false)
  }

  /** The numbers of an issue's sub-issues, in the order they were attached. */
  subIssuesOf(number: number): number[] {
    return subIssues.subIssuesOf(this.state, number)
  }
}

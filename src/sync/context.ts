import type { Config } from '../inputs/config.js'
import type { Logger } from '../log.js'
import type { GitHubClient } from '../github/client.js'
import type { RepoRef } from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import type { GoneRecord, IssueIndex, PlanItem } from '../plan/plan.js'
import type { SentryIdentity } from '../plan/marker.js'
import type { CodeLinker } from '../render/code-links.js'
import type { ResultRow, RunResult } from '../report/result.js'
import type { SentryClient } from '../sentry/client.js'
import type { SentryIssue } from '../sentry/schemas.js'
import type { StateStore } from '../state/store.js'
import type { IssueField } from '../github/metadata.js'
import type { IssueSignals } from '../render/signals.js'
import type { SuspectCommit } from '../render/suspect.js'
import type { SentryEvent } from '../sentry/schemas.js'
import { renderMarker } from '../plan/marker.js'

/**
 * What every part of a sync run shares: the clients it is given, the per-run context with its
 * warnings and resources, and small helpers for errors and result rows.
 */

export interface SyncDeps {
  sentry: SentryClient
  github: GitHubClient
  state: StateStore
  log: Logger
  /** GitHub's hourly cap on content-creating requests. Default 500 (tests lower it). */
  contentWritesPerHour?: number
}

export type CreateItem = Extract<PlanItem, { kind: 'create' }>

export interface RunContext {
  config: Config
  deps: SyncDeps
  repo: RepoRef
  /** Which Sentry installation this run syncs (tells its markers from others'). */
  identity: SentryIdentity
  index: IssueIndex
  /** Tracked issues found deleted or moved away this run (saved with the state). */
  gone: Map<string, GoneRecord>
  /** Numeric ids of the projects this run syncs; undefined when it syncs them all. */
  projectIds: ReadonlySet<string> | undefined
  result: RunResult
  /** Notes per Sentry key, shown in the row (e.g. a cached issue that no longer exists). */
  notes: Map<string, string>
  /** When the previous run finished (from the state); undefined on the first run. */
  lastRunAt: string | undefined
  /** The run's warnings: logged and listed in the result. */
  warnings: Warnings
  /** What the run looks up or builds once, when first needed (see resources.ts). */
  resources: RunResources
}

export const OPTIONAL_FIELDS = ['assignees', 'type', 'milestone'] as const
export type OptionalField = (typeof OPTIONAL_FIELDS)[number]

/** What a run resolves once: the milestone's number, and issue fields by lower-case name. */
export interface RunMetadata {
  milestone?: number
  issueFields?: Map<string, IssueField>
}

/**
 * Something read ahead for the issues to create, a few at a time while the issues are written:
 * `start` once, then each issue's result by its key. The kinds are defined here and made in
 * resources.ts, so the modules that make them and the modules that use them all depend on this
 * file, and it on none of them.
 */
interface ReadAhead {
  start(creates: readonly CreateItem[]): void
}

/** The latest event of each issue to create (sync/create.ts). */
export interface LatestEvents extends ReadAhead {
  latest(key: string): Promise<SentryEvent | undefined> | undefined
}

/** Sentry's signals of each issue to create (sync/signals.ts). */
export interface Signals extends ReadAhead {
  of(key: string): Promise<IssueSignals> | undefined
}

/** The suspect commit of each issue to create (sync/suspect.ts). */
export interface SuspectCommits extends ReadAhead {
  suspect(key: string): Promise<SuspectCommit | undefined>
  /** Whether GitHub lets the suspect commit's author be assigned. */
  assignable(suspect: SuspectCommit, shortId: string): Promise<boolean>
}

/** Per-run resources, each made once for the run that holds them. */
export interface RunResources {
  /** Label names the repository has (lower case): listed on first use, then kept up to date. */
  labels(): Promise<Set<string>>
  /** The milestone and the issue fields issues get: resolved on first use. */
  metadata(): Promise<RunMetadata>
  /** Links from stack frames to the source; undefined without code mappings. Made on first use. */
  codeLinker(): CodeLinker | undefined
  /** The latest events of the issues to create, fetched ahead of the writes once started. */
  events: LatestEvents
  /** Sentry's signals of the issues to create (owners, Seer, tags), read ahead once started. */
  signals: Signals
  /** The suspect commits of the issues to create, looked up ahead once started (code mappings). */
  suspects: SuspectCommits
  /** Optional create fields GitHub refused this run (not sent again). */
  refused: Set<OptionalField>
  /** Issue steps GitHub refused this run (see sync/steps.ts): not tried again. */
  refusedSteps: Set<string>
}

/** The run's warnings: each is logged and listed in the result. */
export class Warnings {
  readonly #given = new Set<string>()

  constructor(
    private readonly log: Logger,
    private readonly into: string[]
  ) {}

  warn(message: string): void {
    this.log.warning(message)
    this.into.push(message)
  }

  /** A warning given once per run for a recurring cause (the same refusal for every issue). */
  warnOnce(cause: string, message: string): void {
    if (this.#given.has(cause)) return
    this.#given.add(cause)
    this.warn(message)
  }
}

/**
 * A value made on first use and kept for the run. A load that fails is not kept: the next use
 * tries again.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined
  return () =>
    (kept ??= load().catch((error: unknown) => {
      kept = undefined
      throw error
    }))
}

export { statusOf } from '../github/errors.js'

export function errorBody(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'response' in error) {
    return (error as { response?: { data?: unknown } }).response?.data
  }
  return undefined
}

export function baseRow(sentry: SentryIssue): Omit<ResultRow, 'action'> {
  return {
    sentryId: sentry.id,
    shortId: sentry.shortId,
    title: sentry.title,
    permalink: sentry.permalink,
    events: sentry.count,
    users: sentry.userCount
  }
}

/** The marker line the action writes today for a Sentry issue id. */
export function markerLineFor(ctx: Pick<RunContext, 'identity'>, issueId: string): string {
  return renderMarker({ host: ctx.identity.host, org: ctx.identity.org, issueId })
}

export function keyRow(key: string): Omit<ResultRow, 'action'> {
  const sentryId = key.slice(key.indexOf('/') + 1)
  return { sentryId, shortId: key, title: '', permalink: '', events: 0, users: 0 }
}

/** Whether an issue GitHub answered lives in this repository (a transfer is followed to another). */
export function inRepo(
  issue: Pick<GitHubIssue, 'repository_url' | 'html_url'>,
  repo: RepoRef
): boolean {
  const suffix = `/repos/${repo.owner}/${repo.repo}`.toLowerCase()
  if (issue.repository_url) return issue.repository_url.toLowerCase().endsWith(suffix)
  return issue.html_url.toLowerCase().includes(`/${repo.owner}/${repo.repo}/`.toLowerCase())
}

import type { Config } from '../inputs/config.js'
import type { Logger } from '../log.js'
import type { GitHubClient } from '../github/client.js'
import type { RepoRef } from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import type { GoneRecord, IssueIndex, Lookups, PlanItem } from '../plan/plan.js'
import type { SentryIdentity } from '../plan/marker.js'
import type { CodeLinker } from '../render/code-links.js'
import type { IssueField } from '../github/metadata.js'
import type { ResultRow, RunResult } from '../report/result.js'
import type { SentryClient } from '../sentry/client.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import type { StateStore } from '../state/store.js'
import { renderMarker } from '../plan/marker.js'

/**
 * What every part of a sync run shares: the clients it is given, the per-run context, warnings,
 * and small helpers for errors and result rows.
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
  projectIds?: ReadonlySet<string>
  result: RunResult
  /** Notes per Sentry key, shown in the row (e.g. a cached issue that no longer exists). */
  notes: Map<string, string>
  lastRunAt?: string
  /** Latest events for the issues to create, fetched ahead of the writes. */
  events?: Map<string, Promise<SentryEvent | undefined>>
  /** Label names the repository has (lower case), loaded when first needed. */
  knownLabels?: Set<string>
  codeLinks?: CodeLinker
  warned?: Set<string>
  /** Resolved once per run: the milestone number, and issue fields by lower-case name. */
  milestone?: number
  issueFields?: Map<string, IssueField>
  metadata?: Promise<void>
  /** Optional create fields GitHub refused this run (not sent again). */
  refused?: Set<(typeof OPTIONAL_FIELDS)[number]>
  lookups?: Lookups
  /** Content-creating requests within the last hour (epoch ms), earlier runs' and this one's. */
  contentWrites?: number[]
}

export const OPTIONAL_FIELDS = ['assignees', 'type', 'milestone'] as const

export function warn(ctx: RunContext, message: string): void {
  ctx.deps.log.warning(message)
  ctx.result.warnings.push(message)
}

/** A warning given once per run for a recurring cause (the same refusal for every issue). */
export function warnOnce(ctx: RunContext, cause: string, message: string): void {
  ctx.warned ??= new Set()
  if (ctx.warned.has(cause)) return
  ctx.warned.add(cause)
  warn(ctx, message)
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

/** What one run did: a row per Sentry issue acted on, plus run-level failures. */

export const ACTIONS = ['created', 'updated', 'closed', 'reopened', 'skipped', 'failed'] as const
export type RowAction = (typeof ACTIONS)[number]

export interface ResultRow {
  sentryId: string
  shortId: string
  title: string
  permalink: string
  events: number
  users: number
  action: RowAction
  /** Why a row was skipped or failed, or how an existing issue was found. */
  detail?: string
  number?: number
  url?: string
  /** A created (or, in a dry run, would-be) issue as it was rendered for GitHub. */
  preview?: IssuePreview
  /** Filed because a person ticked it on the triage dashboard. */
  from?: 'dashboard'
}

/** An issue as the action renders it for GitHub: what a create sends. */
export interface IssuePreview {
  title: string
  body: string
  labels: string[]
  assignees: string[]
  /** The milestone as configured: its number or its title. */
  milestone?: number | string
  /** What the issue steps would do after the create (issue fields, …), a line each. */
  steps?: string[]
}

/** New issues left for later runs (over max-new-issues or GitHub's hourly content limit). */
export interface Backlog {
  /** Sentry issues that qualify for a GitHub issue but were deferred. */
  remaining: number
  /** How many a run can create at most (max-new-issues, and GitHub's hourly content limit). */
  perRun: number
  /** Runs needed for the rest, at that pace. */
  runs: number
}

export interface RunResult {
  dryRun: boolean
  rows: ResultRow[]
  /** Sentry issues read this run, and whether the cap cut the list short. */
  sentryIssuesRead: number
  truncated: boolean
  /** Problems that are not tied to one Sentry issue (state, labels, ...). */
  warnings: string[]
  /** Set when new issues were deferred to later runs. */
  backlog?: Backlog
  /** The triage dashboard (dashboard: true). */
  dashboard?: DashboardReport
}

/** What a run did with the triage dashboard. */
export interface DashboardReport {
  number?: number
  url?: string
  /**
   * created, updated, unchanged (nothing a reader sees changed: not written); closed (a person
   * closed it: left alone), gone (a person deleted or moved it: not recreated), failed; in a dry
   * run, would-create and would-update.
   */
  action:
    | 'created'
    | 'updated'
    | 'unchanged'
    | 'closed'
    | 'gone'
    | 'failed'
    | 'would-create'
    | 'would-update'
  /** Sentry issues it lists. */
  listed: number
  /** Sentry issues filed this run because a person ticked them. */
  filed: number
  detail?: string
  /** In a dry run: the body it would write. */
  preview?: string
}

/** A result with nothing in it yet. */
export function emptyResult(dryRun: boolean): RunResult {
  return { dryRun, rows: [], sentryIssuesRead: 0, truncated: false, warnings: [] }
}

/**
 * The one line that fails a run whose Sentry issues did not all sync (each named, with its
 * reason), or undefined when none failed.
 */
export function failureMessage(rows: readonly ResultRow[]): string | undefined {
  const failed = rows.filter((r) => r.action === 'failed')
  if (failed.length === 0) return undefined
  return `${failed.length} Sentry issue(s) could not be synced: ${failed
    .map((r) => `${r.shortId} (${r.detail ?? 'unknown error'})`)
    .join('; ')}. The others were synced; the next run retries these.`
}

export type Counts = Record<RowAction, number>

export function countRows(rows: readonly ResultRow[]): Counts {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Counts
  for (const row of rows) counts[row.action] += 1
  return counts
}

/** The `issues` output: one entry per Sentry issue acted on. */
export function issuesOutput(rows: readonly ResultRow[]): Array<{
  sentryId: string
  shortId: string
  number: number | null
  url: string | null
  action: RowAction
  from?: 'dashboard'
}> {
  return rows.map((r) => ({
    sentryId: r.sentryId,
    shortId: r.shortId,
    number: r.number ?? null,
    url: r.url ?? null,
    action: r.action,
    ...(r.from ? { from: r.from } : {})
  }))
}

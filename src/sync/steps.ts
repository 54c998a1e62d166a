import type { Config } from '../inputs/config.js'
import { issueFieldValues } from '../inputs/content-options.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import type { RunContext } from './context.js'
import { setFields } from './metadata.js'

/**
 * What the action does to each issue it files besides creating it, one entry a step: whether the
 * configuration turns it on, what it costs in GitHub's content-creating requests, what a dry run
 * says it would do, and the step itself. The write budget (backlog.ts), the dry-run preview and
 * the run (create.ts, lifecycle.ts) follow from this list alone: a new step is a new entry.
 * A step that GitHub refuses warns once and never fails the issue it is applied to.
 */
export interface IssueStep {
  /** The input that turns it on. */
  readonly input: string
  /** Whether this run's configuration uses it. */
  on(config: Config): boolean
  /** Content-creating requests it makes for each new issue. */
  readonly writesPerCreate: number
  /** … and for each tracked issue whose stats block is rewritten. */
  readonly writesPerUpdate: number
  /** What a dry run would do for a new issue, as a line of its preview (undefined: nothing). */
  preview(config: Config, sentry: SentryIssue, event: SentryEvent | undefined): string | undefined
  /** After a new issue is created. */
  created(
    ctx: RunContext,
    issueNumber: number,
    sentry: SentryIssue,
    event: SentryEvent | undefined
  ): Promise<void>
  /** After a tracked issue's stats block was rewritten. */
  updated(ctx: RunContext, issueNumber: number, sentry: SentryIssue): Promise<void>
}

/** `issue-fields`: the organisation's issue fields set from Sentry, kept current on updates. */
const issueFields: IssueStep = {
  input: 'issue-fields',
  on: (config) => config.content.issueFields.length > 0,
  writesPerCreate: 1,
  writesPerUpdate: 1,
  preview: (config, sentry, event) => {
    const values = issueFieldValues(sentry, event, config.content.issueFields)
    return values.length === 0
      ? undefined
      : `Issue fields: ${values.map((v) => `${v.field} = ${v.value}`).join(', ')}`
  },
  created: (ctx, issueNumber, sentry, event) => setFields(ctx, issueNumber, sentry, event),
  updated: (ctx, issueNumber, sentry) => setFields(ctx, issueNumber, sentry, undefined)
}

export const ISSUE_STEPS: readonly IssueStep[] = [issueFields]

/** The steps this run's configuration turns on. */
export function stepsOn(config: Config): IssueStep[] {
  return ISSUE_STEPS.filter((step) => step.on(config))
}

/** Content-creating requests the steps on add to each new issue, and to each update. */
export function stepWrites(config: Config): { perCreate: number; perUpdate: number } {
  const on = stepsOn(config)
  return {
    perCreate: on.reduce((n, s) => n + s.writesPerCreate, 0),
    perUpdate: on.reduce((n, s) => n + s.writesPerUpdate, 0)
  }
}

import { fail, ok, type CheckRow } from '../check/checks.js'
import { githubReadFailure } from '../check/github-access.js'
import { inputRef, shown, type CheckDeps } from '../check/probe.js'
import type { RepoRef } from '../github/issues.js'
import { listIssueFields } from '../github/metadata.js'
import type { Config } from '../inputs/config.js'
import { issueFieldValues } from '../inputs/content-options.js'
import { errorMessage } from '../log.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { statusOf, type RunContext } from './context.js'
import { setFields } from './metadata.js'

/**
 * What the action does to each issue it files besides creating it, one entry a step: whether the
 * configuration turns it on, what it costs in GitHub's content-creating requests, what a dry run
 * says it would do, what the set-up check verifies, and the step itself. The write budget
 * (backlog.ts), the dry-run preview, the set-up check (check/github.ts) and the run (create.ts,
 * lifecycle.ts, through `runSteps`) follow from this list alone: a new step is a new entry.
 * A step GitHub refuses (401, 403, 404) gives one warning and is not tried again that run; another
 * failure gives one warning a run and the step is tried on the next issues. Neither fails the
 * issue it is applied to.
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
  /** The set-up check's rows for it (`check` mode). */
  check(config: Config, deps: CheckDeps, repo: RepoRef): Promise<CheckRow[]>
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
  updated: (ctx, issueNumber, sentry) => setFields(ctx, issueNumber, sentry, undefined),
  async check(config, deps, repo) {
    const wanted = config.content.issueFields
    const fix = `Turn ${inputRef(deps.surface, 'issue-fields')} off, or use a token that can read the organization's issue fields.`
    try {
      const fields = await listIssueFields(deps.github, repo.owner)
      if (fields === undefined) {
        return [
          fail(
            'Issue fields',
            `issue fields are not available for ${repo.owner} (an organization with issue fields, and a token that can read them, are needed).`,
            fix
          )
        ]
      }
      const names = new Set(fields.map((f) => f.name.toLowerCase()))
      const absent = wanted.filter((f) => !names.has(f.field.toLowerCase()))
      return [
        absent.length === 0
          ? ok('Issue fields', `${wanted.map((f) => `"${f.field}"`).join(', ')} exist.`)
          : fail(
              'Issue fields',
              `${repo.owner} has no field ${absent.map((f) => `"${f.field}"`).join(', ')} (it has ${fields.length > 0 ? shown(fields.map((f) => `"${f.name}"`)) : 'none'}).`,
              `Use existing field names in ${inputRef(deps.surface, 'issue-fields')}.`
            )
      ]
    } catch (error) {
      return [
        githubReadFailure('Issue fields', error, 'Check the token can read the organization.')
      ]
    }
  }
}

export const ISSUE_STEPS: readonly IssueStep[] = [issueFields]

/** The steps this run's configuration turns on. */
export function stepsOn(config: Config): IssueStep[] {
  return ISSUE_STEPS.filter((step) => step.on(config))
}

/**
 * Runs `action` for each step on: a step GitHub refused earlier this run is skipped; a refusal
 * (401, 403, 404) is one warning and skips the step for the rest of the run; another failure is
 * one warning a run. Nothing here fails the issue.
 */
export async function runSteps(
  ctx: RunContext,
  issueNumber: number,
  action: (step: IssueStep) => Promise<void>
): Promise<void> {
  for (const step of stepsOn(ctx.config)) {
    if (ctx.resources.refusedSteps.has(step.input)) continue
    try {
      await action(step)
    } catch (error) {
      const status = statusOf(error)
      if (status === 401 || status === 403 || status === 404) {
        ctx.resources.refusedSteps.add(step.input)
        ctx.warnings.warn(
          `GitHub refused ${step.input} (${errorMessage(error)}); issues are filed without it for the rest of this run. Check the ${step.input} input and the token's access.`
        )
      } else {
        ctx.warnings.warnOnce(
          `step-failed:${step.input}`,
          `${step.input} failed on #${issueNumber} (${errorMessage(error)}); it is tried again on the next issues.`
        )
      }
    }
  }
}

/** Content-creating requests the steps on add to each new issue, and to each update. */
export function stepWrites(config: Config): { perCreate: number; perUpdate: number } {
  const on = stepsOn(config)
  return {
    perCreate: on.reduce((n, s) => n + s.writesPerCreate, 0),
    perUpdate: on.reduce((n, s) => n + s.writesPerUpdate, 0)
  }
}

import { errorMessage } from '../log.js'
import {
  listIssueFields,
  listMilestones,
  setIssueFieldValues,
  type IssueField,
  type IssueFieldValueInput
} from '../github/metadata.js'
import { issueFieldValues } from '../inputs/content-options.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import type { RunContext, RunMetadata } from './context.js'

/** GitHub-native metadata on synced issues: the milestone and the organisation's issue fields. */

/**
 * Once per run (a run's `resources.metadata`): the milestone's number (from its title when a
 * title was given) and the organisation's issue fields by name. What the repository does not
 * have is one warning each.
 */
export async function resolveMetadata(ctx: RunContext): Promise<RunMetadata> {
  const { content } = ctx.config
  const { warnings } = ctx
  const resolved: RunMetadata = {}
  const milestone = content.milestone
  if (milestone && 'number' in milestone) resolved.milestone = milestone.number
  if (milestone && 'title' in milestone) {
    try {
      const all = await listMilestones(ctx.deps.github, ctx.repo)
      const found =
        all.find((m) => m.title === milestone.title) ??
        all.find((m) => m.title.toLowerCase() === milestone.title.toLowerCase())
      if (found) resolved.milestone = found.number
      else {
        warnings.warn(
          `No milestone titled ${JSON.stringify(milestone.title)} in ${ctx.repo.owner}/${ctx.repo.repo} (it has: ${all.map((m) => JSON.stringify(m.title)).join(', ') || 'none'}); issues are created without one.`
        )
      }
    } catch (error) {
      warnings.warn(
        `Could not list milestones (${errorMessage(error)}); issues are created without one.`
      )
    }
  }
  if (content.issueFields.length === 0) return resolved
  try {
    const fields = await listIssueFields(ctx.deps.github, ctx.repo.owner)
    if (!fields) {
      warnings.warn(
        `Issue fields are not available for ${ctx.repo.owner} (an organisation with issue fields is needed, and a token that can read them); issue-fields is ignored.`
      )
      return resolved
    }
    const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]))
    resolved.issueFields = byName
    const missing = content.issueFields.filter((f) => !byName.has(f.field.toLowerCase()))
    if (missing.length > 0) {
      warnings.warn(
        `issue-fields names field(s) ${missing.map((f) => JSON.stringify(f.field)).join(', ')} that ${ctx.repo.owner} does not have (it has: ${fields.map((f) => JSON.stringify(f.name)).join(', ') || 'none'}).`
      )
    }
  } catch (error) {
    warnings.warn(
      `Could not list the issue fields of ${ctx.repo.owner} (${errorMessage(error)}); issue-fields is ignored.`
    )
  }
  return resolved
}

/**
 * Sets the configured issue fields from Sentry's values. A failed request is thrown: the issue
 * steps' runner (steps.ts) warns, and after a refusal stops trying for the run.
 */
export async function setFields(
  ctx: RunContext,
  issueNumber: number,
  sentry: SentryIssue,
  event: SentryEvent | undefined
): Promise<void> {
  if (ctx.config.content.issueFields.length === 0 || ctx.config.dryRun) return
  const fields = (await ctx.resources.metadata()).issueFields
  if (!fields) return
  const values: IssueFieldValueInput[] = []
  for (const { field, value } of issueFieldValues(sentry, event, ctx.config.content.issueFields)) {
    const target = fields.get(field.toLowerCase())
    if (!target) continue
    const converted = fieldValue(target, value)
    if (converted === undefined) {
      ctx.warnings.warnOnce(
        `field-value:${target.name}:${value}`,
        `Issue field "${target.name}" has no option matching ${JSON.stringify(value)}; that value is not set.`
      )
    } else {
      values.push({ field_id: target.id, value: converted })
    }
  }
  if (values.length === 0) return
  await setIssueFieldValues(ctx.deps.github, ctx.repo, issueNumber, values)
}

/** A Sentry value in the form the field takes, or undefined when it cannot hold it. */
function fieldValue(field: IssueField, value: string): string | number | undefined {
  switch (field.data_type) {
    case 'number': {
      const n = Number(value)
      return Number.isFinite(n) ? n : undefined
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined
    case 'single_select':
      return field.options?.find((o) => o.name.toLowerCase() === value.toLowerCase())?.name
    default:
      return value
  }
}

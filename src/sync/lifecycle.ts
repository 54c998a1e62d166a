import { errorMessage } from '../log.js'
import { createComment, updateIssue } from '../github/issues.js'
import type { LifecycleDecision } from '../plan/lifecycle.js'
import type { TrackedIssue } from '../plan/plan.js'
import { priorityLabel, priorityLabelSwap } from '../render/labels.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import type { RunContext } from './context.js'
import { ensureLabels } from './labels.js'
import { setFields } from './metadata.js'

const ROW_ACTION = {
  update: 'updated',
  close: 'closed',
  reopen: 'reopened',
  'resolve-in-sentry': 'updated'
} as const

/** Carries out one lifecycle decision on an existing issue: a few writes, comment first. */
export async function applyLifecycle(
  ctx: RunContext,
  base: Omit<ResultRow, 'action'>,
  existing: TrackedIssue,
  decision: LifecycleDecision,
  sentry?: SentryIssue
): Promise<ResultRow> {
  if (decision.kind === 'none' || decision.kind === 'recreate') {
    return {
      ...base,
      action: 'skipped',
      number: existing.number,
      url: existing.url,
      detail: decision.why
    }
  }
  const row: ResultRow = {
    ...base,
    action: ROW_ACTION[decision.kind],
    number: existing.number,
    url: existing.url,
    detail:
      decision.kind === 'resolve-in-sentry' ? `resolved in Sentry (${decision.why})` : decision.why
  }
  if (ctx.config.dryRun)
    return { ...row, detail: `dry run: would ${decision.kind}: ${decision.why}` }
  const { github } = ctx.deps
  try {
    switch (decision.kind) {
      case 'update': {
        const labels = sentry ? swappedPriorityLabels(ctx, existing, sentry) : undefined
        if (labels) await ensureLabels(ctx, labels)
        if (decision.comment) {
          await createComment(github, ctx.repo, existing.number, decision.comment)
        }
        await updateIssue(github, ctx.repo, existing.number, {
          body: decision.body,
          ...(labels ? { labels } : {})
        })
        if (sentry) await setFields(ctx, existing.number, sentry, undefined)
        break
      }
      case 'close':
        await createComment(github, ctx.repo, existing.number, decision.comment)
        await updateIssue(github, ctx.repo, existing.number, {
          state: 'closed',
          state_reason: decision.stateReason,
          ...(decision.body !== undefined ? { body: decision.body } : {})
        })
        break
      case 'reopen':
        await updateIssue(github, ctx.repo, existing.number, {
          state: 'open',
          ...(decision.body !== undefined ? { body: decision.body } : {})
        })
        await createComment(github, ctx.repo, existing.number, decision.comment)
        break
      case 'resolve-in-sentry':
        if (!sentry) throw new Error('no Sentry issue to resolve')
        await ctx.deps.sentry.updateIssueStatus(ctx.config.sentry.org, sentry.id, 'resolved')
        if (decision.body !== undefined) {
          await updateIssue(github, ctx.repo, existing.number, { body: decision.body })
        }
        break
    }
    ctx.deps.log.info(`#${existing.number}: ${row.action} (${decision.why}).`)
    return row
  } catch (error) {
    const message = `could not ${decision.kind} #${existing.number}: ${errorMessage(error)}`
    ctx.deps.log.warning(`${base.shortId}: ${message}`)
    return { ...row, action: 'failed', detail: message }
  }
}

/**
 * The issue's labels with its priority label swapped for the one its new counts call for (never
 * stacked), or undefined when it already carries the right one.
 */
function swappedPriorityLabels(
  ctx: RunContext,
  existing: TrackedIssue,
  sentry: SentryIssue
): string[] | undefined {
  const rules = ctx.config.content.priorityRules
  if (rules.length === 0 || !existing.labels) return undefined
  const swap = priorityLabelSwap(
    existing.labels,
    priorityLabel(sentry, rules),
    rules.map((r) => r.label)
  )
  if (swap.add.length === 0 && swap.remove.length === 0) return undefined
  const removed = new Set(swap.remove.map((l) => l.toLowerCase()))
  return [...existing.labels.filter((l) => !removed.has(l.toLowerCase())), ...swap.add]
}

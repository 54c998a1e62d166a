import { addSubIssue } from '../github/links.js'
import { errorMessage } from '../log.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { statusOf, type RunContext } from './context.js'

/**
 * `on-regression: sub-issue`: the issue filed for a regression is attached as a sub-issue of the
 * closed one it replaces, so the error's history stays together. GitHub takes the new issue's
 * `id` (not its number) and allows at most 100 sub-issues per parent. A refusal (a GitHub
 * Enterprise Server without sub-issues answers 404; a full parent 422) is one warning per run:
 * the new issue stands on its own, as with `on-regression: new`.
 */
export async function attachAsSubIssue(
  ctx: RunContext,
  parent: Pick<TrackedIssue, 'number'>,
  created: { id: number; number: number }
): Promise<string> {
  try {
    await addSubIssue(ctx.deps.github, ctx.repo, parent.number, created.id)
    return `sub-issue of #${parent.number}`
  } catch (error) {
    const status = statusOf(error)
    ctx.warnings.warnOnce(
      'sub-issues',
      `GitHub refused to attach #${created.number} as a sub-issue of #${parent.number} (${errorMessage(error)})${status === 404 ? ': this GitHub has no sub-issues (older GitHub Enterprise Server)' : status === 422 ? ': a parent holds at most 100 sub-issues' : ''}. Regressions are filed as new issues that link the old one.`
    )
    return 'not attached as a sub-issue'
  }
}

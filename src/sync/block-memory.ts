import { getIssue, updateIssue } from '../github/issues.js'
import { findStatsBlock, renderStartLine, type BlockMemory } from '../render/stats-block.js'
import type { RunContext } from './context.js'

/**
 * Records what the two-way sync agreed on (assignees, comment counts) in the stats block's start
 * line, in the body as GitHub has it now: only that line changes, and only when it differs. A
 * body without a block has no memory (the next run compares the two tools as they are).
 */
export async function rememberInBlock(
  ctx: RunContext,
  number: number,
  patch: Pick<BlockMemory, 'assignees' | 'comments'>
): Promise<void> {
  const fresh = await getIssue(ctx.deps.github, ctx.repo, number)
  const body = fresh.body ?? ''
  const block = findStatsBlock(body)
  if (!block) return
  const lines = block.text.split('\n')
  const cr = lines[0]?.endsWith('\r') ? '\r' : ''
  lines[0] = renderStartLine({ ...block.memory, ...patch }) + cr
  const next = body.slice(0, block.start) + lines.join('\n') + body.slice(block.end)
  if (next !== body) await updateIssue(ctx.deps.github, ctx.repo, number, { body: next })
}

import { listComments, type GitHubComment } from '../github/comments.js'
import { createComment } from '../github/issues.js'
import { errorMessage } from '../log.js'
import type { PlanItem } from '../plan/plan.js'
import type { TrackedIssue } from '../plan/tracked.js'
import {
  copiedCommentUrl,
  copiedNoteId,
  isActionComment,
  isActionNote,
  renderCommentNote,
  renderNoteCopy
} from '../render/comments.js'
import { findStatsBlock } from '../render/stats-block.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue, SentryNote } from '../sentry/schemas.js'
import { rememberInBlock } from './block-memory.js'
import { statusOf, type RunContext } from './context.js'

/**
 * Comments both ways (sync-comments). A run reads an issue's comments only when a count changed
 * since the stats block recorded it (Sentry's `numComments`, GitHub's `comments`, both in the
 * listings already read), so a steady run costs no request more. Then the notes and comments
 * newer than the last sync (or, the first time, than the last run) without a copy on the other
 * side are copied, oldest first: each once (the copy names what it copies), never the action's
 * own, never a copy back. GitHub comments travel only from the authors `comment-authors` admits.
 * Edits and deletions are not mirrored.
 */

type Way = 'both' | 'to-github' | 'to-sentry'

/** After a plan item's row: the comments of a tracked issue, when sync-comments is on. */
export async function commentsAfter(
  ctx: RunContext,
  item: PlanItem,
  row: ResultRow
): Promise<void> {
  if (item.kind !== 'skip' && item.kind !== 'lifecycle') return
  if (!item.existing || row.action === 'failed') return
  const note = await syncComments(ctx, item.existing, item.sentry)
  if (!note) return
  if (row.action === 'skipped' && !note.startsWith('comments not')) {
    row.action = 'updated'
    row.detail = note
  } else {
    row.detail = row.detail ? `${row.detail}; ${note}` : note
  }
}

/** Copies one issue's new notes and comments; the note for its row when something travelled. */
export async function syncComments(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue
): Promise<string | undefined> {
  const way = ctx.config.twoWay?.comments ?? 'off'
  if (way === 'off') return undefined
  const block = findStatsBlock(tracked.body)
  const nc = sentry.numComments
  const gc = tracked.comments
  if (!block || nc == null || gc === undefined) return undefined
  const memory = block.memory.comments
  if (memory ? memory.nc === nc && memory.gc === gc : nc === 0 && gc === 0) return undefined
  const label = `#${tracked.number} (${sentry.shortId})`
  // New: after the newest note and comment seen at the last sync; the first time, after the last
  // run (GitHub's times are by the second); the very first run starts from here.
  const lastRun = ctx.lastRunAt ? Date.parse(ctx.lastRunAt) : Date.now()
  const floorNotes = memory?.sn ?? lastRun
  const floorComments = memory?.gn ?? Math.floor(lastRun / 1000) * 1000
  try {
    if (!memory && !ctx.lastRunAt) {
      if (!ctx.config.dryRun) {
        await rememberInBlock(ctx, tracked.number, {
          comments: { nc, gc, sn: floorNotes, gn: floorComments }
        })
      }
      return undefined
    }
    const [notes, comments] = await Promise.all([
      ctx.deps.sentry.listNotes(ctx.config.sentry.org, sentry.id),
      listComments(ctx.deps.github, ctx.repo, tracked.number, new Date(floorComments).toISOString())
    ])
    const plan = planCopies(ctx, way, notes, comments, floorNotes, floorComments)
    if (ctx.config.dryRun) return describe(plan, 'dry run: would copy')
    let toGitHub = 0
    let toSentry = 0
    for (const note of plan.notes) {
      await createComment(ctx.deps.github, ctx.repo, tracked.number, renderNoteCopy(note))
      toGitHub++
    }
    for (const comment of plan.comments) {
      if (!(await postNote(ctx, sentry, comment, label))) break
      toSentry++
    }
    const newest = (times: number[], from: number): number =>
      times.filter((t) => !Number.isNaN(t)).reduce((a, b) => Math.max(a, b), from)
    await rememberInBlock(ctx, tracked.number, {
      comments: {
        nc: nc + toSentry,
        gc: gc + toGitHub,
        sn: newest(
          notes.map((n) => Date.parse(n.dateCreated)),
          floorNotes
        ),
        gn: newest(
          comments.map((c) => Date.parse(c.created_at)),
          floorComments
        )
      }
    })
    if (plan.outside > 0) {
      ctx.deps.log.info(
        `${label}: ${plan.outside} comment(s) from outside comment-authors not copied to Sentry.`
      )
    }
    const done = {
      ...plan,
      notes: plan.notes.slice(0, toGitHub),
      comments: plan.comments.slice(0, toSentry)
    }
    const note = describe(done, 'copied')
    if (note) ctx.deps.log.info(`${label}: ${note}.`)
    return note
  } catch (error) {
    ctx.warnings.warn(`${label}: could not sync comments: ${errorMessage(error)}`)
    return `comments not synced: ${errorMessage(error)}`
  }
}

interface CopyPlan {
  notes: Array<{ id: string; author: string; text: string }>
  comments: Array<{ login: string; url: string; body: string }>
  /** New comments from authors outside comment-authors. */
  outside: number
}

/**
 * What travels: notes after `floorNotes` and comments from `floorComments` on (epoch ms) that
 * have no copy yet, oldest first.
 */
function planCopies(
  ctx: RunContext,
  way: Way,
  notes: readonly SentryNote[],
  comments: readonly GitHubComment[],
  floorNotes: number,
  floorComments: number
): CopyPlan {
  const copiedNotes = new Set(comments.map((c) => copiedNoteId(c.body)).filter((id) => id))
  const copiedComments = new Set(notes.map((n) => copiedCommentUrl(n.data?.text)).filter((u) => u))
  const plan: CopyPlan = { notes: [], comments: [], outside: 0 }
  if (way !== 'to-sentry') {
    plan.notes = notes
      .filter((n) => Date.parse(n.dateCreated) > floorNotes)
      .filter((n) => !isActionNote(n.data?.text) && !copiedNotes.has(n.id))
      .filter((n) => (n.data?.text ?? '').trim() !== '')
      .sort((a, b) => Date.parse(a.dateCreated) - Date.parse(b.dateCreated))
      .map((n) => ({
        id: n.id,
        author: n.user?.name || n.user?.username || 'Someone',
        text: n.data?.text ?? ''
      }))
  }
  if (way !== 'to-github') {
    const allowed = new Set<string>(ctx.config.twoWay?.commentAuthors ?? [])
    for (const c of comments) {
      if (Date.parse(c.created_at) < floorComments || isActionComment(c.body) || !c.user) continue
      if (copiedComments.has(c.html_url) || (c.body ?? '').trim() === '') continue
      if (!allowed.has(c.author_association ?? 'NONE')) {
        plan.outside++
        continue
      }
      plan.comments.push({ login: c.user.login, url: c.html_url, body: c.body ?? '' })
    }
  }
  return plan
}

function describe(plan: CopyPlan, verb: string): string | undefined {
  const parts: string[] = []
  if (plan.notes.length > 0) parts.push(`${plan.notes.length} Sentry note(s) to GitHub`)
  if (plan.comments.length > 0) parts.push(`${plan.comments.length} comment(s) to Sentry`)
  return parts.length > 0 ? `${verb} ${parts.join(' and ')}` : undefined
}

/**
 * Posts one note; a refusal (an organization token: 403; the same text within the hour: 400) is
 * a warning, once a run for the token, and stops this issue's notes.
 */
async function postNote(
  ctx: RunContext,
  sentry: SentryIssue,
  comment: { login: string; url: string; body: string },
  label: string
): Promise<boolean> {
  try {
    await ctx.deps.sentry.addComment(ctx.config.sentry.org, sentry.id, renderCommentNote(comment))
    return true
  } catch (error) {
    const status = statusOf(error)
    if (status === 403 || status === 401) {
      ctx.warnings.warnOnce(
        'sync-comments:refused',
        `Sentry refused a note (${errorMessage(error)}): sync-comments needs a user auth token with event:write (organization tokens cannot post notes).`
      )
      return false
    }
    ctx.warnings.warn(`${label}: Sentry refused a note: ${errorMessage(error)}`)
    return false
  }
}

/** One GitHub comment (an `issue_comment` event) to Sentry, unless it travels not or already did. */
export async function copyCommentToSentry(
  ctx: RunContext,
  sentry: SentryIssue,
  tracked: Pick<TrackedIssue, 'number'>,
  comment: GitHubComment
): Promise<string> {
  const way = ctx.config.twoWay?.comments ?? 'off'
  if (way === 'off' || way === 'to-github') return 'sync-comments does not copy to Sentry'
  if (isActionComment(comment.body)) return 'the action’s own comment'
  if (!comment.user || (comment.body ?? '').trim() === '') return 'an empty comment'
  const allowed = new Set<string>(ctx.config.twoWay?.commentAuthors ?? [])
  if (!allowed.has(comment.author_association ?? 'NONE')) {
    return `${comment.user.login} (${comment.author_association ?? 'NONE'}) is outside comment-authors; not copied`
  }
  const notes = await ctx.deps.sentry.listNotes(ctx.config.sentry.org, sentry.id)
  if (notes.some((n) => copiedCommentUrl(n.data?.text) === comment.html_url)) {
    return 'already copied to Sentry'
  }
  if (ctx.config.dryRun) return 'dry run: would copy 1 comment(s) to Sentry'
  const label = `#${tracked.number} (${sentry.shortId})`
  const body = comment.body ?? ''
  if (
    !(await postNote(
      ctx,
      sentry,
      { login: comment.user.login, url: comment.html_url, body },
      label
    ))
  ) {
    return 'comments not synced: Sentry refused the note'
  }
  return 'copied 1 comment(s) to Sentry'
}

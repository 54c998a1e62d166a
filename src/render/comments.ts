import { escapeInline, safeLinkUrl } from './escape.js'

/**
 * Comments both ways (sync-comments), as text. Pure.
 *
 * - A Sentry note copied to GitHub is attributed ("**Ada Lovelace** in Sentry:"), its text quoted
 *   line by line and escaped like all Sentry text (no mention, reference, HTML or marker can come
 *   through), and it ends with a hidden line naming the note (`<!-- sentry-note: 123 -->`), so it
 *   is copied once and never goes back.
 * - Every comment the action posts on GitHub ends with `ACTION_SIGNATURE`: its own comments (close,
 *   reopen, regression, copies) never travel to Sentry.
 * - A GitHub comment copied to Sentry starts with a line naming its author and linking it
 *   (`**octocat** on GitHub: https://…#issuecomment-123`), which tells the action's own notes from
 *   people's: they never come back to GitHub.
 */

export const ACTION_SIGNATURE = '<!-- sentry-issues-action -->'

/** Lines and characters of a note shown at most (GitHub's comment limit is 65,536). */
export const NOTE_LIMITS = {
  lines: 200,
  lineLength: 1000,
  author: 100,
  /** The quoted text, at most (GitHub's comment limit is 65,536 characters). */
  body: 60_000,
  sentryText: 10_000
}

const NOTE_MARKER = /^<!-- sentry-note: ([0-9]{1,20}) -->$/m
const COPY_HEADER = /^\*\*[A-Za-z0-9-]{1,39}\*\* on GitHub: (\S+)$/
const LINK_NOTE = /^GitHub issue: \S+$/

/** A comment text with the action's signature line. */
export function signed(body: string): string {
  return `${body}\n\n${ACTION_SIGNATURE}`
}

/** The GitHub comment that copies a Sentry note. */
export function renderNoteCopy(note: { id: string; author: string; text: string }): string {
  const lines = note.text.replace(/\r\n?/g, '\n').split('\n')
  const quoted: string[] = []
  let size = 0
  for (const line of lines.slice(0, NOTE_LIMITS.lines)) {
    const text = escapeInline(line, NOTE_LIMITS.lineLength)
    const next = text === '' ? '>' : `> ${text}`
    // Escaping can grow a line several times: the comment stays well within GitHub's limit.
    if (size + next.length + 1 > NOTE_LIMITS.body) break
    quoted.push(next)
    size += next.length + 1
  }
  if (lines.length > quoted.length) quoted.push(`> … (${lines.length - quoted.length} more lines)`)
  const author = escapeInline(note.author, NOTE_LIMITS.author) || 'Someone'
  const id = /^[0-9]{1,20}$/.test(note.id) ? note.id : '0'
  return `**${author}** in Sentry:\n\n${quoted.join('\n')}\n\n<!-- sentry-note: ${id} -->`
}

/** The Sentry note a GitHub comment copies, or undefined. */
export function copiedNoteId(body: string | null | undefined): string | undefined {
  return body ? NOTE_MARKER.exec(body)?.[1] : undefined
}

/** Whether the action posted this GitHub comment (signed, or a note's copy). */
export function isActionComment(body: string | null | undefined): boolean {
  if (!body) return false
  return (
    body.split('\n').some((l) => l.replace(/\r$/, '') === ACTION_SIGNATURE) || !!copiedNoteId(body)
  )
}

/** The Sentry note that copies a GitHub comment: its author and link first, then its text. */
export function renderCommentNote(comment: { login: string; url: string; body: string }): string {
  const url = safeLinkUrl(comment.url) ?? comment.url
  const text =
    comment.body.length > NOTE_LIMITS.sentryText
      ? `${comment.body.slice(0, NOTE_LIMITS.sentryText)}…`
      : comment.body
  return `**${comment.login}** on GitHub: ${url}\n\n${text}`
}

/** The GitHub comment a Sentry note copies (its link), or undefined for a person's note. */
export function copiedCommentUrl(text: string | null | undefined): string | undefined {
  const first = (text ?? '').split('\n', 1)[0]?.replace(/\r$/, '') ?? ''
  return COPY_HEADER.exec(first)?.[1]
}

/** Whether the action wrote this Sentry note (a comment's copy, or the sentry-comment link). */
export function isActionNote(text: string | null | undefined): boolean {
  return copiedCommentUrl(text) !== undefined || LINK_NOTE.test((text ?? '').trim())
}

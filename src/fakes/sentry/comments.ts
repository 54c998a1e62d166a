/**
 * Notes on an issue, `POST /api/0/organizations/{org}/issues/{id}/comments/` (not in the public
 * spec): refused for organization tokens when `notesForbidden` is set, and for the same text on
 * the same issue within an hour. A merged-away id posts on the issue it was merged into.
 */
import { DETAIL_FORBIDDEN, HttpError, pattern, type Reply, type Route } from './http.js'
import type { SentryState } from './state.js'

export const commentRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/issues/:id/comments/'),
    methods: ['POST'],
    handle: (s, ctx, p) => addNote(s, p.id ?? '', ctx.body)
  }
]

function addNote(s: SentryState, id: string, body: string): Reply {
  if (s.notesForbidden) throw new HttpError(403, DETAIL_FORBIDDEN)
  const issueId = String(s.findIssue(id)['id'])
  let text: unknown
  try {
    text = (JSON.parse(body) as { text?: unknown }).text
  } catch {
    throw new HttpError(400, 'Malformed request.')
  }
  if (typeof text !== 'string' || text.trim() === '')
    throw new HttpError(400, 'text: This field is required.')
  const now = s.now().getTime()
  if (s.notes.some((n) => n.issueId === issueId && n.text === text && now - n.at < 3_600_000)) {
    throw new HttpError(400, 'You have already posted that comment.')
  }
  s.notes.push({ issueId, text, at: now })
  return { status: 201, body: { id: String(s.notes.length), data: { text }, type: 'note' } }
}

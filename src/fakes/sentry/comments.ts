/**
 * Notes on an issue, `GET` and `POST /api/0/organizations/{org}/issues/{id}/comments/` (not in
 * the public spec; Sentry's `GroupNotesEndpoint`). The list is the issue's `note` activities,
 * newest first, paged like every Sentry list, each `{id, user, type: 'note', data: {text},
 * dateCreated}` (`ActivitySerializer`); the issue's `numComments` counts them. A post is refused
 * for organization tokens when `notesForbidden` is set, and for the same text on the same issue
 * within an hour. A merged-away id lists and posts on the issue it was merged into.
 */
import {
  DETAIL_FORBIDDEN,
  HttpError,
  page,
  parseCursor,
  pattern,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import type { SentryState } from './state.js'
import { sentryUserJson } from './users.js'

export const commentRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/issues/:id/comments/'),
    methods: ['GET', 'POST'],
    handle: (s, ctx, p) =>
      ctx.method === 'GET' ? listNotes(s, p.id ?? '', ctx) : addNote(s, p.id ?? '', ctx.body)
  }
]

/** Who posts through the API: the token's user (as `GET /api/0/` names it). */
const TOKEN_USER = { id: '1', name: 'Ada', username: 'ada', email: 'ada@example.com' }

/** A note's author as Sentry serializes a user in an activity. */
function servedUser(author: { id: string; name: string; email: string } | undefined) {
  return sentryUserJson(author ?? TOKEN_USER)
}

function listNotes(s: SentryState, id: string, ctx: Ctx): Reply {
  const issueId = String(s.findIssue(id)['id'])
  const served = s.notes
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => n.issueId === issueId)
    .sort((a, b) => b.n.at - a.n.at || b.i - a.i)
    .map(({ n, i }) => ({
      id: String(i + 1),
      user: servedUser(n.author),
      type: 'note',
      data: { text: n.text },
      dateCreated: new Date(n.at).toISOString()
    }))
  const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 100) || 100, 1), 100)
  return page(served, ctx, parseCursor(ctx.query.get('cursor')), perPage)
}

function addNote(s: SentryState, id: string, body: string): Reply {
  if (s.notesForbidden) throw new HttpError(403, DETAIL_FORBIDDEN)
  const issue = s.findIssue(id)
  const issueId = String(issue['id'])
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
  issue['numComments'] = Number(issue['numComments'] ?? 0) + 1
  return {
    status: 201,
    body: {
      id: String(s.notes.length),
      user: servedUser(undefined),
      type: 'note',
      data: { text },
      dateCreated: new Date(now).toISOString()
    }
  }
}

/** A person writes a note in Sentry (as `author`, default the token's user) at `now()`. */
export function personNote(
  s: SentryState,
  issueId: string,
  text: string,
  author?: { id: string; name: string; email: string }
): void {
  const issue = s.requireIssue(issueId)
  s.notes.push({ issueId, text, at: s.now().getTime(), ...(author ? { author } : {}) })
  issue['numComments'] = Number(issue['numComments'] ?? 0) + 1
}

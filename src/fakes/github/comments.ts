/**
 * Comments on an issue: list (with `since`) and create, with GitHub's checks of the body and its
 * refusal to comment on a locked issue for app tokens (`lockedCommentsRefused`). A comment on a
 * transferred issue is also served where its redirect points (`/repositories/{id}/issues/{n}`).
 */
import {
  DOCS,
  fail,
  has,
  invalidRequest,
  iso,
  lower,
  nodeId,
  notFound,
  objectBody,
  timeOf,
  tooLong,
  validationFailed,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import {
  MAX_BODY,
  renderReactions,
  type FakeComment,
  type FakeIssue,
  type GitHubState
} from './state.js'

const COMMENTS = '/repos/:owner/:repo/issues/#number/comments'

export const commentRoutes: Route[] = [
  { method: 'GET', path: COMMENTS, handle: (s, ctx, p) => listComments(s, Number(p.number), ctx) },
  {
    method: 'POST',
    path: COMMENTS,
    creates: true,
    handle: (s, ctx, p) => createComment(s, Number(p.number), ctx)
  },
  {
    method: 'POST',
    path: '/repositories/:id/issues/#number/comments',
    handle: (s, ctx, p) => {
      const moved = s.movedIssue(Number(p.id), Number(p.number))
      if (!moved) throw notFound()
      return createComment(s, moved.issue.number, ctx, moved.issue)
    }
  }
]

function listComments(s: GitHubState, number: number, ctx: Ctx): Reply {
  const issue = s.resolveIssue(number, ctx, DOCS.listComments)
  let comments = [...issue.comments]
  const sinceRaw = ctx.query.get('since')
  if (sinceRaw) {
    const since = Date.parse(sinceRaw)
    if (Number.isNaN(since)) {
      throw invalidRequest(
        DOCS.listComments,
        `For 'properties/since', ${JSON.stringify(sinceRaw)} is not a valid date-time.`
      )
    }
    comments = comments.filter((c) => timeOf(c.updated_at ?? c.created_at) >= since)
  }
  comments.sort((x, y) => timeOf(x.created_at) - timeOf(y.created_at) || x.id - y.id)
  return s.paged(ctx, comments, (c) => renderComment(s, issue, c))
}

function createComment(s: GitHubState, number: number, ctx: Ctx, moved?: FakeIssue): Reply {
  const issue = moved ?? s.resolveIssue(number, ctx, DOCS.createComment)
  if (issue.locked && s.lockedCommentsRefused) {
    throw fail(
      403,
      'Unable to create comment because issue is locked.',
      'https://help.github.com/articles/locking-conversations/'
    )
  }
  const body = objectBody(ctx, DOCS.createComment)
  const text = body['body']
  if (!has(body, 'body') || text === null) {
    throw invalidRequest(DOCS.createComment, '"body" wasn\'t supplied.')
  }
  if (typeof text !== 'string') {
    throw invalidRequest(
      DOCS.createComment,
      `For 'properties/body', ${JSON.stringify(text)} is not a string.`
    )
  }
  if (text.trim() === '') {
    throw validationFailed(DOCS.createComment, {
      resource: 'IssueComment',
      code: 'missing_field',
      field: 'body'
    })
  }
  if (text.length > MAX_BODY) {
    throw tooLong(DOCS.createComment, 'IssueComment', 'body', MAX_BODY)
  }
  const nowMs = s.now()
  const comment: FakeComment = {
    id: s.nextCommentId(),
    body: text,
    created_at: iso(nowMs),
    updated_at: iso(nowMs),
    user_login: s.userLogin
  }
  issue.comments.push(comment)
  s.touch(issue, nowMs)
  const rendered = renderComment(s, issue, comment)
  return { status: 201, body: rendered, headers: { location: String(rendered['url']) } }
}

function renderComment(
  s: GitHubState,
  issue: FakeIssue,
  comment: FakeComment
): Record<string, unknown> {
  const loc = s.loc()
  const api = `${s.apiRepo(loc)}/issues/comments/${comment.id}`
  return {
    url: api,
    html_url: `${s.htmlRepo(loc)}/issues/${issue.number}#issuecomment-${comment.id}`,
    issue_url: `${s.apiRepo(loc)}/issues/${issue.number}`,
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    user: s.renderUser(comment.user_login ?? s.userLogin),
    created_at: comment.created_at,
    updated_at: comment.updated_at ?? comment.created_at,
    author_association:
      comment.author_association ??
      (lower(comment.user_login ?? s.userLogin) === lower(s.owner) ? 'OWNER' : 'NONE'),
    body: comment.body,
    reactions: renderReactions(api),
    performed_via_github_app: null
  }
}

/**
 * A person comments on the issue (`login`, with its `association`: OWNER, MEMBER, COLLABORATOR,
 * CONTRIBUTOR, NONE, …) at `now()`; `updated_at` moves. Returns the comment as GitHub serves it.
 */
export function personComment(
  s: GitHubState,
  number: number,
  body: string,
  login: string,
  association: string
): Record<string, unknown> {
  const issue = s.issues.find((i) => i.number === number && !i.deleted)
  if (!issue) throw new Error(`Fake GitHub has no issue #${number}`)
  const nowMs = s.now()
  const comment: FakeComment = {
    id: s.nextCommentId(),
    body,
    created_at: iso(nowMs),
    updated_at: iso(nowMs),
    user_login: login,
    author_association: association
  }
  issue.comments.push(comment)
  s.touch(issue, nowMs)
  return renderComment(s, issue, comment)
}

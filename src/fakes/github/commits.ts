/**
 * Commits of the fake repository: seeding (`addCommit`), resolving a revision the way GraphQL's
 * `object(expression:)` does, the contents of a file at a commit, a line-by-line blame, and the
 * REST endpoint listing a commit's pull requests (`GET /repos/{o}/{r}/commits/{sha}/pulls`).
 *
 * The history is linear: commits in the order they were added, each the parent of the next, all
 * on the default branch. Blame is positional: a line is attributed to the oldest commit of the
 * unbroken run of versions (ending at the commit asked about) in which the file had that same text
 * at that same line number. Real git follows lines as they move; positional blame is enough to
 * tell which commit last changed a given line when tests change lines in place.
 */
import { createHash } from 'node:crypto'
import { fail, iso, lower, nodeId, type Ctx, type Reply, type Route } from './http.js'
import { renderRepository } from './metadata.js'
import { type FakeCommit, type FakeIssue, type GitHubState } from './state.js'

const PULLS_DOCS =
  'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit'

export const commitRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/:owner/:repo/commits/:sha/pulls',
    handle: (s, ctx, p) => listCommitPulls(s, ctx, p.sha ?? '')
  }
]

/** What a test gives `addCommit`. */
export interface CommitSpec {
  /** Default: a SHA-1 made from the message and the commit's position. */
  sha?: string
  message: string
  /** Default: `{ name: 'Octo Cat', email: 'octocat@example.com', login: 'octocat' }`. */
  author?: { name?: string; email?: string; login?: string | null }
  files?: Record<string, string[] | null>
  pulls?: number[]
  /** ISO 8601; default now. */
  committed_at?: string
}

/** Seeds the next commit of the default branch. Throws when the SHA is malformed or taken. */
export function addCommit(s: GitHubState, spec: CommitSpec): FakeCommit {
  const sha = lower(
    spec.sha ?? createHash('sha1').update(`${s.commits.length}\0${spec.message}`).digest('hex')
  )
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`FakeGitHub: ${sha} is not a 40-digit SHA`)
  if (s.commits.some((c) => c.sha === sha)) throw new Error(`FakeGitHub: commit ${sha} exists`)
  const commit: FakeCommit = {
    sha,
    message: spec.message,
    author: {
      name: spec.author?.name ?? 'Octo Cat',
      email: spec.author?.email ?? 'octocat@example.com',
      login: spec.author?.login === undefined ? 'octocat' : spec.author.login
    },
    files: { ...(spec.files ?? {}) },
    pulls: [...(spec.pulls ?? [])],
    committed_at: spec.committed_at ?? iso(s.now())
  }
  s.commits.push(commit)
  return commit
}

/**
 * The commit a revision names: the default branch (by name, `HEAD`, `refs/heads/<name>`) is the
 * newest commit; otherwise a full or abbreviated SHA (at least 4 digits, unambiguous). Undefined
 * when nothing matches, as GitHub answers `null` for an expression it cannot resolve.
 */
export function resolveRevision(s: GitHubState, expression: string): FakeCommit | undefined {
  const branch = s.defaultBranch
  if (expression === 'HEAD' || expression === branch || expression === `refs/heads/${branch}`) {
    return s.commits[s.commits.length - 1]
  }
  if (!/^[0-9a-f]{4,40}$/i.test(expression)) return undefined
  const found = s.commits.filter((c) => c.sha.startsWith(lower(expression)))
  return found.length === 1 ? found[0] : undefined
}

/** The file's lines at `commit`, or undefined when it does not exist there. */
export function fileAt(s: GitHubState, commit: FakeCommit, path: string): string[] | undefined {
  return versionsUpTo(s, commit, path).at(-1)?.lines
}

/** One line range of a blame and the commit that last changed it. */
export interface FakeBlameRange {
  startingLine: number
  endingLine: number
  commit: FakeCommit
}

/** The blame of a file at `commit` (see the header), or undefined when the file does not exist. */
export function blame(
  s: GitHubState,
  commit: FakeCommit,
  path: string
): FakeBlameRange[] | undefined {
  const versions = versionsUpTo(s, commit, path)
  const current = versions.at(-1)
  if (!current) return undefined
  const ranges: FakeBlameRange[] = []
  current.lines.forEach((text, i) => {
    let origin = current.commit
    for (let v = versions.length - 2; v >= 0; v--) {
      const older = versions[v]
      if (!older || older.lines[i] !== text) break
      origin = older.commit
    }
    const last = ranges.at(-1)
    if (last && last.commit === origin && last.endingLine === i) last.endingLine = i + 1
    else ranges.push({ startingLine: i + 1, endingLine: i + 1, commit: origin })
  })
  return ranges
}

/**
 * The versions of `path` up to `commit`, oldest first, since the file last came into being (a
 * deletion starts the history over). Empty when it does not exist at `commit`.
 */
function versionsUpTo(
  s: GitHubState,
  commit: FakeCommit,
  path: string
): Array<{ commit: FakeCommit; lines: string[] }> {
  const end = s.commits.indexOf(commit)
  let versions: Array<{ commit: FakeCommit; lines: string[] }> = []
  for (const c of s.commits.slice(0, end + 1)) {
    if (!Object.prototype.hasOwnProperty.call(c.files, path)) continue
    const lines = c.files[path]
    versions = lines === null || lines === undefined ? [] : [...versions, { commit: c, lines }]
  }
  return versions
}

// ---------------------------------------------------------------------------------------------
// GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls
// ---------------------------------------------------------------------------------------------

function listCommitPulls(s: GitHubState, ctx: Ctx, sha: string): Reply {
  if (!s.contentsReadable) throw fail(403, 'Resource not accessible by integration', PULLS_DOCS)
  const commit = /^[0-9a-f]{7,40}$/i.test(sha) ? resolveRevision(s, sha) : undefined
  if (!commit) throw fail(422, `No commit found for SHA: ${sha}`, PULLS_DOCS)
  return s.paged(ctx, commit.pulls, (number) => renderPull(s, number, commit))
}

/**
 * A pull request as the list of a commit's pull requests shows it (`pull-request-simple`): the
 * seeded pull request of that number when there is one, else a merged one made up for the commit.
 */
function renderPull(s: GitHubState, number: number, commit: FakeCommit): Record<string, unknown> {
  const seeded: FakeIssue | undefined = s.issues.find(
    (i) => i.number === number && i.pull_request === true
  )
  const loc = s.loc()
  const api = `${s.apiRepo(loc)}/pulls/${number}`
  const html = `${s.htmlRepo(loc)}/pull/${number}`
  const issueApi = `${s.apiRepo(loc)}/issues/${number}`
  const created = seeded?.created_at ?? commit.committed_at
  const merged = seeded ? null : commit.committed_at
  // The commit's author login may be any text a test gave; a pull request's user is a real login.
  const login = commit.author.login
  const author =
    seeded?.user_login ?? (login !== null && /^[A-Za-z0-9-]{1,39}$/.test(login) ? login : s.owner)
  const repository = renderRepository(s)
  const side = (ref: string, sha: string): Record<string, unknown> => ({
    label: `${s.owner}:${ref}`,
    ref,
    repo: repository,
    sha,
    user: s.renderUser(s.owner)
  })
  const link = (href: string): { href: string } => ({ href })
  const id = 5_000_000_000 + number
  return {
    url: api,
    id,
    node_id: nodeId('PR', id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${s.apiRepo(loc)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${s.apiRepo(loc)}/statuses/${commit.sha}`,
    number,
    state: seeded ? seeded.state : 'closed',
    locked: seeded?.locked ?? false,
    title: seeded?.title ?? commit.message.split('\n')[0] ?? '',
    user: s.renderUser(author),
    body: seeded?.body ?? null,
    labels: (seeded?.labels ?? []).map((name) => s.renderLabel(s.labelFor(name), loc)),
    milestone: null,
    active_lock_reason: null,
    created_at: created,
    updated_at: seeded?.updated_at ?? created,
    closed_at: seeded ? seeded.closed_at : merged,
    merged_at: merged,
    merge_commit_sha: merged ? commit.sha : null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(`change-${number}`, commit.sha),
    base: side(s.defaultBranch, commit.sha),
    _links: {
      self: link(api),
      html: link(html),
      issue: link(issueApi),
      comments: link(`${issueApi}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${s.apiRepo(loc)}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${s.apiRepo(loc)}/statuses/${commit.sha}`)
    },
    author_association: lower(author) === lower(s.owner) ? 'OWNER' : 'CONTRIBUTOR',
    auto_merge: null,
    draft: false
  }
}

/**
 * The fake GitHub's public types: its options, and what it stores (issues, comments, labels,
 * milestones, commits, issue types and fields), as tests read and change them. Re-exported by
 * `./state.ts` and `../fake-github.ts`.
 */

export interface FakeGitHubOptions {
  /** Repository owner. Default `acme`. */
  owner?: string
  /** Repository name. Default `web`. */
  repo?: string
  /**
   * The only token the fake accepts (as `token X` or `Bearer X`). Requests with another token or
   * none answer 401 "Bad credentials". Default `ghs_test_token`.
   */
  token?: string
  /** Login of the identity behind the token (author of created issues). Default `github-actions[bot]`. */
  userLogin?: string
  /** `''` for api.github.com style URLs (default), `'/api/v3'` for GHES style. */
  pathPrefix?: string
  /** Web origin used for `html_url`s. Default the fake's own origin (`http://127.0.0.1:PORT`). */
  serverUrl?: string
  /** Search sees an issue only this long after its creation or last edit. Default 0. */
  searchLagMs?: number
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Enforced primary rate limit. Without it the fake reports a 5,000/h budget that renews before it
   * runs out, so it never blocks. `remaining` defaults to `limit`; `resetEpochSeconds` to an hour on.
   */
  rateLimit?: { limit: number; remaining?: number; resetEpochSeconds?: number }
  /** Secondary limit on content-creating requests, over sliding 60 s and 3600 s windows. */
  secondaryLimit?: { contentWritesPerMinute?: number; contentWritesPerHour?: number }
  /** Search requests allowed per minute (resource `search`). Default 30, as on GitHub. */
  searchRequestsPerMinute?: number
  /** Fixed delay (real time) before every request is handled, for benchmarks. Default 0. */
  latencyMs?: number
  /** Answer `state_reason: "duplicate"` with 422, like older GHES versions. */
  rejectDuplicateStateReason?: boolean
  /**
   * The token may not create labels: `POST /labels` answers 403 "Resource not accessible by
   * integration", and unknown labels on issue writes are silently dropped instead of auto-created.
   */
  forbidLabelCreation?: boolean
  /** `GET /search/issues` answers 503. */
  searchUnavailable?: boolean
  /**
   * The kind of account that owns the repository. `'User'`: there is no organisation, so
   * `GET /orgs/{owner}/issue-fields` answers 404 and a `type` sent when creating an issue is
   * ignored, as GitHub does for user-owned repositories. Default `'Organization'`.
   */
  ownerType?: 'Organization' | 'User'
  /**
   * The owner's issue types, for example `['Bug', 'Task', 'Feature']` (matched case-insensitively).
   * Undefined (default): the owner has none; then creating an issue with a `type` answers 422
   * (organisations), and a `type` in an update is ignored.
   */
  issueTypes?: string[]
  /**
   * The organisation's issue fields; ids are assigned from 1001 on, option ids from 2001 on.
   * Undefined (default): issue fields are not available, so `GET /orgs/{org}/issue-fields` and the
   * issue-field-values endpoints answer 404 and `issue_field_values` on issue writes is ignored.
   */
  issueFields?: Array<{
    name: string
    data_type: FakeIssueFieldDataType
    /** Option names of a single-select field. */
    options?: string[]
    description?: string
  }>
  /**
   * Logins that can be assigned (case-insensitive); an issue's author and commenters always can.
   * Undefined (default): anyone can.
   */
  assignableUsers?: string[]
  /**
   * Whether the token has push access. `false`: labels, assignees, milestone, type and issue field
   * values sent with an issue create or update are silently dropped (as documented), and adding
   * issue field values answers 403. Default `true`.
   */
  pushAccess?: boolean
  /**
   * Comments on a locked issue answer 403 "Unable to create comment because issue is locked.".
   * GitHub lets people with write access comment on locked conversations, but refuses GitHub Apps
   * and installation tokens such as `GITHUB_TOKEN` even with `issues: write` (reported for
   * probot/stale#25, renovatebot/renovate#6215, semantic-release/github#221). Default: refused
   * when `userLogin` is a bot (`…[bot]`), allowed for a person's token.
   */
  lockedCommentsRefused?: boolean
  /** The repository's default branch (`default_branch`; what `HEAD` names). Default `main`. */
  defaultBranch?: string
  /**
   * Whether the token may read the repository's contents (a workflow token without
   * `contents: read`): `false` makes GraphQL answer `FORBIDDEN` for a commit and the REST reads
   * of commits answer 403 "Resource not accessible by integration". Default `true`.
   */
  contentsReadable?: boolean
}

/** The login of the person the `person…` helpers act as (not the token's user). */
export const PERSON_LOGIN = 'octocat-person'

export interface FakeComment {
  id: number
  body: string
  created_at: string
  updated_at?: string
  /** Author; defaults to the token's user. */
  user_login?: string
  /** The author's association with the repository (default: OWNER for the owner, else NONE). */
  author_association?: string
}

export interface FakeIssue {
  number: number
  /** Database id (what `duplicate_issue_id` refers to). */
  id: number
  node_id: string
  title: string
  body: string | null
  state: 'open' | 'closed'
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null
  /** Label names (canonical case, as in `FakeGitHub.labels`). */
  labels: string[]
  assignees: string[]
  /** Milestone number; the fake synthesises the milestone object. */
  milestone: number | null
  created_at: string
  updated_at: string
  closed_at: string | null
  locked: boolean
  /** A pull request rather than an issue. */
  pull_request?: boolean
  comments: FakeComment[]
  user_login: string
  /** Moved to another repository: answers 301. */
  transferred?: boolean
  /** Where a transferred issue went. Default: same number in `{owner}/{repo}-moved`. */
  transferred_to?: { owner: string; repo: string; number: number }
  /**
   * The token cannot read the repository the issue went to (a `GITHUB_TOKEN` only reads its own
   * repository): GitHub then answers 404 instead of redirecting.
   */
  transferred_unreadable?: boolean
  /** Deleted: answers 410. */
  deleted?: boolean
  /** Who closed it (set when closed through the API); rendered as `closed_by`. */
  closed_by_login?: string | null
  /** Database id of the issue it was closed as a duplicate of (`duplicate_issue_id`). */
  duplicate_of_id?: number | null
  /** Issue type name (rendered as the type object), or null/absent for none. */
  type?: string | null
  /** Issue field values (see {@link FakeIssueFieldValue}). */
  field_values?: FakeIssueFieldValue[]
}

export interface FakeLabel {
  id: number
  name: string
  color: string
  description: string | null
}

/** A milestone of the repository; issues refer to it by `number`. */
export interface FakeMilestone {
  number: number
  id: number
  title: string
  description: string | null
  state: 'open' | 'closed'
  /** ISO 8601 date-time, or null. */
  due_on: string | null
  created_at: string
  updated_at: string
  closed_at: string | null
  /** Who created it. Default: the token's user. */
  creator_login: string
}

/**
 * A commit on the default branch, seeded with `FakeGitHub.addCommit`. The history is linear, in
 * the order commits were added: each commit's parent is the one added before it.
 */
export interface FakeCommit {
  /** 40 lower-case hex digits. */
  sha: string
  message: string
  author: { name: string; email: string; login: string | null }
  /** Files this commit writes, as lines; `null` deletes the file. Other files stay as they were. */
  files: Record<string, string[] | null>
  /** Numbers of the pull requests associated with the commit. */
  pulls: number[]
  committed_at: string
}

/** The colours GitHub allows for issue types and issue-field options. */
export type FakeIssueColor =
  'gray' | 'blue' | 'green' | 'yellow' | 'orange' | 'red' | 'pink' | 'purple'

/** An issue type of the owner. */
export interface FakeIssueType {
  id: number
  name: string
  description: string | null
  color: FakeIssueColor | null
}

export type FakeIssueFieldDataType = 'text' | 'single_select' | 'number' | 'date'

/** An issue field of the organisation. */
export interface FakeIssueField {
  id: number
  node_id: string
  name: string
  description: string | null
  data_type: FakeIssueFieldDataType
  /** Single-select fields only. */
  options?: Array<{ id: number; name: string; color: FakeIssueColor }>
  created_at: string
  updated_at: string
}

/**
 * A value of an issue field on an issue: a string (text, date, and single-select, where it is the
 * option's name) or a number.
 */
export interface FakeIssueFieldValue {
  field_id: number
  value: string | number
}

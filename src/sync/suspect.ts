import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { blameLine, pullRequestOfCommit } from '../github/blame.js'
import type { GitHubClient } from '../github/client.js'
import type { RepoRef } from '../github/issues.js'
import { canBeAssigned } from '../github/setup.js'
import { isCommitSha, type CodeLinker } from '../render/code-links.js'
import { eventRelease } from '../render/event.js'
import type { SuspectCommit } from '../render/suspect.js'
import { eventStacktrace, type SentryEvent } from '../sentry/schemas.js'
import type { CreateItem, LatestEvents, SuspectCommits, Warnings } from './context.js'
import { PREFETCH_CONCURRENCY, prefetchEach } from './prefetch.js'

/**
 * The suspect commit of each issue to create (a run's `resources.suspects`): with code mappings,
 * the top in-app frame of the latest event is mapped to a file of the repository, and GitHub is
 * asked which commit last changed that line, at the event's release when it is a commit SHA and
 * else on the default branch (GraphQL `blame`), and which pull request brought that commit in.
 *
 * Bounded: nothing at all without code mappings; at most one blame and one pull-request lookup per
 * new issue, a few issues at a time (as the latest events are fetched), each create waiting only
 * for its own. Nothing here stops a create: a token without `contents: read` is one warning for the
 * run, a file that is not in the repository at that commit one warning, and the issue is filed
 * without a suspect.
 */
export class SuspectLookup implements SuspectCommits {
  readonly #found = new Map<string, Promise<SuspectCommit | undefined>>()

  constructor(
    private readonly config: Config,
    private readonly github: GitHubClient,
    private readonly repo: RepoRef,
    private readonly events: LatestEvents,
    private readonly codeLinker: () => CodeLinker | undefined,
    private readonly warnings: Warnings
  ) {}

  /** Starts looking up the suspects of `creates` (after `events.start`); nothing without mappings. */
  start(creates: readonly CreateItem[]): void {
    if (this.config.content.codeMappings.length === 0) return
    prefetchEach(this.#found, creates, PREFETCH_CONCURRENCY, (item) => this.#lookUp(item))
  }

  /** The suspect of a create, or undefined (none, not started, or not found). */
  async suspect(key: string): Promise<SuspectCommit | undefined> {
    return this.#found.get(key)
  }

  /**
   * Whether the suspect's author can be assigned in the repository (`assign-suspect`); one warning
   * naming the login when they cannot, and the issue is filed without them.
   */
  async assignable(suspect: SuspectCommit, shortId: string): Promise<boolean> {
    const login = suspect.login
    if (login === undefined) return false
    try {
      if (await canBeAssigned(this.github, this.repo, login)) return true
      this.warnings.warn(
        `${shortId}: the author of suspect commit ${suspect.sha.slice(0, 7)}, ${login}, cannot be assigned in ${this.repo.owner}/${this.repo.repo}; the issue is filed without them.`
      )
    } catch (error) {
      this.warnings.warnOnce(
        'suspect-assignable',
        `Could not check whether suspect commit authors can be assigned (${errorMessage(error)}); issues are filed without them.`
      )
    }
    return false
  }

  async #lookUp(item: CreateItem): Promise<SuspectCommit | undefined> {
    const event = await this.events.latest(item.key)
    const linker = this.codeLinker()
    if (!event || !linker) return undefined
    const target = suspectTarget(event, linker)
    if (!target) return undefined
    const { shortId } = item.sentry
    try {
      const answer = await blameLine(this.github, this.repo, target)
      switch (answer.kind) {
        case 'forbidden':
          this.warnings.warnOnce(
            'suspect-contents',
            `Could not read the repository's contents to find suspect commits (${answer.message}). Give the job \`permissions: contents: read\` (next to issues: write), or remove code-mappings; issues are filed without a suspect commit.`
          )
          return undefined
        case 'no-file':
          this.warnings.warn(
            `${shortId}: ${target.path} is not a file of ${this.repo.owner}/${this.repo.repo} at ${target.label} (${answer.message}); check code-mappings. The issue is filed without a suspect commit.`
          )
          return undefined
        case 'no-commit':
          this.warnings.warn(
            `${shortId}: GitHub has no commit ${target.revision} (the event's release) in ${this.repo.owner}/${this.repo.repo}; the issue is filed without a suspect commit.`
          )
          return undefined
        case 'no-line':
          return undefined
        case 'found':
          break
      }
      const { commit } = answer
      let pull: number | undefined
      try {
        pull = await pullRequestOfCommit(this.github, this.repo, commit.oid)
      } catch (error) {
        this.warnings.warnOnce(
          'suspect-pulls',
          `Could not list the pull requests of suspect commits (${errorMessage(error)}); they are shown without one.`
        )
      }
      return {
        sha: commit.oid,
        title: commit.messageHeadline,
        login: commit.login,
        name: commit.name,
        pull,
        repositoryUrl: `${this.config.github.serverUrl}/${this.repo.owner}/${this.repo.repo}`
      }
    } catch (error) {
      this.warnings.warnOnce(
        'suspect-blame',
        `Could not ask GitHub for suspect commits (${errorMessage(error)}); issues are filed without one.`
      )
      return undefined
    }
  }
}

/** What to blame: the top in-app frame's file and line, at the release or the default branch. */
export interface SuspectTarget {
  path: string
  line: number
  /** A commit SHA, or `HEAD` (the default branch). */
  revision: string
  /** How the revision is named in messages. */
  label: string
}

/**
 * The file and line of the event's top in-app frame (the in-app frame nearest the raise), when the
 * code mappings map it to a file of the repository and it has a line; undefined otherwise.
 */
export function suspectTarget(event: SentryEvent, linker: CodeLinker): SuspectTarget | undefined {
  const frames = eventStacktrace(event)?.frames ?? []
  const top = frames.findLast((frame) => frame.inApp === true)
  if (!top) return undefined
  const line = top.lineNo
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined
  const path = linker.repoPath(top)
  if (path === undefined) return undefined
  const release = eventRelease(event)
  return isCommitSha(release)
    ? { path, line, revision: release.toLowerCase(), label: `commit ${release.slice(0, 12)}` }
    : { path, line, revision: 'HEAD', label: 'the default branch' }
}

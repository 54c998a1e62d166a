import { closingCommit, type ClosingCommit } from '../github/links.js'
import { errorMessage } from '../log.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { findStatsBlock } from '../render/stats-block.js'
import { SentryApiError, type SentryStatusDetails } from '../sentry/client.js'
import type { SentryIssue } from '../sentry/schemas.js'
import type { RunContext } from './context.js'

/**
 * Resolving a Sentry issue whose GitHub issue a person (or a commit, or a merged pull request)
 * closed as completed, as precisely as Sentry allows:
 *
 * 1. In the fixing commit (`statusDetails.inCommit`), when the issue's timeline names one (see
 *    `closingCommit`). Sentry then marks a regression if the error comes back after the fix
 *    ships. Sentry accepts it only for a commit it knows, in a repository connected to the
 *    organization (Settings → Integrations → GitHub); otherwise it answers 400.
 * 2. After such a refusal, in the next release (`statusDetails.inNextRelease`) when a release is
 *    known for the issue (the stats block shows one, or Sentry names the issue's last release).
 * 3. Otherwise plainly `resolved`, as when a person closed the issue by hand.
 *
 * The refusal is one warning per run; the summary row says which resolution was made.
 */
export async function resolveFixed(
  ctx: RunContext,
  existing: Pick<TrackedIssue, 'number' | 'body'>,
  sentry: SentryIssue
): Promise<string> {
  const org = ctx.config.sentry.org
  const client = ctx.deps.sentry
  let commit: ClosingCommit | undefined
  try {
    commit = await closingCommit(ctx.deps.github, ctx.repo, existing.number)
  } catch (error) {
    ctx.warnings.warnOnce(
      'timeline',
      `Could not read the timeline of #${existing.number} (${errorMessage(error)}); Sentry issues are resolved without their fixing commit where that happens.`
    )
  }
  if (!commit) {
    await client.resolveIssue(org, sentry.id)
    return 'resolved in Sentry'
  }
  const short = commit.sha.slice(0, 7)
  const refusal = await refused(() =>
    client.resolveIssue(org, sentry.id, {
      inCommit: { commit: commit.sha, repository: commit.repository }
    })
  )
  if (refusal === undefined) {
    return `resolved in Sentry in commit ${short} (${commit.via})`
  }
  ctx.warnings.warnOnce(
    'in-commit',
    `Sentry refused to resolve ${sentry.shortId} in commit ${short} of ${commit.repository} (${refusal}). Sentry resolves in a commit only in a repository connected to the organization (Settings → Integrations → GitHub) whose commits it has received; until then issues are resolved in the next release where one is known, else plainly.`
  )
  if (releaseKnown(sentry, existing.body)) {
    const next: SentryStatusDetails = { inNextRelease: true }
    if ((await refused(() => client.resolveIssue(org, sentry.id, next))) === undefined) {
      return `resolved in Sentry in the next release (Sentry does not know commit ${short})`
    }
  }
  await client.resolveIssue(org, sentry.id)
  return `resolved in Sentry (Sentry does not know commit ${short})`
}

/** Runs a resolve; Sentry's 400 (it refused the details) is returned as its reason. */
async function refused(resolve: () => Promise<void>): Promise<string | undefined> {
  try {
    await resolve()
    return undefined
  } catch (error) {
    if (error instanceof SentryApiError && error.status === 400) {
      return error.detail ?? 'HTTP 400'
    }
    throw error
  }
}

/** Whether a release is known for the issue: its stats block shows one, or Sentry names one. */
function releaseKnown(sentry: SentryIssue, body: string | null | undefined): boolean {
  const row = findStatsBlock(body)?.releaseRow
  if (row !== undefined && !/^\| Release \| — \|$/.test(row)) return true
  const served = sentry as Record<string, unknown>
  return [served['lastRelease'], served['firstRelease']].some(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as { version?: unknown }).version === 'string'
  )
}

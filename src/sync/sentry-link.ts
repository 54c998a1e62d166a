import { errorMessage } from '../log.js'
import { SentryApiError } from '../sentry/client.js'
import type { RunContext } from './context.js'

/**
 * The Sentry side of the link (`sentry-app-installation`): each GitHub issue the action creates
 * is linked to its Sentry issue as an external issue of an internal integration, so Sentry's
 * "Linked issues" panel shows it.
 *
 * Sentry keeps one such link per Sentry issue and integration, and lists them on the issue
 * (`GET …/issues/{id}/external-issues/`). The action therefore remembers no link id: when a
 * Sentry merge hands a GitHub issue to the surviving Sentry issue, or closes it as the survivor's
 * duplicate, it lists the survivor's links, deletes those that point at another issue of this
 * repository and links the issue that tracks the survivor now. Whether Sentry moved the merged
 * issue's link to the survivor or dropped it, one link to the right issue remains.
 *
 * A refusal (403: the token is not the integration's; 404: no such installation) is one warning
 * per run; the GitHub side is never held up by it.
 */

/** The GitHub issue a link points at. */
export interface LinkedIssue {
  number: number
  url: string
}

/** Links a new GitHub issue to its Sentry issue. */
export async function linkInSentry(
  ctx: RunContext,
  sentryId: string,
  shortId: string,
  issue: LinkedIssue
): Promise<void> {
  const uuid = ctx.config.lifecycle.sentryAppInstallation
  if (!uuid) return
  try {
    await link(ctx, uuid, sentryId, issue)
  } catch (error) {
    refusedWarning(ctx, shortId, error)
  }
}

/**
 * After a Sentry merge: the survivor's links end up pointing at `tracking`, the GitHub issue that
 * tracks it now (stale links to other issues of this repository are deleted first).
 */
export async function relinkInSentry(
  ctx: RunContext,
  survivorId: string,
  shortId: string,
  tracking: LinkedIssue
): Promise<void> {
  const uuid = ctx.config.lifecycle.sentryAppInstallation
  if (!uuid) return
  const { sentry } = ctx.deps
  try {
    const links = await sentry.listExternalIssues(ctx.config.sentry.org, survivorId)
    const ours = links.filter((l) => inRepository(ctx, l.webUrl))
    for (const stale of ours.filter((l) => !sameUrl(l.webUrl, tracking.url))) {
      await sentry.unlinkExternalIssue(uuid, stale.id)
    }
    if (!ours.some((l) => sameUrl(l.webUrl, tracking.url))) {
      await link(ctx, uuid, survivorId, tracking)
    }
  } catch (error) {
    refusedWarning(ctx, shortId, error)
  }
}

async function link(
  ctx: RunContext,
  uuid: string,
  sentryId: string,
  issue: LinkedIssue
): Promise<void> {
  await ctx.deps.sentry.linkExternalIssue(uuid, {
    issueId: sentryId,
    webUrl: issue.url,
    project: `${ctx.repo.owner}/${ctx.repo.repo}`,
    identifier: String(issue.number)
  })
}

/** Whether a linked URL is an issue of this repository (links of other services are left alone). */
function inRepository(ctx: RunContext, url: string): boolean {
  const path = `/${ctx.repo.owner}/${ctx.repo.repo}/issues/`.toLowerCase()
  return url.toLowerCase().includes(path)
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase()
}

function refusedWarning(ctx: RunContext, shortId: string, error: unknown): void {
  const status = error instanceof SentryApiError ? error.status : undefined
  const why =
    status === 403 || status === 401
      ? 'the token is not allowed to link issues: use the internal integration’s token as sentry-token'
      : status === 404
        ? 'Sentry does not know that installation: check sentry-app-installation (the installation UUID of the internal integration)'
        : 'the link is left as it is'
  ctx.warnings.warnOnce(
    'external-issues',
    `Could not link ${shortId} to its GitHub issue in Sentry (${errorMessage(error)}); ${why}. GitHub issues are created and kept as usual.`
  )
}

import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { createIssue, getIssue, updateIssue, type NewIssue } from '../github/issues.js'
import type { GitHubIssue } from '../github/schemas.js'
import { findMarker, retiredMarkerLine } from '../plan/marker.js'
import { buildIndex } from '../plan/plan.js'
import { renderIssueWithTemplates } from '../render/template.js'
import { issueLabels, priorityLabel } from '../render/labels.js'
import { createCodeLinker, type CodeLinker } from '../render/code-links.js'
import { assigneesFor, MAX_ASSIGNEES, needsLatestEvent } from '../inputs/content-options.js'
import type { SuspectCommit } from '../render/suspect.js'
import { issuePreview } from '../report/preview.js'
import type { ResultRow } from '../report/result.js'
import type { SentryClient } from '../sentry/client.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import {
  baseRow,
  errorBody,
  OPTIONAL_FIELDS,
  statusOf,
  type CreateItem,
  type LatestEvents,
  type RunContext,
  type Warnings
} from './context.js'
import { findAfterFailedCreate } from './dedup.js'
import { withOwnerAssignees } from './signals.js'
import { ensureLabels } from './labels.js'
import { runSteps, stepsOn } from './steps.js'
import { linkInSentry } from './sentry-link.js'
import { attachAsSubIssue } from './sub-issue.js'
import { PREFETCH_CONCURRENCY, prefetchEach } from './prefetch.js'

/**
 * Creating the planned issues: rendering, labels, optional create fields, the latest events
 * fetched ahead, and the note on the Sentry issue.
 */

export async function create(ctx: RunContext, item: CreateItem): Promise<ResultRow> {
  const { config, deps } = ctx
  const base = baseRow(item.sentry)
  const note =
    ctx.notes.get(item.key) ??
    (item.supersedes ? `regressed; replaces closed #${item.supersedes.number}` : undefined)
  const content = config.content
  const event = await ctx.resources.events.latest(item.key)
  const signals = await ctx.resources.signals.of(item.key)
  const suspect = await ctx.resources.suspects.suspect(item.key)
  const labels = issueLabels(item.sentry, event, {
    trackingLabel: config.trackingLabel,
    labels: config.labels,
    priorityRules: content.priorityRules,
    sources: content.labelFrom,
    prefixes: content.labelPrefixes
  })
  const rendered = renderIssueWithTemplates(
    item.sentry,
    {
      org: config.sentry.org,
      sentryHost: ctx.identity.host,
      installation: ctx.identity.installation,
      ...(content.priorityRules.length > 0
        ? { priorityLabel: priorityLabel(item.sentry, content.priorityRules) ?? null }
        : {}),
      trackingLabel: config.trackingLabel,
      labels: labels.slice(1),
      event,
      maxFrames: content.stackTrace ? content.maxFrames : 0,
      codeLinks: ctx.resources.codeLinker(),
      signals,
      suspect
    },
    { title: content.titleTemplate, body: content.bodyTemplate }
  )
  if (item.supersedes) {
    rendered.body += `\n_This error came back after #${item.supersedes.number} was closed; that issue is kept for its history._\n`
  }
  const assignees = withOwnerAssignees(
    assigneesFor(item.sentry, content),
    item.sentry,
    signals,
    config
  )
  if (content.assignSuspect && suspect) {
    await assignSuspect(ctx, assignees, suspect, item.sentry.shortId)
  }
  const preview = issuePreview(
    rendered,
    assignees,
    content.milestone,
    stepsOn(config).flatMap((step) => step.preview(config, item.sentry, event) ?? [])
  )
  if (config.dryRun) {
    deps.log.info(`Would create: ${rendered.title}`)
    return {
      ...base,
      action: 'created',
      detail: note ? `dry run: ${note}` : 'dry run: would create',
      preview
    }
  }
  if (item.supersedes) {
    // Retire the old issue's marker first, so exactly one issue carries it at any time.
    const old = item.supersedes
    try {
      const body = (await getIssue(deps.github, ctx.repo, old.number)).body ?? ''
      const marker = findMarker(body)
      await updateIssue(deps.github, ctx.repo, old.number, {
        body: marker
          ? body.slice(0, marker.start) + retiredMarkerLine(item.key) + body.slice(marker.end)
          : `${retiredMarkerLine(item.key)}\n${body}`
      })
      ctx.index.delete(item.key)
    } catch (error) {
      const message = `could not retire the marker of closed #${old.number}: ${errorMessage(error)}`
      deps.log.warning(`${item.sentry.shortId}: ${message}`)
      return { ...base, action: 'failed', number: old.number, url: old.url, detail: message }
    }
  }
  try {
    await ensureLabels(ctx, labels)
    const { milestone } = await ctx.resources.metadata()
    const created = await createWithOptionalFields(ctx, item.sentry, {
      ...rendered,
      assignees,
      ...(content.issueType ? { type: content.issueType } : {}),
      ...(milestone !== undefined ? { milestone } : {})
    })
    await runSteps(ctx, created.number, (step) =>
      step.created(ctx, created.number, item.sentry, event)
    )
    deps.log.info(`Created #${created.number} for ${item.sentry.shortId}.`)
    buildIndex([created], 'label', ctx.identity, ctx.index)
    const attached =
      item.supersedes && config.lifecycle.onRegression === 'sub-issue'
        ? await attachAsSubIssue(ctx, item.supersedes, created)
        : undefined
    await afterCreate(ctx, item.sentry, created)
    const detail = [note, attached].filter((d) => d !== undefined).join('; ')
    return {
      ...base,
      action: 'created',
      number: created.number,
      url: created.html_url,
      ...(detail ? { detail } : {}),
      preview
    }
  } catch (error) {
    // A create that failed without a clear "no" may still have been stored: look before reporting.
    const status = statusOf(error)
    const ambiguous = status === undefined || status >= 500
    const found = ambiguous ? await findAfterFailedCreate(ctx, item.key) : undefined
    if (found) {
      deps.log.warning(
        `Creating the issue for ${item.sentry.shortId} reported an error (${errorMessage(error)}), but GitHub stored it as #${found.number}.`
      )
      return {
        ...base,
        action: 'created',
        number: found.number,
        url: found.url,
        detail: 'response lost; found by its marker'
      }
    }
    deps.log.warning(
      `Could not create the issue for ${item.sentry.shortId}: ${errorMessage(error)}`
    )
    return { ...base, action: 'failed', detail: errorMessage(error) }
  }
}

/** Adds the suspect commit's author to `assignees` when GitHub says they can be assigned. */
async function assignSuspect(
  ctx: RunContext,
  assignees: string[],
  suspect: SuspectCommit,
  shortId: string
): Promise<void> {
  const login = suspect.login
  if (login === undefined || assignees.length >= MAX_ASSIGNEES) return
  if (assignees.some((a) => a.toLowerCase() === login.toLowerCase())) return
  if (await ctx.resources.suspects.assignable(suspect, shortId)) assignees.push(login)
}

/**
 * The new GitHub issue made known in Sentry: linked through the integration with
 * `sentry-app-installation`, else an optional note on the Sentry issue. A failure is a warning.
 */
async function afterCreate(
  ctx: RunContext,
  sentry: SentryIssue,
  created: GitHubIssue
): Promise<void> {
  if (ctx.config.lifecycle.sentryAppInstallation) {
    await linkInSentry(ctx, sentry.id, sentry.shortId, {
      number: created.number,
      url: created.html_url
    })
    return
  }
  if (!ctx.config.lifecycle.sentryComment) return
  const url = created.html_url
  try {
    await ctx.deps.sentry.addComment(ctx.config.sentry.org, sentry.id, `GitHub issue: ${url}`)
  } catch (error) {
    ctx.warnings.warn(
      `Could not post a note on Sentry issue ${sentry.shortId} (${errorMessage(error)}). Notes need a user auth token with event:write; organization tokens cannot post them. Turn sentry-comment off or use a user token.`
    )
  }
}

/**
 * Creates the issue; optional extras the repository refuses (assignees it cannot assign, an issue
 * type the organisation does not have) are dropped with a warning, and the issue still created.
 * A 422 means GitHub stored nothing, so retrying without them is safe.
 */
async function createWithOptionalFields(
  ctx: RunContext,
  sentry: SentryIssue,
  issue: NewIssue
): Promise<GitHubIssue> {
  const { refused } = ctx.resources
  for (;;) {
    const attempt: NewIssue = { title: issue.title, body: issue.body, labels: issue.labels }
    if (issue.assignees?.length && !refused.has('assignees')) attempt.assignees = issue.assignees
    if (issue.type && !refused.has('type')) attempt.type = issue.type
    if (issue.milestone !== undefined && !refused.has('milestone')) {
      attempt.milestone = issue.milestone
    }
    try {
      return await createIssue(ctx.deps.github, ctx.repo, attempt)
    } catch (error) {
      const optional = OPTIONAL_FIELDS.filter((f) => attempt[f] !== undefined)
      if (statusOf(error) !== 422 || optional.length === 0) throw error
      const said = errorMessage(error) + JSON.stringify(errorBody(error) ?? '')
      const named = optional.filter((f) =>
        new RegExp(`"field":"${f === 'assignees' ? 'assignees?' : f}"`).test(said)
      )
      const drop = named.length > 0 ? named : optional
      for (const field of drop) refused.add(field)
      ctx.warnings.warn(
        `GitHub refused ${drop.map((f) => `${f} ${JSON.stringify(attempt[f])}`).join(' and ')} for ${sentry.shortId} (${errorMessage(error)}); issues are created without ${drop.length > 1 ? 'them' : 'it'} this run. Check the ${drop.map((f) => (f === 'type' ? 'issue-type' : f)).join(' and ')} input.`
      )
    }
  }
}

/**
 * The latest event of each issue to create (a run's `resources.events`), fetched a few at a time
 * (Sentry allows about 15 event requests a second) while the writes go on; each create waits only
 * for its own event. An event that cannot be fetched is a warning: the issue is created without it.
 */
export class EventPrefetch implements LatestEvents {
  readonly #events = new Map<string, Promise<SentryEvent | undefined>>()

  constructor(
    private readonly config: Config,
    private readonly sentry: SentryClient,
    private readonly warnings: Warnings
  ) {}

  /** Starts fetching the events of `creates`; nothing when the content shows no event. */
  start(creates: readonly CreateItem[]): void {
    if (!needsLatestEvent(this.config.content)) return
    const { config, sentry, warnings } = this
    prefetchEach(this.#events, creates, PREFETCH_CONCURRENCY, async (item) => {
      try {
        return await sentry.getLatestEvent(config.sentry.org, item.sentry.id, {
          environments: config.sentry.environments
        })
      } catch (error) {
        warnings.warnOnce(
          'event-fetch',
          `Could not fetch the latest event of ${item.sentry.shortId} (${errorMessage(error)}); issues are created without their stack trace where that happens.`
        )
        return undefined
      }
    })
  }

  /** The event of a create, or undefined when it is not fetched (not started, or not needed). */
  latest(key: string): Promise<SentryEvent | undefined> | undefined {
    return this.#events.get(key)
  }
}

export function codeLinkerFor(config: Config): CodeLinker | undefined {
  if (config.content.codeMappings.length === 0) return undefined
  return createCodeLinker({
    mappings: config.content.codeMappings,
    serverUrl: config.github.serverUrl,
    owner: config.github.owner,
    repo: config.github.repo
  })
}

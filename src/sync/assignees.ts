import {
  addAssignees,
  lastAssigneeChange,
  removeAssignees,
  type AssigneeChange
} from '../github/assignees.js'
import { errorMessage } from '../log.js'
import {
  decideAssignees,
  entryForSentry,
  sentryKey,
  type AssigneeDecision,
  type AssigneeLink
} from '../plan/assignees.js'
import type { PlanItem } from '../plan/plan.js'
import type { TrackedIssue } from '../plan/tracked.js'
import { findStatsBlock, type AssigneeMemory } from '../render/stats-block.js'
import type { ResultRow } from '../report/result.js'
import type { SentryIssue } from '../sentry/schemas.js'
import { rememberInBlock } from './block-memory.js'
import { lazy, type RunContext } from './context.js'

/**
 * Assignees both ways (sync-assignees), carried out: reads what plan/assignees.ts needs, looks up
 * which side changed last when both did, writes the change (GitHub: add and remove one login at a
 * time; Sentry: `assignedTo`), and records the agreed state in the stats block's start line, so
 * the next run (or event) sees nothing changed and nothing echoes back.
 */

/** After a plan item's row: the assignees of an open tracked issue, when sync-assignees is on. */
export async function assigneesAfter(
  ctx: RunContext,
  item: PlanItem,
  row: ResultRow
): Promise<void> {
  if (item.kind !== 'skip' && item.kind !== 'lifecycle') return
  const existing = item.existing
  if (!existing || existing.state !== 'open' || row.action === 'failed') return
  if (row.action === 'closed') return
  const note = await syncAssignees(ctx, existing, item.sentry)
  if (!note) return
  if (row.action === 'skipped' && !note.startsWith('not carried')) {
    row.action = 'updated'
    row.detail = note
  } else {
    row.detail = row.detail ? `${row.detail}; ${note}` : note
  }
}

/**
 * Brings one issue's assignees in step; the note for its row when something travelled (or would,
 * in a dry run, or could not). `tracked` carries the GitHub assignees and body as read.
 */
export async function syncAssignees(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue
): Promise<string | undefined> {
  const way = ctx.config.twoWay?.assignees ?? 'off'
  if (way === 'off') return undefined
  const map = ctx.config.content.assigneeMap
  const github = tracked.assignees ?? []
  const memory = findStatsBlock(tracked.body)?.memory.assignees
  const input = { sentry: sentry.assignedTo, github, memory, map, way }
  let decision = decideAssignees(input)
  let looked = false
  const label = `#${tracked.number} (${sentry.shortId})`
  if (decision.kind === 'conflict') {
    try {
      const { lastChanged, latest } = await whichChangedLast(ctx, tracked, sentry, decision.tie)
      decision = decideAssignees({ ...input, lastChanged, ...(latest ? { latest } : {}) })
      looked = true
    } catch (error) {
      ctx.warnings.warn(
        `${label}: could not read who changed the assignee last: ${errorMessage(error)}`
      )
      return `not carried: ${errorMessage(error)}`
    }
  }
  switch (decision.kind) {
    case 'none':
    case 'conflict':
      // The records were read for nothing to change: remember the state, so they are not again.
      if (looked && !ctx.config.dryRun) await rememberSeen(ctx, tracked, sentry, memory, label)
      return undefined
    case 'unmapped':
      ctx.warnings.warn(
        `${label}: ${decision.who} (assigned in ${decision.side}) is not in assignee-map; the assignee was not carried over.`
      )
      // Remembered as seen, so the next runs neither read the records again nor warn again.
      if (!ctx.config.dryRun) await rememberSeen(ctx, tracked, sentry, memory, label)
      return `not carried: ${decision.who} is not in assignee-map`
  }
  if (ctx.config.dryRun) return `dry run: would ${describe(decision)}`
  try {
    const agreed =
      decision.kind === 'to-github'
        ? await toGitHub(ctx, tracked, sentry, decision, map)
        : await toSentry(ctx, tracked, sentry, decision)
    await rememberInBlock(ctx, tracked.number, { assignees: agreed })
    ctx.deps.log.info(`${label}: ${describe(decision)} (${decision.why}).`)
    return describe(decision)
  } catch (error) {
    ctx.warnings.warn(`${label}: could not ${describe(decision)}: ${errorMessage(error)}`)
    return `not carried: ${errorMessage(error)}`
  }
}

function describe(d: Extract<AssigneeDecision, { kind: 'to-github' | 'to-sentry' }>): string {
  if (d.kind === 'to-sentry') {
    return d.to ? `assign ${d.to.login} in Sentry` : 'unassign in Sentry'
  }
  const parts: string[] = []
  if (d.add) parts.push(`assign ${d.add} on GitHub`)
  if (d.remove) parts.push(`unassign ${d.remove} on GitHub`)
  return parts.join(' and ')
}

/** The assignees as both tools have them, recorded without a change (told or looked up once). */
async function rememberSeen(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue,
  memory: AssigneeMemory | undefined,
  label: string
): Promise<void> {
  const entry = sentry.assignedTo
    ? entryForSentry(ctx.config.content.assigneeMap, sentry.assignedTo)
    : undefined
  const standing =
    entry && (tracked.assignees ?? []).includes(entry.login) ? entry.login : undefined
  const seen: AssigneeMemory = {
    sa: sentryKey(sentry.assignedTo),
    ga: [...(tracked.assignees ?? [])],
    gm: standing ?? memory?.gm ?? '-'
  }
  await rememberInBlock(ctx, tracked.number, { assignees: seen }).catch((error: unknown) =>
    ctx.deps.log.warning(`${label}: could not record the assignees: ${errorMessage(error)}`)
  )
}

/** Which side changed its assignee last, by Sentry's activity and GitHub's timeline. */
async function whichChangedLast(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue,
  tie: 'sentry' | 'github'
): Promise<{ lastChanged: 'sentry' | 'github'; latest: AssigneeChange | undefined }> {
  const [inSentry, latest] = await Promise.all([
    ctx.deps.sentry.assigneeChangedAt(ctx.config.sentry.org, sentry.id),
    lastAssigneeChange(ctx.deps.github, ctx.repo, tracked.number)
  ])
  const onGitHub = latest?.at
  // By the second: GitHub's times have no finer grain (a tie goes to the side that looks changed).
  const second = (t: string | undefined): number =>
    t && !Number.isNaN(Date.parse(t)) ? Math.floor(Date.parse(t) / 1000) : -Infinity
  const s = second(inSentry)
  const g = second(onGitHub)
  const lastChanged = s === g ? tie : s > g ? 'sentry' : 'github'
  return { lastChanged, latest }
}

async function toGitHub(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue,
  d: Extract<AssigneeDecision, { kind: 'to-github' }>,
  map: readonly AssigneeLink[]
): Promise<AssigneeMemory> {
  const { github } = ctx.deps
  let logins = [...(tracked.assignees ?? [])]
  if (d.remove) logins = await removeAssignees(github, ctx.repo, tracked.number, [d.remove])
  if (d.add) {
    logins = await addAssignees(github, ctx.repo, tracked.number, [d.add])
    if (!logins.some((l) => l.toLowerCase() === d.add?.toLowerCase())) {
      // GitHub leaves out whom it cannot assign (not a collaborator): recorded as it is.
      ctx.warnings.warn(
        `#${tracked.number} (${sentry.shortId}): GitHub did not assign ${d.add} (can the login be assigned in this repository?); assignee-map names them for the Sentry assignee.`
      )
    }
  }
  const mirror = sentry.assignedTo ? entryForSentry(map, sentry.assignedTo)?.login : undefined
  const standing = mirror && logins.some((l) => l.toLowerCase() === mirror.toLowerCase())
  return { sa: sentryKey(sentry.assignedTo), ga: logins, gm: standing ? mirror : '-' }
}

async function toSentry(
  ctx: RunContext,
  tracked: TrackedIssue,
  sentry: SentryIssue,
  d: Extract<AssigneeDecision, { kind: 'to-sentry' }>
): Promise<AssigneeMemory> {
  const value = d.to ? await sentryValue(ctx, d.to) : null
  const answer = await ctx.deps.sentry.assignIssue(ctx.config.sentry.org, sentry.id, value)
  return {
    sa: sentryKey(answer.assignedTo ?? null),
    ga: [...(tracked.assignees ?? [])],
    gm: d.to?.login ?? '-'
  }
}

const teamIds = new WeakMap<RunContext, () => Promise<Map<string, string>>>()

/**
 * What Sentry's `assignedTo` takes for a map line: the user's e-mail, `user:ID` for a user named by
 * id, or `team:ID` by slug.
 */
async function sentryValue(ctx: RunContext, link: AssigneeLink): Promise<string> {
  if (link.kind === 'user') return /^\d+$/u.test(link.key) ? `user:${link.key}` : link.key
  let load = teamIds.get(ctx)
  if (!load) {
    load = lazy(async () => {
      const teams = await ctx.deps.sentry.listTeams(ctx.config.sentry.org)
      return new Map(teams.map((t) => [t.slug.toLowerCase(), String(t.id)]))
    })
    teamIds.set(ctx, load)
  }
  const id = (await load()).get(link.key)
  if (!id) throw new Error(`Sentry has no team #${link.key} (assignee-map)`)
  return `team:${id}`
}

/**
 * Assignees both ways (sync-assignees): what to change, in which tool, for one tracked issue.
 * Pure: the caller reads both tools and carries the decision out.
 *
 * The stats block remembers the last agreed state (see stats-block.ts: `sa` the Sentry assignee,
 * `ga` the GitHub assignees, `gm` the login that stood for Sentry's assignee). Against it each
 * side tells whether it changed since; when one did and the two disagree, the side that changed
 * last wins (the caller reads the times from both tools and asks again: a side that looks
 * unchanged may have changed and changed back later than the other). The two already agree (the
 * Sentry assignee's login is among the GitHub assignees, or neither has a mapped one) as last
 * recorded: nothing,
 * which is also why the action's own change never echoes back. A person or team the map does not
 * name: one warning, nothing changes.
 */

import type { AssigneeMemory } from '../render/stats-block.js'

export type { AssigneeMemory }

/**
 * One `assignee-map` line: a Sentry user (`user`, by e-mail, lower case) or team (`team`, by
 * slug, lower case) and the GitHub login that stands for them (the input's own type has this
 * shape).
 */
export interface AssigneeLink {
  kind: 'user' | 'team'
  key: string
  login: string
}

/** Sentry's `assignedTo`. */
export interface SentryAssignee {
  type: string
  id: string
  name?: string | null | undefined
  email?: string | null | undefined
}

export type AssigneeWay = 'both' | 'to-sentry' | 'to-github'

export type AssigneeDecision =
  | { kind: 'none'; why: string }
  /**
   * They disagree and something changed: the caller finds which side changed last (`tie`: the
   * side to take when the records cannot tell, the one that looks changed, GitHub if both).
   */
  | { kind: 'conflict'; tie: 'sentry' | 'github' }
  | { kind: 'unmapped'; who: string; side: 'Sentry' | 'GitHub' }
  /** Set (or clear, `to: null`) the Sentry assignee; `to.login` is who stands for it on GitHub. */
  | { kind: 'to-sentry'; to: AssigneeLink | null; why: string }
  /** Add and remove GitHub assignees (at most one each). */
  | { kind: 'to-github'; add: string | null; remove: string | null; why: string }

export interface AssigneeInput {
  sentry: SentryAssignee | null | undefined
  github: readonly string[]
  memory: AssigneeMemory | undefined
  map: readonly AssigneeLink[]
  way: AssigneeWay
  /** Which side changed last, once the caller looked it up after a `conflict`. */
  lastChanged?: 'sentry' | 'github'
  /** GitHub's newest assignee change (read with `lastChanged`), when its timeline has one. */
  latest?: { event: 'assigned' | 'unassigned'; login: string | undefined }
}

export function sentryKey(a: SentryAssignee | null | undefined): string {
  if (!a) return '-'
  return `${a.type === 'team' ? 't' : 'u'}${a.id}`
}

const lower = (s: string): string => s.toLowerCase()

/** The map's line for a Sentry assignee, if it names them. */
export function entryForSentry(
  map: readonly AssigneeLink[],
  a: SentryAssignee
): AssigneeLink | undefined {
  // Sentry serves a team's slug as its `name`, and a user's primary e-mail as `email`; a map line
  // names a user by e-mail or by id.
  if (a.type === 'team') {
    return map.find((e) => e.kind === 'team' && !!a.name && e.key === lower(a.name))
  }
  return map.find(
    (e) => e.kind === 'user' && ((!!a.email && e.key === lower(a.email)) || e.key === a.id)
  )
}

export function entryForLogin(
  map: readonly AssigneeLink[],
  login: string
): AssigneeLink | undefined {
  return map.find((e) => lower(e.login) === lower(login))
}

function sameLogins(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map(lower))
  const y = new Set(b.map(lower))
  return x.size === y.size && [...x].every((l) => y.has(l))
}

function includesLogin(list: readonly string[], login: string): boolean {
  return list.some((l) => lower(l) === lower(login))
}

function describe(a: SentryAssignee): string {
  const who = a.name || a.email || a.id
  return a.type === 'team' ? `team ${who}` : who
}

export function decideAssignees(input: AssigneeInput): AssigneeDecision {
  const { sentry, github, memory, map, way } = input
  const sentryEntry = sentry ? entryForSentry(map, sentry) : undefined
  const mappedOnGitHub = github.filter((l) => entryForLogin(map, l) !== undefined)
  const inStep = sentry
    ? sentryEntry !== undefined && includesLogin(github, sentryEntry.login)
    : mappedOnGitHub.length === 0
  if (memory) {
    // As last recorded (in step, or an unmapped person already told): nothing to do.
    if (sentryKey(sentry) === memory.sa && sameLogins(github, memory.ga)) {
      return { kind: 'none', why: inStep ? 'assignees in step' : 'assignees unchanged' }
    }
  } else if (inStep && !mappedOnGitHub.some((l) => lower(l) !== lower(sentryEntry?.login ?? ''))) {
    // The first look, and the two agree with no other mapped login about: nothing to do.
    return { kind: 'none', why: 'assignees in step' }
  }
  // Something changed since the two last agreed (or, the first time, they differ): whose change
  // came last is read from the two tools' records. A side that looks unchanged may have changed
  // and changed back after the other's change, so the records are read even then.
  if (!input.lastChanged) {
    const githubChanged = memory ? !sameLogins(github, memory.ga) : mappedOnGitHub.length > 0
    return { kind: 'conflict', tie: githubChanged ? 'github' : 'sentry' }
  }
  const winner = input.lastChanged

  if (winner === 'sentry') {
    if (way === 'to-sentry') return { kind: 'none', why: 'assignee changed in Sentry (to-sentry)' }
    if (sentry && !sentryEntry) return { kind: 'unmapped', who: describe(sentry), side: 'Sentry' }
    const login = sentryEntry?.login ?? null
    const mirror = memory && memory.gm !== '-' ? memory.gm : undefined
    const remove =
      mirror && includesLogin(github, mirror) && (!login || lower(mirror) !== lower(login))
        ? mirror
        : null
    const add = login && !includesLogin(github, login) ? login : null
    if (!add && !remove) return { kind: 'none', why: 'assignees in step' }
    return {
      kind: 'to-github',
      add,
      remove,
      why: login ? `assigned to ${login} in Sentry` : 'unassigned in Sentry'
    }
  }

  if (way === 'to-github') return { kind: 'none', why: 'assignee changed on GitHub (to-github)' }
  const before = memory?.ga ?? []
  const added = github.filter((l) => !includesLogin(before, l))
  const addedMapped = added.find((l) => entryForLogin(map, l) !== undefined)
  const mirror = memory && memory.gm !== '-' ? memory.gm : undefined
  const kept = mirror && includesLogin(github, mirror) ? mirror : undefined
  // Who GitHub says: the person its newest change assigned (still assigned); after an unassign,
  // the login still standing for Sentry's assignee, else another mapped one still assigned, else
  // nobody. Without a timeline: a mapped login added since the last agreement, else the standing
  // one.
  const latest = input.latest
  const chosen =
    latest?.event === 'assigned' && latest.login && includesLogin(github, latest.login)
      ? latest.login
      : latest
        ? (kept ?? mappedOnGitHub[0])
        : (addedMapped ?? kept)
  if (chosen) {
    const entry = entryForLogin(map, chosen)
    if (!entry) {
      return added[0] ? { kind: 'unmapped', who: added[0], side: 'GitHub' } : noChange(sentry)
    }
    if (sentry && sentryEntry === entry) return { kind: 'none', why: 'assignees in step' }
    return {
      kind: 'to-sentry',
      to: entry,
      why: addedMapped ? `assigned to ${entry.login} on GitHub` : `${entry.login} kept on GitHub`
    }
  }
  if (added.length > 0 && !mirror) return { kind: 'unmapped', who: added[0]!, side: 'GitHub' }
  if (!sentry) return { kind: 'none', why: 'assignees in step' }
  return {
    kind: 'to-sentry',
    to: null,
    why: mirror ? `${mirror} unassigned on GitHub` : 'unassigned on GitHub'
  }
}

function noChange(sentry: SentryAssignee | null | undefined): AssigneeDecision {
  return { kind: 'none', why: sentry ? 'assignees unchanged' : 'assignees in step' }
}

import fc from 'fast-check'
import { createClients } from '../../src/clients.js'
import { parseConfig } from '../../src/inputs/config.js'
import { silentLogger } from '../../src/log.js'
import { parseMarker } from '../../src/plan/marker.js'
import { findStatsBlock } from '../../src/render/stats-block.js'
import { runSync } from '../../src/sync.js'
import { type FakeIssue as GitHubIssue } from '../../src/fakes/fake-github.js'
import { fastClients, type Harness } from '../helpers/harness.js'

/**
 * The model test's world (see living.test.ts): its configuration, the commands a life is made of
 * (people, Sentry, runs) and their generators, the model of who did what last, and what a run is
 * compared against (snapshots of the repository).
 */

/** Fixed, so every run of the suite walks the same lives; MODEL_SEED / MODEL_RUNS explore others. */
export const SEED = Number(process.env.MODEL_SEED ?? 20261130)
export const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 30)
export const TRACKING = 'sentry'
export const LEVELS = ['p1', 'p2', 'p3'] as const
/** One configuration for the whole test: defaults, close-on-ignore and a priority rule. */
export const CONFIG = {
  'close-on-ignore': 'true',
  'priority-labels': 'p1 if events >= 40\np2 if events >= 10\np3'
}

export function levelFor(events: number): string {
  return events >= 40 ? 'p1' : events >= 10 ? 'p2' : 'p3'
}

// ---------------------------------------------------------------------------------------------
// Commands

export type PersonKind =
  | 'editAbove'
  | 'editBelow'
  | 'moveMarker'
  | 'deleteMarker'
  | 'deleteBlock'
  | 'relabel'
  | 'reopen'
  | 'closeCompleted'
  | 'closeNotPlanned'
  | 'closeDuplicate'
  | 'transfer'
  | 'delete'
  | 'lock'
  | 'unlabel'

export type Command =
  | { t: 'run' }
  | { t: 'concurrent' }
  | { t: 'killed'; fault: number }
  | { t: 'newIssue'; events: number }
  | { t: 'events'; pick: number; n: number }
  | { t: 'slide'; hours: number }
  | { t: 'resolve' | 'regress' | 'ignore' | 'escalate' | 'sdelete'; pick: number }
  | { t: 'merge'; pick: number; other: number }
  | { t: 'rename' }
  | { t: 'person'; kind: PersonKind; pick: number; other: number; level: number }
  /** The next runs reach Sentry by another of its URLs. */
  | { t: 'alias'; url: number }
  /** The other installation changes (0: nothing, 1: a new issue, 2: events, 3: a resolve) and runs. */
  | { t: 'otherWorld'; change: number; pick: number }

export const pick = fc.nat(50)
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Command>({ t: 'run' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ t: 'concurrent' }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('killed' as const), fault: fc.nat(3) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('newIssue' as const),
      events: fc.integer({ min: 1, max: 50 })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('events' as const),
      pick,
      n: fc.integer({ min: 1, max: 40 })
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('slide' as const),
      hours: fc.integer({ min: 1, max: 40 })
    })
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constantFrom(
        'resolve' as const,
        'regress' as const,
        'ignore' as const,
        'escalate' as const,
        'sdelete' as const
      ),
      pick
    })
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('merge' as const), pick, other: pick }) },
  { weight: 1, arbitrary: fc.constant<Command>({ t: 'rename' }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('alias' as const), url: fc.nat(2) }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('otherWorld' as const), change: fc.nat(3), pick })
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('person' as const),
      kind: fc.constantFrom<PersonKind>(
        'editAbove',
        'editBelow',
        'moveMarker',
        'deleteMarker',
        'deleteBlock',
        'relabel',
        'reopen',
        'closeCompleted',
        'closeNotPlanned',
        'closeDuplicate',
        'transfer',
        'delete',
        'lock',
        'unlabel'
      ),
      pick,
      other: pick,
      level: fc.nat(3)
    })
  }
)

// ---------------------------------------------------------------------------------------------
// The model: who did what last

export interface PersonAct {
  kind: 'reopen' | 'completed' | 'not_planned' | 'duplicate'
  at: number
  /** The block recorded another Sentry status than Sentry had when the person acted. */
  unseen?: boolean
  /** A reopen: why the issue had been closed. */
  from?: string | null
}

export interface Model {
  seq: number
  org: string
  renames: number
  /** Sentry id → the step of its last change (status, merge, deletion). */
  sentryChangedAt: Map<string, number>
  /** Merged-away Sentry id → the survivor. */
  mergedInto: Map<string, string>
  deletedInSentry: Set<string>
  /** GitHub issue number → the Sentry issue it tracks (its marker, remembered when deleted). */
  owner: Map<number, string>
  /** Sentry ids that have (or had, before it was deleted or moved) a GitHub issue. */
  hadIssue: Set<string>
  /** GitHub issue number → a person's last state change. */
  person: Map<number, PersonAct>
  /** GitHub issue number → the priority level the action last applied. */
  applied: Map<number, string | null>
  /** GitHub issues whose priority label a person changed since the action last set it. */
  relabelled: Set<number>
  /** The previous command was a clean sequential run, with no change since (slides aside). */
  steady: boolean
  /** Concurrent runs may have filed duplicates that only the next run heals. */
  unhealed: boolean
  /** The current run's fault loses the response of a stored write. */
  lostResponse: boolean
  /** A killed run broke a write since the last run that got through. */
  writeFailed: boolean
}

export function newModel(): Model {
  return {
    seq: 0,
    org: 'acme',
    renames: 0,
    sentryChangedAt: new Map(),
    mergedInto: new Map(),
    deletedInSentry: new Set(),
    owner: new Map(),
    hadIssue: new Set(),
    person: new Map(),
    applied: new Map(),
    relabelled: new Set(),
    steady: false,
    unhealed: false,
    lostResponse: false,
    writeFailed: false
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Issue numbers the other installation's runs filed (per harness): not this world's. */
export const otherWorlds = new WeakMap<Harness, Set<number>>()

/** This world's issues in the repository (the other installation's left out). */
export function inRepo(h: Harness): GitHubIssue[] {
  const other = otherWorlds.get(h)
  return h.github.issues.filter(
    (i) => !i.deleted && !i.transferred && !i.pull_request && !other?.has(i.number)
  )
}

/** The issue numbers of writes among `requests` (`…/issues/{n}` and below). */
export function writtenNumbers(
  requests: ReadonlyArray<{ method: string; path: string }>
): number[] {
  return requests
    .filter((r) => r.method !== 'GET')
    .map((r) => Number(/\/issues\/(\d+)(?:\/|$)/.exec(r.path)?.[1]))
    .filter((n) => Number.isInteger(n))
}

export function sentryIds(h: Harness): string[] {
  return h.sentry.issues.map((i) => String(i['id']))
}

export function sentryIssue(h: Harness, id: string): Record<string, unknown> | undefined {
  return h.sentry.issues.find((i) => String(i['id']) === id)
}

export function nth<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length]
}

/** The body with its block replaced by a placeholder and every marker line left out. */
export function outside(body: string | null): string {
  let b = body ?? ''
  const block = findStatsBlock(b)
  if (block) b = `${b.slice(0, block.start)}<<block>>${b.slice(block.end)}`
  return b
    .split('\n')
    .filter((l) => !l.startsWith('<!-- sentry-issue'))
    .join('\n')
}

/** The Sentry issue a GitHub issue's counts come from (a merged-away issue: its survivor). */
export function tracked(model: Model, id: string): string {
  let at = id
  for (let i = 0; i < 10 && model.mergedInto.has(at); i++) at = model.mergedInto.get(at) ?? at
  return at
}

export function changedSince(model: Model, sentryId: string, at: number): boolean {
  for (const [merged, into] of model.mergedInto) {
    if (into === sentryId && (model.sentryChangedAt.get(merged) ?? 0) > at) return true
  }
  return (model.sentryChangedAt.get(sentryId) ?? 0) > at
}

export interface Snapshot {
  maxNumber: number
  requests: number
  issues: Map<number, { state: string; body: string | null; labels: string[] }>
  counts: Map<string, number>
  /** Sentry ids with an issue a run finds without the cached state (label or marker). */
  findable: Set<string>
  /** Keys of the cached state (issue numbers and issues gone). */
  cached: Set<string>
  deletionNotes: Map<number, number>
}

export function deletionNotes(issue: GitHubIssue): number {
  return issue.comments.filter((c) => c.body.startsWith('Sentry no longer has this issue')).length
}

export function snapshot(h: Harness, model: Model): Snapshot {
  const state = h.state.current
  const findable = new Set<string>()
  for (const issue of inRepo(h)) {
    const id = model.owner.get(issue.number)
    if (id !== undefined && (parseMarker(issue.body) || issue.labels.includes(TRACKING)))
      findable.add(id)
  }
  return {
    findable,
    deletionNotes: new Map(h.github.issues.map((i) => [i.number, deletionNotes(i)])),
    cached: new Set([...Object.keys(state.issues), ...Object.keys(state.gone ?? {})]),
    maxNumber: h.github.issues.reduce((m, i) => Math.max(m, i.number), 0),
    requests: h.github.requests.length,
    issues: new Map(
      inRepo(h).map((i) => [i.number, { state: i.state, body: i.body, labels: [...i.labels] }])
    ),
    counts: new Map(h.sentry.issues.map((i) => [String(i['id']), Number(i['count'])]))
  }
}

// ---------------------------------------------------------------------------------------------
// Runs and the checks after them

/**
 * Two runs at once. `h.run` is not re-entrant (it swaps process.env, process.stdout.write,
 * process.exitCode and one summary file), so the pair runs the sync core directly, each run with
 * its own clients, against the same fakes and the same cached state.
 */
export async function concurrentPair(h: Harness, inputs: Record<string, string>): Promise<void> {
  const config = parseConfig(
    { ...h.baseInputs, ...inputs },
    { apiUrl: h.github.url, serverUrl: h.github.url }
  )
  const clients = [0, 1].map(() => createClients(config, silentLogger, fastClients))
  try {
    await Promise.all(
      clients.map((c) =>
        runSync(config, { sentry: c.sentry, github: c.github, state: h.state, log: silentLogger })
      )
    )
  } finally {
    await Promise.all(clients.map((c) => c.close()))
  }
}

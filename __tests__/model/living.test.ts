import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createClients } from '../../src/clients.js'
import { parseConfig } from '../../src/inputs/config.js'
import { silentLogger } from '../../src/log.js'
import { findMarker, parseMarker } from '../../src/plan/marker.js'
import { findStatsBlock } from '../../src/render/stats-block.js'
import { runSync } from '../../src/sync.js'
import type { FakeIssue as GitHubIssue } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { startForwarder, type Forwarder } from '../helpers/forwarder.js'
import { errorLines, fastClients, startHarness, type Harness } from '../helpers/harness.js'

/**
 * A model-based test of a team living with the action: people edit, relabel, close, reopen,
 * transfer and delete issues; Sentry gets events, resolves, regresses, ignores, escalates, merges,
 * deletes and renames its organisation; runs happen in between, sometimes two at once, sometimes
 * killed by a broken connection, reaching Sentry by one of three URLs (another port, a name for
 * its IP). A second Sentry installation, set up the same way (the same organisation slug, the
 * same issue ids), syncs into the same repository between them: neither touches the other's
 * issues. After every run the rules the README promises are checked
 * against a model of who did what last.
 */

/** Fixed, so every run of the suite walks the same lives; MODEL_SEED / MODEL_RUNS explore others. */
const SEED = Number(process.env.MODEL_SEED ?? 20261130)
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 30)
const TRACKING = 'sentry'
const LEVELS = ['p1', 'p2', 'p3'] as const
/** One configuration for the whole test: defaults, close-on-ignore and a priority rule. */
const CONFIG = {
  'close-on-ignore': 'true',
  'priority-labels': 'p1 if events >= 40\np2 if events >= 10\np3'
}

function levelFor(events: number): string {
  return events >= 40 ? 'p1' : events >= 10 ? 'p2' : 'p3'
}

// ---------------------------------------------------------------------------------------------
// Commands

type PersonKind =
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

type Command =
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

const pick = fc.nat(50)
const commandArb: fc.Arbitrary<Command> = fc.oneof(
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

interface PersonAct {
  kind: 'reopen' | 'completed' | 'not_planned' | 'duplicate'
  at: number
  /** The block recorded another Sentry status than Sentry had when the person acted. */
  unseen?: boolean
  /** A reopen: why the issue had been closed. */
  from?: string | null
}

interface Model {
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

function newModel(): Model {
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
const otherWorlds = new WeakMap<Harness, Set<number>>()

/** This world's issues in the repository (the other installation's left out). */
function inRepo(h: Harness): GitHubIssue[] {
  const other = otherWorlds.get(h)
  return h.github.issues.filter(
    (i) => !i.deleted && !i.transferred && !i.pull_request && !other?.has(i.number)
  )
}

/** The issue numbers of writes among `requests` (`…/issues/{n}` and below). */
function writtenNumbers(requests: ReadonlyArray<{ method: string; path: string }>): number[] {
  return requests
    .filter((r) => r.method !== 'GET')
    .map((r) => Number(/\/issues\/(\d+)(?:\/|$)/.exec(r.path)?.[1]))
    .filter((n) => Number.isInteger(n))
}

function sentryIds(h: Harness): string[] {
  return h.sentry.issues.map((i) => String(i['id']))
}

function sentryIssue(h: Harness, id: string): Record<string, unknown> | undefined {
  return h.sentry.issues.find((i) => String(i['id']) === id)
}

function nth<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length]
}

/** The body with its block replaced by a placeholder and every marker line left out. */
function outside(body: string | null): string {
  let b = body ?? ''
  const block = findStatsBlock(b)
  if (block) b = `${b.slice(0, block.start)}<<block>>${b.slice(block.end)}`
  return b
    .split('\n')
    .filter((l) => !l.startsWith('<!-- sentry-issue'))
    .join('\n')
}

/** The Sentry issue a GitHub issue's counts come from (a merged-away issue: its survivor). */
function tracked(model: Model, id: string): string {
  let at = id
  for (let i = 0; i < 10 && model.mergedInto.has(at); i++) at = model.mergedInto.get(at) ?? at
  return at
}

function changedSince(model: Model, sentryId: string, at: number): boolean {
  for (const [merged, into] of model.mergedInto) {
    if (into === sentryId && (model.sentryChangedAt.get(merged) ?? 0) > at) return true
  }
  return (model.sentryChangedAt.get(sentryId) ?? 0) > at
}

interface Snapshot {
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

function deletionNotes(issue: GitHubIssue): number {
  return issue.comments.filter((c) => c.body.startsWith('Sentry no longer has this issue')).length
}

function snapshot(h: Harness, model: Model): Snapshot {
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
async function concurrentPair(h: Harness, inputs: Record<string, string>): Promise<void> {
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

function check(
  h: Harness,
  model: Model,
  before: Snapshot,
  kind: 'run' | 'concurrent' | 'killed'
): string[] {
  const problems: string[] = []
  const requests = h.github.requests.slice(before.requests)
  const writes = requests.filter((r) => r.method !== 'GET')

  // Another installation's issues are never written.
  const other = otherWorlds.get(h)
  for (const n of writtenNumbers(writes)) {
    if (other?.has(n)) problems.push(`#${n} of the other installation was written`)
  }

  // Labels only through add/remove.
  for (const r of writes) {
    if (r.method === 'PUT' && /\/labels$/.test(r.path))
      problems.push(`PUT ${r.path} replaced labels`)
    if (r.method === 'PATCH' && typeof r.body === 'object' && r.body !== null && 'labels' in r.body)
      problems.push(`PATCH ${r.path} sent labels`)
  }

  // Owners of new and rewritten markers.
  for (const issue of inRepo(h)) {
    const marker = parseMarker(issue.body)
    if (marker) model.owner.set(issue.number, marker.issueId)
  }

  // 2. A Sentry issue that had a GitHub issue gets no second one.
  const created = h.github.issues.filter((i) => i.number > before.maxNumber && !i.pull_request)
  const newFor = new Map<string, number[]>()
  for (const issue of created) {
    const id = model.owner.get(issue.number)
    if (id === undefined) {
      problems.push(`#${issue.number} was created without a marker`)
      continue
    }
    newFor.set(id, [...(newFor.get(id) ?? []), issue.number])
    if (model.hadIssue.has(id)) {
      problems.push(`#${issue.number} is a second issue for Sentry ${id}`)
    }
  }
  for (const [id, numbers] of newFor) {
    if (numbers.length > 1 && kind !== 'concurrent') {
      problems.push(`one run created ${numbers.join(', ')} for Sentry ${id}`)
    }
  }

  // 3. Nothing undoes a person's last action.
  const labelWrites = new Map<number, string[]>()
  for (const r of writes) {
    const m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels(?:\/(.+))?$/.exec(r.path)
    if (!m?.[1]) continue
    const n = Number(m[1])
    const names =
      r.method === 'DELETE'
        ? [decodeURIComponent(m[2] ?? '')]
        : ((r.body as { labels?: string[] } | undefined)?.labels ?? [])
    if (names.some((l) => (LEVELS as readonly string[]).includes(l)))
      labelWrites.set(n, [...(labelWrites.get(n) ?? []), `${r.method} ${names.join(',')}`])
  }
  for (const [n, was] of before.issues) {
    const now = h.github.issues.find((i) => i.number === n)
    if (!now || now.deleted || now.transferred) continue
    const id = model.owner.get(n)
    const act = model.person.get(n)
    if (outside(now.body) !== outside(was.body)) {
      problems.push(
        `#${n}: text outside the block and marker changed:\n${JSON.stringify(was.body)}\n→ ${JSON.stringify(now.body)}`
      )
    }
    if (
      was.state === 'open' &&
      now.state === 'closed' &&
      act?.kind === 'reopen' &&
      id !== undefined
    ) {
      if (!changedSince(model, tracked(model, id), act.at) && !changedSince(model, id, act.at)) {
        problems.push(
          `#${n}: closed (${now.state_reason}) after a person reopened it; Sentry did not change since`
        )
      }
    }
    if (was.state === 'closed' && now.state === 'open' && act && act.kind !== 'reopen') {
      if (
        act.kind !== 'completed' ||
        id === undefined ||
        !changedSince(model, tracked(model, id), act.at)
      )
        problems.push(`#${n}: reopened after a person closed it as ${act.kind}`)
    }
    const healed =
      now.state_reason === 'duplicate' &&
      inRepo(h).some(
        (i) => i.number !== n && i.state === 'open' && model.owner.get(i.number) === id
      )
    if (
      id !== undefined &&
      model.deletedInSentry.has(id) &&
      was.state === 'open' &&
      now.state === 'closed' &&
      !healed
    )
      problems.push(`#${n}: closed after its Sentry issue was deleted`)
    const labelled = labelWrites.get(n)
    if (labelled && id !== undefined) {
      const counts = before.counts.get(tracked(model, id))
      const desired = counts === undefined ? undefined : levelFor(counts)
      if (model.relabelled.has(n) && desired !== undefined && desired === model.applied.get(n)) {
        problems.push(
          `#${n}: priority label changed (${labelled.join('; ')}) though the rule stayed at ${desired}, which a person had changed`
        )
      }
      model.relabelled.delete(n)
      if (desired !== undefined) model.applied.set(n, desired)
    }
  }
  // A Sentry deletion is said once (two runs at once can both say it: there is no lock).
  for (const issue of h.github.issues) {
    const had = before.deletionNotes.get(issue.number) ?? 0
    const added = deletionNotes(issue) - had
    if (added > 0 && (had > 0 || added > (kind === 'concurrent' ? 2 : 1))) {
      problems.push(`#${issue.number}: ${had + added} deletion comments`)
    }
  }

  // 1. At most one open issue per unresolved Sentry issue, people's reopens aside (duplicates
  // two runs at once filed are healed by the next run that gets through).
  if (kind !== 'concurrent' && !(kind === 'killed' && model.unhealed)) {
    const open = new Map<string, number[]>()
    for (const issue of inRepo(h)) {
      if (issue.state !== 'open' || model.person.get(issue.number)?.kind === 'reopen') continue
      const id = model.owner.get(issue.number)
      if (id === undefined || sentryIssue(h, id)?.['status'] !== 'unresolved') continue
      open.set(id, [...(open.get(id) ?? []), issue.number])
    }
    for (const [id, numbers] of open) {
      if (numbers.length < 2) continue
      problems.push(`Sentry ${id} has open issues ${numbers.join(', ')}`)
    }
  }

  // Remember what the action applied, and who has an issue.
  for (const issue of created) {
    model.applied.set(
      issue.number,
      issue.labels.find((l) => (LEVELS as readonly string[]).includes(l)) ?? null
    )
  }
  for (const [n, id] of model.owner) {
    if (h.github.issues.some((i) => i.number === n)) model.hadIssue.add(id)
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Person actions

function personAct(h: Harness, model: Model, c: Extract<Command, { t: 'person' }>): boolean {
  const issues = inRepo(h)
  const open = issues.filter((i) => i.state === 'open')
  const closed = issues.filter((i) => i.state === 'closed')
  const g = h.github
  const at = model.seq
  switch (c.kind) {
    case 'editAbove':
    case 'editBelow': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      const note = `Triage note ${at}: looked at it.`
      g.personEdit(
        issue.number,
        c.kind === 'editAbove' ? `${note}\n\n${issue.body ?? ''}` : `${issue.body ?? ''}\n${note}\n`
      )
      return true
    }
    case 'moveMarker':
    case 'deleteMarker': {
      const issue = nth(
        issues.filter((i) => findMarker(i.body)),
        c.pick
      )
      const found = issue && findMarker(issue.body)
      if (!issue || !found) return false
      const body = issue.body ?? ''
      const without = body.slice(0, found.start) + body.slice(Math.min(body.length, found.end + 1))
      if (c.kind === 'deleteMarker') g.personEdit(issue.number, without)
      else {
        const lines = without.split('\n')
        lines.splice(Math.min(3, lines.length), 0, found.line)
        g.personEdit(issue.number, lines.join('\n'))
      }
      return true
    }
    case 'deleteBlock': {
      const issue = nth(
        issues.filter((i) => findStatsBlock(i.body)),
        c.pick
      )
      const block = issue && findStatsBlock(issue.body)
      if (!issue || !block) return false
      const body = issue.body ?? ''
      g.personEdit(
        issue.number,
        body.slice(0, block.start) + body.slice(Math.min(body.length, block.end + 1))
      )
      return true
    }
    case 'relabel': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      const rest = issue.labels.filter((l) => !(LEVELS as readonly string[]).includes(l))
      const level = LEVELS[c.level]
      g.personSetLabels(issue.number, level ? [...rest, level] : rest)
      model.relabelled.add(issue.number)
      return true
    }
    case 'reopen': {
      const issue = nth(closed, c.pick)
      if (!issue) return false
      const id = model.owner.get(issue.number)
      const recorded = findStatsBlock(issue.body)?.memory.status
      const status = id === undefined ? undefined : sentryIssue(h, tracked(model, id))?.['status']
      const from = issue.state_reason ?? null
      g.personReopen(issue.number)
      model.person.set(issue.number, {
        kind: 'reopen',
        at,
        unseen: recorded !== undefined && status !== undefined && recorded !== status,
        from
      })
      return true
    }
    case 'closeCompleted':
    case 'closeNotPlanned':
    case 'closeDuplicate': {
      const issue = nth(open, c.pick)
      if (!issue) return false
      if (c.kind === 'closeDuplicate') {
        const other = nth(
          issues.filter((i) => i.number !== issue.number),
          c.other
        )
        if (!other) return false
        g.personClose(issue.number, 'duplicate', other.number)
        model.person.set(issue.number, { kind: 'duplicate', at })
      } else {
        const reason = c.kind === 'closeCompleted' ? 'completed' : 'not_planned'
        g.personClose(issue.number, reason)
        model.person.set(issue.number, { kind: reason, at })
      }
      return true
    }
    case 'transfer':
    case 'delete':
    case 'lock':
    case 'unlabel': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      if (c.kind === 'transfer') g.transfer(issue.number)
      else if (c.kind === 'delete') g.deleteIssue(issue.number)
      else if (c.kind === 'lock') g.lock(issue.number)
      else
        g.personSetLabels(
          issue.number,
          issue.labels.filter((l) => l !== TRACKING)
        )
      return true
    }
  }
}

/**
 * A person's act that the next run must answer with no write at all: nothing is written only to
 * remember what a person did (edits, a moved marker, a label, a lock), and a reopen of an issue
 * closed as completed or not planned, whose block shows Sentry as it is, is read from GitHub's
 * state and the block.
 */
function quiet(
  h: Harness,
  model: Model,
  c: Extract<Command, { t: 'person' }>,
  before: Snapshot
): boolean {
  if (['editAbove', 'editBelow', 'moveMarker', 'relabel', 'lock'].includes(c.kind)) return true
  if (c.kind !== 'reopen') return false
  const reopened = inRepo(h).find(
    (i) => before.issues.get(i.number)?.state === 'closed' && i.state === 'open'
  )
  const act = reopened && model.person.get(reopened.number)
  return (
    reopened !== undefined &&
    act?.kind === 'reopen' &&
    !act.unseen &&
    (act.from === 'completed' || act.from === 'not_planned') &&
    findStatsBlock(reopened.body) !== undefined
  )
}

// ---------------------------------------------------------------------------------------------
// Sentry changes

function sentryAct(h: Harness, model: Model, c: Command, clock: { ms: number }): boolean {
  const s = h.sentry
  const ids = sentryIds(h)
  const bump = (id: string): void => void model.sentryChangedAt.set(id, model.seq)
  switch (c.t) {
    case 'newIssue': {
      const issue = s.addIssue({ count: c.events, userCount: 1 })
      bump(String(issue['id']))
      return true
    }
    case 'events': {
      const id = nth(ids, c.pick)
      if (!id) return false
      s.addEvents(id, c.n, { users: 1 })
      // Events on a resolved issue are a regression in Sentry.
      if (sentryIssue(h, id)?.['status'] === 'resolved') {
        s.setStatus(id, 'unresolved', 'regressed')
        bump(id)
      }
      return true
    }
    case 'slide':
      clock.ms += c.hours * 3600_000
      return true
    case 'resolve':
    case 'regress':
    case 'ignore':
    case 'escalate': {
      const want = {
        resolve: 'unresolved',
        regress: 'resolved',
        ignore: 'unresolved',
        escalate: 'ignored'
      }[c.t]
      const id = nth(
        ids.filter((i) => sentryIssue(h, i)?.['status'] === want),
        c.pick
      )
      if (!id) return false
      if (c.t === 'resolve') s.setStatus(id, 'resolved')
      else if (c.t === 'regress') {
        s.addEvents(id, 1)
        s.setStatus(id, 'unresolved', 'regressed')
      } else if (c.t === 'ignore') s.setStatus(id, 'ignored', 'archived_until_escalating')
      else {
        s.addEvents(id, 5)
        s.setStatus(id, 'unresolved', 'escalating')
      }
      bump(id)
      return true
    }
    case 'sdelete': {
      const id = nth(ids, c.pick)
      if (!id) return false
      s.deleteIssue(id)
      model.deletedInSentry.add(id)
      bump(id)
      return true
    }
    case 'merge': {
      const survivor = nth(ids, c.pick)
      const merged = nth(
        ids.filter((i) => i !== survivor),
        c.other
      )
      if (!survivor || !merged) return false
      s.mergeIssues(survivor, [merged])
      model.mergedInto.set(merged, survivor)
      bump(survivor)
      bump(merged)
      return true
    }
    case 'rename': {
      model.renames += 1
      model.org = `acme-${model.renames}`
      s.renameOrg(model.org)
      return true
    }
    default:
      return false
  }
}

// ---------------------------------------------------------------------------------------------
// One life

const FAULTS = [
  'GitHub PATCH connections reset',
  'GitHub create stored, response lost',
  'Sentry issue list connections reset',
  'GitHub label listing answers 500'
] as const

function injectFault(h: Harness, fault: number): void {
  switch (fault % FAULTS.length) {
    case 0:
      h.github.injectFault({ kind: 'reset', method: 'PATCH', times: 10 })
      break
    case 1:
      h.github.injectFault({
        kind: 'store-then-fail',
        status: 502,
        method: 'POST',
        pathIncludes: '/issues',
        times: 1
      })
      break
    case 2:
      h.sentry.injectFault({ kind: 'reset', pathIncludes: '/issues/?', times: 10 })
      break
    default:
      h.github.injectFault({
        kind: 'status',
        status: 500,
        method: 'GET',
        pathIncludes: 'labels=',
        times: 10
      })
  }
}

function clearFaults(h: Harness): void {
  h.sentry.clearFaults()
  h.github.clearFaults()
}

/** The other installation: set up as this one is, its runs filing into the same repository. */
interface OtherWorld {
  sentry: FakeSentry
  issues: Set<number>
}

async function otherWorldRun(
  h: Harness,
  world: OtherWorld,
  c: Extract<Command, { t: 'otherWorld' }>
): Promise<string[]> {
  const s = world.sentry
  const ids = s.issues.map((i) => String(i['id']))
  const id = nth(ids, c.pick)
  if (c.change === 1) s.addIssue({ count: 5, userCount: 1 })
  else if (c.change === 2 && id) s.addEvents(id, 30, { users: 2 })
  else if (c.change === 3 && id) s.setStatus(id, 'resolved')
  const before = h.github.requests.length
  const maxBefore = h.github.issues.reduce((m, i) => Math.max(m, i.number), 0)
  const result = await h.run({
    ...CONFIG,
    'sentry-url': s.url,
    'sentry-token': s.token,
    'sentry-org': s.org
  })
  const problems: string[] = []
  if (result.failed) problems.push(`the other installation's run failed`)
  for (const issue of h.github.issues) if (issue.number > maxBefore) world.issues.add(issue.number)
  for (const n of writtenNumbers(h.github.requests.slice(before))) {
    if (!world.issues.has(n)) problems.push(`the other installation's run wrote to #${n}`)
  }
  const perId = new Map<string, number>()
  for (const issue of h.github.issues) {
    if (!world.issues.has(issue.number) || issue.deleted) continue
    const marker = parseMarker(issue.body)?.issueId
    if (marker) perId.set(marker, (perId.get(marker) ?? 0) + 1)
  }
  for (const [sentryId, n] of perId) {
    if (n > 1) problems.push(`the other installation filed ${n} issues for its ${sentryId}`)
  }
  return problems
}

async function live(commands: Command[]): Promise<void> {
  // Sentry's own URL is neither of the ones runs use, so its permalinks do not tie them together.
  const h = await startHarness({ sentry: { urlPrefix: 'http://sentry.acme.example' } })
  const world: OtherWorld = {
    sentry: await FakeSentry.start({
      orgCreated: '2026-06-01T00:00:00.000000Z',
      urlPrefix: 'http://sentry.other.example'
    }),
    issues: new Set()
  }
  otherWorlds.set(h, world.issues)
  const forwarders: Forwarder[] = [
    await startForwarder(h.sentry.url),
    await startForwarder(h.sentry.url, 'localhost')
  ]
  const urls = [h.sentry.url, ...forwarders.map((f) => f.url)]
  let url = 0
  const model = newModel()
  const clock = { ms: Date.parse('2026-11-30T12:00:00.000Z') }
  h.sentry.now = () => new Date(clock.ms)
  world.sentry.now = () => new Date(clock.ms)
  const log: string[] = []
  try {
    for (const seedEvents of [3, 25]) {
      h.sentry.addIssue({ count: seedEvents, userCount: 1 })
      world.sentry.addIssue({ count: seedEvents, userCount: 1 })
    }
    for (const c of commands) {
      model.seq += 1
      const inputs = { ...CONFIG, 'sentry-org': model.org, 'sentry-url': urls[url] ?? h.sentry.url }
      if (c.t === 'alias') {
        // Another URL for the same Sentry changes nothing the action shows.
        url = c.url % urls.length
        log.push(`alias: ${urls[url]}`)
        continue
      }
      if (c.t === 'otherWorld') {
        const problems = await otherWorldRun(h, world, c)
        log.push(`other installation (change ${c.change})`)
        if (problems.length > 0)
          throw new Error(`${problems.join('\n')}\n--- runs so far:\n${log.join('\n')}`)
        continue
      }
      if (c.t === 'run' || c.t === 'killed') {
        const before = snapshot(h, model)
        model.lostResponse = c.t === 'killed' && c.fault % FAULTS.length === 1
        if (c.t === 'killed') injectFault(h, c.fault)
        const result = await h.run(inputs)
        if (c.t === 'killed') clearFaults(h)
        log.push(
          `${c.t}${c.t === 'killed' ? ` (${FAULTS[c.fault % FAULTS.length]})` : ''}: failed=${result.failed} ${JSON.stringify(result.outputs)}`
        )
        const problems = check(h, model, before, c.t)
        // 5. Every failure is reported.
        if (result.failed && errorLines(result.stdout).length === 0)
          problems.push('the run failed without an error line')
        if (Number(result.outputs.failed ?? '0') > 0 && !result.failed)
          problems.push(`outputs say ${result.outputs.failed} failed, but the run succeeded`)
        if (c.t === 'run' && result.failed) {
          problems.push(`a run without faults failed: ${errorLines(result.stdout).join(' ')}`)
        }
        // 4. A run right after a run with no change in between writes nothing.
        const writes = h.github.requests.slice(before.requests).filter((r) => r.method !== 'GET')
        if (c.t === 'run' && model.steady && writes.length > 0)
          problems.push(
            `a steady run wrote: ${writes.map((w) => `${w.method} ${w.path}`).join(', ')}`
          )
        if (problems.length > 0) {
          throw new Error(`${problems.join('\n')}\n--- runs so far:\n${log.join('\n')}`)
        }
        model.steady = c.t === 'run' && !result.failed
        if (c.t === 'killed' && c.fault % FAULTS.length < 2) model.writeFailed = true
        else if (!result.failed) model.writeFailed = false
        if (!result.failed) model.unhealed = false
      } else if (c.t === 'concurrent') {
        const before = snapshot(h, model)
        await concurrentPair(h, inputs)
        log.push('concurrent pair')
        const problems = check(h, model, before, 'concurrent')
        if (problems.length > 0)
          throw new Error(`${problems.join('\n')}\n--- runs so far:\n${log.join('\n')}`)
        model.steady = false
        model.unhealed = true
      } else if (c.t === 'person') {
        const before = snapshot(h, model)
        if (personAct(h, model, c)) model.steady = model.steady && quiet(h, model, c, before)
      } else if (sentryAct(h, model, c, clock)) {
        // A window slide changes nothing the action shows.
        if (c.t !== 'slide') model.steady = false
      }
    }
  } finally {
    for (const f of forwarders) await f.close()
    await world.sentry.close()
    await h.close()
  }
}

describe('a team living with the action (model-based)', () => {
  it('keeps its promises through people, Sentry changes, concurrent and killed runs', async () => {
    await fc.assert(fc.asyncProperty(fc.array(commandArb, { minLength: 8, maxLength: 30 }), live), {
      seed: SEED,
      numRuns: NUM_RUNS
    })
  }, 300_000)
})

/**
 * The shortest sequences the model found that once broke a rule, each kept as a plain test so the
 * fix stays fixed.
 */
describe('sequences the model found', () => {
  async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
    const h = await startHarness()
    h.sentry.now = () => new Date('2026-11-30T12:00:00.000Z')
    try {
      await fn(h)
    } finally {
      await h.close()
    }
  }

  it('a merged-away issue a person reopened stays open until Sentry changes', () =>
    withHarness(async (h) => {
      const survivor = String(h.sentry.addIssue({ count: 3 })['id'])
      const merged = String(h.sentry.addIssue({ count: 25 })['id'])
      await h.run(CONFIG)
      h.sentry.mergeIssues(survivor, [merged])
      await h.run(CONFIG)
      const duplicate = inRepo(h).find((i) => parseMarker(i.body)?.issueId === merged)
      expect(duplicate?.state_reason).toBe('duplicate')
      h.github.personReopen(duplicate!.number)
      await h.run(CONFIG)
      expect(duplicate!.state).toBe('open')
    }))

  it('a person’s reopen stays when events came between the action’s close and the reopen', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      h.sentry.setStatus(id, 'ignored', 'archived_until_escalating')
      await h.run(CONFIG)
      const [issue] = inRepo(h)
      expect(issue?.state_reason).toBe('not_planned')
      h.sentry.addEvents(id, 1)
      h.github.personReopen(issue!.number)
      await h.run(CONFIG)
      const before = h.github.writeCount()
      await h.run(CONFIG)
      expect(issue!.state).toBe('open')
      expect(h.github.writeCount()).toBe(before)
    }))

  it('a person’s reopen of the action’s close, with Sentry unchanged, costs the next run no write', () =>
    live([
      { t: 'run' },
      { t: 'resolve', pick: 0 },
      { t: 'run' },
      { t: 'run' },
      { t: 'person', kind: 'reopen', pick: 0, other: 0, level: 0 },
      { t: 'run' },
      { t: 'run' }
    ]))

  it('a person’s reopen stays when Sentry resolved it while the person had it closed', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      const [issue] = inRepo(h)
      h.github.personClose(issue!.number, 'not_planned')
      h.sentry.setStatus(id, 'resolved')
      await h.run(CONFIG)
      h.github.personReopen(issue!.number)
      await h.run(CONFIG)
      expect(issue!.state).toBe('open')
    }))

  /** A person deletes an issue's stats block (the action's memory of it). */
  function deleteBlock(h: Harness, number: number): void {
    const body = inRepo(h).find((i) => i.number === number)?.body ?? ''
    const block = findStatsBlock(body)
    expect(block).toBeDefined()
    h.github.personEdit(number, body.slice(0, block!.start) + body.slice(block!.end + 1))
  }

  it('a person’s priority label stays after the person deleted the block', () =>
    withHarness(async (h) => {
      h.sentry.addIssue({ count: 15 })
      await h.run(CONFIG)
      const [issue] = inRepo(h)
      expect(issue?.labels).toContain('p2')
      h.github.personSetLabels(issue!.number, [TRACKING, 'bug', 'p1'])
      deleteBlock(h, issue!.number)
      await h.run(CONFIG)
      expect(issue!.labels).toContain('p1')
    }))

  it('a person’s reopen stays after the person deleted the block', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      const [issue] = inRepo(h)
      deleteBlock(h, issue!.number)
      h.sentry.setStatus(id, 'resolved')
      await h.run(CONFIG)
      expect(issue!.state).toBe('closed')
      h.github.personReopen(issue!.number)
      await h.run(CONFIG)
      expect(issue!.state).toBe('open')
    }))

  it('an organisation rename keeps a transferred issue from being recreated', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      const [issue] = inRepo(h)
      h.github.transfer(issue!.number)
      h.sentry.renameOrg('acme-1')
      await h.run({ ...CONFIG, 'sentry-org': 'acme-1' })
      expect(inRepo(h).filter((i) => parseMarker(i.body)?.issueId === id)).toHaveLength(0)
    }))

  it('a duplicate from two runs at once is healed even if a person unlabelled it', () =>
    withHarness(async (h) => {
      h.sentry.addIssue({ count: 3 })
      await concurrentPair(h, CONFIG)
      const issues = inRepo(h)
      expect(issues).toHaveLength(2)
      h.github.personSetLabels(issues[0]!.number, ['bug'])
      await h.run(CONFIG)
      expect(inRepo(h).filter((i) => i.state === 'open')).toHaveLength(1)
    }))

  it('a Sentry deletion is said once even when the comment’s response is lost', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      h.sentry.deleteIssue(id)
      h.github.injectFault({
        kind: 'store-then-fail',
        status: 502,
        method: 'POST',
        pathIncludes: '/comments'
      })
      await h.run(CONFIG)
      await h.run(CONFIG)
      expect(deletionNotes(inRepo(h)[0]!)).toBe(1)
    }))

  it('a Sentry deletion is said once even when the block write after it fails', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      h.sentry.deleteIssue(id)
      h.github.injectFault({ kind: 'reset', method: 'PATCH', times: 10 })
      await h.run(CONFIG)
      clearFaults(h)
      await h.run(CONFIG)
      expect(deletionNotes(inRepo(h)[0]!)).toBe(1)
    }))

  it('a Sentry deletion of a locked issue does not fail every run', () =>
    withHarness(async (h) => {
      const id = String(h.sentry.addIssue({ count: 3 })['id'])
      await h.run(CONFIG)
      h.github.lock(inRepo(h)[0]!.number)
      h.sentry.deleteIssue(id)
      const first = await h.run(CONFIG)
      const second = await h.run(CONFIG)
      expect([first.failed, second.failed]).toEqual([false, false])
    }))
})

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createClients } from '../../src/clients.js'
import type { FakeIssue } from '../../src/fakes/fake-github.js'
import { parseConfig } from '../../src/inputs/config.js'
import { silentLogger } from '../../src/log.js'
import { parseMarker } from '../../src/plan/marker.js'
import { readSection, tickedIn } from '../../src/render/dashboard.js'
import { emptyState } from '../../src/state/store.js'
import { runSync } from '../../src/sync.js'
import { fastClients, startHarness, type Harness } from '../helpers/harness.js'

/**
 * A model-based test of people living with the triage dashboard: they tick and untick lines, write
 * notes around the action's section, close, reopen, unlabel and delete the dashboard; Sentry gets
 * new issues and events and resolves some; runs happen in between, sometimes two at once. After
 * every run the dashboard's promises are checked against what people did last.
 */

const SEED = Number(process.env.MODEL_SEED ?? 20261208)
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 12)
const MIN_EVENTS = 20
const MAX_NEW = 2
const MARKER = /^<!-- sentry-dashboard: ([0-9a-f]{16}) -->$/m

type Command =
  | { t: 'run' }
  | { t: 'concurrent' }
  | { t: 'newIssue'; events: number }
  | { t: 'events'; pick: number; n: number }
  | { t: 'resolve'; pick: number }
  | { t: 'tick' | 'untick'; pick: number }
  | { t: 'notes' | 'close' | 'reopen' | 'delete' | 'unlabel' | 'deleteMarker' }
  /** The cached state is lost (a new cache key, a wiped state file). */
  | { t: 'loseState' }

const pick = fc.nat(40)
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Command>({ t: 'run' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ t: 'concurrent' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('newIssue' as const),
      events: fc.integer({ min: 1, max: 60 })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('events' as const),
      pick,
      n: fc.integer({ min: 1, max: 30 })
    })
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('resolve' as const), pick }) },
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constantFrom('tick' as const, 'untick' as const), pick })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constantFrom(
        'notes' as const,
        'close' as const,
        'reopen' as const,
        'delete' as const,
        'unlabel' as const,
        'deleteMarker' as const
      )
    })
  },
  { weight: 1, arbitrary: fc.constant<Command>({ t: 'loseState' }) }
)

interface Model {
  /** The dashboard as a person left it: closed by them, deleted by them. */
  closed: boolean
  deleted: boolean
  /** Notes people wrote around the section (kept while the dashboard lives). */
  notes: string[]
  /** Nothing changed since a run that wrote nothing. */
  quiet: boolean
  /** The dashboard's number and id once a run made it (a person may delete its marker line). */
  number?: number
  id?: string
  /** A person deleted its marker line, and no run has put it back yet. */
  unmarked: boolean
}

function dashboards(h: Harness): FakeIssue[] {
  return h.github.issues.filter((i) => !i.deleted && MARKER.test(i.body ?? ''))
}

/** The dashboard by its marker: the open one, else the one not closed as a duplicate. */
function byMarker(h: Harness): FakeIssue | undefined {
  const all = dashboards(h)
  // Only duplicates left (the kept one lost its marker and the state forgot it): the action leaves
  // them closed rather than guess whether a person closed one.
  return (
    all.find((d) => d.state === 'open') ?? all.find((d) => d.state_reason !== 'duplicate') ?? all[0]
  )
}

/** The dashboard people see: the one the model knows (its marker may be gone), else by marker. */
function current(h: Harness, model: Model): FakeIssue | undefined {
  const known = h.github.issues.find((i) => i.number === model.number && !i.deleted)
  return known ?? byMarker(h)
}

/** After a run: the dashboard it left, as the model knows it. */
function settle(h: Harness, model: Model): void {
  const found = byMarker(h)
  const known = h.github.issues.find((i) => i.number === model.number && !i.deleted)
  // The known one stays, unless a run made another (open) one: it lost its marker and the state.
  if (!found || (known && found.state !== 'open')) return
  model.number = found.number
  model.id = MARKER.exec(found.body ?? '')![1]!
  model.unmarked = false
}

/** Sentry ids with a GitHub issue (any state) in the repository. */
function filedIds(h: Harness): Set<string> {
  const ids = new Set<string>()
  for (const issue of h.github.issues) {
    if (issue.deleted || issue.transferred) continue
    const ref = parseMarker(issue.body)
    if (ref) ids.add(ref.issueId)
  }
  return ids
}

function unresolved(h: Harness): Array<{ id: string; count: number }> {
  return h.sentry.issues
    .filter((i) => i['status'] === 'unresolved')
    .map((i) => ({ id: String(i['id']), count: Number(i['count']) }))
}

/**
 * Neither its marker nor the state tells that issue is the dashboard any more: a run makes a new
 * one, and the old one is a person's issue (its notes and ticks with it).
 */
function forget(model: Model): void {
  model.number = undefined
  model.notes = []
  model.closed = false
  model.unmarked = false
}

async function concurrentPair(h: Harness, inputs: Record<string, string>): Promise<void> {
  const config = parseConfig(
    { ...h.baseInputs, ...inputs },
    { apiUrl: h.github.url, serverUrl: h.github.url }
  )
  const clients = [0, 1].map(() => createClients(config, silentLogger, fastClients))
  h.github.latencyMs = 20
  try {
    await Promise.all(
      clients.map((c) =>
        runSync(config, { sentry: c.sentry, github: c.github, state: h.state, log: silentLogger })
      )
    )
  } finally {
    h.github.latencyMs = 0
    await Promise.all(clients.map((c) => c.close()))
  }
}

/** The checks after one sequential run; each broken promise is one line. */
async function runAndCheck(h: Harness, model: Model, inputs: Record<string, string>) {
  const problems: string[] = []
  const autoCreate = inputs['auto-create'] !== 'false'
  const before = current(h, model)
  const beforeBody = before?.body
  const ticked =
    before?.state === 'open' ? tickedIn(before.body, model.id ?? '') : new Set<string>()
  const filedBefore = filedIds(h)
  const counts = new Map(unresolved(h).map((s) => [s.id, s.count]))
  const requestsBefore = h.github.requests.length
  const maxBefore = Math.max(0, ...h.github.issues.map((i) => i.number))

  const result = await h.run(inputs)
  if (result.failed) problems.push(`the run failed:\n${result.stdout.slice(-2000)}`)
  const writes = h.github.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')

  // One dashboard, never two open ones; none while people deleted it.
  const all = dashboards(h)
  if (all.filter((d) => d.state === 'open').length > 1)
    problems.push(`two open dashboards: ${all.map((d) => d.number).join(', ')}`)
  if (model.deleted && all.length > 0) problems.push('a deleted dashboard was recreated')
  if (!model.deleted && !current(h, model)) problems.push('no dashboard')
  settle(h, model)
  const now = current(h, model)

  // A closed dashboard is left alone.
  if (model.closed && before) {
    const now = h.github.issues.find((i) => i.number === before.number)
    if (now?.state !== 'closed') problems.push('a dashboard a person closed was reopened')
    if (now?.body !== beforeBody)
      problems.push(
        `a dashboard a person closed was written: #${before.number} ${JSON.stringify(beforeBody)} → #${now?.number} ${JSON.stringify(now?.body)}`
      )
  }
  // At most one write to it a run; none after a quiet run with nothing changed.
  if (now) {
    const toIt = writes.filter((r) => r.path.endsWith(`/issues/${now.number}`)).length
    if (toIt > 1) problems.push(`${toIt} writes to the dashboard in one run`)
  }
  if (model.quiet && writes.length > 0)
    problems.push(`nothing changed, yet ${writes.map((w) => `${w.method} ${w.path}`).join(', ')}`)

  // People's notes stay.
  if (now && !model.deleted) {
    for (const note of model.notes)
      if (!(now.body ?? '').includes(note)) problems.push(`a person's note was lost: ${note}`)
  }

  // Only what passes the thresholds (with auto-create) or what a person ticked is filed.
  for (const issue of h.github.issues.filter((i) => i.number > maxBefore)) {
    const ref = parseMarker(issue.body)
    if (!ref) continue
    const passes = (counts.get(ref.issueId) ?? 0) >= MIN_EVENTS
    if (!(passes && autoCreate) && !ticked.has(ref.issueId))
      problems.push(`#${issue.number} filed Sentry ${ref.issueId}, neither ticked nor passing`)
  }
  // A tick on a listed, still unresolved issue is filed or stays ticked.
  const filedNow = filedIds(h)
  if (now?.state === 'open') {
    const stillTicked = tickedIn(now.body, model.id ?? '')
    for (const id of ticked) {
      if (!counts.has(id) || filedBefore.has(id)) continue
      if (!filedNow.has(id) && !stillTicked.has(id))
        problems.push(`the tick on Sentry ${id} was neither filed nor kept`)
    }
    // It lists exactly the matching issues with no GitHub issue (most events first).
    const expected = unresolved(h)
      .filter((s) => !filedNow.has(s.id))
      .sort((a, b) => b.count - a.count)
    const listed = [...readSection(now.body, model.id ?? '').keys()]
    if (listed.length !== Math.min(50, expected.length))
      problems.push(`lists ${listed.length}, expected ${expected.length}`)
    const expectedIds = new Set(expected.map((e) => e.id))
    for (const id of listed)
      if (!expectedIds.has(id)) problems.push(`lists Sentry ${id}, which has a GitHub issue`)
  }
  model.quiet = writes.length === 0
  return problems
}

async function apply(
  h: Harness,
  model: Model,
  command: Command,
  inputs: Record<string, string>
): Promise<string[]> {
  const dashboard = current(h, model)
  const ids = unresolved(h).map((s) => s.id)
  if (command.t !== 'run') model.quiet = false
  switch (command.t) {
    case 'run':
      return runAndCheck(h, model, inputs)
    case 'concurrent': {
      await concurrentPair(h, inputs)
      settle(h, model)
      const open = dashboards(h).filter((d) => d.state === 'open')
      return open.length > 1 ? [`two runs at once left ${open.length} open dashboards`] : []
    }
    case 'newIssue':
      h.sentry.addIssue({ title: `Error ${h.sentry.issues.length}`, count: command.events })
      return []
    case 'events': {
      const id = ids[command.pick % Math.max(1, ids.length)]
      if (id) h.sentry.addEvents(id, command.n)
      return []
    }
    case 'resolve': {
      const id = ids[command.pick % Math.max(1, ids.length)]
      if (id) h.sentry.setStatus(id, 'resolved')
      return []
    }
    case 'tick':
    case 'untick': {
      if (!dashboard || dashboard.state !== 'open') return []
      const lines = [...readSection(dashboard.body, model.id ?? '').keys()]
      const id = lines[command.pick % Math.max(1, lines.length)]
      if (!id) return []
      const [from, to] = command.t === 'tick' ? ['- [ ] ', '- [x] '] : ['- [x] ', '- [ ] ']
      const body = (dashboard.body ?? '')
        .split('\n')
        .map((l) =>
          l.startsWith(from) && l.endsWith(`<!-- sentry-dashboard-item: ${id} -->`)
            ? to + l.slice(from.length)
            : l
        )
        .join('\n')
      h.github.personEdit(dashboard.number, body)
      return []
    }
    case 'notes': {
      if (!dashboard) return []
      const note = `Team note ${model.notes.length + 1}`
      model.notes.push(note)
      const body =
        model.notes.length % 2 === 1
          ? `${note}\n\n${dashboard.body}`
          : `${dashboard.body}\n\n${note}`
      h.github.personEdit(dashboard.number, body)
      return []
    }
    case 'close':
      if (dashboard?.state === 'open') {
        h.github.personClose(dashboard.number, 'completed')
        model.closed = true
      }
      return []
    case 'reopen':
      if (dashboard?.state === 'closed') {
        h.github.personReopen(dashboard.number)
        model.closed = false
      }
      return []
    case 'delete':
      // Deleting needs the state to remember it; a dashboard never seen by a run is not known.
      if (dashboard && h.state.current.dashboards?.[model.id ?? '']?.number === dashboard.number) {
        for (const d of [dashboard, ...dashboards(h)])
          if (!d.deleted) h.github.deleteIssue(d.number)
        model.deleted = true
        model.closed = false
        model.notes = []
      }
      return []
    case 'unlabel':
      if (dashboard) h.github.personSetLabels(dashboard.number, [])
      return []
    case 'deleteMarker':
      if (dashboard && MARKER.test(dashboard.body ?? '')) {
        const body = (dashboard.body ?? '').replace(MARKER, '').replace(/^\n/, '')
        h.github.personEdit(dashboard.number, body)
        model.unmarked = true
        if (h.state.current.dashboards?.[model.id ?? ''] === undefined) forget(model)
      }
      return []
    case 'loseState':
      // Nothing remembers a deleted dashboard any more: a run may create a new one.
      await h.state.save(emptyState())
      model.deleted = false
      if (model.unmarked) forget(model)
      return []
  }
}

describe('the dashboard, lived with (model)', () => {
  it('keeps its promises whatever people and Sentry do', async () => {
    const live = async (
      autoCreate: boolean,
      first: Command,
      commands: Command[]
    ): Promise<void> => {
      const h = await startHarness()
      try {
        for (let i = 0; i < 4; i++) h.sentry.addIssue({ title: `Seed ${i}`, count: 5 + i * 15 })
        const inputs = {
          dashboard: 'true',
          'min-events': String(MIN_EVENTS),
          'max-new-issues': String(MAX_NEW),
          'auto-create': String(autoCreate)
        }
        const model: Model = {
          closed: false,
          deleted: false,
          notes: [],
          quiet: false,
          unmarked: false
        }
        const log: string[] = []
        for (const command of [first, ...commands, { t: 'run' } as Command]) {
          log.push(JSON.stringify(command))
          const problems = await apply(h, model, command, inputs)
          if (problems.length > 0)
            throw new Error(`after ${log.join(' → ')}:\n${problems.join('\n')}`)
        }
      } finally {
        await h.close()
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        // The first run alone, or two at once (both may create the dashboard).
        fc.constantFrom<Command>({ t: 'run' }, { t: 'concurrent' }),
        fc.array(commandArb, { minLength: 6, maxLength: 24 }),
        live
      ),
      { seed: SEED, numRuns: NUM_RUNS }
    )
    expect(NUM_RUNS).toBeGreaterThan(0)
  }, 300_000)
})

import fc from 'fast-check'
import { describe, expect, it } from '@jest/globals'
import { parseMarker } from '../../src/plan/marker.js'
import { findStatsBlock } from '../../src/render/stats-block.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { startForwarder, type Forwarder } from '../helpers/forwarder.js'
import { errorLines, startHarness, type Harness } from '../helpers/harness.js'
import {
  SEED,
  NUM_RUNS,
  TRACKING,
  CONFIG,
  Command,
  commandArb,
  newModel,
  otherWorlds,
  inRepo,
  deletionNotes,
  snapshot,
  concurrentPair
} from './living-world.js'
import { check } from './living-rules.js'
import {
  personAct,
  quiet,
  sentryAct,
  FAULTS,
  injectFault,
  clearFaults,
  OtherWorld,
  otherWorldRun
} from './living-acts.js'

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

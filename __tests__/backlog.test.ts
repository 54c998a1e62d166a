import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { OVER_BUDGET } from '../src/sync/backlog.js'
import { startHarness, type Harness } from './helpers/harness.js'

/**
 * A big backlog against GitHub's hourly limit on content-creating requests, made small: the fake
 * GitHub allows 30 an hour and the action is told the same. The run creates the most frequent
 * issues that fit, defers the rest with a reason, says how many remain and how many runs they
 * take, and never meets a secondary-limit answer; the next run within the hour knows the hour is
 * spent.
 */

const CAP = 30
let h: Harness

beforeEach(async () => {
  h = await startHarness({ github: { secondaryLimit: { contentWritesPerHour: CAP } } })
})
afterEach(async () => {
  await h.close()
})

function secondaryLimitAnswers(): number {
  return h.github.requests.filter((r) => r.status === 403 || r.status === 429).length
}

describe('a backlog larger than the hourly content limit', () => {
  it('creates the most frequent that fit, defers the rest, and reports what remains', async () => {
    const seeded = h.sentry.seed(40, { seed: 12, events: false })
    const inputs = { 'max-new-issues': '100', 'priority-labels': 'none' }
    const first = await h.run(inputs, { contentWritesPerHour: CAP })
    expect(first.failed).toBe(false)
    expect(secondaryLimitAnswers()).toBe(0)

    // Two labels (sentry, bug) and 26 issues: 28 writes, the cap less a reserve of 2.
    const writes = h.github.writeCount()
    expect(writes).toBe(CAP - 2)
    expect(h.github.labels.map((l) => l.name).sort()).toEqual(['bug', 'sentry'])
    expect(first.outputs.created).toBe('26')
    expect(h.github.issues).toHaveLength(26)
    expect(first.outputs.skipped).toBe('14')

    // The most frequent ones went first.
    const byFrequency = [...seeded].sort(
      (a, b) =>
        Number(b['count']) - Number(a['count']) || Number(b['userCount']) - Number(a['userCount'])
    )
    const createdIds = new Set(
      h.github.issues.map((i) => /sentry-issue: (?:\S+\/)?acme\/(\d+)/.exec(i.body ?? '')?.[1])
    )
    expect(byFrequency.slice(0, 26).every((i) => createdIds.has(String(i['id'])))).toBe(true)

    expect(first.summary).toContain(OVER_BUDGET)
    expect(first.summary.split(OVER_BUDGET)).toHaveLength(15)
    expect(first.summary).toContain(
      '**14** new issue(s) remain for later runs: about **1** more run(s) at up to 28 per run'
    )
    expect(first.stdout).toContain('Created 25/26 new issues;')

    // The state keeps the times of this run's writes for the next run.
    expect(h.state.current.contentWrites).toHaveLength(writes)

    // Within the same hour, the next run finds the hour spent: it creates nothing and says so.
    h.github.resetRequests()
    const second = await h.run(inputs, { contentWritesPerHour: CAP })
    expect(second.failed).toBe(false)
    expect(second.outputs.created).toBe('0')
    expect(h.github.writeCount()).toBe(0)
    expect(secondaryLimitAnswers()).toBe(0)
    expect(second.summary).toContain('**14** new issue(s) remain for later runs')
    expect(second.stdout).toContain(
      `GitHub allows ${CAP} content-creating requests an hour; ${writes} were made in the last hour, so this run creates 0 of the 14 planned new issues`
    )
  })

  it('max-new-issues deferrals count in the remainder too', async () => {
    h.sentry.seed(12, { seed: 13, events: false })
    const run = await h.run(
      { 'max-new-issues': '5', 'priority-labels': 'none' },
      { contentWritesPerHour: CAP }
    )
    expect(run.outputs.created).toBe('5')
    expect(run.summary).toContain(
      '**7** new issue(s) remain for later runs: about **2** more run(s) at up to 5 per run'
    )
    expect(run.summary).not.toContain(OVER_BUDGET)
    expect(secondaryLimitAnswers()).toBe(0)
  })

  it('a dry run shows the same split without writing', async () => {
    h.sentry.seed(40, { seed: 14, events: false })
    const run = await h.run(
      { 'dry-run': 'true', 'max-new-issues': '100', 'priority-labels': 'none' },
      { contentWritesPerHour: CAP }
    )
    expect(h.github.writeCount()).toBe(0)
    expect(run.outputs.created).toBe('26')
    expect(run.summary).toContain('**14** new issue(s) remain for later runs')
  })
})

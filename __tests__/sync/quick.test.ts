import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { seenBefore } from '../../src/sync/quick.js'
import { parseConfig } from '../../src/inputs/config.js'
import type { SentryIssue } from '../../src/sentry/schemas.js'
import { startHarness, markersInGitHub, type Harness } from '../helpers/harness.js'

/**
 * `mode: quick` through the action against the fakes: one quick pass files what is new since the
 * last run, costs one Sentry request and no GitHub request when nothing is new, and leaves tracked
 * issues and the "last run" time to the full sync.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

const issueLists = (): number =>
  h.sentry.requests.filter((r) => r.path.endsWith('/issues/') && r.method === 'GET').length

describe('mode: quick', () => {
  it('after a full sync: nothing new is one Sentry request and no GitHub request; a new issue is filed once', async () => {
    h.sentry.seed(3, { seed: 91 })
    const full = await h.run()
    expect(full.outputs.created).toBe('3')
    const afterFull = h.state.current
    expect(afterFull.quickSince).toBeDefined()
    expect(afterFull.lastRunAt).toBeDefined()

    h.sentry.requests = []
    h.github.resetRequests()
    const idle = await h.run({ mode: 'quick' })
    expect(idle.failed).toBe(false)
    expect(idle.outputs.created).toBe('0')
    expect(h.sentry.requests).toHaveLength(1)
    expect(h.sentry.requests[0]?.query.get('sort')).toBe('new')
    expect(h.github.requests).toHaveLength(0)

    const fresh = h.sentry.addIssue({ title: 'Error: brand new' })
    const quick = await h.run({ mode: 'quick' })
    expect(quick.outputs.created).toBe('1')
    expect(markersInGitHub(h.github).get(`${h.sentry.org}/${fresh.id}`)).toHaveLength(1)
    // The full sync's time is kept: "closed since the last run" still counts from it.
    expect(h.state.current.lastRunAt).toBe(afterFull.lastRunAt)
    expect(h.state.current.issues[`${h.sentry.org}/${fresh.id}`]).toBeDefined()

    h.github.resetRequests()
    h.sentry.requests = []
    const again = await h.run({ mode: 'quick' })
    expect(again.outputs.created).toBe('0')
    expect(issueLists()).toBe(1)
    expect(h.github.requests).toHaveLength(0)
    expect([...markersInGitHub(h.github).values()].every((n) => n.length === 1)).toBe(true)
    expect(markersInGitHub(h.github).size).toBe(4)
  })

  it('updates and closes nothing: a tracked issue resolved in Sentry waits for the full sync', async () => {
    const [first] = h.sentry.seed(2, { seed: 92 })
    await h.run()
    h.sentry.setStatus(String(first?.id), 'resolved')
    h.github.resetRequests()
    const quick = await h.run({ mode: 'quick' })
    expect(quick.outputs.closed).toBe('0')
    expect(h.github.writeCount()).toBe(0)
    const full = await h.run()
    expect(full.outputs.closed).toBe('1')
  })

  it('without a state (its first run) it files the newest issues, and never one a full sync filed', async () => {
    h.sentry.seed(2, { seed: 93 })
    const quick = await h.run({ mode: 'quick' })
    expect(quick.outputs.created).toBe('2')
    const full = await h.run()
    expect(full.outputs.created).toBe('0')
    expect([...markersInGitHub(h.github).values()].map((numbers) => numbers.length)).toEqual([1, 1])
  })

  it('new issues under min-events are not filed, and cost no GitHub request', async () => {
    h.sentry.seed(1, { seed: 94 })
    await h.run({ 'min-events': '5' })
    h.sentry.addIssue({ title: 'Error: rare', count: '1' })
    h.github.resetRequests()
    const quick = await h.run({ mode: 'quick', 'min-events': '5' })
    expect(quick.outputs.created).toBe('0')
    expect(h.github.requests).toHaveLength(0)
  })

  it('with auto-create: false files nothing on its own, and leaves the dashboard to the full sync', async () => {
    const inputs = { 'auto-create': 'false', dashboard: 'true' }
    h.sentry.seed(1, { seed: 95 })
    await h.run(inputs)
    const dashboard = h.github.issues.find((i) => (i.body ?? '').includes('sentry-dashboard:'))
    expect(dashboard).toBeDefined()
    const listedBefore = dashboard!.body
    expect(markersInGitHub(h.github).size).toBe(0)

    h.sentry.addIssue({ title: 'Error: held for triage', count: '40' })
    h.github.resetRequests()
    const quick = await h.run({ ...inputs, mode: 'quick' })
    expect(quick.failed).toBe(false)
    expect(quick.outputs.created).toBe('0')
    expect(markersInGitHub(h.github).size).toBe(0)
    // A quick pass reads new issues only: it does not rewrite the list from them.
    expect(h.github.requests.filter((r) => r.method !== 'GET')).toHaveLength(0)
    expect(dashboard!.body).toBe(listedBefore)
    // The next full sync lists the new issue.
    await h.run(inputs)
    expect(dashboard!.body).toContain('held for triage')
  })
})

describe('seenBefore', () => {
  const config = parseConfig({
    'sentry-token': 't',
    'sentry-org': 'acme',
    'github-token': 'g',
    repository: 'o/r'
  })
  const issue = (id: string, firstSeen: string | null): SentryIssue =>
    ({ id, firstSeen }) as unknown as SentryIssue

  it('is true for tracked, gone and older-than-the-last-full-read issues, false for the rest', () => {
    const seen = seenBefore(config, {
      version: 1,
      issues: { 'acme/1': 5 },
      gone: { 'acme/2': { number: 6, how: 'deleted' } },
      quickSince: '2026-01-01T00:00:00Z'
    })
    expect(seen(issue('1', '2026-02-01T00:00:00Z'))).toBe(true)
    expect(seen(issue('2', '2026-02-01T00:00:00Z'))).toBe(true)
    expect(seen(issue('3', '2025-12-31T23:59:59Z'))).toBe(true)
    expect(seen(issue('4', '2026-01-01T00:00:01Z'))).toBe(false)
    expect(seen(issue('5', null))).toBe(false)
    expect(seenBefore(config, { version: 1, issues: {} })(issue('3', '2000-01-01T00:00:00Z'))).toBe(
      false
    )
  })
})

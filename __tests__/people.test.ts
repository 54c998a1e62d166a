import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { issueOf, markersInGitHub, startHarness, type Harness } from './helpers/harness.js'
import type { FakeIssue } from '../src/fakes/fake-github.js'
import { parseMarker } from '../src/plan/marker.js'

/**
 * Living among people and a changing Sentry, end to end through both fakes: a person's last
 * action is final, and nothing is filed twice when Sentry merges, renames or slides its window.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

function issueFor(sentryId: unknown): FakeIssue {
  return issueOf(h.github, sentryId)
}

function writes(): Array<{ method: string; path: string; body: unknown }> {
  return h.github.requests.filter((r) => r.method !== 'GET')
}

function plain(summary: string): string {
  return summary.replace(/\\/g, '')
}

describe('identity', () => {
  it('notes above the marker, or the marker moved: the same issue, never a second', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 101 })
    await h.run()
    const ia = issueFor(a!.id)
    const ib = issueFor(b!.id)
    h.github.personEdit(ia.number, `Triage: owned by payments.\n\n${ia.body ?? ''}`)
    const lines = (ib.body ?? '').split('\n')
    h.github.personEdit(ib.number, [...lines.slice(1), '', lines[0]].join('\n'))
    h.github.resetRequests()
    const result = await h.run()
    expect(result.outputs.created).toBe('0')
    expect(writes()).toHaveLength(0)
    expect(markersInGitHub(h.github).size).toBe(2)
  })

  it('a deleted marker line: recognised by the Sentry link, put back on the next write', async () => {
    const [a] = h.sentry.seed(1, { seed: 102 })
    await h.run()
    const ia = issueFor(a!.id)
    const withoutMarker = (ia.body ?? '').split('\n').slice(1).join('\n')
    h.github.personEdit(ia.number, `My notes\n${withoutMarker}`)
    let result = await h.run()
    expect(result.outputs.created).toBe('0')
    h.sentry.addEvents(String(a!.id), Number(a!.count) * 2, { users: 50 })
    result = await h.run()
    expect(result.outputs.updated).toBe('1')
    const body = h.github.issues.find((i) => i.number === ia.number)!.body ?? ''
    expect(parseMarker(body)?.issueId).toBe(String(a!.id))
    expect(body.split('\n')[1]).toBe('My notes')
    expect(h.github.issues).toHaveLength(1)
  })

  it('an organisation renamed: markers match by issue id on the same host, nothing is refiled', async () => {
    const seeded = h.sentry.seed(3, { seed: 103 })
    await h.run()
    h.sentry.renameOrg('acme-renamed')
    const renamed = { 'sentry-org': 'acme-renamed' }
    const result = await h.run(renamed)
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('0')
    // Rewritten to the new org when next written.
    h.sentry.addEvents(String(seeded[0]!.id), Number(seeded[0]!.count) * 2 + 100, { users: 90 })
    await h.run(renamed)
    expect(parseMarker(issueFor(seeded[0]!.id).body)?.org).toBe('acme-renamed')
    expect(parseMarker(issueFor(seeded[1]!.id).body)?.org).toBe('acme')
    expect(h.github.issues).toHaveLength(3)
  })
})

describe('a person’s last action is final', () => {
  it('an issue a person reopened after a close on resolve stays open until Sentry changes again', async () => {
    const [a] = h.sentry.seed(1, { seed: 104 })
    await h.run()
    h.sentry.setStatus(String(a!.id), 'resolved')
    await h.run()
    const ia = issueFor(a!.id)
    expect(ia.state).toBe('closed')
    h.github.personReopen(ia.number)
    const first = await h.run()
    expect(issueFor(a!.id).state).toBe('open')
    expect(plain(first.summary)).toContain('reopened by a person')
    h.github.resetRequests()
    for (let i = 0; i < 3; i++) await h.run()
    expect(issueFor(a!.id).state).toBe('open')
    expect(writes()).toHaveLength(0)
    // Sentry moves: it regresses, then is resolved anew; now the action closes it again.
    h.sentry.setStatus(String(a!.id), 'unresolved', 'regressed')
    h.sentry.addEvents(String(a!.id), 3)
    await h.run()
    expect(issueFor(a!.id).state).toBe('open')
    h.sentry.setStatus(String(a!.id), 'resolved')
    await h.run()
    expect(issueFor(a!.id).state).toBe('closed')
  })

  it('regressed and resolved anew between two runs: closed again', async () => {
    const [a] = h.sentry.seed(1, { seed: 105 })
    await h.run()
    h.sentry.setStatus(String(a!.id), 'resolved')
    await h.run()
    h.github.personReopen(issueFor(a!.id).number)
    await h.run()
    h.sentry.addEvents(String(a!.id), 5)
    await h.run()
    expect(issueFor(a!.id).state).toBe('closed')
  })

  it('the action’s own not-planned close is undone on escalation; a person’s is not', async () => {
    const [mine, theirs] = h.sentry.seed(2, { seed: 106 })
    const inputs = { 'close-on-ignore': 'true' }
    await h.run(inputs)
    h.sentry.setStatus(String(mine!.id), 'ignored', 'archived_until_escalating')
    await h.run(inputs)
    expect(issueFor(mine!.id).state_reason).toBe('not_planned')
    h.github.personClose(issueFor(theirs!.id).number, 'not_planned')
    h.sentry.setStatus(String(theirs!.id), 'ignored', 'archived_until_escalating')
    await h.run(inputs)
    for (const s of [mine, theirs]) {
      h.sentry.setStatus(String(s!.id), 'unresolved', 'escalating')
      h.sentry.addEvents(String(s!.id), 50)
    }
    await h.run(inputs)
    expect(issueFor(mine!.id).state).toBe('open')
    expect(issueFor(theirs!.id).state).toBe('closed')
  })

  it('a priority label a person changed stays until the rule moves to another level', async () => {
    const a = h.sentry.addIssue({ count: 60, userCount: 1 })
    await h.run()
    const ia = issueFor(a['id'])
    expect(ia.labels).toContain('priority: high')
    h.github.personSetLabels(ia.number, [
      ...ia.labels.filter((l) => l !== 'priority: high'),
      'priority: low',
      'team: web'
    ])
    h.sentry.addEvents(String(a['id']), 20)
    h.github.resetRequests()
    await h.run()
    expect(issueFor(a['id']).labels).toEqual(expect.arrayContaining(['priority: low', 'team: web']))
    expect(issueFor(a['id']).labels).not.toContain('priority: high')
    expect(
      writes().some((w) => /\/labels/.test(w.path) || (w.body as { labels?: unknown })?.labels)
    ).toBe(false)
    // The rule moves to critical: the action applies it with the label endpoints only.
    h.sentry.addEvents(String(a['id']), 100)
    h.github.resetRequests()
    await h.run()
    const labels = issueFor(a['id']).labels
    expect(labels).toEqual(expect.arrayContaining(['priority: critical', 'team: web']))
    expect(labels).not.toContain('priority: low')
    expect(
      writes().every(
        (w) =>
          (w.body as { labels?: unknown } | undefined)?.labels === undefined || w.method === 'POST'
      )
    ).toBe(true)
    expect(writes().some((w) => w.method === 'PUT')).toBe(false)
  })

  it('a block a person deleted is not put back, and the summary says so', async () => {
    const [a] = h.sentry.seed(1, { seed: 107 })
    await h.run()
    const ia = issueFor(a!.id)
    const body = ia.body ?? ''
    const start = body.indexOf('<!-- sentry-stats:start')
    const end = body.indexOf('<!-- sentry-stats:end -->') + '<!-- sentry-stats:end -->'.length
    h.github.personEdit(ia.number, body.slice(0, start) + body.slice(end))
    const edited = issueFor(a!.id).body
    h.sentry.addEvents(String(a!.id), Number(a!.count) * 3 + 100)
    const result = await h.run()
    expect(issueFor(a!.id).body).toBe(edited)
    expect(result.failed).toBe(false)
  })

  it('a body a person grew past GitHub’s limit is a warning for that issue, not a failed run', async () => {
    const [a] = h.sentry.seed(1, { seed: 108 })
    await h.run()
    const ia = issueFor(a!.id)
    h.github.personEdit(
      ia.number,
      `${ia.body ?? ''}\n${'x'.repeat(65536 - (ia.body ?? '').length - 2)}`
    )
    h.sentry.addEvents(String(a!.id), Number(a!.count) * 3 + 100, { users: 500 })
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(plain(result.summary)).toContain('over GitHub')
  })

  it('a locked issue: the closing comment is refused, the close still happens, the run passes', async () => {
    const [a] = h.sentry.seed(1, { seed: 109 })
    await h.run()
    h.github.lock(issueFor(a!.id).number)
    h.sentry.setStatus(String(a!.id), 'resolved')
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(issueFor(a!.id).state).toBe('closed')
    expect(plain(result.summary)).toContain('locked')
    h.github.resetRequests()
    expect((await h.run()).failed).toBe(false)
    expect(writes()).toHaveLength(0)
  })
})

describe('duplicates', () => {
  it('keeps the newer open issue a person kept, closing nothing open when the older is closed', async () => {
    const [s] = h.sentry.seed(1, { seed: 110 })
    const marker = `<!-- sentry-issue: acme/${String(s!.id)} -->`
    const older = h.github.addIssue({
      title: 'older',
      body: `${marker}\nolder`,
      labels: ['sentry'],
      created_at: '2026-01-01T00:00:00Z'
    })
    const newer = h.github.addIssue({
      title: 'newer',
      body: `${marker}\nnewer`,
      labels: ['sentry'],
      created_at: '2026-01-02T00:00:00Z'
    })
    h.github.personClose(older.number, 'completed')
    await h.run()
    expect(h.github.issues.find((i) => i.number === newer.number)!.state).toBe('open')
    expect(h.github.issues).toHaveLength(2)
  })
})

describe('Sentry moves under us', () => {
  it('a window slide with no new events writes nothing; the block shows lifetime totals', async () => {
    const a = h.sentry.addIssue({
      count: 420,
      userCount: 37,
      lastSeen: new Date(Date.now() - 3600_000).toISOString()
    })
    const inputs = { 'stats-period': '24h' }
    await h.run(inputs)
    expect(issueFor(a['id']).body).toContain('| Events | 400+ |')
    const clock = Date.now()
    h.sentry.now = () => new Date(clock + 20 * 3600_000)
    h.github.resetRequests()
    await h.run(inputs)
    expect(writes()).toHaveLength(0)
  })

  it('merged in Sentry: the merged-away issue closes as a duplicate of the survivor’s issue', async () => {
    const [survivor, merged] = h.sentry.seed(2, { seed: 111 })
    await h.run()
    h.sentry.mergeIssues(String(survivor!.id), [String(merged!.id)])
    const result = await h.run()
    const closed = issueFor(merged!.id)
    expect(closed.state).toBe('closed')
    expect(closed.state_reason).toBe('duplicate')
    expect(closed.duplicate_of_id).toBe(issueFor(survivor!.id).id)
    expect(closed.comments.some((c) => c.body.includes(`#${issueFor(survivor!.id).number}`))).toBe(
      true
    )
    expect(closed.comments.every((c) => !c.body.includes('no longer has'))).toBe(true)
    expect(result.outputs.created).toBe('0')
  })

  it('merged into an issue without a GitHub issue: the existing one takes the survivor over', async () => {
    const [merged] = h.sentry.seed(1, { seed: 112 })
    await h.run()
    const survivor = h.sentry.addIssue({ status: 'ignored', count: 3 })
    h.sentry.mergeIssues(String(survivor['id']), [String(merged!.id)])
    const result = await h.run()
    expect(result.outputs.created).toBe('0')
    expect(h.github.issues).toHaveLength(1)
    expect(parseMarker(h.github.issues[0]!.body)?.issueId).toBe(String(survivor['id']))
  })

  it('id look-ups reach projects outside the token owner’s teams (project=-1)', async () => {
    await h.close()
    h = await startHarness({ sentry: { memberProjects: [] } })
    h.sentry.addProject('web')
    const [a] = h.sentry.seed(1, { projectSlug: 'web', seed: 113 })
    await h.run({ 'sentry-projects': 'web' })
    h.sentry.setStatus(String(a!.id), 'resolved')
    const result = await h.run({ 'sentry-projects': 'web' })
    expect(result.outputs.closed).toBe('1')
    expect(issueFor(a!.id).comments.every((c) => !c.body.includes('no longer has'))).toBe(true)
  })

  it('a dry run reports healing and closes as a real run would, reading the state and writing nothing', async () => {
    const [s, r] = h.sentry.seed(2, { seed: 114 })
    await h.run()
    const marker = parseMarker(issueFor(s!.id).body)!
    h.github.addIssue({
      title: 'copy',
      body: `<!-- sentry-issue: ${h.sentry.url.replace('http://', '')}/${marker.org}/${marker.issueId} -->\ncopy`,
      labels: ['sentry'],
      created_at: '2099-01-01T00:00:00Z'
    })
    h.sentry.setStatus(String(r!.id), 'resolved')
    h.github.resetRequests()
    const before = JSON.stringify(h.state.current)
    const dry = await h.run({ 'dry-run': 'true' })
    expect(writes()).toHaveLength(0)
    expect(JSON.stringify(h.state.current)).toBe(before)
    expect(dry.outputs.closed).toBe('2')
    const real = await h.run()
    expect(real.outputs.closed).toBe('2')
  })
})

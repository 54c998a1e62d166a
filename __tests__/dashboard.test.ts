import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createClients } from '../src/clients.js'
import type { FakeIssue } from '../src/fakes/fake-github.js'
import { parseConfig } from '../src/inputs/config.js'
import { silentLogger } from '../src/log.js'
import { readSection } from '../src/render/dashboard.js'
import { MemoryStateStore } from '../src/state/store.js'
import { runSync } from '../src/sync.js'
import { HOSTILE_STRINGS, stripCodeSpans } from './fixtures/hostile-strings.js'
import {
  fastClients,
  issueOf,
  markersInGitHub,
  plainSummary,
  startHarness,
  type Harness
} from './helpers/harness.js'

/**
 * The triage dashboard through both fakes over real HTTP: what it lists, a tick filing an issue,
 * people editing, closing, reopening and deleting it, two runs at once, hostile titles, the cap
 * on lines, auto-create: false, and runs that have nothing to write.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

const ON = { dashboard: 'true' }
const MARKER = /^<!-- sentry-dashboard: ([0-9a-f]{16}) -->$/m

function dashboards(): FakeIssue[] {
  return h.github.issues.filter((i) => !i.deleted && MARKER.test(i.body ?? ''))
}

function theDashboard(): FakeIssue {
  const all = dashboards()
  expect(all).toHaveLength(1)
  return all[0]!
}

function idOf(issue: FakeIssue): string {
  return MARKER.exec(issue.body ?? '')![1]!
}

/** The Sentry ids the dashboard lists. */
function listed(issue: FakeIssue = theDashboard()): string[] {
  return [...readSection(issue.body, idOf(issue)).keys()]
}

/** A person ticks the lines of these Sentry ids (as GitHub's task list does: `[ ]` → `[x]`). */
function tick(issue: FakeIssue, ...ids: string[]): void {
  let body = issue.body ?? ''
  for (const id of ids) {
    body = body.replace(
      new RegExp(`^- \\[ \\] (.*<!-- sentry-dashboard-item: ${id} -->)$`, 'm'),
      '- [x] $1'
    )
  }
  h.github.personEdit(issue.number, body)
}

function writesTo(number: number): number {
  return h.github.requests.filter((r) => r.method !== 'GET' && r.path.endsWith(`/issues/${number}`))
    .length
}

interface Row {
  sentryId: string
  action: string
  number: number | null
  from?: string
}

function rows(outputs: Record<string, string>): Row[] {
  return JSON.parse(outputs.issues ?? '[]') as Row[]
}

describe('the triage dashboard', () => {
  it('lists what has no GitHub issue, most events first, in one issue found by its marker', async () => {
    const big = h.sentry.addIssue({ title: 'Big', count: 500, userCount: 40 })
    const small = h.sentry.addIssue({ title: 'Small', count: 3, userCount: 1 })
    const middle = h.sentry.addIssue({ title: 'Middle', count: 30, userCount: 2 })
    const deferred = h.sentry.addIssue({ title: 'Deferred', count: 200, userCount: 9 })
    const result = await h.run({ ...ON, 'min-events': '10', 'max-new-issues': '1' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('1')
    expect(issueOf(h.github, big['id']).title).toContain('Big')

    const dashboard = theDashboard()
    expect(dashboard.title).toBe('Sentry triage')
    expect(dashboard.labels).toContain('sentry')
    // Deferred (200) over max-new-issues, then below min-events (30, 3): most events first.
    expect(listed()).toEqual([deferred['id'], middle['id'], small['id']].map(String))
    expect(dashboard.body).toContain('from 10 event(s) and 0 user(s), at most 1 a run')
    expect(dashboard.body).toMatch(/\*\*200\+\*\* events · \*\*9\*\* users · last seen \d{4}-/)
    expect(result.outputs['dashboard-number']).toBe(String(dashboard.number))
    expect(result.outputs['dashboard-url']).toMatch(new RegExp(`/issues/${dashboard.number}$`))
    expect(result.summary).toContain(
      `The triage dashboard [#${dashboard.number}](${result.outputs['dashboard-url']}) was created: 3 Sentry issue(s) listed.`
    )

    // Never counted as a Sentry issue's GitHub issue: the next run creates the deferred one.
    const second = await h.run({ ...ON, 'min-events': '10', 'max-new-issues': '1' })
    expect(second.outputs.created).toBe('1')
    expect(rows(second.outputs).every((r) => r.number !== dashboard.number)).toBe(true)
    expect(listed()).toEqual([middle['id'], small['id']].map(String))
    expect(dashboards()).toHaveLength(1)
    expect([...markersInGitHub(h.github).values()].every((n) => n.length === 1)).toBe(true)
  })

  it('writes nothing when nothing a reader sees changed, and once when something did', async () => {
    const issue = h.sentry.addIssue({ title: 'Quiet', count: 120, userCount: 3 })
    await h.run({ ...ON, 'min-events': '1000' })
    const dashboard = theDashboard()
    const body = dashboard.body
    h.github.resetRequests()

    const idle = await h.run({ ...ON, 'min-events': '1000' })
    expect(idle.outputs.created).toBe('0')
    expect(h.github.writeCount()).toBe(0)
    expect(plainSummary(idle.summary)).toContain('is unchanged')
    // Found in the label listing the run makes anyway: no request of its own, no search.
    expect(h.github.requests.filter((r) => r.path.includes(`/issues/${dashboard.number}`))).toEqual(
      []
    )
    expect(h.github.requests.filter((r) => r.path === '/search/issues')).toEqual([])

    // 120 → 140 still reads "120+": nothing to write.
    h.sentry.addEvents(String(issue['id']), 20)
    await h.run({ ...ON, 'min-events': '1000' })
    expect(h.github.writeCount()).toBe(0)
    expect(theDashboard().body).toBe(body)

    // 120 → 160 reads "150+": one write.
    h.sentry.addEvents(String(issue['id']), 20)
    await h.run({ ...ON, 'min-events': '1000' })
    expect(h.github.writeCount()).toBe(1)
    expect(writesTo(dashboard.number)).toBe(1)
    expect(theDashboard().body).toContain('**150+** events')
  })

  it('says so when the list is empty, and keeps the issue', async () => {
    h.sentry.seed(2, { seed: 71 })
    await h.run(ON)
    expect(theDashboard().body).toContain('Nothing to triage')
    expect(listed()).toEqual([])
  })

  it('files a ticked line on the next run whatever the thresholds; it leaves the list', async () => {
    const low = h.sentry.addIssue({ title: 'Rare', count: 2, userCount: 1 })
    const other = h.sentry.addIssue({ title: 'Other', count: 4, userCount: 1 })
    await h.run({ ...ON, 'min-events': '100' })
    tick(theDashboard(), String(low['id']))

    const result = await h.run({ ...ON, 'min-events': '100' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('1')
    const filed = issueOf(h.github, low['id'])
    expect(filed.labels).toContain('sentry')
    const row = rows(result.outputs).find((r) => r.sentryId === String(low['id']))
    expect(row).toMatchObject({ action: 'created', from: 'dashboard', number: filed.number })
    expect(plainSummary(result.summary)).toContain('filed from the dashboard')
    expect(plainSummary(result.summary)).toContain('1 filed from the dashboard this run')
    expect(listed()).toEqual([String(other['id'])])

    // The next run is idle: the filed issue is tracked, the dashboard unchanged.
    h.github.resetRequests()
    const after = await h.run({ ...ON, 'min-events': '100' })
    expect(after.outputs.created).toBe('0')
    expect(h.github.writeCount()).toBe(0)
  })

  it('a tick counts toward max-new-issues; the one left over stays ticked for the next run', async () => {
    const a = h.sentry.addIssue({ title: 'A', count: 5 })
    const b = h.sentry.addIssue({ title: 'B', count: 6 })
    h.sentry.addIssue({ title: 'Above', count: 900 })
    await h.run({ ...ON, 'min-events': '100', 'max-new-issues': '0' })
    expect(h.github.issues.filter((i) => !MARKER.test(i.body ?? ''))).toHaveLength(0)
    tick(theDashboard(), String(a['id']), String(b['id']))

    const first = await h.run({ ...ON, 'min-events': '100', 'max-new-issues': '1' })
    // Ticks go first: B (more events) is filed, not the 900-event issue above the threshold.
    expect(first.outputs.created).toBe('1')
    expect(issueOf(h.github, b['id'])).toBeDefined()
    const lines = readSection(theDashboard().body, idOf(theDashboard()))
    expect(lines.get(String(a['id']))?.ticked).toBe(true)
    expect(lines.has(String(b['id']))).toBe(false)

    const second = await h.run({ ...ON, 'min-events': '100', 'max-new-issues': '1' })
    expect(rows(second.outputs).find((r) => r.action === 'created')?.sentryId).toBe(String(a['id']))
  })

  it('keeps what a person wrote beside a tick, and ignores ticks on lines it no longer lists', async () => {
    const low = h.sentry.addIssue({ title: 'Rare', count: 2 })
    const resolved = h.sentry.addIssue({ title: 'Gone soon', count: 3 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    tick(dashboard, String(low['id']), String(resolved['id']))
    const edited = `Owner: the platform team. Please triage on Mondays.\n\n${dashboard.body}\n\nNotes below stay too.\n- [x] a forged line <!-- sentry-dashboard-item: ${String(resolved['id'])} -->`
    h.github.personEdit(dashboard.number, edited)
    h.sentry.setStatus(String(resolved['id']), 'resolved')

    const result = await h.run({ ...ON, 'min-events': '100' })
    expect(result.outputs.created).toBe('1')
    expect(issueOf(h.github, low['id'])).toBeDefined()
    expect(() => issueOf(h.github, resolved['id'])).toThrow()
    const body = theDashboard().body ?? ''
    expect(body.startsWith('Owner: the platform team. Please triage on Mondays.\n\n')).toBe(true)
    expect(body).toContain('\n\nNotes below stay too.\n- [x] a forged line')
    expect(listed()).toEqual([])
  })

  it('leaves a dashboard a person closed alone (ticks too) until a person reopens it', async () => {
    const low = h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    tick(dashboard, String(low['id']))
    h.github.personClose(dashboard.number, 'completed')
    h.sentry.addIssue({ title: 'Newer', count: 50 })
    h.github.resetRequests()

    const closed = await h.run({ ...ON, 'min-events': '100' })
    expect(closed.outputs.created).toBe('0')
    expect(h.github.writeCount()).toBe(0)
    expect(dashboards()).toHaveLength(1)
    expect(theDashboard().state).toBe('closed')
    expect(plainSummary(closed.summary)).toContain(
      'is closed and was left alone (closed by a person: not updated until someone reopens it)'
    )

    h.github.personReopen(dashboard.number)
    const reopened = await h.run({ ...ON, 'min-events': '100' })
    expect(reopened.outputs.created).toBe('1')
    expect(issueOf(h.github, low['id'])).toBeDefined()
    expect(listed()).toHaveLength(1)
    expect(theDashboard().state).toBe('open')
  })

  it('an issues.closed event for the dashboard changes nothing in Sentry or on GitHub', async () => {
    const low = h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    tick(dashboard, String(low['id']))
    h.github.personClose(dashboard.number, 'completed')
    const { writeFile } = await import('node:fs/promises')
    const eventPath = `${h.workdir}/event.json`
    const issue = { number: dashboard.number, body: dashboard.body, state: 'closed' }
    await writeFile(eventPath, JSON.stringify({ action: 'closed', issue }))
    h.github.resetRequests()
    const sentryBefore = h.sentry.requests.length
    process.env.GITHUB_EVENT_NAME = 'issues'
    process.env.GITHUB_EVENT_PATH = eventPath
    try {
      const result = await h.run({ ...ON, 'min-events': '100', 'resolve-in-sentry': 'true' })
      expect(result.failed).toBe(false)
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
    // The event path ran (it lists nothing), and wrote nothing.
    expect(
      h.github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues'))
    ).toEqual([])
    expect(h.github.writeCount()).toBe(0)
    expect(h.sentry.requests.slice(sentryBefore).filter((r) => r.method !== 'GET')).toEqual([])
    expect(low['status']).toBe('unresolved')
  })

  it('does not recreate a dashboard a person deleted while the state remembers it', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    h.github.deleteIssue(dashboard.number)

    const result = await h.run({ ...ON, 'min-events': '100' })
    expect(result.failed).toBe(false)
    expect(dashboards()).toHaveLength(0)
    expect(result.outputs['dashboard-number']).toBe('')
    expect(plainSummary(result.summary)).toContain('is gone and was not recreated')
    await h.run({ ...ON, 'min-events': '100' })
    expect(dashboards()).toHaveLength(0)
  })

  it('finds its dashboard when a person removed its labels, by the state or by search', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    h.github.personSetLabels(dashboard.number, [])

    const byState = await h.run({ ...ON, 'min-events': '100' })
    expect(byState.outputs['dashboard-number']).toBe(String(dashboard.number))
    const bySearch = await h.run({ ...ON, 'min-events': '100' }, { state: new MemoryStateStore() })
    expect(bySearch.outputs['dashboard-number']).toBe(String(dashboard.number))
    expect(dashboards()).toHaveLength(1)
    expect(theDashboard().labels).toEqual([])
  })

  it('a marker line a person pasted into a tracked issue does not make it the dashboard', async () => {
    const big = h.sentry.addIssue({ title: 'Big', count: 500 })
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    const tracked = issueOf(h.github, big['id'])
    const pasted = `${tracked.body}\n\nSee the triage list:\n${/^<!-- sentry-dashboard: .* -->$/m.exec(dashboard.body ?? '')![0]}\n`
    h.github.personEdit(tracked.number, pasted)
    h.github.deleteIssue(dashboard.number)

    // The state remembers the deleted dashboard; the tracked issue is not taken for it.
    const result = await h.run({ ...ON, 'min-events': '100' })
    expect(result.failed).toBe(false)
    expect(result.outputs['dashboard-number']).toBe('')
    expect(issueOf(h.github, big['id']).body).toBe(pasted)
    // Nor when the state is lost: a new dashboard is made, the tracked issue left as it is.
    const fresh = await h.run({ ...ON, 'min-events': '100' }, { state: new MemoryStateStore() })
    expect(fresh.outputs['dashboard-number']).not.toBe(String(tracked.number))
    expect(issueOf(h.github, big['id']).body).toBe(pasted)
    expect(dashboards().filter((d) => d.number !== tracked.number)).toHaveLength(1)
  })

  it('puts back the marker a person deleted, rewriting the section where it stands', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    await h.run({ ...ON, 'min-events': '100' })
    const dashboard = theDashboard()
    const marker = /^<!-- sentry-dashboard: .* -->$/m.exec(dashboard.body ?? '')![0]
    h.github.personEdit(dashboard.number, `Intro\n${dashboard.body!.replace(`${marker}\n`, '')}`)
    h.sentry.addIssue({ title: 'Another', count: 3 })

    const result = await h.run({ ...ON, 'min-events': '100' })
    expect(result.outputs['dashboard-number']).toBe(String(dashboard.number))
    const body = theDashboard().body ?? ''
    expect(body.startsWith(`Intro\n${marker}\n`)).toBe(true)
    expect(body.split('<!-- sentry-dashboard:end -->')).toHaveLength(2)
    expect(listed()).toHaveLength(2)
  })

  it('two runs at once leave one open dashboard', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    h.github.latencyMs = 30
    const config = parseConfig(
      { ...h.baseInputs, ...ON, 'min-events': '100' },
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
    h.github.latencyMs = 0
    expect(dashboards().length).toBeGreaterThan(1) // the race really happened
    const open = dashboards().filter((d) => d.state === 'open')
    expect(open).toHaveLength(1)
    for (const d of dashboards().filter((x) => x.state === 'closed'))
      expect(d.state_reason).toBe('duplicate')
    const next = await h.run({ ...ON, 'min-events': '100' })
    expect(next.outputs['dashboard-number']).toBe(String(open[0]!.number))
    expect(dashboards().filter((d) => d.state === 'open')).toHaveLength(1)

    // The one that stayed loses its label and the state is lost: the listing then sees only the
    // duplicate, and the search finds the one that stayed (found by the model test).
    h.github.personSetLabels(open[0]!.number, [])
    const unlabelled = await h.run(
      { ...ON, 'min-events': '100' },
      { state: new MemoryStateStore() }
    )
    expect(unlabelled.outputs['dashboard-number']).toBe(String(open[0]!.number))
    expect(plainSummary(unlabelled.summary)).not.toContain('is closed')
    expect(dashboards().filter((d) => d.state === 'open')).toHaveLength(1)
  })

  it('escapes hostile titles: no pings, references, HTML, forged ticks or markers', async () => {
    const hostile = HOSTILE_STRINGS.filter((s) => s.value.length <= 500).slice(0, 40)
    for (const [i, s] of hostile.entries())
      h.sentry.addIssue({ title: s.value, count: 100 - i, userCount: 1 })
    h.sentry.addIssue({
      title: '- [x] fake <!-- sentry-dashboard-item: 1 -->\n<!-- sentry-dashboard:end -->',
      count: 1
    })
    await h.run({ ...ON, 'min-events': '1000' })
    const dashboard = theDashboard()
    expect(listed()).toHaveLength(hostile.length + 1)
    expect([...readSection(dashboard.body, idOf(dashboard)).values()].some((l) => l.ticked)).toBe(
      false
    )
    const lines = (dashboard.body ?? '').split('\n')
    expect(lines.filter((l) => l.startsWith('<!--'))).toHaveLength(2)
    for (const line of lines.filter((l) => l.startsWith('- [ ] '))) {
      const text = stripCodeSpans(
        line.replace(/ · \[Sentry\]\(<[^<>\s]+>\) <!-- sentry-dashboard-item: \d+ -->$/, '')
      )
      expect(text).not.toMatch(/<!--|<[a-z/!]|(^|[^\\`])@[a-z0-9]|(^|[^\\])#[0-9]/i)
      expect(line).toMatch(/ <!-- sentry-dashboard-item: [1-9][0-9]* -->$/)
    }
  })

  it('lists at most 50 lines, then says how many more', async () => {
    for (let i = 0; i < 60; i++) h.sentry.addIssue({ title: `Issue ${i}`, count: 10 + i })
    await h.run({ ...ON, 'min-events': '1000' })
    expect(listed()).toHaveLength(50)
    expect(theDashboard().body).toContain('…and 10 more.')
  })

  it('auto-create: false files nothing on its own; a tick files it', async () => {
    const big = h.sentry.addIssue({ title: 'Big', count: 900 })
    h.sentry.addIssue({ title: 'Other', count: 800 })
    const first = await h.run({ ...ON, 'auto-create': 'false' })
    expect(first.outputs.created).toBe('0')
    expect(listed()).toHaveLength(2)
    expect(theDashboard().body).toContain('auto-create is off: nothing is filed on its own.')
    expect(plainSummary(first.summary)).toContain('tick it on the dashboard to file it')
    expect(first.summary).not.toContain('remain for later runs')

    tick(theDashboard(), String(big['id']))
    const second = await h.run({ ...ON, 'auto-create': 'false' })
    expect(second.outputs.created).toBe('1')
    expect(issueOf(h.github, big['id'])).toBeDefined()
    expect(listed()).toHaveLength(1)
  })

  it('a dry run shows the dashboard it would write and writes nothing', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    const result = await h.run({ ...ON, 'min-events': '100', 'dry-run': 'true' })
    expect(h.github.writeCount()).toBe(0)
    expect(dashboards()).toHaveLength(0)
    expect(plainSummary(result.summary)).toContain('would be created (dry run)')
    expect(result.summary).toContain('The triage dashboard this run would write')
    expect(result.summary).toMatch(/<!-- sentry-dashboard: [0-9a-f]{16} -->/)
  })

  it('mode: check with the dashboard on checks what a sync needs anyway, and writes nothing', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    const plain = await h.run({ mode: 'check' })
    const result = await h.run({ ...ON, 'auto-create': 'false', mode: 'check' })
    expect(result.failed).toBe(false)
    expect(result.summary).toContain('**A sync would work**')
    const rows = (summary: string): string[] =>
      summary.split('\n').filter((l) => l.startsWith('| '))
    expect(rows(result.summary).length).toBe(rows(plain.summary).length)
    expect(result.summary).toMatch(/\| Issues write \|/)
    expect(h.github.writeCount()).toBe(0)
    expect(dashboards()).toHaveLength(0)
  })

  it('without dashboard: true, nothing of it is written', async () => {
    h.sentry.addIssue({ title: 'Rare', count: 2 })
    const result = await h.run({ 'min-events': '100' })
    expect(dashboards()).toHaveLength(0)
    expect(result.outputs['dashboard-number']).toBe('')
    expect(result.summary).not.toContain('triage dashboard')
  })
})

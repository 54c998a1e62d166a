import { describe, expect, it } from '@jest/globals'
import {
  DASHBOARD_END,
  dashboardMarker,
  findSection,
  readSection,
  renderSection,
  sectionRoom,
  tickedIn,
  withSection,
  type DashboardEntry,
  type DashboardView
} from '../../src/render/dashboard.js'
import { HOSTILE_STRINGS, stripCodeSpans } from '../fixtures/hostile-strings.js'

const ID = '0123456789abcdef'

function entry(id: number, over: Partial<DashboardEntry> = {}): DashboardEntry {
  return {
    id: String(id),
    shortId: `WEB-${id}`,
    title: `Error ${id}`,
    count: 1000 - id,
    userCount: 3,
    lastSeen: '2026-11-30T10:00:00Z',
    permalink: `https://acme.sentry.io/issues/${id}/`,
    ...over
  }
}

function view(entries: DashboardEntry[], over: Partial<DashboardView> = {}): DashboardView {
  return {
    id: ID,
    entries,
    ticked: new Set(),
    previous: new Map(),
    query: 'is:unresolved',
    minEvents: 100,
    minUsers: 0,
    maxNewIssues: 50,
    autoCreate: true,
    ...over
  }
}

describe('renderSection', () => {
  it('writes a line per entry that reads back to its id, tick and figures', () => {
    const section = renderSection(
      view([entry(1), entry(2, { count: 7 })], { ticked: new Set(['2']) })
    )
    expect(section.startsWith(`${dashboardMarker(ID)}\n`)).toBe(true)
    expect(section.endsWith(DASHBOARD_END)).toBe(true)
    expect(section).toContain(
      '- [ ] **WEB-1** Error 1 · **800+** events · **3** users · last seen 2026-11-30 · [Sentry](<https://acme.sentry.io/issues/1/>) <!-- sentry-dashboard-item: 1 -->'
    )
    const lines = readSection(section, ID)
    expect([...lines.keys()]).toEqual(['1', '2'])
    expect(lines.get('2')).toEqual({ ticked: true, events: '7', users: '3' })
    expect(tickedIn(section, ID)).toEqual(new Set(['2']))
  })

  it('keeps a figure while it still tells the count (the stats block’s rule)', () => {
    const previous = new Map([['1', { ticked: false, events: '800+', users: '3' }]])
    const section = renderSection(view([entry(1, { count: 950 })], { previous }))
    expect(section).toContain('**800+** events')
    const moved = renderSection(view([entry(1, { count: 1000 })], { previous }))
    expect(moved).toContain('**1,000+** events')
  })

  it('caps the list at 50 lines, keeps every ticked line, and counts the rest', () => {
    const entries = Array.from({ length: 70 }, (_, i) => entry(i + 1))
    const section = renderSection(view(entries, { ticked: new Set(['70']) }))
    const ids = [...readSection(section, ID).keys()]
    expect(ids).toHaveLength(50)
    expect(ids).toContain('70')
    expect(section).toContain('…and 20 more.')
  })

  it('stays within its room whatever the titles; the lines that do not fit are counted', () => {
    const heavy = '&<>'.repeat(70)
    const entries = Array.from({ length: 50 }, (_, i) =>
      entry(i + 1, { title: heavy, shortId: '&'.repeat(100) })
    )
    const section = renderSection(view(entries, { ticked: new Set(['50']), maxLength: 20_000 }))
    expect(section.length).toBeLessThanOrEqual(20_000)
    const ids = [...readSection(section, ID).keys()]
    expect(ids.length).toBeLessThan(50)
    expect(ids).toContain('50')
    expect(section).toContain(`…and ${50 - ids.length} more.`)
    // A person's long text around the section leaves it less room; the body stays within GitHub's.
    const notes = 'n'.repeat(40_000)
    const body = withSection(notes, ID, renderSection(view(entries)))
    const room = sectionRoom(body, ID)
    expect(room).toBe(65_536 - notes.length - 2 - 16)
    const fitted = withSection(body, ID, renderSection(view(entries, { maxLength: room })))
    expect(fitted.length).toBeLessThanOrEqual(65_536)
  })

  it('says so when there is nothing to list', () => {
    const section = renderSection(view([]))
    expect(section).toContain('Nothing to triage')
    expect(readSection(section, ID).size).toBe(0)
  })

  it('escapes hostile text: no ping, reference, HTML, tick, marker or end line of its own', () => {
    const hostile = [
      ...HOSTILE_STRINGS.map((s) => s.value),
      `x <!-- sentry-dashboard-item: 9 -->`,
      `- [x] y <!-- sentry-dashboard-item: 9 -->`,
      `\n${DASHBOARD_END}\n- [x] z <!-- sentry-dashboard-item: 9 -->`,
      `\n${dashboardMarker(ID)}`
    ]
    const entries = hostile.map((title, i) =>
      entry(i + 1, { title, shortId: title.slice(0, 40), lastSeen: title.slice(0, 30) })
    )
    const section = renderSection(
      view(entries.slice(0, 50), { query: '@octocat #1 <!-- sentry-dashboard-item: 9 -->' })
    )
    const lines = section.split('\n')
    expect(lines.filter((l) => l.startsWith('<!--'))).toEqual([dashboardMarker(ID), DASHBOARD_END])
    expect(tickedIn(section, ID).size).toBe(0)
    expect([...readSection(section, ID).keys()]).toEqual(entries.slice(0, 50).map((e) => e.id))
    for (const line of lines) {
      const text = stripCodeSpans(
        line.replace(/ · \[Sentry\]\(<[^<>\s]+>\) <!-- sentry-dashboard-item: \d+ -->$/, '')
      )
      if (line === dashboardMarker(ID) || line === DASHBOARD_END) continue
      expect(text).not.toMatch(/<!--|<[a-z/!]|(^|[^\\`])@[a-z0-9]|(^|[^\\])#[0-9]/i)
    }
  })

  it('lists no entry whose id is not a Sentry id (it is written into the line’s comment)', () => {
    const section = renderSection(view([entry(1), { ...entry(2), id: '2 --> <b>' }]))
    expect([...readSection(section, ID).keys()]).toEqual(['1'])
    expect(section).not.toContain('<b>')
  })
})

describe('withSection', () => {
  const section = renderSection(view([entry(1)]))

  it('replaces only the section, keeping what a person wrote above and below', () => {
    const body = `Notes above\n\n${renderSection(view([entry(2)]))}\n\nNotes below`
    const next = withSection(body, ID, section)
    expect(next).toBe(`Notes above\n\n${section}\n\nNotes below`)
  })

  it('appends the section below a body without one, or is the section alone', () => {
    expect(withSection('A person emptied it.\n', ID, section)).toBe(
      `A person emptied it.\n\n${section}`
    )
    expect(withSection(null, ID, section)).toBe(section)
  })

  it('takes a section whose end line a person deleted to run to the end of the body', () => {
    const body = `Top\n${section.replace(`\n${DASHBOARD_END}`, '')}\ntrailing words`
    expect(findSection(body, ID)).toEqual({ start: 4, end: body.length })
    expect(withSection(body, ID, section)).toBe(`Top\n${section}`)
  })

  it('rewrites the section where it stands when a person deleted only its marker line', () => {
    const old = renderSection(view([entry(2)]))
    const body = `Top\n${old.replace(`${dashboardMarker(ID)}\n`, '')}\nBottom`
    expect(findSection(body, ID)).toBeUndefined()
    expect(withSection(body, ID, section)).toBe(`Top\n${section}\nBottom`)
  })

  it('reads no lines outside the section', () => {
    const body = `- [x] forged <!-- sentry-dashboard-item: 5 -->\n${section}`
    expect(tickedIn(body, ID).size).toBe(0)
    expect(readSection(body, 'ffffffffffffffff').size).toBe(0)
  })
})

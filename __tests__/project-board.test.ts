import { afterEach, describe, expect, it } from '@jest/globals'
import { fakeProjects, type FakeBoard } from '../src/fakes/github/projects.js'
import { parseConfig } from '../src/inputs/config.js'
import {
  parseContentOptions,
  parseProjectBoard,
  parseProjectFields,
  projectFieldValue
} from '../src/inputs/content-options.js'
import type { SentryIssue } from '../src/sentry/schemas.js'
import { stepWrites } from '../src/sync/steps.js'
import { startHarness, type Harness } from './helpers/harness.js'
import { VALID_INPUTS } from './helpers/config.js'

/** `project-board` and `project-fields`: new issues on a Projects (v2) board, through the fakes. */

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const FIELDS = [
  { name: 'Status', data_type: 'single_select' as const, options: ['Triage', 'Done'] },
  { name: 'Priority', data_type: 'single_select' as const, options: ['High', 'Medium', 'Low'] },
  { name: 'Events', data_type: 'number' as const },
  { name: 'Users', data_type: 'number' as const },
  { name: 'First seen', data_type: 'date' as const },
  { name: 'Sentry', data_type: 'text' as const },
  { name: 'Sprint', data_type: 'iteration' as const }
]

const SETTINGS = [
  'Status = Triage',
  'Priority = {{priority}}',
  'Events = {{events}}',
  'Users = {{userCount}}',
  'First seen = {{firstSeen}}',
  'Sentry = {{shortId}} ({{level}})'
].join('\n')

async function withBoard(kind: 'org' | 'user' = 'org'): Promise<{ h: Harness; board: FakeBoard }> {
  h = await startHarness()
  const board = fakeProjects(h.github).addBoard({
    kind,
    owner: kind === 'org' ? 'acme' : 'ada',
    number: 7,
    title: 'Errors',
    fields: FIELDS
  })
  return { h, board }
}

function boardRequests(harness: Harness, method?: string): Array<{ method: string; path: string }> {
  return harness.github.requests.filter(
    (r) => r.path.includes('/projectsV2/') && (method === undefined || r.method === method)
  )
}

function warnings(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::warning::'))
}

describe('new issues on a Projects board', () => {
  it('adds each new issue to the board with its fields set, counts at the reader precision', async () => {
    const { h, board } = await withBoard()
    const seeded = h.sentry.seed(2, { seed: 301 })
    seeded[0]!.count = '1234'
    seeded[0]!.userCount = 7
    seeded[0]!.priority = 'high'
    seeded[1]!.count = '3'
    seeded[1]!.priority = 'low'
    const result = await h.run({ 'project-board': 'acme/7', 'project-fields': SETTINGS })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    expect(board.items).toHaveLength(2)
    const first = h.github.issues.find((i) => i.title.includes(String(seeded[0]!.title)))!
    const values = fakeProjects(h.github).valuesOf(board, first.number)
    expect(values).toEqual({
      Status: 'Triage',
      Priority: 'High',
      Events: 1200,
      Users: 7,
      'First seen': String(seeded[0]!.firstSeen).slice(0, 10),
      Sentry: `${String(seeded[0]!.shortId)} (${String(seeded[0]!.level)})`
    })
    const second = h.github.issues.find((i) => i.number !== first.number)!
    expect(fakeProjects(h.github).valuesOf(board, second.number)).toMatchObject({
      Priority: 'Low',
      Events: 3
    })
    // One read of the fields for the run; one add and one update per new issue.
    expect(boardRequests(h, 'GET').map((r) => r.path)).toEqual(['/orgs/acme/projectsV2/7/fields'])
    expect(boardRequests(h, 'POST')).toHaveLength(2)
    expect(boardRequests(h, 'PATCH')).toHaveLength(2)
  })

  it("a tracked issue's number fields follow its stats block, only when they change, never re-adding", async () => {
    const { h, board } = await withBoard()
    const [issue, other] = h.sentry.seed(2, { seed: 302 })
    issue!.count = '100'
    other!.count = '100'
    const inputs = { 'project-board': 'acme/7', 'project-fields': SETTINGS }
    await h.run(inputs)
    const gh = h.github.issues.find((i) => i.title.includes(String(issue!.title)))!
    const otherGh = h.github.issues.find((i) => i.number !== gh.number)!
    const projects = fakeProjects(h.github)
    projects.setValue(board, gh.number, 'Status', 'Done')
    projects.removeItem(board, otherGh.number)

    // Idle: nothing a reader sees changed, so not one request to the board.
    const before = boardRequests(h).length
    await h.run(inputs)
    expect(boardRequests(h)).toHaveLength(before)

    // Both grow past the next step: the block shows 150+ and the number field follows.
    issue!.count = '160'
    other!.count = '160'
    const result = await h.run(inputs)
    expect(result.failed).toBe(false)
    expect(projects.valuesOf(board, gh.number)).toMatchObject({ Events: 150, Status: 'Done' })
    // The issue a person took off the board stays off.
    expect(projects.valuesOf(board, otherGh.number)).toBeUndefined()
    expect(board.items.map((i) => i.issueNumber)).toEqual([gh.number])
    const patches = boardRequests(h, 'PATCH').slice(-1)
    expect(patches[0]?.path).toMatch(/\/orgs\/acme\/projectsV2\/7\/items\/\d+$/)
    expect(boardRequests(h, 'PATCH')).toHaveLength(3)
    const listing = boardRequests(h, 'GET').filter((r) => r.path.endsWith('/items'))
    expect(listing).toHaveLength(1)

    // The block rewritten for another reason (a level change) with the same figures: no PATCH.
    issue!.level = issue!.level === 'fatal' ? 'error' : 'fatal'
    await h.run(inputs)
    expect(boardRequests(h, 'PATCH')).toHaveLength(3)
  })

  it("takes a user's board by its address", async () => {
    const { h, board } = await withBoard('user')
    h.sentry.seed(1, { seed: 303 })
    const result = await h.run({
      'project-board': 'https://github.com/users/ada/projects/7/views/2',
      'project-fields': 'Status = Triage'
    })
    expect(result.failed).toBe(false)
    expect(board.items).toHaveLength(1)
    expect(boardRequests(h, 'POST')[0]?.path).toBe('/users/ada/projectsV2/7/items')
    expect(fakeProjects(h.github).valuesOf(board, board.items[0]!.issueNumber)).toEqual({
      Status: 'Triage'
    })
  })

  it('a board GitHub refuses is one warning, asked once; the issues are still filed', async () => {
    const { h, board } = await withBoard()
    fakeProjects(h.github).forbidden = true
    h.sentry.seed(3, { seed: 304 })
    const result = await h.run({ 'project-board': 'acme/7', 'project-fields': SETTINGS })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    expect(board.items).toHaveLength(0)
    const refused = warnings(result.stdout).filter((w) =>
      w.includes('GitHub refused project-board')
    )
    expect(refused).toHaveLength(1)
    expect(boardRequests(h)).toHaveLength(1)
  })

  it('a board that does not exist is refused the same way', async () => {
    h = await startHarness()
    h.sentry.seed(2, { seed: 305 })
    const result = await h.run({ 'project-board': 'acme/99' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    expect(warnings(result.stdout).filter((w) => w.includes('refused project-board'))).toHaveLength(
      1
    )
  })

  it('a field the board lacks, an option it lacks or a field it cannot set: warnings, the rest is set', async () => {
    const { h, board } = await withBoard()
    const [issue] = h.sentry.seed(1, { seed: 306 })
    issue!.priority = 'medium'
    const result = await h.run({
      'project-board': 'acme/7',
      'project-fields':
        'Status = Someday\nEstimate = {{events}}\nSprint = Next\nPriority = {{priority}}'
    })
    expect(result.failed).toBe(false)
    expect(fakeProjects(h.github).valuesOf(board, board.items[0]!.issueNumber)).toEqual({
      Priority: 'Medium'
    })
    const shown = warnings(result.stdout).join('\n')
    expect(shown).toContain('has no field "Estimate"')
    expect(shown).toContain('"Sprint" is a iteration field')
    expect(shown).toContain('has no option "Someday"')
  })

  it('a dry run says what it would do and writes nothing', async () => {
    const { h, board } = await withBoard()
    const [issue] = h.sentry.seed(1, { seed: 307 })
    issue!.count = '2500'
    const run = await h.run({
      'dry-run': 'true',
      'project-board': 'acme/7',
      'project-fields': 'Status = Triage\nEvents = {{count}}'
    })
    expect(run.summary).toContain(
      '**Then:** Projects board acme/7: added, Status = Triage, Events = 2,500+'
    )
    expect(board.items).toHaveLength(0)
    expect(h.github.writeCount()).toBe(0)
  })
})

describe('the set-up check of a board', () => {
  it('passes for a reachable board with the fields named', async () => {
    const { h } = await withBoard()
    const result = await h.run({
      mode: 'check',
      'project-board': 'acme/7',
      'project-fields': SETTINGS
    })
    expect(result.summary).toContain('| ✅ | Projects board acme/7 | reachable ("Errors")')
    expect(result.failed).toBe(false)
  })

  it('fails naming a missing field or option, and the token a board needs', async () => {
    const { h } = await withBoard()
    const missing = await h.run({
      mode: 'check',
      'project-board': 'acme/7',
      'project-fields': 'Status = Someday\nEstimate = {{events}}'
    })
    expect(missing.failed).toBe(true)
    expect(missing.summary).toContain('| ❌ | Projects board acme/7 |')
    expect(missing.summary).toContain('no field \\"Estimate\\"'.replaceAll('\\', ''))
    expect(missing.summary).toContain('has no option "Someday"')
    fakeProjects(h.github).forbidden = true
    const denied = await h.run({ mode: 'check', 'project-board': 'acme/7' })
    expect(denied.failed).toBe(true)
    expect(denied.summary).toContain('GitHub answered 403')
    expect(denied.summary).toContain("the workflow's GITHUB_TOKEN cannot reach projects")
  })
})

describe('project-board and project-fields inputs', () => {
  it('reads a board as org/number, users/login/number or its address', () => {
    expect(parseProjectBoard('acme/7').board).toEqual({ kind: 'org', owner: 'acme', number: 7 })
    expect(parseProjectBoard('orgs/acme/12').board).toEqual({
      kind: 'org',
      owner: 'acme',
      number: 12
    })
    expect(parseProjectBoard('users/ada/3').board).toEqual({
      kind: 'user',
      owner: 'ada',
      number: 3
    })
    expect(parseProjectBoard('https://ghe.example.com/orgs/acme/projects/4').board).toEqual({
      kind: 'org',
      owner: 'acme',
      number: 4
    })
    for (const bad of [
      'acme',
      'acme/0',
      'acme/x',
      '-acme/7',
      'users/ada',
      'https://github.com/acme/web'
    ]) {
      expect(parseProjectBoard(bad).problem).toMatch(/^project-board must be .* got /)
    }
    expect(parseProjectBoard('').board).toBeUndefined()
  })

  it('reads field lines and refuses what it cannot set, naming the line', () => {
    const ok = parseProjectFields(
      'Status = Triage\nEvents = {{ events }}\nWhere = {{project}}: {{culprit}}'
    )
    expect(ok.problems).toEqual([])
    expect(ok.fields.map((f) => f.field)).toEqual(['Status', 'Events', 'Where'])
    const bad = parseProjectFields(
      'Status\nEvents = {{eventz}}\nA = {{title\nStatus = x\nstatus = y'
    )
    expect(bad.problems).toEqual([
      expect.stringMatching(/^project-fields line 1: expected "Field Name = value"/),
      expect.stringMatching(
        /^project-fields line 2: \{\{eventz\}\} is not a Sentry value; the variables are /
      ),
      expect.stringMatching(/^project-fields line 3: a \{\{ without its \}\}/),
      expect.stringMatching(/^project-fields line 5: the field "status" is set twice/)
    ])
    expect(parseContentOptions({ 'project-fields': 'Status = Triage' }).problems).toEqual([
      'project-fields needs project-board: the fields are set on that board'
    ])
  })

  it('bad values stop the run before any request, naming the input', async () => {
    h = await startHarness()
    h.sentry.seed(1, { seed: 308 })
    const result = await h.run({ 'project-board': 'acme', 'project-fields': 'Events = {{nope}}' })
    expect(result.failed).toBe(true)
    expect(result.stdout).toContain('project-board must be')
    expect(result.stdout).toContain('project-fields line 1')
    expect(h.github.requests).toHaveLength(0)
  })

  it('gives each field kind its value: numbers and dates checked, counts rough', () => {
    const issue = {
      count: 1234,
      userCount: 12,
      firstSeen: '2026-11-30T10:00:00Z',
      priority: 'high',
      shortId: 'WEB-1',
      project: { slug: 'web' }
    } as unknown as SentryIssue
    const [events, seen, label] = parseProjectFields(
      'E = {{events}}\nS = {{firstSeen}}\nL = {{shortId}} in {{project}}'
    ).fields
    expect(projectFieldValue(events!, issue, 'number')).toBe(1200)
    expect(projectFieldValue(events!, issue, 'text')).toBe('1,200+')
    expect(projectFieldValue(seen!, issue, 'date')).toBe('2026-11-30')
    expect(projectFieldValue(label!, issue, 'number')).toBeUndefined()
    expect(projectFieldValue(label!, issue, 'text')).toBe('WEB-1 in web')
  })

  it('counts its writes in the budget: an add, and an update when fields are set', () => {
    const config = (extra: Record<string, string>): Parameters<typeof stepWrites>[0] =>
      parseConfig({
        ...VALID_INPUTS,
        ...extra
      })
    expect(stepWrites(config({ 'project-board': 'acme/7' }))).toEqual({
      perCreate: 1,
      perUpdate: 1
    })
    expect(
      stepWrites(config({ 'project-board': 'acme/7', 'project-fields': 'Status = Triage' }))
    ).toEqual({ perCreate: 2, perUpdate: 1 })
  })
})

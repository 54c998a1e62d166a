import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { issueOf, startHarness, type Harness } from './helpers/harness.js'
import type { FakeIssue as SentryIssue } from '../src/fakes/fake-sentry.js'
import { findStatsBlock } from '../src/render/stats-block.js'

/**
 * Two-way sync beyond status, through both fakes: a person's reopen unresolves the Sentry issue
 * (issues: reopened), and assignees travel both ways (sync-assignees with assignee-map) on
 * scheduled runs and on issues assigned/unassigned events, the side that changed last winning,
 * nothing echoing back, an unmapped person one warning.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

const MAP = 'ada@example.com => ada-l\ngrace@example.com => grace-h\n#backend => backend-lead'
const ASSIGN = { 'sync-assignees': 'both', 'assignee-map': MAP }

function sentryWrites(): Array<{ method: string; path: string }> {
  return h.sentry.requests.filter((r) => r.method !== 'GET')
}

function githubWrites(): Array<{ method: string; path: string }> {
  return h.github.requests.filter((r) => r.method !== 'GET')
}

async function withEvent<T>(name: string, payload: unknown, fn: () => Promise<T>): Promise<T> {
  const path = `${h.workdir}/event.json`
  await writeFile(path, JSON.stringify(payload))
  process.env.GITHUB_EVENT_NAME = name
  process.env.GITHUB_EVENT_PATH = path
  try {
    return await fn()
  } finally {
    delete process.env.GITHUB_EVENT_NAME
    delete process.env.GITHUB_EVENT_PATH
  }
}

function payloadOf(action: string, sentryId: unknown, extra: Record<string, unknown> = {}) {
  const gh = issueOf(h.github, sentryId)
  return {
    action,
    issue: {
      id: gh.id,
      number: gh.number,
      body: gh.body,
      html_url: `https://github.com/acme/web/issues/${gh.number}`,
      state: gh.state,
      state_reason: gh.state_reason,
      created_at: gh.created_at,
      closed_at: gh.closed_at
    },
    sender: { login: 'octocat-person', type: 'User' },
    ...extra
  }
}

function seedOne(assignedTo: Record<string, unknown> | null = null): SentryIssue {
  return h.sentry.addIssue({ count: 5, userCount: 2, assignedTo })
}

describe('a reopen unresolves (issues: reopened, resolve-in-sentry)', () => {
  it('a person reopening the issue the action closed sets the Sentry issue unresolved', async () => {
    const a = seedOne()
    await h.run()
    a['status'] = 'resolved'
    await h.run()
    const gh = issueOf(h.github, a['id'])
    expect(gh.state).toBe('closed')
    h.github.personReopen(gh.number)
    const before = sentryWrites().length
    const result = await withEvent('issues', payloadOf('reopened', a['id']), () =>
      h.run({ 'resolve-in-sentry': 'true' })
    )
    expect(result.failed).toBe(false)
    expect(a['status']).toBe('unresolved')
    const writes = sentryWrites().slice(before)
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `PUT /api/0/organizations/acme/issues/${String(a['id'])}/`
    ])
    expect(result.outputs.updated).toBe('1')
  })

  it('leaves Sentry alone when it already regressed the issue (the action’s own reopen)', async () => {
    const a = seedOne()
    await h.run()
    a['status'] = 'resolved'
    await h.run()
    a['status'] = 'unresolved'
    a['substatus'] = 'regressed'
    await h.run() // the action reopens it
    expect(issueOf(h.github, a['id']).state).toBe('open')
    const before = sentryWrites().length
    const result = await withEvent('issues', payloadOf('reopened', a['id']), () =>
      h.run({ 'resolve-in-sentry': 'true' })
    )
    expect(result.failed).toBe(false)
    expect(sentryWrites().slice(before)).toHaveLength(0)
    expect(result.summary).toContain('already unresolved in Sentry')
  })

  it('changes nothing with resolve-in-sentry off, and a dry run only says what it would do', async () => {
    const a = seedOne()
    await h.run()
    a['status'] = 'resolved'
    await h.run()
    h.github.personReopen(issueOf(h.github, a['id']).number)
    const before = sentryWrites().length
    await withEvent('issues', payloadOf('reopened', a['id']), () => h.run())
    const dry = await withEvent('issues', payloadOf('reopened', a['id']), () =>
      h.run({ 'resolve-in-sentry': 'true', 'dry-run': 'true' })
    )
    expect(sentryWrites().slice(before)).toHaveLength(0)
    expect(a['status']).toBe('resolved')
    expect(dry.summary).toContain('would unresolve in Sentry')
  })
})

describe('assignees both ways (sync-assignees)', () => {
  it('Sentry → GitHub: a scheduled run adds the mapped login, once, and remembers it', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    expect(gh.assignees).toEqual([])
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    const result = await h.run(ASSIGN)
    expect(result.failed).toBe(false)
    expect(gh.assignees).toEqual(['ada-l'])
    expect(findStatsBlock(gh.body)?.memory.assignees).toEqual({
      sa: 'u101',
      ga: ['ada-l'],
      gm: 'ada-l'
    })
    // Steady state: nothing travels again, and no request beyond a plain run's.
    h.github.resetRequests()
    const sentryBefore = h.sentry.requests.length
    await h.run(ASSIGN)
    expect(githubWrites()).toHaveLength(0)
    expect(sentryWrites()).toHaveLength(0)
    const withSync = h.github.requests.length + h.sentry.requests.length - sentryBefore
    h.github.resetRequests()
    const plainBefore = h.sentry.requests.length
    await h.run()
    expect(h.github.requests.length + h.sentry.requests.length - plainBefore).toBe(withSync)
  })

  it('Sentry → GitHub: a reassignment swaps the login it added and keeps one a person added', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    await h.run(ASSIGN)
    // Both changed since they agreed: a person added someone on GitHub, then Sentry moved to
    // Grace later, so Sentry wins, and the person's addition stays.
    h.github.personAssign(gh.number, ['someone-else'])
    h.sentry.now = () => new Date(Date.now() + 60_000)
    h.sentry.personAssign(String(a['id']), 'grace@example.com')
    await h.run(ASSIGN)
    expect([...gh.assignees].sort()).toEqual(['grace-h', 'someone-else'])
  })

  it('GitHub → Sentry: a person’s assignment travels on the next scheduled run, without echo', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    h.github.personAssign(gh.number, ['grace-h'])
    const result = await h.run(ASSIGN)
    expect(result.failed).toBe(false)
    expect(a['assignedTo']).toMatchObject({ type: 'user', id: '102' })
    expect(sentryWrites().filter((w) => w.method === 'PUT')).toHaveLength(1)
    h.github.resetRequests()
    await h.run(ASSIGN)
    expect(sentryWrites().filter((w) => w.method === 'PUT')).toHaveLength(1)
    expect(githubWrites()).toHaveLength(0)
    // An unassignment clears it.
    h.github.personAssign(gh.number, [], ['grace-h'])
    await h.run(ASSIGN)
    expect(a['assignedTo']).toBeNull()
  })

  it('GitHub → Sentry on an issues assigned event, to a team by its slug', async () => {
    h.sentry.signals.addTeam('backend')
    const a = seedOne()
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    h.github.personAssign(gh.number, ['backend-lead'])
    const payload = payloadOf('assigned', a['id'], { assignee: { login: 'backend-lead' } })
    const result = await withEvent('issues', payload, () => h.run(ASSIGN))
    expect(result.failed).toBe(false)
    expect(a['assignedTo']).toMatchObject({ type: 'team', name: 'backend' })
    expect(result.outputs.updated).toBe('1')
    // The same event again (a redelivery, or the action's own change coming back): nothing.
    const before = sentryWrites().length
    await withEvent('issues', payloadOf('assigned', a['id']), () => h.run(ASSIGN))
    expect(sentryWrites().length).toBe(before)
  })

  it('assignee-map may name a Sentry user by id (1234 or user:1234), both ways', async () => {
    const byId = { 'sync-assignees': 'both', 'assignee-map': '101 => ada-l\nuser:102 => grace-h' }
    const a = seedOne()
    await h.run(byId)
    const gh = issueOf(h.github, a['id'])
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    await h.run(byId)
    expect(gh.assignees).toEqual(['ada-l'])
    h.github.personAssign(gh.number, ['grace-h'], ['ada-l'])
    h.github.resetRequests()
    const result = await h.run(byId)
    expect(result.failed).toBe(false)
    expect(a['assignedTo']).toMatchObject({ type: 'user', id: '102' })
    // A new issue assigned in Sentry to a user named by id gets the mapped login at once.
    const b = seedOne({ type: 'user', id: '101', name: 'Ada', email: 'ada@example.com' })
    await h.run({ 'assignee-map': '101 => ada-l' })
    expect(issueOf(h.github, b['id']).assignees).toEqual(['ada-l'])
  })

  it('both changed since they agreed: the side that changed last wins', async () => {
    const a = seedOne({ type: 'user', id: '101', name: 'Ada Lovelace', email: 'ada@example.com' })
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    await h.run(ASSIGN)
    expect(gh.assignees).toEqual(['ada-l'])
    // Sentry moves to Grace first, then a person on GitHub to the team's login later.
    const real = h.sentry.now
    h.sentry.now = () => new Date(Date.now() - 120_000)
    h.sentry.personAssign(String(a['id']), 'grace@example.com')
    h.sentry.now = real
    h.github.personAssign(gh.number, ['backend-lead'], ['ada-l'])
    h.sentry.signals.addTeam('backend')
    await h.run(ASSIGN)
    expect(a['assignedTo']).toMatchObject({ type: 'team', name: 'backend' })
    expect(gh.assignees).toEqual(['backend-lead'])
  })

  it('an unmapped person is one warning and nothing changes', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    h.sentry.personAssign(String(a['id']), 'alan@example.com')
    h.github.resetRequests()
    const result = await h.run(ASSIGN)
    expect(result.failed).toBe(false)
    expect(githubWrites().filter((w) => w.path.endsWith('/assignees'))).toHaveLength(0)
    expect(result.stdout).toContain('Alan Turing (assigned in Sentry) is not in assignee-map')
    // Told once: the next run reads nothing more and warns no more.
    h.github.resetRequests()
    const sentryBefore = h.sentry.requests.length
    const again = await h.run(ASSIGN)
    expect(again.stdout).not.toContain('is not in assignee-map')
    expect(githubWrites()).toHaveLength(0)
    expect(h.github.requests.some((r) => r.path.endsWith('/timeline'))).toBe(false)
    expect(
      h.sentry.requests.slice(sentryBefore).some((r) => r.path.endsWith(`/${String(a['id'])}/`))
    ).toBe(false)
    const gh = issueOf(h.github, a['id'])
    h.github.personAssign(gh.number, ['stranger'])
    const before = sentryWrites().length
    await h.run({ ...ASSIGN, 'sync-assignees': 'to-sentry' })
    expect(sentryWrites().length).toBe(before)
  })

  it('one way only: to-github never writes Sentry, to-sentry never writes GitHub assignees', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    const gh = issueOf(h.github, a['id'])
    h.github.personAssign(gh.number, ['grace-h'])
    const before = sentryWrites().length
    await h.run({ ...ASSIGN, 'sync-assignees': 'to-github' })
    expect(sentryWrites().length).toBe(before)
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    h.github.resetRequests()
    await h.run({ ...ASSIGN, 'sync-assignees': 'to-sentry' })
    expect(githubWrites().filter((w) => w.path.endsWith('/assignees'))).toHaveLength(0)
  })

  it('a dry run reports what would travel and writes nothing on either side', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    h.github.resetRequests()
    const before = sentryWrites().length
    const result = await h.run({ ...ASSIGN, 'dry-run': 'true' })
    expect(githubWrites()).toHaveLength(0)
    expect(sentryWrites().length).toBe(before)
    expect(result.summary).toContain('would assign ada-l on GitHub')
  })

  it('Sentry refusing an assignee (not a member) is a warning naming the issue; the run goes on', async () => {
    const [a, b] = [seedOne(), seedOne()]
    await h.run(ASSIGN)
    h.sentry.nonMembers = ['102']
    h.github.personAssign(issueOf(h.github, a['id']).number, ['grace-h'])
    h.github.personAssign(issueOf(h.github, b['id']).number, ['ada-l'])
    const result = await h.run(ASSIGN)
    expect(result.stdout).toContain('Cannot assign to non-team member')
    expect(a['assignedTo']).toBeNull()
    expect(b['assignedTo']).toMatchObject({ id: '101' })
  })

  it('a login GitHub cannot assign is one warning; Sentry keeps its assignee', async () => {
    const a = seedOne()
    await h.run(ASSIGN)
    h.github.assignableUsers = ['grace-h']
    h.sentry.personAssign(String(a['id']), 'ada@example.com')
    const first = await h.run(ASSIGN)
    expect(first.stdout).toContain('GitHub did not assign ada-l')
    expect(issueOf(h.github, a['id']).assignees).toEqual([])
    const again = await h.run(ASSIGN)
    expect(again.stdout).not.toContain('GitHub did not assign')
    expect(a['assignedTo']).toMatchObject({ id: '101' })
  })

  it('bad input: one error naming the input, before any request', async () => {
    const wrong = await h.run({ 'sync-assignees': 'sideways' })
    expect(wrong.failed).toBe(true)
    expect(wrong.stdout).toContain('sync-assignees must be one of: off, both, to-sentry, to-github')
    const unmapped = await h.run({ 'sync-assignees': 'both' })
    expect(unmapped.failed).toBe(true)
    expect(unmapped.stdout).toContain('sync-assignees both needs assignee-map')
    expect(h.sentry.requests).toHaveLength(0)
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startHarness, type Harness } from './helpers/harness.js'
import type { FakeIssue } from '../src/fakes/fake-github.js'
import { roughCount } from '../src/render/stats-block.js'

/**
 * Lifecycle sync through both fakes: the living stats block, close on resolve, the regression
 * policy, deletions, and the opt-in two-way sync. Each row of the state table in
 * docs/how-it-works.md is a test.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

function writes(): Array<{ method: string; path: string; body: unknown }> {
  return h.github.requests.filter((r) => r.method !== 'GET')
}

function issueFor(sentryId: unknown): FakeIssue {
  const found = h.github.issues.find((i) =>
    new RegExp(`^<!-- sentry-issue: 127\\.0\\.0\\.1:\\d+/acme/${String(sentryId)} -->`).test(
      i.body ?? ''
    )
  )
  if (!found) throw new Error(`no GitHub issue for ${String(sentryId)}`)
  return found
}

function sentryWrites(): Array<{ method: string; path: string }> {
  return h.sentry.requests.filter((r) => r.method !== 'GET')
}

describe('living stats block', () => {
  it('rewrites only the issues whose counts changed, with one PATCH each, and nothing else', async () => {
    const seeded = h.sentry.seed(6, { seed: 61 })
    await h.run()
    h.github.resetRequests()

    // Changes a reader sees (the shown figures move): one rewrite each.
    seeded[1]!.count = String(Number(seeded[1]!.count) * 3 + 150)
    seeded[4]!.userCount = Number(seeded[4]!.userCount) * 3 + 150
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(result.outputs.updated).toBe('2')
    const patches = writes()
    expect(patches).toHaveLength(2)
    expect(patches.every((w) => w.method === 'PATCH')).toBe(true)
    expect(patches.map((w) => w.path).sort()).toEqual(
      [issueFor(seeded[1]!.id).number, issueFor(seeded[4]!.id).number]
        .map((n) => `/repos/acme/web/issues/${n}`)
        .sort()
    )
    expect(issueFor(seeded[1]!.id).body).toContain(
      `| Events | ${roughCount(Number(seeded[1]!.count))} |`
    )

    h.github.resetRequests()
    const steady = await h.run()
    expect(steady.outputs.updated).toBe('0')
    expect(writes()).toHaveLength(0)
  })

  it('keeps a person’s edits outside the block byte for byte over ten update runs', async () => {
    const [issue] = h.sentry.seed(1, { seed: 62 })
    await h.run()
    const gh = issueFor(issue!.id)
    const body = gh.body!
    const start = body.indexOf('<!-- sentry-stats:start')
    const end = body.indexOf('<!-- sentry-stats:end -->') + '<!-- sentry-stats:end -->'.length
    const before = `${body.slice(0, start)}Notes from triage: @alice owns this. ✔\r\n\n`
    const after = `${body.slice(end)}\n\n## Investigation\n- [x] reproduced\n<details>kept</details>\n`
    gh.body = before + body.slice(start, end) + after
    for (let run = 1; run <= 10; run++) {
      // A third more each time: past the next step of the reader's precision.
      issue!.count = String(Math.ceil(Number(issue!.count) * 1.34) + 10)
      const result = await h.run()
      expect(result.outputs.updated).toBe('1')
      const now = gh.body
      expect(now.startsWith(before)).toBe(true)
      expect(now.endsWith(after)).toBe(true)
      expect(now).toContain(`| Events | ${roughCount(Number(issue!.count))} |`)
    }
  })

  it('writes nothing with update-existing: false', async () => {
    const [issue] = h.sentry.seed(1, { seed: 63 })
    await h.run()
    h.github.resetRequests()
    issue!.count = String(Number(issue!.count) + 100)
    const result = await h.run({ 'update-existing': 'false' })
    expect(result.outputs.updated).toBe('0')
    expect(writes()).toHaveLength(0)
  })
})

describe('state table', () => {
  it('resolved in Sentry, open on GitHub: closed as completed with a comment', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 64 })
    await h.run()
    a!.status = 'resolved'
    a!.substatus = null
    a!.statusDetails = { inRelease: 'web@2.4.1' }
    const result = await h.run()
    expect(result.outputs.closed).toBe('1')
    const gh = issueFor(a!.id)
    expect(gh.state).toBe('closed')
    expect(gh.state_reason).toBe('completed')
    // The release is a code span: it mentions no one and copies as it is.
    expect(gh.comments.at(-1)?.body).toContain('Resolved in Sentry in release `web@2.4.1`')
    expect(gh.body).toMatch(/<!-- sentry-stats:start status=resolved[ -]/)
    expect(issueFor(b!.id).state).toBe('open')
    // Looked up in one batch request, not one per issue.
    const lookups = h.sentry.requests.filter((r) => r.query.getAll('group').length > 0)
    expect(lookups).toHaveLength(1)
  })

  it('resolved in Sentry with close-on-resolve: false: the block records it, the issue stays open', async () => {
    const [a] = h.sentry.seed(1, { seed: 65 })
    await h.run()
    a!.status = 'resolved'
    const result = await h.run({ 'close-on-resolve': 'false' })
    expect(result.outputs.closed).toBe('0')
    expect(issueFor(a!.id).state).toBe('open')
    expect(issueFor(a!.id).body).toContain('status=resolved')
  })

  it('ignored in Sentry: recorded by default, closed as not planned with close-on-ignore', async () => {
    const [a] = h.sentry.seed(1, { seed: 66 })
    await h.run()
    a!.status = 'ignored'
    a!.substatus = 'archived_forever'
    await h.run()
    expect(issueFor(a!.id).state).toBe('open')
    expect(issueFor(a!.id).body).toContain('status=ignored')
    const result = await h.run({ 'close-on-ignore': 'true' })
    expect(result.outputs.closed).toBe('1')
    expect(issueFor(a!.id).state_reason).toBe('not_planned')
  })

  async function resolveThenRegress(inputs: Record<string, string> = {}) {
    const [a] = h.sentry.seed(1, { seed: 67 })
    await h.run(inputs)
    a!.status = 'resolved'
    await h.run(inputs)
    expect(issueFor(a!.id).state).toBe('closed')
    a!.status = 'unresolved'
    a!.substatus = 'regressed'
    a!.count = String(Number(a!.count) + 10)
    a!.lastSeen = new Date().toISOString()
    return a!
  }

  it('regressed, closed on GitHub, on-regression reopen (default): reopened with a comment', async () => {
    const a = await resolveThenRegress()
    const result = await h.run()
    expect(result.outputs.reopened).toBe('1')
    const gh = issueFor(a.id)
    expect(gh.state).toBe('open')
    expect(gh.comments.at(-1)?.body).toMatch(/back in Sentry \(regressed\): [\d,]+ events/)
    const again = await h.run()
    expect(again.outputs.reopened).toBe('0')
  })

  it('regressed with on-regression new: a new issue links the old one; one marker per Sentry issue', async () => {
    const a = await resolveThenRegress({ 'on-regression': 'new' })
    const old = issueFor(a.id)
    const result = await h.run({ 'on-regression': 'new' })
    expect(result.outputs.created).toBe('1')
    expect(h.github.issues).toHaveLength(2)
    const current = issueFor(a.id)
    expect(current.number).not.toBe(old.number)
    expect(current.body).toContain(`#${old.number}`)
    expect(old.state).toBe('closed')
    expect(old.body!.startsWith('<!-- sentry-issue (superseded')).toBe(true)
    const again = await h.run({ 'on-regression': 'new' })
    expect(again.outputs.created).toBe('0')
  })

  it('regressed with on-regression comment: one comment, the issue stays closed', async () => {
    const a = await resolveThenRegress({ 'on-regression': 'comment' })
    const commentsBefore = issueFor(a.id).comments.length
    await h.run({ 'on-regression': 'comment' })
    await h.run({ 'on-regression': 'comment' })
    const gh = issueFor(a.id)
    expect(gh.state).toBe('closed')
    expect(gh.comments).toHaveLength(commentsBefore + 1)
  })

  it('regressed with on-regression ignore: nothing is written', async () => {
    const a = await resolveThenRegress({ 'on-regression': 'ignore' })
    h.github.resetRequests()
    await h.run({ 'on-regression': 'ignore' })
    expect(writes()).toHaveLength(0)
    expect(issueFor(a.id).state).toBe('closed')
  })

  it('a person’s not-planned close is never reopened, unless reopen-not-planned is on', async () => {
    const a = await resolveThenRegress()
    issueFor(a.id).state_reason = 'not_planned'
    const kept = await h.run()
    expect(issueFor(a.id).state).toBe('closed')
    expect(kept.summary.replace(/\\/g, '')).toContain(
      'regressed, but closed as not planned (reopen-not-planned is off)'
    )
    await h.run({ 'reopen-not-planned': 'true' })
    expect(issueFor(a.id).state).toBe('open')
  })

  it('deleted in Sentry: reported, a comment once, the issue stays open', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 68 })
    await h.run()
    h.sentry.issues.splice(h.sentry.issues.indexOf(a!), 1)
    const first = await h.run()
    expect(first.outputs.failed).toBe('0')
    const gh = issueFor(a!.id)
    expect(gh.state).toBe('open')
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]!.body).toContain('no longer has this issue')
    await h.run()
    expect(gh.comments).toHaveLength(1)
    expect(issueFor(b!.id).comments).toHaveLength(0)
  })

  it('closed by a person while Sentry is unresolved: left alone without resolve-in-sentry', async () => {
    const [a] = h.sentry.seed(1, { seed: 69 })
    await h.run()
    const gh = issueFor(a!.id)
    gh.state = 'closed'
    gh.state_reason = 'completed'
    gh.closed_at = new Date().toISOString()
    h.github.resetRequests()
    await h.run()
    expect(gh.state).toBe('closed')
    expect(writes()).toHaveLength(0)
    expect(sentryWrites()).toHaveLength(0)
  })
})

describe('two-way sync', () => {
  it('resolve-in-sentry: a tracked issue a person closed as completed resolves its Sentry issue once', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 70 })
    await h.run({ 'resolve-in-sentry': 'true' })
    const gh = issueFor(a!.id)
    gh.state = 'closed'
    gh.state_reason = 'completed'
    gh.closed_at = new Date(Date.now() + 1000).toISOString()
    const result = await h.run({ 'resolve-in-sentry': 'true' })
    expect(result.failed).toBe(false)
    expect(a!.status).toBe('resolved')
    expect(b!.status).toBe('unresolved')
    expect(sentryWrites()).toHaveLength(1)
    await h.run({ 'resolve-in-sentry': 'true' })
    expect(sentryWrites()).toHaveLength(1)
  })
})

describe('issues.closed events and Sentry notes', () => {
  async function withEvent<T>(payload: unknown, fn: () => Promise<T>): Promise<T> {
    const { writeFile } = await import('node:fs/promises')
    const path = `${h.workdir}/event.json`
    await writeFile(path, JSON.stringify(payload))
    process.env.GITHUB_EVENT_NAME = 'issues'
    process.env.GITHUB_EVENT_PATH = path
    try {
      return await fn()
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
  }

  it('an issues.closed payload resolves exactly that Sentry issue, straight from the payload', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 71 })
    await h.run()
    const gh = issueFor(a!.id)
    gh.state = 'closed'
    gh.state_reason = 'completed'
    h.github.resetRequests()
    const sentryRequestsBefore = h.sentry.requests.length
    const payload = {
      action: 'closed',
      issue: {
        id: gh.id,
        number: gh.number,
        body: gh.body,
        html_url: 'https://github.com/acme/web/issues/1',
        state: 'closed',
        state_reason: 'completed',
        created_at: gh.created_at,
        closed_at: new Date().toISOString()
      }
    }
    const result = await withEvent(payload, () => h.run({ 'resolve-in-sentry': 'true' }))
    expect(result.failed).toBe(false)
    expect(a!.status).toBe('resolved')
    expect(b!.status).toBe('unresolved')
    const sentryCalls = h.sentry.requests.slice(sentryRequestsBefore)
    // The organisation (which installation this is), that issue and one PUT: no listing, no
    // sync of the others.
    expect(sentryCalls.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/0/organizations/acme/',
      `GET /api/0/organizations/acme/issues/${String(a!.id)}/`,
      `PUT /api/0/organizations/acme/issues/${String(a!.id)}/`
    ])
    expect(
      h.github.requests.filter((r) => r.path.endsWith('/issues') && r.method === 'GET')
    ).toHaveLength(0)
    expect(result.outputs.updated).toBe('1')
  })

  it('an issues.closed payload for an issue the action closed itself changes nothing', async () => {
    const [a] = h.sentry.seed(1, { seed: 72 })
    await h.run()
    a!.status = 'resolved'
    await h.run()
    const gh = issueFor(a!.id)
    a!.status = 'unresolved'
    const payload = {
      action: 'closed',
      issue: { number: gh.number, body: gh.body, state_reason: 'completed', state: 'closed' }
    }
    await withEvent(payload, () => h.run({ 'resolve-in-sentry': 'true' }))
    expect(a!.status).toBe('unresolved')
  })

  it('sentry-comment posts a note linking the new issue; a refusal is a warning with the fix', async () => {
    const [a] = h.sentry.seed(1, { seed: 73 })
    const result = await h.run({ 'sentry-comment': 'true' })
    expect(h.sentry.notes).toHaveLength(1)
    expect(h.sentry.notes[0]!.issueId).toBe(String(a!.id))
    expect(h.sentry.notes[0]!.text).toContain(`/issues/${issueFor(a!.id).number}`)
    expect(result.failed).toBe(false)

    h.sentry.notesForbidden = true
    h.sentry.seed(1, { seed: 74 })
    const refused = await h.run({ 'sentry-comment': 'true' })
    expect(refused.failed).toBe(false)
    expect(refused.outputs.created).toBe('1')
    expect(refused.stdout).toMatch(
      /::warning::Could not post a note on Sentry issue .*user auth token with event:write/
    )
  })
})

describe('lookups that look wrong', () => {
  it('does not treat most tracked issues vanishing at once as deletions', async () => {
    const seeded = h.sentry.seed(12, { seed: 75 })
    await h.run()
    for (const issue of seeded.slice(0, 11))
      h.sentry.issues.splice(h.sentry.issues.indexOf(issue), 1)
    h.github.resetRequests()
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(h.github.writeCount()).toBe(0)
    expect(result.stdout).toMatch(
      /::warning::Sentry returned 0 of 11 tracked issues looked up by id/
    )
  })

  it('two workflows, one label, different projects: each touches only its own projects’ issues', async () => {
    h.sentry.addProject('web')
    h.sentry.addProject('api')
    const [web] = h.sentry.seed(1, { projectSlug: 'web', seed: 76 })
    const [api] = h.sentry.seed(1, { projectSlug: 'api', seed: 77 })
    await h.run({ 'sentry-projects': 'web' })
    await h.run({ 'sentry-projects': 'api' })
    api!.status = 'resolved'
    web!.status = 'resolved'
    const webRun = await h.run({ 'sentry-projects': 'web' })
    expect(webRun.outputs.closed).toBe('1')
    expect(issueFor(web!.id).state).toBe('closed')
    expect(issueFor(api!.id).state).toBe('open')
    const apiRun = await h.run({ 'sentry-projects': 'api' })
    expect(apiRun.outputs.closed).toBe('1')
    expect(issueFor(api!.id).state).toBe('closed')
    expect(issueFor(api!.id).comments.every((c) => !c.body.includes('no longer has'))).toBe(true)
    // Id look-ups ask across every project the token can access.
    const lookups = h.sentry.requests.filter((r) => r.query.getAll('group').length > 0)
    expect(lookups.length).toBeGreaterThan(0)
    expect(lookups.every((r) => r.query.getAll('project').join(',') === '-1')).toBe(true)
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { plainSummary, startHarness, type Harness, type InProcessRun } from './helpers/harness.js'
import type { FakeIssue } from '../src/fakes/fake-github.js'
import type { FakeIssue as FakeSentryIssue } from '../src/fakes/fake-sentry.js'
import { parseConfig } from '../src/inputs/config.js'

/**
 * Fixed on GitHub, known in Sentry: resolving in the commit that closed the issue (with its
 * fall-backs), the issue linked in Sentry through an integration installation (and kept right
 * through Sentry merges), and regressions filed as sub-issues. End to end through the real
 * clients against both fakes.
 */

let h: Harness
/** The fake GitHub's clock: a person's close lands after the previous run ended. */
let clock = Date.now()

beforeEach(async () => {
  clock = Date.now()
  h = await startHarness({ github: { now: () => clock } })
})
afterEach(async () => {
  await h.close()
})

const SHA = '4f2b9c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c'
const MERGE_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const RESOLVE = { 'resolve-in-sentry': 'true' }

function issueFor(sentryId: unknown): FakeIssue {
  const found = h.github.issues.find((i) =>
    new RegExp(`^<!-- sentry-issue: 127\\.0\\.0\\.1:\\d+/acme/${String(sentryId)} -->`).test(
      i.body ?? ''
    )
  )
  if (!found) throw new Error(`no GitHub issue for ${String(sentryId)}`)
  return found
}

function warnings(run: InProcessRun, pattern: RegExp): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith('::warning') && pattern.test(l))
}

/** The job summary without its Markdown escapes (backslashes, zero-width spaces). */
const plain = plainSummary

function puts(): number {
  return h.sentry.requests.filter((r) => r.method === 'PUT').length
}

/** A person acts on GitHub after the previous run. */
function later(): void {
  clock = Date.now() + 5000
}

function details(issue: FakeSentryIssue | undefined): Record<string, unknown> {
  return (issue?.['statusDetails'] ?? {}) as Record<string, unknown>
}

describe('resolve in the fixing commit', () => {
  it('a commit that closed the issue resolves the Sentry issue in that commit, once', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 301 })
    await h.run(RESOLVE)
    later()
    h.github.personCloseByCommit(issueFor(a!.id).number, SHA)
    const result = await h.run(RESOLVE)
    expect(result.failed).toBe(false)
    expect(a!['status']).toBe('resolved')
    expect(details(a)['inCommit']).toEqual({ id: SHA, repository: { name: 'acme/web' } })
    expect(b!['status']).toBe('unresolved')
    expect(plain(result.summary)).toContain('resolved in Sentry in commit 4f2b9c1 (commit)')
    expect(result.outputs.updated).toBe('1')
    const before = puts()
    await h.run(RESOLVE)
    expect(puts()).toBe(before)
  })

  it('a merged pull request that closed the issue: resolved in its merge commit', async () => {
    const [a] = h.sentry.seed(1, { seed: 302 })
    await h.run(RESOLVE)
    later()
    h.github.personCloseByPullRequest(issueFor(a!.id).number, 40, MERGE_SHA)
    const result = await h.run(RESOLVE)
    expect(details(a)['inCommit']).toEqual({ id: MERGE_SHA, repository: { name: 'acme/web' } })
    expect(plain(result.summary)).toContain('resolved in Sentry in commit a1b2c3d')
  })

  it('closed by hand after a merged pull request referenced it: resolved in the merge commit', async () => {
    const [a] = h.sentry.seed(1, { seed: 303 })
    await h.run(RESOLVE)
    later()
    const number = issueFor(a!.id).number
    h.github.referenceFromMergedPullRequest(number, 41, MERGE_SHA)
    clock += 1000
    h.github.personClose(number, 'completed')
    const result = await h.run(RESOLVE)
    expect(details(a)['inCommit']).toEqual({ id: MERGE_SHA, repository: { name: 'acme/web' } })
    expect(plain(result.summary)).toContain('(pull request #41)')
  })

  it('closed by hand with no commit: plainly resolved, as before', async () => {
    const [a] = h.sentry.seed(1, { seed: 304 })
    await h.run(RESOLVE)
    later()
    h.github.personClose(issueFor(a!.id).number, 'completed')
    const before = puts()
    await h.run(RESOLVE)
    expect(a!['status']).toBe('resolved')
    expect(details(a)).toEqual({})
    expect(puts()).toBe(before + 1)
  })

  it('repository not connected to Sentry: the next release where one is known, one warning', async () => {
    h.sentry.links.repositories = ['acme/other']
    const [a, b] = h.sentry.seed(2, { seed: 305 })
    await h.run(RESOLVE)
    later()
    h.github.personCloseByCommit(issueFor(a!.id).number, SHA)
    h.github.personCloseByCommit(issueFor(b!.id).number, MERGE_SHA)
    const result = await h.run(RESOLVE)
    expect(result.failed).toBe(false)
    expect(a!['status']).toBe('resolved')
    expect(details(a)).toEqual({ inNextRelease: true })
    expect(details(b)).toEqual({ inNextRelease: true })
    expect(warnings(result, /Unable to find the given repository/)).toHaveLength(1)
    expect(plain(result.summary)).toContain('resolved in Sentry in the next release')
  })

  it('repository not connected and no release known: plainly resolved, and the row says so', async () => {
    h.sentry.links.repositories = []
    const a = h.sentry.addIssue({ projectSlug: 'no-releases' })
    await h.run(RESOLVE)
    expect(issueFor(a['id']).body).toContain('| Release | — |')
    later()
    h.github.personCloseByCommit(issueFor(a['id']).number, SHA)
    const before = puts()
    const result = await h.run(RESOLVE)
    expect(a['status']).toBe('resolved')
    expect(details(a)).toEqual({})
    // The refused inCommit, then the plain resolve: no next-release attempt without a release.
    expect(puts()).toBe(before + 2)
    expect(plain(result.summary)).toContain(
      'resolved in Sentry (Sentry does not know commit 4f2b9c1)'
    )
  })

  it('a timeline GitHub will not read is one warning; the issue is plainly resolved', async () => {
    const [a] = h.sentry.seed(1, { seed: 306 })
    await h.run(RESOLVE)
    later()
    h.github.personCloseByCommit(issueFor(a!.id).number, SHA)
    h.github.injectFault({ kind: 'status', status: 403, pathIncludes: '/timeline' })
    const result = await h.run(RESOLVE)
    expect(a!['status']).toBe('resolved')
    expect(details(a)).toEqual({})
    expect(warnings(result, /Could not read the timeline/)).toHaveLength(1)
  })

  it('the issues.closed event path resolves in the commit too', async () => {
    const [a] = h.sentry.seed(1, { seed: 307 })
    await h.run()
    later()
    const gh = h.github.personCloseByCommit(issueFor(a!.id).number, SHA)
    const path = `${h.workdir}/event.json`
    await writeFile(
      path,
      JSON.stringify({
        action: 'closed',
        issue: {
          id: gh.id,
          number: gh.number,
          body: gh.body,
          html_url: `${h.github.serverUrl}/acme/web/issues/${gh.number}`,
          state: 'closed',
          state_reason: 'completed',
          created_at: gh.created_at,
          closed_at: gh.closed_at
        }
      })
    )
    process.env.GITHUB_EVENT_NAME = 'issues'
    process.env.GITHUB_EVENT_PATH = path
    try {
      const result = await h.run(RESOLVE)
      expect(result.failed).toBe(false)
      expect(details(a)['inCommit']).toEqual({ id: SHA, repository: { name: 'acme/web' } })
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
  })
})

describe('the GitHub issue linked in Sentry (sentry-app-installation)', () => {
  it('links each new issue through the installation, instead of a note', async () => {
    const uuid = h.sentry.links.addInstallation()
    const [a, b] = h.sentry.seed(2, { seed: 311 })
    const result = await h.run({ 'sentry-app-installation': uuid, 'sentry-comment': 'true' })
    expect(result.failed).toBe(false)
    const links = h.sentry.links.externalIssues
    expect(links).toHaveLength(2)
    for (const s of [a!, b!]) {
      const gh = issueFor(s['id'])
      expect(links.find((l) => l.issueId === String(s['id']))).toMatchObject({
        displayName: `acme/web#${gh.number}`,
        webUrl: `${h.github.serverUrl}/acme/web/issues/${gh.number}`
      })
    }
    expect(h.sentry.notes).toHaveLength(0)
    // A steady run links nothing again.
    const posts = h.sentry.requests.filter((r) => r.method === 'POST').length
    await h.run({ 'sentry-app-installation': uuid })
    expect(h.sentry.requests.filter((r) => r.method === 'POST')).toHaveLength(posts)
  })

  it('an installation Sentry does not know: one warning, the issues still created', async () => {
    h.sentry.seed(2, { seed: 312 })
    const result = await h.run({
      'sentry-app-installation': '00000000-0000-4000-8000-000000000000'
    })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    expect(warnings(result, /Could not link .* in Sentry.*sentry-app-installation/)).toHaveLength(1)
  })

  it('a Sentry merge into an issue with its own GitHub issue: the duplicate’s link is deleted', async () => {
    const uuid = h.sentry.links.addInstallation()
    const inputs = { 'sentry-app-installation': uuid }
    const [survivor, merged] = h.sentry.seed(2, { seed: 313 })
    await h.run(inputs)
    const survivorIssue = issueFor(survivor!['id'])
    const mergedIssue = issueFor(merged!['id'])
    h.sentry.mergeIssues(String(survivor!['id']), [String(merged!['id'])])
    const result = await h.run(inputs)
    expect(mergedIssue.state_reason).toBe('duplicate')
    expect(h.sentry.links.externalIssues).toEqual([
      expect.objectContaining({
        issueId: String(survivor!['id']),
        webUrl: `${h.github.serverUrl}/acme/web/issues/${survivorIssue.number}`
      })
    ])
    expect(h.sentry.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1)
    expect(warnings(result, /link/)).toHaveLength(0)
  })

  it('merged into an issue without a GitHub issue: the link follows the issue that takes it over', async () => {
    const uuid = h.sentry.links.addInstallation()
    const inputs = { 'sentry-app-installation': uuid }
    const [merged] = h.sentry.seed(1, { seed: 314 })
    await h.run(inputs)
    const gh = issueFor(merged!['id'])
    // Sentry may drop the merged issue's link rather than move it: the run links it anew.
    h.sentry.links.externalIssues = []
    const survivor = h.sentry.addIssue({ status: 'ignored', count: 3 })
    h.sentry.mergeIssues(String(survivor['id']), [String(merged!['id'])])
    await h.run(inputs)
    expect(h.sentry.links.externalIssues).toEqual([
      expect.objectContaining({
        issueId: String(survivor['id']),
        webUrl: `${h.github.serverUrl}/acme/web/issues/${gh.number}`
      })
    ])
  })

  it('refuses a malformed installation UUID, naming the input', () => {
    expect(() =>
      parseConfig({
        'sentry-token': 't',
        'sentry-org': 'acme',
        'github-token': 'g',
        repository: 'acme/web',
        'sentry-app-installation': 'my-integration'
      })
    ).toThrow(/sentry-app-installation must be the installation UUID/)
  })
})

describe('on-regression: sub-issue', () => {
  async function resolveThenRegress(inputs: Record<string, string>): Promise<FakeSentryIssue> {
    const [a] = h.sentry.seed(1, { seed: 321 })
    await h.run(inputs)
    a!['status'] = 'resolved'
    await h.run(inputs)
    expect(issueFor(a!['id']).state).toBe('closed')
    a!['status'] = 'unresolved'
    a!['substatus'] = 'regressed'
    a!['count'] = String(Number(a!['count']) + 10)
    a!['lastSeen'] = new Date().toISOString()
    return a!
  }

  it('files the regression as a sub-issue of the closed issue, whose marker is retired', async () => {
    const inputs = { 'on-regression': 'sub-issue' }
    const a = await resolveThenRegress(inputs)
    const old = issueFor(a['id'])
    const result = await h.run(inputs)
    expect(result.outputs.created).toBe('1')
    const current = issueFor(a['id'])
    expect(current.number).not.toBe(old.number)
    expect(old.body!.startsWith('<!-- sentry-issue (superseded')).toBe(true)
    expect(h.github.subIssuesOf(old.number)).toEqual([current.number])
    expect(plain(result.summary)).toContain(`sub-issue of #${old.number}`)
    const again = await h.run(inputs)
    expect(again.outputs.created).toBe('0')
  })

  it('a GitHub without sub-issues (404): one warning, and the issue is still filed', async () => {
    const inputs = { 'on-regression': 'sub-issue' }
    const a = await resolveThenRegress(inputs)
    const old = issueFor(a['id'])
    h.github.injectFault({ kind: 'status', status: 404, pathIncludes: '/sub_issues' })
    const result = await h.run(inputs)
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('1')
    expect(issueFor(a['id']).number).not.toBe(old.number)
    expect(h.github.subIssuesOf(old.number)).toEqual([])
    expect(warnings(result, /no sub-issues/)).toHaveLength(1)
  })
})

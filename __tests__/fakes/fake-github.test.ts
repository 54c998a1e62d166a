import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { throttling } from '@octokit/plugin-throttling'
import { FakeGitHub, PERSON_LOGIN, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { silentLogger } from '../../src/log.js'
import type { GitHubContractChecker } from '../../src/fakes/contract.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * The fake GitHub driven by a real Octokit (from @actions/github) over real HTTP, so that what the
 * project's tests rely on is checked against the client the action actually uses.
 */

const started: FakeGitHub[] = []
const contracts: GitHubContractChecker[] = []

async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start(opts)
  started.push(fake)
  // Answers are checked against GitHub's OpenAPI description; requests are not, because several
  // tests here send invalid ones on purpose to check the fake's error answers.
  contracts.push(watchGitHubContract(fake, { requests: false }))
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
  for (const c of contracts.splice(0)) c.assertNoViolations()
})

function client(fake: FakeGitHub, token = fake.token): ReturnType<typeof getOctokit> {
  return getOctokit(token, { baseUrl: fake.url })
}

interface Failure {
  status: number
  data: Record<string, unknown>
  headers: Record<string, string | undefined>
}

/** Awaits a request that must fail and returns its status, body and headers. */
async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise
  } catch (error) {
    const e = error as {
      status?: number
      response?: { data?: unknown; headers?: Record<string, string | undefined> }
    }
    return {
      status: e.status ?? -1,
      data: (e.response?.data ?? {}) as Record<string, unknown>,
      headers: e.response?.headers ?? {}
    }
  }
  throw new Error('expected the request to fail')
}

/** A settable clock for the fake. */
function clock(startIso = '2025-03-01T12:00:00Z'): {
  now: () => number
  advance(ms: number): void
} {
  let t = Date.parse(startIso)
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    }
  }
}

const repo = { owner: 'acme', repo: 'web' }

describe('FakeGitHub: listing issues', () => {
  it('paginates 250 issues with GitHub-style Link headers', async () => {
    const fake = await start()
    for (let i = 1; i <= 250; i++) fake.addIssue({ title: `Issue ${i}` })
    const octokit = client(fake)

    const first = await octokit.rest.issues.listForRepo({ ...repo, per_page: 100 })
    expect(first.data).toHaveLength(100)
    expect(first.data[0]?.number).toBe(250) // created, descending
    const base = `${fake.url}/repos/acme/web/issues?per_page=100`
    expect(first.headers.link).toBe(`<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`)

    const middle = await octokit.rest.issues.listForRepo({ ...repo, per_page: 100, page: 2 })
    expect(middle.headers.link).toBe(
      `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", ` +
        `<${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`
    )

    const capped = await octokit.rest.issues.listForRepo({ ...repo, per_page: 250 })
    expect(capped.data).toHaveLength(100)

    fake.resetRequests()
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repo,
      state: 'all',
      per_page: 100
    })
    expect(all).toHaveLength(250)
    expect(new Set(all.map((i) => i.number)).size).toBe(250)
    expect(fake.requests.map((r) => r.query.get('page'))).toEqual([null, '2', '3'])
    expect(
      fake.requests.every((r) => r.status === 200 && r.path === '/repos/acme/web/issues')
    ).toBe(true)
  })

  it('defaults to 30 per page, open issues, and sorts as asked', async () => {
    const fake = await start()
    for (let i = 1; i <= 40; i++) {
      fake.addIssue({
        title: `Issue ${i}`,
        created_at: new Date(Date.UTC(2025, 0, i)).toISOString(),
        state: i % 10 === 0 ? 'closed' : 'open'
      })
    }
    const octokit = client(fake)
    const page = await octokit.rest.issues.listForRepo(repo)
    expect(page.data).toHaveLength(30)
    expect(page.data.every((i) => i.state === 'open')).toBe(true)
    const asc = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repo,
      direction: 'asc',
      state: 'closed'
    })
    expect(asc.map((i) => i.number)).toEqual([10, 20, 30, 40])
    expect(asc[0]?.state_reason).toBe('completed')
  })

  it('filters by labels (all must match, case-insensitively) and returns pull requests too', async () => {
    const fake = await start()
    const both = fake.addIssue({ title: 'both', labels: ['sentry', 'Bug'] })
    fake.addIssue({ title: 'one', labels: ['sentry'] })
    const pr = fake.addPullRequest('a PR', ['sentry', 'bug'])
    fake.addIssue({ title: 'gone', labels: ['sentry', 'bug'], deleted: true })
    fake.addIssue({ title: 'moved', labels: ['sentry', 'bug'], transferred: true })
    const octokit = client(fake)

    const { data } = await octokit.rest.issues.listForRepo({
      ...repo,
      labels: 'SENTRY,bug',
      state: 'all'
    })
    expect(data.map((i) => i.number).sort()).toEqual([both.number, pr.number].sort())
    const prItem = data.find((i) => i.number === pr.number)
    expect(prItem?.pull_request).toEqual({
      url: `${fake.url}/repos/acme/web/pulls/${pr.number}`,
      html_url: `${fake.serverUrl}/acme/web/pull/${pr.number}`,
      diff_url: `${fake.serverUrl}/acme/web/pull/${pr.number}.diff`,
      patch_url: `${fake.serverUrl}/acme/web/pull/${pr.number}.patch`,
      merged_at: null
    })
    const issueItem = data.find((i) => i.number === both.number)
    expect(issueItem).not.toHaveProperty('pull_request')
    expect(issueItem?.labels).toEqual([
      expect.objectContaining({ name: 'sentry', color: 'ededed', default: false }),
      expect.objectContaining({ name: 'Bug' })
    ])
  })

  it('renders issues with the fields and headers GitHub sends', async () => {
    const fake = await start()
    const seeded = fake.addIssue({
      title: 'Boom',
      body: 'text',
      labels: ['sentry'],
      assignees: ['octocat']
    })
    const octokit = client(fake)
    const res = await octokit.rest.issues.get({ ...repo, issue_number: seeded.number })
    const api = `${fake.url}/repos/acme/web/issues/${seeded.number}`
    expect(res.data).toMatchObject({
      url: api,
      repository_url: `${fake.url}/repos/acme/web`,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: `${fake.serverUrl}/acme/web/issues/${seeded.number}`,
      timeline_url: `${api}/timeline`,
      id: seeded.id,
      node_id: seeded.node_id,
      number: seeded.number,
      title: 'Boom',
      body: 'text',
      state: 'open',
      state_reason: null,
      locked: false,
      comments: 0,
      milestone: null,
      closed_at: null,
      closed_by: null,
      author_association: 'NONE',
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      assignee: { login: 'octocat', type: 'User' },
      assignees: [expect.objectContaining({ login: 'octocat' })],
      reactions: expect.objectContaining({ total_count: 0, '+1': 0 })
    })
    expect(res.data.labels[0]).toEqual({
      id: fake.labels[0]?.id,
      node_id: expect.any(String),
      url: `${fake.url}/repos/acme/web/labels/sentry`,
      name: 'sentry',
      color: 'ededed',
      default: false,
      description: null
    })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['x-github-request-id']).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/)
    expect(res.headers['x-github-api-version-selected']).toBe('2022-11-28')
    expect(res.headers['x-ratelimit-resource']).toBe('core')
    expect(Number(res.headers['x-ratelimit-limit'])).toBeGreaterThan(0)
    expect(res.headers['x-ratelimit-used']).toBe('1')
  })

  it('answers 404 with GitHub’s error body for another repository or a missing issue', async () => {
    const fake = await start()
    const octokit = client(fake)
    const other = await failure(octokit.rest.issues.listForRepo({ owner: 'acme', repo: 'api' }))
    expect(other.status).toBe(404)
    expect(other.data).toEqual({
      message: 'Not Found',
      documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
      status: '404'
    })
    const missing = await failure(octokit.rest.issues.get({ ...repo, issue_number: 99 }))
    expect(missing.status).toBe(404)
  })
})

describe('FakeGitHub: writing issues', () => {
  it('creates an issue with a Location header and auto-creates unknown labels', async () => {
    const fake = await start()
    fake.labels.push({ id: 1, name: 'Sentry', color: '362d59', description: 'From Sentry' })
    const octokit = client(fake)
    const res = await octokit.rest.issues.create({
      ...repo,
      title: 'TypeError: x is undefined',
      body: '<!-- sentry-issue: acme/1 -->\nbody',
      labels: ['sentry', { name: 'level:error' }],
      assignees: ['octocat']
    })
    expect(res.status).toBe(201)
    expect(res.headers.location).toBe(`${fake.url}/repos/acme/web/issues/1`)
    expect(res.data.number).toBe(1)
    expect(res.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual([
      'Sentry',
      'level:error'
    ])
    expect(fake.labels.map((l) => [l.name, l.color])).toEqual([
      ['Sentry', '362d59'],
      ['level:error', 'ededed']
    ])
    expect(fake.issues[0]).toMatchObject({
      title: 'TypeError: x is undefined',
      labels: ['Sentry', 'level:error'],
      assignees: ['octocat'],
      user_login: 'github-actions[bot]'
    })
    expect(fake.writeCount()).toBe(1)
  })

  it('rejects a missing or too long title and a too long body with 422', async () => {
    const fake = await start()
    const octokit = client(fake)
    const tooLong = await failure(
      octokit.rest.issues.create({ ...repo, title: 'x', body: 'b'.repeat(65537) })
    )
    expect(tooLong.status).toBe(422)
    expect(tooLong.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'Issue',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)'
        }
      ],
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422'
    })
    const longTitle = await failure(octokit.rest.issues.create({ ...repo, title: 't'.repeat(257) }))
    expect(longTitle.status).toBe(422)
    expect(longTitle.data['errors']).toEqual([expect.objectContaining({ field: 'title' })])
    const empty = await failure(octokit.rest.issues.create({ ...repo, title: '' }))
    expect(empty.status).toBe(422)
    const missing = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues', { ...repo, body: 'no title' } as never)
    )
    expect(missing.status).toBe(422)
    // exactly at the limits is fine
    await octokit.rest.issues.create({ ...repo, title: 't'.repeat(256), body: 'b'.repeat(65536) })
    expect(fake.issues).toHaveLength(1)
  })

  it('closes, reopens and closes as duplicate with state_reason and duplicate_issue_id', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    const original = fake.addIssue({ title: 'original' })
    const dupe = fake.addIssue({ title: 'dupe' })
    const octokit = client(fake)

    clk.advance(60_000)
    const closed = await octokit.rest.issues.update({
      ...repo,
      issue_number: dupe.number,
      state: 'closed',
      state_reason: 'not_planned'
    })
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_at: '2025-03-01T12:01:00Z',
      updated_at: '2025-03-01T12:01:00Z',
      closed_by: { login: 'github-actions[bot]' }
    })

    const reopened = await octokit.rest.issues.update({
      ...repo,
      issue_number: dupe.number,
      state: 'open'
    })
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null
    })

    const plainClose = await octokit.rest.issues.update({
      ...repo,
      issue_number: dupe.number,
      state: 'closed'
    })
    expect(plainClose.data.state_reason).toBe('completed')
    await octokit.rest.issues.update({ ...repo, issue_number: dupe.number, state: 'open' })

    // duplicate_issue_id is the canonical issue's database id, not its number
    const wrong = await failure(
      octokit.rest.issues.update({
        ...repo,
        issue_number: dupe.number,
        state: 'closed',
        state_reason: 'duplicate',
        duplicate_issue_id: original.number
      })
    )
    expect(wrong.status).toBe(422)
    expect(wrong.data['errors']).toEqual([expect.objectContaining({ field: 'duplicate_issue_id' })])
    expect(fake.issues[1]?.state).toBe('open') // nothing was changed

    const dup = await octokit.rest.issues.update({
      ...repo,
      issue_number: dupe.number,
      state: 'closed',
      state_reason: 'duplicate',
      duplicate_issue_id: original.id
    })
    expect(dup.data.state_reason).toBe('duplicate')
    expect(fake.issues[1]).toMatchObject({ state: 'closed', duplicate_of_id: original.id })

    const bad = await failure(
      octokit.rest.issues.update({
        ...repo,
        issue_number: original.number,
        state: 'shut' as 'closed'
      })
    )
    expect(bad.status).toBe(422)
  })

  it('rejects state_reason duplicate when configured like an older GHES', async () => {
    const fake = await start({ rejectDuplicateStateReason: true })
    const issue = fake.addIssue({ title: 'x' })
    const octokit = client(fake)
    const res = await failure(
      octokit.rest.issues.update({
        ...repo,
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'duplicate'
      })
    )
    expect(res.status).toBe(422)
    expect(String(res.data['message'])).toContain('state_reason')
    expect(fake.issues[0]?.state).toBe('open')
  })

  it('replaces labels and edits title and body on PATCH; PRs can be patched too', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    const issue = fake.addIssue({ title: 'old', body: 'old body', labels: ['a', 'b'] })
    const pr = fake.addPullRequest('pr')
    const octokit = client(fake)
    clk.advance(5000)
    const res = await octokit.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      title: 'new',
      body: 'new body',
      labels: ['B', 'c']
    })
    expect(res.data.title).toBe('new')
    expect(fake.issues[0]).toMatchObject({ title: 'new', body: 'new body', labels: ['b', 'c'] })
    expect(fake.issues[0]?.updated_at).toBe('2025-03-01T12:00:05Z')
    const prRes = await octokit.rest.issues.update({
      ...repo,
      issue_number: pr.number,
      state: 'closed'
    })
    expect(prRes.data.pull_request).toBeDefined()
  })

  it('adds comments (201) and lists them paginated', async () => {
    const fake = await start()
    const issue = fake.addIssue({ title: 'x' })
    const octokit = client(fake)
    for (let i = 0; i < 35; i++) {
      const res = await octokit.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: `comment ${i}`
      })
      expect(res.status).toBe(201)
    }
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: issue.number
    })
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `comment ${i}`))
    expect(all[0]?.issue_url).toBe(`${fake.url}/repos/acme/web/issues/${issue.number}`)
    const got = await octokit.rest.issues.get({ ...repo, issue_number: issue.number })
    expect(got.data.comments).toBe(35)
  })

  it('adds and removes labels on an issue', async () => {
    const fake = await start()
    const issue = fake.addIssue({ title: 'x', labels: ['keep', 'needs triage/ui'] })
    const octokit = client(fake)
    const added = await octokit.rest.issues.addLabels({
      ...repo,
      issue_number: issue.number,
      labels: ['new']
    })
    expect(added.data.map((l) => l.name)).toEqual(['keep', 'needs triage/ui', 'new'])
    const removed = await octokit.rest.issues.removeLabel({
      ...repo,
      issue_number: issue.number,
      name: 'needs triage/ui'
    })
    expect(removed.data.map((l) => l.name)).toEqual(['keep', 'new'])
    expect(fake.requests.at(-1)?.path).toBe(
      `/repos/acme/web/issues/${issue.number}/labels/needs%20triage%2Fui`
    )
    const absent = await failure(
      octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: 'nope' })
    )
    expect(absent.status).toBe(404)
    expect(absent.data['message']).toBe('Label does not exist')
    expect(fake.issues[0]?.labels).toEqual(['keep', 'new'])
  })
})

describe('FakeGitHub: repository labels', () => {
  it('creates, reads, lists and refuses duplicates or oversize fields', async () => {
    const fake = await start()
    const octokit = client(fake)
    const created = await octokit.rest.issues.createLabel({
      ...repo,
      name: 'sentry',
      color: '362D59',
      description: 'Synced from Sentry'
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ name: 'sentry', color: '362d59', default: false })
    const got = await octokit.rest.issues.getLabel({ ...repo, name: 'Sentry' })
    expect(got.data.description).toBe('Synced from Sentry')

    const exists = await failure(
      octokit.rest.issues.createLabel({ ...repo, name: 'SENTRY', color: 'ffffff' })
    )
    expect(exists.status).toBe(422)
    expect(exists.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
      documentation_url: 'https://docs.github.com/rest/issues/labels#create-a-label',
      status: '422'
    })
    const longName = await failure(
      octokit.rest.issues.createLabel({ ...repo, name: 'n'.repeat(51) })
    )
    expect(longName.status).toBe(422)
    const longDescription = await failure(
      octokit.rest.issues.createLabel({ ...repo, name: 'ok', description: 'd'.repeat(101) })
    )
    expect(longDescription.status).toBe(422)
    const badColor = await failure(
      octokit.rest.issues.createLabel({ ...repo, name: 'ok', color: '#ffffff' })
    )
    expect(badColor.status).toBe(422)
    const missing = await failure(octokit.rest.issues.getLabel({ ...repo, name: 'absent' }))
    expect(missing.status).toBe(404)

    for (let i = 0; i < 40; i++)
      fake.labels.push({ id: 100 + i, name: `l${i}`, color: 'aaaaaa', description: null })
    const all = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, repo)
    expect(all).toHaveLength(41)
    expect(fake.labels.filter((l) => l.name === 'ok')).toHaveLength(0)
  })

  it('answers 403 when label creation is forbidden, and drops unknown labels on issues', async () => {
    const fake = await start({ forbidLabelCreation: true })
    fake.labels.push({ id: 1, name: 'known', color: '000000', description: null })
    const octokit = client(fake)
    const res = await failure(octokit.rest.issues.createLabel({ ...repo, name: 'sentry' }))
    expect(res.status).toBe(403)
    expect(res.data['message']).toBe('Resource not accessible by integration')
    const issue = await octokit.rest.issues.create({
      ...repo,
      title: 'x',
      labels: ['known', 'unknown']
    })
    expect(issue.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['known'])
    expect(fake.labels).toHaveLength(1)
  })
})

describe('FakeGitHub: search', () => {
  it('sees issues only after the index lag, and old content while an edit is pending', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now, searchLagMs: 30_000 })
    const octokit = client(fake)
    const q = 'repo:acme/web is:issue in:body "sentry-issue: acme/42"'
    await octokit.rest.issues.create({
      ...repo,
      title: 'Boom',
      body: '<!-- sentry-issue: acme/42 -->\nfirst version'
    })
    const early = await octokit.rest.search.issuesAndPullRequests({ q })
    expect(early.data.total_count).toBe(0)
    expect(early.headers['x-ratelimit-resource']).toBe('search')

    clk.advance(30_000)
    const later = await octokit.rest.search.issuesAndPullRequests({ q })
    expect(later.data.total_count).toBe(1)
    expect(later.data.items[0]).toMatchObject({ number: 1, score: 1, state: 'open' })

    await octokit.rest.issues.update({
      ...repo,
      issue_number: 1,
      body: '<!-- sentry-issue: acme/42 -->\nsecond version',
      labels: ['fresh']
    })
    const stale = await octokit.rest.search.issuesAndPullRequests({ q })
    expect(stale.data.items[0]?.body).toContain('first version')
    const byNewLabel = await octokit.rest.search.issuesAndPullRequests({ q: `${q} label:fresh` })
    expect(byNewLabel.data.total_count).toBe(0)

    clk.advance(30_000)
    const fresh = await octokit.rest.search.issuesAndPullRequests({ q: `${q} label:fresh` })
    expect(fresh.data.items[0]?.body).toContain('second version')
  })

  it('applies qualifiers: is:pr/is:issue, state, in:title, label, phrases and words', async () => {
    const fake = await start()
    fake.addIssue({ title: 'Crash in checkout', body: 'TypeError here', labels: ['sentry'] })
    fake.addIssue({
      title: 'Other',
      body: 'crash in checkout page',
      labels: ['sentry'],
      state: 'closed'
    })
    fake.addPullRequest('Fix crash in checkout', ['sentry'])
    const octokit = client(fake)
    const count = async (q: string): Promise<number[]> =>
      (await octokit.rest.search.issuesAndPullRequests({ q })).data.items
        .map((i) => i.number)
        .sort()
    expect(await count('repo:acme/web "crash in checkout"')).toEqual([1, 2, 3])
    expect(await count('repo:acme/web is:issue "crash in checkout"')).toEqual([1, 2])
    expect(await count('repo:acme/web is:pr crash')).toEqual([3])
    expect(await count('repo:acme/web is:issue is:open crash')).toEqual([1])
    expect(await count('repo:acme/web is:issue in:title "crash in checkout"')).toEqual([1])
    expect(await count('repo:acme/web label:SENTRY typeerror')).toEqual([1])
    expect(await count('repo:acme/web label:other crash')).toEqual([])
    const otherRepo = await failure(
      octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/api x' })
    )
    expect(otherRepo.status).toBe(422)
  })

  it('caps results at 1000 and rejects queries over 256 characters', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    for (let i = 0; i < 1100; i++) {
      fake.addIssue({ title: `needle ${i}`, created_at: '2025-01-01T00:00:00Z' })
    }
    const octokit = client(fake)
    const q = 'repo:acme/web is:issue needle'
    const page10 = await octokit.rest.search.issuesAndPullRequests({ q, per_page: 100, page: 10 })
    expect(page10.data.total_count).toBe(1100)
    expect(page10.data.incomplete_results).toBe(false)
    expect(page10.data.items).toHaveLength(100)
    expect(page10.headers.link).not.toContain('rel="next"')
    expect(page10.headers.link).toContain('rel="prev"')
    const page1 = await octokit.rest.search.issuesAndPullRequests({ q, per_page: 100 })
    expect(page1.headers.link).toMatch(/page=10>; rel="last"/)

    const beyond = await failure(
      octokit.rest.search.issuesAndPullRequests({ q, per_page: 100, page: 11 })
    )
    expect(beyond.status).toBe(422)
    expect(beyond.data['message']).toBe('Only the first 1000 search results are available')

    const long = await failure(
      octokit.rest.search.issuesAndPullRequests({ q: `${q} ${'x'.repeat(260)}` })
    )
    expect(long.status).toBe(422)
  })

  it('has its own 30/min rate limit, and can be unavailable', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    const octokit = client(fake)
    const q = 'repo:acme/web is:issue x'
    for (let i = 0; i < 30; i++) await octokit.rest.search.issuesAndPullRequests({ q })
    const limited = await failure(octokit.rest.search.issuesAndPullRequests({ q }))
    expect(limited.status).toBe(403)
    expect(limited.headers['x-ratelimit-remaining']).toBe('0')
    expect(limited.headers['x-ratelimit-resource']).toBe('search')
    expect(limited.headers['x-ratelimit-limit']).toBe('30')
    // core is a separate budget
    await octokit.rest.issues.listForRepo(repo)
    clk.advance(61_000)
    const again = await octokit.rest.search.issuesAndPullRequests({ q })
    expect(again.headers['x-ratelimit-remaining']).toBe('29')

    fake.searchUnavailable = true
    expect((await failure(octokit.rest.search.issuesAndPullRequests({ q }))).status).toBe(503)
  })
})

describe('FakeGitHub: auth and rate limits', () => {
  it('answers 401 Bad credentials for a wrong or missing token', async () => {
    const fake = await start()
    const res = await failure(client(fake, 'ghs_wrong').rest.issues.listForRepo(repo))
    expect(res.status).toBe(401)
    expect(res.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401'
    })
    const raw = await fetch(`${fake.url}/repos/acme/web/issues`)
    expect(raw.status).toBe(401)
    expect(fake.issues).toHaveLength(0)
  })

  it('enforces the secondary limit on content-creating requests with retry-after', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now, secondaryLimit: { contentWritesPerMinute: 2 } })
    const octokit = client(fake)
    await octokit.rest.issues.create({ ...repo, title: 'a' })
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'c' })
    await octokit.rest.issues.listForRepo(repo) // reads do not count
    const limited = await failure(octokit.rest.issues.create({ ...repo, title: 'b' }))
    expect(limited.status).toBe(403)
    expect(limited.headers['retry-after']).toBe('60')
    expect(limited.headers['x-ratelimit-remaining']).not.toBe('0')
    expect(String(limited.data['message'])).toMatch(
      /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+/
    )
    expect(fake.issues).toHaveLength(1)
    clk.advance(59_000) // sliding window: the first write is still within the last minute
    expect((await failure(octokit.rest.issues.create({ ...repo, title: 'b' }))).status).toBe(403)
    clk.advance(1_001)
    await octokit.rest.issues.create({ ...repo, title: 'b' })
    expect(fake.issues).toHaveLength(2)
  })

  it('enforces the hourly secondary window too', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now, secondaryLimit: { contentWritesPerHour: 3 } })
    const octokit = client(fake)
    for (const title of ['a', 'b', 'c']) {
      await octokit.rest.issues.create({ ...repo, title })
      clk.advance(5 * 60_000)
    }
    const limited = await failure(octokit.rest.issues.createLabel({ ...repo, name: 'x' }))
    expect(limited.status).toBe(403)
    expect(limited.headers['retry-after']).toBe('60')
    expect(fake.labels).toHaveLength(0)
    clk.advance(60 * 60_000 - 15 * 60_000 + 1) // the first write leaves the window
    expect((await octokit.rest.issues.createLabel({ ...repo, name: 'x' })).status).toBe(201)
  })

  it('exhausts the primary limit: 403 with x-ratelimit-remaining 0 until the reset', async () => {
    const clk = clock()
    const resetEpochSeconds = clk.now() / 1000 + 120
    const fake = await start({
      now: clk.now,
      rateLimit: { limit: 100, remaining: 2, resetEpochSeconds }
    })
    const octokit = client(fake)
    const first = await octokit.rest.issues.listForRepo(repo)
    expect(first.headers['x-ratelimit-remaining']).toBe('1')
    expect(first.headers['x-ratelimit-used']).toBe('99')
    expect(first.headers['x-ratelimit-reset']).toBe(String(resetEpochSeconds))
    const second = await octokit.rest.issues.listForRepo(repo)
    expect(second.headers['x-ratelimit-remaining']).toBe('0')
    const blocked = await failure(octokit.rest.issues.create({ ...repo, title: 'x' }))
    expect(blocked.status).toBe(403)
    expect(blocked.data['message']).toBe('API rate limit exceeded for installation ID 1.')
    expect(blocked.headers['x-ratelimit-remaining']).toBe('0')
    expect(fake.issues).toHaveLength(0)
    const status = await octokit.rest.rateLimit.get() // does not count, still answers
    expect(status.data.resources.core.remaining).toBe(0)
    clk.advance(120_000)
    const after = await octokit.rest.issues.listForRepo(repo)
    expect(after.headers['x-ratelimit-remaining']).toBe('99')
  })

  it('is recognised by @octokit/plugin-throttling as primary and secondary limits', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    const onRateLimit = jest.fn(() => false)
    const onSecondaryRateLimit = jest.fn(() => false)
    const octokit = getOctokit(
      fake.token,
      { baseUrl: fake.url, throttle: { onRateLimit, onSecondaryRateLimit } },
      throttling
    )
    fake.injectFault({ kind: 'secondary-limit', retryAfter: 7, method: 'POST' })
    expect((await failure(octokit.rest.issues.create({ ...repo, title: 'x' }))).status).toBe(403)
    expect(onSecondaryRateLimit).toHaveBeenCalledTimes(1)
    expect(onSecondaryRateLimit.mock.calls[0]).toContain(7)

    fake.injectFault({ kind: 'primary-exhausted', resetInSeconds: 30 })
    expect((await failure(octokit.rest.issues.listForRepo(repo))).status).toBe(403)
    expect(onRateLimit).toHaveBeenCalledTimes(1)
    // still spent until the reset, without another fault
    expect((await failure(octokit.rest.issues.listForRepo(repo))).status).toBe(403)
    clk.advance(31_000)
    expect((await octokit.rest.issues.listForRepo(repo)).status).toBe(200)
  })
})

describe('FakeGitHub: faults', () => {
  it('store-then-fail stores the issue but loses the response', async () => {
    const fake = await start()
    const octokit = client(fake)
    fake.injectFault({
      kind: 'store-then-fail',
      status: 502,
      method: 'POST',
      pathIncludes: '/issues'
    })
    const res = await failure(octokit.rest.issues.create({ ...repo, title: 'stored' }))
    expect(res.status).toBe(502)
    expect(fake.issues.map((i) => i.title)).toEqual(['stored'])
    expect(fake.requests[0]?.status).toBe(502)
    // one-shot: the next write goes through normally
    expect((await octokit.rest.issues.create({ ...repo, title: 'next' })).status).toBe(201)
  })

  it('status faults match on method and path, `times` times', async () => {
    const fake = await start()
    const octokit = client(fake)
    fake.injectFault({
      kind: 'status',
      status: 502,
      method: 'GET',
      pathIncludes: '/issues',
      times: 2,
      body: { message: 'Server Error' }
    })
    await octokit.rest.issues.createLabel({ ...repo, name: 'untouched' }) // not a match
    const a = await failure(octokit.rest.issues.listForRepo(repo))
    expect(a).toMatchObject({ status: 502, data: { message: 'Server Error' } })
    expect((await failure(octokit.rest.issues.listForRepo(repo))).status).toBe(502)
    expect((await octokit.rest.issues.listForRepo(repo)).status).toBe(200)
  })

  it('reset destroys the connection; delay postpones the answer', async () => {
    const fake = await start()
    const octokit = client(fake)
    fake.injectFault({ kind: 'reset', pathIncludes: '/issues' })
    await expect(octokit.rest.issues.listForRepo(repo)).rejects.toThrow()
    expect(fake.requests[0]?.status).toBe(0)
    fake.injectFault({ kind: 'delay', ms: 150 })
    const started = Date.now()
    await octokit.rest.issues.listForRepo(repo)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })
})

describe('FakeGitHub: moved and deleted issues', () => {
  it('answers 410 for a deleted issue and 301 for a transferred one', async () => {
    const fake = await start()
    const deleted = fake.addIssue({ title: 'deleted', deleted: true })
    const moved = fake.addIssue({
      title: 'moved',
      transferred: true,
      transferred_to: { owner: 'acme', repo: 'elsewhere', number: 7 }
    })
    const octokit = client(fake)

    const gone = await failure(octokit.rest.issues.get({ ...repo, issue_number: deleted.number }))
    expect(gone.status).toBe(410)
    expect(gone.data['message']).toBe('This issue was deleted')

    const raw = await fetch(`${fake.url}/repos/acme/web/issues/${moved.number}`, {
      headers: { authorization: `token ${fake.token}` },
      redirect: 'manual'
    })
    expect(raw.status).toBe(301)
    const location = raw.headers.get('location') ?? ''
    expect(location).toMatch(new RegExp(`^${fake.url}/repositories/\\d+/issues/7$`))
    expect(await raw.json()).toMatchObject({ message: 'Moved Permanently', url: location })

    // Octokit follows the redirect and gets the issue in its new repository.
    const followed = await octokit.rest.issues.get({ ...repo, issue_number: moved.number })
    expect(followed.data.number).toBe(7)
    expect(followed.data.repository_url).toBe(`${fake.url}/repos/acme/elsewhere`)
    expect(fake.requests.map((r) => r.status).slice(-2)).toEqual([301, 200])

    const listed = await octokit.rest.issues.listForRepo({ ...repo, state: 'all' })
    expect(listed.data).toHaveLength(0)
  })
})

describe('FakeGitHub: GHES path prefix', () => {
  it('serves the API under /api/v3 and records paths without the prefix', async () => {
    const fake = await start({ pathPrefix: '/api/v3', owner: 'corp', repo: 'app' })
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/)
    const octokit = client(fake)
    const created = await octokit.rest.issues.create({ owner: 'corp', repo: 'app', title: 'x' })
    expect(created.data.url).toBe(`${fake.url}/repos/corp/app/issues/1`)
    expect(created.data.html_url).toBe(`${fake.serverUrl}/corp/app/issues/1`)
    expect(created.data.html_url).not.toContain('/api/v3')
    expect(fake.requests[0]?.path).toBe('/repos/corp/app/issues')

    for (let i = 0; i < 3; i++) fake.addIssue({ title: `more ${i}` })
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner: 'corp',
      repo: 'app',
      per_page: 2
    })
    expect(all).toHaveLength(4)
    expect(fake.requests.at(-1)?.query.get('page')).toBe('2')

    const outside = await fetch(fake.url.replace('/api/v3', '') + '/repos/corp/app/issues', {
      headers: { authorization: `token ${fake.token}` }
    })
    expect(outside.status).toBe(404)
  })
})

describe('FakeGitHub: milestones', () => {
  it('creates milestones and lists them by state, due date first, with pagination', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now })
    const octokit = client(fake)
    const created = await octokit.rest.issues.createMilestone({
      ...repo,
      title: 'v2.0',
      description: 'Second',
      due_on: '2025-06-01T00:00:00Z'
    })
    expect(created.status).toBe(201)
    expect(created.headers.location).toBe(`${fake.url}/repos/acme/web/milestones/1`)
    expect(created.data).toMatchObject({
      url: `${fake.url}/repos/acme/web/milestones/1`,
      html_url: `${fake.serverUrl}/acme/web/milestone/1`,
      number: 1,
      title: 'v2.0',
      description: 'Second',
      state: 'open',
      open_issues: 0,
      closed_issues: 0,
      due_on: '2025-06-01T00:00:00Z',
      created_at: '2025-03-01T12:00:00Z',
      closed_at: null,
      creator: { login: 'github-actions[bot]' }
    })
    await octokit.rest.issues.createMilestone({ ...repo, title: 'Backlog' }) // no due date
    await octokit.rest.issues.createMilestone({
      ...repo,
      title: 'v1.0',
      due_on: '2025-04-01T00:00:00Z'
    })
    await octokit.rest.issues.createMilestone({ ...repo, title: 'v0.9', state: 'closed' })
    expect(fake.milestones.map((m) => [m.number, m.title, m.state])).toEqual([
      [1, 'v2.0', 'open'],
      [2, 'Backlog', 'open'],
      [3, 'v1.0', 'open'],
      [4, 'v0.9', 'closed']
    ])

    const open = await octokit.rest.issues.listMilestones(repo)
    expect(open.data.map((m) => m.title)).toEqual(['v1.0', 'v2.0', 'Backlog'])
    const desc = await octokit.rest.issues.listMilestones({ ...repo, direction: 'desc' })
    expect(desc.data.map((m) => m.title)).toEqual(['Backlog', 'v2.0', 'v1.0'])
    const closed = await octokit.rest.issues.listMilestones({ ...repo, state: 'closed' })
    expect(closed.data.map((m) => m.title)).toEqual(['v0.9'])

    const page1 = await octokit.rest.issues.listMilestones({ ...repo, state: 'all', per_page: 3 })
    expect(page1.data).toHaveLength(3)
    expect(page1.headers.link).toContain('page=2>; rel="next"')
    const all = await octokit.paginate(octokit.rest.issues.listMilestones, {
      ...repo,
      state: 'all',
      per_page: 3
    })
    expect(all.map((m) => m.number).sort()).toEqual([1, 2, 3, 4])

    const bad = await failure(
      octokit.rest.issues.listMilestones({ ...repo, state: 'any' as 'all' })
    )
    expect(bad.status).toBe(422)
    expect(String(bad.data['message'])).toContain('state')
  })

  it('rejects a duplicate, missing or blank title with 422', async () => {
    const fake = await start()
    fake.addMilestone('v1.0')
    const octokit = client(fake)
    const dup = await failure(octokit.rest.issues.createMilestone({ ...repo, title: 'V1.0' }))
    expect(dup.status).toBe(422)
    expect(dup.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Milestone', code: 'already_exists', field: 'title' }],
      documentation_url: 'https://docs.github.com/rest/issues/milestones#create-a-milestone',
      status: '422'
    })
    const missing = await failure(
      octokit.request('POST /repos/{owner}/{repo}/milestones', { ...repo } as never)
    )
    expect(missing.status).toBe(422)
    expect(String(missing.data['message'])).toContain('"title" wasn\'t supplied')
    const blank = await failure(octokit.rest.issues.createMilestone({ ...repo, title: ' ' }))
    expect(blank.data['errors']).toEqual([
      { resource: 'Milestone', code: 'missing_field', field: 'title' }
    ])
    expect(fake.milestones).toHaveLength(1)
  })

  it('renders an issue’s milestone in full and refuses unknown milestone numbers', async () => {
    const fake = await start()
    const m = fake.addMilestone('Sprint 4', { description: 'two weeks' })
    fake.addIssue({ title: 'done', milestone: m.number, state: 'closed' })
    const octokit = client(fake)

    const created = await octokit.rest.issues.create({ ...repo, title: 'x', milestone: 1 })
    expect(created.data.milestone).toMatchObject({
      number: 1,
      title: 'Sprint 4',
      description: 'two weeks',
      state: 'open',
      open_issues: 1,
      closed_issues: 1
    })

    const unknown = await failure(octokit.rest.issues.create({ ...repo, title: 'y', milestone: 9 }))
    expect(unknown.status).toBe(422)
    expect(unknown.data).toEqual({
      message: 'Validation Failed',
      errors: [{ value: 9, resource: 'Issue', field: 'milestone', code: 'invalid' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422'
    })
    const byTitle = await failure(
      octokit.rest.issues.create({ ...repo, title: 'y', milestone: 'Sprint 4' })
    )
    expect(byTitle.data['errors']).toEqual([
      { value: 'Sprint 4', resource: 'Issue', field: 'milestone', code: 'invalid' }
    ])
    expect(fake.issues).toHaveLength(2)

    const number = created.data.number
    const patchUnknown = await failure(
      octokit.rest.issues.update({ ...repo, issue_number: number, milestone: 2, title: 'new' })
    )
    expect(patchUnknown.status).toBe(422)
    expect(fake.issues[1]).toMatchObject({ title: 'x', milestone: 1 }) // nothing changed
    const cleared = await octokit.rest.issues.update({
      ...repo,
      issue_number: number,
      milestone: null
    })
    expect(cleared.data.milestone).toBeNull()
    expect(fake.issues[1]?.milestone).toBeNull()

    const listUnknown = await failure(octokit.rest.issues.listForRepo({ ...repo, milestone: '5' }))
    expect(listUnknown.status).toBe(422)
    const listed = await octokit.rest.issues.listForRepo({ ...repo, milestone: '1', state: 'all' })
    expect(listed.data.map((i) => i.title)).toEqual(['done'])

    // Seeding an issue with a milestone nobody created creates it.
    fake.addIssue({ title: 'seeded', milestone: 7 })
    expect(fake.milestones.map((x) => [x.number, x.title])).toEqual([
      [1, 'Sprint 4'],
      [7, 'Milestone 7']
    ])
  })
})

describe('FakeGitHub: issue types', () => {
  it('sets, changes and removes an issue type by name, case-insensitively', async () => {
    const fake = await start({ issueTypes: ['Bug', 'Task', 'Incident'] })
    const octokit = client(fake)
    const created = await octokit.rest.issues.create({ ...repo, title: 'x', type: 'bug' })
    expect(created.data.type).toEqual({
      id: expect.any(Number),
      node_id: expect.stringMatching(/^IT_/),
      name: 'Bug',
      description: 'An unexpected problem or behavior',
      color: 'red',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      is_enabled: true
    })
    expect(fake.issues[0]?.type).toBe('Bug')

    const changed = await octokit.rest.issues.update({ ...repo, issue_number: 1, type: 'Incident' })
    expect(changed.data.type).toMatchObject({ name: 'Incident', description: null, color: 'gray' })
    const got = await octokit.rest.issues.get({ ...repo, issue_number: 1 })
    expect(got.data.type?.name).toBe('Incident')

    const unknown = await failure(
      octokit.rest.issues.update({ ...repo, issue_number: 1, type: 'Epic', title: 'renamed' })
    )
    expect(unknown.status).toBe(422)
    expect(unknown.data).toEqual({
      message: 'Validation Failed',
      errors: [{ value: 'Epic', resource: 'Issue', field: 'type', code: 'invalid' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#update-an-issue',
      status: '422'
    })
    expect(fake.issues[0]).toMatchObject({ type: 'Incident', title: 'x' })

    const removed = await octokit.rest.issues.update({ ...repo, issue_number: 1, type: null })
    expect(removed.data.type).toBeNull()
    expect(fake.issues[0]?.type).toBeNull()

    const createUnknown = await failure(
      octokit.rest.issues.create({ ...repo, title: 'y', type: 'Epic' })
    )
    expect(createUnknown.status).toBe(422)
    expect(fake.issues).toHaveLength(1)
  })

  it('without issue types: 422 on create, ignored on update; ignored for a user’s repository', async () => {
    const fake = await start()
    const octokit = client(fake)
    const refused = await failure(octokit.rest.issues.create({ ...repo, title: 'x', type: 'Bug' }))
    expect(refused.status).toBe(422)
    expect(refused.data['errors']).toEqual([
      { value: 'Bug', resource: 'Issue', field: 'type', code: 'invalid' }
    ])
    expect(fake.issues).toHaveLength(0)

    const plain = await octokit.rest.issues.create({ ...repo, title: 'x' })
    expect(plain.data.type).toBeNull()
    const patched = await octokit.rest.issues.update({
      ...repo,
      issue_number: plain.data.number,
      type: 'Bug',
      title: 'renamed'
    })
    expect(patched.data).toMatchObject({ title: 'renamed', type: null })

    const userFake = await start({ ownerType: 'User', issueTypes: ['Bug'] })
    const userOctokit = client(userFake)
    const ignored = await userOctokit.rest.issues.create({ ...repo, title: 'x', type: 'Bug' })
    expect(ignored.status).toBe(201)
    expect(ignored.data.type).toBeNull()
  })
})

describe('FakeGitHub: assignees', () => {
  it('assigns only assignable users, the author and commenters; 422 names the first other', async () => {
    const fake = await start({ assignableUsers: ['octocat', 'Hubot'] })
    const seeded = fake.addIssue({
      title: 'seeded',
      user_login: 'reporter',
      comments: [
        { id: 1, body: 'me too', created_at: '2025-01-01T00:00:00Z', user_login: 'helper' }
      ]
    })
    const octokit = client(fake)

    const created = await octokit.rest.issues.create({
      ...repo,
      title: 'x',
      assignees: ['OctoCat', 'hubot', 'octocat']
    })
    expect(created.data.assignees?.map((a) => a.login)).toEqual(['octocat', 'Hubot'])

    const refused = await failure(
      octokit.rest.issues.create({ ...repo, title: 'y', assignees: ['octocat', 'stranger'] })
    )
    expect(refused.status).toBe(422)
    expect(refused.data).toEqual({
      message: 'Validation Failed',
      errors: [{ value: 'stranger', resource: 'Issue', field: 'assignees', code: 'invalid' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422'
    })
    const single = await failure(
      octokit.rest.issues.create({ ...repo, title: 'y', assignee: 'stranger' })
    )
    expect(single.data['errors']).toEqual([
      { value: 'stranger', resource: 'Issue', field: 'assignee', code: 'invalid' }
    ])
    expect(fake.issues).toHaveLength(2)

    const patchRefused = await failure(
      octokit.rest.issues.update({ ...repo, issue_number: seeded.number, assignees: ['stranger'] })
    )
    expect(patchRefused.status).toBe(422)
    expect(fake.issues[0]?.assignees).toEqual([])
    const involved = await octokit.rest.issues.update({
      ...repo,
      issue_number: seeded.number,
      assignees: ['Reporter', 'helper']
    })
    expect(involved.data.assignees?.map((a) => a.login)).toEqual(['reporter', 'helper'])

    const both = await failure(
      octokit.rest.issues.create({ ...repo, title: 'z', assignee: 'octocat', assignees: ['hubot'] })
    )
    expect(both.status).toBe(422)
    expect(both.data['message']).toBe(
      'You cannot pass both `assignee` and `assignees`. Only one may be provided.'
    )
  })
})

describe('FakeGitHub: a token without push access', () => {
  it('drops labels, assignees, milestone, type and field values silently', async () => {
    const fake = await start({
      pushAccess: false,
      issueTypes: ['Bug'],
      issueFields: [{ name: 'Notes', data_type: 'text' }]
    })
    fake.addMilestone('v1')
    const octokit = client(fake)
    const created = await octokit.rest.issues.create({
      ...repo,
      title: 'x',
      labels: ['bug'],
      assignees: ['octocat'],
      milestone: 1,
      type: 'Bug',
      issue_field_values: [{ field_id: 1001, value: 'n' }]
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      labels: [],
      assignees: [],
      milestone: null,
      type: null,
      issue_field_values: []
    })
    expect(fake.labels).toHaveLength(0)
    const patched = await octokit.rest.issues.update({
      ...repo,
      issue_number: 1,
      title: 'renamed',
      labels: ['bug'],
      milestone: 1
    })
    expect(patched.data).toMatchObject({ title: 'renamed', labels: [], milestone: null })
    const add = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
        ...repo,
        issue_number: 1,
        issue_field_values: [{ field_id: 1001, value: 'n' }]
      })
    )
    expect(add.status).toBe(403)
    expect(fake.issues[0]?.field_values).toEqual([])
  })
})

describe('FakeGitHub: issue fields', () => {
  const fields: FakeGitHubOptions['issueFields'] = [
    { name: 'Priority', data_type: 'single_select', options: ['High', 'Low'] },
    { name: 'Notes', data_type: 'text', description: 'Free text' },
    { name: 'Points', data_type: 'number' },
    { name: 'Due', data_type: 'date' }
  ]

  it('answers 404 everywhere when the organisation has no issue fields', async () => {
    const fake = await start()
    const octokit = client(fake)
    const list = await failure(octokit.request('GET /orgs/{org}/issue-fields', { org: 'acme' }))
    expect(list.status).toBe(404)
    const issue = await octokit.rest.issues.create({
      ...repo,
      title: 'x',
      issue_field_values: [{ field_id: 1001, value: 'High' }]
    })
    expect(issue.status).toBe(201)
    expect(issue.data).not.toHaveProperty('issue_field_values')
    expect(fake.issues[0]?.field_values).toEqual([])
    const route = 'GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
    expect((await failure(octokit.request(route, { ...repo, issue_number: 1 }))).status).toBe(404)
    const add = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
        ...repo,
        issue_number: 1,
        issue_field_values: [{ field_id: 1001, value: 'High' }]
      })
    )
    expect(add.status).toBe(404)
  })

  it('lists the organisation’s fields with their options; 404 for another org or a user', async () => {
    const fake = await start({ issueFields: fields })
    const octokit = client(fake)
    const res = await octokit.request('GET /orgs/{org}/issue-fields', { org: 'ACME' })
    expect(res.status).toBe(200)
    expect(res.data).toEqual([
      {
        id: 1001,
        node_id: expect.stringMatching(/^IFSS_/),
        name: 'Priority',
        description: null,
        data_type: 'single_select',
        options: [
          { id: 2001, name: 'High', color: 'red' },
          { id: 2002, name: 'Low', color: 'pink' }
        ],
        created_at: expect.any(String),
        updated_at: expect.any(String)
      },
      expect.objectContaining({
        id: 1002,
        name: 'Notes',
        data_type: 'text',
        description: 'Free text'
      }),
      expect.objectContaining({
        id: 1003,
        data_type: 'number',
        node_id: expect.stringMatching(/^IFN_/)
      }),
      expect.objectContaining({
        id: 1004,
        data_type: 'date',
        node_id: expect.stringMatching(/^IFD_/)
      })
    ])
    expect(res.data[1]).not.toHaveProperty('options')
    const other = await failure(octokit.request('GET /orgs/{org}/issue-fields', { org: 'other' }))
    expect(other.status).toBe(404)

    const userFake = await start({ ownerType: 'User', issueFields: fields })
    const user = await failure(
      client(userFake).request('GET /orgs/{org}/issue-fields', { org: 'acme' })
    )
    expect(user.status).toBe(404)
  })

  it('adds and updates values, keeps the others, and renders them on the issue', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now, issueFields: fields })
    const issue = fake.addIssue({ title: 'x' })
    const octokit = client(fake)
    const route = 'POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
    const at = { ...repo, issue_number: issue.number }

    clk.advance(1000)
    const first = await octokit.request(route, {
      ...at,
      issue_field_values: [
        { field_id: 1001, value: 'high' },
        { field_id: 1003, value: 3 }
      ]
    })
    expect(first.status).toBe(200)
    expect(first.data).toEqual([
      {
        issue_field_id: 1001,
        node_id: expect.stringMatching(/^IFSS_/),
        issue_field_name: 'Priority',
        data_type: 'single_select',
        value: 2001,
        single_select_option: { id: 2001, name: 'High', color: 'red' }
      },
      {
        issue_field_id: 1003,
        node_id: expect.stringMatching(/^IFN_/),
        issue_field_name: 'Points',
        data_type: 'number',
        value: 3
      }
    ])
    expect(fake.issues[0]?.field_values).toEqual([
      { field_id: 1001, value: 'High' },
      { field_id: 1003, value: 3 }
    ])
    expect(fake.issues[0]?.updated_at).toBe('2025-03-01T12:00:01Z')

    const second = await octokit.request(route, {
      ...at,
      issue_field_values: [
        { field_id: 1003, value: 5 },
        { field_id: 1002, value: 'needs repro' },
        { field_id: 1004, value: '2025-12-31' }
      ]
    })
    expect(
      second.data.map((v) => [v.issue_field_id, v.single_select_option?.name ?? v.value])
    ).toEqual([
      [1001, 'High'],
      [1002, 'needs repro'],
      [1003, 5],
      [1004, '2025-12-31']
    ])

    const listRoute = 'GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
    const listed = await octokit.request(listRoute, at)
    expect(listed.data).toEqual(second.data)
    const paged = await octokit.request(listRoute, { ...at, per_page: 3 })
    expect(paged.data).toHaveLength(3)
    expect(paged.headers.link).toContain('rel="next"')

    const got = await octokit.rest.issues.get(at)
    expect(got.data.issue_field_values).toEqual(second.data)

    const cleared = await octokit.request(route, { ...at, issue_field_values: [] })
    expect(cleared.data).toEqual([])
    expect(fake.issues[0]?.field_values).toEqual([])
  })

  it('answers 422 with GitHub’s messages for a bad field, option or value, changing nothing', async () => {
    const fake = await start({ issueFields: fields })
    const issue = fake.addIssue({ title: 'x', field_values: [{ field_id: 1002, value: 'keep' }] })
    const octokit = client(fake)
    const route = 'POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values'
    const send = (field_id: number, value: string | number): Promise<Failure> =>
      failure(
        octokit.request(route, {
          ...repo,
          issue_number: issue.number,
          // a valid value first: nothing is stored when a later one fails
          issue_field_values: [
            { field_id: 1004, value: '2025-01-01' },
            { field_id, value }
          ]
        })
      )
    const cases: Array<[number, string | number, string]> = [
      [999, 'x', 'Issue field with id 999 not found'],
      [1001, 'Urgent', 'Issue field option with name Urgent does not exist'],
      [1002, 5, 'Issue field value for field with id 1002 must be a string'],
      [1003, '5', 'Issue field value for field with id 1003 must be a number']
    ]
    for (const [fieldId, value, message] of cases) {
      const res = await send(fieldId, value)
      expect(res.status).toBe(422)
      expect(res.data).toEqual({
        message,
        documentation_url:
          'https://docs.github.com/rest/issues/issue-field-values#add-issue-field-values-to-an-issue',
        status: '422'
      })
    }
    expect(fake.issues[0]?.field_values).toEqual([{ field_id: 1002, value: 'keep' }])

    const notArray = await failure(
      octokit.request(route, {
        ...repo,
        issue_number: issue.number,
        issue_field_values: 'High'
      } as never)
    )
    expect(notArray.status).toBe(422)
    expect(String(notArray.data['message'])).toMatch(/^Invalid request\./)
  })

  it('takes field values on create (validated) and sets them on update', async () => {
    const fake = await start({ issueFields: fields })
    const octokit = client(fake)
    const created = await octokit.rest.issues.create({
      ...repo,
      title: 'x',
      issue_field_values: [
        { field_id: 1001, value: 'Low' },
        { field_id: 1002, value: 'n' }
      ]
    })
    expect(created.data.issue_field_values?.map((v) => [v.issue_field_id, v.value])).toEqual([
      [1001, 2002],
      [1002, 'n']
    ])
    const bad = await failure(
      octokit.rest.issues.create({
        ...repo,
        title: 'y',
        issue_field_values: [{ field_id: 1001, value: 'Urgent' }]
      })
    )
    expect(bad.status).toBe(422)
    expect(fake.issues).toHaveLength(1)

    // PATCH replaces the whole set: Notes is left out, so it loses its value.
    const patched = await octokit.rest.issues.update({
      ...repo,
      issue_number: 1,
      issue_field_values: [{ field_id: 1003, value: 8 }]
    })
    expect(patched.data.issue_field_values?.map((v) => [v.issue_field_id, v.value])).toEqual([
      [1003, 8]
    ])
    expect(fake.issues[0]?.field_values).toEqual([{ field_id: 1003, value: 8 }])
  })

  it('redirects for a transferred issue, answers 410 for a deleted one', async () => {
    const fake = await start({ issueFields: fields })
    const moved = fake.addIssue({ title: 'moved', transferred: true })
    const deleted = fake.addIssue({ title: 'gone', deleted: true })
    const octokit = client(fake)
    const raw = await fetch(
      `${fake.url}/repos/acme/web/issues/${moved.number}/issue-field-values`,
      {
        headers: { authorization: `token ${fake.token}` },
        redirect: 'manual'
      }
    )
    expect(raw.status).toBe(301)
    expect(raw.headers.get('location')).toMatch(/\/issues\/\d+\/issue-field-values$/)
    const gone = await failure(
      octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
        ...repo,
        issue_number: deleted.number
      })
    )
    expect(gone.status).toBe(410)
  })

  it('counts adding values and creating milestones as content-creating writes', async () => {
    const clk = clock()
    const fake = await start({
      now: clk.now,
      issueFields: fields,
      secondaryLimit: { contentWritesPerMinute: 2 }
    })
    fake.addIssue({ title: 'x' })
    const octokit = client(fake)
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
      ...repo,
      issue_number: 1,
      issue_field_values: [{ field_id: 1003, value: 1 }]
    })
    await octokit.rest.issues.createMilestone({ ...repo, title: 'v1' })
    const limited = await failure(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
        ...repo,
        issue_number: 1,
        issue_field_values: [{ field_id: 1003, value: 2 }]
      })
    )
    expect(limited.status).toBe(403)
    expect(limited.headers['retry-after']).toBe('60')
    expect(fake.issues[0]?.field_values).toEqual([{ field_id: 1003, value: 1 }])
    // reads do not count
    await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values', {
      ...repo,
      issue_number: 1
    })
  })
})

describe('FakeGitHub: a person acting between runs, moved and locked issues', () => {
  function projectClient(fake: FakeGitHub): GitHubClient {
    return createGitHubClient({
      token: fake.token,
      baseUrl: fake.url,
      log: silentLogger,
      writeSpacingMs: 0,
      searchSpacingMs: 0,
      retries: 0
    })
  }

  it("follows a transferred issue with the project's client, and re-sends writes there", async () => {
    const fake = await start()
    fake.addIssue({ title: 'stays' })
    const moved = fake.addIssue({ title: 'moves' })
    fake.transfer(moved.number, { owner: 'acme', repo: 'elsewhere', number: 7 })
    const octokit = projectClient(fake)

    const got = await octokit.rest.issues.get({ ...repo, issue_number: moved.number })
    expect(got.data).toMatchObject({ number: 7, title: 'moves' })
    expect(got.data.repository_url).toBe(`${fake.url}/repos/acme/elsewhere`)

    const raw = await fetch(`${fake.url}/repos/acme/web/issues/${moved.number}`, {
      method: 'PATCH',
      headers: { authorization: `token ${fake.token}` },
      body: JSON.stringify({ state: 'closed' }),
      redirect: 'manual'
    })
    expect(raw.status).toBe(307)
    expect(raw.headers.get('location')).toMatch(/\/repositories\/\d+\/issues\/7$/)
    expect(moved.state).toBe('open')

    fake.resetRequests()
    const patched = await octokit.rest.issues.update({
      ...repo,
      issue_number: moved.number,
      state: 'closed',
      state_reason: 'not_planned'
    })
    expect(patched.data).toMatchObject({ number: 7, state: 'closed', state_reason: 'not_planned' })
    expect(patched.data.repository_url).toBe(`${fake.url}/repos/acme/elsewhere`)
    expect(fake.requests.map((r) => [r.method, r.status])).toEqual([
      ['PATCH', 307],
      ['PATCH', 200]
    ])
    expect(fake.requests[1]?.path).toMatch(/^\/repositories\/\d+\/issues\/7$/)
    expect(moved).toMatchObject({ state: 'closed', state_reason: 'not_planned' })

    const comment = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: moved.number,
      body: 'Still seen in Sentry'
    })
    expect(comment.status).toBe(201)
    expect(moved.comments.map((c) => c.body)).toEqual(['Still seen in Sentry'])

    // A token that cannot read the new repository (a GITHUB_TOKEN) gets a 404.
    const hidden = fake.addIssue({ title: 'moved out of reach' })
    fake.transfer(
      hidden.number,
      { owner: 'other', repo: 'private', number: 1 },
      { readable: false }
    )
    const lost = await failure(octokit.rest.issues.get({ ...repo, issue_number: hidden.number }))
    expect(lost.status).toBe(404)
  })

  it('refuses comments on locked issues for an app token, as GitHub does', async () => {
    const fake = await start()
    const issue = fake.addIssue({ title: 'heated' })
    fake.lock(issue.number)
    const octokit = client(fake)
    const got = await octokit.rest.issues.get({ ...repo, issue_number: issue.number })
    expect(got.data.locked).toBe(true)

    const refused = await failure(
      octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'hi' })
    )
    expect(refused.status).toBe(403)
    expect(refused.data['message']).toBe('Unable to create comment because issue is locked.')
    expect(issue.comments).toEqual([])
    // Other writes still work.
    const closed = await octokit.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      state: 'closed'
    })
    expect(closed.data.state).toBe('closed')

    fake.lockedCommentsRefused = false
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: 'hi' })
    expect(issue.comments).toHaveLength(1)
  })

  it("lets a person's token with write access comment on a locked issue", async () => {
    const fake = await start({ userLogin: 'maintainer', token: 'ghp_person' })
    const issue = fake.addIssue({ title: 'locked', locked: true })
    const answer = await client(fake).rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: 'noted'
    })
    expect(answer.status).toBe(201)
    expect(answer.data.user?.login).toBe('maintainer')
  })

  it('changes issues as a person would: edit, close, reopen, labels, delete', async () => {
    const clk = clock()
    const fake = await start({ now: clk.now, searchLagMs: 60_000 })
    const issue = fake.addIssue({ title: 'boom', body: 'first' })
    const other = fake.addIssue({ title: 'boom again' })
    clk.advance(120_000)
    const octokit = client(fake)
    const get = async (n: number): Promise<Record<string, unknown>> =>
      (await octokit.rest.issues.get({ ...repo, issue_number: n })).data as Record<string, unknown>
    const closedSearch = async (): Promise<number[]> =>
      (
        await octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/web is:issue is:closed' })
      ).data.items.map((i) => i.number)

    const before = issue.updated_at
    clk.advance(1000)
    fake.personEdit(issue.number, 'edited by hand')
    expect(await get(issue.number)).toMatchObject({ body: 'edited by hand' })
    expect(issue.updated_at).not.toBe(before)

    fake.personClose(issue.number, 'not_planned')
    const closed = await get(issue.number)
    expect(closed).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_at: new Date(clk.now()).toISOString().replace('.000Z', 'Z'),
      closed_by: { login: PERSON_LOGIN }
    })
    expect(PERSON_LOGIN).not.toBe(fake.userLogin)
    // Search sees the change only after the index lag, as for API writes.
    expect(await closedSearch()).toEqual([])
    clk.advance(60_000)
    expect(await closedSearch()).toEqual([issue.number])

    fake.personClose(other.number, 'duplicate', issue.number)
    expect(other).toMatchObject({ state_reason: 'duplicate', duplicate_of_id: issue.id })
    expect(() => fake.personClose(other.number, 'duplicate')).toThrow(/duplicate/)

    fake.personReopen(issue.number)
    expect(await get(issue.number)).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
      closed_by: null
    })

    fake.personSetLabels(issue.number, ['bug', 'triaged'])
    const labels = await octokit.rest.issues.listLabelsOnIssue({
      ...repo,
      issue_number: issue.number
    })
    expect(labels.data.map((l) => l.name)).toEqual(['bug', 'triaged'])

    fake.deleteIssue(other.number)
    const gone = await failure(octokit.rest.issues.get({ ...repo, issue_number: other.number }))
    expect(gone.status).toBe(410)
    const listed = await octokit.rest.issues.listForRepo({ ...repo, state: 'all' })
    expect(listed.data.map((i) => i.number)).toEqual([issue.number])
    expect(() => fake.personEdit(other.number, 'x')).toThrow(/no issue/)
  })
})

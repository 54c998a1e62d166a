import { describe, expect, it } from '@jest/globals'
import { start, client, failure, clock, repo } from './fake-github-shared.js'

/** The fake GitHub through a real Octokit: repository labels and issue search. */

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

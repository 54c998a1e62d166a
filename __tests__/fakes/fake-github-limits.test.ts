import { describe, expect, it, jest } from '@jest/globals'
import { throttling } from '@octokit/plugin-throttling'
import { getOctokit } from '@actions/github'
import { start, client, failure, clock, repo } from './fake-github-shared.js'

/** The fake GitHub through a real Octokit: auth, rate limits, faults, moved and deleted issues, the GHES prefix. */

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

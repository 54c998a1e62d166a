import { describe, expect, it } from '@jest/globals'
import { start, client, failure, clock, repo } from './fake-github-shared.js'

/** The fake GitHub through a real Octokit: issues, listed and written. */

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

import { describe, expect, it } from '@jest/globals'
import { FakeGitHub, PERSON_LOGIN, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { silentLogger } from '../../src/log.js'
import { start, client, failure, clock, repo, type Failure } from './fake-github-shared.js'

/** The fake GitHub through a real Octokit: issue fields, and people acting between runs. */

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

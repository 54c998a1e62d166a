import { describe, expect, it } from '@jest/globals'
import { start, client, failure, clock, repo } from './fake-github-shared.js'

/** The fake GitHub through a real Octokit: milestones, issue types, assignees, push access. */

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

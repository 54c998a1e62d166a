import { afterEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeGitHub, PERSON_LOGIN } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * What the two-way sync needs of the fakes, over real HTTP: Sentry's `assignedTo` on an issue's
 * PUT (its 400s, its activity), its notes (GET newest first, POST, `numComments`); GitHub's
 * assignees one login at a time (POST/DELETE, silently leaving out who cannot be assigned),
 * `assigned`/`unassigned` timeline events and comments with their author association, every
 * exchange checked against GitHub's description.
 */

const started: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function sentryCall(
  fake: FakeSentry,
  path: string,
  init: { method?: string; body?: unknown } = {}
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  return { status: response.status, body: await response.json() }
}

const DETAILS =
  'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/' as keyof typeof spec.operations

describe('the fake Sentry assigns as Sentry does', () => {
  it('takes an e-mail, user:ID or team:ID; unassigns with ""; records each change in the activity', async () => {
    const fake = await FakeSentry.start()
    started.push(fake)
    const team = fake.signals.addTeam('backend')
    const issue = fake.addIssue()
    const path = `/api/0/organizations/acme/issues/${String(issue['id'])}/`
    const byEmail = await sentryCall(fake, path, {
      method: 'PUT',
      body: { assignedTo: 'ada@example.com' }
    })
    expect(byEmail.status).toBe(200)
    expect((byEmail.body as Record<string, unknown>)['assignedTo']).toEqual({
      type: 'user',
      id: '101',
      name: 'Ada Lovelace',
      email: 'ada@example.com'
    })
    await sentryCall(fake, path, { method: 'PUT', body: { assignedTo: `team:${team.id}` } })
    expect(issue['assignedTo']).toEqual({ type: 'team', id: team.id, name: 'backend' })
    await sentryCall(fake, path, { method: 'PUT', body: { assignedTo: '' } })
    expect(issue['assignedTo']).toBeNull()
    const details = (await sentryCall(fake, path)).body as {
      activity: Array<Record<string, unknown>>
    }
    expect(details.activity.map((a) => a['type'])).toEqual([
      'unassigned',
      'assigned',
      'assigned',
      'first_seen'
    ])
    // Shaped like the activity of Sentry's own example answer.
    const example = (
      spec.operations[DETAILS] as {
        examples: Record<string, Record<string, { value: { activity: object[] } }>>
      }
    ).examples['200']
    const exampleKeys = Object.keys(Object.values(example ?? {})[0]?.value.activity[0] ?? {}).sort()
    for (const a of details.activity) expect(Object.keys(a).sort()).toEqual(exampleKeys)
  })

  it('answers 400 for an actor it cannot resolve and for a user outside the projects', async () => {
    const fake = await FakeSentry.start()
    started.push(fake)
    const issue = fake.addIssue()
    const path = `/api/0/organizations/acme/issues/${String(issue['id'])}/`
    const unknown = await sentryCall(fake, path, {
      method: 'PUT',
      body: { assignedTo: 'nobody@example.com' }
    })
    expect(unknown).toEqual({ status: 400, body: { assignedTo: ['Unknown actor input'] } })
    fake.nonMembers = ['102']
    const outside = await sentryCall(fake, path, {
      method: 'PUT',
      body: { assignedTo: 'user:102' }
    })
    expect(outside).toEqual({
      status: 400,
      body: { assignedTo: ['Cannot assign to non-team member'] }
    })
    expect(issue['assignedTo']).toBeNull()
  })
})

describe('the fake Sentry’s notes', () => {
  it('lists them newest first with author and date, posts count in numComments', async () => {
    const fake = await FakeSentry.start({ now: () => new Date('2026-12-01T10:00:00Z') })
    started.push(fake)
    const issue = fake.addIssue()
    const id = String(issue['id'])
    fake.personNote(id, 'first', { id: '102', name: 'Grace Hopper', email: 'grace@example.com' })
    fake.now = () => new Date('2026-12-01T11:00:00Z')
    const posted = await sentryCall(fake, `/api/0/organizations/acme/issues/${id}/comments/`, {
      method: 'POST',
      body: { text: 'second' }
    })
    expect(posted.status).toBe(201)
    const listed = await sentryCall(fake, `/api/0/organizations/acme/issues/${id}/comments/`)
    const notes = listed.body as Array<{ data: { text: string } } & Record<string, unknown>>
    expect(notes.map((n) => n.data.text)).toEqual(['second', 'first'])
    expect(notes[1]).toMatchObject({
      type: 'note',
      dateCreated: '2026-12-01T10:00:00.000Z',
      user: { name: 'Grace Hopper', email: 'grace@example.com' }
    })
    expect(issue['numComments']).toBe(2)
  })
})

describe('the fake GitHub’s assignees and comments', () => {
  it('adds and removes one login at a time, leaves out who cannot be assigned, records the timeline', async () => {
    const fake = await FakeGitHub.start({ assignableUsers: ['ada-l', 'grace-h'] })
    started.push(fake)
    const contract = watchGitHubContract(fake)
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const issue = fake.addIssue({ title: 'x' })
    const repo = { owner: 'acme', repo: 'web', issue_number: issue.number }
    const added = await octokit.rest.issues.addAssignees({
      ...repo,
      assignees: ['ada-l', 'nobody-here']
    })
    expect(added.status).toBe(201)
    expect(added.data.assignees?.map((a) => a.login)).toEqual(['ada-l'])
    fake.personAssign(issue.number, ['grace-h'])
    const removed = await octokit.rest.issues.removeAssignees({ ...repo, assignees: ['ada-l'] })
    expect(removed.data.assignees?.map((a) => a.login)).toEqual(['grace-h'])
    const timeline = await octokit.rest.issues.listEventsForTimeline({ ...repo })
    expect(
      timeline.data.map((e) => {
        const event = e as {
          event?: string
          assignee?: { login: string }
          actor?: { login: string }
        }
        return [event.event, event.assignee?.login, event.actor?.login]
      })
    ).toEqual([
      ['assigned', 'ada-l', fake.userLogin],
      ['assigned', 'grace-h', PERSON_LOGIN],
      ['unassigned', 'ada-l', fake.userLogin]
    ])
    contract.assertNoViolations()
  })

  it('serves a person’s comment with its author association', async () => {
    const fake = await FakeGitHub.start()
    started.push(fake)
    const contract = watchGitHubContract(fake)
    const issue = fake.addIssue({ title: 'x' })
    fake.personComment(issue.number, 'me too', 'passer-by', 'NONE')
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const listed = await octokit.rest.issues.listComments({
      owner: 'acme',
      repo: 'web',
      issue_number: issue.number
    })
    expect(listed.data.map((c) => [c.user?.login, c.author_association])).toEqual([
      ['passer-by', 'NONE']
    ])
    expect(listed.data[0]?.html_url).toMatch(/#issuecomment-\d+$/)
    contract.assertNoViolations()
  })
})

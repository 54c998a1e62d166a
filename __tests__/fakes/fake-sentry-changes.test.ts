import { afterEach, describe, expect, it } from '@jest/globals'
import { compileOpenApiSchema } from '../../src/fakes/contract.js'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry, type FakeSentryOptions } from '../../src/fakes/fake-sentry.js'
import { SentryClient } from '../../src/sentry/client.js'

/**
 * The fake Sentry as it changes between runs: counts within the query window beside lifetime
 * totals, projects when none is named, merges, deletions, an organisation rename and status
 * changes. All through real HTTP; list answers are checked against Sentry's published schema.
 */

const validateList = compileOpenApiSchema(
  (spec.schemas as Record<string, unknown>)['OrganizationGroupIndexGetResponse']
)

const NOW = new Date('2026-11-20T12:00:00Z')
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3600_000)

const started: FakeSentry[] = []

async function startFake(opts: FakeSentryOptions = {}): Promise<FakeSentry> {
  const fake = await FakeSentry.start({ now: () => NOW, ...opts })
  started.push(fake)
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()))
})

interface Answer {
  status: number
  body: unknown
}

async function call(
  fake: FakeSentry,
  pathAndQuery: string,
  init: { method?: string; body?: string } = {}
): Promise<Answer> {
  const response = await fetch(`${fake.url}${pathAndQuery}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${fake.token}` },
    ...(init.body === undefined ? {} : { body: init.body })
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? null : JSON.parse(text) }
}

type Item = Record<string, unknown>

/** A list answer, checked against the spec. */
async function list(fake: FakeSentry, query: string, org = fake.org): Promise<Item[]> {
  const answer = await call(fake, `/api/0/organizations/${org}/issues/?${query}`)
  expect(answer.status).toBe(200)
  expect(validateList(answer.body)).toEqual([])
  return answer.body as Item[]
}

describe('FakeSentry counts: windowed in lists, totals in lifetime', () => {
  it('serves an added issue as before: its count in every window that covers lastSeen', async () => {
    const fake = await startFake()
    const issue = fake.addIssue({ count: 50, userCount: 7, lastSeen: hoursAgo(2).toISOString() })
    for (const period of ['24h', '14d']) {
      const [item] = await list(fake, `query=&statsPeriod=${period}`)
      expect(item).toMatchObject({ id: issue['id'], count: '50', userCount: 7 })
      expect(item?.['lifetime']).toMatchObject({ count: '50', userCount: 7 })
    }
  })

  it('counts only the events inside the window, lifetime holds every event', async () => {
    const fake = await startFake()
    const issue = fake.addIssue({
      count: 50,
      userCount: 7,
      firstSeen: hoursAgo(24 * 10).toISOString(),
      lastSeen: hoursAgo(24 * 3).toISOString()
    })
    const id = String(issue['id'])
    fake.addEvents(id, 5, { users: 2, at: hoursAgo(2) })
    fake.addEvents(id, 3, { at: hoursAgo(1) })

    const [day] = await list(fake, 'query=&statsPeriod=24h')
    expect(day).toMatchObject({ id, count: '8', userCount: 2, lastSeen: hoursAgo(1).toISOString() })
    expect(day?.['lifetime']).toMatchObject({
      count: '58',
      userCount: 9,
      firstSeen: hoursAgo(240).toISOString(),
      lastSeen: hoursAgo(1).toISOString()
    })
    const [fortnight] = await list(fake, 'query=&statsPeriod=14d')
    expect(fortnight).toMatchObject({ count: '58', userCount: 9 })
    const [range] = await list(
      fake,
      `query=&start=${hoursAgo(1.5).toISOString()}&end=${NOW.toISOString()}`
    )
    expect(range).toMatchObject({ count: '3', userCount: 0 })
    // A user count summed over buckets never exceeds the lifetime figure.
    issue['userCount'] = 4
    const [capped] = await list(fake, 'query=&statsPeriod=14d')
    expect(capped?.['userCount']).toBe(4)
  })

  it('slides with the clock: no new events, a smaller count in the same period later', async () => {
    let now = NOW
    const fake = await startFake({ now: () => now })
    const id = String(fake.addIssue({ count: 10, lastSeen: hoursAgo(30).toISOString() })['id'])
    fake.addEvents(id, 4, { at: hoursAgo(20) })
    fake.addEvents(id, 1, { at: hoursAgo(1) })
    expect((await list(fake, 'query=&statsPeriod=24h'))[0]?.['count']).toBe('5')
    now = new Date(NOW.getTime() + 6 * 3600_000)
    expect((await list(fake, 'query=&statsPeriod=24h'))[0]?.['count']).toBe('1')
    expect((await list(fake, 'query=&statsPeriod=24h'))[0]?.['lifetime']).toMatchObject({
      count: '15'
    })
  })

  it('records events at now() by default and leaves a resolved issue resolved', async () => {
    const fake = await startFake()
    const issue = fake.addIssue({ status: 'resolved', lastSeen: hoursAgo(48).toISOString() })
    fake.addEvents(String(issue['id']), 2)
    expect(issue).toMatchObject({ status: 'resolved', count: '3', lastSeen: NOW.toISOString() })
    const [item] = await list(fake, 'query=is:resolved&statsPeriod=24h')
    expect(item).toMatchObject({ count: '2', status: 'resolved' })
    expect(() => fake.addEvents(String(issue['id']), -1)).toThrow(/whole numbers/)
    expect(() => fake.addEvents('404', 1)).toThrow(/no issue 404/)
  })

  it('sorts freq by the windowed count', async () => {
    const fake = await startFake()
    const old = fake.addIssue({ count: 500, lastSeen: hoursAgo(50).toISOString() })
    const fresh = fake.addIssue({ count: 5, lastSeen: hoursAgo(1).toISOString() })
    fake.addEvents(String(old['id']), 1, { at: hoursAgo(3) })
    const items = await list(fake, 'query=&statsPeriod=24h&sort=freq')
    expect(items.map((i) => [i['id'], i['count']])).toEqual([
      [fresh['id'], '5'],
      [old['id'], '1']
    ])
  })

  it('drops lifetime with collapse=lifetime', async () => {
    const fake = await startFake()
    fake.addIssue({ count: 3 })
    const answer = await call(fake, '/api/0/organizations/acme/issues/?query=&collapse=lifetime')
    const [item] = answer.body as Item[]
    expect(item?.['count']).toBe('3')
    expect(item).not.toHaveProperty('lifetime')
  })

  it('serves totals, without a window, on the group= look-up and the single-issue GET', async () => {
    const fake = await startFake()
    const issue = fake.addIssue({
      count: 20,
      userCount: 3,
      lastSeen: hoursAgo(24 * 5).toISOString()
    })
    const id = String(issue['id'])
    fake.addEvents(id, 2, { users: 1, at: hoursAgo(1) })
    const looked = await list(fake, `query=&statsPeriod=24h&group=${id}`)
    expect(looked[0]).toMatchObject({ id, count: '22', userCount: 4 })
    expect(looked[0]?.['lifetime']).toMatchObject({ count: '22', userCount: 4 })

    const single = await call(fake, `/api/0/organizations/acme/issues/${id}/?statsPeriod=24h`)
    expect(single.status).toBe(200)
    expect(single.body).toMatchObject({ id, count: '22', userCount: 4 })
    expect(single.body).not.toHaveProperty('lifetime')

    // The project's own client reads the same figures.
    const client = new SentryClient({ baseUrl: fake.url, token: fake.token })
    try {
      const { issues } = await client.listIssues('acme', { query: '', statsPeriod: '24h', max: 10 })
      // The client reads lifetime totals; the windowed figures stay beside them.
      expect(issues.map((i) => [i.id, i.count, i.userCount])).toEqual([[id, 22, 4]])
      expect(issues.map((i) => [i.windowCount, i.windowUserCount])).toEqual([[2, 1]])
      const [found] = await client.getIssuesByIds('acme', [id])
      expect(found?.count).toBe(22)
    } finally {
      await client.close()
    }
  })
})

describe('FakeSentry projects when none is named', () => {
  it("uses the token owner's team projects without project, every project with -1", async () => {
    const fake = await startFake({ memberProjects: ['backend'] })
    const backend = fake.addProject('backend')
    const web = fake.addProject('web')
    const a = fake.addIssue({ projectSlug: 'backend' })
    const b = fake.addIssue({ projectSlug: 'web' })
    const ids = (items: Item[]): unknown[] => items.map((i) => i['id']).sort()

    expect(ids(await list(fake, 'query='))).toEqual([a['id']])
    expect(ids(await list(fake, 'query=&project=-1'))).toEqual(ids([a, b]))
    expect(ids(await list(fake, `query=&project=${web.id}`))).toEqual([b['id']])
    const group = `group=${String(a['id'])}&group=${String(b['id'])}`
    expect(ids(await list(fake, `query=&${group}`))).toEqual([a['id']])
    expect(ids(await list(fake, `query=&${group}&project=-1`))).toEqual(ids([a, b]))
    expect(
      ids(await list(fake, `query=&${group}&project=${backend.id}&project=${web.id}`))
    ).toEqual(ids([a, b]))

    fake.memberProjects = []
    expect(await list(fake, 'query=')).toEqual([])
    fake.memberProjects = undefined
    expect(ids(await list(fake, 'query='))).toEqual(ids([a, b]))
  })
})

describe('FakeSentry merges and deletions', () => {
  it('merges: the merged issue leaves lists, its id answers with the survivor', async () => {
    const fake = await startFake()
    const survivor = fake.addIssue({ count: 10, userCount: 2, lastSeen: hoursAgo(5).toISOString() })
    const merged = fake.addIssue({
      count: 4,
      userCount: 1,
      firstSeen: hoursAgo(24 * 30).toISOString(),
      lastSeen: hoursAgo(1).toISOString()
    })
    const [sid, mid] = [String(survivor['id']), String(merged['id'])]
    fake.addEvent(mid, { dateCreated: hoursAgo(1).toISOString(), id: 'e'.repeat(32) })
    fake.mergeIssues(sid, [mid])

    const items = await list(fake, 'query=&statsPeriod=24h')
    expect(items.map((i) => i['id'])).toEqual([sid])
    expect(items[0]).toMatchObject({
      count: '14',
      userCount: 3,
      lastSeen: hoursAgo(1).toISOString()
    })
    expect(items[0]?.['lifetime']).toMatchObject({ firstSeen: hoursAgo(720).toISOString() })
    expect((await list(fake, `query=&group=${mid}`)).map((i) => i['id'])).toEqual([])
    expect((await list(fake, `query=&group=${mid}&group=${sid}`)).map((i) => i['id'])).toEqual([
      sid
    ])

    const single = await call(fake, `/api/0/organizations/acme/issues/${mid}/`)
    expect(single.status).toBe(200)
    expect(single.body).toMatchObject({ id: sid, count: '14' })

    const put = await call(fake, `/api/0/organizations/acme/issues/${mid}/`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'resolved' })
    })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ id: sid, status: 'resolved' })
    expect(survivor['status']).toBe('resolved')

    const note = await call(fake, `/api/0/organizations/acme/issues/${mid}/comments/`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Tracked in GitHub' })
    })
    expect(note.status).toBe(201)
    expect(fake.notes).toEqual([{ issueId: sid, text: 'Tracked in GitHub', at: NOW.getTime() }])

    const latest = await call(fake, `/api/0/organizations/acme/issues/${mid}/events/latest/`)
    expect(latest.status).toBe(200)
    expect(latest.body).toMatchObject({ eventID: 'e'.repeat(32), groupID: sid })

    // A later merge of the survivor carries the old redirect along.
    const third = fake.addIssue({})
    fake.mergeIssues(String(third['id']), [sid])
    expect((await call(fake, `/api/0/organizations/acme/issues/${mid}/`)).body).toMatchObject({
      id: third['id']
    })
    expect(() => fake.mergeIssues(sid, [mid])).toThrow(/no issue/)
  })

  it('deletes: gone from lists and look-ups, 404 with Sentry detail on the single GET', async () => {
    const fake = await startFake()
    const kept = fake.addIssue({})
    const gone = fake.addIssue({})
    const goneId = String(gone['id'])
    fake.deleteIssue(goneId)
    expect((await list(fake, 'query=')).map((i) => i['id'])).toEqual([kept['id']])
    expect(await list(fake, `query=&group=${goneId}`)).toEqual([])
    for (const path of [`${goneId}/`, `${goneId}/events/latest/`]) {
      const answer = await call(fake, `/api/0/organizations/acme/issues/${path}`)
      expect(answer).toEqual({
        status: 404,
        body: { detail: 'The requested resource does not exist' }
      })
    }
    expect(() => fake.deleteIssue(goneId)).toThrow(/no issue/)
  })
})

describe('FakeSentry organisation rename and status changes', () => {
  it('renames: the old slug is unknown, the new one and the numeric id work', async () => {
    const fake = await startFake({ orgId: '4505' })
    const issue = fake.addIssue({})
    const id = String(issue['id'])
    fake.renameOrg('globex')
    expect(fake.org).toBe('globex')

    const old = await call(fake, '/api/0/organizations/acme/issues/?query=')
    expect(old).toEqual({ status: 404, body: { detail: 'The requested resource does not exist' } })
    expect((await call(fake, `/api/0/organizations/acme/issues/${id}/`)).status).toBe(404)

    const [item] = await list(fake, 'query=', 'globex')
    expect(item?.['permalink']).toBe(`${fake.url}/organizations/globex/issues/${id}/`)
    expect((await list(fake, 'query=', '4505')).map((i) => i['id'])).toEqual([id])
    expect(() => fake.renameOrg('Not A Slug')).toThrow(/not a valid organization slug/)
  })

  it('sets statuses and substatuses that is: searches see', async () => {
    const fake = await startFake()
    const issue = fake.addIssue({})
    const id = String(issue['id'])
    fake.setStatus(id, 'resolved')
    expect(issue).toMatchObject({ status: 'resolved', substatus: null })
    expect((await list(fake, 'query=is:resolved')).map((i) => i['id'])).toEqual([id])
    fake.setStatus(id, 'unresolved', 'regressed')
    const [item] = await list(fake, 'query=is:unresolved')
    expect(item).toMatchObject({ status: 'unresolved', substatus: 'regressed' })
    fake.setStatus(id, 'ignored')
    expect(issue['substatus']).toBe('archived_until_escalating')
    fake.setStatus(id, 'unresolved')
    expect(issue['substatus']).toBe('ongoing')
    expect(() => fake.setStatus(id, 'resolved', 'regressed')).toThrow(/does not go with resolved/)
  })
})

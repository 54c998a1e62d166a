import { afterEach, describe, expect, it } from '@jest/globals'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry, type FakeSentryOptions } from '../../src/fakes/fake-sentry.js'

/** Real HTTP against the fake, on loopback. */
interface Answer {
  status: number
  headers: Headers
  text: string
  json: () => unknown
}

const started: FakeSentry[] = []

async function startFake(opts: FakeSentryOptions = {}): Promise<FakeSentry> {
  const fake = await FakeSentry.start(opts)
  started.push(fake)
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()))
})

async function get(
  fake: FakeSentry,
  pathAndQuery: string,
  opts: { token?: string | null; method?: string; body?: string } = {}
): Promise<Answer> {
  const headers: Record<string, string> = {}
  const token = opts.token === undefined ? fake.token : opts.token
  if (token !== null) headers['authorization'] = `Bearer ${token}`
  const response = await fetch(`${fake.url}${pathAndQuery}`, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body === undefined ? {} : { body: opts.body })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

const ISSUES = '/api/0/organizations/acme/issues/'
const PROJECTS = '/api/0/organizations/acme/projects/'

function ids(answer: Answer): string[] {
  return (answer.json() as Array<{ id: string }>).map((issue) => issue.id)
}

/** The `next` entry of a Link header. */
function nextLink(link: string | null): { url: string; results: string; cursor: string } {
  const match = /<([^>]+)>; rel="next"; results="(true|false)"; cursor="([^"]+)"/.exec(link ?? '')
  if (!match) throw new Error(`no next link in ${link}`)
  return { url: match[1] ?? '', results: match[2] ?? '', cursor: match[3] ?? '' }
}

describe('FakeSentry issues list', () => {
  it("sends Sentry's exact Link header, with both entries and absolute URLs", async () => {
    const fake = await startFake()
    fake.seed(250)
    const first = await get(fake, `${ISSUES}?query=&limit=100`)
    expect(first.status).toBe(200)
    const base = `${fake.url}${ISSUES}?query=&limit=100`
    expect(first.headers.get('link')).toBe(
      `<${base}&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ` +
        `<${base}&cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"`
    )
    expect(first.headers.get('content-type')).toBe('application/json')
    expect(first.headers.get('x-hits')).toBe('250')

    const last = await get(fake, `${ISSUES}?query=&limit=100&cursor=0:200:0`)
    expect(ids(last)).toHaveLength(50)
    expect(last.headers.get('link')).toBe(
      `<${base}&cursor=0:100:1>; rel="previous"; results="true"; cursor="0:100:1", ` +
        `<${base}&cursor=0:300:0>; rel="next"; results="false"; cursor="0:300:0"`
    )
  })

  it('paginates through every issue once, newest lastSeen first, keeping other parameters', async () => {
    const fake = await startFake()
    const project = fake.addProject('backend')
    fake.seed(230, { projectSlug: 'backend', seed: 5 })
    const seen: string[] = []
    let url = `${ISSUES}?query=&project=${project.id}&environment=production&environment=staging&limit=100`
    for (let page = 0; page < 10; page++) {
      const answer = await get(fake, url)
      expect(answer.status).toBe(200)
      seen.push(...ids(answer))
      const next = nextLink(answer.headers.get('link'))
      const nextUrl = new URL(next.url)
      expect(nextUrl.searchParams.getAll('environment')).toEqual(['production', 'staging'])
      expect(nextUrl.searchParams.get('project')).toBe(project.id)
      if (next.results === 'false') break
      url = `${nextUrl.pathname.slice(fake.pathPrefix.length)}${nextUrl.search}`
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toHaveLength(230)
    const lastSeen = seen.map((id) =>
      Date.parse(String(fake.issues.find((i) => i['id'] === id)?.['lastSeen']))
    )
    expect([...lastSeen].sort((a, b) => b - a)).toEqual(lastSeen)
  })

  it('filters by status, free text, statsPeriod (null lastSeen excluded) and environment', async () => {
    const now = new Date('2026-11-20T12:00:00Z')
    const fake = await startFake({ now: () => now })
    const hoursAgo = (h: number): string => new Date(now.getTime() - h * 3600_000).toISOString()
    const a = fake.addIssue({ title: 'TypeError: boom', lastSeen: hoursAgo(1) })
    const b = fake.addIssue({ title: 'KeyError: user', lastSeen: hoursAgo(30), status: 'resolved' })
    const c = fake.addIssue({
      title: 'Old TypeError',
      lastSeen: hoursAgo(24 * 20),
      status: 'ignored'
    })
    const d = fake.addIssue({ title: 'Never seen', lastSeen: null, environments: ['staging'] })

    expect(ids(await get(fake, `${ISSUES}?query=`))).toEqual([a['id'], b['id'], c['id']])
    expect(ids(await get(fake, `${ISSUES}`))).toEqual([a['id']]) // default is:unresolved
    expect(ids(await get(fake, `${ISSUES}?query=is:resolved`))).toEqual([b['id']])
    expect(ids(await get(fake, `${ISSUES}?query=is:ignored`))).toEqual([c['id']])
    expect(ids(await get(fake, `${ISSUES}?query=typeerror`))).toEqual([a['id'], c['id']])
    expect(ids(await get(fake, `${ISSUES}?query=&statsPeriod=24h`))).toEqual([a['id']])
    expect(ids(await get(fake, `${ISSUES}?query=&statsPeriod=2d`))).toEqual([a['id'], b['id']])
    expect(ids(await get(fake, `${ISSUES}?query=&statsPeriod=4w`))).toEqual([
      a['id'],
      b['id'],
      c['id']
    ])
    expect(ids(await get(fake, `${ISSUES}?query=&environment=staging`))).toEqual([])
    d['lastSeen'] = hoursAgo(2)
    const staging = await get(fake, `${ISSUES}?query=&environment=staging`)
    expect(ids(staging)).toEqual([d['id']])
    expect(staging.text).not.toContain('_environments')
  })

  it('answers invalid parameters with 400 and a detail, like Sentry', async () => {
    const fake = await startFake()
    fake.seed(3)
    const cases: Array<[string, RegExp]> = [
      ['?project=backend', /^Invalid project parameter\. Values must be numbers\.$/],
      ['?query=is:sleeping', /Invalid value for "is" search/],
      ['?statsPeriod=yesterday', /Invalid statsPeriod/],
      ['?statsPeriod=14x', /Invalid statsPeriod/],
      ['?sort=random', /Invalid sort/],
      ['?limit=101', /limit/],
      ['?limit=0', /limit/],
      ['?cursor=abc', /cursor/],
      ['?query=foo:bar', /search key "foo"/],
      ['?group=abc', /group/]
    ]
    for (const [query, detail] of cases) {
      const answer = await get(fake, `${ISSUES}${query}`)
      expect({ query, status: answer.status }).toEqual({ query, status: 400 })
      expect((answer.json() as { detail: string }).detail).toMatch(detail)
    }
    for (const sort of ['date', 'new', 'freq', 'user', 'trends', 'inbox', 'recommended']) {
      expect((await get(fake, `${ISSUES}?sort=${sort}`)).status).toBe(200)
    }
  })

  it('accepts numeric project ids only, answers unknown ones with 403, and -1 means all', async () => {
    const fake = await startFake()
    const web = fake.addProject('web')
    const api = fake.addProject('api')
    fake.seed(6, { projectSlug: 'web' })
    fake.seed(4, { projectSlug: 'api' })
    expect(ids(await get(fake, `${ISSUES}?query=&project=${api.id}`))).toHaveLength(4)
    expect(
      ids(await get(fake, `${ISSUES}?query=&project=${api.id}&project=${web.id}`))
    ).toHaveLength(10)
    expect(ids(await get(fake, `${ISSUES}?query=&project=-1`))).toHaveLength(10)
    const unknown = await get(fake, `${ISSUES}?query=&project=999`)
    expect(unknown.status).toBe(403)
    expect(unknown.json()).toEqual({ detail: 'You do not have permission to perform this action.' })
  })

  it('sorts by frequency numerically although count is a string', async () => {
    const fake = await startFake()
    const nine = fake.addIssue({ count: '9' })
    const ten = fake.addIssue({ count: 10 })
    const hundred = fake.addIssue({ count: '100' })
    expect(ten['count']).toBe('10')
    expect(ids(await get(fake, `${ISSUES}?query=&sort=freq`))).toEqual([
      hundred['id'],
      ten['id'],
      nine['id']
    ])
    const users = [fake.addIssue({ userCount: 50 }), fake.addIssue({ userCount: 70 })]
    expect(ids(await get(fake, `${ISSUES}?query=&sort=user`)).slice(0, 2)).toEqual([
      users[1]?.['id'],
      users[0]?.['id']
    ])
  })

  it('returns exactly the requested groups whatever their status, within the selected projects', async () => {
    const now = new Date('2026-11-20T12:00:00Z')
    const fake = await startFake({ now: () => now })
    const web = fake.addProject('web')
    const api = fake.addProject('api')
    const resolved = fake.addIssue({ projectSlug: 'web', status: 'resolved' })
    const ancient = fake.addIssue({ projectSlug: 'web', lastSeen: '2020-01-01T00:00:00Z' })
    const other = fake.addIssue({ projectSlug: 'api' })
    fake.addIssue({ projectSlug: 'web' })

    const query = `group=${resolved['id']}&group=${ancient['id']}&group=${other['id']}&group=1`
    const all = await get(fake, `${ISSUES}?query=is:unresolved&statsPeriod=24h&${query}`)
    expect(new Set(ids(all))).toEqual(new Set([resolved['id'], ancient['id'], other['id']]))
    const inWeb = await get(fake, `${ISSUES}?${query}&project=${web.id}`)
    expect(new Set(ids(inWeb))).toEqual(new Set([resolved['id'], ancient['id']]))
    const inApi = await get(fake, `${ISSUES}?${query}&project=${api.id}`)
    expect(ids(inApi)).toEqual([other['id']])
  })
})

describe('FakeSentry authentication and routes', () => {
  it('answers missing, unknown and under-scoped tokens, unknown orgs and routes like Sentry', async () => {
    const fake = await startFake({ forbiddenTokens: ['read-only-token'] })
    const missing = await get(fake, ISSUES, { token: null })
    expect(missing.status).toBe(401)
    expect(missing.json()).toEqual({ detail: 'Invalid token' })
    expect((await get(fake, ISSUES, { token: 'nope' })).status).toBe(401)

    const forbidden = await get(fake, ISSUES, { token: 'read-only-token' })
    expect(forbidden.status).toBe(403)
    expect(forbidden.json()).toEqual({
      detail: 'You do not have permission to perform this action.'
    })

    const wrongOrg = await get(fake, '/api/0/organizations/umbrella/issues/')
    expect(wrongOrg.status).toBe(404)
    expect(wrongOrg.json()).toEqual({ detail: 'The requested resource does not exist' })

    const unknownRoute = await get(fake, '/api/0/organizations/acme/releases/')
    expect(unknownRoute.status).toBe(404)
    expect((unknownRoute.json() as { detail: string }).detail).toBeTruthy()
    expect((await get(fake, ISSUES, { method: 'POST', body: '{}' })).status).toBe(405)
  })

  it('serves everything under the path prefix only, and logs paths without it', async () => {
    const fake = await startFake({ pathPrefix: 'sentry/' })
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sentry$/)
    fake.seed(2)
    expect((await get(fake, `${ISSUES}?query=`)).status).toBe(200)
    const outside = await fetch(`${new URL(fake.url).origin}${ISSUES}`, {
      headers: { authorization: `Bearer ${fake.token}` }
    })
    await outside.text()
    expect(outside.status).toBe(404)
    expect(fake.requests.map((r) => r.path)).toEqual([ISSUES, ISSUES])
    expect(fake.requests[0]?.query.get('query')).toBe('')
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${fake.token}`)
  })

  it('gets one issue, 404s a missing one, and updates status with PUT', async () => {
    const fake = await startFake()
    const issue = fake.addIssue()
    const one = await get(fake, `${ISSUES}${issue['id']}/`)
    expect((one.json() as { id: string }).id).toBe(issue['id'])
    expect((await get(fake, `${ISSUES}12345/`)).status).toBe(404)

    const put = await get(fake, `${ISSUES}${issue['id']}/`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'resolved' })
    })
    expect(put.status).toBe(200)
    expect(put.json()).toMatchObject({ id: issue['id'], status: 'resolved', substatus: null })
    expect(issue['status']).toBe('resolved')
    const bad = await get(fake, `${ISSUES}${issue['id']}/`, {
      method: 'PUT',
      body: '{"status":"x"}'
    })
    expect(bad.status).toBe(400)
  })

  it('lists projects with the same cursor pagination', async () => {
    const fake = await startFake()
    for (const slug of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) fake.addProject(slug)
    const first = await get(fake, `${PROJECTS}?per_page=2`)
    expect((first.json() as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['alpha', 'bravo'])
    const next = nextLink(first.headers.get('link'))
    expect(next).toMatchObject({ results: 'true', cursor: '0:2:0' })
    const last = await get(fake, `${PROJECTS}?per_page=2&cursor=0:4:0`)
    const projects = last.json() as Array<Record<string, unknown>>
    expect(projects.map((p) => p['slug'])).toEqual(['echo'])
    expect(typeof projects[0]?.['id']).toBe('string')
    expect(projects[0]).toMatchObject({ name: 'Echo', platform: 'python' })
    expect(nextLink(last.headers.get('link')).results).toBe('false')
  })
})

describe('FakeSentry issues', () => {
  it('builds issues with every field the spec requires, count as a string', async () => {
    {
      const fake = await startFake({ org: 'umbrella' })
      const required = (
        spec.schemas.OrganizationGroupIndexGetResponse as unknown as {
          items: { required: string[] }
        }
      ).items.required
      const issue = fake.addIssue({ projectSlug: 'web-app' })
      for (const field of required)
        expect({ field, present: field in issue }).toEqual({ field, present: true })
      expect(issue).toMatchObject({
        shortId: 'WEB-APP-1',
        count: '1',
        permalink: `${fake.url}/organizations/umbrella/issues/${String(issue['id'])}/`,
        project: { slug: 'web-app', platform: 'javascript' }
      })
      expect(issue['id']).toMatch(/^\d+$/)
      expect(Object.keys(issue['metadata'] as object).sort()).toEqual([
        'filename',
        'function',
        'type',
        'value'
      ])
      const second = fake.addIssue({ projectSlug: 'web-app' })
      expect(second['shortId']).toBe('WEB-APP-2')
      expect(Number(second['id'])).toBe(Number(issue['id']) + 1)
    }
  })

  it('seeds realistic, varied issues deterministically from a seed', async () => {
    const now = new Date('2026-11-20T12:00:00Z')
    const [a, b, c] = await Promise.all([
      startFake({ now: () => now }),
      startFake({ now: () => now }),
      startFake({ now: () => now })
    ])
    if (!a || !b || !c) throw new Error('fakes did not start')
    const pick = (fake: FakeSentry): unknown[] =>
      fake.issues.map((i) => [i['title'], i['count'], i['userCount'], i['lastSeen'], i['status']])
    a.seed(40, { seed: 42 })
    b.seed(40, { seed: 42 })
    c.seed(40, { seed: 43 })
    expect(pick(a)).toEqual(pick(b))
    expect(pick(a)).not.toEqual(pick(c))
    const types = new Set(a.issues.map((i) => (i['metadata'] as { type: string }).type))
    expect(types.size).toBeGreaterThanOrEqual(4)
    expect(new Set(a.issues.map((i) => i['substatus'])).size).toBeGreaterThanOrEqual(3)
    expect(new Set(a.issues.map((i) => i['level'])).size).toBeGreaterThanOrEqual(2)
    expect(new Set(a.issues.map((i) => i['count'])).size).toBeGreaterThan(30)
    for (const issue of a.issues) {
      expect(issue['count']).toMatch(/^\d+$/)
      expect(issue['userCount'] as number).toBeLessThanOrEqual(Number(issue['count']))
      // Active issues, matching the action's defaults (is:unresolved, 24h).
      expect(issue['status']).toBe('unresolved')
      expect(Date.parse(String(issue['lastSeen']))).toBeLessThanOrEqual(now.getTime())
      expect(Date.parse(String(issue['lastSeen']))).toBeGreaterThan(now.getTime() - 86_400_000)
      expect(Date.parse(String(issue['lastSeen']))).toBeGreaterThanOrEqual(
        Date.parse(String(issue['firstSeen']))
      )
      expect(issue['metadata']).toEqual({
        type: expect.any(String),
        value: expect.any(String),
        filename: expect.any(String),
        function: expect.any(String)
      })
    }
  })
})

describe('FakeSentry rate limits', () => {
  it('sends X-Sentry-Rate-Limit-* headers, and none when disabled', async () => {
    const fake = await startFake()
    const answer = await get(fake, ISSUES)
    for (const name of ['Limit', 'Remaining', 'Reset', 'ConcurrentLimit', 'ConcurrentRemaining']) {
      expect(answer.headers.get(`x-sentry-rate-limit-${name}`)).toMatch(/^\d+$/)
    }
    const selfHosted = await startFake({ rateLimitHeaders: false })
    const plain = await get(selfHosted, ISSUES)
    expect(plain.status).toBe(200)
    expect(plain.headers.get('x-sentry-rate-limit-remaining')).toBeNull()
  })

  it('answers 429 without Retry-After once the per-second budget is spent', async () => {
    const fake = await startFake({ requestsPerWindow: 2 })
    let limited: Answer | undefined
    let before = 0
    for (let i = 0; i < 10 && !limited; i++) {
      before = Date.now()
      const answer = await get(fake, ISSUES)
      if (answer.status === 429) limited = answer
      else expect(answer.status).toBe(200)
    }
    if (!limited) throw new Error('never rate limited')
    expect(limited.headers.get('retry-after')).toBeNull()
    expect(limited.headers.get('x-sentry-rate-limit-remaining')).toBe('0')
    const reset = Number(limited.headers.get('x-sentry-rate-limit-reset'))
    expect(reset * 1000).toBeGreaterThan(before)
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 1000)
    expect((limited.json() as { detail: string }).detail).toMatch(/too frequently/)
  })
})

describe('FakeSentry faults', () => {
  it('answers with an injected status, headers and HTML body for the given number of requests', async () => {
    const fake = await startFake()
    fake.injectFault({
      kind: 'status',
      status: 502,
      times: 2,
      headers: { 'Retry-After': '3' },
      body: '<html><head><title>502 Bad Gateway</title></head></html>'
    })
    const first = await get(fake, ISSUES)
    expect(first.status).toBe(502)
    expect(first.headers.get('content-type')).toMatch(/text\/html/)
    expect(first.headers.get('retry-after')).toBe('3')
    expect((await get(fake, ISSUES)).status).toBe(502)
    expect((await get(fake, ISSUES)).status).toBe(200)
    expect(fake.requests).toHaveLength(3)
  })

  it('applies a fault only to requests whose path includes pathIncludes', async () => {
    const fake = await startFake()
    fake.injectFault({ kind: 'status', status: 503, pathIncludes: '/projects/' })
    expect((await get(fake, ISSUES)).status).toBe(200)
    expect((await get(fake, PROJECTS)).status).toBe(503)
    expect((await get(fake, PROJECTS)).status).toBe(200)
  })

  it('resets the connection in the middle of the body', async () => {
    const fake = await startFake()
    fake.seed(5)
    fake.injectFault({ kind: 'reset' })
    const response = await fetch(`${fake.url}${ISSUES}`, {
      headers: { authorization: `Bearer ${fake.token}` }
    })
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
    expect((await get(fake, ISSUES)).status).toBe(200)
  })

  it('delays a response, and close() ends a pending delay at once', async () => {
    const fake = await startFake()
    fake.injectFault({ kind: 'delay', ms: 150 })
    const before = Date.now()
    expect((await get(fake, ISSUES)).status).toBe(200)
    expect(Date.now() - before).toBeGreaterThanOrEqual(140)

    fake.injectFault({ kind: 'delay', ms: 60_000 })
    const pending = get(fake, ISSUES).catch((error: unknown) => error)
    while (fake.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    const closing = Date.now()
    await fake.close()
    expect(Date.now() - closing).toBeLessThan(2000)
    // fetch's TypeError comes from another realm under jest, so match its text.
    expect(String(await pending)).toMatch(/fetch failed/)
  })

  it('sends malformed JSON', async () => {
    const fake = await startFake()
    fake.injectFault({ kind: 'malformed-json' })
    const answer = await get(fake, ISSUES)
    expect(answer.status).toBe(200)
    expect(() => answer.json()).toThrow(SyntaxError)
  })

  it('loops the next cursor back to the current page until cleared', async () => {
    const fake = await startFake()
    fake.seed(150)
    fake.injectFault({ kind: 'loop-cursor' })
    // A single-issue request is not a list: it neither loops nor uses the fault up.
    expect((await get(fake, `${ISSUES}${String(fake.issues[0]?.['id'])}/`)).status).toBe(200)
    for (const cursor of ['', '&cursor=0:0:0', '&cursor=0:0:0']) {
      const answer = await get(fake, `${ISSUES}?query=${cursor}`)
      expect(nextLink(answer.headers.get('link'))).toMatchObject({
        results: 'true',
        cursor: '0:0:0'
      })
    }
    fake.clearFaults()
    const answer = await get(fake, `${ISSUES}?query=&cursor=0:0:0`)
    expect(nextLink(answer.headers.get('link')).cursor).toBe('0:100:0')
  })
})

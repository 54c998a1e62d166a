import { TEST_CA, TEST_SERVER_CERT, TEST_SERVER_KEY } from '../fixtures/test-pki.js'
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry, type FakeSentryOptions } from '../../src/fakes/fake-sentry.js'
import type { Logger } from '../../src/log.js'
import {
  normalizeSentryBaseUrl,
  SentryApiError,
  SentryClient,
  type SentryClientOptions
} from '../../src/sentry/client.js'
import { sentryIssueListSchema } from '../../src/sentry/schemas.js'

const TOKEN = 'sntryu_0123456789abcdef-secret'

interface Harness {
  fake: FakeSentry
  client: SentryClient
  waits: number[]
  logs: string[]
}

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

function recordingLogger(logs: string[]): Logger {
  return {
    debug: (m) => void logs.push(`debug: ${m}`),
    info: (m) => void logs.push(`info: ${m}`),
    warning: (m) => void logs.push(`warning: ${m}`),
    group: (_name, fn) => fn()
  }
}

/** A fake Sentry and a client pointed at it; waits are recorded and return at once. */
async function setup(
  fakeOpts: FakeSentryOptions = {},
  clientOpts: Partial<SentryClientOptions> = {}
): Promise<Harness> {
  const fake = await FakeSentry.start({ token: TOKEN, ...fakeOpts })
  const waits: number[] = []
  const logs: string[] = []
  const client = new SentryClient({
    baseUrl: fake.url,
    token: TOKEN,
    log: recordingLogger(logs),
    sleep: async (ms) => void waits.push(ms),
    ...clientOpts
  })
  cleanups.push(async () => {
    await client.close()
    await fake.close()
  })
  return { fake, client, waits, logs }
}

async function failure(promise: Promise<unknown>): Promise<SentryApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(SentryApiError)
    return error as SentryApiError
  }
  throw new Error('expected the call to fail')
}

function expectNoToken(error: SentryApiError, logs: string[]): void {
  expect(error.message).not.toContain(TOKEN)
  expect(error.url).not.toContain(TOKEN)
  expect(error.detail ?? '').not.toContain(TOKEN)
  expect(logs.join('\n')).not.toContain(TOKEN)
}

const LIST = { query: '', max: 1000 }

describe('normalizeSentryBaseUrl', () => {
  it.each([
    ['https://sentry.io', 'https://sentry.io'],
    ['https://sentry.io/', 'https://sentry.io'],
    [' https://de.sentry.io/api/0/ ', 'https://de.sentry.io'],
    ['https://sentry.example.com/sentry/', 'https://sentry.example.com/sentry'],
    ['http://10.0.0.5:9000/tools/sentry/api/0', 'http://10.0.0.5:9000/tools/sentry'],
    ['HTTPS://Sentry.Example.com:443/', 'https://sentry.example.com']
  ])('%s → %s', (input, expected) => {
    expect(normalizeSentryBaseUrl(input)).toBe(expected)
  })

  it.each([
    'sentry.io',
    'ftp://sentry.io',
    'https://user:pw@sentry.io',
    'https://sentry.io/?x=1',
    ''
  ])('rejects %j', (input) => {
    expect(() => normalizeSentryBaseUrl(input)).toThrow(/sentry-url/)
  })
})

describe('SentryClient.listIssues', () => {
  it('reads 250 issues over 3 pages, with the query always sent and limit 100', async () => {
    const { fake, client } = await setup()
    fake.seed(250)
    const result = await client.listIssues('acme', { ...LIST, max: 1000 })
    expect(result.issues).toHaveLength(250)
    expect(new Set(result.issues.map((i) => i.id)).size).toBe(250)
    expect(result).toMatchObject({ pages: 3, truncated: false })
    expect(client.requestCount).toBe(3)
    expect(
      fake.requests.map((r) => [r.query.get('query'), r.query.get('limit'), r.query.get('cursor')])
    ).toEqual([
      ['', '100', null],
      ['', '100', '0:100:0'],
      ['', '100', '0:200:0']
    ])
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('stops at max, asking only for what it still needs, and reports truncation', async () => {
    const { fake, client } = await setup()
    fake.seed(250)
    const capped = await client.listIssues('acme', { ...LIST, max: 150 })
    expect(capped).toMatchObject({ pages: 2, truncated: true })
    expect(capped.issues).toHaveLength(150)
    expect(fake.requests.map((r) => r.query.get('limit'))).toEqual(['100', '50'])

    const exact = await client.listIssues('acme', { ...LIST, max: 250 })
    expect(exact).toMatchObject({ pages: 3, truncated: false })
    expect(exact.issues).toHaveLength(250)
  })

  it('sends query, statsPeriod, projects, environments and sort', async () => {
    const { fake, client } = await setup()
    const project = fake.addProject('api')
    fake.addIssue({ projectSlug: 'api', environments: ['production'] })
    const result = await client.listIssues('acme', {
      query: 'is:unresolved',
      statsPeriod: '14d',
      projectIds: [project.id],
      environments: ['production', 'staging'],
      sort: 'freq',
      max: 10
    })
    expect(result.issues).toHaveLength(1)
    const query = fake.requests[0]?.query
    expect(query?.get('query')).toBe('is:unresolved')
    expect(query?.get('statsPeriod')).toBe('14d')
    expect(query?.getAll('project')).toEqual([project.id])
    expect(query?.getAll('environment')).toEqual(['production', 'staging'])
    expect(query?.get('sort')).toBe('freq')
    expect(query?.get('limit')).toBe('10')
  })

  it('keeps a path prefix, and tolerates a trailing slash and /api/0', async () => {
    const { fake } = await setup({ pathPrefix: '/sentry' })
    fake.seed(3)
    for (const baseUrl of [fake.url, `${fake.url}/`, `${fake.url}/api/0`, `${fake.url}/api/0/`]) {
      const client = new SentryClient({ baseUrl, token: TOKEN })
      cleanups.push(() => client.close())
      expect(client.baseUrl).toBe(fake.url)
      expect((await client.listIssues('acme', LIST)).issues).toHaveLength(3)
    }
    expect(fake.requests.map((r) => r.path)).toEqual(
      Array.from({ length: 4 }, () => '/api/0/organizations/acme/issues/')
    )
  })

  it('turns count strings into numbers and accepts metadata holding only a title', async () => {
    const { fake, client } = await setup()
    fake.addIssue({ count: '12345', userCount: 17 })
    fake.addIssue({ metadata: { title: 'This is an example Python exception' } })
    const { issues } = await client.listIssues('acme', LIST)
    const counted = issues.find((i) => i.count === 12345)
    expect(counted?.userCount).toBe(17)
    expect(typeof counted?.count).toBe('number')
    expect(issues.find((i) => i.metadata.title !== undefined)?.metadata).toEqual({
      title: 'This is an example Python exception'
    })
  })

  it('fails with invalid-response naming the item and field when data does not fit', async () => {
    const { fake, client, logs } = await setup()
    fake.addIssue()
    const bad = fake.addIssue()
    bad['count'] = 'many'
    const error = await failure(client.listIssues('acme', LIST))
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toContain(`id ${String(bad['id'])}`)
    expect(error.message).toContain('field count')
    expectNoToken(error, logs)
  })

  it("parses the spec's own example issues", () => {
    const operation = spec.operations['GET /api/0/organizations/{organization_id_or_slug}/issues/']
    const examples = Object.values(operation.examples['200']).map((example) => example.value)
    expect(examples.length).toBeGreaterThan(0)
    for (const value of examples) {
      const issues = sentryIssueListSchema.parse(value)
      expect(issues[0]).toMatchObject({ id: '1', shortId: 'PUMP-STATION-1', count: 150 })
      expect(issues[0]?.metadata.title).toBe('This is an example Python exception')
    }
  })

  it('stops with a warning when the next cursor repeats', async () => {
    const { fake, client, logs } = await setup()
    fake.seed(250)
    fake.injectFault({ kind: 'loop-cursor' })
    const result = await client.listIssues('acme', LIST)
    expect(result.issues).toHaveLength(100)
    expect(result.truncated).toBe(true)
    expect(client.requestCount).toBe(2)
    expect(logs.some((l) => l.startsWith('warning:') && /cursor "0:0:0" again/.test(l))).toBe(true)
  })
})

describe('SentryClient projects', () => {
  it('keeps numeric ids without a request, and resolves slugs through paginated projects', async () => {
    const { fake, client } = await setup()
    expect(await client.resolveProjectIds('acme', ['42', ' 7 '])).toEqual(['42', '7'])
    expect(client.requestCount).toBe(0)

    const slugs = Array.from({ length: 130 }, (_, i) => `service-${String(i).padStart(3, '0')}`)
    const added = slugs.map((slug) => fake.addProject(slug))
    const projects = await client.listProjects('acme')
    expect(projects).toHaveLength(130)
    expect(client.requestCount).toBe(2)

    const last = added[129]
    if (!last) throw new Error('no project')
    expect(await client.resolveProjectIds('acme', ['service-129', '42', 'Service-000'])).toEqual([
      last.id,
      '42',
      added[0]?.id
    ])
  })

  it('names unknown slugs in a not-found error', async () => {
    const { fake, client, logs } = await setup()
    fake.addProject('web')
    fake.addProject('api')
    const error = await failure(client.resolveProjectIds('acme', ['web', 'mobile', 'desktop']))
    expect(error.kind).toBe('not-found')
    expect(error.message).toContain('mobile, desktop')
    expect(error.message).toContain('api, web')
    expect(error.message).toContain('sentry-projects')
    expectNoToken(error, logs)
  })
})

describe('SentryClient.getIssuesByIds', () => {
  it('looks issues up by id in chunks of 100, whatever their status', async () => {
    const { fake, client } = await setup()
    const project = fake.addProject('api')
    const issues = Array.from({ length: 150 }, (_, i) =>
      fake.addIssue({ projectSlug: 'api', status: i % 2 === 0 ? 'resolved' : 'unresolved' })
    )
    const ids = issues.map((i) => String(i['id']))
    const found = await client.getIssuesByIds('acme', [...ids, '1'], [project.id])
    expect(found.map((i) => i.id).sort()).toEqual([...ids].sort())
    expect(found.filter((i) => i.status === 'resolved')).toHaveLength(75)
    expect(fake.requests.map((r) => r.query.getAll('group').length)).toEqual([100, 51])
    expect(fake.requests.every((r) => r.query.getAll('project')[0] === project.id)).toBe(true)
    expect(await client.getIssuesByIds('acme', [])).toEqual([])
    expect(client.requestCount).toBe(2)
  })
})

describe('SentryClient errors', () => {
  it('explains a 401 with the cause and Sentry’s detail, without the token', async () => {
    const { fake, logs } = await setup()
    const client = new SentryClient({
      baseUrl: fake.url,
      token: 'wrong-token-value',
      log: recordingLogger(logs)
    })
    cleanups.push(() => client.close())
    const error = await failure(client.listIssues('acme', LIST))
    expect(error).toMatchObject({ kind: 'auth', status: 401, detail: 'Invalid token' })
    expect(error.message).toMatch(/invalid, expired or revoked/)
    expect(error.message).toContain('sentry-token')
    expect(error.message).toContain('"Invalid token"')
    expect(error.message).not.toContain('wrong-token-value')
    expect(client.requestCount).toBe(1)
  })

  it('explains a 403 with the scopes needed', async () => {
    const { fake, logs } = await setup({ forbiddenTokens: ['limited-token-value'] })
    const client = new SentryClient({
      baseUrl: fake.url,
      token: 'limited-token-value',
      log: recordingLogger(logs)
    })
    cleanups.push(() => client.close())
    const error = await failure(client.listIssues('acme', LIST))
    expect(error).toMatchObject({ kind: 'forbidden', status: 403 })
    expect(error.message).toMatch(/event:read, org:read, project:read/)
    expect(error.message).toContain('You do not have permission to perform this action.')
    expect(error.message).not.toContain('limited-token-value')
  })

  it('explains a 404 with the org slug and region host', async () => {
    const { client, logs } = await setup()
    const error = await failure(client.listIssues('umbrella', LIST))
    expect(error).toMatchObject({ kind: 'not-found', status: 404 })
    expect(error.message).toMatch(/sentry-org/)
    expect(error.message).toMatch(/us\.sentry\.io/)
    expect(error.message).toContain('The requested resource does not exist')
    expect(error.url).toContain('/api/0/organizations/umbrella/issues/')
    expectNoToken(error, logs)
  })

  it('reports a 400 as bad-request with the detail, without retrying', async () => {
    const { client } = await setup()
    const error = await failure(client.listIssues('acme', { query: 'is:sleeping', max: 10 }))
    expect(error).toMatchObject({ kind: 'bad-request', status: 400 })
    expect(error.message).toMatch(/Invalid value for "is" search/)
    expect(client.requestCount).toBe(1)
  })
})

describe('SentryClient rate limits', () => {
  it('waits for Retry-After (seconds) on a 429', async () => {
    const { fake, client, waits, logs } = await setup()
    fake.seed(3)
    fake.injectFault({ kind: 'status', status: 429, headers: { 'Retry-After': '7' } })
    expect((await client.listIssues('acme', LIST)).issues).toHaveLength(3)
    expect(waits).toEqual([7000])
    expect(logs.some((l) => l.startsWith('info:') && l.includes('Retry-After'))).toBe(true)
  })

  it('waits for Retry-After given as an HTTP date', async () => {
    const { fake, client, waits } = await setup()
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000)
    fake.injectFault({ kind: 'status', status: 429, headers: { 'Retry-After': at.toUTCString() } })
    await client.listIssues('acme', LIST)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(3000)
    expect(waits[0]).toBeLessThanOrEqual(6000)
  })

  it('waits until X-Sentry-Rate-Limit-Reset when there is no Retry-After', async () => {
    const { fake, client, waits } = await setup()
    const reset = Math.floor(Date.now() / 1000) + 20
    fake.injectFault({
      kind: 'status',
      status: 429,
      headers: { 'X-Sentry-Rate-Limit-Reset': String(reset), 'X-Sentry-Rate-Limit-Remaining': '0' },
      body: '{"detail":"You are attempting to use this endpoint too frequently."}'
    })
    await client.listIssues('acme', LIST)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(18_000)
    expect(waits[0]).toBeLessThanOrEqual(20_100)
    expect(client.requestCount).toBe(2)
  })

  it('caps a long wait at maxRetryWaitMs, with a warning', async () => {
    const { fake, client, waits, logs } = await setup({}, { maxRetryWaitMs: 5000 })
    fake.injectFault({ kind: 'status', status: 429, headers: { 'Retry-After': '3600' } })
    await client.listIssues('acme', LIST)
    expect(waits).toEqual([5000])
    expect(logs.some((l) => l.startsWith('warning:') && l.includes('at most 5.0 s'))).toBe(true)
  })

  it('gives up with rate-limited after maxRetries 429s', async () => {
    const { fake, client, waits, logs } = await setup({}, { maxRetries: 2 })
    fake.injectFault({ kind: 'status', status: 429, times: 5, headers: { 'Retry-After': '1' } })
    const error = await failure(client.listIssues('acme', LIST))
    expect(error).toMatchObject({ kind: 'rate-limited', status: 429 })
    expect(error.message).toContain('3 attempts')
    expect(waits).toEqual([1000, 1000])
    expectNoToken(error, logs)
  })

  it('paces itself when X-Sentry-Rate-Limit-Remaining reaches 0, so Sentry never answers 429', async () => {
    const { fake, client, waits } = await setup(
      { requestsPerWindow: 2 },
      {
        sleep: (ms) =>
          new Promise((resolve) => {
            waits.push(ms)
            setTimeout(resolve, ms)
          })
      }
    )
    fake.seed(250)
    // Start early in a second, so the first two requests share the fake's one-second window.
    while (Date.now() % 1000 > 600) await new Promise((resolve) => setTimeout(resolve, 20))
    const result = await client.listIssues('acme', LIST)
    expect(result.issues).toHaveLength(250)
    // Three requests and no retry: the pause came before the 429 could.
    expect(client.requestCount).toBe(3)
    expect(waits.length).toBeGreaterThanOrEqual(1)
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(1100)
  })
})

describe('SentryClient retries', () => {
  it('retries 500, 502 and 503 with growing backoff, then succeeds', async () => {
    const { fake, client, waits, logs } = await setup()
    fake.seed(5)
    fake.injectFault({ kind: 'status', status: 500 })
    fake.injectFault({
      kind: 'status',
      status: 502,
      body: '<html><title>502 Bad Gateway</title></html>'
    })
    fake.injectFault({ kind: 'status', status: 503 })
    expect((await client.listIssues('acme', LIST)).issues).toHaveLength(5)
    expect(client.requestCount).toBe(4)
    expect(waits).toHaveLength(3)
    const ceilings = [1000, 2000, 4000]
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual((ceilings[i] ?? 0) / 2)
      expect(wait).toBeLessThanOrEqual(ceilings[i] ?? 0)
    })
    expect(logs.filter((l) => l.startsWith('warning:'))).toHaveLength(3)
  })

  it('gives up on 5xx after maxRetries with a server error carrying the HTML page title', async () => {
    const { fake, client, waits } = await setup({}, { maxRetries: 2 })
    fake.injectFault({
      kind: 'status',
      status: 502,
      times: 10,
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'
    })
    const error = await failure(client.listIssues('acme', LIST))
    expect(error).toMatchObject({ kind: 'server', status: 502 })
    expect(error.message).toContain('after 3 attempts')
    expect(error.detail).toContain('502 Bad Gateway')
    expect(waits).toHaveLength(2)
  })

  it('retries a connection reset in the middle of the body', async () => {
    const { fake, client, waits } = await setup()
    fake.seed(8)
    fake.injectFault({ kind: 'reset' })
    expect((await client.listIssues('acme', LIST)).issues).toHaveLength(8)
    expect(client.requestCount).toBe(2)
    expect(waits).toHaveLength(1)
  })

  it('retries a timeout, then fails with a timeout error', async () => {
    const { fake, client, waits } = await setup({}, { timeoutMs: 150, maxRetries: 1 })
    fake.seed(2)
    fake.injectFault({ kind: 'delay', ms: 1000 })
    expect((await client.listIssues('acme', LIST)).issues).toHaveLength(2)
    expect(waits).toHaveLength(1)

    fake.injectFault({ kind: 'delay', ms: 1000, times: 2 })
    const error = await failure(client.listIssues('acme', LIST))
    expect(error.kind).toBe('timeout')
    expect(error.message).toMatch(/did not answer .* in time after 2 attempts/)
    expect(client.requestCount).toBe(4)
  })

  it('retries malformed JSON once, then fails with invalid-response', async () => {
    const { fake, client } = await setup()
    fake.seed(2)
    fake.injectFault({ kind: 'malformed-json' })
    expect((await client.listIssues('acme', LIST)).issues).toHaveLength(2)
    expect(client.requestCount).toBe(2)

    fake.injectFault({ kind: 'malformed-json', times: 2 })
    const error = await failure(client.listIssues('acme', LIST))
    expect(error).toMatchObject({ kind: 'invalid-response', status: 200 })
    expect(error.message).toMatch(/malformed JSON/)
    expect(client.requestCount).toBe(4)
  })

  it('recognises an HTML login page on a 200 as invalid-response', async () => {
    const { fake, client, logs } = await setup()
    fake.injectFault({
      kind: 'status',
      status: 200,
      times: 2,
      body: '<!DOCTYPE html><html><head><title>Sign in - Corp SSO</title></head><body></body></html>'
    })
    const error = await failure(client.listIssues('acme', LIST))
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toContain('HTML page ("Sign in - Corp SSO")')
    expect(error.message).toMatch(/login page, a proxy or the web UI/)
    expectNoToken(error, logs)
  })

  it('fails with one clear network error when nothing listens, after bounded retries', async () => {
    const port = await closedPort()
    const waits: number[] = []
    const logs: string[] = []
    const client = new SentryClient({
      baseUrl: `http://127.0.0.1:${port}/`,
      token: TOKEN,
      maxRetries: 2,
      log: recordingLogger(logs),
      sleep: async (ms) => void waits.push(ms)
    })
    cleanups.push(() => client.close())
    const error = await failure(client.listIssues('acme', LIST))
    expect(error.kind).toBe('network')
    expect(error.message).toContain(
      `Could not reach Sentry at http://127.0.0.1:${port} after 3 attempts`
    )
    expect(error.message).toContain('ECONNREFUSED')
    expect(error.message).toMatch(/Check sentry-url and the runner's network\/proxy/)
    expect(waits).toHaveLength(2)
    expect(client.requestCount).toBe(3)
    expectNoToken(error, logs)
  })
})

describe('SentryClient proxy and TLS options', () => {
  it('sends requests through http_proxy (lower case), and goes direct for NO_PROXY hosts', async () => {
    // Loopback is never proxied (the runner's rules), so the fake is addressed by a name that
    // only the proxy can resolve.
    const { fake } = await setup()
    const behindProxy = fake.url.replace('127.0.0.1', 'sentry.internal.test')
    fake.seed(2)
    const proxy = await startConnectProxy()
    cleanups.push(proxy.close)
    const saved = saveEnv([
      'http_proxy',
      'HTTP_PROXY',
      'https_proxy',
      'HTTPS_PROXY',
      'no_proxy',
      'NO_PROXY'
    ])
    cleanups.push(async () => saved.restore())
    try {
      process.env['http_proxy'] = proxy.url
      const proxied = new SentryClient({ baseUrl: behindProxy, token: TOKEN })
      cleanups.push(() => proxied.close())
      expect((await proxied.listIssues('acme', LIST)).issues).toHaveLength(2)
      expect(proxy.tunnels).toEqual([new URL(behindProxy).host])

      // Loopback always goes direct, as on a runner.
      const direct = new SentryClient({ baseUrl: fake.url, token: TOKEN })
      cleanups.push(() => direct.close())
      expect((await direct.listIssues('acme', LIST)).issues).toHaveLength(2)
      expect(proxy.tunnels).toHaveLength(1)
    } finally {
      saved.restore()
    }
  })

  it('rejects an untrusted certificate at once, with a hint about the CA', async () => {
    const https = await startHttpsSentry()
    cleanups.push(https.close)
    const waits: number[] = []
    const client = new SentryClient({
      baseUrl: https.url,
      token: TOKEN,
      sleep: async (ms) => void waits.push(ms)
    })
    cleanups.push(() => client.close())
    const error = await failure(client.listIssues('acme', LIST))
    expect(error.kind).toBe('network')
    expect(error.message).toMatch(/certificate is not trusted/)
    expect(client.requestCount).toBe(1)
    expect(waits).toEqual([])
    expect(https.hits()).toBe(0)
  })

  it('trusts an extra CA in addition to the default roots, directly and through a proxy', async () => {
    const https = await startHttpsSentry()
    cleanups.push(https.close)
    const client = new SentryClient({ baseUrl: https.url, token: TOKEN, caCert: TEST_CA })
    cleanups.push(() => client.close())
    expect(await client.listIssues('acme', LIST)).toMatchObject({ issues: [], pages: 1 })

    const proxy = await startConnectProxy()
    cleanups.push(proxy.close)
    const saved = saveEnv([
      'http_proxy',
      'HTTP_PROXY',
      'https_proxy',
      'HTTPS_PROXY',
      'no_proxy',
      'NO_PROXY'
    ])
    try {
      process.env['HTTPS_PROXY'] = proxy.url
      const behindProxy = https.url.replace('127.0.0.1', 'sentry.internal.test')
      const proxied = new SentryClient({ baseUrl: behindProxy, token: TOKEN, caCert: TEST_CA })
      cleanups.push(() => proxied.close())
      expect((await proxied.listIssues('acme', LIST)).issues).toEqual([])
      expect(proxy.tunnels).toEqual([new URL(behindProxy).host])
      expect(https.hits()).toBe(2)
    } finally {
      saved.restore()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Helpers

/** A port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A minimal HTTP CONNECT proxy that records the hosts it tunnels to. */
async function startConnectProxy(): Promise<{
  url: string
  tunnels: string[]
  close: () => Promise<void>
}> {
  const tunnels: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_req, res) => {
    res.writeHead(501).end()
  })
  server.on('connect', (req, client: Socket) => {
    const target = req.url ?? ''
    tunnels.push(target)
    const [host, port] = target.split(':')
    // Names under .internal.test exist only behind this proxy (as in a restricted network where
    // only the proxy resolves names); route them to loopback.
    const upstreamHost = host?.endsWith('.internal.test') ? '127.0.0.1' : (host ?? '127.0.0.1')
    const upstream = connect(Number(port), upstreamHost, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => sockets.delete(socket))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function saveEnv(names: string[]): { restore: () => void } {
  const saved = new Map(names.map((name) => [name, process.env[name]]))
  for (const name of names) delete process.env[name]
  return {
    restore: () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  }
}

/** An HTTPS server (certificate for 127.0.0.1 from TEST_CA) that answers every GET with `[]`. */
async function startHttpsSentry(): Promise<{
  url: string
  hits: () => number
  close: () => Promise<void>
}> {
  let hits = 0
  const server = createHttpsServer(
    { cert: TEST_SERVER_CERT, key: TEST_SERVER_KEY },
    (_req, res) => {
      hits++
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]')
    }
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    hits: () => hits,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

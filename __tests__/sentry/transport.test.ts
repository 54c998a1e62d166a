import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { SentryApiError } from '../../src/sentry/errors.js'
import type { PageOutcome } from '../../src/sentry/pagination.js'
import { SentryTransport } from '../../src/sentry/transport.js'

const TOKEN = 'sntrys_transport-test-token'

/** One scripted answer: status, headers and a body (objects are sent as JSON). */
interface Answer {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

interface Seen {
  method: string
  url: URL
  authorization: string | undefined
  userAgent: string | undefined
}

interface Harness {
  transport: SentryTransport
  seen: Seen[]
  waits: number[]
  warnings: string[]
}

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/**
 * A loopback server that answers each request with `answer(request, index)`, and a transport
 * pointed at it whose waits are recorded and return at once.
 */
async function serve(
  answer: (url: URL, index: number) => Answer,
  opts: { maxRetries?: number; maxRetryWaitMs?: number } = {}
): Promise<Harness> {
  const seen: Seen[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    seen.push({
      method: req.method ?? '',
      url,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent']
    })
    const { status, headers = {}, body } = answer(url, seen.length - 1)
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, {
      ...(typeof body === 'object' ? { 'content-type': 'application/json' } : {}),
      ...headers
    })
    res.end(text)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const waits: number[] = []
  const warnings: string[] = []
  const transport = new SentryTransport({
    baseUrl: `http://127.0.0.1:${port}/`,
    token: TOKEN,
    sleep: async (ms) => void waits.push(ms),
    log: {
      debug: () => undefined,
      info: () => undefined,
      warning: (m) => void warnings.push(m),
      group: (_name, fn) => fn()
    },
    ...opts
  })
  cleanups.push(async () => {
    await transport.close()
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve()))
    )
  })
  return { transport, seen, waits, warnings }
}

/** The error a call fails with, which must be a `SentryApiError`. */
async function failure(promise: Promise<unknown>): Promise<SentryApiError> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (reason: unknown) => reason
  )
  expect(outcome).toBeInstanceOf(SentryApiError)
  return outcome as SentryApiError
}

/** Sentry's `Link` header, pointing at a host that is not the server (as behind a proxy). */
function link(cursor: string, more: boolean): string {
  const url = 'https://sentry.elsewhere.invalid/api/0/things/'
  return (
    `<${url}?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ` +
    `<${url}?cursor=${cursor}>; rel="next"; results="${more}"; cursor="${cursor}"`
  )
}

const itemsSchema = z.array(z.object({ id: z.string() }))
const okBody = [{ id: '1' }]

describe('SentryTransport.paginate', () => {
  it('follows rel="next" while results="true", on its own URL with the cursor', async () => {
    const pages: Record<string, Answer> = {
      '': { status: 200, body: [{ id: '1' }, { id: '2' }], headers: { link: link('0:2:0', true) } },
      '0:2:0': { status: 200, body: [{ id: '3' }], headers: { link: link('0:3:0', true) } },
      '0:3:0': { status: 200, body: [{ id: '4' }], headers: { link: link('0:4:0', false) } }
    }
    const { transport, seen } = await serve((url) => {
      const page = pages[url.searchParams.get('cursor') ?? '']
      return page ?? { status: 400, body: { detail: 'unexpected cursor' } }
    })
    const ids: string[] = []
    const more: boolean[] = []
    await transport.paginate(
      '/things/',
      new URLSearchParams({ query: 'is:unresolved' }),
      itemsSchema,
      {
        firstLimit: 2,
        onPage: (page, hasMore): PageOutcome => {
          ids.push(...page.map((item) => item.id))
          more.push(hasMore)
          return { stop: false, added: page.length, nextLimit: 5 }
        }
      }
    )
    expect(ids).toEqual(['1', '2', '3', '4'])
    expect(more).toEqual([true, true, false])
    expect(transport.requestCount).toBe(3)
    expect(
      seen.map((r) => [
        r.url.pathname,
        r.url.searchParams.get('query'),
        r.url.searchParams.get('limit'),
        r.url.searchParams.get('cursor')
      ])
    ).toEqual([
      ['/api/0/things/', 'is:unresolved', '2', null],
      ['/api/0/things/', 'is:unresolved', '5', '0:2:0'],
      ['/api/0/things/', 'is:unresolved', '5', '0:3:0']
    ])
  })

  it('stops, and reports the listing incomplete, when a cursor comes back', async () => {
    const { transport, warnings } = await serve(() => ({
      status: 200,
      body: okBody,
      headers: { link: link('0:1:0', true) }
    }))
    let incomplete = 0
    let pages = 0
    await transport.paginate('/things/', new URLSearchParams(), itemsSchema, {
      onPage: () => ({ stop: false, added: ++pages }),
      onIncomplete: () => void incomplete++
    })
    expect(pages).toBe(2)
    expect(incomplete).toBe(1)
    expect(warnings.join('\n')).toMatch(/returned cursor "0:1:0" again/)
  })
})

describe('SentryTransport retries', () => {
  it('waits for X-Sentry-Rate-Limit-Reset after a 429, then succeeds', async () => {
    const reset = Math.floor(Date.now() / 1000) + 2
    const { transport, waits } = await serve((_url, index) =>
      index === 0
        ? {
            status: 429,
            headers: { 'x-sentry-rate-limit-reset': String(reset) },
            body: { detail: 'slow down' }
          }
        : { status: 200, body: okBody }
    )
    const before = Date.now()
    const { data } = await transport.getJson('/things/', new URLSearchParams(), itemsSchema)
    const after = Date.now()
    expect(data).toEqual(okBody)
    expect(transport.requestCount).toBe(2)
    expect(waits).toHaveLength(1)
    // Until the reset (plus a small margin for clock granularity), measured from the 429.
    expect(waits[0]).toBeLessThanOrEqual(reset * 1000 - before + 50 + 1)
    expect(waits[0]).toBeGreaterThanOrEqual(reset * 1000 - after + 50)
  })

  it('waits at most maxRetryWaitMs for a reset far away', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600
    const { transport, waits, warnings } = await serve(
      (_url, index) =>
        index === 0
          ? { status: 429, headers: { 'x-sentry-rate-limit-reset': String(reset) } }
          : { status: 200, body: okBody },
      { maxRetryWaitMs: 5000 }
    )
    await transport.getJson('/things/', new URLSearchParams(), itemsSchema)
    expect(waits).toEqual([5000])
    expect(warnings.join('\n')).toMatch(/waiting at most 5\.0 s/)
  })

  it('retries a 5xx with growing backoff, and gives up as "server" after maxRetries', async () => {
    const statuses = [503, 502, 200]
    const recovering = await serve((_url, index) => {
      const status = statuses[index] ?? 200
      return status === 200 ? { status, body: okBody } : { status }
    })
    const { data } = await recovering.transport.getJson(
      '/things/',
      new URLSearchParams(),
      itemsSchema
    )
    expect(data).toEqual(okBody)
    expect(recovering.transport.requestCount).toBe(3)
    expect(recovering.waits).toHaveLength(2)
    // Exponential backoff with jitter: attempt n waits between half and all of 1 s × 2^(n-1).
    expect(recovering.waits[0]).toBeGreaterThanOrEqual(500)
    expect(recovering.waits[0]).toBeLessThanOrEqual(1000)
    expect(recovering.waits[1]).toBeGreaterThanOrEqual(1000)
    expect(recovering.waits[1]).toBeLessThanOrEqual(2000)

    const down = await serve(() => ({ status: 500, body: { detail: 'boom' } }), { maxRetries: 2 })
    const error = await failure(
      down.transport.getJson('/things/', new URLSearchParams(), itemsSchema)
    )
    expect(error).toMatchObject({ kind: 'server', status: 500, detail: 'boom' })
    expect(error.message).toMatch(/HTTP 500 after 3 attempts/)
    expect(down.transport.requestCount).toBe(3)
  })
})

describe('SentryTransport errors', () => {
  it.each([
    [401, 'auth', /rejected the token \(HTTP 401\).*sentry-token secret/],
    [403, 'forbidden', /refused access \(HTTP 403\).*scopes/]
  ])(
    'classifies %i as %s without retrying, and keeps the token out',
    async (status, kind, message) => {
      const { transport, seen, waits } = await serve(() => ({
        status,
        body: { detail: `Invalid token ${TOKEN}` }
      }))
      const error = await failure(transport.getJson('/things/', new URLSearchParams(), itemsSchema))
      expect(error).toMatchObject({ kind, status, detail: 'Invalid token [redacted]' })
      expect(error.message).toMatch(message)
      expect(error.message).not.toContain(TOKEN)
      expect(error.url).toMatch(/\/api\/0\/things\/$/)
      expect(waits).toEqual([])
      expect(seen).toHaveLength(1)
      expect(seen[0]?.authorization).toBe(`Bearer ${TOKEN}`)
      expect(seen[0]?.userAgent).toBe('sentry-issues-action')
    }
  )

  it("tells Sentry's own 404 from an unknown route when a 404 is allowed", async () => {
    const { transport } = await serve((url) =>
      url.pathname.includes('/known/')
        ? { status: 404, body: { detail: 'Event not found' } }
        : { status: 404, body: '' }
    )
    const allow = { allowNotFound: true }
    expect(await transport.fetchJson('/known/', new URLSearchParams(), itemsSchema, allow)).toEqual(
      {
        kind: 'not-found',
        url: transport.url('/known/'),
        routeMissing: false
      }
    )
    expect(
      await transport.fetchJson('/unknown/', new URLSearchParams(), itemsSchema, allow)
    ).toMatchObject({
      kind: 'not-found',
      routeMissing: true
    })
    const error = await failure(transport.getJson('/known/', new URLSearchParams(), itemsSchema))
    expect(error).toMatchObject({ kind: 'not-found', status: 404 })
    expect(error.message).toMatch(/sentry-org/)
  })

  it('names the field a response does not match the schema in', async () => {
    const { transport } = await serve(() => ({ status: 200, body: [{ id: 7 }] }))
    const error = await failure(transport.getJson('/things/', new URLSearchParams(), itemsSchema))
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toMatch(/item 0 \(id 7\) field id/)
  })
})

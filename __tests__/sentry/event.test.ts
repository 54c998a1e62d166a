import { afterEach, describe, expect, it } from '@jest/globals'

import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry, type FakeSentryOptions } from '../../src/fakes/fake-sentry.js'
import { renderEventSection } from '../../src/render/event.js'
import { SentryApiError, SentryClient } from '../../src/sentry/client.js'
import {
  eventDebugImages,
  eventExceptions,
  eventStacktrace,
  eventTag,
  sentryEventSchema,
  sentryFrameSchema
} from '../../src/sentry/schemas.js'
import { markdownViolations } from '../fixtures/hostile-strings.js'
import { ANDROID_NDK, IOS } from '../fixtures/native-events.js'

const TOKEN = 'sntryu_event-test-token-0123456789'
const ORG_PATH = (id: string): string => `/api/0/organizations/acme/issues/${id}/events/latest/`
const LEGACY_PATH = (id: string): string => `/api/0/issues/${id}/events/latest/`

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

async function setup(
  fakeOpts: FakeSentryOptions = {}
): Promise<{ fake: FakeSentry; client: SentryClient; waits: number[]; logs: string[] }> {
  const fake = await FakeSentry.start({ token: TOKEN, ...fakeOpts })
  const waits: number[] = []
  const logs: string[] = []
  const client = new SentryClient({
    baseUrl: fake.url,
    token: TOKEN,
    sleep: async (ms) => void waits.push(ms),
    log: {
      debug: () => undefined,
      info: (m) => void logs.push(m),
      warning: (m) => void logs.push(m),
      group: (_n, fn) => fn()
    }
  })
  cleanups.push(async () => {
    await client.close()
    await fake.close()
  })
  return { fake, client, waits, logs }
}

function paths(fake: FakeSentry): string[] {
  return fake.requests.map((r) => r.path)
}

describe('SentryClient.getLatestEvent', () => {
  it('reads the latest event from the org-scoped route and validates it', async () => {
    const { fake, client } = await setup()
    const issue = fake.addIssue({ projectSlug: 'web-app', lastSeen: '2026-11-20T10:00:00.000Z' })
    const id = String(issue['id'])
    fake.addEvent(id, { dateCreated: '2026-11-20T09:00:00.000Z', value: 'older' })
    const latest = fake.addEvent(id, { dateCreated: '2026-11-20T10:00:00.000Z', value: 'newest' })
    fake.addEvent(id, { dateCreated: '2026-11-19T10:00:00.000Z', value: 'oldest, added last' })

    const event = await client.getLatestEvent('acme', id)
    expect(event?.id).toBe(latest['id'])
    expect(eventExceptions(event!).at(-1)?.value).toBe('newest')
    expect(event?.groupID).toBe(id)
    expect(paths(fake)).toEqual([ORG_PATH(id)])
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('answers undefined for an issue without events, and for an unknown issue (404 with a detail)', async () => {
    const { fake, client } = await setup()
    const issue = fake.addIssue()
    expect(await client.getLatestEvent('acme', String(issue['id']))).toBeUndefined()
    expect(await client.getLatestEvent('acme', '999999')).toBeUndefined()
    // Both were answered by the org-scoped route: no fallback for a 404 that Sentry explained.
    expect(paths(fake).every((p) => p.startsWith('/api/0/organizations/'))).toBe(true)
  })

  it('falls back to /api/0/issues/{id}/events/latest/ on an old server, once for all', async () => {
    const { fake, client, logs } = await setup({ legacyEventsOnly: true })
    const [a, b] = fake.seed(2, { projectSlug: 'api', seed: 3 })
    const idA = String(a?.['id'])
    const idB = String(b?.['id'])
    const first = await client.getLatestEvent('acme', idA)
    expect(first?.groupID).toBe(idA)
    const second = await client.getLatestEvent('acme', idB)
    expect(second?.groupID).toBe(idB)
    expect(paths(fake)).toEqual([ORG_PATH(idA), LEGACY_PATH(idA), LEGACY_PATH(idB)])
    expect(logs.join('\n')).toContain('older server')
    // No events on the legacy route is still undefined.
    const empty = fake.addIssue()
    expect(await client.getLatestEvent('acme', String(empty['id']))).toBeUndefined()
  })

  it('treats an HTML or {"info"} 404 as a missing route, and fails when neither route exists', async () => {
    const { fake, client } = await setup()
    const issue = fake.seed(1)[0]
    const id = String(issue?.['id'])
    fake.injectFault({
      kind: 'status',
      status: 404,
      body: '{"info":"Route not found, did you forget a trailing slash?"}',
      pathIncludes: '/organizations/'
    })
    expect((await client.getLatestEvent('acme', id))?.groupID).toBe(id)

    const { fake: bare, client: bareClient } = await setup()
    bare.injectFault({
      kind: 'status',
      status: 404,
      body: '<html><title>Not Found</title></html>',
      times: 2
    })
    const error = await bareClient.getLatestEvent('acme', '123').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SentryApiError)
    expect(error).toMatchObject({ kind: 'not-found', status: 404 })
    expect((error as Error).message).toContain('neither latest-event route')
    expect(paths(bare)).toEqual([ORG_PATH('123'), LEGACY_PATH('123')])
  })

  it('serves the prefix of a self-hosted server', async () => {
    const { fake, client } = await setup({ pathPrefix: '/sentry', legacyEventsOnly: true })
    const id = String(fake.seed(1)[0]?.['id'])
    expect((await client.getLatestEvent('acme', id))?.groupID).toBe(id)
  })

  it('uses the same retry and rate-limit machinery as every call', async () => {
    const { fake, client, waits } = await setup()
    const id = String(fake.seed(1)[0]?.['id'])
    const reset = Math.floor(Date.now() / 1000) + 2
    fake.injectFault({
      kind: 'status',
      status: 429,
      headers: { 'X-Sentry-Rate-Limit-Reset': String(reset) },
      pathIncludes: '/events/latest/'
    })
    fake.injectFault({ kind: 'status', status: 502, pathIncludes: '/events/latest/' })
    fake.injectFault({ kind: 'malformed-json', pathIncludes: '/events/latest/' })
    expect((await client.getLatestEvent('acme', id))?.groupID).toBe(id)
    expect(waits).toHaveLength(3)
    expect(paths(fake)).toEqual([ORG_PATH(id), ORG_PATH(id), ORG_PATH(id), ORG_PATH(id)])

    fake.injectFault({ kind: 'status', status: 403, pathIncludes: '/events/latest/' })
    await expect(client.getLatestEvent('acme', id)).rejects.toMatchObject({
      kind: 'forbidden',
      status: 403
    })
  })

  it('sends environments and refuses non-numeric ids without a request', async () => {
    const { fake, client } = await setup()
    const issue = fake.addIssue({ environments: ['production', 'staging'] })
    const id = String(issue['id'])
    fake.addEvent(id, { environment: 'staging', dateCreated: '2026-11-20T10:00:00.000Z' })
    fake.addEvent(id, { environment: 'production', dateCreated: '2026-11-20T09:00:00.000Z' })
    const event = await client.getLatestEvent('acme', id, { environments: ['production'] })
    expect(eventTag(event!, 'environment')).toBe('production')
    expect(fake.requests.at(-1)?.query.getAll('environment')).toEqual(['production'])
    await expect(client.getLatestEvent('acme', '../1')).rejects.toThrow(RangeError)
    expect(fake.requests).toHaveLength(1)
  })
})

describe('FakeSentry events', () => {
  it('builds events with every field IssueEventDetailsResponse requires', async () => {
    const { fake } = await setup()
    const required = (spec.schemas.IssueEventDetailsResponse as unknown as { required: string[] })
      .required
    for (const project of ['web-frontend', 'api']) {
      const issue = fake.seed(1, { projectSlug: project, seed: 5 })[0]
      const event = fake.events.get(String(issue?.['id']))?.at(-1) ?? {}
      for (const field of required)
        expect({ field, present: field in event }).toEqual({ field, present: true })
      expect(sentryEventSchema.safeParse(event).success).toBe(true)
    }
  })

  it('seeds one to three realistic events per issue, deterministically, the latest at lastSeen', async () => {
    const now = new Date('2026-11-20T12:00:00Z')
    const [a, b] = await Promise.all([setup({ now: () => now }), setup({ now: () => now })])
    for (const { fake } of [a, b]) {
      fake.addProject('web-frontend')
      fake.addProject('api')
      fake.seed(12, { seed: 9 })
    }
    const snapshot = (fake: FakeSentry): unknown =>
      [...fake.events.entries()].map(([id, events]) => [
        id,
        events.map((e) => [e['id'], e['dateCreated']])
      ])
    expect(snapshot(a.fake)).toEqual(snapshot(b.fake))

    for (const issue of a.fake.issues) {
      const events = a.fake.events.get(String(issue['id'])) ?? []
      expect(events.length).toBeGreaterThanOrEqual(1)
      expect(events.length).toBeLessThanOrEqual(3)
      const latest = sentryEventSchema.parse(
        await a.client.getLatestEvent('acme', String(issue['id']))
      )
      expect(latest.dateCreated).toBe(issue['lastSeen'])
      const frames = eventStacktrace(latest)?.frames ?? []
      expect(frames.length).toBeGreaterThanOrEqual(3)
      expect(frames.at(-1)?.inApp).toBe(true)
      expect(frames.some((f) => f.inApp === false)).toBe(true)
      const raised = eventExceptions(latest).at(-1)
      const metadata = issue['metadata'] as Record<string, unknown>
      expect(raised?.type).toBe(metadata['type'])
      expect(raised?.value).toBe(metadata['value'])
      const js = (issue['project'] as { platform: string }).platform === 'javascript'
      expect(latest.platform).toBe(js ? 'javascript' : 'python')
      expect(eventTag(latest, js ? 'browser' : 'server_name')).toBeTruthy()
      expect(eventTag(latest, 'environment')).toBe((issue['_environments'] as string[])[0])
      expect(latest.release?.version).toMatch(js ? /^web-frontend@2\.\d+\.\d$/ : /^[0-9a-f]{40}$/)
      expect(frames.at(-1)?.context.some(([n]) => n === frames.at(-1)?.lineNo)).toBe(true)
      expect(markdownViolations(renderEventSection(latest, { maxFrames: 20 }))).toEqual([])
    }
  })

  it('leaves issues without events when asked, and addEvent refuses unknown issues', async () => {
    const { fake } = await setup()
    fake.seed(3, { events: false })
    expect(fake.events.size).toBe(0)
    expect(() => fake.addEvent('1')).toThrow('no issue 1')
  })
})

describe('native event fields', () => {
  it('reads a frame’s address fields in camelCase, else snake_case, and drops other types', () => {
    expect(
      sentryFrameSchema.parse({
        instructionAddr: '0x1a',
        instruction_addr: '0x2b',
        image_addr: 4096,
        addr_mode: 'rel:2',
        symbol: '_ZN4core3fmt5write17h0123456789abcdefE',
        package: '/usr/lib/libc.so'
      })
    ).toMatchObject({
      instructionAddr: '0x1a',
      imageAddr: 4096,
      addrMode: 'rel:2',
      symbol: '_ZN4core3fmt5write17h0123456789abcdefE',
      package: '/usr/lib/libc.so'
    })
    const odd = sentryFrameSchema.parse({ instructionAddr: { x: 1 }, addrMode: 7, package: [] })
    expect(odd).toMatchObject({ instructionAddr: null, addrMode: null, package: null })
    expect(odd).not.toHaveProperty('instruction_addr')
  })

  it('finds the debug images in the debugmeta entry, in order, an unreadable one as null', () => {
    expect(eventDebugImages(IOS.event).map((i) => i?.codeFile)).toEqual([
      expect.stringMatching(/\/Notes\.app\/Notes$/),
      '/usr/lib/system/libdyld.dylib',
      '/System/Library/Frameworks/UIKit.framework/UIKit',
      '/System/Library/PrivateFrameworks/GraphicsServices.framework/GraphicsServices',
      '/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation'
    ])
    const event = sentryEventSchema.parse({
      ...ANDROID_NDK.raw,
      entries: [
        { type: 'debugmeta', data: { images: ['junk', { codeFile: 'a.so', imageAddr: '0x10' }] } }
      ]
    })
    expect(eventDebugImages(event)).toEqual([
      null,
      { type: null, codeFile: 'a.so', imageAddr: '0x10', imageSize: null }
    ])
  })

  it('falls back to a raw event’s debug_meta, and to nothing', () => {
    const raw = { ...ANDROID_NDK.raw, entries: [] }
    const withMeta = sentryEventSchema.parse({
      ...raw,
      debug_meta: { images: [{ name: '/usr/lib/libz.dylib', image_addr: '0x0', image_size: 64 }] }
    })
    expect(eventDebugImages(withMeta)).toEqual([
      { type: null, codeFile: '/usr/lib/libz.dylib', imageAddr: '0x0', imageSize: 64 }
    ])
    expect(eventDebugImages(sentryEventSchema.parse({ ...raw, debug_meta: 'junk' }))).toEqual([])
    expect(eventDebugImages(sentryEventSchema.parse(raw))).toEqual([])
  })
})

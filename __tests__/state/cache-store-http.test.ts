import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { cacheEnv, FakeActionsCache } from '../../src/fakes/fake-actions-cache.js'
import type { Logger } from '../../src/log.js'
import {
  CacheStateStore,
  cacheKeyPrefix,
  syncPrefix,
  type CacheScope
} from '../../src/state/cache-store.js'
import { emptyState, type SyncState } from '../../src/state/store.js'

// The real CacheStateStore through the real @actions/cache (v2 service: Twirp calls and Azure blob
// transfers) against the fake cache service on loopback. @actions/cache archives with `tar` (and
// `zstd` when it is on the PATH, else gzip), so those must be installed.

const VARS = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'RUNNER_TEMP',
  'RUNNER_DEBUG'
] as const

const scope: CacheScope = { repository: 'acme/web', org: 'acme', trackingLabel: 'sentry' }

interface RecordingLogger extends Logger {
  infos: string[]
  warnings: string[]
}

function recordingLogger(): RecordingLogger {
  const infos: string[] = []
  const warnings: string[] = []
  return {
    infos,
    warnings,
    debug: () => undefined,
    info: (m) => void infos.push(m),
    warning: (m) => void warnings.push(m),
    group: (_n, fn) => fn()
  }
}

function stateWith(issues: Record<string, number>): SyncState {
  return { version: 1, issues, lastRunAt: '2026-11-30T12:00:00.000Z' }
}

describe('the cache state store over HTTP against the fake cache service', () => {
  let fake: FakeActionsCache
  let tmp: string
  let directory: string
  let saved: Partial<Record<(typeof VARS)[number], string>>
  /** What @actions/core wrote to stdout: its `::warning::` lines are the runner's warnings. */
  let stdout: string[]

  beforeEach(async () => {
    fake = await FakeActionsCache.start()
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cache-store-http-'))
    directory = path.join(tmp, 'state')
    saved = {}
    for (const name of VARS) {
      saved[name] = process.env[name]
      delete process.env[name]
    }
    Object.assign(process.env, cacheEnv(fake), { RUNNER_TEMP: tmp })
    stdout = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk))
      return true
    })
  })

  afterEach(async () => {
    jest.restoreAllMocks()
    for (const name of VARS) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
    await fake.close()
    await rm(tmp, { recursive: true, force: true })
  })

  const store = (log: Logger, runId: string, s: CacheScope = scope) =>
    new CacheStateStore({ scope: s, log, runId, runAttempt: '1', directory })

  /** Warnings of a step: the store's own and those @actions/cache wrote as workflow commands. */
  const warnings = (log: RecordingLogger) => [
    ...log.warnings,
    ...stdout.filter((line) => /^::(warning|error)/.test(line))
  ]

  /** Removes the state file, so that what a load reads can only come from the cache. */
  const forget = () => rm(path.join(directory, 'state.json'), { force: true })

  it('saves under a fresh key and restores the state through the Twirp API and the blob', async () => {
    const log = recordingLogger()
    const state = stateWith({ 'acme/1': 5, 'acme/2': 7 })
    await store(log, '100').save(state)
    const key = `${cacheKeyPrefix(scope)}100-1`
    expect(fake.entries.map((e) => [e.key, e.finalized])).toEqual([[key, true]])
    expect(fake.entries[0]?.sizeBytes).toBe(fake.entries[0]?.data?.length)
    expect(fake.requests.map((r) => [r.operation, r.status])).toEqual([
      ['CreateCacheEntry', 200],
      ['PutBlob', 201],
      ['FinalizeCacheEntryUpload', 200]
    ])
    // The client speaks protobuf field names on the wire, int64 as a string.
    const finalize = fake.requests[2]?.body as Record<string, unknown>
    expect(finalize.key).toBe(key)
    expect(finalize.size_bytes).toBe(String(fake.entries[0]?.data?.length))

    await forget()
    fake.requests = []
    const loaded = await store(log, '101').load()
    expect(loaded).toEqual(state)
    expect(fake.requests.map((r) => [r.operation, r.status])).toEqual([
      ['GetCacheEntryDownloadURL', 200],
      ['GetBlob', 200]
    ])
    expect(fake.requests[0]?.body).toMatchObject({
      key: cacheKeyPrefix(scope),
      restore_keys: [cacheKeyPrefix(scope), syncPrefix(scope)],
      version: fake.entries[0]?.version
    })
    expect(warnings(log)).toEqual([])
  })

  it('restores the newest entry: a later run’s save is what the next load reads', async () => {
    const log = recordingLogger()
    await store(log, '100').save(stateWith({ 'acme/1': 5 }))
    await store(log, '101').save(stateWith({ 'acme/1': 5, 'acme/2': 6 }))
    await store(log, '99').save(stateWith({ 'acme/9': 9 })) // saved last, so the newest
    expect(fake.restorable.map((e) => e.key.slice(cacheKeyPrefix(scope).length))).toEqual([
      '99-1',
      '101-1',
      '100-1'
    ])
    await forget()
    expect(await store(log, '102').load()).toEqual(stateWith({ 'acme/9': 9 }))
    expect(warnings(log)).toEqual([])
  })

  it('keeps a saved entry as it is: a second save under the same key is refused', async () => {
    const log = recordingLogger()
    await store(log, '100').save(stateWith({ 'acme/1': 5 }))
    await store(log, '100').save(stateWith({ 'acme/1': 6 }))
    expect(fake.requests.map((r) => [r.operation, r.status]).slice(3)).toEqual([
      ['CreateCacheEntry', 409]
    ])
    expect(fake.entries).toHaveLength(1)
    expect(warnings(log)).toHaveLength(1)
    expect(warnings(log)[0]).toContain(`did not take entry ${cacheKeyPrefix(scope)}100-1`)
    await forget()
    expect(await store(log, '101').load()).toEqual(stateWith({ 'acme/1': 5 }))
  })

  it('with nothing cached, loads the empty state and says so', async () => {
    const log = recordingLogger()
    expect(await store(log, '100').load()).toEqual(emptyState())
    expect(log.infos).toContain('No cached sync state yet.')
    expect(fake.requests.map((r) => [r.operation, r.status])).toEqual([
      ['GetCacheEntryDownloadURL', 200]
    ])
    expect(warnings(log)).toEqual([])
  })

  it('an entry is restorable only once finalized', async () => {
    const log = recordingLogger()
    await store(log, '100').save(stateWith({ 'acme/1': 5 }))
    fake.entries[0]!.finalized = false
    await forget()
    expect(await store(log, '101').load()).toEqual(emptyState())
    expect(log.infos).toContain('No cached sync state yet.')
  })

  it('restores a renamed organisation’s state through the prefix shared by every slug', async () => {
    const log = recordingLogger()
    const old = { ...scope, org: 'acme-old' }
    await store(log, '100', old).save(stateWith({ 'acme-old/1': 5 }))
    await forget()
    const renamed = { ...scope, org: 'acme' }
    expect(cacheKeyPrefix(renamed)).not.toBe(cacheKeyPrefix(old))
    expect(await store(log, '101', renamed).load()).toEqual(stateWith({ 'acme-old/1': 5 }))
    expect(stdout.join('')).toContain(`Cache hit for restore-key: ${cacheKeyPrefix(old)}100-1`)
    expect(warnings(log)).toEqual([])
  })

  it('a wrong runtime token ends load and save in one warning each', async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'not-the-token'
    const log = recordingLogger()
    expect(await store(log, '100').load()).toEqual(emptyState())
    expect(warnings(log)).toHaveLength(1)
    expect(warnings(log)[0]).toContain('(401)')
    await store(log, '100').save(stateWith({ 'acme/1': 5 }))
    expect(warnings(log)).toHaveLength(2)
    expect(fake.entries).toEqual([])
    expect(fake.requests.every((r) => r.status === 401)).toBe(true)
  })

  /**
   * Runs `op` with the Twirp client's back-off between attempts (3 s, then 1.5 times longer each
   * time, five attempts) on fake timers: each time the fake has answered a failure and the client
   * has set its timer, the clock jumps to it.
   */
  async function skippingBackoff<T>(op: () => Promise<T>): Promise<T> {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'Date']
    })
    try {
      let settled = false
      const result = op().finally(() => (settled = true))
      let skipped = 0
      while (!settled) {
        await new Promise((resolve) => setImmediate(resolve))
        const failures = fake.requests.filter((r) => r.status >= 500).length
        if (failures > skipped && jest.getTimerCount() > 0) {
          skipped++
          jest.advanceTimersToNextTimer()
        }
      }
      return await result
    } finally {
      jest.useRealTimers()
    }
  }

  it('a service answering 500 ends load and save in one warning each, never a throw', async () => {
    const log = recordingLogger()
    await store(log, '100').save(stateWith({ 'acme/1': 5 }))
    await forget()
    fake.requests = []
    fake.failWith = 500
    expect(await skippingBackoff(() => store(log, '101').load())).toEqual(emptyState())
    expect(fake.requests.map((r) => [r.operation, r.status])).toEqual(
      Array(5).fill(['GetCacheEntryDownloadURL', 500])
    )
    expect(warnings(log)).toHaveLength(1)
    expect(warnings(log)[0]).toContain('(500)')

    fake.requests = []
    await expect(
      skippingBackoff(() => store(log, '101').save(stateWith({ 'acme/1': 6 })))
    ).resolves.toBeUndefined()
    expect(fake.requests.map((r) => [r.operation, r.status])).toEqual(
      Array(5).fill(['CreateCacheEntry', 500])
    )
    expect(warnings(log)).toHaveLength(2)
    expect(fake.entries).toHaveLength(1)

    // Once the service is back, the state saved before the outage is still there.
    fake.failWith = undefined
    expect(await store(log, '102').load()).toEqual(stateWith({ 'acme/1': 5 }))
  })

  it('the fake answers unknown routes as Twirp does and unsigned blob requests as Azure does', async () => {
    const auth = { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' }
    const unknown = await fetch(
      new URL('/twirp/github.actions.results.api.v1.CacheService/DeleteCacheEntry', fake.url),
      { method: 'POST', headers: auth, body: '{}' }
    )
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'bad_route' })
    const created = await fetch(
      new URL('/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry', fake.url),
      { method: 'POST', headers: auth, body: JSON.stringify({ key: 'k', version: 'v' }) }
    )
    const { signed_upload_url: upload } = (await created.json()) as { signed_upload_url: string }
    const forged = new URL(upload)
    forged.searchParams.set('sig', 'forged')
    const denied = await fetch(forged, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x'
    })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('x-ms-error-code')).toBe('AuthenticationFailed')
    // The upload URL cannot read, and nothing is restorable before FinalizeCacheEntryUpload.
    expect((await fetch(upload)).status).toBe(403)
    expect(fake.restorable).toEqual([])
  })
})

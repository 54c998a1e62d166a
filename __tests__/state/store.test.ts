import { describe, expect, it } from '@jest/globals'
import { CacheStateStore, cacheKeyPrefix, syncPrefix } from '../../src/state/cache-store.js'
import { MemoryStateStore, coerceState, emptyState } from '../../src/state/store.js'
import type { Logger } from '../../src/log.js'

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warning: (m) => void warnings.push(m),
    group: (_n, fn) => fn()
  }
}

describe('state stores', () => {
  it('the memory store round-trips a copy', async () => {
    const store = new MemoryStateStore()
    const state = emptyState()
    state.issues['acme/1'] = 5
    await store.save(state)
    state.issues['acme/2'] = 6
    expect(await store.load()).toEqual({ version: 1, issues: { 'acme/1': 5 } })
  })

  it('coerceState keeps only well-formed entries', () => {
    expect(
      coerceState({
        version: 1,
        issues: { 'acme/1': 5, 'acme/x': 6, 'bad key': 7, 'acme/2': -1, 'acme/3': 1.5 }
      })
    ).toEqual({ version: 1, issues: { 'acme/1': 5 } })
    expect(coerceState('garbage')).toEqual(emptyState())
    expect(coerceState(null)).toEqual(emptyState())
  })

  it('coerceState keeps the content-write times as whole numbers; old states load as before', () => {
    const t = Date.parse('2026-11-30T12:00:00Z')
    expect(
      coerceState({ version: 1, issues: {}, contentWrites: [t, 'x', 1.5, null, t + 1000] })
    ).toEqual({ version: 1, issues: {}, contentWrites: [t, t + 1000] })
    expect(coerceState({ version: 1, issues: {}, contentWrites: 'soon' })).toEqual(emptyState())
    expect(coerceState({ version: 1, issues: { 'acme/1': 2 } })).toEqual({
      version: 1,
      issues: { 'acme/1': 2 }
    })
  })

  it('the cache store degrades to a warning outside a runner', async () => {
    const saved = process.env.ACTIONS_CACHE_URL
    const savedV2 = process.env.ACTIONS_RESULTS_URL
    delete process.env.ACTIONS_CACHE_URL
    delete process.env.ACTIONS_RESULTS_URL
    try {
      const log = recordingLogger()
      const store = new CacheStateStore({
        scope: { repository: 'o/r', org: 'acme', trackingLabel: 'sentry' },
        log
      })
      expect(await store.load()).toEqual(emptyState())
      await expect(store.save({ version: 1, issues: { 'acme/1': 1 } })).resolves.toBeUndefined()
      expect(log.warnings).toHaveLength(1)
      expect(log.warnings[0]).toContain('cache is not available')
    } finally {
      if (saved !== undefined) process.env.ACTIONS_CACHE_URL = saved
      if (savedV2 !== undefined) process.env.ACTIONS_RESULTS_URL = savedV2
    }
  })

  it('scopes cache keys by the whole sync configuration', () => {
    const a = cacheKeyPrefix({ repository: 'o/r', org: 'acme', trackingLabel: 'sentry' })
    expect(cacheKeyPrefix({ repository: 'O/R', org: 'acme', trackingLabel: 'Sentry' })).toBe(a)
    expect(cacheKeyPrefix({ repository: 'o/r2', org: 'acme', trackingLabel: 'sentry' })).not.toBe(a)
    expect(cacheKeyPrefix({ repository: 'o/r', org: 'other', trackingLabel: 'sentry' })).not.toBe(a)
    expect(cacheKeyPrefix({ repository: 'o/r', org: 'acme', trackingLabel: 'errors' })).not.toBe(a)
    expect(a).toMatch(/^sentry-issues-state-v2-[0-9a-f]{16}-[0-9a-f]{8}-$/)
    // A renamed organisation restores its old state through the prefix shared by every slug.
    const renamed = cacheKeyPrefix({ repository: 'o/r', org: 'acme-new', trackingLabel: 'sentry' })
    expect(renamed).not.toBe(a)
    expect(syncPrefix({ repository: 'o/r', org: 'acme-new', trackingLabel: 'sentry' })).toBe(
      syncPrefix({ repository: 'o/r', org: 'acme', trackingLabel: 'sentry' })
    )
    expect(
      a.startsWith(syncPrefix({ repository: 'o/r', org: 'acme', trackingLabel: 'sentry' }))
    ).toBe(true)
    // Two workflows syncing other projects, environments or queries keep their own state.
    const scope = { repository: 'o/r', org: 'acme', trackingLabel: 'sentry' }
    const web = cacheKeyPrefix({ ...scope, projects: ['web', 'api'] })
    expect(cacheKeyPrefix({ ...scope, projects: ['API', 'web'] })).toBe(web)
    expect(cacheKeyPrefix({ ...scope, projects: ['mobile'] })).not.toBe(web)
    expect(cacheKeyPrefix({ ...scope, environments: ['production'] })).not.toBe(a)
    expect(cacheKeyPrefix({ ...scope, query: 'is:unresolved level:fatal' })).not.toBe(a)
    expect(cacheKeyPrefix({ ...scope, sentryUrl: 'https://de.sentry.io' })).not.toBe(a)
  })
})

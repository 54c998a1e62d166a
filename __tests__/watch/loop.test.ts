import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/watch/duration.js'
import { HealthState } from '../../src/watch/health.js'
import {
  FatalPassError,
  WatchLoop,
  retryAfterMs,
  type PassKind,
  type WatchEvents
} from '../../src/watch/loop.js'
import { WatchMetrics } from '../../src/watch/metrics.js'

/** The watcher's schedule, outage reporting and stop, with passes that are plain functions. */

interface Logged {
  level: 'debug' | 'info' | 'warning'
  message: string
  fields?: Record<string, unknown>
}

function recorder(): { events: WatchEvents; logged: Logged[] } {
  const logged: Logged[] = []
  const add = (level: Logged['level']) => (message: string, fields?: Record<string, unknown>) =>
    void logged.push({ level, message, ...(fields ? { fields } : {}) })
  return { logged, events: { debug: add('debug'), info: add('info'), warning: add('warning') } }
}

describe('WatchLoop', () => {
  it('runs a full pass first, then quick passes until a full one is due, and stops when asked', async () => {
    const kinds: PassKind[] = []
    let clock = 0
    const { events, logged } = recorder()
    const loop = new WatchLoop({
      intervalMs: 1,
      fullEveryMs: 3,
      now: () => clock,
      events,
      pass: async (kind) => {
        kinds.push(kind)
        clock += 1
        if (kinds.length === 8) loop.stop()
        return { changed: kind === 'full' ? 1 : 0, summary: 'created 1.' }
      }
    })
    await loop.run()
    expect(kinds).toEqual(['full', 'quick', 'quick', 'full', 'quick', 'quick', 'full', 'quick'])
    expect(loop.passes).toBe(8)
    // A pass that changed nothing says so at debug level only.
    expect(logged.filter((l) => l.level !== 'debug').map((l) => l.message)).toEqual([
      'Full pass: created 1.',
      'Full pass: created 1.',
      'Full pass: created 1.'
    ])
  })

  it('an outage is one warning and one recovery line; failed passes back off and are retried as the same kind', async () => {
    const kinds: PassKind[] = []
    const { events, logged } = recorder()
    const ended: string[] = []
    let calls = 0
    const loop = new WatchLoop({
      intervalMs: 1,
      fullEveryMs: 1_000_000,
      maxBackoffMs: 4,
      events: { ...events, passEnded: (kind, outcome) => void ended.push(`${kind}:${outcome}`) },
      pass: async (kind) => {
        kinds.push(kind)
        calls++
        if (calls >= 2 && calls <= 5) throw new Error('Sentry answered HTTP 503')
        if (calls === 7) loop.stop()
        return { changed: 0 }
      }
    })
    await loop.run()
    expect(kinds).toEqual(['full', 'quick', 'quick', 'quick', 'quick', 'quick', 'quick'])
    expect(ended.filter((e) => e.endsWith('failed'))).toHaveLength(4)
    const warnings = logged.filter((l) => l.level === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toMatch(/^Quick pass failed: Sentry answered HTTP 503\. Retrying/)
    const infos = logged.filter((l) => l.level === 'info')
    expect(infos).toHaveLength(1)
    expect(infos[0]?.message).toMatch(/^Recovered: a quick pass succeeded after 4 failed pass/)
    // The waits grow and stop at the cap.
    const waits = logged
      .filter((l) => l.fields?.retryInMs !== undefined)
      .map((l) => l.fields?.retryInMs)
    expect(waits).toEqual([1, 2, 4, 4])
  })

  it('a first full pass that fails for good ends the loop; later the same failure is an outage', async () => {
    const { events } = recorder()
    const refused = new WatchLoop({
      intervalMs: 1,
      fullEveryMs: 10,
      events,
      fatal: () => true,
      pass: async () => {
        throw new Error('Sentry refused the token (HTTP 401).')
      }
    })
    await expect(refused.run()).rejects.toBeInstanceOf(FatalPassError)

    let calls = 0
    const later = new WatchLoop({
      intervalMs: 1,
      fullEveryMs: 10,
      events,
      fatal: () => true,
      pass: async () => {
        calls++
        if (calls === 3) later.stop()
        if (calls === 2) throw new Error('Sentry refused the token (HTTP 401).')
        return { changed: 0 }
      }
    })
    await later.run()
    expect(calls).toBe(3)
  })

  it('stop() during a wait ends it at once; the pass sees its stop signal aborted', async () => {
    const { events } = recorder()
    let signal: AbortSignal | undefined
    const loop = new WatchLoop({
      intervalMs: 3_600_000,
      fullEveryMs: 3_600_000,
      events,
      pass: async (_kind, stop) => {
        signal = stop
        setImmediate(() => loop.stop())
        return { changed: 0 }
      }
    })
    await loop.run()
    expect(loop.passes).toBe(1)
    expect(signal?.aborted).toBe(true)
  })

  it('waits at least as long as a Retry-After asks (up to the cap)', async () => {
    const { events, logged } = recorder()
    let calls = 0
    const loop = new WatchLoop({
      intervalMs: 1,
      fullEveryMs: 1_000_000,
      maxBackoffMs: 20,
      events,
      pass: async () => {
        calls++
        if (calls === 1) {
          throw Object.assign(new Error('rate limited'), {
            response: { headers: { 'retry-after': '1' } }
          })
        }
        loop.stop()
        return { changed: 0 }
      }
    })
    await loop.run()
    expect(logged.find((l) => l.level === 'warning')?.fields?.retryInMs).toBe(20)
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates from a GitHub error response', () => {
    expect(retryAfterMs({ response: { headers: { 'retry-after': '7' } } })).toBe(7000)
    expect(
      retryAfterMs(
        { response: { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' } } },
        Date.parse('2026-01-01T00:00:00Z')
      )
    ).toBe(30_000)
    expect(retryAfterMs(new Error('x'))).toBeUndefined()
    expect(retryAfterMs({ response: { headers: { 'retry-after': 'soon' } } })).toBeUndefined()
  })
})

describe('durations', () => {
  it('parses 30s, 5m, 1h and combinations; refuses the rest', () => {
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration(' 2S ')).toBe(2000)
    for (const bad of ['', '30', 'soon', '-5s', '5 m', '1d'])
      expect(parseDuration(bad)).toBeUndefined()
    expect(formatDuration(60_000)).toBe('60 s')
    expect(formatDuration(3_600_000)).toBe('60 min')
    expect(formatDuration(7_200_000)).toBe('2 h')
  })
})

describe('HealthState', () => {
  it('is healthy while the last pass succeeded within three intervals', () => {
    let now = 0
    const health = new HealthState(
      1000,
      (text) => text.replace('s3cret-token', '***'),
      () => now
    )
    expect(health.problem()).toMatch(/^starting/)
    health.passEnded('full', 'ok', 0)
    now = 3000
    expect(health.problem()).toBeUndefined()
    now = 3001
    expect(health.problem()).toMatch(/more than three intervals/)
    health.passEnded('quick', 'failed', 3001, 'GitHub said no to s3cret-token')
    expect(health.problem()).toBe('the last quick pass failed: GitHub said no to ***')
    health.passEnded('quick', 'ok', 3002)
    expect(health.problem()).toBeUndefined()
  })
})

describe('WatchMetrics', () => {
  it('counts passes, issues and requests in Prometheus text', async () => {
    const metrics = new WatchMetrics()
    metrics.passEnded('quick', 'ok', 1_700_000_000_000)
    metrics.passEnded('quick', 'failed', 1_700_000_001_000)
    metrics.issues('created', 2)
    metrics.requests('sentry', 1)
    metrics.requests('github', 0)
    const text = await metrics.text()
    expect(text).toContain('# TYPE sentry_issues_sync_passes_total counter')
    expect(text).toMatch(/^sentry_issues_sync_passes_total\{kind="quick",outcome="ok"\} 1$/m)
    expect(text).toMatch(/^sentry_issues_sync_passes_total\{kind="quick",outcome="failed"\} 1$/m)
    expect(text).toMatch(/^sentry_issues_sync_passes_total\{kind="full",outcome="ok"\} 0$/m)
    expect(text).toMatch(/^sentry_issues_sync_issues_total\{action="created"\} 2$/m)
    expect(text).toMatch(/^sentry_issues_sync_requests_total\{api="github"\} 0$/m)
    expect(text).toMatch(
      /^sentry_issues_sync_last_success_timestamp_seconds\{kind="quick"\} 1700000000$/m
    )
    expect(metrics.contentType).toMatch(/^text\/plain/)
  })
})

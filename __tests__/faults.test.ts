import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { errorLines, startHarness, type Harness } from './helpers/harness.js'
import type { SentryFault } from '../src/fakes/fake-sentry.js'
import type { GitHubFault } from '../src/fakes/fake-github.js'

/**
 * Fault injection: for each fault the run ends with the right status and a message that says what
 * happened, nothing is duplicated, and the next run without the fault reaches the same GitHub
 * state as a run that never saw a fault.
 */

const SEED = 91
const ISSUES = 5

let h: Harness
let reference: Harness
beforeEach(async () => {
  h = await startHarness()
  h.sentry.seed(ISSUES, { seed: SEED })
})
afterEach(async () => {
  await h.close()
})

/** What must match between runs: per marker, the issue's title, state and labels. */
function snapshot(target: Harness): string[] {
  return target.github.issues
    .filter((i) => (i.body ?? '').startsWith('<!-- sentry-issue: '))
    .map((i) =>
      JSON.stringify([
        (i.body ?? '').split('\n')[0]?.replace(/127\.0\.0\.1:\d+\//, ''),
        i.title,
        i.state,
        i.state_reason,
        [...i.labels].sort()
      ])
    )
    .sort()
}

async function faultFreeSnapshot(): Promise<string[]> {
  reference = await startHarness()
  try {
    reference.sentry.seed(ISSUES, { seed: SEED })
    await reference.run()
    return snapshot(reference)
  } finally {
    await reference.close()
  }
}

function plainSummary(summary: string): string {
  return summary.replace(/\\|\u200b/g, '')
}

async function expectRecovery(): Promise<void> {
  const next = await h.run()
  expect(next.failed).toBe(false)
  expect(snapshot(h)).toEqual(await faultFreeSnapshot())
}

describe('Sentry faults', () => {
  const recoverable: Array<[string, SentryFault, RegExp]> = [
    [
      '429 without Retry-After but with X-Sentry-Rate-Limit-Reset',
      {
        kind: 'status',
        status: 429,
        headers: { 'x-sentry-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 2) },
        body: '{"detail":"You are attempting to use this endpoint too frequently."}'
      },
      /rate limit/i
    ],
    [
      '429 with Retry-After',
      {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '3' },
        body: '{"detail":"slow down"}'
      },
      /rate limit/i
    ],
    ['500', { kind: 'status', status: 500, body: '{"detail":"Internal Error"}' }, /500/],
    ['502', { kind: 'status', status: 502, body: 'Bad Gateway' }, /502/],
    ['503', { kind: 'status', status: 503, body: '' }, /503/],
    ['a connection reset mid-body', { kind: 'reset' }, /.+/],
    ['malformed JSON', { kind: 'malformed-json' }, /.+/],
    [
      'an HTML error page from a proxy',
      {
        kind: 'status',
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><title>502 Proxy Error</title></html>'
      },
      /502/
    ]
  ]

  it.each(recoverable)(
    '%s once: retried (wait capped and logged), run succeeds',
    async (_name, fault, logged) => {
      h.sentry.injectFault({ ...fault, times: 1, pathIncludes: '/issues/' })
      const result = await h.run()
      expect(result.failed).toBe(false)
      expect(result.outputs.created).toBe(String(ISSUES))
      expect(result.stdout).toMatch(logged)
      expect(snapshot(h)).toEqual(await faultFreeSnapshot())
    }
  )

  it.each(recoverable)(
    '%s that persists: one clear error, no GitHub write, next run recovers',
    async (_name, fault) => {
      h.sentry.injectFault({ ...fault, times: 50, pathIncludes: '/issues/' })
      const result = await h.run()
      expect(result.failed).toBe(true)
      const errors = errorLines(result.stdout)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(/Sentry/)
      expect(h.github.writeCount()).toBe(0)
      h.sentry.clearFaults()
      await expectRecovery()
    }
  )

  it('a response slower than the timeout is retried, then reported', async () => {
    h.sentry.injectFault({ kind: 'delay', ms: 400, times: 50, pathIncludes: '/issues/' })
    const result = await h.run({}, { sentry: { timeoutMs: 100, maxRetries: 1 } })
    expect(result.failed).toBe(true)
    expect(errorLines(result.stdout)[0]).toMatch(/timed out|timeout|within/i)
    expect(h.github.writeCount()).toBe(0)
    h.sentry.clearFaults()
    await expectRecovery()
  })

  it('a Link header whose cursor loops stops paging with a warning, and creates each issue once', async () => {
    h.sentry.seed(150, { seed: SEED + 1 })
    h.sentry.injectFault({ kind: 'loop-cursor', pathIncludes: '/issues/' })
    const result = await h.run({ 'max-new-issues': '500' })
    expect(result.stdout).toMatch(/::warning::.*cursor/i)
    const markers = new Set(h.github.issues.map((i) => (i.body ?? '').split('\n')[0]))
    expect(markers.size).toBe(h.github.issues.length)
  })

  it('a self-hosted Sentry under a path prefix and without rate-limit headers', async () => {
    const prefixed = await startHarness({
      sentry: { pathPrefix: '/sentry', rateLimitHeaders: false }
    })
    try {
      prefixed.sentry.seed(3, { seed: SEED })
      expect(prefixed.sentry.url).toMatch(/\/sentry$/)
      const result = await prefixed.run({ 'sentry-url': `${prefixed.sentry.url}/api/0/` })
      expect(result.failed).toBe(false)
      expect(result.outputs.created).toBe('3')
      expect(prefixed.sentry.requests.every((r) => r.path.startsWith('/api/0/'))).toBe(true)
    } finally {
      await prefixed.close()
    }
  })
})

describe('GitHub faults', () => {
  const cases: Array<[string, GitHubFault, boolean]> = [
    [
      'a secondary rate limit (403 with retry-after)',
      { kind: 'secondary-limit', retryAfter: 2 },
      false
    ],
    [
      'an exhausted primary limit (x-ratelimit-remaining: 0)',
      { kind: 'primary-exhausted', resetInSeconds: 1 },
      false
    ],
    ['a 502 on a read', { kind: 'status', status: 502, method: 'GET' }, false]
  ]

  it.each(cases)('%s: waited out (logged) and the run completes', async (_name, fault) => {
    h.github.injectFault({ ...fault, times: 1 })
    // The fake's rate-limit clock is real time, so waits here are real (a few seconds at most).
    const result = await h.run({}, { github: { retryAfterBaseMs: 1000 } })
    expect(result.stdout).toMatch(
      fault.kind === 'status'
        ? /.*/
        : /::warning::GitHub (primary|secondary) rate limit hit .* waiting \d+ s/
    )
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe(String(ISSUES))
    expect(snapshot(h)).toEqual(await faultFreeSnapshot())
  })

  it('a rate limit that resets later than the run waits: one clear message, nothing written', async () => {
    h.github.injectFault({ kind: 'primary-exhausted', resetInSeconds: 3600 })
    const result = await h.run()
    expect(result.failed).toBe(true)
    expect(result.stdout).toMatch(/resets in \d+ s, longer than the 300 s this run waits/)
    const errors = errorLines(result.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/rate limit stopped this run .* the next run continues/)
    expect(h.github.issues).toHaveLength(0)
  })

  it('a 422 on create fails that Sentry issue only; the next run creates it', async () => {
    h.github.injectFault({
      kind: 'status',
      status: 422,
      method: 'POST',
      pathIncludes: '/issues',
      times: 1,
      body: { message: 'Validation Failed' }
    })
    const result = await h.run()
    expect(result.failed).toBe(true)
    expect(result.outputs.failed).toBe('1')
    expect(errorLines(result.stdout)[0]).toMatch(/could not be synced.*next run retries/)
    await expectRecovery()
  })

  it('a 502 on create after GitHub stored the issue: still exactly one issue', async () => {
    h.github.injectFault({
      kind: 'store-then-fail',
      status: 502,
      method: 'POST',
      pathIncludes: '/issues',
      times: 2
    })
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(h.github.issues).toHaveLength(ISSUES)
    await expectRecovery()
  })

  it('a label the token may not create: a warning, issues still created', async () => {
    h.github.forbidLabelCreation = true
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(result.stdout).toMatch(/::warning::Could not create label/)
    expect(result.outputs.created).toBe(String(ISSUES))
    // GitHub dropped the unknown labels, so the label index cannot see these issues; the marker
    // search finds them, and nothing is filed twice.
    const again = await h.run()
    expect(again.failed).toBe(false)
    expect(again.outputs.created).toBe('0')
    expect(h.github.issues).toHaveLength(ISSUES)
    expect(plainSummary(again.summary)).toContain('found by search')
  })
})

describe('chaos', () => {
  it('random faults at a fixed seed over 20 runs converge to the fault-free final state', async () => {
    let state = 20261126
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state / 2147483648
    }
    const sentryFaults: SentryFault[] = [
      { kind: 'status', status: 503, body: '' },
      { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: '{}' },
      { kind: 'reset' },
      { kind: 'malformed-json' }
    ]
    const githubFaults: GitHubFault[] = [
      { kind: 'status', status: 502 },
      { kind: 'store-then-fail', status: 502, method: 'POST' },
      { kind: 'secondary-limit', retryAfter: 1 },
      { kind: 'status', status: 500, method: 'PATCH' },
      { kind: 'reset' }
    ]
    h.sentry.seed(10, { seed: SEED + 2 })
    for (let run = 0; run < 20; run++) {
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        if (random() < 0.5)
          h.sentry.injectFault({
            ...sentryFaults[Math.floor(random() * sentryFaults.length)]!,
            times: 1 + Math.floor(random() * 3)
          })
        else
          h.github.injectFault({
            ...githubFaults[Math.floor(random() * githubFaults.length)]!,
            times: 1 + Math.floor(random() * 2)
          })
      }
      await h.run({ 'max-new-issues': String(1 + Math.floor(random() * 6)) })
      const markers = h.github.issues.map((i) => (i.body ?? '').split('\n')[0])
      expect(new Set(markers).size).toBe(markers.length)
    }
    h.sentry.clearFaults()
    // GitHub faults are one-shot: a run or two uses up any left over, then the state converges.
    await h.run({ 'max-new-issues': '50' })
    const final = await h.run({ 'max-new-issues': '50' })
    expect(final.failed).toBe(false)

    const clean = await startHarness()
    try {
      clean.sentry.seed(ISSUES, { seed: SEED })
      clean.sentry.seed(10, { seed: SEED + 2 })
      await clean.run({ 'max-new-issues': '50' })
      expect(snapshot(h)).toEqual(snapshot(clean))
    } finally {
      await clean.close()
    }
  })
})

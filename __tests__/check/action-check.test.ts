import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startHarness, type Harness } from '../helpers/harness.js'

/** `mode: check` in the action, in-process against the fakes: log, job summary, step result. */

let h: Harness

beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

describe('mode: check', () => {
  it('all green: the step succeeds, the summary lists each check, nothing is written', async () => {
    h.sentry.seed(3, { seed: 11 })
    const result = await h.run({ mode: 'check' })
    expect(result.failed).toBe(false)
    expect(result.summary).toContain('## Set-up check: acme/web')
    expect(result.summary).toContain('**A sync would work**')
    expect(result.summary).toContain('| ✅ | Sentry token | valid; scopes')
    expect(result.summary).toMatch(
      /\| ⚠️ \| Issues write \| an installation token.*`issues: write`/
    )
    // Outside a runner the Actions cache is not available: a warning, not a failure.
    expect(result.summary).toContain('| ⚠️ | Sync state (Actions cache) |')
    expect(result.stdout).toContain('ok   Sentry organization: "Acme" (acme).')
    expect(result.outputs).toEqual({})
    expect(h.github.writeCount()).toBe(0)
    expect(h.github.issues).toHaveLength(0)
    expect(h.sentry.requests.every((r) => r.method === 'GET')).toBe(true)
  })

  it('a failed check fails the step with one message listing the failed checks', async () => {
    h.github.searchUnavailable = true
    const result = await h.run({ mode: 'check', 'sentry-org': 'nope' })
    expect(result.failed).toBe(true)
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('2 of ')
    expect(errors[0]).toContain('set-up checks failed')
    expect(errors[0]).toContain('- Sentry organization: Sentry answered 404')
    expect(errors[0]).toContain('- Marker search: GET /search/issues failed')
    expect(result.summary).toContain('**A sync would fail**')
    expect(result.summary).toContain('| ❌ | Sentry organization |')
    expect(result.summary).toContain('the `sentry-org` input')
    expect(h.github.writeCount()).toBe(0)
  })

  it('an unknown mode is one clear input error, before any request', async () => {
    const result = await h.run({ mode: 'verify' })
    expect(result.failed).toBe(true)
    expect(result.stdout).toContain('mode must be one of: sync, check')
    expect(h.sentry.requests).toHaveLength(0)
    expect(h.github.requests).toHaveLength(0)
  })
})

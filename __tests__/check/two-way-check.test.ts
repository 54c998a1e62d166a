import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startHarness, type Harness } from '../helpers/harness.js'

/** `mode: check` for the two-way inputs: the scopes they need and the people assignee-map names. */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

const ASSIGN = {
  mode: 'check',
  'sync-assignees': 'both',
  'assignee-map': 'ada@example.com => ada-l\n#backend => backend-lead'
}

describe('mode: check with sync-assignees and sync-comments', () => {
  it('checks the scopes and that every person and team of assignee-map is in the organization', async () => {
    h.sentry.tokenScopes = ['event:read', 'event:write', 'org:read', 'project:read', 'member:read']
    h.sentry.signals.addMember('ada@example.com')
    h.sentry.signals.addTeam('backend')
    const result = await h.run({ ...ASSIGN, 'sync-comments': 'both' })
    expect(result.failed).toBe(false)
    expect(result.summary).toContain('| ✅ | sync-assignees | the token can assign')
    expect(result.summary).toContain('| ✅ | sync-comments | the token has event:write')
    expect(h.sentry.requests.every((r) => r.method === 'GET')).toBe(true)
  })

  it('a person or team the organization lacks fails the check, naming them', async () => {
    h.sentry.tokenScopes = ['event:read', 'event:write', 'org:read', 'project:read', 'member:read']
    h.sentry.signals.addMember('grace@example.com')
    const result = await h.run(ASSIGN)
    expect(result.failed).toBe(true)
    expect(result.summary).toContain('| ❌ | sync-assignees |')
    expect(result.summary).toMatch(/ada@example\.com.*#backend/)
  })

  it('without member:read it warns; without event:write it fails', async () => {
    const warned = await h.run(ASSIGN)
    expect(warned.summary).toContain('| ⚠️ | sync-assignees |')
    expect(warned.summary).toContain('member:read')
    h.sentry.tokenScopes = ['event:read', 'org:read', 'project:read', 'member:read']
    const failed = await h.run({ ...ASSIGN, 'sync-comments': 'to-sentry' })
    expect(failed.failed).toBe(true)
    expect(failed.summary).toContain(
      '| ❌ | sync-assignees | is on, but the token lacks event:write.'
    )
    expect(failed.summary).toContain(
      '| ❌ | sync-comments | is on, but the token lacks event:write.'
    )
  })

  it('notes from an organization token are refused by Sentry: sync-comments to Sentry fails', async () => {
    h.sentry.tokenWithoutUser = true
    const result = await h.run({ mode: 'check', 'sync-comments': 'both' })
    expect(result.failed).toBe(true)
    expect(result.summary).toContain('| ❌ | sync-comments | copies comments to Sentry')
  })
})

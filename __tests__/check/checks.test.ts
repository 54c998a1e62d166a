import { describe, expect, it } from '@jest/globals'
import {
  fail,
  failureMessage,
  ok,
  passed,
  renderMarkdown,
  renderText,
  warn,
  type CheckRow
} from '../../src/check/checks.js'
import { missingScopes } from '../../src/check/sentry-scopes.js'

const green: CheckRow[] = [
  ok('Sentry reachable', 'https://sentry.example answered.'),
  warn('Issues write', 'an installation token.', 'Grant `issues: write`.')
]
const red: CheckRow[] = [
  ...green,
  fail('Sentry token', 'missing the scope event:read.', 'Create a token with event:read.')
]

describe('the checklist', () => {
  it('passes unless a row failed; warnings do not fail it', () => {
    expect(passed(green)).toBe(true)
    expect(passed(red)).toBe(false)
    expect(failureMessage(green)).toBeUndefined()
  })

  it('the failure message names each failed check with its fix', () => {
    expect(failureMessage(red)).toBe(
      '1 of 3 set-up checks failed:\n- Sentry token: missing the scope event:read. Fix: Create a token with event:read.'
    )
  })

  it('renders plain text lines: ok, FAIL and warn, each fix on its own line', () => {
    expect(renderText(red).split('\n')).toEqual([
      'ok   Sentry reachable: https://sentry.example answered.',
      'warn Issues write: an installation token.',
      '     fix: Grant `issues: write`.',
      'FAIL Sentry token: missing the scope event:read.',
      '     fix: Create a token with event:read.',
      '',
      '1 ok, 1 failed, 1 warning: a sync would fail; fix the rows marked FAIL.'
    ])
    expect(renderText(green)).toContain('1 ok, 0 failed, 1 warning: a sync would work.')
  })

  it('renders a Markdown table with ✅/❌/⚠️ rows and the fix only where needed', () => {
    const md = renderMarkdown(red, 'acme/web')
    expect(md).toContain('## Set-up check: acme/web')
    expect(md).toContain('**A sync would fail** (1 ok, 1 failed, 1 warning)')
    expect(md).toContain('| ✅ | Sentry reachable | https://sentry.example answered. |  |')
    expect(md).toContain('| ⚠️ | Issues write | an installation token. | Grant `issues: write`. |')
    expect(md).toContain(
      '| ❌ | Sentry token | missing the scope event:read. | Create a token with event:read. |'
    )
    expect(renderMarkdown(green, 'acme/web')).toContain('**A sync would work**')
  })

  it('keeps each table cell on one line and neutralises pipes, HTML and mentions', () => {
    const md = renderMarkdown(
      [fail('Sentry projects', 'a | b\n<img src=x> @octocat', 'fix\nit')],
      'acme/web'
    )
    const row = md.split('\n').find((line) => line.startsWith('| ❌'))
    expect(row).toBe('| ❌ | Sentry projects | a \\| b &lt;img src=x&gt; `@octocat` | fix it |')
  })

  it('shows words with an @ as code, copied exactly: no invisible character', () => {
    const md = renderMarkdown(
      [
        fail(
          'Proxy',
          'Sentry answered 407.',
          'Use HTTPS_PROXY=http://USER:PASSWORD@proxy:3128 or ask `ops@example.com` (a|b@c, x`@y).'
        )
      ],
      'acme/web'
    )
    const row = md.split('\n').find((line) => line.startsWith('| ❌')) ?? ''
    expect(row).toContain(
      'Use `HTTPS_PROXY=http://USER:PASSWORD@proxy:3128` or ask `ops@example.com`'
    )
    expect(row).toContain('`(a\\|b@c,` <code>x&#96;&#64;y&#41;&#46;</code> |')
    expect(row).not.toMatch(/[\u200B\u2060\uFEFF]/u)
  })
})

describe('missingScopes', () => {
  it('a write or admin scope grants read, admin grants write', () => {
    const needed = ['event:read', 'org:read', 'project:read']
    expect(missingScopes(['event:admin', 'org:write', 'project:read'], needed)).toEqual([])
    expect(missingScopes(['org:read'], needed)).toEqual(['event:read', 'project:read'])
    expect(missingScopes(['event:read'], ['event:write'])).toEqual(['event:write'])
    expect(missingScopes(['event:admin'], ['event:write'])).toEqual([])
    expect(missingScopes(['org:ci'], ['org:read'])).toEqual(['org:read'])
  })
})

import { describe, expect, it } from '@jest/globals'
import { renderBody, type RenderContext } from '../../src/render/issue.js'
import { renderSuspectCommit, type SuspectCommit } from '../../src/render/suspect.js'
import {
  compileTemplate,
  DEFAULT_BODY_TEMPLATE,
  renderBodyTemplate
} from '../../src/render/template.js'
import { sentryIssueSchema } from '../../src/sentry/schemas.js'
import { JAVASCRIPT_EXAMPLE } from '../fixtures/events.js'

/** The suspect commit line: what is shown, what is refused, and the default template agreeing. */

const SHA = '0123456789abcdef0123456789abcdef01234567'
const suspect: SuspectCommit = {
  sha: SHA,
  title: 'Fix it',
  login: 'ada',
  name: 'Ada',
  pull: 12,
  repositoryUrl: 'https://github.com/acme/web'
}

describe('renderSuspectCommit', () => {
  it('links the commit and the pull request of this repository', () => {
    expect(renderSuspectCommit(suspect)).toBe(
      '[`0123456`](<https://github.com/acme/web/commit/0123456789abcdef0123456789abcdef01234567>) Fix it, by `ada` in [#12](<https://github.com/acme/web/pull/12>)'
    )
  })

  it('falls back to the escaped name when the login is not a login', () => {
    const line = renderSuspectCommit({ ...suspect, login: '@evil `x`', name: '@octocat' })
    expect(line).toContain(', by `@octocat` in')
    expect(line).not.toContain('evil')
  })

  it('leaves out a pull request that is not a positive whole number', () => {
    for (const pull of [0, -1, 1.5, Number.NaN]) {
      expect(renderSuspectCommit({ ...suspect, pull })).not.toContain('/pull/')
    }
  })

  it('shows nothing for a malformed SHA or repository address', () => {
    expect(renderSuspectCommit({ ...suspect, sha: 'abc' })).toBe('')
    expect(renderSuspectCommit({ ...suspect, repositoryUrl: 'javascript:alert(1)' })).toBe('')
    expect(renderSuspectCommit(undefined)).toBe('')
  })
})

describe('the default body template', () => {
  it('renders exactly what renderBody renders, with a suspect commit', () => {
    const issue = sentryIssueSchema.parse(JAVASCRIPT_EXAMPLE.rawIssue)
    const ctx: RenderContext = { org: 'acme', trackingLabel: 'sentry', labels: [], suspect }
    const { template } = compileTemplate('body', DEFAULT_BODY_TEMPLATE)
    if (!template) throw new Error('the default template does not compile')
    const body = renderBody(issue, ctx)
    expect(body).toContain(`- **Suspect commit:** ${renderSuspectCommit(suspect)}\n`)
    expect(renderBodyTemplate(template, issue, ctx)).toBe(body)
  })
})

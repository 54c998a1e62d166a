import { describe, expect, it } from '@jest/globals'

import { summaryAsText } from '../../src/cli/output.js'
import { escapeInline, sanitizeTitle } from '../../src/render/escape.js'

describe('summaryAsText', () => {
  it('shows code spans as their exact text and resolves escapes and entities elsewhere', () => {
    const cell = escapeInline('Release web_app@1.2.3 \\ C:\\temp\\a@b (x<y & z)')
    expect(cell).toBe('Release `web_app@1.2.3` \\\\ `C:\\temp\\a@b` \\(x&lt;y &amp; z\\)')
    expect(summaryAsText(`| a | ${cell} |`)).toBe(
      '| a | Release web_app@1.2.3 \\ C:\\temp\\a@b (x<y & z) |'
    )
  })

  it('drops the zero-width spaces of titles (plain text on GitHub)', () => {
    const title = sanitizeTitle('Error from @octocat in #12')
    expect(title).toContain('\u200B')
    expect(summaryAsText(`<details><summary>${title}</summary>`)).toBe(
      'Error from @octocat in #12:'
    )
  })

  it('writes links as text (url), with code spans in their text', () => {
    expect(summaryAsText('[`ABC1234`](https://sentry.example/issues/1/) and **bold**')).toBe(
      'ABC1234 (https://sentry.example/issues/1/) and bold'
    )
  })
})

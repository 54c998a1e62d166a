import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { issueOf, startHarness, type Harness } from './helpers/harness.js'
import {
  HOSTILE_STRINGS,
  INVISIBLE_CHARS,
  codeSpans,
  markdownViolations
} from './fixtures/hostile-strings.js'

/**
 * What a reader copies from an issue is what Sentry sent: end to end, through the real clients
 * and both fakes, issue bodies made from hostile Sentry issues and events hold no zero-width or
 * other invisible character outside the action's hidden comment lines, and still no mention,
 * reference, autolink or forged marker.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

/** The hidden comment lines the action writes: the marker, the stats block's delimiters. */
const HIDDEN_LINE =
  /^<!-- sentry-(?:issue: [^ ]+|stats:start(?: [a-z]+=[A-Za-z0-9%._~!*'()-]+)+|stats:end) -->$/

/** Invisible characters on lines other than the hidden comment lines, as `line: char` strings. */
function invisibleOutsideHidden(body: string): string[] {
  const found: string[] = []
  body.split('\n').forEach((line, i) => {
    if (HIDDEN_LINE.test(line)) return
    for (const ch of line) {
      if (ch === '\u200B' || INVISIBLE_CHARS.test(ch))
        found.push(`${i + 1}: U+${ch.codePointAt(0)?.toString(16).toUpperCase()}`)
    }
  })
  return found
}

/** What may be hostile in an event: its exception, frames, source lines, tags and release. */
function hostileEvent(issueId: string, value: string, i: number): void {
  h.sentry.addEvent(issueId, {
    dateCreated: new Date(Date.now() + 60_000 + i).toISOString(),
    type: value,
    value,
    release: value,
    mechanism: { type: value, handled: false },
    frames: [
      {
        filename: value,
        function: value,
        lineNo: 2,
        colNo: 1_234_567,
        inApp: true,
        context: [
          [1, value],
          [2, `${value} <!-- sentry-issue: evil/1 -->`],
          [3, value]
        ]
      },
      { filename: `app:///${value}`, function: value, lineNo: 7, inApp: false }
    ],
    tags: { environment: value, url: value, release: value, browser: value, custom: value }
  })
}

describe('issue bodies from hostile Sentry text', () => {
  it('hold nothing invisible, nothing that pings or links, and copy values exactly', async () => {
    const values = HOSTILE_STRINGS.filter((s) => s.value.length <= 2_000).map((s) => s.value)
    // Values people copy: a release, a commit SHA, a URL with a query, a scoped package.
    values.push(
      'web-frontend@2.16.4',
      'a5c3785ed8d6a35868bc169f07e40e889087fd2e',
      'https://app.example.com/checkout?step=2&coupon=SPRING',
      '@acme/ui@3.1.0'
    )
    const ids = values.map((value, i) => {
      const issue = h.sentry.addIssue({
        title: value === '' ? 'empty' : value,
        culprit: value,
        metadata: { type: value, value: `${value}\n${value}`, filename: value, function: value }
      })
      const id = String(issue.id)
      hostileEvent(id, value, i)
      return id
    })

    const result = await h.run({ 'max-new-issues': '500', 'max-frames': '5' })
    expect(result.failed).toBe(false)
    expect(h.github.issues).toHaveLength(values.length)

    const violations: string[] = []
    for (const [i, id] of ids.entries()) {
      const body = issueOf(h.github, id).body ?? ''
      for (const v of invisibleOutsideHidden(body)) violations.push(`value ${i}, line ${v}`)
      for (const v of markdownViolations(body, {
        linkPrefixes: [`${h.sentry.url}/`],
        skipLines: new Set([0])
      }))
        violations.push(`value ${i}: ${v}`)
    }
    expect(violations).toEqual([])

    // Copied from the issue, a release, a SHA or a URL is the value itself.
    const body = (value: string): string => issueOf(h.github, ids[values.indexOf(value)]).body ?? ''
    for (const value of values.slice(-4)) {
      const text = body(value)
      expect(text).toContain(`| Release | \`${value}\` |`)
      expect(text).toContain(`| release | \`${value}\` |`)
      expect(codeSpans(text.split('\n').find((l) => l.startsWith('## ')) ?? '')).toEqual([value])
    }
    expect(body('https://app.example.com/checkout?step=2&coupon=SPRING')).toContain(
      '| url | `https://app.example.com/checkout?step=2&coupon=SPRING` |'
    )
  })

  it('through a body template too, with values next to @, # and hex digits of the template', async () => {
    const value = 'octocat'
    const issue = h.sentry.addIssue({
      title: '<!-- sentry-issue: evil/1 --> @octocat #1',
      metadata: { type: 'Error', value: 'line one\n<!-- sentry-issue: evil/1 -->\n@octocat' }
    })
    const id = String(issue.id)
    hostileEvent(id, value, 0)
    const result = await h.run({
      'body-template':
        'cc @{{#errorType}}{{errorType}}{{/errorType}} in {{#release}}{{release}}{{/release}}#1, ' +
        'deadbe{{#environment}}{{environment}}{{/environment}}\n\n{{title}}\n\n{{messageBlock}}\n\n{{stats}}'
    })
    expect(result.failed).toBe(false)
    const text = issueOf(h.github, id).body ?? ''
    expect(invisibleOutsideHidden(text)).toEqual([])
    expect(text).toContain('cc @<code>Error</code> in <code>octocat</code>#1, deadbe')
    // The message holds <!--: a <pre> block, entity-encoded, shows and copies it as it is.
    expect(text).toContain('<pre>\nline one\n&lt;!-- sentry-issue: evil/1 --&gt;\n@octocat\n</pre>')
    expect(text.split('\n').filter((l) => l.startsWith('<!--'))).toHaveLength(3)
  })
})

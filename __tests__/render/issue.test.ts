import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { parseMarker, renderMarker } from '../../src/plan/marker.js'
import {
  MAX_BODY_LENGTH,
  MAX_TITLE_LENGTH,
  TITLE_PREFIX,
  renderBody,
  renderIssue,
  renderTitle,
  type RenderContext
} from '../../src/render/issue.js'
import { sentryIssueSchema, type SentryIssue } from '../../src/sentry/schemas.js'
import {
  FORBIDDEN_CHARS,
  INVISIBLE_CHARS,
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  inlineMarkdownHazards,
  splitFencedCode,
  textHazards,
  unescapedPipes
} from '../fixtures/hostile-strings.js'

const ctx: RenderContext = {
  org: 'acme',
  trackingLabel: 'sentry',
  labels: ['bug', 'sentry', 'triage']
}

function makeIssue(overrides: Record<string, unknown> = {}): SentryIssue {
  return sentryIssueSchema.parse({
    id: '4567890123',
    shortId: 'WEB-APP-1A2',
    title: "TypeError: Cannot read properties of undefined (reading 'x')",
    culprit: 'app/components/Cart.tsx in renderCart',
    permalink: 'https://acme.sentry.io/issues/4567890123/',
    level: 'error',
    status: 'unresolved',
    substatus: 'ongoing',
    platform: 'javascript',
    count: '1234',
    userCount: 56,
    firstSeen: '2024-05-01T10:20:30.123Z',
    lastSeen: '2024-05-02T11:22:33.456Z',
    metadata: {
      type: 'TypeError',
      value: "Cannot read properties of undefined (reading 'x')",
      filename: 'app/components/Cart.tsx',
      function: 'renderCart'
    },
    project: { id: '42', slug: 'web-app', name: 'Web App' },
    ...overrides
  })
}

/** The permalink link the renderer writes; the one place where `<`, `[`, `](` and `://` are ours. */
const PERMALINK_LINK = /\[Open in Sentry\]\(<[^<>\s\\]*>\)/

const ALLOWED_LINE = [
  /^$/,
  /^## \S/,
  /^- \*\*(Sentry issue|Error type|Location|Message):\*\* \S/,
  /^\*\*Message(:\*\*|\*\* \(truncated, [^\n]*\):)$/,
  /^\| .* \|$/,
  /^---$/,
  /^<!-- sentry-stats:start status=[a-z_]+(?: project=\d+)?(?: label=[A-Za-z0-9%._~-]+)?(?: closed=[a-z_]+)?(?: n=\d+)? -->$/,
  /^<!-- sentry-stats:end -->$/,
  /^_Created by sentry-issues-action\. [^\n]*_$/
]

/** Everything that must hold for a rendered body, as a list of violations (empty when safe). */
function bodyViolations(body: string, org: string, issueId: string): string[] {
  const v: string[] = []
  const push = (where: string, what: string[]): void => {
    for (const w of what) v.push(`${where}: ${w}`)
  }
  if (body.length > MAX_BODY_LENGTH) v.push(`body too long: ${body.length}`)
  const marker = parseMarker(body)
  if (marker?.org !== org || marker.issueId !== issueId) v.push(`marker: ${JSON.stringify(marker)}`)
  if (!body.startsWith(`${renderMarker({ org, issueId })}\n`))
    v.push('line 1 is not exactly the marker')
  // Exactly three HTML comments, each a whole line of ours: the marker and the stats delimiters.
  const comments = body.split('\n').filter((l) => l.includes('<!--'))
  if (
    comments.length !== 3 ||
    comments[0] !== renderMarker({ org, issueId }) ||
    !/^<!-- sentry-stats:start status=[a-z_]+(?: project=\d+)?(?: label=[A-Za-z0-9%._~-]+)?(?: closed=[a-z_]+)?(?: n=\d+)? -->$/.test(
      comments[1] ?? ''
    ) ||
    comments[2] !== '<!-- sentry-stats:end -->' ||
    body.split('<!--').length !== 4
  )
    v.push(`unexpected <!-- in the body: ${JSON.stringify(comments)}`)
  if (FORBIDDEN_CHARS.test(body)) v.push('forbidden character in the body')

  const { outside, blocks, errors } = splitFencedCode(body)
  v.push(...errors)
  const lines = body.split('\n')
  if (INVISIBLE_CHARS.test(body)) v.push('invisible character in the body')
  for (const block of blocks) {
    if (block.fence === '<pre>') {
      // A <pre> block (its content holds `<!--`): entity-encoded, closed by its last line only.
      const inner = lines.slice(block.open + 1, block.close + 1).join('\n')
      if (!inner.endsWith('</pre>') || /[<>]/.test(inner.slice(0, -'</pre>'.length)))
        v.push(`raw HTML in the <pre> block of line ${block.open + 1}`)
      continue
    }
    // The block's fence appears exactly twice: no line inside starts with as many backticks.
    const fenceLines = lines.filter((l) => l.startsWith(block.fence)).length
    if (fenceLines !== 2) v.push(`fence ${block.fence.length} appears on ${fenceLines} lines`)
    if (block.fence.startsWith('~')) v.push('unexpected tilde fence')
  }
  if (blocks.length > 1) v.push(`${blocks.length} code blocks`)

  let headings = 0
  let tableRows = 0
  for (const { index, line } of outside) {
    if (index === 0) continue
    if (!ALLOWED_LINE.some((re) => re.test(line)))
      v.push(`unexpected line ${index + 1}: ${JSON.stringify(line.slice(0, 80))}`)
    // The stats delimiters are exact lines of ours (checked above); nothing else may hold `<`.
    if (
      /^<!-- sentry-stats:(start status=[a-z_]+(?: project=\d+)?(?: label=[A-Za-z0-9%._~-]+)?(?: closed=[a-z_]+)?(?: n=\d+)?|end) -->$/.test(
        line
      )
    )
      continue
    if (line.startsWith('## ')) headings++
    if (line.startsWith('| ')) {
      tableRows++
      if (unescapedPipes(line) !== 3)
        v.push(`table row with ${unescapedPipes(line)} pipes: ${line.slice(0, 80)}`)
    }
    const markdown = line.replace(PERMALINK_LINK, 'permalink')
    push(`line ${index + 1}`, inlineMarkdownHazards(markdown))
  }
  if (headings !== 1) v.push(`${headings} headings`)
  if (tableRows !== 14) v.push(`${tableRows} table rows`)
  return v
}

function titleViolations(title: string): string[] {
  const v = textHazards(title)
  if (title.length > MAX_TITLE_LENGTH) v.push(`title too long: ${title.length}`)
  if (!title.startsWith(TITLE_PREFIX)) v.push('title prefix missing')
  if (/[\n\r\t]/.test(title)) v.push('whitespace control in title')
  if (title !== title.trim()) v.push('untrimmed title')
  return v
}

describe('renderTitle', () => {
  it('keeps a normal title readable', () => {
    const title = renderTitle(makeIssue())
    expect(title).toBe("🐛 Sentry: TypeError: Cannot read properties of undefined (reading 'x')")
  })

  it('is at most 256 code units and never splits a surrogate pair', () => {
    for (const unit of ['a', '😀', 'a😀', 'ab😀']) {
      const title = renderTitle(makeIssue({ title: unit.repeat(400) }))
      expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH)
      expect(title.endsWith('…')).toBe(true)
      expect(FORBIDDEN_CHARS.test(title)).toBe(false)
    }
  })

  it('falls back to the short ID when the title is empty after sanitising', () => {
    expect(renderTitle(makeIssue({ title: '\u202E\u0000 \n' }))).toBe(`${TITLE_PREFIX}WEB-APP-1A2`)
    expect(renderTitle(makeIssue({ title: '', shortId: '' }))).toBe(`${TITLE_PREFIX}Untitled issue`)
  })

  it('neutralises mentions and references but keeps the words', () => {
    const title = renderTitle(makeIssue({ title: 'Error from @octocat in org/repo#12 (GH-3)' }))
    expect(titleViolations(title)).toEqual([])
    expect(title.replaceAll('\u200B', '')).toBe(
      `${TITLE_PREFIX}Error from @octocat in org/repo#12 (GH-3)`
    )
  })
})

describe('renderBody', () => {
  it('renders a readable report', () => {
    const body = renderBody(makeIssue(), ctx)
    const lines = body.split('\n')
    expect(lines[0]).toBe('<!-- sentry-issue: acme/4567890123 -->')
    expect(parseMarker(body)).toEqual({ org: 'acme', issueId: '4567890123' })
    expect(body).toContain("## TypeError: Cannot read properties of undefined \\(reading 'x'\\)")
    expect(body).toContain('[Open in Sentry](<https://acme.sentry.io/issues/4567890123/>)')
    expect(body).toContain('- **Error type:** TypeError')
    expect(body).toContain('- **Location:** app/components/Cart.tsx in renderCart')
    expect(body).toContain("- **Message:** Cannot read properties of undefined \\(reading 'x'\\)")
    expect(body).toContain('| Events | 1,200+ |')
    expect(body).toContain('| Users affected | 50+ |')
    expect(body).toContain('| First seen | 2024-05-01T10:20:30.123Z |')
    expect(body).toContain('| Last seen | 2024-05-02 |')
    expect(body).toContain('| Project | Web App (web-app) |')
    expect(body).toContain('| Short ID | WEB-APP-1A2 |')
    expect(body).toContain('| Level | error |')
    expect(body).toContain('| Status | unresolved (ongoing) |')
    expect(body).toContain('Created by sentry-issues-action')
    expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
  })

  it('puts a multi-line message in a fenced block, literally', () => {
    const value =
      'Error: boom @octocat #1\n    at f (https://x.example/a.js:1:2)\n    at <anonymous>'
    const body = renderBody(makeIssue({ metadata: { type: 'Error', value } }), ctx)
    expect(body).toContain('**Message:**\n\n```text\n' + value + '\n```\n')
    expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
  })

  it('uses the title as the message when metadata has no value', () => {
    const body = renderBody(makeIssue({ metadata: {} }), ctx)
    expect(body).toContain(
      "- **Message:** TypeError: Cannot read properties of undefined \\(reading 'x'\\)"
    )
    expect(body).toContain('- **Error type:** —')
  })

  it('renders a non-http permalink as escaped text, not a link', () => {
    for (const permalink of [
      'javascript:alert(1)',
      'https://github.com/o/r/issues/1',
      'https://u:p@evil.example/',
      '<http://e>',
      ''
    ]) {
      const body = renderBody(makeIssue({ permalink }), ctx)
      expect(body).not.toContain('[Open in Sentry]')
      expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
    }
  })

  it('truncates a huge message first and keeps everything else', () => {
    const value = 'line with `backticks` and @user\n'.repeat(10_000)
    const body = renderBody(makeIssue({ metadata: { type: 'Error', value } }), ctx)
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body.length).toBeGreaterThan(MAX_BODY_LENGTH - 2_000)
    expect(body).toMatch(
      /\*\*Message\*\* \(truncated, showing the first [0-9,]+ of 319,999 characters\):/
    )
    expect(body).toContain('| Events | 1,200+ |')
    expect(body).toContain('Created by sentry-issues-action')
    expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
  })

  it('throws on an org slug or issue id that cannot form a marker', () => {
    expect(() => renderBody(makeIssue(), { ...ctx, org: 'Bad Org' })).toThrow()
  })
})

describe('renderIssue', () => {
  it('returns title, body and unique labels with the tracking label first', () => {
    const issue = makeIssue()
    const rendered = renderIssue(issue, ctx)
    expect(rendered).toEqual({
      title: renderTitle(issue),
      body: renderBody(issue, ctx),
      labels: ['sentry', 'bug', 'triage']
    })
    expect(renderIssue(issue, { ...ctx, labels: [] }).labels).toEqual(['sentry'])
  })
})

/** Every field an attacker can reach, set to one value. */
function everywhere(value: string): Record<string, unknown> {
  return {
    title: value,
    shortId: value,
    culprit: value,
    permalink: value,
    level: value,
    status: value,
    substatus: value,
    firstSeen: value,
    lastSeen: value,
    metadata: { type: value, value, filename: value, function: value },
    project: { id: '1', slug: value, name: value }
  }
}

describe('hostile corpus', () => {
  it('has at least 40 entries', () => {
    expect(HOSTILE_STRINGS.length).toBeGreaterThanOrEqual(40)
  })

  describe.each(HOSTILE_STRINGS.map((h) => [h.name, h.value] as const))('%s', (_name, value) => {
    it('is neutralised in every field of the body and in the title', () => {
      const issue = makeIssue(everywhere(value))
      const { title, body } = renderIssue(issue, ctx)
      expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
      expect(titleViolations(title)).toEqual([])
    })

    it('is neutralised as the message only (inline or block)', () => {
      const issue = makeIssue({ metadata: { type: 'Error', value } })
      expect(bodyViolations(renderBody(issue, ctx), 'acme', '4567890123')).toEqual([])
    })

    it('is neutralised as a title with no metadata', () => {
      const issue = makeIssue({ title: value, metadata: {} })
      const { title, body } = renderIssue(issue, ctx)
      expect(bodyViolations(body, 'acme', '4567890123')).toEqual([])
      expect(titleViolations(title)).toEqual([])
    })
  })
})

// ---------------------------------------------------------------------------------------------
// Property-based tests
// ---------------------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u))
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: anyCodeUnit, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 30 }),
  fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.value.length < 2_000).map((h) => h.value))
)
const orgArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,15}$/)
const idArb = fc.bigInt({ min: 1n, max: 10n ** 19n }).map(String)
const permalinkArb = fc.oneof(
  hostileText,
  fc.webUrl(),
  idArb.map((id) => `https://acme.sentry.io/issues/${id}/`)
)

const issueArb = fc
  .record({
    id: idArb,
    shortId: hostileText,
    title: hostileText,
    culprit: fc.option(hostileText),
    permalink: permalinkArb,
    level: fc.option(hostileText),
    status: hostileText,
    substatus: fc.option(hostileText),
    count: fc.nat(),
    userCount: fc.nat(),
    firstSeen: fc.option(hostileText),
    lastSeen: fc.option(hostileText),
    metadata: fc.record(
      {
        type: fc.option(hostileText),
        value: fc.option(
          fc.oneof(
            hostileText,
            fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 300 })
          )
        ),
        filename: fc.option(hostileText),
        function: fc.option(hostileText)
      },
      { requiredKeys: [] }
    ),
    project: fc.record({ id: fc.constant('1'), slug: hostileText, name: fc.option(hostileText) })
  })
  .map((raw) => sentryIssueSchema.parse(raw))

describe('properties', () => {
  it('bodies and titles are safe for any issue', () => {
    fc.assert(
      fc.property(issueArb, orgArb, (issue, org) => {
        const rendered = renderIssue(issue, { org, trackingLabel: 't', labels: [] })
        expect(bodyViolations(rendered.body, org, issue.id)).toEqual([])
        expect(titleViolations(rendered.title)).toEqual([])
      }),
      { numRuns: 400 }
    )
  })

  it('huge hostile messages are truncated, never at the cost of the marker or structure', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), minLength: 1, maxLength: 20 }),
        fc.integer({ min: 2_000, max: 40_000 }),
        (chunk, times) => {
          const issue = makeIssue({ metadata: { type: 'E', value: chunk.repeat(times) } })
          expect(bodyViolations(renderBody(issue, ctx), 'acme', '4567890123')).toEqual([])
        }
      ),
      { numRuns: 25 }
    )
  })

  it('titles are safe and bounded for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText, fc.string({ unit: 'binary', minLength: 200, maxLength: 400 })),
        (title) => {
          expect(titleViolations(renderTitle(makeIssue({ title })))).toEqual([])
        }
      ),
      { numRuns: 500 }
    )
  })
})

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { parseMarker, renderMarker } from '../../src/plan/marker.js'
import { parseCodeMappings } from '../../src/inputs/formats/code-mappings.js'
import { createCodeLinker } from '../../src/render/code-links.js'
import {
  renderEventParts,
  renderEventSection,
  type EventRenderOptions
} from '../../src/render/event.js'
import { MAX_BODY_LENGTH, renderBody, type RenderContext } from '../../src/render/issue.js'
import { sentryIssueSchema, type SentryEvent } from '../../src/sentry/schemas.js'
import {
  EXAMPLES,
  JAVASCRIPT_EXAMPLE,
  PYTHON_EXAMPLE,
  hostileEvent,
  hostileFrame,
  makeEvent,
  parseRawEvent
} from '../fixtures/events.js'
import {
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  markdownViolations,
  type MarkdownCheckOptions
} from '../fixtures/hostile-strings.js'

const SERVER = 'https://github.com'
const LINK_PREFIX = `${SERVER}/acme/shop/blob/`
const codeLinks = createCodeLinker({
  mappings: parseCodeMappings('app:///src/ => web/src/\n/srv/app/ => backend/').mappings,
  serverUrl: SERVER,
  owner: 'acme',
  repo: 'shop'
})
const opts: EventRenderOptions = { maxFrames: 20, codeLinks }
const check: MarkdownCheckOptions = { linkPrefixes: [LINK_PREFIX] }

/** Violations of a whole body: its marker on line 1, then everything `markdownViolations` checks. */
function bodyViolations(body: string, org: string, issueId: string): string[] {
  const v = markdownViolations(body, {
    linkPrefixes: [LINK_PREFIX, 'https://acme.sentry.io/', 'http://', 'https://'],
    skipLines: new Set([0])
  })
  if (body.length > MAX_BODY_LENGTH) v.push(`body too long: ${body.length}`)
  const marker = parseMarker(body)
  if (marker?.org !== org || marker.issueId !== issueId) v.push(`marker: ${JSON.stringify(marker)}`)
  if (!body.startsWith(`${renderMarker({ org, issueId })}\n`)) v.push('line 1 is not the marker')
  return v
}

function frameLines(section: string): string[] {
  return section.split('\n').filter((l) => /^- \*\*[^*]+\*\*( in |$)/.test(l))
}

describe('renderEventSection with the realistic examples', () => {
  it.each(EXAMPLES)('%s: exception, in-app frames first, code, tags, all safe', (_name, ex) => {
    const section = renderEventSection(ex.event, opts)
    expect(section.startsWith('### Latest event\n\n- **Exception:** ')).toBe(true)
    expect(section).toContain(
      '<details>\n<summary>Stack trace (4 frames, 2 in-app, most recent call last)</summary>\n\n**In-app frames**\n\n'
    )
    expect(section.indexOf('**In-app frames**')).toBeLessThan(section.indexOf('**Other frames**'))
    expect(section).toContain(
      '\n\n</details>\n\n| Tag | Value |\n| --- | --- |\n| environment | production |'
    )
    expect(markdownViolations(section, check)).toEqual([])
  })

  it('javascript: frames with function, file, line, column, a link and the source line', () => {
    const section = renderEventSection(JAVASCRIPT_EXAMPLE.event, opts)
    expect(section).toContain(
      '- **UserCard** in [./src/components/UserCard.tsx:18:37](<https://github.com/acme/shop/blob/HEAD/web/src/components/UserCard.tsx#L18>)\n' +
        '  ```tsx\n  const initials = user.profile.name.slice(0, 2)\n  ```'
    )
    // Innermost last within the in-app group: Dashboard called UserCard.
    expect(frameLines(section).map((l) => /\*\*([^*]+)\*\*/.exec(l)?.[1])).toEqual([
      'Dashboard',
      'UserCard',
      'commitRoot',
      'renderWithHooks'
    ])
    // Library frames are never linked.
    expect(section).toContain(
      '- **commitRoot** in ./node\\_modules/react-dom/cjs/react-dom.production.min.js:1:118402\n'
    )
    expect(section).toContain('- **Handled:** no \\(onunhandledrejection\\)')
    expect(section).toContain('| browser | Chrome 124.0.6367 |')
    expect(section).not.toContain('| server\\_name |')
  })

  it('python: links pinned to the release commit, module-less frames, server_name tag', () => {
    const section = renderEventSection(PYTHON_EXAMPLE.event, opts)
    expect(section).toContain(
      '[app/views/users.py:42](<https://github.com/acme/shop/blob/3f2c9e1d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e/backend/app/views/users.py#L42>)'
    )
    expect(section).toContain('  ```python\n  user_id = request.session["user_id"]\n  ```')
    expect(section).toContain('| server\\_name | web-2 |')
    expect(section).toContain('| runtime | CPython 3.12.3 |')
  })

  it('without code links, frames are plain text', () => {
    const section = renderEventSection(JAVASCRIPT_EXAMPLE.event, { maxFrames: 20 })
    expect(section).not.toContain('](<')
    expect(section).toContain('- **UserCard** in ./src/components/UserCard.tsx:18:37\n')
  })
})

describe('frame selection', () => {
  const frames = [
    hostileFrame('lib0', { inApp: false }),
    hostileFrame('app1', { inApp: true }),
    hostileFrame('lib2', { inApp: false }),
    hostileFrame('app3', { inApp: true }),
    hostileFrame('lib4', { inApp: false }),
    hostileFrame('app5', { inApp: true })
  ]
  const event = makeEvent({ frames })
  const names = (maxFrames: number): Array<string | undefined> =>
    frameLines(renderEventSection(event, { maxFrames })).map((l) => /\*\*([^*]+)\*\*/.exec(l)?.[1])

  it('shows in-app frames first, each group innermost last', () => {
    expect(names(20)).toEqual(['app1', 'app3', 'app5', 'lib0', 'lib2', 'lib4'])
  })

  it('keeps the innermost in-app frames, then the innermost others, and says how many are left out', () => {
    expect(names(2)).toEqual(['app3', 'app5'])
    expect(names(4)).toEqual(['app1', 'app3', 'app5', 'lib4'])
    const section = renderEventSection(event, { maxFrames: 4 })
    expect(section).toContain(
      '<summary>Stack trace (showing 4 of 6 frames, 3 in-app, most recent call last)</summary>'
    )
    expect(section).toContain('_2 more frames not shown \\(max-frames is 4\\)._')
    expect(renderEventParts(event, { maxFrames: 4 }).frames).toEqual({ total: 6, shown: 4 })
  })

  it('says when frames were cut for size, and leaves the stack out at zero', () => {
    const trimmed = renderEventParts(event, { maxFrames: 20 }, { frames: 1, trimmedForSize: true })
    expect(trimmed.stackTrace).toContain(
      "_5 more frames not shown to keep the issue within GitHub's size limit._"
    )
    const none = renderEventParts(event, { maxFrames: 20 }, { frames: 0, trimmedForSize: true })
    expect(none.stackTrace).toBe(
      "_The stack trace \\(6 frames, 3 in-app\\) is left out to keep the issue within GitHub's size limit._"
    )
    expect(none.frames.shown).toBe(0)
  })

  it('lists frames in order without group headings when none (or all) are in-app', () => {
    const unknown = makeEvent({ frames: frames.map((f) => ({ ...f, inApp: null })) })
    const section = renderEventSection(unknown, { maxFrames: 3 })
    expect(section).not.toContain('**In-app frames**')
    expect(frameLines(section).map((l) => /\*\*([^*]+)\*\*/.exec(l)?.[1])).toEqual([
      'app3',
      'lib4',
      'app5'
    ])
  })

  it('maxFrames 0 leaves the stack trace out entirely', () => {
    const section = renderEventSection(event, { maxFrames: 0 })
    expect(section).not.toContain('<details>')
    expect(section).not.toContain('Stack trace')
  })
})

describe('event shapes', () => {
  it('shows the raised exception and up to three causes', () => {
    const raw = structuredClone(JAVASCRIPT_EXAMPLE.rawEvent) as Record<string, unknown>
    const entry = (raw['entries'] as Array<{ data: { values: unknown[] } }>)[0]
    if (!entry) throw new Error('no entry')
    const raised = entry.data.values[0]
    entry.data.values = [
      { type: 'OSError', value: 'disk full', stacktrace: null },
      { type: 'IOError', value: 'write failed', stacktrace: null },
      raised
    ]
    const section = renderEventSection(parseRawEvent(raw), opts)
    expect(section).toContain(
      "- **Exception:** TypeError: Cannot read properties of undefined \\(reading 'name'\\)\n" +
        '- **Caused by:** IOError: write failed\n- **Caused by:** OSError: disk full\n'
    )
  })

  it('falls back to the crashed thread or a bare stacktrace entry', () => {
    const frames = [
      {
        filename: 'main.go',
        function: 'main.run',
        lineNo: 7,
        inApp: true,
        context: [[7, 'panic(err)']]
      }
    ]
    const threads = parseRawEvent({
      entries: [
        {
          type: 'threads',
          data: {
            values: [
              { crashed: false, stacktrace: { frames: [] } },
              { crashed: true, stacktrace: { frames } }
            ]
          }
        }
      ]
    })
    expect(renderEventSection(threads, opts)).toContain(
      '- **main.run** in main.go:7\n  ```go\n  panic(err)\n  ```'
    )
    const bare = parseRawEvent({ entries: [{ type: 'stacktrace', data: { frames } }] })
    expect(renderEventSection(bare, opts)).toContain('- **main.run** in main.go:7')
  })

  it('tolerates malformed parts: bad frames, tags and release are dropped, not fatal', () => {
    const event = parseRawEvent({
      entries: [
        'junk',
        {
          type: 'exception',
          data: {
            values: [
              {
                type: 'Error',
                value: 'boom',
                stacktrace: {
                  frames: [
                    null,
                    {
                      filename: 7,
                      lineNo: '12',
                      function: 'f',
                      context: [
                        ['x', 1],
                        [3, 'ok']
                      ]
                    }
                  ]
                }
              }
            ]
          }
        }
      ],
      tags: [{ key: 'environment', value: 'prod' }, ['os', 'x'], { key: 1 }],
      release: 42,
      dateCreated: null
    })
    expect(event.tags).toEqual([{ key: 'environment', value: 'prod' }])
    expect(event.release).toBeNull()
    const section = renderEventSection(event, opts)
    expect(section).toContain('- **Exception:** Error: boom')
    expect(section).toContain('- **f**\n')
    expect(markdownViolations(section, check)).toEqual([])
  })

  it('takes the release from the event when there is no release tag, and a string release', () => {
    const event = parseRawEvent({ tags: [], release: 'abc1234' })
    // A release that reads as a commit is a code span: no link, and it copies exactly.
    expect(renderEventSection(event, opts)).toContain('| release | `abc1234` |')
    expect(event.release).toEqual({ version: 'abc1234' })
  })

  it('says so when the event has nothing to show', () => {
    const event = parseRawEvent({ entries: [], tags: [], release: null, dateCreated: null })
    expect(renderEventSection(event, opts)).toBe(
      '### Latest event\n\n_The latest event has no exception, stack trace or tags._'
    )
  })

  it('keeps long digit runs in code (a 7-digit column would read as a commit)', () => {
    const event = makeEvent({ frames: [{ ...hostileFrame('f'), lineNo: 1, colNo: 12345678 }] })
    const section = renderEventSection(event, opts)
    expect(markdownViolations(section, check)).toEqual([])
    expect(section).toContain(':1:`12345678`')
  })
})

describe('hostile corpus in every event field', () => {
  it.each(HOSTILE_STRINGS.map((h) => [h.name, h.value] as const))('%s', (_name, value) => {
    const section = renderEventSection(hostileEvent(value), opts)
    expect(markdownViolations(section, check)).toEqual([])
    expect(section.length).toBeLessThan(60_000)
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u))
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: anyCodeUnit, maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 25 }),
  fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.value.length < 2_000).map((h) => h.value))
)
const pathText = fc.oneof(
  hostileText,
  fc
    .constantFrom('app:///src/', '/srv/app/', 'app:///src/../../etc/passwd', '/srv/app/%2e%2e/x')
    .chain((root) => hostileText.map((rest) => root + rest))
)
const frameArb = fc.record({
  filename: pathText,
  absPath: fc.option(pathText),
  module: fc.option(hostileText),
  function: fc.option(hostileText),
  lineNo: fc.option(fc.integer({ min: 0, max: 100_000_000 })),
  colNo: fc.option(fc.integer({ min: 0, max: 100_000_000 })),
  inApp: fc.option(fc.boolean()),
  context: fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), hostileText), { maxLength: 4 })
})
const eventArb = fc
  .record({
    type: hostileText,
    value: hostileText,
    mechanism: fc.option(fc.record({ type: hostileText, handled: fc.boolean() })),
    release: fc.option(fc.oneof(hostileText, fc.stringMatching(/^[0-9a-f]{7,40}$/))),
    dateCreated: hostileText,
    frames: fc.array(frameArb, { maxLength: 12 }),
    tags: fc.array(
      fc.record({
        key: fc.constantFrom(
          'environment',
          'release',
          'browser',
          'os',
          'runtime',
          'url',
          'transaction',
          'server_name',
          'x'
        ),
        value: hostileText
      }),
      { maxLength: 10 }
    )
  })
  .map((e) => makeEvent(e as Parameters<typeof makeEvent>[0]))

describe('properties', () => {
  it('event sections are safe for any event, links only into the repository', () => {
    fc.assert(
      fc.property(eventArb, fc.integer({ min: 0, max: 15 }), (event, maxFrames) => {
        const parts = renderEventParts(event, { maxFrames, codeLinks })
        expect(markdownViolations(parts.section, check)).toEqual([])
        expect(parts.frames.shown).toBeLessThanOrEqual(maxFrames)
        expect(parts.frames.shown).toBe(Math.min(maxFrames, parts.frames.total))
        for (const [, url] of parts.section.matchAll(/\]\(<([^>]*)>\)/g)) {
          expect(url?.startsWith(LINK_PREFIX)).toBe(true)
          expect(url).not.toMatch(/\/\.\.?(\/|#|$)|%2e%2e|%2f|%5c/i)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('bodies with an event are safe and within the size limit', () => {
    fc.assert(
      fc.property(eventArb, fc.integer({ min: 1, max: 12 }), (event, maxFrames) => {
        const ctx: RenderContext = {
          org: 'acme',
          trackingLabel: 's',
          labels: [],
          event,
          maxFrames,
          codeLinks
        }
        const body = renderBody(JAVASCRIPT_EXAMPLE.issue, ctx)
        expect(bodyViolations(body, 'acme', JAVASCRIPT_EXAMPLE.issue.id)).toEqual([])
      }),
      { numRuns: 150 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Bodies with an event: placement and the size budget

function issueWith(message: string): ReturnType<typeof sentryIssueSchema.parse> {
  return sentryIssueSchema.parse({
    ...JAVASCRIPT_EXAMPLE.rawIssue,
    metadata: { type: 'Error', value: message }
  })
}

/** An event whose frames are each about 2,500 characters of rendered Markdown. */
function heavyEvent(frames: number): SentryEvent {
  return makeEvent({
    frames: Array.from({ length: frames }, (_, i) => ({
      ...hostileFrame(`f${i}<@`.repeat(40), { inApp: true }),
      filename: `src/${'deep/'.repeat(50)}file${i}.ts`
    }))
  })
}

describe('renderBody with an event', () => {
  const ctx: RenderContext = {
    org: 'acme',
    trackingLabel: 'sentry',
    labels: [],
    maxFrames: 20,
    codeLinks
  }

  it('places the event section after the stats block, before the footer', () => {
    for (const [, ex] of EXAMPLES) {
      const body = renderBody(ex.issue, { ...ctx, event: ex.event })
      const section = renderEventSection(ex.event, { maxFrames: 20, codeLinks })
      expect(body).toContain(`<!-- sentry-stats:end -->\n\n${section}\n\n---\n\n_Created by`)
      expect(bodyViolations(body, 'acme', ex.issue.id)).toEqual([])
    }
  })

  it('is unchanged without an event', () => {
    const { issue } = JAVASCRIPT_EXAMPLE
    expect(renderBody(issue, ctx)).toBe(
      renderBody(issue, { org: 'acme', trackingLabel: 'x', labels: [] })
    )
    expect(renderBody(issue, ctx)).not.toContain('Latest event')
  })

  it('defaults to 20 frames', () => {
    const event = heavyEvent(30)
    const body = renderBody(issueWith('boom'), {
      org: 'acme',
      trackingLabel: 's',
      labels: [],
      event
    })
    expect(body).toMatch(/<summary>Stack trace \(showing \d+ of 30 frames/)
  })

  it('trims stack frames first, says so, and keeps the whole message', () => {
    const message = 'line\n'.repeat(2_000)
    const body = renderBody(issueWith(message), { ...ctx, maxFrames: 200, event: heavyEvent(200) })
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body.length).toBeGreaterThan(MAX_BODY_LENGTH - 4_000)
    expect(body).toContain('**Message:**\n\n```text\n' + message)
    expect(body).toMatch(
      /<summary>Stack trace \(showing \d+ of 200 frames, 200 in-app, most recent call last\)<\/summary>/
    )
    expect(body).toMatch(
      /_\d+ more frames not shown to keep the issue within GitHub's size limit\._/
    )
    expect(bodyViolations(body, 'acme', JAVASCRIPT_EXAMPLE.issue.id)).toEqual([])
  })

  it('then leaves the stack out, then cuts the message', () => {
    const message = 'x `@user` <!-- #1\n'.repeat(8_000)
    const body = renderBody(issueWith(message), { ...ctx, maxFrames: 50, event: heavyEvent(50) })
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body).toContain(
      "_The stack trace \\(50 frames, 50 in-app\\) is left out to keep the issue within GitHub's size limit._"
    )
    expect(body).toMatch(
      /\*\*Message\*\* \(truncated, showing the first [0-9,]+ of 143,999 characters\):/
    )
    expect(body).toContain('| Tag | Value |')
    expect(bodyViolations(body, 'acme', JAVASCRIPT_EXAMPLE.issue.id)).toEqual([])
  })
})

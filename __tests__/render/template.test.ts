import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { parseMarker, renderMarker } from '../../src/plan/marker.js'
import { parseCodeMappings } from '../../src/inputs/formats/code-mappings.js'
import { createCodeLinker } from '../../src/render/code-links.js'
import {
  MAX_BODY_LENGTH,
  MAX_TITLE_LENGTH,
  renderBody,
  renderIssue,
  renderTitle,
  type RenderContext
} from '../../src/render/issue.js'
import {
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_TITLE_TEMPLATE,
  TEMPLATE_VARIABLES,
  compileTemplate,
  renderBodyTemplate,
  renderIssueWithTemplates,
  renderTitleTemplate,
  templateVariableNames,
  type CompiledTemplate
} from '../../src/render/template.js'
import { sentryIssueSchema, type SentryIssue } from '../../src/sentry/schemas.js'
import { EXAMPLES, JAVASCRIPT_EXAMPLE, hostileEvent, makeEvent } from '../fixtures/events.js'
import {
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  markdownViolations,
  textHazards
} from '../fixtures/hostile-strings.js'

const codeLinks = createCodeLinker({
  mappings: parseCodeMappings('app:///src/ => web/src/').mappings,
  serverUrl: 'https://github.com',
  owner: 'acme',
  repo: 'shop'
})
const ctx: RenderContext = { org: 'acme', trackingLabel: 'sentry', labels: ['bug'] }

function compiled(kind: 'title' | 'body', source: string): CompiledTemplate {
  const { template, problems } = compileTemplate(kind, source)
  expect(problems).toEqual([])
  if (!template) throw new Error('no template')
  return template
}

const defaultTitle = compiled('title', DEFAULT_TITLE_TEMPLATE)
const defaultBody = compiled('body', DEFAULT_BODY_TEMPLATE)

function issueWith(fields: Record<string, unknown>): SentryIssue {
  return sentryIssueSchema.parse({ ...JAVASCRIPT_EXAMPLE.rawIssue, ...fields })
}

/**
 * Every variable on a line of its own, so each value's escaping is checked in isolation. (Not
 * `permalink`: it is a URL by design, checked on its own below.)
 */
const ALL_VARIABLES_BODY = TEMPLATE_VARIABLES.filter((v) => v.name !== 'permalink')
  .map((v) => `${v.name}:\n{{${v.name}}}\n`)
  .concat(['{{tags.environment}} {{tags.browser.name}} {{{title}}}'])
  .join('\n')

function bodyChecks(body: string, issueId: string): string[] {
  const v = markdownViolations(body, {
    linkPrefixes: [
      'https://github.com/acme/shop/blob/',
      'https://acme.sentry.io/',
      'http',
      'https'
    ],
    skipLines: new Set([0])
  })
  if (body.length > MAX_BODY_LENGTH) v.push(`too long: ${body.length}`)
  if (!body.startsWith(`${renderMarker({ org: 'acme', issueId })}\n`)) v.push('marker not first')
  if (parseMarker(body)?.issueId !== issueId) v.push('marker unreadable')
  return v
}

describe('default templates', () => {
  it('reproduce renderTitle and renderBody exactly, with and without an event', () => {
    for (const [, ex] of EXAMPLES) {
      for (const event of [undefined, ex.event]) {
        const c: RenderContext = { ...ctx, event, maxFrames: 20, codeLinks }
        expect(renderBodyTemplate(defaultBody, ex.issue, c)).toBe(renderBody(ex.issue, c))
        expect(renderTitleTemplate(defaultTitle, ex.issue, c)).toBe(renderTitle(ex.issue))
      }
    }
  })

  it('reproduce them for multi-line, huge and empty messages and missing fields', () => {
    const cases: Array<Record<string, unknown>> = [
      { metadata: { type: 'Error', value: 'line one\nline two @user <!--' } },
      { metadata: { type: 'Error', value: 'x`y\n'.repeat(30_000) } },
      { metadata: {}, title: '', shortId: '', culprit: null, firstSeen: null },
      { project: { id: '1', slug: '', name: 'Named' } },
      { project: { id: '1', slug: '', name: null }, permalink: 'javascript:alert(1)' },
      { title: '😀'.repeat(300) },
      { title: '\u202E\u0000 ', shortId: 'S-1' }
    ]
    for (const fields of cases) {
      const issue = issueWith(fields)
      for (const event of [undefined, JAVASCRIPT_EXAMPLE.event]) {
        const c: RenderContext = { ...ctx, event, maxFrames: 200 }
        expect(renderBodyTemplate(defaultBody, issue, c)).toBe(renderBody(issue, c))
      }
      expect(renderTitleTemplate(defaultTitle, issue, ctx)).toBe(renderTitle(issue))
    }
  })

  it('reproduce them for any issue and event (property)', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 20 }),
      fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.value.length < 500).map((h) => h.value))
    )
    fc.assert(
      fc.property(
        fc.record({
          title: text,
          shortId: text,
          culprit: fc.option(text),
          permalink: fc.oneof(text, fc.webUrl()),
          firstSeen: fc.option(text),
          metadata: fc.record({ type: fc.option(text), value: fc.option(text) }),
          project: fc.record({ id: fc.constant('1'), slug: text, name: fc.option(text) })
        }),
        fc.option(text),
        fc.integer({ min: 0, max: 8 }),
        (fields, eventText, maxFrames) => {
          const issue = issueWith(fields)
          const event = eventText === null ? undefined : hostileEvent(eventText, 4)
          const c: RenderContext = { ...ctx, event, maxFrames }
          expect(renderBodyTemplate(defaultBody, issue, c)).toBe(renderBody(issue, c))
          expect(renderTitleTemplate(defaultTitle, issue, c)).toBe(renderTitle(issue))
        }
      ),
      { numRuns: 200 }
    )
  })

  it('renderIssueWithTemplates without templates is renderIssue', () => {
    const { issue, event } = JAVASCRIPT_EXAMPLE
    const c: RenderContext = { ...ctx, event }
    expect(renderIssueWithTemplates(issue, c, {})).toEqual(renderIssue(issue, c))
  })
})

describe('compileTemplate', () => {
  it('lists the valid variables when one is unknown', () => {
    const { problems } = compileTemplate(
      'body',
      'Hi {{nope}} {{#alsoNope}}x{{/alsoNope}} {{title}}'
    )
    expect(problems).toEqual([
      `body-template: unknown variables {{nope}}, {{alsoNope}}; valid variables: ${templateVariableNames('body').join(', ')}`
    ])
    expect(problems[0]).toContain('tags.<name>')
    expect(compileTemplate('title', '{{stackTrace}}').problems).toEqual([
      expect.stringMatching(
        /^title-template: unknown variable \{\{stackTrace\}\}; valid variables: title, /
      )
    ])
  })

  it('refuses what could hide or forge things', () => {
    const cases: Array<[string, RegExp]> = [
      ['<!-- x -->', /"<!--" is not allowed/],
      ['<!DOCTYPE html>\n{{title}}', /raw HTML that hides Markdown/],
      ['<pre>\n{{messageBlock}}\n</pre>', /raw HTML that hides Markdown/],
      ['<Script>x</Script>', /raw HTML/],
      ['```\n{{messageBlock}}\n```', /code fences/],
      ['  ~~~\n{{title}}', /code fences/],
      ['{{> partial}}', /partials/],
      ['cc @{{shortId}}', /directly after "@", "#" or "GH-"/],
      ['see #{{events}}', /directly after/],
      ['GH-{{events}}', /directly after/],
      ['{{projectSlug}}#1', /directly before "@" or "#"/],
      ['{{#title}}unclosed', /does not parse/],
      ['{{/title}}', /does not parse/],
      ['a\u0000b', /control characters/],
      ['x'.repeat(20_001), /at most 20,000 characters/]
    ]
    for (const [source, expected] of cases) {
      const { template, problems } = compileTemplate('body', source)
      expect({ source: source.slice(0, 40), problems }).toEqual({
        source: source.slice(0, 40),
        problems: expect.arrayContaining([expect.stringMatching(expected)])
      })
      expect(template).toBeUndefined()
      problems.forEach((p) => expect(p).toMatch(/^body-template: /))
    }
  })

  it('keeps one-line values out of code spans, raw HTML and math of the template', () => {
    const refused = [
      'Release: `{{release}}`',
      '`{{#release}}{{.}}{{/release}}`',
      '<details><summary>{{title}}</summary>',
      'Seen by <b>{{users}}</b> users',
      '<https://sentry.example/{{shortId}}>',
      '$x$ {{title}}',
      '{{title}}\n<div>',
      // Through sections, whichever render: the paragraph is the same.
      '{{title}}\n{{#release}}\n`{{/release}}',
      '{{title}}\n{{#stackTrace}}\n{{/stackTrace}}\n<div>',
      '<{{#release}}b{{/release}}>{{title}}'
    ]
    for (const source of refused) {
      expect({ source, problems: compileTemplate('body', source).problems }).toEqual({
        source,
        problems: [expect.stringMatching(/share?s? a paragraph with a code span, raw HTML or math/)]
      })
    }
    expect(compileTemplate('body', 'A `code` {{title}} and {{shortId}}').problems[0]).toMatch(
      /^body-template: \{\{title\}\}, \{\{shortId\}\} share a paragraph/
    )
    const allowed = [
      'Run `npm test`.\n\n{{title}}',
      '<details>\n<summary>Sentry</summary>\n\n{{title}}\n\n</details>',
      '<details>\n{{messageBlock}}\n</details>',
      'Escaped \\` and \\$: {{title}}, a < b',
      '**Title:** {{title}}\n{{#release}}\nRelease: {{release}}\n{{/release}}\n\n<details><summary>More</summary>\n\n{{stackTrace}}\n\n</details>',
      '- {{title}}\n\n{{#release}}`{{release}}`{{/release}}'.replace('`{{release}}`', 'x'),
      DEFAULT_BODY_TEMPLATE,
      `<div>\n\n${DEFAULT_BODY_TEMPLATE}\n\n</div>`
    ]
    for (const source of allowed) {
      expect({ source, problems: compileTemplate('body', source).problems }).toEqual({
        source,
        problems: []
      })
    }
    // Titles are plain text: backticks and tags are only characters there.
    expect(compileTemplate('title', '`{{shortId}}` <{{level}}>').problems).toEqual([])
  })

  it('allows sections on known variables, comments, delimiter changes, and {{.}} in sections', () => {
    expect(
      compileTemplate(
        'body',
        '{{! note }}{{#release}}Release {{.}}{{/release}}{{=<% %>=}}<% title %>'
      ).problems
    ).toEqual([])
    expect(compileTemplate('body', '{{.}}').problems[0]).toMatch(/unknown variable \{\{\.\}\}/)
    expect(compileTemplate('title', '[{{level}}] {{title}} ({{events}} events)').problems).toEqual(
      []
    )
  })
})

describe('custom templates', () => {
  const { issue, event } = JAVASCRIPT_EXAMPLE
  const c: RenderContext = { ...ctx, event, maxFrames: 5, codeLinks }

  it('fill in values, sections and tags (dotted tag names too)', () => {
    const body = renderBodyTemplate(
      compiled(
        'body',
        '# {{shortId}} in {{projectSlug}}\n\n{{#release}}Release: {{release}}{{/release}}{{^release}}No release{{/release}}\n' +
          'Env {{environment}}, browser {{tags.browser.name}}, missing "{{tags.nope}}", priority {{priority}}\n' +
          '{{#tags.os}}OS: {{.}}{{/tags.os}}\n[Sentry]({{permalink}})\n'
      ),
      issue,
      c
    )
    expect(body).toBe(
      `${renderMarker({ org: 'acme', issueId: issue.id })}\n\n` +
        '# WEB-FRONTEND-1A2 in web-frontend\n\nRelease: `web-frontend@2.16.4`\n' +
        'Env production, browser Chrome, missing "", priority high\nOS: Windows 10\n' +
        '[Sentry](https://acme.sentry.io/issues/6012345678/)\n'
    )
  })

  it('print the same escaped value with {{x}} and {{{x}}}', () => {
    const hostile = issueWith({ title: '<img src=x> @octocat & #1 **b**' })
    const double = renderBodyTemplate(compiled('body', '{{title}}'), hostile, ctx)
    const triple = renderBodyTemplate(compiled('body', '{{{title}}}'), hostile, ctx)
    expect(triple).toBe(double)
    expect(double.split('\n')[2]).toBe('&lt;img src=x&gt; `@octocat` &amp; `#1` \\*\\*b\\*\\*')
  })

  it('put block values on lines of their own after a blank line, whatever the template says', () => {
    const multi = issueWith({ metadata: { type: 'E', value: 'a\n<img src=x>\n@user\n```\nb' } })
    for (const source of [
      '- {{messageBlock}} trailing',
      '> {{messageBlock}}{{title}}',
      '<details>\n{{messageBlock}}\n</details>',
      '| a | {{messageBlock}} |',
      'text{{stackTrace}}{{eventTags}}more',
      '{{messageBlock}}{{messageBlock}}'
    ]) {
      const body = renderBodyTemplate(compiled('body', source), multi, c)
      // The template's own HTML and table are trusted text: check only what the values did.
      const v = bodyChecks(body, multi.id).filter((x) => !/details|summary|table row/.test(x))
      expect({ source, v }).toEqual({ source, v: [] })
      for (const block of body.matchAll(/^(`{3,})text$/gm)) {
        const start = block.index ?? 0
        expect(body.slice(Math.max(0, start - 2), start)).toBe('\n\n')
      }
    }
  })

  it('keep the marker first and never let values emit <!-- (hostile corpus, every variable)', () => {
    const template = compiled('body', ALL_VARIABLES_BODY)
    for (const { value } of HOSTILE_STRINGS) {
      const hostile = sentryIssueSchema.parse({
        ...JAVASCRIPT_EXAMPLE.rawIssue,
        title: value,
        shortId: value,
        culprit: value,
        level: value,
        status: value,
        substatus: value,
        priority: value,
        platform: value,
        firstSeen: value,
        lastSeen: value,
        permalink: value,
        metadata: { type: value, value, filename: value, function: value },
        project: { id: '1', slug: value, name: value }
      })
      const body = renderBodyTemplate(template, hostile, { ...c, event: hostileEvent(value, 3) })
      expect(bodyChecks(body, hostile.id)).toEqual([])
      const title = renderTitleTemplate(
        compiled(
          'title',
          TEMPLATE_VARIABLES.filter((v) => !v.bodyOnly)
            .map((v) => `{{${v.name}}}`)
            .join(' ')
        ),
        hostile,
        { ...c, event: hostileEvent(value, 1) }
      )
      expect(textHazards(title)).toEqual([])
      expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH)
    }
  })

  it('give permalink only as a safe http(s) URL, with table and math characters encoded', () => {
    const t = compiled('body', '{{permalink}}')
    const line = (permalink: string): string | undefined =>
      renderBodyTemplate(t, issueWith({ permalink }), ctx).split('\n')[2]
    expect(line('https://acme.sentry.io/issues/1/?a=|$[x]*')).toBe(
      'https://acme.sentry.io/issues/1/?a=%7C%24%5Bx%5D%2A'
    )
    for (const bad of [
      'javascript:alert(1)',
      'https://github.com/o/r/issues/1',
      'https://u:p@e.x/',
      '<x>'
    ])
      expect(line(bad)).toBe('')
  })

  it('neutralise adjacency the compile check cannot see (through sections)', () => {
    const adjacent = issueWith({
      shortId: 'octocat',
      project: { id: '1', slug: 'org/repo', name: null }
    })
    const body = renderBodyTemplate(
      compiled(
        'body',
        '@{{#shortId}}{{shortId}}{{/shortId}} {{#projectSlug}}{{projectSlug}}{{/projectSlug}}#1'
      ),
      adjacent,
      ctx
    )
    // The value's word next to the template's `@` or `#` becomes code: nothing invisible.
    expect(body.split('\n')[2]).toBe('@<code>octocat</code> <code>org&#47;repo</code>#1')
  })

  it('defuse template text that would act on a value, with entities (nothing invisible)', () => {
    const line = (source: string, fields: Record<string, unknown>): string | undefined =>
      renderBodyTemplate(compiled('body', source), issueWith(fields), ctx).split('\n')[2]
    // An unfinished entity would take the value's first characters (`&#64;user` is `@user`);
    // and `#64` shown as text would be a reference: the value's word is code.
    expect(line('x &#{{#shortId}}{{shortId}}{{/shortId}} y', { shortId: '64;user' })).toBe(
      'x &amp;#<code>64&#59;user</code> y'
    )
    expect(line('&commat{{#shortId}}{{shortId}}{{/shortId}}', { shortId: ';octocat' })).toBe(
      '&amp;commat;octocat'
    )
    // A lone backslash would escape the value's first character (here its code span's backtick).
    expect(line('\\{{#title}}{{title}}{{/title}}', { title: '@octocat' })).toBe('&#92;`@octocat`')
    // A `<` would open a tag with the value's first word.
    expect(line('<{{#title}}{{title}}{{/title}}', { title: 'img src=x' })).toBe('&lt;img src=x')
    // A comment that sections put together shows as text.
    expect(line('<{{#title}}!--{{/title}} hidden?', { title: 'x' })).toBe('&lt;!-- hidden?')
    // Hex digits on both sides of a join would read as a commit SHA.
    expect(line('deadbe{{#shortId}}{{shortId}}{{/shortId}}', { shortId: 'ef12' })).toBe(
      'deadbe<code>ef12</code>'
    )
    // What needs nothing keeps its plain form.
    expect(line('see {{#shortId}}{{shortId}}{{/shortId}}!', { shortId: 'WEB-1' })).toBe(
      'see WEB-1!'
    )
  })

  it('never let a value join template text into a mention, reference, SHA or link (property)', () => {
    // Template text that is harmless alone, around values through sections (no compile check
    // can see those joins); the values are hostile.
    const before = fc.constantFrom(
      '@',
      '#',
      'GH-',
      'gh',
      'www',
      'http:',
      'abc',
      'ab12',
      'a',
      '',
      ' '
    )
    const after = fc.constantFrom('@', '#', '-1', '.com', '//x', 'def', '12', '', ' ', ',')
    const value = fc.oneof(
      fc.constantFrom(
        'octocat',
        'org/repo',
        '1',
        '-1',
        '.evil.com',
        '//evil.com',
        'deadbeef',
        'e1',
        'example.com',
        '64;user',
        'me',
        '`'
      ),
      fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 8 })
    )
    fc.assert(
      fc.property(before, value, after, value, (left, shortId, right, slug) => {
        const source =
          `${left}{{#shortId}}{{shortId}}{{/shortId}}${right}` +
          `{{#projectSlug}}{{projectSlug}}{{/projectSlug}}${left}`
        const template = compiled('body', source)
        const render = (id: string, projectSlug: string): string[] => {
          const issue = issueWith({
            shortId: id,
            project: { id: '1', slug: projectSlug, name: null }
          })
          return bodyChecks(renderBodyTemplate(template, issue, ctx), issue.id)
        }
        // Only templates whose own text is harmless, whichever sections are empty.
        fc.pre(['', 'x'].every((a) => ['', 'x'].every((b) => render(a, b).length === 0)))
        expect(render(shortId, slug)).toEqual([])
      }),
      { numRuns: 1000 }
    )
  })

  it('keep bodies within the size limit: frames first, then the message, then a cut', () => {
    const huge = issueWith({ metadata: { type: 'E', value: 'x\n'.repeat(40_000) } })
    const heavy = makeEvent({
      frames: Array.from({ length: 60 }, (_, i) => ({
        filename: `src/${'d/'.repeat(100)}f${i}.ts`,
        function: `fn${i}`,
        lineNo: 3,
        inApp: true,
        context: [[3, '<@>'.repeat(90)] as [number, string]]
      }))
    })
    const twice = compiled('body', '{{messageBlock}}\n\n{{stackTrace}}\n\n{{messageBlock}}\n')
    const body = renderBodyTemplate(twice, huge, { ...c, event: heavy, maxFrames: 60 })
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(body).toContain("is left out to keep the issue within GitHub's size limit")
    expect(bodyChecks(body, huge.id)).toEqual([])

    const repeated = compiled('body', `${'{{tags.url}} {{title}} '.repeat(800)}`)
    const long = issueWith({ title: '<'.repeat(512) })
    const cut = renderBodyTemplate(repeated, long, {
      ...c,
      event: makeEvent({ tags: { url: '<'.repeat(200) } })
    })
    expect(cut.length).toBeLessThanOrEqual(MAX_BODY_LENGTH)
    expect(cut.endsWith("_This description was cut to fit GitHub's size limit._\n")).toBe(true)
    expect(parseMarker(cut)?.issueId).toBe(long.id)
  })

  it('titles: one line, at most 256 characters, the default title when empty', () => {
    const issue2 = issueWith({ title: 'a'.repeat(300) })
    const title = renderTitleTemplate(compiled('title', '[{{level}}]\n{{title}}\n'), issue2, ctx)
    expect(title.startsWith('[error] aaa')).toBe(true)
    expect(title.length).toBe(MAX_TITLE_LENGTH)
    expect(title.endsWith('…')).toBe(true)
    expect(renderTitleTemplate(compiled('title', '{{release}}'), issue2, ctx)).toBe(
      renderTitle(issue2)
    )
    expect(
      renderTitleTemplate(compiled('title', '{{exception}} ({{environment}})'), issue, c)
    ).toBe("TypeError: Cannot read properties of undefined (reading 'name') (production)")
  })
})

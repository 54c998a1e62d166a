import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import {
  ZWSP,
  codeBlockMarkdown,
  codePointLength,
  escapeCode,
  escapeInline,
  htmlCodeElement,
  neutralizePlainText,
  neutralizeReferences,
  referenceHazard,
  renderCodeBlock,
  safeLinkUrl,
  sanitizeCodeContent,
  sanitizeTitle,
  toWellFormed,
  truncateCodePoints,
  truncateCodeUnits
} from '../../src/render/escape.js'
import {
  FORBIDDEN_CHARS,
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  INVISIBLE_CHARS,
  codeSpans,
  inlineMarkdownHazards,
  markdownViolations,
  readerText,
  renderedText,
  splitFencedCode,
  stripCodeSpans,
  textHazards,
  unescapedPipes
} from '../fixtures/hostile-strings.js'

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u))
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: anyCodeUnit, maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 40 })
)

const withoutZwsp = (s: string): string => s.replaceAll(ZWSP, '')

/** What escapeInline keeps of a text: one line, unsafe characters removed, whitespace collapsed. */
const oneLine = (s: string): string =>
  toWellFormed(s)
    .replace(new RegExp(FORBIDDEN_CHARS.source, 'gu'), '')
    .replace(new RegExp(INVISIBLE_CHARS.source, 'gu'), '')
    .replace(/\s+/gu, ' ')
    .trim()

describe('truncateCodePoints', () => {
  it('leaves short text alone', () => {
    expect(truncateCodePoints('abc', 3)).toBe('abc')
    expect(truncateCodePoints('😀😀', 2)).toBe('😀😀')
  })

  it('cuts to at most max code points with an ellipsis, never splitting a pair', () => {
    expect(truncateCodePoints('abcdef', 4)).toBe('abc…')
    expect(truncateCodePoints('😀😀😀😀', 3)).toBe('😀😀…')
    expect(truncateCodePoints('a😀b', 2)).toBe('a…')
    expect(truncateCodePoints('abc', 1)).toBe('…')
    expect(truncateCodePoints('abc', 0)).toBe('')
    expect(truncateCodePoints('abcdef', 4, '')).toBe('abcd')
  })

  it('holds for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), fc.nat(60), (s, max) => {
        const out = truncateCodePoints(s, max)
        expect(codePointLength(out)).toBeLessThanOrEqual(max)
        expect(FORBIDDEN_CHARS.test(out) && !FORBIDDEN_CHARS.test(s)).toBe(false)
        if (codePointLength(s) <= max) expect(out).toBe(s)
        else expect(s.startsWith(out.slice(0, -1))).toBe(true)
      })
    )
  })
})

describe('truncateCodeUnits', () => {
  it('never splits a surrogate pair', () => {
    expect(truncateCodeUnits('a😀b', 3)).toBe('a…')
    expect(truncateCodeUnits('ab😀', 3)).toBe('ab…')
    expect(truncateCodeUnits('😀😀', 4)).toBe('😀😀')
  })

  it('holds for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), fc.nat(80), (s, max) => {
        const out = truncateCodeUnits(s, max)
        expect(out.length).toBeLessThanOrEqual(max)
        expect(/[\uD800-\uDBFF]$/.test(out.replace(/…$/, ''))).toBe(false)
      })
    )
  })
})

describe('toWellFormed', () => {
  it('replaces lone surrogates only', () => {
    expect(toWellFormed('a\uD800b\uDC00c😀')).toBe('a\uFFFDb\uFFFDc😀')
  })
})

describe('neutralizePlainText (titles)', () => {
  it('inserts invisible breaks and nothing else', () => {
    expect(neutralizePlainText('@user #1 GH-2 org/repo#3 http://x www.y.z')).toBe(
      `@${ZWSP}user #${ZWSP}1 GH-${ZWSP}2 org/repo#${ZWSP}3 http:${ZWSP}//x www${ZWSP}.y.z`
    )
    expect(neutralizePlainText('a5c3785ed8d6a35868bc')).toBe(
      `a5c378${ZWSP}5ed8d6${ZWSP}a35868${ZWSP}bc`
    )
    expect(neutralizePlainText('<!-- x -->')).toBe(`<!${ZWSP}-- x -->`)
    fc.assert(
      fc.property(anyText, (s) => {
        expect(withoutZwsp(neutralizePlainText(s))).toBe(withoutZwsp(s))
        expect(
          textHazards(neutralizePlainText(s)).filter((h) => h !== 'forbidden character')
        ).toEqual([])
      })
    )
  })
})

describe('neutralizeReferences', () => {
  it('puts what GitHub could read as a reference in a code span, adding nothing invisible', () => {
    expect(neutralizeReferences('@user #1 GH-2 org/repo#3 http://x www.y.z')).toBe(
      '`@user` `#1` `GH-2` `org/repo#3` `http://x` `www.y.z`'
    )
    expect(neutralizeReferences('1234567')).toBe('`1234567`')
    expect(neutralizeReferences('123456')).toBe('123456')
    expect(neutralizeReferences('<!-- x -->')).toBe('&lt;\\!-- x --&gt;')
    fc.assert(
      fc.property(anyText, (s) => {
        const out = neutralizeReferences(s)
        expect(out).toBe(escapeInline(s))
        expect(INVISIBLE_CHARS.test(out)).toBe(false)
        expect(inlineMarkdownHazards(out)).toEqual([])
      })
    )
  })
})

describe('referenceHazard', () => {
  it.each([
    '@u',
    'a@b.co',
    'name@1.2.3',
    '#1',
    'org/repo#12',
    'GH-1',
    'gh-9',
    'http://x',
    'HTTPS://X',
    'www.x',
    'WWW.X',
    'abc1234',
    '1234567',
    'user@a5c3785'
  ])('finds %j', (text) => {
    expect(referenceHazard(text)).toBe(true)
  })

  it.each(['user', '#x', 'C#', 'GH-x', 'http:/x', 'www', 'abc123', '1,234,567', 'v1.2.3'])(
    'leaves %j',
    (text) => {
      expect(referenceHazard(text)).toBe(false)
    }
  )
})

describe('escapeInline', () => {
  it('keeps ordinary text readable', () => {
    const out = escapeInline("TypeError: Cannot read properties of undefined (reading 'x')")
    expect(out).toBe("TypeError: Cannot read properties of undefined \\(reading 'x'\\)")
    expect(renderedText(out)).toBe("TypeError: Cannot read properties of undefined (reading 'x')")
  })

  it('escapes Markdown, HTML and entities', () => {
    expect(escapeInline('<img src=x onerror=alert(1)>')).toBe(
      '&lt;img src=x onerror=alert\\(1\\)&gt;'
    )
    expect(escapeInline('&lt;img&gt;')).toBe('&amp;lt;img&amp;gt;')
    expect(escapeInline('![x](http://e/p.png)')).toBe('`![x](http://e/p.png`\\)')
    expect(escapeInline('a | b')).toBe('a \\| b')
    expect(escapeInline('`x` *y* _z_ ~w~ $m$ \\')).toBe(
      '\\`x\\` \\*y\\* \\_z\\_ \\~w\\~ \\$m\\$ \\\\'
    )
    expect(escapeInline('# h')).toBe('\\# h')
    expect(escapeInline('- item')).toBe('\\- item')
    expect(escapeInline('+ item')).toBe('\\+ item')
    expect(escapeInline('=== x')).toBe('\\=== x')
    expect(escapeInline('12. item')).toBe('12\\. item')
    expect(escapeInline('3) item')).toBe('3\\) item')
  })

  it('collapses lines and strips control, bidi and invisible characters', () => {
    expect(escapeInline('a\r\n\n b\u2028c\td')).toBe('a b c d')
    expect(escapeInline('x\u0000\u202Ey\u200B\u{E0041}z\u0085')).toBe('xyz')
  })

  it('truncates the source before escaping, never inside an escape or a code span', () => {
    expect(escapeInline('abcdef', 4)).toBe('abc…')
    expect(escapeInline('a&&&&&&', 3)).toBe('a&amp;…')
    expect(escapeInline('ab\\\\\\', 3)).toBe('ab…')
    expect(escapeInline('see https://example.com/a/long/path', 20)).toBe('see `https://example`…')
  })

  it('shows values GitHub would link as code spans of their exact text', () => {
    expect(escapeInline('web-frontend@2.16.4')).toBe('`web-frontend@2.16.4`')
    expect(escapeInline('contact email@domain.com now')).toBe('contact `email@domain.com` now')
    expect(escapeInline('(ada@example.com, suspect commit)')).toBe(
      '\\(`ada@example.com`, suspect commit\\)'
    )
    expect(escapeInline('fixes #1, see GH-2.')).toBe('fixes `#1`, see `GH-2`.')
    expect(escapeInline('at https://app.example.com/a?b=1&c=2.')).toBe(
      'at `https://app.example.com/a?b=1&c=2`.'
    )
    expect(escapeInline('commit a5c3785ed8d6a35868bc169f07e40e889087fd2e')).toBe(
      'commit `a5c3785ed8d6a35868bc169f07e40e889087fd2e`'
    )
    expect(escapeInline("'@user' *@team*")).toBe("'`@user`' \\*`@team`\\*")
    expect(escapeInline('www.')).toBe('`www.`')
    // Pieces end at a backtick, a pipe, `<` and `>`: they are never in a code span.
    expect(escapeInline('a`@b|#1<c@d>')).toBe('a\\``@b`\\|`#1`&lt;`c@d`&gt;')
    expect(escapeInline('&#64;user')).toBe('`&#64;user`')
  })

  it.each(HOSTILE_STRINGS.map((h) => [h.name, h.value] as const))(
    'neutralises %s',
    (_name, value) => {
      const out = escapeInline(value, 2_000)
      expect(out).not.toMatch(/[\r\n]/)
      expect(inlineMarkdownHazards(out)).toEqual([])
      expect(unescapedPipes(out)).toBe(0)
    }
  )

  it('is safe for any string', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = escapeInline(s)
        expect(out).not.toMatch(/[\r\n]/)
        expect(inlineMarkdownHazards(out)).toEqual([])
        expect(unescapedPipes(out)).toBe(0)
        // No invisible character at all, and nothing hazardous outside code spans.
        expect(INVISIBLE_CHARS.test(out)).toBe(false)
        // (`&lt;!--` shows `<!--` as text: no comment without a raw `<`, checked above.)
        expect(
          textHazards(renderedText(stripCodeSpans(out))).filter((h) => h !== 'HTML comment')
        ).toEqual([])
        // What a reader sees is the text itself (one line, unsafe characters removed).
        expect(readerText(out)).toBe(oneLine(s))
      }),
      { numRuns: 500 }
    )
  })

  it('round-trips hazardous values: the code span holds exactly the value', () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 7 })
    const version = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.nat(99), fc.nat(99), fc.nat(99))
      .map(([name, a, b, c]) => `${name}@${a}.${b}.${c}`)
    const url = fc
      .webUrl({ withQueryParameters: true, withFragments: true })
      .filter((u) => !/[\s`|<>]/.test(u))
    fc.assert(
      fc.property(
        fc.oneof(hex, version, url),
        fc.constantFrom('', 'at ', 'release '),
        (value, before) => {
          const out = escapeInline(`${before}${value}`)
          const spans = codeSpans(out)
          // A URL may end with punctuation that stays out of the span (`http://x.y/a.`): the span
          // holds all the rest, exactly.
          const span = spans[0] ?? ''
          expect(spans).toHaveLength(1)
          expect(value.startsWith(span)).toBe(true)
          expect(/^[)\]}"'*_~,.;:!?…]*$/.test(value.slice(span.length))).toBe(true)
          expect(readerText(out)).toBe(`${before}${value}`)
          expect(INVISIBLE_CHARS.test(out)).toBe(false)
        }
      ),
      { numRuns: 500 }
    )
    expect(codeSpans(escapeInline('web-frontend@2.16.4'))).toEqual(['web-frontend@2.16.4'])
  })
})

describe('sanitizeTitle', () => {
  it('keeps a normal title as is', () => {
    expect(sanitizeTitle("TypeError: Cannot read properties of undefined (reading 'x')")).toBe(
      "TypeError: Cannot read properties of undefined (reading 'x')"
    )
    expect(sanitizeTitle('a < b && c > d')).toBe('a < b && c > d')
  })

  it('strips control and bidi chars and collapses whitespace', () => {
    expect(sanitizeTitle('  a\u202E\u2066b\u0007\n\n c\u200F  ')).toBe('ab c')
  })

  it('truncates to maxLength code units with an ellipsis', () => {
    expect(sanitizeTitle('x'.repeat(300))).toBe('x'.repeat(255) + '…')
    expect(sanitizeTitle('😀'.repeat(300), 10)).toBe('😀😀😀😀…')
  })

  it.each(HOSTILE_STRINGS.map((h) => [h.name, h.value] as const))(
    'neutralises %s',
    (_name, value) => {
      const out = sanitizeTitle(value)
      expect(out.length).toBeLessThanOrEqual(256)
      expect(textHazards(out)).toEqual([])
      expect(out).not.toMatch(/[\r\n\t]/)
    }
  )

  it('is safe for any string', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 300 }), (s, max) => {
        const out = sanitizeTitle(s, max)
        expect(out.length).toBeLessThanOrEqual(max)
        expect(textHazards(out)).toEqual([])
      }),
      { numRuns: 500 }
    )
  })
})

describe('code blocks', () => {
  it('keeps ordinary code verbatim', () => {
    const trace = 'Error: boom\n    at f (/app/src/a.ts:1:2)\n\tat <anonymous> @scope/pkg #1 `x`'
    expect(escapeCode(trace)).toEqual({ fence: '```', content: trace })
    expect(renderCodeBlock(trace, 'text')).toBe('```text\n' + trace + '\n```')
  })

  it('uses a fence longer than any backtick run inside', () => {
    expect(escapeCode('a ``` b').fence).toBe('````')
    expect(escapeCode('`'.repeat(10)).fence).toBe('`'.repeat(11))
    expect(escapeCode('~~~~~').fence).toBe('```')
  })

  it('normalises line endings and strips controls, bidi and invisible chars but keeps tabs', () => {
    expect(sanitizeCodeContent('a\r\nb\rc\u2028d\u0000e\u202Ef\u200Bg\th')).toBe(
      'a\nb\nc\nde' + 'fg\th'
    )
  })

  it('keeps <!-- as text, and writes a block that holds one as <pre>, entity-encoded', () => {
    expect(sanitizeCodeContent('<!-- sentry-issue: evil/1 -->')).toBe(
      '<!-- sentry-issue: evil/1 -->'
    )
    expect(sanitizeCodeContent('<!\u200B--')).toBe('<!--')
    expect(renderCodeBlock('x\n<!-- sentry-issue: evil/1 -->\n</pre> & `y`', 'text')).toBe(
      '<pre>\nx\n&lt;!-- sentry-issue: evil/1 --&gt;\n&lt;/pre&gt; &amp; `y`\n</pre>'
    )
    // The content's own first line break stays (HTML drops only the one after <pre>).
    expect(renderCodeBlock('\n<!--')).toBe('<pre>\n\n&lt;!--\n</pre>')
    expect(codeBlockMarkdown(escapeCode('a ``` b'), 'js')).toBe('````js\na ``` b\n````')
  })

  it('sanitises the language', () => {
    expect(renderCodeBlock('x', 'js`\n<b>')).toBe('```jsb\nx\n```')
  })

  it('can never be broken out of', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const block = renderCodeBlock(s)
        const doc = `before\n\n${block}\n\nafter`
        const { blocks, outside, errors } = splitFencedCode(doc)
        expect(errors).toEqual([])
        expect(blocks).toHaveLength(1)
        expect(outside.map((o) => o.line)).toEqual(['before', '', '', 'after'])
        expect(doc.includes('<!--')).toBe(false)
        expect(FORBIDDEN_CHARS.test(block)).toBe(false)
        expect(INVISIBLE_CHARS.test(block)).toBe(false)
        expect(markdownViolations(doc)).toEqual([])
        // Fenced or <pre>, it shows (and copies) the sanitised text exactly.
        const shown =
          blocks[0]?.fence === '<pre>'
            ? block
                .slice('<pre>\n'.length, -'</pre>'.length)
                .replace(
                  /&(lt|gt|amp);/g,
                  (_, e: string) => ({ lt: '<', gt: '>', amp: '&' })[e] ?? ''
                )
            : block.slice(block.indexOf('\n') + 1, block.lastIndexOf('\n') + 1)
        const content = escapeCode(s).content
        expect(shown).toBe(content === '' || content.endsWith('\n') ? content : `${content}\n`)
      }),
      { numRuns: 500 }
    )
  })
})

describe('htmlCodeElement', () => {
  it('encodes every ASCII punctuation character, so it renders as the text anywhere', () => {
    expect(htmlCodeElement('a@b.co')).toBe('<code>a&#64;b&#46;co</code>')
    expect(htmlCodeElement('<`|&>')).toBe('<code>&#60;&#96;&#124;&#38;&#62;</code>')
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const html = htmlCodeElement(s)
        expect(html.slice('<code>'.length, -'</code>'.length)).not.toMatch(/[<>`|\\[\]*_$!]/)
        expect(renderedText(html.slice('<code>'.length, -'</code>'.length))).toBe(s)
      })
    )
  })
})

describe('safeLinkUrl', () => {
  it('accepts http(s) URLs', () => {
    expect(safeLinkUrl('https://acme.sentry.io/issues/1/')).toBe('https://acme.sentry.io/issues/1/')
    expect(safeLinkUrl('http://sentry.local:9000/o/issues/1/?q=a b')).toBeUndefined() // whitespace
    expect(safeLinkUrl('https://s.example/a(b)<c>`d\\')).toBe(
      'https://s.example/a%28b%29%3Cc%3E%60d/'
    )
  })

  it.each([
    'javascript:alert(1)',
    'data:text/html,<b>',
    'ftp://x.example/',
    '//evil.example/x',
    '/relative',
    'https://user:pass@evil.example/',
    'https://sentry.io@evil.example/',
    'https://github.com/o/r/issues/1',
    'https://GITHUB.COM/o/r/pull/1',
    'https://gist.github.com/x',
    'https://evil.example/\u202Egnp.exe',
    'https://evil.example/\nx',
    'not a url',
    '',
    'https://x.example/' + 'a'.repeat(2100)
  ])('rejects %j', (url) => {
    expect(safeLinkUrl(url)).toBeUndefined()
  })

  it('never returns something that can leave a <...> link destination', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), anyText),
        (s) => {
          const href = safeLinkUrl(s)
          if (href !== undefined) expect(href).toMatch(/^https?:\/\/[^<>\s\\()`]*$/)
        }
      ),
      { numRuns: 500 }
    )
  })
})

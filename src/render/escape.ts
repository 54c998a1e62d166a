/**
 * Escaping for text that comes from Sentry (and therefore, ultimately, from the failing program:
 * titles, messages, culprits, file names, project names are all attacker-controllable).
 *
 * Whatever such text holds, what we render into a GitHub issue must not ping anyone, create a
 * cross-reference, render HTML/images/links, break out of a code span or fence, forge the
 * `<!-- sentry-issue: ... -->` marker (or any `<!--` at all), smuggle control or bidi characters,
 * or break the surrounding Markdown structure.
 *
 * Strategy (why each step is enough):
 *
 * - GitHub finds mentions, issue references and commit SHAs in the *rendered text* (after Markdown,
 *   skipping `<code>`, `<pre>` and `<a>`): html-pipeline's MentionFilter wants `@` immediately
 *   followed by `[a-z0-9]`; references want `#`/`GH-` immediately followed by digits; SHAs want a
 *   word of 7-40 hex digits. Backslash escapes and entities do NOT help there (`\@user` and
 *   `&#64;user` both render as the text `@user`). So we insert U+200B ZERO WIDTH SPACE right after
 *   every `@` and `#`, after `GH-` before a digit, and every 6 characters inside runs of 7+ hex
 *   digits. ZWSP is not a login/digit/hex/word character, so every pattern fails, and it is
 *   invisible, so the text stays readable. (Dependabot does the same: `@` -> `@\u200B`.) Breaking
 *   every `@` also kills GFM e-mail autolinks (`a@b.co`, `mailto:`/`xmpp:`) and `user@sha`.
 * - GFM extended autolinks need a literal `://` after the scheme or a literal `www.`; full GitHub
 *   issue/commit URLs need the scheme too. We insert ZWSP inside `://` and between `www` and `.`.
 * - Markdown: we backslash-escape the ASCII punctuation that opens inline constructs
 *   (`` \ ` * _ ~ [ ] ( ) # | $ ! ``; `$` is GitHub math, `|` splits table cells, `[`/`]`/`(`/`)`
 *   kill links, images and reference definitions), plus block markers at the start (`-`, `+`, `=`,
 *   `1.`/`1)`). CommonMark lets any ASCII punctuation be backslash-escaped, so over-escaping is
 *   harmless in the rendered output.
 * - HTML: `<`, `>` and `&` become `&lt;`, `&gt;`, `&amp;`. Without `<` there can be no tag, no
 *   comment (`<!--`), no `<http://..>` autolink; encoding `&` stops `&lt;img&gt;` or `&#64;user`
 *   from being decoded by the browser into a tag or an `@`.
 * - Inline text is one line: all whitespace (including `\r`, `\n`, U+2028/9) collapses to a space,
 *   so no new block (heading, list, quote, table row, setext underline, fence) can start.
 * - Code blocks render their content literally, so content is kept as is except: control chars
 *   (other than `\n`, `\t`) and invisible/bidi chars are removed, line endings are normalised (a
 *   lone `\r` is a CommonMark line ending), `<!--` gets a ZWSP so the body never contains a second
 *   `<!--`, and the fence is one backtick longer than the longest backtick run inside.
 * - Titles are plain text on GitHub (entities/backslashes would show literally), so only the
 *   invisible neutralisation (ZWSP) applies there, plus control/bidi removal and truncation.
 */

/** U+200B ZERO WIDTH SPACE: invisible, not whitespace for CommonMark, not a word character. */
export const ZWSP = '\u200B'

const ELLIPSIS = '…'

/** Bidi embedding/override/isolate marks and the LRM/RLM/ALM marks. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu
/**
 * Invisible characters that can hide or smuggle text: zero width space, word joiner and invisible
 * operators, BOM, Mongolian vowel separator, soft hyphen, interlinear annotations, and Unicode tag
 * characters (U+E0000-U+E007F, "ASCII smuggling"). ZWJ/ZWNJ stay: scripts and emoji need them.
 */
const INVISIBLE = /[\u00AD\u180E\u200B\u2060-\u2064\uFEFF\uFFF9-\uFFFB\u{E0000}-\u{E007F}]/gu
/** C0 controls except tab/LF/CR, DEL, and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Replaces lone UTF-16 surrogates with U+FFFD so the text is valid Unicode (and valid JSON). */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD')
}

/** Removes control characters, bidi controls and invisible characters (keeps \t \n \r). */
function stripUnsafeChars(text: string): string {
  return toWellFormed(text).replace(CONTROL, '').replace(BIDI, '').replace(INVISIBLE, '')
}

/** One line: unsafe characters removed, every whitespace run (any line ending too) one space. */
function toSingleLine(text: string): string {
  return stripUnsafeChars(text).replace(/\s+/gu, ' ').trim()
}

/** Number of Unicode code points in `text`. */
export function codePointLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * Keeps at most `max` code points; when something is cut, the last kept code point is replaced by
 * `ellipsis` (so the result is at most `max` code points, assuming a one-code-point ellipsis).
 * Never splits a surrogate pair.
 */
export function truncateCodePoints(text: string, max: number, ellipsis: string = ELLIPSIS): string {
  if (max <= 0) return ''
  if (text.length <= max) return text // code points <= code units
  if (codePointLength(text) <= max) return text
  const suffix = codePointLength(ellipsis) <= max ? ellipsis : ''
  const keep = max - codePointLength(suffix)
  let end = 0
  let count = 0
  for (const ch of text) {
    if (count === keep) break
    end += ch.length
    count++
  }
  return text.slice(0, end) + suffix
}

/**
 * Keeps at most `maxUnits` UTF-16 code units (what `String.length` counts), ending with `ellipsis`
 * when something is cut. Never splits a surrogate pair.
 */
export function truncateCodeUnits(
  text: string,
  maxUnits: number,
  ellipsis: string = ELLIPSIS
): string {
  if (text.length <= maxUnits) return text
  if (maxUnits <= 0) return ''
  const suffix = ellipsis.length <= maxUnits ? ellipsis : ''
  let end = maxUnits - suffix.length
  const last = text.charCodeAt(end - 1)
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end-- // do not keep half a pair
  return text.slice(0, end) + suffix
}

/**
 * Inserts ZWSP so that GitHub cannot find mentions, references, commit SHAs, autolinks or HTML
 * comments in the text. Input is plain text; the result is still plain text (only ZWSP added).
 */
export function neutralizeReferences(text: string): string {
  return (
    text
      // @user, @org/team, email autolinks, user@sha, owner/repo@sha
      .replaceAll('@', `@${ZWSP}`)
      // #123, owner/repo#123
      .replaceAll('#', `#${ZWSP}`)
      // GH-123
      .replace(/(gh-)(?=[0-9])/giu, `$1${ZWSP}`)
      // http://, https://, ftp://, full github.com URLs
      .replaceAll('://', `:${ZWSP}//`)
      // www. autolinks
      .replace(/(www)\./giu, `$1${ZWSP}.`)
      // HTML comments / block delimiters (only matters where `<` stays raw, e.g. titles, code)
      .replaceAll('<!--', `<!${ZWSP}--`)
      // commit SHAs: no run of 7+ hex digits survives
      .replace(/[0-9a-f]{7,}/giu, (run) => run.replace(/[0-9a-f]{6}(?=[0-9a-f])/giu, `$&${ZWSP}`))
  )
}

const BACKSLASH_ESCAPED = new Set([
  '\\',
  '`',
  '*',
  '_',
  '~',
  '[',
  ']',
  '(',
  ')',
  '#',
  '|',
  '$',
  '!'
])
const HTML_ENCODED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

function escapeMarkdownChars(text: string): string {
  let out = ''
  for (const ch of text) {
    const entity = HTML_ENCODED[ch]
    if (entity !== undefined) out += entity
    else if (BACKSLASH_ESCAPED.has(ch)) out += `\\${ch}`
    else out += ch
  }
  // Block markers that only matter at the start of a line (the text may be placed at one).
  return out.replace(/^([-+=])/u, '\\$1').replace(/^([0-9]{1,9})([.)])/u, '$1\\$2')
}

/**
 * Escapes text for a one-line Markdown context (a table cell, a list item, a heading). Newlines
 * collapse to spaces. `maxLength` (code points of the source text, after whitespace collapsing)
 * truncates with `…` before escaping, so an escape sequence or entity is never cut in half.
 */
export function escapeInline(text: string, maxLength?: number): string {
  let line = toSingleLine(text)
  if (maxLength !== undefined) line = truncateCodePoints(line, maxLength)
  return escapeMarkdownChars(neutralizeReferences(line))
}

/**
 * Plain-text title for GitHub (titles do not render Markdown or HTML, so nothing is
 * backslash-escaped or entity-encoded): control, bidi and invisible characters removed, whitespace
 * collapsed, mentions/references/URLs neutralised with ZWSP, then truncated to `maxLength` UTF-16
 * code units (never splitting a surrogate pair) with `…`.
 */
export function sanitizeTitle(text: string, maxLength = 256): string {
  return truncateCodeUnits(neutralizeReferences(toSingleLine(text)), maxLength)
}

/**
 * Text for a fenced code block: line endings normalised to `\n` (a lone `\r` is a CommonMark line
 * ending too; U+2028/U+2029 become `\n` for readability), control chars other than `\n`/`\t`,
 * bidi and invisible characters removed, and `<!--` broken with a ZWSP so that the body holds no
 * `<!--` besides its marker. Nothing else changes: code blocks render literally.
 */
export function sanitizeCodeContent(text: string): string {
  return stripUnsafeChars(text.replace(/\r\n?|[\u2028\u2029]/gu, '\n')).replaceAll(
    '<!--',
    `<!${ZWSP}--`
  )
}

/** The longest run of `ch` in `text`. */
function longestRun(text: string, ch: string): number {
  let longest = 0
  let current = 0
  for (const c of text) {
    current = c === ch ? current + 1 : 0
    if (current > longest) longest = current
  }
  return longest
}

/**
 * Sanitises `text` for a fenced code block and picks a backtick fence longer than any backtick
 * run inside it (at least three), so no line of the content can close the block.
 */
export function escapeCode(text: string): { fence: string; content: string } {
  const content = sanitizeCodeContent(text)
  return { fence: '`'.repeat(Math.max(3, longestRun(content, '`') + 1)), content }
}

/**
 * A complete fenced code block (no trailing newline). `lang` is reduced to `[A-Za-z0-9_+.-]`
 * (an info string after a backtick fence must not contain backticks).
 */
export function renderCodeBlock(text: string, lang = ''): string {
  const { fence, content } = escapeCode(text)
  const info = lang.replace(/[^A-Za-z0-9_+.-]/gu, '').slice(0, 32)
  const body = content === '' || content.endsWith('\n') ? content : `${content}\n`
  return `${fence}${info}\n${body}${fence}`
}

const GITHUB_HOST = /(^|\.)github\.com$/iu

/** `raw` parsed as an http or https URL; undefined for anything else. */
export function parseHttpUrl(raw: string): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
}

/**
 * Returns a URL that is safe to use as a Markdown link destination, or undefined. Only absolute
 * http(s) URLs without credentials (no `https://sentry.io@evil.example`), without whitespace or
 * control characters, at most 2048 characters, and not pointing at GitHub (a link to a GitHub
 * issue/commit would create a cross-reference). The result is WHATWG-normalised (spaces, quotes,
 * `<`, `>` percent-encoded) with `<`, `>`, `\`, `(`, `)` and backtick also percent-encoded, so it
 * can be written as `[text](<url>)`.
 */
export function safeLinkUrl(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (raw.length > 2048 || /[\s\u0000-\u001F\u007F-\u009F]/u.test(raw)) return undefined
  if (raw !== stripUnsafeChars(raw)) return undefined
  const url = parseHttpUrl(raw)
  if (!url) return undefined
  if (url.username !== '' || url.password !== '') return undefined
  if (GITHUB_HOST.test(url.hostname)) return undefined
  const href = url.href.replace(
    /[<>\\()`]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
  return href.length <= 2048 ? href : undefined
}

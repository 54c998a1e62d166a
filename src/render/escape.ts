/**
 * Escaping for text that comes from Sentry (and therefore, ultimately, from the failing program:
 * titles, messages, culprits, file names, release versions, URLs, project names are all
 * attacker-controllable).
 *
 * Whatever such text holds, what we render into a GitHub issue body must not ping anyone, create a
 * cross-reference, create an autolink, render HTML/images/links, break out of a code span or fence,
 * forge the `<!-- sentry-issue: ... -->` marker (or any line starting with `<!--`), smuggle control
 * or bidi characters, or break the surrounding Markdown structure. And it must not carry hidden
 * characters either: a release version, commit SHA or URL that a reader copies from an issue must
 * paste as what Sentry sent. So bodies hold no zero-width or other invisible character at all
 * (outside the action's own hidden comment lines).
 *
 * Strategy (why each step is enough):
 *
 * - GitHub finds mentions, issue references, commit SHAs and autolinks in the *rendered text*,
 *   skipping code spans, `<code>`, `<pre>` and `<a>`: `@` followed by a login character, `#` or
 *   `GH-` followed by digits, a word of 7-40 hex digits, `scheme://`, `www.`, an e-mail address,
 *   `owner/repo#1`, `user@sha`. Backslash escapes and entities do NOT help outside code (`\@user`
 *   and `&#64;user` both render as the text `@user`). So inline text is cut into pieces at
 *   whitespace and at the characters that cannot sit raw in a code span in our contexts: a
 *   backtick would end it, `|` would end a table cell, and `<` and `>` are always written as
 *   entities, so that escaped text holds no HTML at all, wherever it lands. (`&` may stay: a code
 *   span shows an entity as typed, `&#64;` included.) Every piece that holds `@`, `#` or `GH-`
 *   before a digit, `://`, `www.` or a run of 7+ hex digits (`referenceHazard`) is shown as a code
 *   span of its raw text: GitHub finds nothing in it, it reads as a value, and what a reader copies
 *   is exactly the value (`web-frontend@2.16.4`, a SHA, a URL with its query). Brackets, quotes
 *   and trailing punctuation around such a piece stay outside the span: in `(a@b.co),` only
 *   `a@b.co` is code. Every hazard needs its characters side by side, so none can span two
 *   pieces: whitespace, a table pipe, `&lt;` and `&gt;` all end a mention, reference, SHA and
 *   autolink. The test is stricter than GitHub on purpose (any `@`, any run of 7 hex digits, even
 *   inside a word such as `feedback`): a needless code span costs a little reading, a missed one a
 *   ping. Code spans need plain Markdown around them (in raw HTML they show literally): the default
 *   body places text only there, and body templates may not put a value elsewhere (template.ts).
 *   Why not other visible-free means: a backslash or an entity does not stop the filters (above);
 *   a link around the text would make it a link; a `<code>` element needs its text entity-encoded
 *   (Markdown still parses the text between HTML tags, autolinks included), so it is kept for the
 *   places where a backtick span could merge with a neighbour (`htmlCodeElement`: template.ts,
 *   the set-up check's table).
 * - Every other piece is escaped as Markdown: the ASCII punctuation that opens inline constructs
 *   is backslash-escaped (`` \ ` * _ ~ [ ] ( ) # | $ ! ``; `$` is GitHub math, `|` splits table
 *   cells, `[`/`]`/`(`/`)` kill links, images and reference definitions), plus block markers at the
 *   start (`-`, `+`, `=`, `1.`/`1)`). CommonMark lets any ASCII punctuation be backslash-escaped,
 *   so over-escaping is harmless in the rendered output.
 * - HTML: outside code spans, `<`, `>` and `&` become `&lt;`, `&gt;`, `&amp;`. Without `<` there
 *   can be no tag, no comment (`<!--`), no `<http://..>` autolink; encoding `&` stops `&lt;img&gt;`
 *   or `&#64;user` from being decoded into a tag or an `@`. (Inside a code span entities are not
 *   decoded, so `&` stays as typed there, and `<`, `>` never get in.)
 * - Inline text is one line: all whitespace (including `\r`, `\n`, U+2028/9) collapses to a space,
 *   so no new block (heading, list, quote, table row, setext underline, fence) can start.
 * - Code blocks render their content literally, so content is kept as is except: control chars
 *   (other than `\n`, `\t`) and invisible/bidi chars are removed, line endings are normalised (a
 *   lone `\r` is a CommonMark line ending), and the fence is one backtick longer than the longest
 *   backtick run inside. Inside a block, `<!--` is text; but a line that *starts* with it is what
 *   the action's own parsers read (the marker and the stats block are whole lines starting with
 *   `<!--`, see plan/marker.ts and stats-block.ts), and it cannot be altered without a visible or
 *   invisible change. So a block whose content holds `<!--` is written as an HTML `<pre>` block
 *   instead (`renderCodeBlock`, `codeBlockMarkdown`): its content is entity-encoded, so no line
 *   starts with `<!--`, nothing in it can end the block (`</pre>` needs a `<`), Markdown does not
 *   apply inside it, and it renders and copies exactly as the text. `escapeCode` alone gives the
 *   fence and the content (which may hold `<!--`) to callers that indent the content, such as
 *   a stack frame's source line in a list item: an indented line starts with no `<!--`.
 * - Titles are plain text on GitHub (entities, backslashes and backticks would show literally), so
 *   there is no visible-free way to break a mention in them: they keep an invisible break, a ZWSP
 *   (U+200B) after `@` and `#`, after `GH-` before a digit, inside `://` and `www.` and every 6
 *   characters of hex runs (`neutralizePlainText`), plus control/bidi removal and truncation. The
 *   body repeats the title as its heading, where it copies exactly.
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
 * Plain text in which GitHub finds no mention, reference, commit SHA, autolink or HTML comment,
 * for places that render no Markdown (issue titles, and the plain-text titles of job summaries):
 * a ZWSP after every `@` and `#`, after `GH-` before a digit, inside `://`, between `www` and `.`,
 * inside `<!--`, and every 6 characters in runs of 7+ hex digits. Never used for issue bodies.
 */
export function neutralizePlainText(text: string): string {
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
      // HTML comments
      .replaceAll('<!--', `<!${ZWSP}--`)
      // commit SHAs: no run of 7+ hex digits survives
      .replace(/[0-9a-f]{7,}/giu, (run) => run.replace(/[0-9a-f]{6}(?=[0-9a-f])/giu, `$&${ZWSP}`))
  )
}

/**
 * Whether GitHub could find a mention, an issue or commit reference, a commit SHA or an autolink
 * in `text` (one piece, without whitespace): an `@` (mentions, e-mail addresses, `user@sha`,
 * `owner/repo@sha`), `#` or `GH-` before a digit (`#1`, `owner/repo#1`, `GH-1`), `://` (every
 * scheme autolink, full GitHub URLs), `www.`, or a run of 7 or more hex digits (a commit SHA).
 * Stricter than GitHub on purpose (any `@`, any hex run, whatever surrounds it).
 */
export function referenceHazard(text: string): boolean {
  return REFERENCE_HAZARD.test(text)
}

const REFERENCE_HAZARD = /@|#[0-9]|gh-[0-9]|:\/\/|www\.|[0-9a-f]{7}/iu

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
  return out
}

/**
 * One line cut into pieces: runs of characters that may sit raw in a code span, and single
 * characters that end a piece (the space, and `` ` ``, `|`, `<`, `>`: see the header).
 */
const PIECES = /[^ `|<>]+|[^]/gu
/** Around a hazardous piece, kept out of its code span: opening brackets and quotes... */
const LEADING = /^[([{"'*_~]+/u
/** ...and closing ones with trailing punctuation (and the ellipsis of a cut value). */
const TRAILING = /[)\]}"'*_~,.;:!?…]+$/u

/** One hazardous piece: its core as a code span, what wraps it escaped around it. */
function codeSpanPiece(piece: string): string {
  const lead = LEADING.exec(piece)?.[0] ?? ''
  const rest = piece.slice(lead.length)
  const trail = TRAILING.exec(rest)?.[0] ?? ''
  const core = rest.slice(0, rest.length - trail.length)
  // Only unwrap when the core still holds the hazard (`www.` stays whole, not `www` and `.`).
  if (core === '' || !referenceHazard(core)) return `\`${piece}\``
  return `${escapeMarkdownChars(lead)}\`${core}\`${escapeMarkdownChars(trail)}`
}

/** Inline Markdown for one line of sanitised text (see the header). */
function inlineMarkdown(line: string): string {
  let out = ''
  for (const [piece] of line.matchAll(PIECES)) {
    out += referenceHazard(piece) ? codeSpanPiece(piece) : escapeMarkdownChars(piece)
  }
  // Block markers that only matter at the start of a line (the text may be placed at one).
  return out.replace(/^([-+=])/u, '\\$1').replace(/^([0-9]{1,9})([.)])/u, '$1\\$2')
}

/**
 * Inline Markdown in which GitHub finds no mention, reference, commit SHA or autolink, for one
 * line of Sentry text: what `escapeInline` does, without a length cap. Pieces that could hold
 * one are code spans of their exact text, the rest is escaped; no invisible character is added.
 */
export function neutralizeReferences(text: string): string {
  return inlineMarkdown(toSingleLine(text))
}

/**
 * Escapes text for a one-line Markdown context (a table cell, a list item, a heading, link text).
 * Newlines collapse to spaces; pieces that GitHub could read as a mention, reference, SHA or
 * autolink become code spans of their exact text; everything else is backslash-escaped or
 * entity-encoded. `maxLength` (code points of the source text, after whitespace collapsing)
 * truncates with `…` before escaping, so an escape sequence, entity or code span is never cut.
 */
export function escapeInline(text: string, maxLength?: number): string {
  let line = toSingleLine(text)
  if (maxLength !== undefined) line = truncateCodePoints(line, maxLength)
  return inlineMarkdown(line)
}

/**
 * Plain-text title for GitHub (titles do not render Markdown or HTML, so nothing is
 * backslash-escaped or entity-encoded): control, bidi and invisible characters removed, whitespace
 * collapsed, mentions/references/URLs neutralised with ZWSP (`neutralizePlainText`), then
 * truncated to `maxLength` UTF-16 code units (never splitting a surrogate pair) with `…`.
 */
export function sanitizeTitle(text: string, maxLength = 256): string {
  return truncateCodeUnits(neutralizePlainText(toSingleLine(text)), maxLength)
}

/**
 * Text for a code block: line endings normalised to `\n` (a lone `\r` is a CommonMark line
 * ending too; U+2028/U+2029 become `\n` for readability), control chars other than `\n`/`\t`,
 * bidi and invisible characters removed. Nothing else changes: code blocks render literally.
 * `<!--` stays: a caller that puts the content at the start of lines uses `codeBlockMarkdown`,
 * which writes a `<pre>` block when the content holds one.
 */
export function sanitizeCodeContent(text: string): string {
  return stripUnsafeChars(text.replace(/\r\n?|[\u2028\u2029]/gu, '\n'))
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
 * run inside it (at least three), so no line of the content can close the block. The content
 * may hold `<!--` (text inside a block): written at the start of a line, it goes through
 * `codeBlockMarkdown`.
 */
export function escapeCode(text: string): { fence: string; content: string } {
  const content = sanitizeCodeContent(text)
  return { fence: '`'.repeat(Math.max(3, longestRun(content, '`') + 1)), content }
}

/** `&`, `<` and `>` as entities: text for HTML (a `<pre>` block, a `<code>` element). */
function htmlText(text: string): string {
  return text.replace(/[&<>]/gu, (c) => HTML_ENCODED[c] ?? c)
}

/**
 * A complete code block (no trailing newline) for content from `escapeCode`: fenced, with `lang`
 * reduced to `[A-Za-z0-9_+.-]` (an info string after a backtick fence must not contain
 * backticks). When the content holds `<!--`, an HTML `<pre>` block with the content
 * entity-encoded instead: a line of a fenced block that starts with `<!--` could be read as the
 * action's marker or stats block, and cannot be altered without changing what a reader copies.
 * The `<pre>` block renders and copies as the same text, and no line of it starts with `<!--`.
 */
export function codeBlockMarkdown(block: { fence: string; content: string }, lang = ''): string {
  const { fence, content } = block
  const body = content === '' || content.endsWith('\n') ? content : `${content}\n`
  if (content.includes('<!--')) {
    // HTML drops a line break right after <pre>: ours, so the content's own first line stays.
    // The block ends at the line holding </pre>, which the encoded content cannot contain.
    return `<pre>\n${htmlText(body)}</pre>`
  }
  const info = lang.replace(/[^A-Za-z0-9_+.-]/gu, '').slice(0, 32)
  return `${fence}${info}\n${body}${fence}`
}

/** A complete code block for `text` (see `escapeCode` and `codeBlockMarkdown`). */
export function renderCodeBlock(text: string, lang = ''): string {
  return codeBlockMarkdown(escapeCode(text), lang)
}

/**
 * `text` as an HTML `<code>` element, every ASCII punctuation character entity-encoded, so that
 * it renders (and copies) as the text in a code font wherever it lands: in Markdown, where a
 * backtick code span could merge with a neighbouring one, and in raw HTML. GitHub finds no
 * mention, reference or SHA inside `<code>`.
 */
export function htmlCodeElement(text: string): string {
  return `<code>${text.replace(/[!-/:-@[-`{-~]/gu, (c) => `&#${c.charCodeAt(0)};`)}</code>`
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

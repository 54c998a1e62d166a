import Mustache from 'mustache'
import type { SentryIssue } from '../sentry/schemas.js'
import { htmlCodeElement, truncateCodeUnits, ZWSP } from './escape.js'
import {
  MAX_TITLE_LENGTH,
  fitBody,
  renderBody,
  renderTitle,
  type RenderContext,
  type RenderedIssue
} from './issue.js'
import { TAG_VARIABLE, TEMPLATE_VARIABLES, type TemplateKind } from './template-variables.js'
import { bodyValues, titleValues, valueOf, type Values } from './template-values.js'
import { groupDigits } from './numbers.js'

export {
  DEFAULT_BODY_TEMPLATE,
  DEFAULT_TITLE_TEMPLATE,
  TEMPLATE_VARIABLES,
  type TemplateKind,
  type TemplateVariable
} from './template-variables.js'

/**
 * `title-template` and `body-template`: Mustache templates (logic-less) for new issues.
 *
 * Template text is written by the repository's owner and trusted; every value comes from Sentry
 * and is not. So values are escaped before the template sees them (Markdown-escaped with
 * `escapeInline` for bodies, `sanitizeTitle` for titles), and Mustache's own HTML escaping is
 * switched off for the render: `{{x}}` and `{{{x}}}` print the same, already-escaped value, so
 * triple braces bypass nothing. Multi-line values (the message block, the stack trace, the tags
 * table, the stats block) are always placed on lines of their own, between blank lines, whatever
 * the template says, so no surrounding construct can swallow their code fences.
 *
 * A body value's escaping (code spans for what GitHub could read as a mention, reference, SHA or
 * autolink; backslashes and entities for the rest) works in plain Markdown, as in the default
 * body: in a heading, a list item, a table cell, emphasis, link text. In a code span of the
 * template its code spans would pair with the template's backticks, in raw HTML they would show
 * literally, in math likewise. So a one-line value may not share a paragraph with a backtick, a
 * tag or `$` of the template (checked below), and what is placed next to a value cannot join it
 * into a hazard (see `placeBodyValues`). Nothing invisible is ever written into a body; titles,
 * plain text, keep the zero-width spaces of `sanitizeTitle`.
 *
 * Checks when the input is read (each problem names the input): the template parses; every
 * variable and section is a known one (`{{#x}}…{{/x}}` renders when `x` is not empty, `{{^x}}`
 * when it is); no partials; no `<!--`; a variable may not follow `@`, `#` or `GH-` directly, nor
 * be followed by `@` or `#` (they would build mentions and references out of Sentry text). Body
 * templates may also not contain code fences or raw HTML that hides Markdown (`<!…>`, `<?…>`,
 * `<pre>`, `<script>`, `<style>`, `<textarea>`), nor put a one-line variable in a paragraph with
 * a backtick, a tag (`<x`, `</x`) or a `$`; title templates may not use multi-line values.
 *
 * The body always starts with the marker line (prepended here, whatever the template says),
 * and is kept within GitHub's size limit the same way as the default body (fewer stack frames
 * first, then a shorter message). The variables and the default templates, which render exactly
 * what `renderTitle` and `renderBody` render, are in `template-variables.ts`; the values they take
 * in `template-values.ts`.
 */

const MAX_TEMPLATE_LENGTH: Record<TemplateKind, number> = { title: 1_000, body: 20_000 }
const INPUT_NAMES: Record<TemplateKind, string> = {
  title: 'title-template',
  body: 'body-template'
}

export interface CompiledTemplate {
  kind: TemplateKind
  source: string
  /** Mustache's token tree, every variable name replaced by `v{index}` into `names`. */
  tokens: unknown[]
  /** The template's variable names (`title`, `tags.browser`, …), by index. */
  names: string[]
}

const VARIABLES = new Map(TEMPLATE_VARIABLES.map((v) => [v.name, v]))
const BLOCK_NAMES = new Set(TEMPLATE_VARIABLES.filter((v) => v.block).map((v) => v.name))

/** Every variable a template of this kind may use, for messages. */
export function templateVariableNames(kind: TemplateKind): string[] {
  return [
    ...TEMPLATE_VARIABLES.filter((v) => kind === 'body' || !v.bodyOnly).map((v) => v.name),
    'tags.<name>'
  ]
}

function isKnown(kind: TemplateKind, name: string): boolean {
  if (TAG_VARIABLE.test(name)) return true
  const variable = VARIABLES.get(name)
  return variable !== undefined && (kind === 'body' || !variable.bodyOnly)
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEMPLATE_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u
const HIDING_HTML = /<[!?]|<\/?(?:pre|script|style|textarea)\b/iu
const FENCE_LINE = /^ {0,3}(?:`{3,}|~{3,})/mu
const BEFORE_HAZARD = /(?:[@#]|gh-)$/iu
const AFTER_HAZARD = /^[@#]/u

type Token = [string, string, number, number, ...unknown[]]

/**
 * Checks and compiles a template. The result's problems name the input (`title-template` or
 * `body-template`) and say what is allowed.
 */
export function compileTemplate(
  kind: TemplateKind,
  source: string,
  inputName: string = INPUT_NAMES[kind]
): { template?: CompiledTemplate; problems: string[] } {
  const problems: string[] = []
  const fail = (message: string): { problems: string[] } => ({
    problems: [...problems, `${inputName}: ${message}`]
  })
  if (source.length > MAX_TEMPLATE_LENGTH[kind]) {
    return fail(`at most ${groupDigits(MAX_TEMPLATE_LENGTH[kind])} characters`)
  }
  if (TEMPLATE_CONTROL.test(source)) return fail('control characters are not allowed')
  if (source.includes('<!--')) {
    return fail('"<!--" is not allowed (the action keeps its hidden marker as the only comment)')
  }
  if (kind === 'body') {
    if (HIDING_HTML.test(source)) {
      problems.push(
        `${inputName}: raw HTML that hides Markdown (<!…>, <?…>, <pre>, <script>, <style>, <textarea>) is not allowed`
      )
    }
    if (FENCE_LINE.test(source)) {
      problems.push(
        `${inputName}: code fences (\`\`\` or ~~~) are not allowed; {{messageBlock}} and {{stackTrace}} bring their own`
      )
    }
  }

  let parsed: unknown[]
  try {
    // A fresh writer: its cache is our own, and the tokens are ours to rewrite.
    parsed = new Mustache.Writer().parse(source) as unknown[]
  } catch (error) {
    return fail(
      `the template does not parse: ${error instanceof Error ? error.message : String(error)}`
    )
  }

  const names: string[] = []
  const indexOf = new Map<string, number>()
  const unknown = new Set<string>()
  const misplaced = new Set<string>()

  const walk = (tokens: unknown[], depth: number): unknown[] =>
    tokens.map((raw, i) => {
      const token = [...(raw as Token)] as Token
      const [type, name] = token
      if (type === 'text' || type === '!' || type === '=') return token
      if (type === '>') {
        problems.push(`${inputName}: partials ({{> ${name}}}) are not supported`)
        return token
      }
      if (name === '.' && (type === 'name' || type === '&') && depth > 0) return token
      if (!isKnown(kind, name)) {
        unknown.add(name)
        return token
      }
      if ((type === 'name' || type === '&') && BLOCK_NAMES.has(name)) {
        if (kind === 'title') misplaced.add(name)
      }
      if (type === 'name' || type === '&') {
        const before = tokens[i - 1] as Token | undefined
        const after = tokens[i + 1] as Token | undefined
        if (before?.[0] === 'text' && BEFORE_HAZARD.test(before[1])) {
          problems.push(
            `${inputName}: {{${name}}} directly after "@", "#" or "GH-" would let Sentry text mention people or reference issues`
          )
        }
        if (after?.[0] === 'text' && AFTER_HAZARD.test(after[1])) {
          problems.push(
            `${inputName}: {{${name}}} directly before "@" or "#" would let Sentry text mention people or reference issues`
          )
        }
      }
      let index = indexOf.get(name)
      if (index === undefined) {
        index = names.length
        names.push(name)
        indexOf.set(name, index)
      }
      token[1] = `v${index}`
      if ((type === '#' || type === '^') && Array.isArray(token[4])) {
        token[4] = walk(token[4] as unknown[], depth + 1)
      }
      return token
    })

  const tokens = walk(parsed, 0)
  if (kind === 'body' && unknown.size === 0 && problems.length === 0) {
    const inMarkup = valuesInMarkup(parsed)
    if (inMarkup.length > 0) {
      problems.push(
        `${inputName}: ${inMarkup.map((n) => `{{${n}}}`).join(', ')} ${inMarkup.length > 1 ? 'share' : 'shares'} a paragraph with a code span, raw HTML or math (\`, <tag or $); ` +
          'Sentry values are only placed in plain Markdown, where they are escaped: put a blank line between them'
      )
    }
  }
  if (unknown.size > 0) {
    problems.push(
      `${inputName}: unknown variable${unknown.size > 1 ? 's' : ''} ${[...unknown].map((n) => `{{${n}}}`).join(', ')}; ` +
        `valid variables: ${templateVariableNames(kind).join(', ')}`
    )
  }
  if (misplaced.size > 0) {
    problems.push(
      `${inputName}: ${[...misplaced].map((n) => `{{${n}}}`).join(', ')} ${misplaced.size > 1 ? 'are' : 'is a'} multi-line ` +
        `value${misplaced.size > 1 ? 's' : ''}, not allowed in a title`
    )
  }
  if (problems.length > 0) return { problems: unique(problems) }
  return { template: { kind, source, tokens, names }, problems: [] }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/**
 * Template text that takes a paragraph out of plain Markdown for the values in it: a backtick (a
 * code span, where a value's own code spans would pair with the template's), the start of a tag,
 * comment or autolink (raw HTML shows backticks and backslashes literally), or a `$` (math).
 */
const MARKUP = /(?:^|[^\\])(?:\\\\)*[`$]|<[A-Za-z/!?]/u
const BLANK_LINE = /\n[ \t]*\n/u

/**
 * The one-line variables of a body template that may share a paragraph with MARKUP of the
 * template text, in any rendering. Sections may or may not render, and one-line values may be
 * empty or not, so a paragraph ends only where every rendering has a blank line: inside text
 * outside sections (always rendered), or where such text starts with a line break and every way
 * to get there ends a line. Its text is all the text in between, whatever sections it is in.
 * (Block values stand apart between blank lines when they render; nothing counts on it.)
 */
function valuesInMarkup(tokens: unknown[]): string[] {
  const found: string[] = []
  let text = ''
  let values: string[] = []
  const close = (): void => {
    if (values.length > 0 && MARKUP.test(text)) found.push(...values)
    text = ''
    values = []
  }
  /** Whether the output so far ends a line (a line break, then spaces at most): per path. */
  type Ends = Set<boolean>
  const afterText = (ends: Ends, value: string): Ends => {
    if (/^[ \t]*$/u.test(value)) return ends
    return new Set([/\n[ \t]*$/u.test(value)])
  }
  const visit = (list: unknown[], section: string | undefined, start: Ends): Ends => {
    let ends = start
    for (const raw of list) {
      const [type, value, , , children] = raw as Token
      if (type === 'text') {
        if (section === undefined) {
          // Always rendered: its blank lines are paragraph breaks, and so is a line break at
          // its start when every path to it ends a line.
          const parts = value.split(BLANK_LINE)
          if (/^[ \t]*\n/u.test(value) && ![...ends].includes(false)) close()
          parts.forEach((part, i) => {
            if (i > 0) close()
            text += part
          })
        } else {
          text += value
        }
        ends = afterText(ends, value)
      } else if (type === 'name' || type === '&') {
        const name = value === '.' ? (section ?? value) : value
        if (BLOCK_NAMES.has(name)) {
          ends = new Set([...ends, true])
        } else {
          values.push(name)
          text += ' '
          ends = new Set([...ends, false])
        }
      } else if ((type === '#' || type === '^') && Array.isArray(children)) {
        ends = new Set([...ends, ...visit(children as unknown[], value, ends)])
      }
    }
    return ends
  }
  visit(tokens, undefined, new Set([true]))
  close()
  return unique(found)
}

// ---------------------------------------------------------------------------------------------
// Rendering

// eslint-disable-next-line no-control-regex -- NUL delimits our sentinels (templates cannot hold it)
const SENTINEL = /\u0000(\d+)\u0000/gu

/**
 * Renders the template with Mustache, every non-empty value standing in as a sentinel (so that
 * sections still see empty and non-empty values), then puts the values in (`placeTitleValues`,
 * `placeBodyValues`).
 */
function renderWith(template: CompiledTemplate, ctx: RenderContext, values: Values): string {
  const resolved = template.names.map((name) => valueOf(name, values, ctx, template.kind))
  const view: Record<string, string> = Object.create(null) as Record<string, string>
  resolved.forEach((value, i) => {
    view[`v${i}`] = value === '' ? '' : `\u0000${i}\u0000`
  })
  const writer = new Mustache.Writer()
  const rendered = writer.renderTokens(
    template.tokens as string[][],
    new Mustache.Context(view),
    undefined,
    template.source,
    {
      escape: (value: unknown) => String(value)
    }
  )
  return template.kind === 'title'
    ? placeTitleValues(template, resolved, rendered)
    : placeBodyValues(template, resolved, rendered)
}

/** The sentinels of `rendered`, with the template text before each and the text after the last. */
function* sentinels(
  template: CompiledTemplate,
  resolved: readonly string[],
  rendered: string
): Generator<{ text: string; name: string; value: string; after: string }, string> {
  let last = 0
  for (const match of rendered.matchAll(SENTINEL)) {
    const text = rendered.slice(last, match.index)
    last = match.index + match[0].length
    const index = Number(match[1])
    const next = rendered.indexOf('\u0000', last)
    yield {
      text,
      name: template.names[index] ?? '',
      value: resolved[index] ?? '',
      after: rendered.slice(last, next === -1 ? undefined : next)
    }
  }
  return rendered.slice(last)
}

/**
 * Titles are plain text: a ZWSP between a value and an adjacent `@`, `#` or `GH-`, and in `<!--`
 * (titles render nothing, so the comment is harmless there, but it is kept out all the same).
 */
function placeTitleValues(
  template: CompiledTemplate,
  resolved: readonly string[],
  rendered: string
): string {
  let out = ''
  const walk = sentinels(template, resolved, rendered.replaceAll('<!--', `<!${ZWSP}--`))
  for (let step = walk.next(); ; step = walk.next()) {
    if (step.done === true) return out + step.value
    const { text, value, after } = step.value
    out += text
    if (BEFORE_HAZARD.test(out.slice(-3))) out += ZWSP
    out += value
    if (AFTER_HAZARD.test(after)) out += ZWSP
  }
}

/** Characters of the output kept to see what word a value joins (see `joinHazard`). */
const WINDOW = 64

/**
 * Bodies: block values on lines of their own between blank lines, one-line values joined to the
 * template text so that nothing forms across the join, without any invisible character:
 * - template text that would act on a value's first characters is written as the entity of what
 *   it shows: a lone backslash (it would escape the value's first character) as `&#92;`, an
 *   unfinished entity's `&` (`&#`, `&commat` would take the value's first characters) as `&amp;`,
 *   a `<` or `</` (a tag with the value's first word) as `&lt;`. They render the same;
 * - when the value's first or last word and the template's word next to it would build a
 *   mention, reference, SHA or autolink together (`@{{shortId}}` through a section,
 *   `{{projectSlug}}#1`), that word of the value becomes a `<code>` element (which cannot merge
 *   with a code span next to it);
 * - a `<!--` that sections put together is written `&lt;!--`: it shows as `<!--` and is no
 *   comment (the template text itself may not hold one).
 * The compile checks keep every one-line value in plain Markdown (`valuesInMarkup`), where the
 * values' code spans and escapes work as they do in the default body.
 */
function placeBodyValues(
  template: CompiledTemplate,
  resolved: readonly string[],
  rendered: string
): string {
  // Pieces are collected and joined once; `end` holds the last characters written, so that no
  // check has to look at (and flatten) the whole output.
  const pieces: string[] = []
  let end = ''
  let afterBlock = false
  const write = (piece: string): void => {
    if (piece === '') return
    if (afterBlock && /\S/u.test(piece)) {
      // A block value is followed by a blank line before anything else.
      const breaks = newlines(/\s*$/u.exec(end)?.[0]) + newlines(/^\s*/u.exec(piece)?.[0])
      if (breaks < 2) piece = '\n'.repeat(2 - breaks) + piece
      afterBlock = false
    }
    pieces.push(piece)
    end = (end + piece).slice(-WINDOW)
  }
  const walk = sentinels(template, resolved, rendered.replaceAll('<!--', '&lt;!--'))
  for (let step = walk.next(); ; step = walk.next()) {
    if (step.done === true) {
      write(step.value)
      return pieces.join('')
    }
    const { text, name, value, after } = step.value
    if (BLOCK_NAMES.has(name)) {
      write(text)
      if (pieces.length > 0 && !end.endsWith('\n\n')) write(end.endsWith('\n') ? '\n' : '\n\n')
      afterBlock = false
      write(value)
      afterBlock = true
    } else {
      write(guardBefore(text))
      write(joinSafely(wordBefore(end), value, wordAfter(after)))
    }
  }
}

/** Line breaks in `text`. */
function newlines(text: string | undefined): number {
  return (text ?? '').split('\n').length - 1
}

/** Template text before a value, with what would act on the value's first characters defused. */
function guardBefore(text: string): string {
  return text
    .replace(/(^|[^\\])((?:\\\\)*)\\$/u, '$1$2&#92;')
    .replace(/&([#A-Za-z0-9]*)$/u, '&amp;$1')
    .replace(/<(\/?)$/u, '&lt;$1')
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  commat: '@',
  num: '#',
  colon: ':',
  sol: '/',
  period: '.',
  hyphen: '-',
  dash: '-',
  lowbar: '_'
}

/** A word of Markdown as it renders: backslash escapes and entities resolved. */
function renderedWord(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/gu, '$1')
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);/gu, (entity, name: string) => {
      if (name.startsWith('#')) {
        const hex = name[1] === 'x' || name[1] === 'X'
        const code = parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity
      }
      return ENTITIES[name] ?? entity
    })
}

/** What ends a word: whitespace, and code spans and tags (GitHub finds nothing across them). */
const WORD_END = /[\s`<>]/u

/** The rendered word that ends `markdown` (nothing when it ends with a space or a code span). */
function wordBefore(markdown: string): string {
  let start = markdown.length
  while (start > 0 && !WORD_END.test(markdown.charAt(start - 1))) start--
  return renderedWord(markdown.slice(start))
}

/** The rendered word that starts `markdown`. */
function wordAfter(markdown: string): string {
  const head = markdown.slice(0, WINDOW)
  const stop = WORD_END.exec(head)
  return renderedWord(stop ? head.slice(0, stop.index) : head)
}

/**
 * Patterns that a join could complete (stricter than GitHub): an `@` touching a non-space (a
 * mention, an e-mail address, `user@sha`), `#` before a digit or after a repository name, `GH-`
 * before a digit, a run of 7+ hex digits, `://`, `www.`.
 */
const JOIN_HAZARDS = [
  /@\S/uy,
  /\S@/uy,
  /#[0-9]/uy,
  /[A-Za-z0-9_./-]#/uy,
  /gh-[0-9]/iuy,
  /[0-9a-f]{7,}/iuy,
  /:\/\//uy,
  /www\./iuy
]

/** Whether `left` and `right`, side by side, hold a hazard that neither holds alone. */
function joinHazard(left: string, right: string): boolean {
  if (left === '' || right === '') return false
  const joined = left + right
  const at = left.length
  for (let start = Math.max(0, at - 40); start < at; start++) {
    for (const pattern of JOIN_HAZARDS) {
      pattern.lastIndex = start
      const match = pattern.exec(joined)
      if (match && start + match[0].length > at) return true
    }
  }
  return false
}

/**
 * A one-line value's Markdown (as escape.ts and the renderers write it) cut into tokens, each
 * with the text it renders and whether it is plain: a character or a backslash escape that is
 * part of a word. Code spans, entities, tags and link destinations (`<…>`), link and emphasis
 * punctuation and spaces are not.
 */
function valueTokens(markdown: string): Array<{ markdown: string; text: string; plain: boolean }> {
  const tokens: Array<{ markdown: string; text: string; plain: boolean }> = []
  let i = 0
  while (i < markdown.length) {
    const c = markdown.charAt(i)
    let length = 1
    let plain = false
    let text = c
    if (c === '\\' && /[!-/:-@[-`{-~]/u.test(markdown.charAt(i + 1))) {
      length = 2
      text = markdown.charAt(i + 1)
      plain = text !== '`' && text !== '|'
    } else if (c === '`') {
      const close = markdown.indexOf('`', i + 1)
      length = close === -1 ? 1 : close + 1 - i
    } else if (c === '&') {
      const entity = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);/u.exec(markdown.slice(i))
      length = entity ? entity[0].length : 1
    } else if (c === '<') {
      const close = markdown.indexOf('>', i + 1)
      length = close === -1 ? 1 : close + 1 - i
    } else {
      const code = markdown.codePointAt(i) ?? 0
      length = code > 0xffff ? 2 : 1
      text = markdown.slice(i, i + length)
      plain = !/[\s[\]()*_!]/u.test(text)
    }
    tokens.push({ markdown: markdown.slice(i, i + length), text, plain })
    i += length
  }
  return tokens
}

/**
 * `value` placed between the word `before` it and the word `after` it: when the value's first or
 * last word would complete a hazard with its neighbour, that word becomes a `<code>` element.
 */
function joinSafely(before: string, value: string, after: string): string {
  if (before === '' && after === '') return value
  const tokens = valueTokens(value)
  let head = 0
  while (head < tokens.length && tokens[head]?.plain === true) head++
  let tail = tokens.length
  while (tail > 0 && tokens[tail - 1]?.plain === true) tail--
  const text = (from: number, to: number): string =>
    tokens
      .slice(from, to)
      .map((t) => t.text)
      .join('')
  const markdown = (from: number, to: number): string =>
    tokens
      .slice(from, to)
      .map((t) => t.markdown)
      .join('')
  if (head === tokens.length) {
    // One word: a hazard may also run through it, from the text before to the text after.
    const word = text(0, head)
    return joinHazard(before, word + after) || joinHazard(before + word, after)
      ? htmlCodeElement(word)
      : value
  }
  const wrapHead = head > 0 && joinHazard(before, text(0, head))
  const wrapTail = tail < tokens.length && joinHazard(text(tail, tokens.length), after)
  return (
    (wrapHead ? htmlCodeElement(text(0, head)) : markdown(0, head)) +
    markdown(head, tail) +
    (wrapTail ? htmlCodeElement(text(tail, tokens.length)) : markdown(tail, tokens.length))
  )
}

/** A title from a template: one line, at most 256 characters; the default title if empty. */
export function renderTitleTemplate(
  template: CompiledTemplate,
  issue: SentryIssue,
  ctx: RenderContext
): string {
  const text = renderWith(template, ctx, titleValues(issue, ctx)).replace(/\s+/gu, ' ').trim()
  const title = truncateCodeUnits(text, MAX_TITLE_LENGTH)
  return title === '' ? renderTitle(issue) : title
}

/** A body from a template: the marker line first, within GitHub's size limit. */
export function renderBodyTemplate(
  template: CompiledTemplate,
  issue: SentryIssue,
  ctx: RenderContext
): string {
  return fitBody(issue, ctx, (parts) => {
    const text = renderWith(template, ctx, bodyValues(issue, ctx, parts))
    return `${parts.marker}\n\n${text.replace(/^\n+/u, '')}`
  })
}

export interface IssueTemplates {
  title?: CompiledTemplate | undefined
  body?: CompiledTemplate | undefined
}

/** Title and body from the templates given (the defaults otherwise), and the labels. */
export function renderIssueWithTemplates(
  issue: SentryIssue,
  ctx: RenderContext,
  templates: IssueTemplates
): RenderedIssue {
  return {
    title: templates.title ? renderTitleTemplate(templates.title, issue, ctx) : renderTitle(issue),
    body: templates.body ? renderBodyTemplate(templates.body, issue, ctx) : renderBody(issue, ctx),
    labels: [...new Set([ctx.trackingLabel, ...ctx.labels].filter((l) => l.trim() !== ''))]
  }
}

import {
  eventDebugImages,
  eventExceptions,
  eventStacktrace,
  eventTag,
  type SentryEvent,
  type SentryException,
  type SentryFrame
} from '../sentry/schemas.js'
import type { CodeLinker } from './code-links.js'
import { escapeCode, escapeInline, neutralizeReferences, truncateCodePoints } from './escape.js'
import { fileName, placeFrame, readImages } from './native.js'
import { groupDigits } from './numbers.js'

/**
 * Renders an issue's latest event as a section of the GitHub issue body. Pure.
 *
 *     ### Latest event
 *
 *     - **Exception:** TypeError: Cannot read properties of undefined \(reading 'id'\)
 *     - **Handled:** no \(onunhandledrejection\)
 *     - **Received:** 2026-11-20T11:58:02.000Z
 *
 *     <details>
 *     <summary>Stack trace (5 frames, 2 in-app, most recent call last)</summary>
 *
 *     **In-app frames**
 *
 *     - **Dashboard** in [./src/pages/Dashboard.tsx:57:11](<https://github.com/…#L57>)
 *       ```tsx
 *       {items.map((item) => <UserCard key={item.id} user={item.user} />)}
 *       ```
 *     …
 *
 *     </details>
 *
 *     | Tag | Value |
 *     | --- | --- |
 *     | environment | production |
 *
 * Every string from the event is untrusted and goes through escape.ts: one-line text through
 * `escapeInline`, source lines into fenced code blocks through `escapeCode`. The only raw
 * constructs are ours: the heading, list markers and bold labels, the `<details>`, `<summary>`
 * and `</details>` lines (each alone on its line, the summary holding only our words and
 * numbers), table pipes, fences, and links whose target a `CodeLinker` built from our own
 * configuration (the link text is escaped like any other text).
 *
 * Frames: in-app frames come first, then the others, each group in Sentry's order (the oldest
 * call first, the frame that raised last). At most `maxFrames` are shown, chosen nearest the
 * raise, in-app frames before the others; the section says how many were left out and why.
 *
 * Native frames are placed the way Sentry's own view places them (src/render/native.ts). A frame
 * without a function (or symbol) shows its instruction address, and the binary that holds it
 * with the offset into it when the event's debug images say which one; a native frame outside
 * the app names its binary beside the function:
 *
 *     - `0x0000007f8c2d31a4` in libc.so + `0x4f1a4`
 *     - **UIApplicationMain** in UIKit
 *
 * Addresses are validated (`0x` and 1-16 hex digits) before they go into code spans; binary
 * names are file names of untrusted paths and are escaped like any other text.
 */

export interface EventRenderOptions {
  /** Frames shown at most; 0 leaves the stack trace out. */
  maxFrames: number
  /** Turns frames into links to the repository's source. */
  codeLinks?: CodeLinker | undefined
}

/** Tags shown in the table, in this order, when the event has them. */
export const EVENT_TAG_KEYS = [
  'environment',
  'release',
  'browser',
  'os',
  'runtime',
  'url',
  'transaction',
  'server_name'
] as const

export interface EventSectionParts {
  /** `Type: value` of the raised exception as inline Markdown, or '' when it has none. */
  exception: string
  /** The `- **…:** …` lines under the heading (exception, causes, handling, date). */
  facts: string[]
  /** The `<details>` stack-trace block (or a one-line note when it is left out), or ''. */
  stackTrace: string
  /** The table of key tags, or '' when the event has none of them. */
  tagsTable: string
  /** The whole section, heading included (no leading or trailing newline). */
  section: string
  /** Frames in the stack trace, and how many of them are shown. */
  frames: { total: number; shown: number }
}

/** How many frames to show, and why fewer than asked (when they are). */
export interface FrameBudget {
  frames: number
  /** The frames were cut to keep the issue body within GitHub's size limit. */
  trimmedForSize?: boolean
}

const LIMITS = {
  exceptionType: 256,
  exceptionValue: 500,
  cause: 300,
  mechanism: 64,
  library: 120,
  date: 64,
  function: 200,
  file: 300,
  contextLine: 300,
  tagValue: 200
} as const

/** Chained exceptions listed at most (after the raised one). */
const MAX_CAUSES = 3

export function renderEventSection(event: SentryEvent, opts: EventRenderOptions): string {
  return renderEventParts(event, opts).section
}

/** The section and its parts, with `budget.frames` frames at most (default `opts.maxFrames`). */
export function renderEventParts(
  event: SentryEvent,
  opts: EventRenderOptions,
  budget: FrameBudget = { frames: opts.maxFrames }
): EventSectionParts {
  const exceptions = eventExceptions(event)
  const raised = exceptions[exceptions.length - 1]
  const exception = raised ? exceptionText(raised, LIMITS.exceptionValue) : ''
  const facts: string[] = []
  if (exception !== '') facts.push(`- **Exception:** ${exception}`)
  const causes = exceptions.slice(0, -1).reverse().slice(0, MAX_CAUSES)
  for (const cause of causes) {
    const text = exceptionText(cause, LIMITS.cause)
    if (text !== '') facts.push(`- **Caused by:** ${text}`)
  }
  const mechanism = raised?.mechanism
  if (mechanism && (mechanism.handled != null || mechanism.type)) {
    const handled = mechanism.handled == null ? 'unknown' : mechanism.handled ? 'yes' : 'no'
    const type = mechanism.type ? escapeInline(mechanism.type, LIMITS.mechanism) : ''
    facts.push(`- **Handled:** ${handled}${type === '' ? '' : ` \\(${type}\\)`}`)
  }
  const date = event.dateCreated ? escapeInline(event.dateCreated, LIMITS.date) : ''
  if (date !== '') facts.push(`- **Received:** ${date}`)

  const frames = eventStacktrace(event)?.frames ?? []
  const wanted = Math.max(0, Math.min(Math.floor(opts.maxFrames), Math.floor(budget.frames)))
  const stack =
    opts.maxFrames > 0 && frames.length > 0
      ? stackTraceBlock(frames, wanted, opts, event, budget.trimmedForSize === true)
      : { block: '', shown: 0 }
  const tagsTable = tagTable(event)

  const blocks = [
    '### Latest event',
    ...(facts.length > 0 ? [facts.join('\n')] : []),
    ...(stack.block !== '' ? [stack.block] : []),
    ...(tagsTable !== '' ? [tagsTable] : [])
  ]
  if (blocks.length === 1) blocks.push('_The latest event has no exception, stack trace or tags._')
  return {
    exception,
    facts,
    stackTrace: stack.block,
    tagsTable,
    section: blocks.join('\n\n'),
    frames: { total: frames.length, shown: stack.shown }
  }
}

function exceptionText(exception: SentryException, valueMax: number): string {
  const type = exception.type ? escapeInline(exception.type, LIMITS.exceptionType) : ''
  const value = exception.value ? escapeInline(exception.value, valueMax) : ''
  if (type !== '' && value !== '') return `${type}: ${value}`
  return type || value
}

// ---------------------------------------------------------------------------------------------
// Stack trace

interface Chosen {
  frame: SentryFrame
  index: number
}

/**
 * Picks at most `count` frames: the innermost in-app frames first, then the innermost others.
 * Returns the groups to show, each in Sentry's order (innermost last).
 */
function chooseFrames(
  frames: readonly SentryFrame[],
  count: number
): { inApp: Chosen[]; other: Chosen[]; grouped: boolean } {
  const all = frames.map((frame, index) => ({ frame, index }))
  const inApp = all.filter((f) => f.frame.inApp === true)
  const other = all.filter((f) => f.frame.inApp !== true)
  const takeInApp = inApp.slice(Math.max(0, inApp.length - count))
  const room = count - takeInApp.length
  const takeOther = room > 0 ? other.slice(Math.max(0, other.length - room)) : []
  return {
    inApp: takeInApp,
    other: takeOther,
    grouped: inApp.length > 0 && other.length > 0
  }
}

function stackTraceBlock(
  frames: readonly SentryFrame[],
  count: number,
  opts: EventRenderOptions,
  event: SentryEvent,
  trimmedForSize: boolean
): { block: string; shown: number } {
  const total = frames.length
  const inAppTotal = frames.filter((f) => f.inApp === true).length
  const label = `${plural(total, 'frame')}${inAppTotal > 0 ? `, ${inAppTotal} in-app` : ''}`
  if (count === 0) {
    const why = trimmedForSize
      ? "to keep the issue within GitHub's size limit"
      : 'because max-frames is 0'
    return { block: `_The stack trace \\(${label}\\) is left out ${why}._`, shown: 0 }
  }
  const chosen = chooseFrames(frames, count)
  const shown = chosen.inApp.length + chosen.other.length
  const context: FrameContext = {
    links: opts.codeLinks,
    release: event.release?.version ?? null,
    platform: event.platform ?? '',
    images: readImages(eventDebugImages(event))
  }
  const render = (c: Chosen): string => frameMarkdown(c.frame, context)

  const summary =
    shown < total
      ? `Stack trace (showing ${shown} of ${label}, most recent call last)`
      : `Stack trace (${label}, most recent call last)`
  const lines: string[] = ['<details>', `<summary>${summary}</summary>`, '']
  if (chosen.grouped && chosen.inApp.length > 0 && chosen.other.length > 0) {
    lines.push('**In-app frames**', '', ...chosen.inApp.map(render), '')
    lines.push('**Other frames**', '', ...chosen.other.map(render), '')
  } else {
    const list = [...chosen.inApp, ...chosen.other].sort((a, b) => a.index - b.index)
    if (chosen.grouped)
      lines.push(chosen.inApp.length > 0 ? '**In-app frames**' : '**Other frames**', '')
    lines.push(...list.map(render), '')
  }
  if (shown < total) {
    const why = trimmedForSize
      ? "to keep the issue within GitHub's size limit"
      : `\\(max-frames is ${opts.maxFrames}\\)`
    lines.push(`_${plural(total - shown, 'more frame')} not shown ${why}._`, '')
  }
  lines.push('</details>')
  return { block: lines.join('\n'), shown }
}

function plural(n: number, word: string): string {
  return `${groupDigits(n)} ${word}${n === 1 ? '' : 's'}`
}

interface FrameContext {
  links: CodeLinker | undefined
  release: string | null
  platform: string
  images: ReturnType<typeof readImages>
}

/** Platforms whose frames Sentry shows as native (addresses, binaries), as its own view does. */
const NATIVE_PLATFORMS = new Set(['native', 'cocoa', 'objc', 'swift', 'c'])

/**
 * One frame: a list item (function, file, line, column; for native frames the address or the
 * binary), with its source line in a block.
 */
function frameMarkdown(frame: SentryFrame, ctx: FrameContext): string {
  const fn = escapeInline(frame.function || frame.symbol || '', LIMITS.function)
  const file = frame.filename || frame.absPath || frame.module || ''
  const fileText = file === '' ? '' : escapeInline(file, LIMITS.file)
  let location = ''
  if (fileText !== '') {
    const line = positiveInt(frame.lineNo)
    const col = positiveInt(frame.colNo)
    // Numbers too: a 7-digit column would read as a commit SHA.
    const at = (n: number): string => `:${neutralizeReferences(String(n))}`
    location = `${fileText}${line === undefined ? '' : at(line)}${line !== undefined && col !== undefined ? at(col) : ''}`
    const href = ctx.links?.link(frame, ctx.release)
    if (href !== undefined) location = `[${location}](<${href}>)`
  }
  const native = nativeParts(frame, fn !== '', ctx)
  const name = fn !== '' ? `**${fn}**` : native.address
  let head = name !== '' ? `- ${name}${location !== '' ? ` in ${location}` : ''}` : ''
  if (head === '' && location !== '') head = `- ${location}`
  if (native.library !== '') {
    if (head === '')
      head = native.offset ? `- ${native.library}` : `- _unknown frame_ in ${native.library}`
    else head += location !== '' ? ` \\(${native.library}\\)` : ` in ${native.library}`
  }
  if (head === '') head = '- _unknown frame_'
  const source = contextLine(frame)
  if (source === undefined) return head
  const { fence, content } = escapeCode(source)
  const lang = codeLanguage(file, ctx.platform)
  return [head, `  ${fence}${lang}`, `  ${content}`, `  ${fence}`].join('\n')
}

/**
 * The native parts of a frame's line: for a frame without a function, its address as a code span
 * and the binary that holds it (with the offset into it); for a native frame outside the app, the
 * binary alone. Empty strings when they do not apply (every non-native frame with a function).
 */
function nativeParts(
  frame: SentryFrame,
  named: boolean,
  ctx: FrameContext
): { address: string; library: string; offset: boolean } {
  const none = { address: '', library: '', offset: false }
  const native = NATIVE_PLATFORMS.has(frame.platform || ctx.platform)
  if (named) {
    if (!native || frame.inApp === true) return none
    const binary = fileName(frame.package) || (placeFrame(frame, ctx.images).image ?? '')
    return { ...none, library: escapeInline(binary, LIMITS.library) }
  }
  const place = placeFrame(frame, ctx.images)
  const address = addressSpan(place.address?.text)
  if (!native && address === '') return none
  const image = place.image === undefined ? '' : escapeInline(place.image, LIMITS.library)
  if (image === '') return { ...none, address }
  const offset = addressSpan(place.offset)
  return {
    address,
    library: offset === '' ? image : `${image} + ${offset}`,
    offset: offset !== ''
  }
}

const ADDRESS = /^0x[0-9a-f]{1,16}$/u

/**
 * An address in a code span, or '' for anything that is not `0x` and 1-16 lower-case hex digits
 * (native.ts only makes such; checked again here, where the text meets Markdown unescaped).
 */
function addressSpan(text: string | undefined): string {
  return text !== undefined && ADDRESS.test(text) ? `\`${text}\`` : ''
}

function positiveInt(n: number | null | undefined): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined
}

/** The frame's own source line, one line, trimmed and capped; undefined when there is none. */
function contextLine(frame: SentryFrame): string | undefined {
  const lineNo = positiveInt(frame.lineNo)
  if (lineNo === undefined) return undefined
  const entry = frame.context.find(([n]) => n === lineNo)
  if (!entry) return undefined
  const text = entry[1].replace(/[\r\n\u2028\u2029]+/gu, ' ').trim()
  if (text === '') return undefined
  return truncateCodePoints(text, LIMITS.contextLine)
}

const EXTENSION_LANGUAGES: Record<string, string> = {
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'jsx',
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  vue: 'vue',
  py: 'python',
  rb: 'ruby',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  php: 'php',
  cs: 'csharp',
  rs: 'rust',
  swift: 'swift',
  ex: 'elixir',
  exs: 'elixir',
  dart: 'dart',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp'
}
const PLATFORM_LANGUAGES: Record<string, string> = {
  javascript: 'js',
  node: 'js',
  python: 'python',
  ruby: 'ruby',
  go: 'go',
  java: 'java',
  php: 'php',
  csharp: 'csharp',
  elixir: 'elixir'
}

/** The info string of a source block: from our own table only (never Sentry's text). */
function codeLanguage(file: string, platform: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})(?:[?#].*)?$/u.exec(file)?.[1]?.toLowerCase()
  return (ext && EXTENSION_LANGUAGES[ext]) || PLATFORM_LANGUAGES[platform] || 'text'
}

// ---------------------------------------------------------------------------------------------
// Tags

function tagTable(event: SentryEvent): string {
  const rows: string[] = []
  for (const key of EVENT_TAG_KEYS) {
    const raw = eventTag(event, key) ?? (key === 'release' ? event.release?.version : undefined)
    if (raw == null) continue
    const value = escapeInline(raw, LIMITS.tagValue)
    if (value === '') continue
    rows.push(`| ${escapeInline(key)} | ${value} |`)
  }
  if (rows.length === 0) return ''
  return ['| Tag | Value |', '| --- | --- |', ...rows].join('\n')
}

/** The release of an event: its `release` object's version, else its `release` tag. */
export function eventRelease(event: SentryEvent): string | undefined {
  return event.release?.version ?? eventTag(event, 'release') ?? undefined
}

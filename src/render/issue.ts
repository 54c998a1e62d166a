import { renderMarker } from '../plan/marker.js'
import type { SentryIssue } from '../sentry/schemas.js'
import {
  codePointLength,
  escapeCode,
  escapeInline,
  safeLinkUrl,
  sanitizeTitle,
  truncateCodeUnits
} from './escape.js'

/**
 * Renders a Sentry issue as a GitHub issue (title, body, labels). Pure.
 *
 * Every string taken from the Sentry issue is untrusted: one-line values go through
 * `escapeInline`, the message (when it is long or spans lines) goes into a fenced code block via
 * `escapeCode`, the title through `sanitizeTitle`. The only raw constructs in the body are the
 * ones written here: the marker on line 1, the heading, the list, the table, the footer, and a link
 * to the permalink when `safeLinkUrl` accepts it.
 */

/** GitHub rejects issue bodies longer than this (characters); we count UTF-16 code units. */
export const MAX_BODY_LENGTH = 65536
/** GitHub rejects issue titles longer than this; we count UTF-16 code units. */
export const MAX_TITLE_LENGTH = 256

export const TITLE_PREFIX = '🐛 Sentry: '

export interface RenderContext {
  /** Sentry organisation slug (goes into the marker; must match ORG_SLUG_PATTERN). */
  org: string
  /** The label that marks issues managed by the action. */
  trackingLabel: string
  /** Extra labels to add. */
  labels: string[]
}

export interface RenderedIssue {
  title: string
  body: string
  labels: string[]
}

/** Source-length caps (code points) for one-line fields, so they cannot crowd out the message. */
const LIMITS = {
  heading: 512,
  errorType: 256,
  location: 512,
  shortId: 128,
  project: 256,
  date: 64,
  enumValue: 64,
  permalinkText: 512
} as const

/** Single-line messages up to this many code points are shown inline, longer ones in a block. */
const INLINE_MESSAGE_MAX = 300

const NONE = '—'

const FOOTER =
  '_Created by sentry-issues-action. The hidden first line of this description links the issue ' +
  'to Sentry: keep it when editing._'

export function renderTitle(issue: SentryIssue): string {
  const room = MAX_TITLE_LENGTH - TITLE_PREFIX.length
  let title = sanitizeTitle(issue.title, room)
  if (title === '') title = sanitizeTitle(issue.shortId, room)
  if (title === '') title = 'Untitled issue'
  return TITLE_PREFIX + title
}

function inlineOrNone(value: string | null | undefined, max: number): string {
  const escaped = value == null ? '' : escapeInline(value, max)
  return escaped === '' ? NONE : escaped
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : NONE
}

function permalinkMarkdown(permalink: string): string {
  const href = safeLinkUrl(permalink)
  if (href !== undefined) return `[Open in Sentry](<${href}>)`
  return inlineOrNone(permalink, LIMITS.permalinkText)
}

function location(issue: SentryIssue): string | undefined {
  if (issue.culprit != null && issue.culprit.trim() !== '') return issue.culprit
  const { function: fn, filename } = issue.metadata
  if (fn && filename) return `${fn} in ${filename}`
  return fn || filename || undefined
}

function projectCell(issue: SentryIssue): string {
  const slug = inlineOrNone(issue.project.slug, LIMITS.project)
  const name = issue.project.name == null ? '' : escapeInline(issue.project.name, LIMITS.project)
  return name !== '' && name !== slug ? `${name} (${slug})` : slug
}

function statusCell(issue: SentryIssue): string {
  const status = inlineOrNone(issue.status, LIMITS.enumValue)
  const sub = issue.substatus == null ? '' : escapeInline(issue.substatus, LIMITS.enumValue)
  return sub === '' ? status : `${status} (${sub})`
}

function table(rows: Array<[string, string]>): string[] {
  return ['| Field | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)]
}

/** The message shown in the body: metadata.value, or the title when there is none. */
function messageText(issue: SentryIssue): string {
  const value = issue.metadata.value
  return value != null && value.trim() !== '' ? value : issue.title
}

/** How the message appears: inline in the list, or as a block after it. */
type MessagePart =
  | { kind: 'inline'; markdown: string }
  | { kind: 'block'; fence: string; content: string; note?: string }

function assemble(issue: SentryIssue, marker: string, message: MessagePart): string {
  const heading =
    escapeInline(issue.title, LIMITS.heading) || inlineOrNone(issue.shortId, LIMITS.shortId)
  const lines: string[] = [
    marker,
    '',
    `## ${heading}`,
    '',
    `- **Sentry issue:** ${permalinkMarkdown(issue.permalink)}`,
    `- **Error type:** ${inlineOrNone(issue.metadata.type, LIMITS.errorType)}`,
    `- **Location:** ${inlineOrNone(location(issue), LIMITS.location)}`
  ]
  if (message.kind === 'inline') {
    lines.push(`- **Message:** ${message.markdown}`)
  } else {
    const { fence, content, note } = message
    const body = content === '' || content.endsWith('\n') ? content : `${content}\n`
    lines.push('', note === undefined ? '**Message:**' : `**Message** ${note}:`, '', `${fence}text`)
    lines.push(`${body}${fence}`)
  }
  lines.push(
    '',
    ...table([
      ['Events', formatCount(issue.count)],
      ['Users affected', formatCount(issue.userCount)],
      ['First seen', inlineOrNone(issue.firstSeen, LIMITS.date)],
      ['Last seen', inlineOrNone(issue.lastSeen, LIMITS.date)],
      ['Project', projectCell(issue)],
      ['Short ID', inlineOrNone(issue.shortId, LIMITS.shortId)],
      ['Level', inlineOrNone(issue.level, LIMITS.enumValue)],
      ['Status', statusCell(issue)]
    ]),
    '',
    '---',
    '',
    FOOTER,
    ''
  )
  return lines.join('\n')
}

export function renderBody(issue: SentryIssue, ctx: RenderContext): string {
  const marker = renderMarker({ org: ctx.org, issueId: issue.id })
  const raw = messageText(issue)
  // Leading blank lines and trailing whitespace carry nothing; leading spaces may be indentation.
  const full = escapeCode(raw).content.replace(/^\n+/u, '').trimEnd()
  const trimmed = full.trim()

  if (!trimmed.includes('\n') && codePointLength(trimmed) <= INLINE_MESSAGE_MAX) {
    const markdown = escapeInline(trimmed, INLINE_MESSAGE_MAX)
    return assemble(issue, marker, { kind: 'inline', markdown: markdown === '' ? NONE : markdown })
  }

  // Multi-line or long: a fenced block. If the body is too long, cut the message (never the
  // marker or the structure) and say so; recompute the fence, which can only get shorter.
  let content = full
  let note: string | undefined
  for (let attempt = 0; attempt < 8; attempt++) {
    const body = assemble(issue, marker, { kind: 'block', ...escapeCode(content), note })
    if (body.length <= MAX_BODY_LENGTH) return body
    const excess = body.length - MAX_BODY_LENGTH
    content = truncateCodeUnits(content, content.length - excess - 256, '')
    note =
      `(truncated, showing the first ${formatCount(codePointLength(content))} of ` +
      `${formatCount(codePointLength(full))} characters)`
  }
  // Unreachable with the field caps above; keep the body valid regardless.
  return assemble(issue, marker, {
    kind: 'block',
    ...escapeCode(''),
    note: '(truncated, omitted because the issue is too large)'
  })
}

/** Unique, non-empty labels in order: the tracking label first. */
function uniqueLabels(labels: string[]): string[] {
  return [...new Set(labels.filter((l) => l.trim() !== ''))]
}

export function renderIssue(issue: SentryIssue, ctx: RenderContext): RenderedIssue {
  return {
    title: renderTitle(issue),
    body: renderBody(issue, ctx),
    labels: uniqueLabels([ctx.trackingLabel, ...ctx.labels])
  }
}

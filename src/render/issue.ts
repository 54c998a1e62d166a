import { formatCount, statsBlockFor } from './stats-block.js'
import { renderMarker } from '../plan/marker.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import type { CodeLinker } from './code-links.js'
import { renderEventParts, type EventSectionParts } from './event.js'
import { renderOwners, renderSeer, renderTagBreakdown, type IssueSignals } from './signals.js'
import { renderSuspectCommit, type SuspectCommit } from './suspect.js'
import {
  codeBlockMarkdown,
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
 * `escapeInline`, the message (when it is long or spans lines) goes into a code block via
 * `escapeCode` and `codeBlockMarkdown` (fenced, or `<pre>` when it holds `<!--`), the title
 * through `sanitizeTitle`. The only raw constructs in the body are the ones written here: the
 * marker on line 1, the heading, the list, the table, the footer, and a link to the permalink
 * when `safeLinkUrl` accepts it. With the issue's latest event, the body also
 * holds its section (see event.ts: exception, stack trace, tags).
 *
 * Size: a body never exceeds GitHub's 65,536 characters. When it would, the stack trace loses
 * frames first (down to none, and says so), then the message is cut (and says so); the marker and
 * the structure are never cut.
 */

/** GitHub rejects issue bodies longer than this (characters); we count UTF-16 code units. */
export const MAX_BODY_LENGTH = 65536
/** GitHub rejects issue titles longer than this; we count UTF-16 code units. */
export const MAX_TITLE_LENGTH = 256

export const TITLE_PREFIX = '🐛 Sentry: '

export interface RenderContext {
  /** Sentry organisation slug (goes into the marker; must match ORG_SLUG_PATTERN). */
  org: string
  /** The canonical Sentry host for the marker (see canonicalSentryHost); default sentry.io. */
  sentryHost?: string | undefined
  /** The Sentry installation, recorded in the stats block (see installationOf in plan/marker.ts). */
  installation?: string | undefined
  /**
   * The priority label the new issue gets from the priority rules (null: none), recorded in the
   * stats block so later runs know what they applied. Undefined when no rules are set.
   */
  priorityLabel?: string | null | undefined
  /** The label that marks issues managed by the action. */
  trackingLabel: string
  /** Extra labels to add. */
  labels: string[]
  /** The issue's latest event: adds the event section (exception, stack trace, key tags). */
  event?: SentryEvent | undefined
  /** Stack frames shown at most (default 20); 0 leaves the stack trace out. */
  maxFrames?: number | undefined
  /** Links stack frames to the repository's source. */
  codeLinks?: CodeLinker | undefined
  /** Sentry's signals: suggested owners, Seer's root cause, tag breakdown (see signals.ts). */
  signals?: IssueSignals | undefined
  /** The commit that last changed the top in-app line (see suspect.ts). */
  suspect?: SuspectCommit | undefined
}

/** Frames shown when `maxFrames` is not given (the `max-frames` input's default). */
export const DEFAULT_MAX_FRAMES = 20

export interface RenderedIssue {
  title: string
  body: string
  labels: string[]
}

/** Source-length caps (code points) for one-line fields, so they cannot crowd out the message. */
export const LIMITS = {
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
export const INLINE_MESSAGE_MAX = 300

export const NONE = '—'

export const FOOTER =
  '_Created by sentry-issues-action. The hidden first line of this description links the issue ' +
  'to Sentry: keep it when editing._'

export function renderTitle(issue: SentryIssue): string {
  const room = MAX_TITLE_LENGTH - TITLE_PREFIX.length
  let title = sanitizeTitle(issue.title, room)
  if (title === '') title = sanitizeTitle(issue.shortId, room)
  if (title === '') title = 'Untitled issue'
  return TITLE_PREFIX + title
}

export function inlineOrNone(value: string | null | undefined, max: number): string {
  const escaped = value == null ? '' : escapeInline(value, max)
  return escaped === '' ? NONE : escaped
}

export { formatCount }

export function permalinkMarkdown(permalink: string): string {
  const href = safeLinkUrl(permalink)
  if (href !== undefined) return `[Open in Sentry](<${href}>)`
  return inlineOrNone(permalink, LIMITS.permalinkText)
}

export function location(issue: SentryIssue): string | undefined {
  if (issue.culprit != null && issue.culprit.trim() !== '') return issue.culprit
  const { function: fn, filename } = issue.metadata
  if (fn && filename) return `${fn} in ${filename}`
  return fn || filename || undefined
}

export function projectCell(issue: SentryIssue): string {
  const slug = inlineOrNone(issue.project.slug, LIMITS.project)
  const name = issue.project.name == null ? '' : escapeInline(issue.project.name, LIMITS.project)
  return name !== '' && name !== slug ? `${name} (${slug})` : slug
}

function table(rows: Array<[string, string]>): string[] {
  return ['| Field | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)]
}

/** The message shown in the body: metadata.value, or the title when there is none. */
export function messageText(issue: SentryIssue): string {
  const value = issue.metadata.value
  return value != null && value.trim() !== '' ? value : issue.title
}

/** How the message appears: inline in the list, or as a block after it. */
export type MessagePart =
  | { kind: 'inline'; markdown: string }
  | { kind: 'block'; fence: string; content: string; note?: string }

function assemble(
  issue: SentryIssue,
  marker: string,
  message: MessagePart,
  stats: string,
  eventSection = '',
  signals: IssueSignals | undefined = undefined,
  suspect = ''
): string {
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
  if (suspect !== '') lines.push(`- **Suspect commit:** ${suspect}`)
  const owners = renderOwners(signals?.owners)
  if (owners !== '') lines.push(`- **Suggested owners:** ${owners}`)
  if (message.kind === 'inline') {
    lines.push(`- **Message:** ${message.markdown}`)
  } else {
    const { note } = message
    lines.push('', note === undefined ? '**Message:**' : `**Message** ${note}:`, '')
    lines.push(codeBlockMarkdown(message, 'text'))
  }
  lines.push(
    '',
    ...table([
      ['First seen', inlineOrNone(issue.firstSeen, LIMITS.date)],
      ['Project', projectCell(issue)],
      ['Short ID', inlineOrNone(issue.shortId, LIMITS.shortId)]
    ]),
    '',
    // The living part: later runs rewrite only what is between its two delimiter lines.
    stats,
    '',
    ...(eventSection === '' ? [] : [eventSection, '']),
    ...[renderTagBreakdown(signals?.tags), renderSeer(signals?.seer)].flatMap((block) =>
      block === '' ? [] : [block, '']
    ),
    '---',
    '',
    FOOTER,
    ''
  )
  return lines.join('\n')
}

/** What a new issue's stats block remembers from the render context. */
export function blockMemory(ctx: RenderContext): { label?: string | null; installation?: string } {
  return {
    ...(ctx.priorityLabel !== undefined ? { label: ctx.priorityLabel } : {}),
    ...(ctx.installation !== undefined ? { installation: ctx.installation } : {})
  }
}

export function renderBody(issue: SentryIssue, ctx: RenderContext): string {
  return fitBody(issue, ctx, (parts) =>
    assemble(
      issue,
      parts.marker,
      parts.message,
      statsBlockFor(issue, ctx.event, blockMemory(ctx)),
      parts.event?.section ?? '',
      ctx.signals,
      renderSuspectCommit(ctx.suspect)
    )
  )
}

/** What a body is made of, once the size budget has been applied. */
export interface BodyParts {
  /** The marker line (line 1 of every body). */
  marker: string
  /** The message: inline, or a fenced block (cut, with a note, when the body was too long). */
  message: MessagePart
  /** The latest event's section and its parts; undefined without an event. */
  event?: EventSectionParts | undefined
}

/**
 * Builds a body with `compose` and keeps it within GitHub's limit: first with everything, then
 * with fewer stack frames (the most that fit, possibly none), then with the message cut. Any
 * `compose` works (the default layout, or a body template); the trimming order is the same.
 */
export function fitBody(
  issue: SentryIssue,
  ctx: RenderContext,
  compose: (parts: BodyParts) => string
): string {
  const marker = renderMarker({
    ...(ctx.sentryHost !== undefined ? { host: ctx.sentryHost } : {}),
    org: ctx.org,
    issueId: issue.id
  })
  const raw = messageText(issue)
  // Leading blank lines and trailing whitespace carry nothing; leading spaces may be indentation.
  const full = escapeCode(raw).content.replace(/^\n+/u, '').trimEnd()
  const trimmed = full.trim()
  const inline = !trimmed.includes('\n') && codePointLength(trimmed) <= INLINE_MESSAGE_MAX
  const fullMessage: MessagePart = inline
    ? { kind: 'inline', markdown: escapeInline(trimmed, INLINE_MESSAGE_MAX) || NONE }
    : { kind: 'block', ...escapeCode(full) }

  const event = ctx.event
  const maxFrames = Math.max(0, Math.floor(ctx.maxFrames ?? DEFAULT_MAX_FRAMES))
  const eventOpts = { maxFrames, codeLinks: ctx.codeLinks }
  const sectionWith = (frames: number, trimmedForSize: boolean): EventSectionParts | undefined =>
    event === undefined ? undefined : renderEventParts(event, eventOpts, { frames, trimmedForSize })
  const build = (message: MessagePart, section: EventSectionParts | undefined): string =>
    compose({ marker, message, ...(section === undefined ? {} : { event: section }) })

  // 1. Everything.
  let section = sectionWith(maxFrames, false)
  let body = build(fullMessage, section)
  if (body.length <= MAX_BODY_LENGTH) return body

  // 2. Fewer frames: the most that fit with the whole message (binary search), else none.
  const shown = section?.frames.shown ?? 0
  if (shown > 0) {
    let lo = 0
    let hi = shown - 1
    let best: string | undefined
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2)
      const candidate = build(fullMessage, sectionWith(mid, true))
      if (candidate.length <= MAX_BODY_LENGTH) {
        best = candidate
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    if (best !== undefined) return best
    section = sectionWith(0, true)
    body = build(fullMessage, section)
    if (body.length <= MAX_BODY_LENGTH) return body
  }

  // 3. Cut the message (never the marker or the structure) and say so; recompute the fence,
  //    which can only get shorter.
  if (fullMessage.kind === 'block') {
    let content = full
    for (let attempt = 0; attempt < 12; attempt++) {
      const excess = body.length - MAX_BODY_LENGTH
      content = truncateCodeUnits(content, Math.max(0, content.length - excess - 256), '')
      const note =
        `(truncated, showing the first ${formatCount(codePointLength(content))} of ` +
        `${formatCount(codePointLength(full))} characters)`
      body = build({ kind: 'block', ...escapeCode(content), note }, section)
      if (body.length <= MAX_BODY_LENGTH) return body
      if (content === '') break
    }
    body = build(
      {
        kind: 'block',
        ...escapeCode(''),
        note: '(truncated, omitted because the issue is too large)'
      },
      section
    )
    if (body.length <= MAX_BODY_LENGTH) return body
  }

  // 4. Unreachable with the default layout and the field caps; a template could still repeat
  //    values beyond the limit. Cut at a line boundary and say so.
  return cutToLimit(body)
}

const CUT_NOTE = "\n\n_This description was cut to fit GitHub's size limit._\n"

/** The body cut at the last line break that leaves room for a note (the marker line is kept). */
function cutToLimit(body: string): string {
  const room = MAX_BODY_LENGTH - CUT_NOTE.length
  const head = truncateCodeUnits(body, room, '')
  const lastBreak = head.lastIndexOf('\n')
  const firstBreak = body.indexOf('\n')
  const cut = lastBreak > firstBreak ? head.slice(0, lastBreak) : head
  return cut + CUT_NOTE
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

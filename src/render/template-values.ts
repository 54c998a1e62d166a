import type { SentryIssue } from '../sentry/schemas.js'
import { eventExceptions, eventTag } from '../sentry/schemas.js'
import { codeBlockMarkdown, escapeInline, safeLinkUrl, sanitizeTitle } from './escape.js'
import { eventRelease } from './event.js'
import {
  INLINE_MESSAGE_MAX,
  LIMITS,
  MAX_TITLE_LENGTH,
  blockMemory,
  formatCount,
  location,
  messageText,
  permalinkMarkdown,
  projectCell,
  type BodyParts,
  type RenderContext
} from './issue.js'
import { renderOwners, renderSeer, renderTagBreakdown } from './signals.js'
import { statsBlockFor } from './stats-block.js'
import { renderSuspectCommit } from './suspect.js'
import { TAG_VARIABLE, type TemplateKind } from './template-variables.js'

/**
 * The values a template's variables take for a Sentry issue: escaped for Markdown in bodies
 * (`escapeInline`, the renderer's own sections), plain text with `sanitizeTitle` in titles.
 */

export type Values = Map<string, string>

export function esc(value: string | null | undefined, max: number): string {
  return value == null ? '' : escapeInline(value, max)
}

export function plain(value: string | null | undefined): string {
  return value == null ? '' : sanitizeTitle(value, MAX_TITLE_LENGTH)
}

/** A URL for a link destination or text: safeLinkUrl's, with table and math characters encoded. */
function permalinkValue(permalink: string): string {
  const href = safeLinkUrl(permalink)
  if (href === undefined) return ''
  return href.replace(/[|$[\]*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

export function bodyValues(issue: SentryIssue, ctx: RenderContext, parts: BodyParts): Values {
  const event = ctx.event
  const message = parts.message
  const slug = esc(issue.project.slug, LIMITS.project)
  const name = esc(issue.project.name, LIMITS.project)
  const values: Values = new Map([
    ['title', esc(issue.title, LIMITS.heading)],
    ['shortId', esc(issue.shortId, LIMITS.shortId)],
    ['permalink', permalinkValue(issue.permalink)],
    ['sentryLink', permalinkMarkdown(issue.permalink)],
    ['errorType', esc(issue.metadata.type, LIMITS.errorType)],
    [
      'message',
      message.kind === 'inline'
        ? message.markdown === '—'
          ? ''
          : message.markdown
        : esc(messageText(issue), INLINE_MESSAGE_MAX)
    ],
    ['messageBlock', message.kind === 'block' ? codeBlockMarkdown(message, 'text') : ''],
    ['messageNote', message.kind === 'block' ? (message.note ?? '') : ''],
    ['culprit', esc(location(issue), LIMITS.location)],
    ['events', formatCount(issue.count)],
    ['users', formatCount(issue.userCount)],
    ['firstSeen', esc(issue.firstSeen, LIMITS.date)],
    ['lastSeen', esc(issue.lastSeen, LIMITS.date)],
    ['project', slug === '' && name === '' ? '' : projectCell(issue)],
    ['projectSlug', slug],
    ['projectName', name],
    ['level', esc(issue.level, LIMITS.enumValue)],
    ['status', esc(issue.status, LIMITS.enumValue)],
    ['substatus', esc(issue.substatus, LIMITS.enumValue)],
    ['priority', esc(issue.priority, LIMITS.enumValue)],
    ['platform', esc(issue.platform, LIMITS.enumValue)],
    ['release', event ? esc(eventRelease(event), 200) : ''],
    ['environment', event ? esc(eventTag(event, 'environment'), 200) : ''],
    ['exception', parts.event?.exception ?? ''],
    ['eventDate', esc(event?.dateCreated, LIMITS.date)],
    ['suspectCommit', renderSuspectCommit(ctx.suspect)],
    ['stackTrace', parts.event?.stackTrace ?? ''],
    ['eventTags', parts.event?.tagsTable ?? ''],
    ['eventSection', parts.event?.section ?? ''],
    ['stats', statsBlockFor(issue, event, blockMemory(ctx))],
    ['suggestedOwners', renderOwners(ctx.signals?.owners)],
    ['tagBreakdown', renderTagBreakdown(ctx.signals?.tags)],
    ['seerSection', renderSeer(ctx.signals?.seer)]
  ])
  return values
}

export function titleValues(issue: SentryIssue, ctx: RenderContext): Values {
  const event = ctx.event
  const exception = event ? titleException(event) : ''
  return new Map([
    ['title', plain(issue.title)],
    ['shortId', plain(issue.shortId)],
    ['errorType', plain(issue.metadata.type)],
    ['message', plain(messageText(issue))],
    ['culprit', plain(location(issue))],
    ['events', formatCount(issue.count)],
    ['users', formatCount(issue.userCount)],
    ['firstSeen', plain(issue.firstSeen)],
    ['lastSeen', plain(issue.lastSeen)],
    ['project', plain(issue.project.name || issue.project.slug)],
    ['projectSlug', plain(issue.project.slug)],
    ['projectName', plain(issue.project.name)],
    ['level', plain(issue.level)],
    ['status', plain(issue.status)],
    ['substatus', plain(issue.substatus)],
    ['priority', plain(issue.priority)],
    ['platform', plain(issue.platform)],
    ['release', event ? plain(eventRelease(event)) : ''],
    ['environment', event ? plain(eventTag(event, 'environment')) : ''],
    ['exception', exception],
    ['eventDate', plain(event?.dateCreated)]
  ])
}

function titleException(event: NonNullable<RenderContext['event']>): string {
  const exceptions = eventExceptions(event)
  const raised = exceptions[exceptions.length - 1]
  const type = raised?.type ?? ''
  const value = raised?.value ?? ''
  return plain(type && value ? `${type}: ${value}` : type || value)
}

export function valueOf(
  name: string,
  values: Values,
  ctx: RenderContext,
  kind: TemplateKind
): string {
  const tag = TAG_VARIABLE.exec(name)
  if (tag?.[1] !== undefined) {
    const raw = ctx.event ? eventTag(ctx.event, tag[1]) : undefined
    return kind === 'title' ? plain(raw) : esc(raw, 200)
  }
  return values.get(name) ?? ''
}

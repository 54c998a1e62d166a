import { escapeInline } from './escape.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { eventRelease } from './event.js'

/**
 * The living stats block: the part of an issue body the action rewrites on later runs. It sits
 * between two hidden delimiter lines; nothing outside them is ever touched, so people can edit
 * the rest of the body freely.
 *
 *     <!-- sentry-stats:start status=unresolved -->
 *     | | |
 *     …
 *     <!-- sentry-stats:end -->
 *
 * The start line also records the last Sentry status the action saw (a closed set of lower-case
 * words), which lets later runs tell a regression or a deletion from a steady state without any
 * other memory. Sentry text inside the block is escaped like everywhere else, so it can never
 * contain `<!--` and cannot forge either delimiter.
 */

const START = /^<!-- sentry-stats:start status=([a-z_]+) -->$/
export const STATS_END = '<!-- sentry-stats:end -->'

/** Statuses the block records: Sentry's, plus `deleted` for an issue Sentry no longer has. */
export type RecordedStatus = string

export interface StatsSnapshot {
  events: number
  users: number
  lastSeen: string | null | undefined
  level: string | null | undefined
  priority: string | null | undefined
  status: RecordedStatus
  substatus: string | null | undefined
  /** The release to show; undefined keeps whatever the block already shows. */
  release?: string | null
}

export function snapshotOf(issue: SentryIssue, release?: string | null): StatsSnapshot {
  return {
    events: issue.count,
    users: issue.userCount,
    lastSeen: issue.lastSeen,
    level: issue.level,
    priority: issue.priority,
    status: normaliseStatus(issue.status),
    substatus: issue.substatus,
    ...(release !== undefined
      ? { release }
      : issue.statusDetails?.inRelease
        ? { release: issue.statusDetails.inRelease }
        : {})
  }
}

/** The block for a new issue: the release comes from its latest event, when there is one. */
export function statsBlockFor(issue: SentryIssue, event?: SentryEvent): string {
  const release = event ? eventRelease(event) : undefined
  return renderStatsBlock(snapshotOf(issue, release ?? undefined))
}

export function normaliseStatus(status: string): RecordedStatus {
  return /^[a-z_]{1,40}$/.test(status) ? status : 'unknown'
}

const NONE = '—'

function cell(value: string | null | undefined, max = 120): string {
  const text = value == null ? '' : escapeInline(value, max)
  return text === '' ? NONE : text
}

/** A count as people read it (1,234); also keeps large counts from looking like commit SHAs. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : NONE
}

/** The block's release line, kept verbatim when a run does not know the release. */
const RELEASE_ROW = /^\| Release \| .* \|$/

export function renderStatsBlock(s: StatsSnapshot, previousReleaseRow?: string): string {
  const status = s.substatus
    ? `${cell(s.status, 40)} (${cell(s.substatus, 40)})`
    : cell(s.status, 40)
  const releaseRow =
    s.release !== undefined
      ? `| Release | ${cell(s.release, 200)} |`
      : (previousReleaseRow ?? `| Release | ${NONE} |`)
  return [
    `<!-- sentry-stats:start status=${normaliseStatus(s.status)} -->`,
    '| Live from Sentry | |',
    '| --- | --- |',
    `| Events | ${formatCount(s.events)} |`,
    `| Users affected | ${formatCount(s.users)} |`,
    `| Last seen | ${cell(s.lastSeen, 40)} |`,
    `| Level | ${cell(s.level, 40)} |`,
    `| Priority | ${cell(s.priority, 40)} |`,
    `| Status | ${status} |`,
    releaseRow,
    STATS_END
  ].join('\n')
}

export interface FoundBlock {
  /** Character offsets of the block (start line through end line) in the body. */
  start: number
  end: number
  text: string
  recordedStatus: RecordedStatus
  releaseRow?: string
}

/** Finds the block: a start line and the next end line, each a whole line of the body. */
export function findStatsBlock(body: string | null | undefined): FoundBlock | undefined {
  if (!body) return undefined
  let offset = 0
  const lines = body.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '')
    const match = START.exec(line)
    if (match?.[1]) {
      let endOffset = offset + (lines[i] ?? '').length + 1
      for (let j = i + 1; j < lines.length; j++) {
        const inner = (lines[j] ?? '').replace(/\r$/, '')
        if (inner === STATS_END) {
          const end = endOffset + inner.length
          const text = body.slice(offset, end)
          const releaseRow = text
            .split('\n')
            .map((l) => l.replace(/\r$/, ''))
            .find((l) => RELEASE_ROW.test(l))
          return {
            start: offset,
            end,
            text,
            recordedStatus: match[1],
            ...(releaseRow ? { releaseRow } : {})
          }
        }
        if (START.test(inner)) break
        endOffset += (lines[j] ?? '').length + 1
      }
    }
    offset += (lines[i] ?? '').length + 1
  }
  return undefined
}

/** The body with its block replaced, every other byte unchanged; undefined if it has no block. */
export function replaceStatsBlock(body: string, block: string): string | undefined {
  const found = findStatsBlock(body)
  if (!found) return undefined
  return body.slice(0, found.start) + block + body.slice(found.end)
}

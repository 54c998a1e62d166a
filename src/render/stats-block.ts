import { escapeInline } from './escape.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { eventRelease } from './event.js'
import { groupDigits } from './numbers.js'

/**
 * The living stats block: the part of an issue body the action rewrites on later runs. It sits
 * between two hidden delimiter lines; nothing outside them is ever touched, so people can edit
 * the rest of the body freely.
 *
 *     <!-- sentry-stats:start status=unresolved project=42 label=sentry%3Ahigh -->
 *     | | |
 *     …
 *     <!-- sentry-stats:end -->
 *
 * The start line is the action's memory of the issue, so later runs need no other state:
 * - `status`: the last Sentry status the action saw (a regression or a deletion is a change of it);
 * - `project`: the Sentry project id (runs syncing other projects leave the issue alone);
 * - `label`: the priority label the action last applied (`-` for none), so a label a person
 *   changed stays until the rule moves to another level;
 * - `closed`: `completed` / `not_planned` / `duplicate` when the action closed the issue (open
 *   again with Sentry as recorded means a person reopened it: nothing is written to say so),
 *   `undone` when a person's reopen met a change in Sentry (the reopen stands until Sentry's next
 *   change), `reopened` when the action reopened it itself;
 * - `n`: the lifetime event count when the action closed it (more events later mean the issue
 *   came back and was resolved anew between two runs);
 * - `org`: the Sentry installation, as the organisation's numeric id and creation time
 *   (`{id}.{epoch ms}`, see `installationOf` in plan/marker.ts): the same installation under
 *   another URL keeps its issues, another one with colliding slugs and ids never takes them.
 * Values are lower-case words, digits or percent-encoded text. Sentry text inside the block is
 * escaped like everywhere else, so it can never contain `<!--` and cannot forge either delimiter.
 *
 * Figures are shown at the precision a reader needs (two significant digits, last seen by day),
 * so steady traffic does not rewrite the issue on every run: a write happens when what a reader
 * sees changes.
 */

const START = /^<!-- sentry-stats:start((?: [a-z]+=[A-Za-z0-9%._~!*'()-]+)+) -->$/
export const STATS_END = '<!-- sentry-stats:end -->'

/** Statuses the block records: Sentry's, plus `deleted` for an issue Sentry no longer has. */
export type RecordedStatus = string

export type ClosedByAction = 'completed' | 'not_planned' | 'duplicate' | 'undone' | 'reopened'

/** What the start line remembers (see above). Absent fields were not recorded. */
export interface BlockMemory {
  status: RecordedStatus
  project?: string
  /** The priority label last applied; null when the rules gave none. Undefined: not recorded. */
  label?: string | null
  closed?: ClosedByAction
  events?: number
  /** The Sentry installation (`{organisation id}.{creation time, epoch ms}`). */
  installation?: string
  /** The assignees both tools last agreed on (sync-assignees; see plan/assignees.ts). */
  assignees?: AssigneeMemory
  /** The comment counts when comments were last synced (sync-comments; see sync/comments.ts). */
  comments?: CommentMemory
}

/**
 * What the start line remembers of the comments (`nc=2 gc=5 sn=1765170000123 gn=1765170000000`):
 * the counts, and the newest note and comment seen (epoch ms, each by its own server's clock).
 */
export interface CommentMemory {
  /** Sentry's `numComments`. */
  nc: number
  /** GitHub's `comments`. */
  gc: number
  /** The newest Sentry note seen: later ones are new. */
  sn: number
  /** The newest GitHub comment seen: ones from then on are new (GitHub times are by the second). */
  gn: number
}

/** What the start line remembers of the assignees (`sa=u101 ga=octocat.hubot gm=octocat`). */
export interface AssigneeMemory {
  /** The Sentry assignee: `u<id>`, `t<id>`, `-` for none. */
  sa: string
  /** The GitHub assignees' logins (`-` in the line for none). */
  ga: string[]
  /** The login that stood for Sentry's assignee (`-` for none). */
  gm: string
}

const SENTRY_ASSIGNEE = /^(?:[ut][0-9]{1,20}|-)$/
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/

const INSTALLATION_PATTERN = /^[0-9]{1,20}\.[0-9]{1,15}$/

const CLOSED_VALUES = new Set<string>([
  'completed',
  'not_planned',
  'duplicate',
  'undone',
  'reopened'
])

export function renderStartLine(memory: BlockMemory): string {
  const parts = [`status=${normaliseStatus(memory.status)}`]
  if (memory.project !== undefined && /^[0-9]{1,20}$/.test(memory.project)) {
    parts.push(`project=${memory.project}`)
  }
  if (memory.label !== undefined) {
    parts.push(`label=${memory.label === null ? '-' : encodeLabel(memory.label)}`)
  }
  if (memory.closed !== undefined) parts.push(`closed=${memory.closed}`)
  if (memory.events !== undefined && Number.isSafeInteger(memory.events) && memory.events >= 0) {
    parts.push(`n=${memory.events}`)
  }
  if (memory.installation !== undefined && INSTALLATION_PATTERN.test(memory.installation)) {
    parts.push(`org=${memory.installation}`)
  }
  const a = memory.assignees
  if (
    a &&
    SENTRY_ASSIGNEE.test(a.sa) &&
    a.ga.length <= 20 &&
    a.ga.every((l) => LOGIN.test(l)) &&
    (a.gm === '-' || LOGIN.test(a.gm))
  ) {
    parts.push(`sa=${a.sa}`, `ga=${a.ga.length > 0 ? a.ga.join('.') : '-'}`, `gm=${a.gm}`)
  }
  const c = memory.comments
  if (c && [c.nc, c.gc, c.sn, c.gn].every((n) => Number.isSafeInteger(n) && n >= 0)) {
    parts.push(`nc=${c.nc}`, `gc=${c.gc}`, `sn=${c.sn}`, `gn=${c.gn}`)
  }
  return `<!-- sentry-stats:start ${parts.join(' ')} -->`
}

/** Percent-encodes a label name so it fits the start line (`-` alone is kept for "none"). */
function encodeLabel(label: string): string {
  const encoded = encodeURIComponent(label).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
  return encoded === '-' ? '%2D' : encoded
}

export function parseStartLine(line: string): BlockMemory | undefined {
  const match = START.exec(line)
  if (!match?.[1]) return undefined
  const attrs = new Map<string, string>()
  for (const pair of match[1].trim().split(' ')) {
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq)
    if (!attrs.has(name)) attrs.set(name, pair.slice(eq + 1))
  }
  const status = attrs.get('status')
  if (status === undefined || !/^[a-z_]{1,40}$/.test(status)) return undefined
  const memory: BlockMemory = { status }
  const project = attrs.get('project')
  if (project !== undefined && /^[0-9]{1,20}$/.test(project)) memory.project = project
  const label = attrs.get('label')
  if (label === '-') memory.label = null
  else if (label !== undefined) {
    try {
      memory.label = decodeURIComponent(label)
    } catch {
      // An undecodable value was not written by the action: treat it as not recorded.
    }
  }
  const closed = attrs.get('closed')
  if (closed !== undefined && CLOSED_VALUES.has(closed)) memory.closed = closed as ClosedByAction
  const events = attrs.get('n')
  if (events !== undefined && /^[0-9]{1,15}$/.test(events)) memory.events = Number(events)
  const installation = attrs.get('org')
  if (installation !== undefined && INSTALLATION_PATTERN.test(installation)) {
    memory.installation = installation
  }
  const sa = attrs.get('sa')
  const ga = attrs.get('ga')
  const gm = attrs.get('gm')
  if (sa !== undefined && ga !== undefined && gm !== undefined && SENTRY_ASSIGNEE.test(sa)) {
    const logins = ga === '-' ? [] : ga.split('.')
    if (logins.every((l) => LOGIN.test(l)) && (gm === '-' || LOGIN.test(gm))) {
      memory.assignees = { sa, ga: logins, gm }
    }
  }
  const [nc, gc, sn, gn] = ['nc', 'gc', 'sn', 'gn'].map((k) => attrs.get(k))
  if ([nc, gc, sn, gn].every((v) => v !== undefined && /^[0-9]{1,15}$/.test(v))) {
    memory.comments = { nc: Number(nc), gc: Number(gc), sn: Number(sn), gn: Number(gn) }
  }
  return memory
}

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
export function statsBlockFor(
  issue: SentryIssue,
  event?: SentryEvent,
  memory: Omit<BlockMemory, 'status'> = {}
): string {
  const release = event ? eventRelease(event) : undefined
  return renderStatsBlock(snapshotOf(issue, release ?? undefined), undefined, {
    project: issue.project.id,
    ...memory
  })
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
  return Number.isFinite(n) ? groupDigits(n) : NONE
}

/** Steps of the reader's precision within each power of ten (×10): about a fifth apart. */
const STEPS = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80] as const

/** The largest step at or below `n` (n ≥ 10), and the next step above it. */
function stepsAround(n: number): { floor: number; next: number } {
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1)
  let floor = 10 * unit
  let next = 100 * unit
  for (const step of STEPS) {
    if (step * unit <= n) floor = step * unit
    else {
      next = step * unit
      break
    }
  }
  return { floor, next }
}

/**
 * A count at the precision a reader needs, events and users alike: exact below 10, else "at
 * least" the step at or below it, steps about a fifth apart (10+, 12+, 15+, 20+, 25+, 30+, 40+,
 * 50+, 60+, 80+, 100+, …; 1,234 → "1,200+", 1,200 too). So a figure changes when it grows by
 * about a fifth, not with every event or every few users, and not back and forth as a count lands
 * on a step and passes it.
 */
export function roughCount(n: number): string {
  if (!Number.isFinite(n)) return NONE
  if (n < 10) return formatCount(n)
  return `${formatCount(stepsAround(n).floor)}+`
}

/**
 * Whether a count row's text still tells `n` at the reader's precision, so a block written by an
 * earlier rule (exact below 100, two significant digits above) is left as it is until the figure
 * really moves: an exact value while it is the count; "L+" while L ≤ n and n has not reached the
 * step above L.
 */
export function stillShows(shown: string, n: number): boolean {
  const match = /^([0-9][0-9,]*)(\+?)$/.exec(shown)
  if (!match?.[1] || !Number.isFinite(n)) return false
  const value = Number(match[1].replaceAll(',', ''))
  if (match[2] !== '+') return value === n
  if (value < 10 || value > n) return false
  return n < stepsAround(value).next
}

/** A timestamp by day (`2026-11-30`, UTC), or the escaped text when it is not a date. */
export function dayOf(value: string | null | undefined): string {
  if (value == null || value === '') return NONE
  const time = Date.parse(value)
  if (Number.isNaN(time)) return cell(value, 40)
  return new Date(time).toISOString().slice(0, 10)
}

/** The block's release line, kept verbatim when a run does not know the release. */
const RELEASE_ROW = /^\| Release \| .* \|$/

/**
 * The block for a snapshot. With the block it replaces, a count row that still tells its figure
 * (`stillShows`) is kept as it is, and so is the release row when the snapshot has no release.
 */
export function renderStatsBlock(
  s: StatsSnapshot,
  previous?: Pick<FoundBlock, 'text' | 'releaseRow'>,
  memory: Omit<BlockMemory, 'status'> = {}
): string {
  const status = s.substatus
    ? `${cell(s.status, 40)} (${cell(s.substatus, 40)})`
    : cell(s.status, 40)
  const releaseRow =
    s.release !== undefined
      ? `| Release | ${cell(s.release, 200)} |`
      : (previous?.releaseRow ?? `| Release | ${NONE} |`)
  const countRow = (name: string, n: number): string => {
    const shown =
      previous && new RegExp(`^\\| ${name} \\| (.*) \\|\\r?$`, 'm').exec(previous.text)?.[1]
    return `| ${name} | ${shown !== undefined && stillShows(shown, n) ? shown : roughCount(n)} |`
  }
  return [
    renderStartLine({ ...memory, status: s.status }),
    '| Live from Sentry | |',
    '| --- | --- |',
    countRow('Events', s.events),
    countRow('Users affected', s.users),
    `| Last seen | ${dayOf(s.lastSeen)} |`,
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
  memory: BlockMemory
  releaseRow?: string
}

/** Finds the block: a start line and the next end line, each a whole line of the body. */
export function findStatsBlock(body: string | null | undefined): FoundBlock | undefined {
  if (!body) return undefined
  let offset = 0
  const lines = body.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '')
    const memory = line.startsWith('<!-- sentry-stats:start ') ? parseStartLine(line) : undefined
    if (memory) {
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
            recordedStatus: memory.status,
            memory,
            ...(releaseRow ? { releaseRow } : {})
          }
        }
        if (inner.startsWith('<!-- sentry-stats:start ') && parseStartLine(inner)) break
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

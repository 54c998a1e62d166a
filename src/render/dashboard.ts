import { escapeInline, safeLinkUrl } from './escape.js'
import { dayOf, formatCount, roughCount, stillShows } from './stats-block.js'

/**
 * The triage dashboard's text (pure): its hidden marker, the action's section and one task-list
 * line per Sentry issue. The section runs from the marker line to the end line; what a person
 * writes outside it is kept. Sentry text is escaped like everywhere else, so a title can never
 * write a marker, an item comment, a checkbox or a link of its own.
 *
 *     <!-- sentry-dashboard: 0123456789abcdef -->
 *     …header…
 *     - [ ] **API-7F** TypeError: x is undefined · **1,200+** events · **15+** users · last seen 2026-11-30 · [Sentry](<https://…>) <!-- sentry-dashboard-item: 4242 -->
 *     <!-- sentry-dashboard:end -->
 */

const MARKER_PREFIX = '<!-- sentry-dashboard: '
export const DASHBOARD_END = '<!-- sentry-dashboard:end -->'
/** At most this many lines are listed; the rest are counted. */
export const MAX_DASHBOARD_LINES = 50

export function dashboardMarker(id: string): string {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new Error(`Invalid dashboard id: ${JSON.stringify(id)}`)
  return `${MARKER_PREFIX}${id} -->`
}

/** The phrase a search for the dashboard looks for (in:body). */
export function dashboardSearchPhrase(id: string): string {
  return `sentry-dashboard: ${id}`
}

interface LineSpan {
  start: number
  end: number
  text: string
}

function* linesOf(body: string): Generator<LineSpan> {
  let start = 0
  while (start <= body.length) {
    const newline = body.indexOf('\n', start)
    const end = newline === -1 ? body.length : newline
    const raw = body.slice(start, end)
    yield { start, end, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw }
    if (newline === -1) return
    start = newline + 1
  }
}

/** Whether the body holds the dashboard's marker as a whole line. */
export function hasDashboardMarker(body: string | null | undefined, id: string): boolean {
  return findSection(body, id) !== undefined
}

/**
 * The action's section in a body: from the marker line to the end line (both included), or to the
 * end of the body when a person deleted the end line. Undefined without the marker line.
 */
export function findSection(
  body: string | null | undefined,
  id: string
): { start: number; end: number } | undefined {
  if (!body) return undefined
  const marker = dashboardMarker(id)
  let start: number | undefined
  for (const line of linesOf(body)) {
    if (start === undefined) {
      if (line.text === marker) start = line.start
    } else if (line.text === DASHBOARD_END) {
      return { start, end: line.end }
    }
  }
  return start === undefined ? undefined : { start, end: body.length }
}

/** One line the section lists, as a reader left it. */
export interface ListedLine {
  ticked: boolean
  /** The events and users figures it shows (for keeping them while they still tell the count). */
  events?: string
  users?: string
}

const ITEM_LINE = /^- \[([ xX])\] (.*) <!-- sentry-dashboard-item: ([1-9][0-9]{0,19}) -->$/
const FIGURES = / · \*\*([0-9][0-9,]*\+?)\*\* events · \*\*([0-9][0-9,]*\+?)\*\* users · /

/**
 * The lines of the dashboard's section, by Sentry issue id (none without the section). A section
 * whose marker line a person deleted still counts: the caller knows the issue is the dashboard.
 */
export function readSection(body: string | null | undefined, id: string): Map<string, ListedLine> {
  const lines = new Map<string, ListedLine>()
  const section = findSection(body, id) ?? unmarkedSection(body ?? '')
  if (!body || !section) return lines
  for (const line of linesOf(body.slice(section.start, section.end))) {
    const match = ITEM_LINE.exec(line.text)
    if (!match?.[1] || match[2] === undefined || !match[3]) continue
    const figures = FIGURES.exec(match[2])
    lines.set(match[3], {
      ticked: match[1] !== ' ',
      ...(figures?.[1] && figures[2] ? { events: figures[1], users: figures[2] } : {})
    })
  }
  return lines
}

/** The Sentry ids of the lines a person ticked. */
export function tickedIn(body: string | null | undefined, id: string): Set<string> {
  const ticked = new Set<string>()
  for (const [sentryId, line] of readSection(body, id)) if (line.ticked) ticked.add(sentryId)
  return ticked
}

/** The header's first line, as renderSection writes it. */
const HEADER_LINE = /^\*\*Sentry .* that have no GitHub issue yet\*\*, most events first\.$/

/**
 * The action's section when a person deleted only its marker line: from its header (or first item)
 * line to its end line, so the section is rewritten where it stands rather than added twice.
 */
function unmarkedSection(body: string): { start: number; end: number } | undefined {
  // Another dashboard's marker: that section is not this one's.
  if (/^<!-- sentry-dashboard: [0-9a-f]{16} -->\r?$/m.test(body)) return undefined
  let start: number | undefined
  for (const line of linesOf(body)) {
    if (start === undefined && (HEADER_LINE.test(line.text) || ITEM_LINE.test(line.text)))
      start = line.start
    else if (start !== undefined && line.text === DASHBOARD_END) return { start, end: line.end }
  }
  return undefined
}

/** A Sentry issue as a dashboard line shows it. */
export interface DashboardEntry {
  id: string
  shortId: string
  title: string
  count: number
  userCount: number
  lastSeen?: string | null
  permalink: string
}

export interface DashboardView {
  id: string
  /** The Sentry issues to list, most events first. */
  entries: readonly DashboardEntry[]
  /** Ids whose line stays ticked (a tick not acted on yet). */
  ticked: ReadonlySet<string>
  /** The lines the current section shows: figures that still tell their count are kept. */
  previous: ReadonlyMap<string, ListedLine>
  query: string
  minEvents: number
  minUsers: number
  maxNewIssues: number
  autoCreate: boolean
  /**
   * The most characters the section may take (default 60,000): GitHub refuses a body over 65,536,
   * and a person's text around the section counts too. Lines that do not fit are counted.
   */
  maxLength?: number
}

/** GitHub's limit on an issue body (as render/issue.ts keeps new issues within). */
const MAX_BODY_LENGTH = 65_536

/** The section's share of a body when nothing else is given. */
export const DEFAULT_SECTION_LENGTH = 60_000

/**
 * The room the section has in a body: what GitHub allows, less what a person wrote around the
 * section (and a margin), at most DEFAULT_SECTION_LENGTH.
 */
export function sectionRoom(body: string | null | undefined, id: string): number {
  const text = body ?? ''
  const span = findSection(text, id) ?? unmarkedSection(text)
  const outside = text.length - (span ? span.end - span.start : 0)
  return Math.min(DEFAULT_SECTION_LENGTH, MAX_BODY_LENGTH - outside - 16)
}

/** The action's section for a view (marker line to end line, no trailing line break). */
export function renderSection(view: DashboardView): string {
  const out = [dashboardMarker(view.id)]
  const query =
    view.query === '' ? 'every issue' : `issues matching ${escapeInline(view.query, 200)}`
  out.push(
    `**Sentry ${query} that have no GitHub issue yet**, most events first.`,
    '',
    view.autoCreate
      ? `New issues are filed on their own from ${formatCount(view.minEvents)} event(s) and ${formatCount(view.minUsers)} user(s), at most ${formatCount(view.maxNewIssues)} a run; the rest wait here.`
      : 'auto-create is off: nothing is filed on its own.',
    `Tick a line and the next run files it, whatever the thresholds (it counts toward max-new-issues, ${formatCount(view.maxNewIssues)} a run).`,
    ''
  )
  // The header, the footer ("…and N more.") and the end line: what every section needs.
  const reserved = out.join('\n').length + 200
  const shown = pickShown(view, (view.maxLength ?? DEFAULT_SECTION_LENGTH) - reserved)
  if (view.entries.length === 0) {
    out.push('_Nothing to triage: every Sentry issue the query matches has a GitHub issue._')
  }
  for (const { line } of shown) out.push(line)
  const more = view.entries.length - shown.length
  if (more > 0) out.push('', `…and ${formatCount(more)} more.`)
  out.push(DASHBOARD_END)
  return out.join('\n')
}

/**
 * The lines shown, most events first: every ticked one (the line cap never drops a tick), then the
 * others by events, at most MAX_DASHBOARD_LINES and `room` characters in all.
 */
function pickShown(
  view: DashboardView,
  room: number
): Array<{ entry: DashboardEntry; line: string }> {
  // An id is written into the line's comment: only Sentry's numeric ids are.
  const entries = view.entries.filter((e) => /^[1-9][0-9]{0,19}$/.test(e.id))
  const ticked = entries.filter((e) => view.ticked.has(e.id))
  const others = entries.filter((e) => !view.ticked.has(e.id))
  const kept = new Map<DashboardEntry, string>()
  let left = room
  for (const entry of [...ticked, ...others]) {
    if (kept.size >= MAX_DASHBOARD_LINES && !view.ticked.has(entry.id)) break
    const line = renderLine(entry, view)
    if (line.length + 1 > left) continue
    left -= line.length + 1
    kept.set(entry, line)
  }
  return entries.flatMap((entry) => {
    const line = kept.get(entry)
    return line === undefined ? [] : [{ entry, line }]
  })
}

function renderLine(entry: DashboardEntry, view: DashboardView): string {
  const before = view.previous.get(entry.id)
  const figure = (shown: string | undefined, n: number): string =>
    shown !== undefined && stillShows(shown, n) ? shown : roughCount(n)
  const url = safeLinkUrl(entry.permalink)
  const parts = [
    `**${escapeInline(entry.shortId, 100)}** ${escapeInline(entry.title, 200)}`,
    `**${figure(before?.events, entry.count)}** events`,
    `**${figure(before?.users, entry.userCount)}** users`,
    `last seen ${dayOf(entry.lastSeen)}`,
    ...(url ? [`[Sentry](<${url}>)`] : [])
  ]
  const box = view.ticked.has(entry.id) ? '[x]' : '[ ]'
  return `- ${box} ${parts.join(' · ')} <!-- sentry-dashboard-item: ${entry.id} -->`
}

/**
 * The body with the action's section replaced (or, when the body has none, appended below what a
 * person wrote). Everything outside the section stays as it is.
 */
export function withSection(body: string | null | undefined, id: string, section: string): string {
  const text = body ?? ''
  const found = findSection(text, id) ?? unmarkedSection(text)
  if (found) return text.slice(0, found.start) + section + text.slice(found.end)
  if (text.trim() === '') return section
  return `${text.replace(/\s+$/u, '')}\n\n${section}`
}

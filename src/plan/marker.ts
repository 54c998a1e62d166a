/**
 * The hidden marker that links a GitHub issue to one Sentry issue:
 *
 *     <!-- sentry-issue: {org}/{sentryIssueId} -->
 *
 * The action writes it as the first line of every issue body it creates, and only a marker in that
 * position counts. Text from Sentry is rendered further down the body (and escaped so that it can
 * never contain `<!--`), so it can neither forge a marker nor hide the real one.
 */

export const MARKER_PREFIX = '<!-- sentry-issue: '
const MARKER_SUFFIX = ' -->'

/** Sentry organisation slugs: lower-case letters, digits, `-` and `_`. */
export const ORG_SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/
const ISSUE_ID_PATTERN = /^[1-9][0-9]*$/
const MARKER_LINE = /^<!-- sentry-issue: ([a-z0-9][a-z0-9_-]*)\/([1-9][0-9]*) -->$/

export interface MarkerRef {
  org: string
  issueId: string
}

/** The key used in indexes and cached state: `org/issueId`. */
export function markerKey(ref: MarkerRef): string {
  return `${ref.org}/${ref.issueId}`
}

export function renderMarker(ref: MarkerRef): string {
  if (!ORG_SLUG_PATTERN.test(ref.org)) {
    throw new Error(`Invalid Sentry organization slug for a marker: ${JSON.stringify(ref.org)}`)
  }
  if (!ISSUE_ID_PATTERN.test(ref.issueId)) {
    throw new Error(`Invalid Sentry issue id for a marker: ${JSON.stringify(ref.issueId)}`)
  }
  return `${MARKER_PREFIX}${ref.org}/${ref.issueId}${MARKER_SUFFIX}`
}

/** The phrase a marker search looks for: every marker of `org` contains it. */
export function markerSearchPhrase(org: string): string {
  return `sentry-issue: ${org}/`
}

/**
 * The first line that replaces the marker of an issue a newer issue took over from (regression
 * policy `new`). It names the Sentry issue for people but is not a marker: parseMarker ignores it.
 */
export function retiredMarkerLine(key: string): string {
  return `<!-- sentry-issue (superseded by a newer issue): ${key} -->`
}

/**
 * Reads the marker from an issue body. Returns undefined unless the body's first line is exactly a
 * marker (a trailing `\r` from a browser edit is tolerated).
 */
export function parseMarker(body: string | null | undefined): MarkerRef | undefined {
  if (!body) return undefined
  const end = body.indexOf('\n')
  const firstLine = (end === -1 ? body : body.slice(0, end)).replace(/\r$/, '')
  const match = MARKER_LINE.exec(firstLine)
  if (!match || match[1] === undefined || match[2] === undefined) return undefined
  return { org: match[1], issueId: match[2] }
}

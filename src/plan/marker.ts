/**
 * The hidden marker that links a GitHub issue to one Sentry issue. Two forms:
 *
 *     <!-- sentry-issue: {org}/{sentryIssueId} -->          sentry.io (and every marker before 0.2)
 *     <!-- sentry-issue: {host}/{org}/{sentryIssueId} -->   any other Sentry host (self-hosted, de.sentry.io)
 *
 * A marker line anywhere in the body counts (people add notes above it), as a whole line. Text
 * from Sentry is escaped so that it can never contain `<!--`, so it can neither forge a marker nor
 * hide the real one. An issue is identified by the Sentry issue id within one Sentry
 * installation (see `identify`): the host and organisation slug in the marker are informative,
 * so renaming the organisation or reaching Sentry by another URL changes nothing.
 */

import { parseHttpUrl } from '../render/escape.js'
import { findStatsBlock, type BlockMemory } from '../render/stats-block.js'

export const MARKER_PREFIX = '<!-- sentry-issue: '
const MARKER_SUFFIX = ' -->'

/** Sentry organisation slugs: lower-case letters, digits, `-` and `_`. */
export const ORG_SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/
const ISSUE_ID_PATTERN = /^[1-9][0-9]*$/
/** A canonical host as `canonicalSentryHost` writes it: lower-case name or IP, optional port. */
const HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/
const MARKER_LINE =
  /^<!-- sentry-issue: (?:((?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?)\/)?([a-z0-9][a-z0-9_-]*)\/([1-9][0-9]*) -->$/

/** The Sentry host that markers leave out. */
export const SAAS_HOST = 'sentry.io'
const SAAS_DE_HOST = 'de.sentry.io'

export interface MarkerRef {
  /** Canonical Sentry host; absent in the sentry.io form (and in every marker before 0.2). */
  host?: string
  org: string
  issueId: string
}

/** The key used in indexes and cached state: `org/issueId`, with the org of the current run. */
export function markerKey(ref: Pick<MarkerRef, 'org' | 'issueId'>): string {
  return `${ref.org}/${ref.issueId}`
}

/**
 * The host a Sentry URL belongs to, as markers name it: sentry.io and all its regional and
 * organisation subdomains are `sentry.io`, except the EU region (`de.sentry.io`, `*.de.sentry.io`);
 * any other host is its lower-case name with a non-default port. Undefined for a non-URL.
 */
export function canonicalSentryHost(url: string): string | undefined {
  const parsed = parseHttpUrl(url)
  if (!parsed) return undefined
  const name = parsed.hostname.toLowerCase().replace(/\.$/, '')
  if (name === SAAS_DE_HOST || name.endsWith(`.${SAAS_DE_HOST}`)) return SAAS_DE_HOST
  if (name === SAAS_HOST || name.endsWith(`.${SAAS_HOST}`)) return SAAS_HOST
  const host = parsed.port === '' ? name : `${name}:${parsed.port}`
  return HOST_PATTERN.test(host) ? host : undefined
}

export function renderMarker(ref: MarkerRef): string {
  if (!ORG_SLUG_PATTERN.test(ref.org)) {
    throw new Error(`Invalid Sentry organization slug for a marker: ${JSON.stringify(ref.org)}`)
  }
  if (!ISSUE_ID_PATTERN.test(ref.issueId)) {
    throw new Error(`Invalid Sentry issue id for a marker: ${JSON.stringify(ref.issueId)}`)
  }
  if (ref.host === undefined || ref.host === SAAS_HOST) {
    return `${MARKER_PREFIX}${ref.org}/${ref.issueId}${MARKER_SUFFIX}`
  }
  if (!HOST_PATTERN.test(ref.host)) {
    throw new Error(`Invalid Sentry host for a marker: ${JSON.stringify(ref.host)}`)
  }
  return `${MARKER_PREFIX}${ref.host}/${ref.org}/${ref.issueId}${MARKER_SUFFIX}`
}

/**
 * The phrase a marker search looks for: on sentry.io, every marker of the organisation; on any
 * other host, every marker whatever its host (the same installation may have written them under
 * another URL), each then checked by `identify`.
 */
export function markerSearchPhrase(org: string, host: string = SAAS_HOST): string {
  return host === SAAS_HOST ? `sentry-issue: ${org}/` : 'sentry-issue: '
}

/**
 * The line that replaces the marker of an issue a newer issue took over from (regression policy
 * `new`) or that was merged into another. It names the Sentry issue for people but is not a
 * marker: parseMarker ignores it.
 */
export function retiredMarkerLine(key: string): string {
  return `<!-- sentry-issue (superseded by a newer issue): ${key} -->`
}

export interface FoundMarker extends MarkerRef {
  /** The marker line as written (without a trailing `\r`). */
  line: string
  /** Offsets of the line in the body (end excludes the line break). */
  start: number
  end: number
}

/** Finds the first marker line anywhere in the body (a trailing `\r` is tolerated). */
export function findMarker(body: string | null | undefined): FoundMarker | undefined {
  if (!body) return undefined
  let start = 0
  while (start <= body.length) {
    const newline = body.indexOf('\n', start)
    const end = newline === -1 ? body.length : newline
    const raw = body.slice(start, end)
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.startsWith(MARKER_PREFIX)) {
      const match = MARKER_LINE.exec(line)
      if (match?.[2] !== undefined && match[3] !== undefined) {
        return {
          ...(match[1] !== undefined ? { host: match[1] } : {}),
          org: match[2],
          issueId: match[3],
          line,
          start,
          end: start + line.length
        }
      }
    }
    if (newline === -1) break
    start = newline + 1
  }
  return undefined
}

/** Reads the marker from an issue body: the first marker line anywhere in it. */
export function parseMarker(body: string | null | undefined): MarkerRef | undefined {
  const found = findMarker(body)
  if (!found) return undefined
  return {
    ...(found.host !== undefined ? { host: found.host } : {}),
    org: found.org,
    issueId: found.issueId
  }
}

/** Which Sentry installation a run syncs, for telling its markers from others'. */
export interface SentryIdentity {
  /** The organisation slug the run is configured with (written into new markers). */
  org: string
  /** The canonical host new markers are written for. */
  host: string
  /**
   * Every canonical host that names this installation: the configured URL's and the hosts of
   * the permalinks and organisation links Sentry serves (its own idea of its URL).
   */
  hosts: ReadonlySet<string>
  /**
   * The installation as Sentry describes it (`installationOf`): recorded in every stats block
   * the action writes, and decisive where a block records one. Undefined when the organisation
   * could not be read: then hosts, links and the issues' own evidence decide.
   */
  installation?: string
  /** The Sentry issues this run read, by id: evidence for blocks written before installations. */
  listed?: ReadonlyMap<string, { shortId: string; project: { id: string } }>
}

/**
 * A Sentry installation, from what its organisation endpoint answers: the organisation's numeric
 * id and its creation time (`{id}.{epoch ms}`). Both survive renames of the organisation and any
 * change of the URL Sentry is reached by; two installations, even set up the same way (the same
 * slugs, ids counting from 1), were not created in the same millisecond. Undefined when either is
 * missing or unreadable.
 */
export function installationOf(org: { id?: unknown; dateCreated?: unknown }): string | undefined {
  const id = typeof org.id === 'string' || typeof org.id === 'number' ? String(org.id) : ''
  const created = typeof org.dateCreated === 'string' ? Date.parse(org.dateCreated) : NaN
  if (!/^[0-9]{1,20}$/.test(id) || !Number.isSafeInteger(created) || created < 0) return undefined
  return `${id}.${created}`
}

export function sentryIdentity(
  org: string,
  sentryUrl: string,
  aliases: Iterable<string> = [],
  known: Pick<SentryIdentity, 'installation' | 'listed'> = {}
): SentryIdentity {
  const host = canonicalSentryHost(sentryUrl) ?? SAAS_HOST
  const hosts = new Set([host])
  for (const alias of aliases) {
    const canonical = canonicalSentryHost(alias)
    if (canonical) hosts.add(canonical)
  }
  return {
    org,
    host,
    hosts,
    ...(known.installation !== undefined ? { installation: known.installation } : {}),
    ...(known.listed !== undefined ? { listed: known.listed } : {})
  }
}

export type MarkerState =
  /** The marker line is exactly what the action writes today. */
  | 'current'
  /**
   * Another org slug (renamed organisation), another host (the same installation under another
   * URL) or the older host-less form: rewritten on the next write.
   */
  | 'stale'
  /** No marker line (a person deleted it): recognised by the Sentry link; restored on the next write. */
  | 'missing'
  /** Taken over from a Sentry issue merged into this one: the marker is rewritten at once. */
  | 'rekeyed'

export interface Identified {
  issueId: string
  marker: MarkerState
}

/**
 * The Sentry issue a GitHub issue body belongs to, for this installation, or undefined when it is
 * not one of this installation's issues.
 *
 * Where both the block and the run know the installation (`installationOf`), that alone decides:
 * the same installation under any URL keeps its issues, and another installation never takes
 * them, whatever its hosts, slugs and ids. Otherwise (a block written before installations were
 * recorded, a person deleted the block, or the organisation could not be read):
 * - a marker naming a host is ours when the host is one of the installation's;
 * - a host-less marker (sentry.io, and every marker written before hosts were added) is ours on
 *   sentry.io whatever its org (ids are unique there, so a renamed organisation keeps its issues),
 *   and elsewhere when its org is the run's;
 * - either is ours when the action's own "Sentry issue" link points at the same issue of this
 *   installation (permalinks use Sentry's own URL, whatever URL the run reaches it by), or when
 *   the Sentry issue of that id this run read has the project the block records and the short
 *   id the body shows;
 * - a body without a marker line is ours when the action's link points at an issue of this
 *   installation (the marker was deleted by a person).
 */
export function identify(
  body: string | null | undefined,
  identity: SentryIdentity
): Identified | undefined {
  const found = findMarker(body)
  const recorded = findStatsBlock(body)?.memory
  const decided =
    recorded?.installation !== undefined && identity.installation !== undefined
      ? recorded.installation === identity.installation
      : undefined
  if (decided === false) return undefined
  if (found) {
    const ours =
      decided === true ||
      (found.host !== undefined
        ? identity.hosts.has(found.host)
        : identity.hosts.has(SAAS_HOST) || found.org === identity.org) ||
      ownLink(body, identity)?.issueId === found.issueId ||
      sameIssue(body, recorded, identity, found.issueId)
    if (!ours) return undefined
    const expected = renderMarker({
      host: identity.host,
      org: identity.org,
      issueId: found.issueId
    })
    return { issueId: found.issueId, marker: found.line === expected ? 'current' : 'stale' }
  }
  const link = ownLink(body, identity)
  return link ? { issueId: link.issueId, marker: 'missing' } : undefined
}

/** The short id row of the default body (`| Short ID | API-7F |`). */
const SHORT_ID_ROW = /^\| Short ID \| (.+) \|\r?$/m

/**
 * Whether the Sentry issue this run read under `issueId` is the one the body describes: the
 * project its block records and the short id its table shows (as the reader sees it: escapes,
 * code-span backticks and invisible characters aside).
 */
function sameIssue(
  body: string | null | undefined,
  recorded: BlockMemory | undefined,
  identity: SentryIdentity,
  issueId: string
): boolean {
  const listed = identity.listed?.get(issueId)
  if (!body || !listed || recorded?.project === undefined) return false
  if (recorded.project !== listed.project.id) return false
  const shown = SHORT_ID_ROW.exec(body)?.[1]
  return shown !== undefined && shown.replace(/[`\\\u200B]/g, '') === listed.shortId
}

/**
 * The line the default body writes with the issue's permalink. Sentry text is escaped so that it
 * can never produce `**` or a link, so only the action's rendering (or a person) writes this line.
 */
const SENTRY_LINK_LINE =
  /^- \*\*Sentry issue:\*\* \[Open in Sentry\]\(<(https?:\/\/[^\s<>]+)>\)\r?$/m

function ownLink(
  body: string | null | undefined,
  identity: SentryIdentity
): { issueId: string } | undefined {
  if (!body) return undefined
  const url = SENTRY_LINK_LINE.exec(body)?.[1]
  if (!url) return undefined
  const host = canonicalSentryHost(url)
  if (!host || !identity.hosts.has(host)) return undefined
  const id = /\/issues\/([1-9][0-9]*)\/?(?:[?#].*)?$/.exec(url)?.[1]
  return id ? { issueId: id } : undefined
}

/**
 * The body with its marker line made current: a stale marker is replaced where it stands, a
 * missing one is put back as the first line. Nothing else changes.
 */
export function withCurrentMarker(body: string, marker: string): string {
  const found = findMarker(body)
  if (found) {
    return found.line === marker
      ? body
      : body.slice(0, found.start) + marker + body.slice(found.end)
  }
  return `${marker}\n${body}`
}

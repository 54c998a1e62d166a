import { toWellFormed } from './escape.js'

/**
 * Links from stack frames to the repository's source on GitHub (github.com or GHES), following
 * the mappings of the `code-mappings` input (parsed in src/inputs/formats/code-mappings.ts).
 *
 * A frame whose `absPath` (or else `filename`) starts with a stack root links to
 * `{server}/{owner}/{repo}/blob/{ref}/{source root}{rest of the path}#L{line}`. When several stack
 * roots match, the longest wins. `ref` is the event's release when that is a commit SHA (7-40 hex
 * digits), else the default branch (`HEAD`, GitHub's alias for it, unless one is given).
 *
 * Everything in the link but the path comes from our configuration; the path comes from Sentry
 * and is untrusted: it is split into segments, each percent-encoded, and a path with a `..`
 * segment (also percent-encoded in a URL path), a control character or nothing left is refused,
 * so a link can only ever point at a file under the source root in the configured repository.
 * Frames Sentry marks as not in-app (libraries) are never linked. Pure.
 */

/** One `code-mappings` line, as src/inputs/formats/code-mappings.ts parses it. */
export interface CodeMapping {
  /** A prefix of the paths Sentry reports, `\` written as `/`. */
  stackRoot: string
  /** The repository directory it corresponds to: `''` (the root) or segments ending with `/`. */
  sourceRoot: string
}

/** The frame fields a link is made from (a `SentryFrame` has them all). */
export interface LinkableFrame {
  filename?: string | null | undefined
  absPath?: string | null | undefined
  lineNo?: number | null | undefined
  inApp?: boolean | null | undefined
}

export interface CodeLinker {
  /**
   * The blob URL of the frame's file (with a `#L` line anchor when the frame has a line), or
   * undefined when no mapping applies or the path is refused. `release` is the event's release
   * version: a commit SHA pins the link to that commit.
   */
  link(frame: LinkableFrame, release?: string | null): string | undefined
  /** The repository path the frame maps to (unencoded), or undefined. */
  repoPath(frame: LinkableFrame): string | undefined
}

export interface CodeLinkerOptions {
  mappings: readonly CodeMapping[]
  /** GITHUB_SERVER_URL, e.g. `https://github.com` or `https://ghe.example.com`. */
  serverUrl: string
  owner: string
  repo: string
  /** Used when the release is not a commit SHA; default `HEAD` (the default branch). */
  defaultBranch?: string | undefined
}

const MAX_URL_LENGTH = 2048
const COMMIT_SHA = /^[0-9a-f]{7,40}$/i
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/u
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/u
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/u

/** Whether a release version is a commit SHA that a blob URL can be pinned to. */
export function isCommitSha(version: string | null | undefined): version is string {
  return typeof version === 'string' && COMMIT_SHA.test(version)
}

/** encodeURIComponent, plus the characters it leaves that Markdown or URLs treat specially. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/**
 * The segments of the part of a Sentry path after its stack root, or undefined when the path is
 * refused (a `..`, a control character, undecodable percent-encoding, nothing left).
 */
function safeSegments(rest: string, isUrl: boolean): string[] | undefined {
  const segments: string[] = []
  for (const raw of rest.split('/')) {
    let segment = raw
    if (isUrl) {
      try {
        segment = decodeURIComponent(raw)
      } catch {
        return undefined
      }
      if (segment.includes('/') || segment.includes('\\')) return undefined
    }
    if (segment === '' || segment === '.') continue
    if (segment === '..' || CONTROL.test(segment) || segment.trim() === '') return undefined
    // encodeURIComponent cannot encode half a surrogate pair.
    if (toWellFormed(segment) !== segment) return undefined
    segments.push(segment)
  }
  return segments.length > 0 ? segments : undefined
}

function validServerUrl(serverUrl: string): string {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new TypeError(`GitHub server URL is not a URL: ${JSON.stringify(serverUrl)}`)
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new TypeError(
      `GitHub server URL must be a plain http(s) URL: ${JSON.stringify(serverUrl)}`
    )
  }
  return url.href.replace(/\/+$/u, '')
}

export function createCodeLinker(opts: CodeLinkerOptions): CodeLinker {
  const server = validServerUrl(opts.serverUrl)
  if (!GITHUB_OWNER.test(opts.owner) || !GITHUB_REPO.test(opts.repo)) {
    throw new TypeError(`Invalid repository for code links: ${opts.owner}/${opts.repo}`)
  }
  const branch = opts.defaultBranch?.trim() || 'HEAD'
  const branchPath = branch.split('/').map(encodeSegment).join('/')
  const repoBase = `${server}/${encodeSegment(opts.owner)}/${encodeSegment(opts.repo)}/blob/`
  // Longest stack root first, so that the most specific mapping wins.
  const mappings = [...opts.mappings].sort((a, b) => b.stackRoot.length - a.stackRoot.length)

  function resolve(frame: LinkableFrame): string[] | undefined {
    if (frame.inApp === false || mappings.length === 0) return undefined
    for (const candidate of [frame.absPath, frame.filename]) {
      if (typeof candidate !== 'string' || candidate === '') continue
      const isUrl = SCHEME.test(candidate) && !/^[A-Za-z]:[\\/]/u.test(candidate)
      const path = (isUrl ? candidate.replace(/[?#].*$/su, '') : candidate).replaceAll('\\', '/')
      for (const { stackRoot, sourceRoot } of mappings) {
        if (!path.startsWith(stackRoot)) continue
        const boundary = stackRoot.endsWith('/') || path.length === stackRoot.length
        if (!boundary && path[stackRoot.length] !== '/') continue
        const rest = safeSegments(path.slice(stackRoot.length), isUrl)
        if (rest === undefined) return undefined
        const root = sourceRoot === '' ? [] : sourceRoot.slice(0, -1).split('/')
        return [...root, ...rest]
      }
    }
    return undefined
  }

  return {
    repoPath(frame) {
      return resolve(frame)?.join('/')
    },
    link(frame, release) {
      const segments = resolve(frame)
      if (segments === undefined) return undefined
      const ref = isCommitSha(release) ? release : branchPath
      const line =
        typeof frame.lineNo === 'number' && Number.isInteger(frame.lineNo) && frame.lineNo > 0
          ? `#L${frame.lineNo}`
          : ''
      const url = `${repoBase}${ref}/${segments.map(encodeSegment).join('/')}${line}`
      return url.length <= MAX_URL_LENGTH ? url : undefined
    }
  }
}

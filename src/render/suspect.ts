import { escapeInline, parseHttpUrl } from './escape.js'

/**
 * The suspect commit of a new issue as one line of Markdown. Pure.
 *
 *     [`1a2b3c4`](<https://github.com/acme/web/commit/1a2b…>) Parse dates in UTC, by `octocat` in [#123](<https://github.com/acme/web/pull/123>)
 *
 * What GitHub says about a commit is not trusted more than Sentry's text: the title goes through
 * `escapeInline` (no mention, reference, link, HTML or Markdown survives), the SHA must be 40 hex
 * digits and the pull request a positive whole number, and the login is shown in a code span
 * only when it is a GitHub login (else the author's name, escaped). The two links are built here
 * from the repository's own address, never taken from GitHub's answer, so they can only point at
 * this repository's commit and pull request. GitHub finds no reference in the text of a link, so
 * the pull request's text is plainly `#` and its number, and copies as such.
 */

/** The commit that last changed the top in-app line of the latest event. */
export interface SuspectCommit {
  /** 40 hex digits. */
  sha: string
  /** The commit's title (first line of its message). */
  title: string
  /** The author's GitHub login, when GitHub knows the author as a user. */
  login?: string | undefined
  /** The author's name as the commit records it. */
  name?: string | undefined
  /** The number of the pull request that brought the commit in. */
  pull?: number | undefined
  /** The repository's web address, `{server}/{owner}/{repo}` (from configuration). */
  repositoryUrl: string
}

const SHA = /^[0-9a-f]{40}$/iu
/** GitHub logins (and GHES/EMU logins with `_shortcode`). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:_[A-Za-z0-9]{1,20})?$/u
const TITLE_MAX = 200
const NAME_MAX = 100

/** A link destination for `[text](<url>)`: the characters that would end or break it encoded. */
function destination(url: string): string {
  return url.replace(/[<>\\()`\s|]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The repository's address as an http(s) URL without credentials, query or fragment. */
function repositoryBase(url: string): string | undefined {
  const parsed = parseHttpUrl(url)
  if (!parsed) return undefined
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '') return undefined
  if (parsed.hash !== '') return undefined
  return parsed.href.replace(/\/+$/u, '')
}

/** The Markdown line (without a list marker), or '' when the commit cannot be shown. */
export function renderSuspectCommit(suspect: SuspectCommit | undefined): string {
  if (!suspect || !SHA.test(suspect.sha)) return ''
  const base = repositoryBase(suspect.repositoryUrl)
  if (base === undefined) return ''
  const sha = suspect.sha.toLowerCase()
  const parts = [`[\`${sha.slice(0, 7)}\`](<${destination(`${base}/commit/${sha}`)}>)`]
  const title = escapeInline(suspect.title, TITLE_MAX)
  if (title !== '') parts.push(title)
  const login = suspect.login !== undefined && LOGIN.test(suspect.login) ? suspect.login : ''
  const name = login === '' ? escapeInline(suspect.name ?? '', NAME_MAX) : ''
  let line = parts.join(' ')
  if (login !== '') line += `, by \`${login}\``
  else if (name !== '') line += `, by ${name}`
  const pull = suspect.pull
  if (pull !== undefined && Number.isSafeInteger(pull) && pull > 0) {
    line += ` in [#${pull}](<${destination(`${base}/pull/${pull}`)}>)`
  }
  return line
}

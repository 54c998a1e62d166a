import { statusOf } from '../github/errors.js'
import type { GitHubRepository } from '../github/setup.js'
import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { fail, ok, warn, type CheckRow } from './checks.js'
import { inputRef, type Surface } from './probe.js'

/**
 * The GitHub token's access to the repository: whether it can write issues, and what a failed read
 * means.
 */

/** Whether the token can write issues, as far as the check can tell without writing. */
export type WriteEvidence = 'yes' | 'no' | 'unknown'

export function issuesWriteRow(
  config: Config,
  repository: GitHubRepository,
  oauthScopes: string[] | undefined,
  surface: Surface
): { row: CheckRow; evidence: WriteEvidence; fix: string } {
  const full = repository.full_name
  const name = 'Issues write'
  const token = config.github.token
  const fix =
    surface === 'action'
      ? `Leave \`github-token\` at its default and give the job \`permissions:\` with \`issues: write\`, or use a token that can write issues in ${full} (a fine-grained token with Issues: Read and write, or a GitHub App with Issues: Read & write).`
      : `Use a token that can write issues in ${full}: a fine-grained token with Issues: Read and write on it, or a classic token with the repo scope whose user has write access.`
  if (oauthScopes !== undefined) {
    const enough =
      oauthScopes.includes('repo') || (!repository.private && oauthScopes.includes('public_repo'))
    if (!enough) {
      return {
        row: fail(
          name,
          `the classic token's scopes (${oauthScopes.join(', ') || 'none'}) do not include repo${repository.private ? '' : ' or public_repo'}.`,
          `Give the token the repo scope (public_repo is enough for a public repository), or: ${fix}`
        ),
        evidence: 'no',
        fix
      }
    }
  }
  const permissions = repository.permissions
  if (permissions === undefined || token.startsWith('ghs_')) {
    return {
      row: warn(
        name,
        'an installation token (the workflow token, or a GitHub App): GitHub shows its permissions only when it writes, so this check cannot read them.',
        surface === 'action'
          ? 'Make sure the job has `permissions:` with `issues: write` (or the GitHub App has Issues: Read & write).'
          : 'Make sure the GitHub App has Issues: Read & write on the repository.'
      ),
      evidence: 'unknown',
      fix
    }
  }
  if (!permissions.push) {
    return {
      row: fail(
        name,
        `the token's user has ${permissions.triage ? 'triage' : 'read'} access to ${full}, not write: GitHub would drop the labels of new issues (the tracking label too), and labels cannot be created.`,
        fix
      ),
      evidence: 'no',
      fix
    }
  }
  if (token.startsWith('github_pat_')) {
    return {
      row: warn(
        name,
        `the token's user has write access to ${full}; a fine-grained token's own permissions cannot be read without a write.`,
        `Make sure the token has Issues: Read and write on ${full}.`
      ),
      evidence: 'unknown',
      fix
    }
  }
  return {
    row: ok(
      name,
      `the token's user has write access to ${full}${oauthScopes ? ` (classic token scopes: ${oauthScopes.join(', ')})` : ''}.`
    ),
    evidence: 'yes',
    fix
  }
}

/** Octokit reports a request that got no answer (DNS, refused, TLS) as status 500 without a response. */
function isTransportError(error: unknown): boolean {
  return (
    statusOf(error) === 500 &&
    typeof error === 'object' &&
    error !== null &&
    (error as { response?: unknown }).response === undefined
  )
}

function causes(error: unknown): string {
  const out: string[] = []
  let current: unknown = (error as { cause?: unknown } | null)?.cause
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { message, code } = current as { message?: unknown; code?: unknown }
    let text = typeof message === 'string' ? message : ''
    if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`
    if (text.trim() !== '' && text !== 'fetch failed') out.push(text.trim())
    current = (current as { cause?: unknown }).cause
  }
  return out.join(': ')
}

export function githubRepoFailure(error: unknown, config: Config, surface: Surface): CheckRow {
  if (!(error instanceof Error)) throw error
  const name = 'GitHub repository'
  const full = `${config.github.owner}/${config.github.repo}`
  const apiUrl = config.github.apiUrl
  const tokenRef = inputRef(surface, 'github-token')
  if (isTransportError(error)) {
    const detail = causes(error) || errorMessage(error)
    const tls = /certificate|self[- ]signed|unable to verify/i.test(detail)
    return fail(
      name,
      `Could not connect to GitHub at ${apiUrl}: ${detail}.`,
      tls
        ? 'For GitHub Enterprise Server with a private CA, run with NODE_EXTRA_CA_CERTS=/path/ca.pem (sentry-ca-cert applies to Sentry only).'
        : `Check ${surface === 'action' ? 'GITHUB_API_URL' : '`--github-api-url` (GITHUB_API_URL)'} and the network or proxy (HTTPS_PROXY, NO_PROXY).`
    )
  }
  switch (statusOf(error)) {
    case 401:
      return fail(
        name,
        `GitHub rejected the token (401 ${errorMessage(error)}).`,
        surface === 'action'
          ? `Check ${tokenRef}, or leave it at its default (the workflow token).`
          : `Check ${tokenRef}: it may be wrong, expired or revoked.`
      )
    case 404:
      return fail(
        name,
        `${full} was not found at ${apiUrl}, or the token cannot see it (404).`,
        `Check ${inputRef(surface, 'repository')} and that the token has access to ${full}${surface === 'action' ? ' (the workflow token sees only its own repository)' : ''}; on GitHub Enterprise Server check GITHUB_API_URL.`
      )
    case 403:
      return fail(
        name,
        `GitHub refused to show ${full} (403 ${errorMessage(error)}).`,
        `Use a token with access to ${full}; for an organization with SSO, authorize the token for it.`
      )
    default:
      return fail(
        name,
        `GitHub answered ${statusOf(error) ?? ''} ${errorMessage(error)}.`,
        'Run check again later.'
      )
  }
}

export function githubReadFailure(name: string, error: unknown, fix: string): CheckRow {
  if (!(error instanceof Error)) throw error
  return fail(name, `GitHub answered ${statusOf(error) ?? 'nothing'}: ${errorMessage(error)}.`, fix)
}

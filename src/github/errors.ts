import { errorMessage } from '../log.js'

/**
 * Turns a GitHub API error into one actionable sentence. Other errors (Sentry's, which already
 * explain themselves) pass through with their own message.
 */
export function describeGitHubError(
  error: unknown,
  target: { github: { owner: string; repo: string; apiUrl: string } }
): string {
  const status = statusOf(error)
  const repo = `${target.github.owner}/${target.github.repo}`
  const detail = errorMessage(error)
  if (status === undefined || !isOctokitError(error)) return detail
  if ((status === 403 || status === 429) && /rate limit/i.test(detail)) {
    return `GitHub's rate limit stopped this run (${status} ${detail}). Nothing is lost: the next run continues where this one stopped. If it happens often, run less often, lower max-new-issues, or use a token with its own limit (a GitHub App).`
  }
  switch (status) {
    case 401:
      return `GitHub rejected github-token (401 ${detail}). Check the token, or leave github-token at its default (the workflow token).`
    case 403:
      return `GitHub refused access to ${repo} (403 ${detail}). Give the job \`permissions: issues: write\`, or use a token that can write issues in ${repo}.`
    case 404:
      return `GitHub could not find ${repo} at ${target.github.apiUrl} (404). Check the repository input, that the token can see the repository, and GITHUB_API_URL on GitHub Enterprise Server.`
    case 410:
      return `Issues are disabled in ${repo} (410). Enable them in the repository settings.`
    default:
      return `GitHub API error ${status}: ${detail}`
  }
}

function isOctokitError(error: unknown): boolean {
  return error instanceof Error && error.name === 'HttpError'
}

/** The HTTP status of an Octokit (or any) error that carries one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = error.status
    return typeof status === 'number' ? status : undefined
  }
  return undefined
}

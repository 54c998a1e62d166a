import type { Config } from '../inputs/config.js'
import type { Logger } from '../log.js'
import type { RunResult } from '../report/result.js'
import type { SentryClient } from '../sentry/client.js'
import type { SentryIssue, SentryOrganization } from '../sentry/schemas.js'
import { errorMessage } from '../log.js'

/** The issues a run reads from Sentry, and how the listing went. */
export interface SentryRead {
  issues: SentryIssue[]
  projectIds: string[]
  pages: number
  truncated: boolean
  /** The organisation (its id and creation time name the installation); undefined: not read. */
  organization?: SentryOrganization
  /** Why the organisation could not be read. */
  organizationError?: string
}

/**
 * Lists the Sentry issues the configuration asks for (all pages, capped at max-sentry-issues).
 * It depends on the configuration and the Sentry client alone, so the action starts it before it
 * loads the rest of its code: Sentry's first answer is on its way while that code is compiled.
 */
export async function readSentry(config: Config, sentry: SentryClient): Promise<SentryRead> {
  // Asked beside the listing (one request a run): a failure only loosens how markers are told
  // apart, so it is kept as a note, never thrown.
  const organization = sentry.getOrganization(config.sentry.org).then(
    (org): Pick<SentryRead, 'organization' | 'organizationError'> => ({ organization: org }),
    (error: unknown) => ({ organizationError: errorMessage(error) })
  )
  const projectIds = await sentry.resolveProjectIds(config.sentry.org, config.sentry.projects)
  const listed = await sentry.listIssues(config.sentry.org, {
    query: config.sentry.query,
    statsPeriod: config.sentry.statsPeriod,
    projectIds,
    environments: config.sentry.environments,
    sort: config.sentry.sort,
    max: config.sentry.maxIssues
  })
  return {
    issues: listed.issues,
    projectIds,
    pages: listed.pages,
    truncated: listed.truncated,
    ...(await organization)
  }
}

/** Records a finished read in the run's result and log. */
export function recordSentryRead(
  read: SentryRead,
  config: Config,
  result: RunResult,
  log: Pick<Logger, 'info'>
): SentryRead {
  result.sentryIssuesRead = read.issues.length
  if (read.organizationError !== undefined) {
    result.warnings.push(
      `Could not read the Sentry organization "${config.sentry.org}" (${read.organizationError}); this run tells its issues from another Sentry installation's by URL only. Give sentry-token the org:read scope.`
    )
  }
  result.truncated = read.truncated
  log.info(
    `Read ${read.issues.length} Sentry issues in ${read.pages} page(s)${read.truncated ? ` (capped at max-sentry-issues: ${config.sentry.maxIssues})` : ''}.`
  )
  if (read.truncated) {
    result.warnings.push(
      `More than ${config.sentry.maxIssues} Sentry issues matched; only the first ${config.sentry.maxIssues} were read. Raise max-sentry-issues or narrow the query.`
    )
  }
  return read
}

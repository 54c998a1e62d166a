import { statusOf } from '../github/errors.js'
import type { RepoRef } from '../github/issues.js'
import { listMilestones } from '../github/metadata.js'
import { canBeAssigned, listIssueTypes, type GitHubRepository } from '../github/setup.js'
import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { fail, ok, warn, type CheckRow } from './checks.js'
import { githubReadFailure, type WriteEvidence } from './github-access.js'
import { inputRef, shown, type CheckDeps } from './probe.js'

/**
 * Rows for the optional features GitHub must have in place: the milestone, the issue type, the
 * assignees; and where code mappings link to. The issue steps' rows come from sync/steps.ts.
 */
export async function featureRows(
  config: Config,
  deps: CheckDeps,
  repo: RepoRef,
  repository: GitHubRepository,
  evidence: WriteEvidence
): Promise<CheckRow[]> {
  const { github, surface } = deps
  const content = config.content
  const rows: CheckRow[] = []
  const full = repository.full_name
  const needsPush =
    evidence === 'no' ? ' The token cannot set it: new issues need write access for that.' : ''

  const milestone = content.milestone
  if (milestone) {
    try {
      const all = await listMilestones(github, repo)
      const found =
        'number' in milestone
          ? all.find((m) => m.number === milestone.number)
          : (all.find((m) => m.title === milestone.title) ??
            all.find((m) => m.title.toLowerCase() === milestone.title.toLowerCase()))
      const wanted = 'number' in milestone ? `#${milestone.number}` : `"${milestone.title}"`
      rows.push(
        found && evidence !== 'no'
          ? ok('Milestone', `${wanted}: #${found.number} "${found.title}" (${found.state}).`)
          : fail(
              'Milestone',
              found
                ? `${wanted} exists.${needsPush}`
                : `${full} has no milestone ${wanted} (it has ${all.length > 0 ? shown(all.map((m) => `"${m.title}"`)) : 'none'}).`,
              found
                ? 'Give the token write access (see "Issues write").'
                : `Create the milestone, or set ${inputRef(surface, 'milestone')} to an existing title or number.`
            )
      )
    } catch (error) {
      rows.push(githubReadFailure('Milestone', error, 'Check that the token can read issues.'))
    }
  }

  if (content.issueType) {
    const wanted = content.issueType
    try {
      const types = await listIssueTypes(github, repo.owner)
      if (types === undefined) {
        rows.push(
          warn(
            'Issue type',
            `could not read the issue types of ${repo.owner} (not an organization, or the token may not read them; the workflow token cannot).`,
            `Check by hand that ${repo.owner} has an issue type "${wanted}" (organization settings → Issue types). When GitHub refuses it, issues are created without a type.`
          )
        )
      } else if (types.some((t) => t.toLowerCase() === wanted.toLowerCase())) {
        rows.push(ok('Issue type', `"${wanted}" exists in ${repo.owner}.`))
      } else {
        rows.push(
          fail(
            'Issue type',
            `${repo.owner} has no issue type "${wanted}" (it has ${types.length > 0 ? shown(types.map((t) => `"${t}"`)) : 'none'}).`,
            `Set ${inputRef(surface, 'issue-type')} to one of them, or add the type in the organization's settings.`
          )
        )
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error
      rows.push(
        warn(
          'Issue type',
          `could not read the issue types of ${repo.owner} (${statusOf(error) ?? ''} ${errorMessage(error)}).`,
          `Check by hand that ${repo.owner} has an issue type "${wanted}".`
        )
      )
    }
  }

  const logins = [...new Set([...content.assignees, ...content.assigneeMap.map((m) => m.login)])]
  if (logins.length > 0) {
    try {
      const refused: string[] = []
      for (const login of logins) {
        if (!(await canBeAssigned(github, repo, login))) refused.push(login)
      }
      rows.push(
        refused.length === 0 && evidence !== 'no'
          ? ok('Assignees', `${logins.join(', ')} can be assigned in ${full}.`)
          : fail(
              'Assignees',
              refused.length > 0
                ? `${refused.join(', ')} cannot be assigned in ${full} (no access to it).`
                : `the logins can be assigned.${needsPush}`,
              refused.length > 0
                ? `Give them access to ${full}, or remove them from ${inputRef(surface, 'assignees')} / ${inputRef(surface, 'assignee-map')}.`
                : 'Give the token write access (see "Issues write").'
            )
      )
    } catch (error) {
      rows.push(githubReadFailure('Assignees', error, 'Check that the token can read issues.'))
    }
  }

  if (content.codeMappings.length > 0) {
    rows.push(
      ok(
        'Code mappings',
        `${content.codeMappings.length} mapping(s); links point into ${full} at the release when it is a commit SHA, else at ${repository.default_branch} (the paths themselves are not looked up).`
      )
    )
  }
  return rows
}

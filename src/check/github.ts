import { statusOf } from '../github/errors.js'
import { listLabels, type RepoRef } from '../github/issues.js'
import { getRepository, probeSearch, type GitHubRepository } from '../github/setup.js'
import type { Config } from '../inputs/config.js'
import { errorMessage } from '../log.js'
import { markerSearchPhrase } from '../plan/marker.js'
import { fail, ok, type CheckRow } from './checks.js'
import { githubReadFailure, githubRepoFailure, issuesWriteRow } from './github-access.js'
import { featureRows } from './github-features.js'
import { stepsOn } from '../sync/steps.js'
import type { CheckDeps } from './probe.js'

/** The GitHub rows: the repository, issues write, labels, the marker search, then the features. */

export async function githubRows(config: Config, deps: CheckDeps): Promise<CheckRow[]> {
  const { github, surface } = deps
  const repo: RepoRef = { owner: config.github.owner, repo: config.github.repo }
  const full = `${repo.owner}/${repo.repo}`
  const rows: CheckRow[] = []
  let repository: GitHubRepository
  let oauthScopes: string[] | undefined
  try {
    ;({ repository, oauthScopes } = await getRepository(github, repo))
  } catch (error) {
    rows.push(githubRepoFailure(error, config, surface))
    return rows
  }
  if (!repository.has_issues) {
    rows.push(
      fail(
        'GitHub repository',
        `${full}: issues are disabled.`,
        `Enable Issues in the repository's settings (Settings → General → Features).`
      )
    )
    return rows
  }
  if (repository.archived === true) {
    rows.push(
      fail(
        'GitHub repository',
        `${full} is archived (read-only).`,
        'Unarchive it, or sync into another repository.'
      )
    )
    return rows
  }
  rows.push(
    ok(
      'GitHub repository',
      `${repository.full_name} (${repository.private ? 'private' : 'public'}) is readable at ${config.github.apiUrl}.`
    )
  )

  const write = issuesWriteRow(config, repository, oauthScopes, surface)
  rows.push(write.row)

  try {
    const existing = new Set((await listLabels(github, repo)).map((l) => l.name.toLowerCase()))
    const wanted = [config.trackingLabel, ...config.labels]
    const absent = wanted.filter((l) => !existing.has(l.toLowerCase()))
    if (absent.length === 0) {
      rows.push(ok('Labels', `${wanted.map((l) => `"${l}"`).join(', ')} exist.`))
    } else if (write.evidence === 'no') {
      rows.push(
        fail(
          'Labels',
          `${absent.map((l) => `"${l}"`).join(', ')} do not exist, and this token cannot create them.`,
          write.fix
        )
      )
    } else {
      rows.push(
        ok(
          'Labels',
          `${absent.map((l) => `"${l}"`).join(', ')} will be created by the first sync (needs issues write, above); priority and label-from labels are created when first used.`
        )
      )
    }
  } catch (error) {
    rows.push(githubReadFailure('Labels', error, write.fix))
  }

  const q = `repo:${full} is:issue in:body "${markerSearchPhrase(config.sentry.org)}"`
  try {
    await probeSearch(github, q)
    rows.push(ok('Marker search', 'GitHub issue search answers on this host.'))
  } catch (error) {
    if (!(error instanceof Error)) throw error
    rows.push(
      fail(
        'Marker search',
        `GET /search/issues failed (${statusOf(error) ?? 'no answer'}: ${errorMessage(error)}). A sync then cannot find issues whose tracking label someone removed.`,
        'On GitHub Enterprise Server, ask the administrator to enable search (and its issue index); a GitHub rate limit passes by itself: run check again later.'
      )
    )
  }

  rows.push(...(await featureRows(config, deps, repo, repository, write.evidence)))
  for (const step of stepsOn(config)) rows.push(...(await step.check(config, deps, repo)))
  return rows
}

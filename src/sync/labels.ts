import { errorMessage } from '../log.js'
import { createLabel, listLabels, type RepoRef } from '../github/issues.js'
import { labelColor } from '../render/labels.js'
import type { GitHubClient } from '../github/client.js'
import { statusOf, type RunContext } from './context.js'

/** The tracking label's look; other labels get `labelColor(name)` and a generic description. */
const TRACKING_STYLE = {
  color: '362d59',
  description: 'Synced from Sentry by sentry-issues-action'
}
const OTHER_DESCRIPTION = 'Added by sentry-issues-action'

/** The label names the repository has, lower case (a run's `resources.labels`). */
export async function listLabelNames(github: GitHubClient, repo: RepoRef): Promise<Set<string>> {
  return new Set((await listLabels(github, repo)).map((l) => l.name.toLowerCase()))
}

/** Creates, with a colour and description, the labels in `names` the repository lacks. */
export async function ensureLabels(ctx: RunContext, names: readonly string[]): Promise<void> {
  const { config, deps, repo } = ctx
  const known = await ctx.resources.labels()
  for (const name of names) {
    if (known.has(name.toLowerCase())) continue
    known.add(name.toLowerCase())
    const style =
      name === config.trackingLabel
        ? TRACKING_STYLE
        : { color: labelColor(name), description: OTHER_DESCRIPTION }
    try {
      await createLabel(deps.github, repo, { name, ...style })
      deps.log.info(`Created label "${name}".`)
    } catch (error) {
      if (statusOf(error) === 422) continue // created meanwhile (already_exists)
      ctx.warnings.warn(
        `Could not create label "${name}" (${errorMessage(error)}); GitHub will create it with a default colour when the first issue uses it.`
      )
    }
  }
}

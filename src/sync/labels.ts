import { errorMessage } from '../log.js'
import { createLabel, listLabels } from '../github/issues.js'
import { labelColor } from '../render/labels.js'
import { statusOf, warn, type RunContext } from './context.js'

/** The tracking label's look; other labels get `labelColor(name)` and a generic description. */
const TRACKING_STYLE = {
  color: '362d59',
  description: 'Synced from Sentry by sentry-issues-action'
}
const OTHER_DESCRIPTION = 'Added by sentry-issues-action'

/** Creates, with a colour and description, the labels in `names` the repository lacks. */
export async function ensureLabels(ctx: RunContext, names: readonly string[]): Promise<void> {
  const { config, deps, repo } = ctx
  ctx.knownLabels ??= new Set(
    (await listLabels(deps.github, repo)).map((l) => l.name.toLowerCase())
  )
  for (const name of names) {
    if (ctx.knownLabels.has(name.toLowerCase())) continue
    ctx.knownLabels.add(name.toLowerCase())
    const style =
      name === config.trackingLabel
        ? TRACKING_STYLE
        : { color: labelColor(name), description: OTHER_DESCRIPTION }
    try {
      await createLabel(deps.github, repo, { name, ...style })
      deps.log.info(`Created label "${name}".`)
    } catch (error) {
      if (statusOf(error) === 422) continue // created meanwhile (already_exists)
      warn(
        ctx,
        `Could not create label "${name}" (${errorMessage(error)}); GitHub will create it with a default colour when the first issue uses it.`
      )
    }
  }
}

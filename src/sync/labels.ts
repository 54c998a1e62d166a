import { errorMessage } from '../log.js'
import { createLabel, listLabels } from '../github/issues.js'
import { labelColor } from '../render/labels.js'
import { statusOf, warn, type RunContext } from './context.js'

/** Colours and descriptions for labels the action creates. */
const LABEL_STYLE = {
  tracking: { color: '362d59', description: 'Synced from Sentry by sentry-issues-action' },
  other: { color: 'd73a4a', description: 'Added by sentry-issues-action' }
}

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
        ? LABEL_STYLE.tracking
        : { color: labelColor(name), description: LABEL_STYLE.other.description }
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

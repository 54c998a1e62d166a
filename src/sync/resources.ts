import { lazy, Warnings, type RunContext } from './context.js'
import { codeLinkerFor, EventPrefetch } from './create.js'
import { listLabelNames } from './labels.js'
import { resolveMetadata } from './metadata.js'
import { SignalPrefetch } from './signals.js'
import { SuspectLookup } from './suspect.js'

/** What a run is given when it starts; its warnings and resources are made here. */
export type RunStart = Omit<RunContext, 'warnings' | 'resources'>

/**
 * The context of one run, with its warnings and its resources: each made once for this run, the
 * lookups on first use (a failed label listing is tried again on the next use).
 */
export function startRun(start: RunStart): RunContext {
  const { config, deps, repo } = start
  const warnings = new Warnings(deps.log, start.result.warnings)
  let codeLinker: { value: ReturnType<typeof codeLinkerFor> } | undefined
  const linker = (): ReturnType<typeof codeLinkerFor> =>
    (codeLinker ??= { value: codeLinkerFor(config) }).value
  const events = new EventPrefetch(config, deps.sentry, warnings)
  const ctx: RunContext = {
    ...start,
    warnings,
    resources: {
      labels: lazy(() => listLabelNames(deps.github, repo)),
      metadata: lazy(() => resolveMetadata(ctx)),
      codeLinker: linker,
      events,
      signals: new SignalPrefetch(config, deps.sentry, warnings),
      suspects: new SuspectLookup(config, deps.github, repo, events, linker, warnings),
      refused: new Set(),
      refusedSteps: new Set()
    }
  }
  return ctx
}

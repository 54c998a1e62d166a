import * as core from '@actions/core'
import { createGitHubClientFor } from '../clients.js'
import { describeGitHubError } from '../github/errors.js'
import { ConfigError, type Config } from '../inputs/config.js'
import type { Logger } from '../log.js'
import type { RunOptions } from '../main.js'
import { writeJobSummary } from './job-summary.js'
import { countRows, failureMessage, issuesOutput, type RunResult } from '../report/result.js'
import { renderSummary } from '../report/summary.js'
import type { SentryClient } from '../sentry/client.js'
import { CacheStateStore } from '../state/cache-store.js'
import { runIssueEvent, runSync, type IssueEventPayload } from '../sync.js'
import { runQuickPass } from '../sync/quick.js'
import type { SentryRead } from '../sync/read-sentry.js'

/**
 * The action's sync step once its inputs are read and its Sentry client made: the GitHub client,
 * the state in the Actions cache, the sync (or the handling of one `issues` event), outputs and
 * the job summary. src/main.ts loads this module after it has started the Sentry read.
 */
export async function runSyncStep(
  config: Config,
  options: RunOptions,
  log: Logger,
  started: {
    sentry: SentryClient
    event: IssueEventPayload | undefined
    sentryRead: Promise<SentryRead> | undefined
  }
): Promise<void> {
  try {
    const github = createGitHubClientFor(config, log, options.github)
    const state =
      options.state ??
      new CacheStateStore({
        scope: {
          repository: `${config.github.owner}/${config.github.repo}`,
          org: config.sentry.org,
          trackingLabel: config.trackingLabel,
          sentryUrl: config.sentry.url,
          projects: config.sentry.projects,
          environments: config.sentry.environments,
          query: config.sentry.query
        },
        log,
        // A dry run reads the state a real run would use, and writes nothing.
        readOnly: config.dryRun
      })
    const deps = {
      sentry: started.sentry,
      github,
      state,
      log,
      contentWritesPerHour: options.contentWritesPerHour
    }
    const result = started.event
      ? await runIssueEvent(config, deps, started.event)
      : config.mode === 'quick'
        ? await runQuickPass(config, deps)
        : await runSync(config, deps, started.sentryRead)
    await report(result, config)
    const failure = failureMessage(result.rows)
    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(
      error instanceof ConfigError ? error.message : describeGitHubError(error, config)
    )
  }
}

async function report(result: RunResult, config: Config): Promise<void> {
  const counts = countRows(result.rows)
  await core.group('Outputs', async () => {
    for (const [name, value] of Object.entries(counts)) {
      core.setOutput(name, value)
      core.info(`${name}: ${value}`)
    }
    core.setOutput('issues', JSON.stringify(issuesOutput(result.rows)))
    // A dashboard a person deleted or moved away is no output.
    const dashboard = result.dashboard?.action === 'gone' ? undefined : result.dashboard
    core.setOutput('dashboard-number', dashboard?.number ?? '')
    core.setOutput('dashboard-url', dashboard?.url ?? '')
  })
  await writeJobSummary(renderSummary(result, `${config.github.owner}/${config.github.repo}`))
}

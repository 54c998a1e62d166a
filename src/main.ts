import * as core from '@actions/core'
import { createClients, warnOnPlainHttp, type ClientTuning } from './clients.js'
import { readActionConfig } from './inputs/action-inputs.js'
import { ConfigError, type Config } from './inputs/config.js'
import { errorMessage, type Logger } from './log.js'
import { countRows, failureMessage, issuesOutput, type RunResult } from './report/result.js'
import { renderSummary } from './report/summary.js'
import { CacheStateStore } from './state/cache-store.js'
import { MemoryStateStore, type StateStore } from './state/store.js'
import { runClosedIssueEvent, runSync, type IssueEventPayload } from './sync.js'
import { readFile } from 'node:fs/promises'
import { describeGitHubError } from './github/errors.js'

/** The action's logger: @actions/core, with log groups. */
export const actionLogger: Logger = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  group: (name, fn) => core.group(name, fn)
}

/** Knobs for embedding the action (tests, the demo); a runner uses the defaults. */
export interface RunOptions extends ClientTuning {
  state?: StateStore
  /** GitHub's hourly cap on content-creating requests (default 500; tests lower it). */
  contentWritesPerHour?: number
}

/** The action's entry point. Never throws: every failure ends in core.setFailed. */
export async function run(options: RunOptions = {}): Promise<void> {
  const log = actionLogger
  let config: Config
  try {
    config = readActionConfig()
  } catch (error) {
    core.setFailed(errorMessage(error))
    return
  }
  try {
    warnOnPlainHttp(config.sentry.url, log)
    const { sentry, github } = createClients(config, log, options)
    const state =
      options.state ??
      (config.dryRun
        ? new MemoryStateStore()
        : new CacheStateStore({
            scope: {
              repository: `${config.github.owner}/${config.github.repo}`,
              org: config.sentry.org,
              trackingLabel: config.trackingLabel
            },
            log
          }))
    const event = await readIssueEvent()
    const deps = { sentry, github, state, log, contentWritesPerHour: options.contentWritesPerHour }
    const result = event
      ? await runClosedIssueEvent(config, deps, event)
      : await runSync(config, deps)
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
  })
  try {
    await core.summary
      .addRaw(renderSummary(result, `${config.github.owner}/${config.github.repo}`))
      .write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
}

/**
 * The payload of an `issues` event, when that is what triggered the run: such a run handles that
 * one issue (a close, with resolve-in-sentry) instead of a full sync.
 */
async function readIssueEvent(): Promise<IssueEventPayload | undefined> {
  if (process.env.GITHUB_EVENT_NAME !== 'issues' || !process.env.GITHUB_EVENT_PATH) return undefined
  return JSON.parse(await readFile(process.env.GITHUB_EVENT_PATH, 'utf8')) as IssueEventPayload
}

import * as core from '@actions/core'
import { createClients, warnOnPlainHttp, type ClientTuning } from './clients.js'
import { readActionConfig } from './inputs/action-inputs.js'
import { ConfigError, type Config } from './inputs/config.js'
import { errorMessage, type Logger } from './log.js'
import { countRows, failureMessage, issuesOutput, type RunResult } from './report/result.js'
import { renderSummary } from './report/summary.js'
import { actionsCacheAvailable, CacheStateStore } from './state/cache-store.js'
import type { StateStore } from './state/store.js'
import { runClosedIssueEvent, runSync, type IssueEventPayload } from './sync.js'
import { readFile } from 'node:fs/promises'
import { describeGitHubError } from './github/errors.js'
import {
  failureMessage as checkFailureMessage,
  renderMarkdown,
  renderText
} from './check/checks.js'
import { cacheStateRow, runChecks } from './check/run.js'

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
  if (config.mode === 'check') return runCheckMode(config, options)
  try {
    warnOnPlainHttp(config.sentry.url, log)
    const { sentry, github } = createClients(config, log, options)
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

/**
 * `mode: check`: verifies everything a sync needs and writes nothing (no issue, label or comment,
 * no Sentry change, no cache save). The checklist goes to the log and the job summary; the step
 * fails with one message naming every failed check.
 */
async function runCheckMode(config: Config, options: RunOptions): Promise<void> {
  const log = actionLogger
  const clients = createClients(config, log, {
    ...options,
    sentry: { maxRetries: 1, ...options.sentry },
    github: { retries: 1, ...options.github }
  })
  try {
    warnOnPlainHttp(config.sentry.url, log)
    const rows = await runChecks(config, {
      sentry: clients.sentry,
      github: clients.github,
      log,
      surface: 'action',
      state: () => cacheStateRow(config, actionsCacheAvailable)
    })
    await core.group('Set-up check', async () => {
      for (const line of renderText(rows).split('\n')) core.info(line)
    })
    try {
      await core.summary
        .addRaw(renderMarkdown(rows, `${config.github.owner}/${config.github.repo}`))
        .write()
    } catch (error) {
      core.warning(`Could not write the job summary: ${errorMessage(error)}`)
    }
    const failure = checkFailureMessage(rows)
    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(`The set-up check could not finish: ${errorMessage(error)}`)
  } finally {
    await clients.close().catch(() => undefined)
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

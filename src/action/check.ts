import * as core from '@actions/core'
import { createClients } from '../clients.js'
import { warnOnPlainHttp } from '../sentry-setup.js'
import {
  failureMessage as checkFailureMessage,
  renderMarkdown,
  renderText
} from '../check/checks.js'
import { runChecks } from '../check/run.js'
import { cacheStateRow } from '../check/state.js'
import type { Config } from '../inputs/config.js'
import { errorMessage, type Logger } from '../log.js'
import type { RunOptions } from '../main.js'
import { writeJobSummary } from './job-summary.js'
import { actionsCacheAvailable } from '../state/cache-store.js'

/**
 * `mode: check`: verifies everything a sync needs and writes nothing (no issue, label or comment,
 * no Sentry change, no cache save). The checklist goes to the log and the job summary; the step
 * fails with one message naming every failed check.
 */
export async function runCheckMode(
  config: Config,
  options: RunOptions,
  log: Logger
): Promise<void> {
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
    await writeJobSummary(renderMarkdown(rows, `${config.github.owner}/${config.github.repo}`))
    const failure = checkFailureMessage(rows)
    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(`The set-up check could not finish: ${errorMessage(error)}`)
  } finally {
    await clients.close().catch(() => undefined)
  }
}

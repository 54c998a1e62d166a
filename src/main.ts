import * as core from '@actions/core'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { readFile } from 'node:fs/promises'
import type { ClientTuning } from './clients.js'
import { readActionConfig } from './inputs/action-inputs.js'
import type { Config } from './inputs/config.js'
import { errorMessage, type Logger } from './log.js'
import { createSentryClient, warnOnPlainHttp } from './sentry-setup.js'
import type { StateStore } from './state/store.js'
import type { IssueEventPayload } from './sync/event.js'
import { readSentry } from './sync/read-sentry.js'

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

/**
 * The action's entry point. Never throws: every failure ends in core.setFailed.
 *
 * It loads only what reading the inputs and Sentry needs (this module's imports), starts the
 * Sentry read, and then loads the rest of the action (GitHub client, state, sync, report:
 * ./action/sync.ts; ./action/check.ts for `mode: check`), which the bundle keeps in chunks of
 * their own: they are read and compiled while Sentry answers.
 */
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
    if (config.mode === 'check') {
      const { runCheckMode } = await import('./action/check.js')
      await runCheckMode(config, options, log)
      return
    }
    warnOnPlainHttp(config.sentry.url, log)
    const sentry = createSentryClient(config, log, options.sentry)
    const event = await readIssueEvent()
    // mode: quick reads Sentry its own way (new issues only, see src/sync/quick.ts).
    const sentryRead = event || config.mode === 'quick' ? undefined : readSentry(config, sentry)
    // Awaited, and a failure reported, by the sync; until then a rejection is not unhandled.
    sentryRead?.catch(() => undefined)
    // Compiling the rest blocks the process for a moment: let the request leave first.
    if (sentryRead) await requestOnTheWire(sentryRead)
    const { runSyncStep } = await import('./action/sync.js')
    await runSyncStep(config, options, log, { sentry, event, sentryRead })
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}

/**
 * Resolves once undici has written a request's headers (the Sentry read's first request), or when
 * `read` settles without one (a failure before anything was sent).
 */
function requestOnTheWire(read: Promise<unknown>): Promise<void> {
  const channel = 'undici:client:sendHeaders'
  return new Promise((resolve) => {
    const done = (): void => {
      unsubscribe(channel, done)
      resolve()
    }
    subscribe(channel, done)
    read.then(done, done)
  })
}

/**
 * The payload of an `issues` or `issue_comment` event, when that is what triggered the run: such
 * a run handles that one issue (a close or reopen with resolve-in-sentry, an assignee change with
 * sync-assignees, a new comment with sync-comments) instead of a full sync.
 */
async function readIssueEvent(): Promise<IssueEventPayload | undefined> {
  const name = process.env.GITHUB_EVENT_NAME
  if ((name !== 'issues' && name !== 'issue_comment') || !process.env.GITHUB_EVENT_PATH) {
    return undefined
  }
  return JSON.parse(await readFile(process.env.GITHUB_EVENT_PATH, 'utf8')) as IssueEventPayload
}

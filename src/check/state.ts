import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../inputs/config.js'
import { errorMessage, type Logger } from '../log.js'
import { FileStateStore, LockHeldError } from '../state/file-store.js'
import { fail, ok, warn, type CheckRow } from './checks.js'

/** The row about where the sync state is kept: the Actions cache (action) or a file (CLI). */

/** The action's state lives in the Actions cache (`available` tells whether it is, here). */
export async function cacheStateRow(
  config: Config,
  available: () => Promise<boolean>
): Promise<CheckRow> {
  const name = 'Sync state (Actions cache)'
  if (config.dryRun) return ok(name, 'dry-run is on: the state is neither restored nor saved.')
  return (await available())
    ? ok(name, 'the Actions cache is available.')
    : warn(
        name,
        'the Actions cache is not available here: the state is not kept between runs; deduplication still works through the tracking label and the marker search.',
        'Run on a GitHub-hosted runner, or enable the Actions cache on GitHub Enterprise Server.'
      )
}

/**
 * The CLI's state lives in a file: its folder must be writable (or creatable), and its lock free.
 * The lock is taken and given back at once; nothing else is written.
 */
export async function fileStateRow(
  file: string,
  log: Logger,
  lock: { staleLockMs?: number; heartbeatMs?: number } = {}
): Promise<CheckRow> {
  const name = 'State file'
  const fix = `Choose a writable place with \`--state-file\` (or STATE_FILE), or make the folder writable for this user.`
  const folder = path.dirname(file)
  let existing = folder
  while (!(await isDirectory(existing))) {
    const parent = path.dirname(existing)
    if (parent === existing) break
    existing = parent
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK)
  } catch (error) {
    return fail(name, `${file}: ${existing} is not writable (${errorMessage(error)}).`, fix)
  }
  if (existing !== folder) {
    return ok(name, `${file}: its folder will be created (${existing} is writable).`)
  }
  const store = new FileStateStore({ file, log, ...lock })
  try {
    await store.acquire()
  } catch (error) {
    if (error instanceof LockHeldError) {
      return warn(
        name,
        `${file} is writable, but another sync holds its lock now: a sync started now would stop without writing.`,
        error.message
      )
    }
    if (!(error instanceof Error)) throw error
    return fail(name, `${file}: ${errorMessage(error)}`, fix)
  } finally {
    await store.release()
  }
  return ok(name, `${file}: the folder is writable and the lock can be taken.`)
}

async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory()
  } catch {
    return false
  }
}

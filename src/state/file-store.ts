import { randomBytes } from 'node:crypto'
import { readFileSync, unlinkSync } from 'node:fs'
import {
  copyFile,
  link,
  mkdir,
  open,
  readFile,
  rename,
  stat,
  unlink,
  utimes
} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { errorMessage, type Logger } from '../log.js'
import { coerceState, emptyState, type StateStore, type SyncState } from './store.js'

/**
 * State in a JSON file, for the CLI (cron, systemd timers, any machine with a disk).
 *
 * - Writes are atomic: a temporary file in the same folder is written, fsynced and renamed over
 *   the state file, so a crash or a full disk never leaves half a file behind.
 * - A lock file next to it (`<file>.lock`, created with O_EXCL) holds the pid, host and start
 *   time of the run that owns it, for the whole run, so two scheduled runs cannot interleave. The
 *   owner refreshes its mtime every minute. A lock whose process is gone (same host) or that has
 *   not been refreshed for `staleLockMs` is broken with a warning; any other lock makes
 *   `acquire()` fail with a LockHeldError naming the holder.
 * - A missing file is an empty state; an unreadable one is a warning and an empty state, and a
 *   copy is kept as `<file>.corrupt`. Like every store, load and save never throw: the state is the
 *   last of three dedup layers (after the tracking label and the marker).
 */

export interface FileStateStoreOptions {
  file: string
  log: Logger
  /** A lock not refreshed for this long is stale (default 60 minutes). */
  staleLockMs?: number
  /** How often the owner refreshes its lock (default 60 s). */
  heartbeatMs?: number
  /** Clock in epoch ms (tests). */
  now?: () => number
  /** Never write (dry runs): no `.corrupt` copy, and save() does nothing. */
  readOnly?: boolean
}

export interface LockInfo {
  pid: number
  host: string
  /** ISO time the lock was taken. */
  started: string
  /** Random, so a run recognises its own lock. */
  nonce: string
}

/** Another live run holds the lock. */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError'
  constructor(
    readonly lockFile: string,
    readonly holder: Partial<LockInfo> | undefined
  ) {
    const who = holder?.pid
      ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.started ? ` since ${holder.started}` : ''}`
      : 'a run that is just starting'
    super(
      `Another sync is running: ${lockFile} is held by ${who}. This run stops without writing; ` +
        'the next scheduled run picks up the work. If no other sync is running, delete the lock file.'
    )
  }
}

const DEFAULT_STALE_LOCK_MS = 60 * 60 * 1000
/** The stores of this process that hold, or are taking, each lock file. */
const HELD_HERE = new Map<string, Set<FileStateStore>>()

function heldHere(lockFile: string, store: FileStateStore, held: boolean): void {
  const stores = HELD_HERE.get(lockFile) ?? new Set<FileStateStore>()
  if (held) stores.add(store)
  else stores.delete(store)
  if (stores.size > 0) HELD_HERE.set(lockFile, stores)
  else HELD_HERE.delete(lockFile)
}

/** Whether another store of this process holds or is taking the lock file. */
function heldByAnotherStoreHere(lockFile: string, store: FileStateStore): boolean {
  return [...(HELD_HERE.get(lockFile) ?? [])].some((other) => other !== store)
}
const DEFAULT_HEARTBEAT_MS = 60 * 1000
/** A lock file without readable content younger than this is taken to be being written. */
const UNREADABLE_LOCK_GRACE_MS = 30 * 1000

interface ExistingLock {
  raw: string
  info: LockInfo | undefined
  mtimeMs: number
}

export class FileStateStore implements StateStore {
  readonly file: string
  readonly lockFile: string
  readonly #log: Logger
  readonly #staleLockMs: number
  readonly #heartbeatMs: number
  readonly #now: () => number
  readonly #readOnly: boolean
  /** The content of our lock file while we hold it. */
  #held: string | undefined
  #heartbeat: NodeJS.Timeout | undefined
  readonly #onExit = (): void => this.#releaseSync()

  constructor(options: FileStateStoreOptions) {
    this.file = path.resolve(options.file)
    this.lockFile = `${this.file}.lock`
    this.#log = options.log
    this.#staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
    this.#now = options.now ?? Date.now
    this.#readOnly = options.readOnly ?? false
  }

  /** Whether this store currently holds the lock. */
  get locked(): boolean {
    return this.#held !== undefined
  }

  // -------------------------------------------------------------------------------------------
  // Lock

  /**
   * Takes the lock for this run. Breaks a stale lock (with a warning); throws LockHeldError when
   * another live run holds it, and other errors when the lock cannot be created at all.
   */
  async acquire(): Promise<void> {
    if (this.#held !== undefined) return
    heldHere(this.lockFile, this, true)
    try {
      await this.#acquire()
    } catch (error) {
      heldHere(this.lockFile, this, false)
      throw error
    }
  }

  async #acquire(): Promise<void> {
    await mkdir(path.dirname(this.lockFile), { recursive: true })
    for (let attempt = 0; attempt < 5; attempt++) {
      const info: LockInfo = {
        pid: process.pid,
        host: os.hostname(),
        started: new Date(this.#now()).toISOString(),
        nonce: randomBytes(8).toString('hex')
      }
      const content = `${JSON.stringify(info)}\n`
      if (await this.#tryCreate(content)) {
        this.#held = content
        this.#heartbeat = setInterval(() => void this.#refresh(), this.#heartbeatMs)
        this.#heartbeat.unref()
        process.on('exit', this.#onExit)
        this.#log.debug(`Took the lock ${this.lockFile}.`)
        return
      }
      const existing = await this.#readLock()
      if (existing === undefined) continue // released meanwhile: try again
      const stale = this.#staleReason(existing)
      if (stale === undefined) throw new LockHeldError(this.lockFile, existing.info)
      this.#log.warning(`Breaking the stale lock ${this.lockFile}: ${stale}.`)
      await this.#breakLock(existing.raw)
    }
    throw new Error(
      `Could not take the lock ${this.lockFile}: other runs kept taking it. Try again later.`
    )
  }

  /** Gives the lock back (only if it is still ours). Never throws. */
  async release(): Promise<void> {
    const held = this.#held
    if (held === undefined) return
    this.#stopHolding()
    try {
      const current = await readFile(this.lockFile, 'utf8')
      if (current === held) await unlink(this.lockFile)
      else this.#log.warning(`The lock ${this.lockFile} was taken over by another run meanwhile.`)
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') {
        this.#log.warning(`Could not remove the lock ${this.lockFile}: ${errorMessage(error)}`)
      }
    }
  }

  /** Runs `fn` holding the lock. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await fn()
    } finally {
      await this.release()
    }
  }

  async #tryCreate(content: string): Promise<boolean> {
    let handle
    try {
      handle = await open(this.lockFile, 'wx', 0o644)
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return false
      throw new Error(`Could not create the lock ${this.lockFile}: ${errorMessage(error)}`, {
        cause: error
      })
    }
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return true
  }

  async #readLock(): Promise<ExistingLock | undefined> {
    try {
      const [raw, stats] = await Promise.all([readFile(this.lockFile, 'utf8'), stat(this.lockFile)])
      return { raw, info: parseLockInfo(raw), mtimeMs: stats.mtimeMs }
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined
      throw new Error(`Could not read the lock ${this.lockFile}: ${errorMessage(error)}`, {
        cause: error
      })
    }
  }

  /** Why an existing lock may be broken, or undefined when it belongs to a live run. */
  #staleReason(lock: ExistingLock): string | undefined {
    const now = this.#now()
    const { info } = lock
    if (info === undefined) {
      const age = now - lock.mtimeMs
      return age > UNREADABLE_LOCK_GRACE_MS
        ? `its content is unreadable and it is ${formatAge(age)} old`
        : undefined
    }
    if (info.host === os.hostname() && !processAlive(info.pid)) {
      return `process ${info.pid}, which took it at ${info.started}, is no longer running`
    }
    // Our own pid on our host, yet no store of this process holds it: a container restarted in
    // place (pid 1 again).
    if (
      info.host === os.hostname() &&
      info.pid === process.pid &&
      !heldByAnotherStoreHere(this.lockFile, this)
    ) {
      return `it was taken at ${info.started} by an earlier process with this process's pid (${info.pid}), which is no longer running`
    }
    const started = Date.parse(info.started)
    const lastSign = Math.max(Number.isNaN(started) ? 0 : started, lock.mtimeMs)
    const age = now - lastSign
    if (age > this.#staleLockMs) {
      return `process ${info.pid} on ${info.host} took it at ${info.started} and has not refreshed it for ${formatAge(age)} (the limit is ${formatAge(this.#staleLockMs)})`
    }
    return undefined
  }

  /**
   * Moves the stale lock aside and deletes it. The move is atomic, so of two runs breaking the
   * same lock only one succeeds; if what was moved turns out to be a fresh lock another run took
   * in between, it is put back (without overwriting) and this run tries again.
   */
  async #breakLock(staleContent: string): Promise<void> {
    const aside = `${this.lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await rename(this.lockFile, aside)
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return
      throw new Error(`Could not break the stale lock ${this.lockFile}: ${errorMessage(error)}`, {
        cause: error
      })
    }
    try {
      const moved = await readFile(aside, 'utf8')
      if (moved !== staleContent) {
        await link(aside, this.lockFile).catch(() => undefined)
      }
    } finally {
      await unlink(aside).catch(() => undefined)
    }
  }

  async #refresh(): Promise<void> {
    const held = this.#held
    if (held === undefined) return
    try {
      const current = await readFile(this.lockFile, 'utf8')
      if (current !== held) {
        this.#log.warning(
          `The lock ${this.lockFile} was broken by another run; this run no longer holds it.`
        )
        this.#stopHolding()
        return
      }
      const now = new Date(this.#now())
      await utimes(this.lockFile, now, now)
    } catch (error) {
      this.#log.debug(`Could not refresh the lock ${this.lockFile}: ${errorMessage(error)}`)
    }
  }

  #stopHolding(): void {
    this.#held = undefined
    heldHere(this.lockFile, this, false)
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
    process.off('exit', this.#onExit)
  }

  /** On process exit (process.exit, or a signal handler that exits): remove our lock. */
  #releaseSync(): void {
    const held = this.#held
    if (held === undefined) return
    this.#held = undefined
    heldHere(this.lockFile, this, false)
    try {
      if (readFileSync(this.lockFile, 'utf8') === held) unlinkSync(this.lockFile)
    } catch {
      // Nothing more can be done while exiting; the next run breaks the lock as stale.
    }
  }

  // -------------------------------------------------------------------------------------------
  // State

  async load(): Promise<SyncState> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if (codeOf(error) === 'ENOENT') {
        this.#log.info(`No state file yet at ${this.file}; starting with an empty state.`)
      } else {
        this.#log.warning(
          `Could not read the state file ${this.file} (${errorMessage(error)}); starting with an empty state. Deduplication still works through the tracking label.`
        )
      }
      return emptyState()
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      return this.#corrupt(`not valid JSON: ${errorMessage(error)}`)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.#corrupt('not a JSON object')
    }
    const { version, issues } = value as { version?: unknown; issues?: unknown }
    if (version !== 1) return this.#corrupt(`unknown version ${JSON.stringify(version)}`)
    if (typeof issues !== 'object' || issues === null || Array.isArray(issues)) {
      return this.#corrupt('"issues" is not an object')
    }
    const state = coerceState(value)
    this.#log.debug(
      `Loaded ${Object.keys(state.issues).length} entries from the state file ${this.file}.`
    )
    return state
  }

  async save(state: SyncState): Promise<void> {
    if (this.#readOnly) {
      this.#log.debug(`Not saving the state file ${this.file} (read-only).`)
      return
    }
    const directory = path.dirname(this.file)
    const temporary = path.join(
      directory,
      `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    )
    // Every field is kept (the last run's time, gone issues, the hour's writes, the dashboard, …):
    // only the issue map is sorted, so the file diffs well.
    const sorted: SyncState = {
      ...state,
      version: 1,
      issues: Object.fromEntries(
        Object.entries(state.issues).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      )
    }
    try {
      await mkdir(directory, { recursive: true })
      const handle = await open(temporary, 'wx', 0o644)
      try {
        await handle.writeFile(`${JSON.stringify(sorted, null, 2)}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, this.file)
      await syncDirectory(directory)
      this.#log.debug(`Saved ${Object.keys(sorted.issues).length} entries to ${this.file}.`)
    } catch (error) {
      await unlink(temporary).catch(() => undefined)
      this.#log.warning(`Could not save the state file ${this.file}: ${errorMessage(error)}`)
    }
  }

  async #corrupt(reason: string): Promise<SyncState> {
    const copy = `${this.file}.corrupt`
    let kept = ''
    if (this.#readOnly) {
      kept = ' (This run writes nothing, so it is left as it is.)'
    } else {
      try {
        await copyFile(this.file, copy)
        kept = ` A copy was kept as ${copy}; the file is replaced at the end of this run.`
      } catch (error) {
        kept = ` (Could not keep a copy: ${errorMessage(error)}.)`
      }
    }
    this.#log.warning(
      `The state file ${this.file} is unreadable (${reason}); starting with an empty state.${kept} Deduplication still works through the tracking label.`
    )
    return emptyState()
  }
}

function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockInfo> | null
    if (
      value &&
      Number.isSafeInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.started === 'string' &&
      typeof value.nonce === 'string'
    ) {
      return value as LockInfo
    }
  } catch {
    // unreadable
  }
  return undefined
}

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return codeOf(error) !== 'ESRCH'
  }
}

/** Makes a rename durable (best effort: not every platform can open a directory). */
async function syncDirectory(directory: string): Promise<void> {
  let handle
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close()
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined
}

function formatAge(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 120) return `${seconds} s`
  return `${Math.round(seconds / 60)} min`
}

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../../src/log.js'
import { FileStateStore, LockHeldError } from '../../src/state/file-store.js'

function recordingLogger(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = []
  const infos: string[] = []
  return {
    warnings,
    infos,
    debug: () => undefined,
    info: (m) => void infos.push(m),
    warning: (m) => void warnings.push(m),
    group: (_n, fn) => fn()
  }
}

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-file-store-'))
  file = path.join(dir, 'nested', 'state.json')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('FileStateStore state', () => {
  it('a missing file is an empty state; save then load round-trips, sorted, with no leftovers', async () => {
    const log = recordingLogger()
    const store = new FileStateStore({ file, log })
    expect(await store.load()).toEqual({ version: 1, issues: {} })
    expect(log.infos[0]).toContain('No state file yet')
    await store.save({ version: 1, issues: { 'acme/20': 2, 'acme/10': 1 } })
    expect(await readFile(file, 'utf8')).toBe(
      '{\n  "version": 1,\n  "issues": {\n    "acme/10": 1,\n    "acme/20": 2\n  }\n}\n'
    )
    expect(await new FileStateStore({ file, log }).load()).toEqual({
      version: 1,
      issues: { 'acme/10': 1, 'acme/20': 2 }
    })
    expect(await readdir(path.dirname(file))).toEqual(['state.json'])
    expect(log.warnings).toEqual([])
  })

  it.each([
    ['not JSON', '{"version":1,', 'not valid JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['another version', '{"version":2,"issues":{}}', 'unknown version 2'],
    ['issues not an object', '{"version":1,"issues":[1]}', '"issues" is not an object']
  ])('%s: a warning, an empty state and a .corrupt copy', async (_, content, reason) => {
    await new FileStateStore({ file, log: recordingLogger() }).save({ version: 1, issues: {} })
    await writeFile(file, content)
    const log = recordingLogger()
    expect(await new FileStateStore({ file, log }).load()).toEqual({ version: 1, issues: {} })
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toContain(reason)
    expect(log.warnings[0]).toContain(`${file}.corrupt`)
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe(content)
  })

  it('keeps every field of the state, not only the issues (last run, gone issues, write budget, watermarks)', async () => {
    const store = new FileStateStore({ file, log: recordingLogger() })
    const state = {
      version: 1 as const,
      issues: { 'acme/2': 7 },
      gone: { 'acme/3': { number: 9, how: 'deleted' as const } },
      lastRunAt: '2026-12-01T10:00:00.000Z',
      contentWrites: [1_764_583_200_000],
      searchUntil: '2026-12-01T11:00:00.000Z',
      quickSince: '2026-12-01T09:59:00.000Z'
    }
    await store.save(state)
    expect(await store.load()).toEqual(state)
  })

  it('read-only (dry runs): reads, but writes neither the state nor a .corrupt copy', async () => {
    await new FileStateStore({ file, log: recordingLogger() }).save({ version: 1, issues: {} })
    await writeFile(file, 'garbage')
    const log = recordingLogger()
    const store = new FileStateStore({ file, log, readOnly: true })
    expect(await store.load()).toEqual({ version: 1, issues: {} })
    expect(log.warnings[0]).toContain('This run writes nothing')
    await store.save({ version: 1, issues: { 'acme/1': 1 } })
    expect(await readFile(file, 'utf8')).toBe('garbage')
    expect(existsSync(`${file}.corrupt`)).toBe(false)
  })

  it('drops malformed entries but keeps the good ones', async () => {
    await new FileStateStore({ file, log: recordingLogger() }).save({ version: 1, issues: {} })
    await writeFile(file, JSON.stringify({ version: 1, issues: { 'acme/1': 3, bad: 4 } }))
    expect(await new FileStateStore({ file, log: recordingLogger() }).load()).toEqual({
      version: 1,
      issues: { 'acme/1': 3 }
    })
  })

  it('a failed save is a warning and leaves the previous file and no temporary file', async () => {
    const log = recordingLogger()
    const store = new FileStateStore({ file, log })
    await store.save({ version: 1, issues: { 'acme/1': 1 } })
    // A folder where the file should be makes the rename fail.
    const blocked = new FileStateStore({ file: path.join(dir, 'nested'), log })
    await blocked.save({ version: 1, issues: { 'acme/2': 2 } })
    expect(log.warnings[0]).toContain('Could not save the state file')
    expect(await readdir(dir)).toEqual(['nested'])
    expect((await readdir(path.join(dir, 'nested'))).sort()).toEqual(['state.json'])
  })
})

describe('FileStateStore lock', () => {
  it('is exclusive: a second store fails with LockHeldError naming the holder', async () => {
    const first = new FileStateStore({ file, log: recordingLogger() })
    const second = new FileStateStore({ file, log: recordingLogger() })
    await first.acquire()
    expect(first.locked).toBe(true)
    const error = await second.acquire().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(LockHeldError)
    expect((error as LockHeldError).holder?.pid).toBe(process.pid)
    expect((error as Error).message).toContain(`${file}.lock is held by process ${process.pid}`)
    await first.release()
    expect(existsSync(`${file}.lock`)).toBe(false)
    await second.withLock(async () => expect(second.locked).toBe(true))
    expect(second.locked).toBe(false)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('withLock releases when the work throws', async () => {
    const store = new FileStateStore({ file, log: recordingLogger() })
    await expect(
      store.withLock(async () => {
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('release leaves a lock that another run took over, with a warning', async () => {
    const log = recordingLogger()
    const store = new FileStateStore({ file, log })
    await store.acquire()
    await writeFile(`${file}.lock`, '{"someone":"else"}')
    await store.release()
    expect(await readFile(`${file}.lock`, 'utf8')).toBe('{"someone":"else"}')
    expect(log.warnings[0]).toContain('taken over by another run')
  })

  it('an unreadable lock is respected while fresh and broken once old', async () => {
    const lock = `${file}.lock`
    await new FileStateStore({ file, log: recordingLogger() }).withLock(async () => undefined)
    await writeFile(lock, '')
    const log = recordingLogger()
    await expect(new FileStateStore({ file, log }).acquire()).rejects.toThrow(
      'a run that is just starting'
    )
    const old = new Date(Date.now() - 60_000)
    await utimes(lock, old, old)
    const store = new FileStateStore({ file, log })
    await store.acquire()
    expect(log.warnings[0]).toMatch(/Breaking the stale lock .*: its content is unreadable/)
    await store.release()
  })

  it("a lock with this process's pid and host that no store here holds is an earlier incarnation's (a container restarted in place): broken", async () => {
    const started = new Date().toISOString()
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(
      `${file}.lock`,
      `${JSON.stringify({ pid: process.pid, host: os.hostname(), started, nonce: 'earlier' })}\n`
    )
    const log = recordingLogger()
    const store = new FileStateStore({ file, log })
    await store.acquire()
    expect(store.locked).toBe(true)
    expect(log.warnings[0]).toMatch(
      /Breaking the stale lock .*an earlier process with this process's pid/
    )
    // While a store of this process holds it, another store here is still refused.
    const other = new FileStateStore({ file, log: recordingLogger() })
    await expect(other.acquire()).rejects.toBeInstanceOf(LockHeldError)
    await store.release()
  })

  it('a lock refreshed by a heartbeat stays live past the staleness limit', async () => {
    const holder = new FileStateStore({
      file,
      log: recordingLogger(),
      heartbeatMs: 20,
      staleLockMs: 150
    })
    await holder.acquire()
    await new Promise((resolve) => setTimeout(resolve, 300))
    const other = new FileStateStore({ file, log: recordingLogger(), staleLockMs: 150 })
    await expect(other.acquire()).rejects.toBeInstanceOf(LockHeldError)
    await holder.release()
  })

  it('the lock is removed when the process exits without releasing it', () => {
    const script = `
      import { FileStateStore } from ${JSON.stringify(path.resolve('src/state/file-store.ts'))}
      const store = new FileStateStore({ file: process.argv[1], log: { debug() {}, info() {}, warning() {}, group: (_n, f) => f() } })
      await store.acquire()
      process.exit(3)
    `
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, file],
      {
        encoding: 'utf8'
      }
    )
    expect(child.stderr).toBe('')
    expect(child.status).toBe(3)
    expect(existsSync(path.dirname(file))).toBe(true)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })
})

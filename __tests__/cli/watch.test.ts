import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { main } from '../../src/cli/run.js'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * `sentry-issues-sync watch` as a real process (node --import tsx src/cli.ts) against the fake
 * Sentry and fake GitHub: new issues filed while it runs, what an idle pass costs, a stop in the
 * middle of a pass, the held lock, an outage and its recovery, /healthz and /metrics over HTTP.
 * Nothing here is timed: each step waits for what the process does (its JSON log, the fakes'
 * state), with the test's timeout as the only limit.
 */

// Each test starts one or two Node processes that compile the TypeScript sources first.
jest.setTimeout(90_000)

let sentry: FakeSentry
let github: FakeGitHub
let contract: ReturnType<typeof watchGitHubContract>
let dir: string
let stateFile: string
const children: Watcher[] = []

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-watch-'))
  stateFile = path.join(dir, 'state', 'sync.json')
})
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await Promise.all([sentry.close(), github.close()])
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    SENTRY_URL: sentry.url,
    SENTRY_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    GITHUB_TOKEN: github.token,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: github.serverUrl,
    STATE_FILE: stateFile,
    ...extra
  }
}

interface LogLine {
  time: string
  level: string
  message: string
  [field: string]: unknown
}

/** A running CLI process, its JSON log lines as they arrive, and its exit. */
class Watcher {
  readonly child: ChildProcess
  readonly lines: LogLine[] = []
  readonly raw: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  #waiters: Array<() => void> = []

  constructor(args: string[], environment: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buffered = ''
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => {
        buffered += chunk
        let end
        while ((end = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, end)
          buffered = buffered.slice(end + 1)
          this.raw.push(line)
          try {
            this.lines.push(JSON.parse(line) as LogLine)
          } catch {
            // not JSON: kept in raw only
          }
          this.#notify()
        }
      })
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.#notify()
        resolve({ code, signal })
      })
    })
    children.push(this)
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  /** Waits until `test` holds (checked on each log line and on exit; also polled). */
  async until(test: () => boolean, what: string): Promise<void> {
    while (!test()) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `the process exited (${this.child.exitCode}) before ${what}:\n${this.raw.join('\n')}`
        )
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  passes(kind: 'quick' | 'full'): LogLine[] {
    return this.lines.filter((l) => l.pass === kind && typeof l.changed === 'number')
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }
}

function watch(args: string[] = [], extra: Record<string, string> = {}): Watcher {
  return new Watcher(
    ['watch', '--log-format', 'json', '--verbose', '--interval', '1s', ...args],
    env(extra)
  )
}

function markerCounts(): number[] {
  const counts = new Map<string, number>()
  for (const issue of github.issues) {
    const match = /^<!-- sentry-issue: (?:[^ /]+\/)?([^ /]+\/\d+) -->/.exec(issue.body ?? '')
    if (match?.[1]) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1)
  }
  return [...counts.values()]
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url)
  return { status: res.status, text: await res.text() }
}

describe('sentry-issues-sync watch', () => {
  it('files a new Sentry issue while it watches; an idle quick pass is one Sentry request and no GitHub request; /healthz and /metrics answer', async () => {
    sentry.seed(2, { seed: 81 })
    const w = watch(['--health-port', '0'])
    await w.until(() => w.passes('full').length === 1, 'the first full pass')
    expect(github.issues).toHaveLength(2)
    const started = w.lines.find((l) => typeof l.health === 'string')
    expect(started?.health).toMatch(/^127\.0\.0\.1:\d+$/)
    const base = `http://${String(started?.health)}`

    await w.until(() => w.passes('quick').length >= 2, 'two quick passes')
    const issue = sentry.addIssue({ title: 'TypeError: watch me' })
    await w.until(() => w.passes('quick').some((l) => l.changed === 1), 'the new issue filed')
    expect(github.issues).toHaveLength(3)
    expect(github.issues.some((i) => i.title.includes('watch me'))).toBe(true)
    const quickWithNew = w.passes('quick').find((l) => l.changed === 1)
    expect(quickWithNew?.level).toBe('info')
    await w.until(
      () => w.passes('quick').filter((l) => l.changed === 0).length >= 4,
      'idle quick passes'
    )

    const health = await get(`${base}/healthz`)
    expect(health).toEqual({ status: 200, text: 'ok\n' })
    const metrics = await get(`${base}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.text).toMatch(/^sentry_issues_sync_passes_total\{kind="full",outcome="ok"\} 1$/m)
    expect(metrics.text).toMatch(/^sentry_issues_sync_issues_total\{action="created"\} 3$/m)
    expect(metrics.text).toMatch(/^sentry_issues_sync_requests_total\{api="sentry"\} [1-9]\d*$/m)
    expect(metrics.text).toMatch(
      /^sentry_issues_sync_last_success_timestamp_seconds\{kind="quick"\} [1-9]\d*$/m
    )
    expect((await get(`${base}/other`)).status).toBe(404)
    for (const text of [metrics.text, health.text]) {
      expect(text).not.toContain(sentry.token)
      expect(text).not.toContain(github.token)
    }

    w.kill('SIGTERM')
    expect((await w.exited).code).toBe(0)
    // Every idle quick pass: exactly one Sentry request, none to GitHub, nothing above debug.
    const idle = w.passes('quick').filter((l) => l.changed === 0)
    expect(idle.length).toBeGreaterThanOrEqual(4)
    for (const line of idle) {
      expect(line).toMatchObject({ level: 'debug', sentryRequests: 1, githubRequests: 0 })
    }
    // What the process counted is what the fakes saw.
    const counted = (field: string): number =>
      w.lines.reduce((sum, l) => sum + (typeof l[field] === 'number' ? (l[field] as number) : 0), 0)
    expect(sentry.requests).toHaveLength(counted('sentryRequests'))
    expect(github.requests).toHaveLength(counted('githubRequests'))
    // The quick listing asks for the newest issues first, in a small page.
    const lastList = sentry.requests.filter((r) => r.path.endsWith('/issues/')).at(-1)
    expect(lastList?.query.get('sort')).toBe('new')
    expect(Number(lastList?.query.get('limit'))).toBeLessThanOrEqual(10)
    // After the new issue was filed, the idle passes logged nothing above debug (until the stop).
    const afterFiled = w.lines.slice(w.lines.indexOf(quickWithNew!) + 1)
    const untilStop = afterFiled.slice(
      0,
      afterFiled.findIndex((l) => l.signal === 'SIGTERM')
    )
    expect(untilStop.length).toBeGreaterThan(4)
    expect(untilStop.filter((l) => l.level !== 'debug')).toEqual([])
    // Nothing on stderr: no warning in a healthy run.
    expect(w.lines.filter((l) => l.level === 'warning' || l.level === 'error')).toEqual([])
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      issues: Record<string, number>
    }
    expect(Object.keys(saved.issues)).toContain(`${sentry.org}/${issue.id}`)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
    expect(markerCounts()).toEqual([1, 1, 1])
    for (const line of w.raw) {
      expect(line).not.toContain(sentry.token)
      expect(line).not.toContain(github.token)
    }
  })

  it('SIGTERM in the middle of a pass finishes the write under way, saves the state and exits 0; the next run files the rest once', async () => {
    sentry.seed(8, { seed: 82 })
    const w = watch()
    await w.until(() => github.issues.length >= 2, 'two issues created')
    w.kill('SIGTERM')
    const exit = await w.exited
    expect(exit).toEqual({ code: 0, signal: null })
    expect(w.lines.some((l) => l.signal === 'SIGTERM')).toBe(true)
    const created = github.issues.length
    expect(created).toBeLessThan(8)
    // Every issue created is in the saved state: no write went unrecorded.
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      issues: Record<string, number>
      lastRunAt?: string
      quickSince?: string
    }
    expect(Object.values(saved.issues).sort((a, b) => a - b)).toEqual(
      github.issues.map((i) => i.number).sort((a, b) => a - b)
    )
    // A stopped pass is not a finished full run: no "last run" time, no quick-pass watermark.
    expect(saved.lastRunAt).toBeUndefined()
    expect(saved.quickSince).toBeUndefined()
    expect(existsSync(`${stateFile}.lock`)).toBe(false)

    // Started again, it files the rest, each once.
    const again = watch()
    await again.until(() => again.passes('full').length === 1, 'the full pass after a restart')
    again.kill('SIGINT')
    expect((await again.exited).code).toBe(0)
    expect(github.issues).toHaveLength(8)
    expect(markerCounts()).toEqual(Array(8).fill(1))
    const after = JSON.parse(await readFile(stateFile, 'utf8')) as { lastRunAt?: string }
    expect(after.lastRunAt).toBeDefined()
  })

  it('holds the lock for its life: a second watch exits 2 naming the holder, a one-off sync refuses too', async () => {
    sentry.seed(1, { seed: 83 })
    const first = watch()
    await first.until(() => first.passes('full').length === 1, 'the first full pass')
    await first.until(() => first.passes('quick').length >= 1, 'a quick pass')
    expect(existsSync(`${stateFile}.lock`)).toBe(true)

    const second = watch()
    const secondExit = await second.exited
    expect(secondExit.code).toBe(2)
    const refusal = second.lines.find((l) => l.level === 'error')
    expect(refusal?.message).toContain(`held by process ${first.child.pid}`)

    const once = new Watcher(['sync'], env())
    expect((await once.exited).code).toBe(2)
    expect(once.raw.join('\n')).toContain(`held by process ${first.child.pid}`)

    expect(first.child.exitCode).toBeNull()
    first.kill('SIGTERM')
    expect((await first.exited).code).toBe(0)
    expect(github.issues).toHaveLength(1)
  })

  it('rides out a Sentry outage: one warning when it starts, one line when it ends, /healthz 503 meanwhile, then files what is new', async () => {
    sentry.seed(1, { seed: 84 })
    const w = watch(['--health-port', '0'])
    await w.until(() => w.passes('full').length === 1, 'the first full pass')
    const base = `http://${String(w.lines.find((l) => typeof l.health === 'string')?.health)}`
    // Each failed pass makes two attempts (one retry): three passes fail.
    sentry.injectFault({ kind: 'status', status: 503, times: 6, pathIncludes: '/issues/' })
    await w.until(() => w.lines.some((l) => l.level === 'warning'), 'the outage warning')
    const during = await get(`${base}/healthz`)
    if (during.status !== 503) console.log(w.raw.join('\n'))
    expect(during.status).toBe(503)
    expect(during.text).toContain('failed')
    await w.until(() => w.lines.some((l) => /^Recovered/.test(l.message)), 'the recovery line')
    sentry.addIssue({ title: 'RangeError: after the outage' })
    await w.until(() => github.issues.length === 2, 'the new issue filed')
    expect((await get(`${base}/healthz`)).status).toBe(200)
    const metrics = await get(`${base}/metrics`)
    expect(metrics.text).toMatch(
      /^sentry_issues_sync_passes_total\{kind="quick",outcome="failed"\} 3$/m
    )
    w.kill('SIGTERM')
    expect((await w.exited).code).toBe(0)

    const warnings = w.lines.filter((l) => l.level === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toMatch(/^Quick pass failed: .*503/)
    const recovered = w.lines.filter((l) => /^Recovered/.test(l.message))
    expect(recovered).toHaveLength(1)
    expect(recovered[0]).toMatchObject({ level: 'info', failures: 3 })
    expect(markerCounts()).toEqual([1, 1])
  })

  it('rides out GitHub failing (502) and Sentry rate limiting (429 with Retry-After): one warning and one recovery line each, nothing filed twice', async () => {
    sentry.seed(1, { seed: 86 })
    const w = watch()
    await w.until(() => w.passes('full').length === 1, 'the first full pass')
    // Each pass tries twice (one retry): two passes fail on GitHub's listing.
    github.injectFault({
      kind: 'status',
      status: 502,
      method: 'GET',
      pathIncludes: '/issues',
      times: 4
    })
    sentry.addIssue({ title: 'Error: during a GitHub outage' })
    await w.until(
      () => w.lines.filter((l) => /^Recovered/.test(l.message)).length === 1,
      'the first recovery'
    )
    await w.until(() => github.issues.length === 2, 'the issue filed after the outage')
    sentry.injectFault({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      pathIncludes: '/issues/',
      times: 2
    })
    await w.until(
      () => w.lines.filter((l) => /^Recovered/.test(l.message)).length === 2,
      'the second recovery'
    )
    w.kill('SIGTERM')
    expect((await w.exited).code).toBe(0)
    const warnings = w.lines.filter((l) => l.level === 'warning')
    expect(warnings.map((l) => l.message)).toEqual([
      expect.stringMatching(/^Quick pass failed: GitHub request failed \(HTTP 502\)/),
      expect.stringMatching(/^Quick pass failed: .*429/)
    ])
    expect(w.lines.filter((l) => /^Recovered/.test(l.message))).toEqual([
      expect.objectContaining({ failures: 2 }),
      expect.objectContaining({ failures: 1 })
    ])
    expect(markerCounts()).toEqual([1, 1])
  })

  it('killed outright in the middle of a pass, then started again: every issue filed once', async () => {
    sentry.seed(6, { seed: 87 })
    const w = watch()
    await w.until(() => github.issues.length >= 2, 'two issues created')
    w.kill('SIGKILL')
    expect((await w.exited).signal).toBe('SIGKILL')
    expect(existsSync(`${stateFile}.lock`)).toBe(true)
    const again = watch()
    await again.until(() => again.passes('full').length === 1, 'the full pass after the restart')
    expect(again.lines.some((l) => /Breaking the stale lock/.test(l.message))).toBe(true)
    again.kill('SIGTERM')
    expect((await again.exited).code).toBe(0)
    expect(markerCounts()).toEqual(Array(6).fill(1))
  })

  it('a bad configuration exits 2 before the first pass; a refused token on the first pass exits 2 too', async () => {
    const badInterval = watch(['--interval', 'soon'])
    expect((await badInterval.exited).code).toBe(2)
    expect(badInterval.raw.join('\n')).toContain('--interval')
    const shortFull = watch(['--full-every', '500ms'])
    expect((await shortFull.exited).code).toBe(2)
    expect(sentry.requests).toHaveLength(0)

    const refused = watch([], { SENTRY_TOKEN: 'not-the-token-0123456789' })
    expect((await refused.exited).code).toBe(2)
    expect(refused.lines.find((l) => l.level === 'error')?.message).toMatch(/token/i)
    expect(github.requests).toHaveLength(0)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })
})

describe('sentry-issues-sync quick and --log-format (in-process)', () => {
  async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = []
    const err: string[] = []
    const code = await main(argv, env(), {
      cwd: dir,
      sentry: { sleep: async () => undefined, maxRetries: 1 },
      github: { writeSpacingMs: 0, searchSpacingMs: 0, retries: 1 },
      io: { out: (t) => void out.push(t), err: (t) => void err.push(t) }
    })
    return { code, out, err }
  }

  it('quick files what is new since the last sync; --log-format json prints only JSON lines', async () => {
    sentry.seed(2, { seed: 85 })
    const full = await cli(['sync', '--log-format', 'json'])
    expect(full.code).toBe(0)
    const lines = [...full.out, ...full.err].map((l) => JSON.parse(l) as LogLine)
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'Sync finished.', created: 2 })

    sentry.requests = []
    github.resetRequests()
    const idle = await cli(['quick'])
    expect(idle.code).toBe(0)
    expect(idle.out.join('\n')).toContain('nothing new in Sentry')
    expect(sentry.requests).toHaveLength(1)
    expect(github.requests).toHaveLength(0)

    sentry.addIssue({ title: 'Error: quick one' })
    const quick = await cli(['quick'])
    expect(quick.code).toBe(0)
    expect(quick.out.join('\n')).toContain('created=1')
    expect(markerCounts()).toEqual([1, 1, 1])
  })

  it('refuses watch-only options elsewhere and a bad --log-format, before any request', async () => {
    const interval = await cli(['sync', '--interval', '5s'])
    expect(interval.code).toBe(2)
    expect(interval.err.join('\n')).toContain('--interval applies to the watch command only')
    const format = await cli(['--log-format', 'yaml'])
    expect(format.code).toBe(2)
    expect(format.err.join('\n')).toContain('--log-format')
    const port = await cli(['watch', '--health-port', 'http'])
    expect(port.code).toBe(2)
    expect(port.err.join('\n')).toContain('--health-port')
    const dry = await cli(['watch', '--dry-run'])
    expect(dry.code).toBe(2)
    expect(sentry.requests).toHaveLength(0)
  })
})

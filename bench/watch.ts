/**
 * Scenario `watch`: `sentry-issues-sync watch` as a long-running process against the fakes (with
 * their usual latency), compiled from the source this benchmark is built with
 * (`build/bench/src/cli.js`, no bundle needed).
 *
 * 1. **Latency.** 10 issues in Sentry, filed by the first (full) pass. Then 20 new Sentry issues,
 *    one at a time, each at a random moment 0–10 s after the previous one was filed, with
 *    `--interval 5s`: the time from adding an issue to the fake Sentry to the arrival of its
 *    `POST …/issues` at the fake GitHub's answer (the issue exists). p50 and p95.
 * 2. **Idle passes.** Requests per idle quick pass, counted by the fakes (Sentry, GitHub), and the
 *    process's own count in each pass's log line.
 * 3. **Memory.** A second process with `--interval 1s` over the same state: RSS (`/proc/PID/status`
 *    VmRSS) after 20 and after 2,000 quick passes (about 35 minutes); the target is within 10 MiB.
 *    With `--scale`, 2,000 is scaled (at least 40).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { prng } from '../src/fakes/fake-sentry.js'
import { repoRoot, startFakes, type Fakes } from './lib.js'

interface LogLine {
  level: string
  message: string
  pass?: string
  changed?: number
  sentryRequests?: number
  githubRequests?: number
}

class Watcher {
  readonly child: ChildProcess
  readonly passes: LogLine[] = []
  readonly lines: LogLine[] = []
  #waiters: Array<() => void> = []

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    const cli = path.join(repoRoot(), 'build/bench/src/cli.js')
    this.child = spawn(
      process.execPath,
      [cli, 'watch', '--log-format', 'json', '--verbose', ...args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buffered = ''
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => {
        buffered += chunk
        let end
        while ((end = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, end)
          buffered = buffered.slice(end + 1)
          let line: LogLine
          try {
            line = JSON.parse(text) as LogLine
          } catch {
            continue
          }
          if (line.level !== 'debug') this.lines.push(line)
          if (typeof line.changed === 'number') this.passes.push(line)
          for (const waiter of this.#waiters.splice(0)) waiter()
        }
      })
    }
  }

  async until(test: () => boolean): Promise<void> {
    while (!test()) {
      if (this.child.exitCode !== null) throw new Error('the watcher exited')
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }

  quickPasses(): number {
    return this.passes.filter((p) => p.pass === 'quick').length
  }

  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
    const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1])
    return Math.round((kb / 1024) * 10) / 10
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', resolve))
    this.child.kill('SIGTERM')
    return exited
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] ?? NaN
}

function env(fakes: Fakes, stateFile: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: path.dirname(stateFile),
    SENTRY_URL: fakes.sentry.url,
    SENTRY_TOKEN: fakes.sentry.token,
    SENTRY_ORG: fakes.sentry.org,
    GITHUB_TOKEN: fakes.github.token,
    GITHUB_REPOSITORY: `${fakes.github.owner}/${fakes.github.repo}`,
    GITHUB_API_URL: fakes.github.url,
    GITHUB_SERVER_URL: fakes.github.serverUrl,
    STATE_FILE: stateFile
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function watchScenario(scale: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sia-bench-watch-'))
  const stateFile = path.join(dir, 'state.json')
  const fakes = await startFakes()
  const random = prng(20261208)
  const arrivals = Math.max(5, Math.round(20 * scale))
  const memoryPasses = Math.max(40, Math.round(2000 * scale))
  let watcher: Watcher | undefined
  try {
    fakes.sentry.seed(10, { seed: 7 })

    // 1. Latency, --interval 5s.
    watcher = new Watcher(['--interval', '5s'], env(fakes, stateFile))
    const w = watcher
    await w.until(() => w.passes.some((p) => p.pass === 'full'))
    const latencies: number[] = []
    for (let i = 0; i < arrivals; i++) {
      await sleep(random() * 10_000)
      const before = fakes.github.issues.length
      const added = performance.now()
      fakes.sentry.addIssue({ title: `Error: arrival ${i + 1}` })
      while (fakes.github.issues.length === before) await sleep(20)
      latencies.push(performance.now() - added)
      console.log(`  issue ${i + 1}: filed after ${(latencies.at(-1)! / 1000).toFixed(2)} s`)
    }

    // 2. Idle passes: what the fakes receive between two pass lines that changed nothing.
    await w.until(() => w.passes.at(-1)?.changed === 0)
    const idleFrom = w.passes.length
    const sentryBefore = fakes.sentry.requests.length
    const githubBefore = fakes.github.requests.length
    await w.until(() => w.passes.length >= idleFrom + 6)
    // Stop right after a pass ended: the next one is 5 s away.
    const idle = w.passes.slice(idleFrom, idleFrom + 6)
    const sentryIdle = fakes.sentry.requests.length - sentryBefore
    const githubIdle = fakes.github.requests.length - githubBefore
    const firstExit = await w.stop()
    const warnings = w.lines.filter((l) => l.level === 'warning' || l.level === 'error').length

    // 3. Memory over many quick passes, --interval 1s.
    watcher = new Watcher(['--interval', '1s', '--full-every', '24h'], env(fakes, stateFile))
    const m = watcher
    await m.until(() => m.quickPasses() >= 20)
    const rssAt20 = m.rssMiB()
    let lastReport = Date.now()
    await m.until(() => {
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now()
        console.log(`  … ${m.quickPasses()} quick passes, RSS ${m.rssMiB()} MiB`)
      }
      return m.quickPasses() >= memoryPasses
    })
    const rssAtEnd = m.rssMiB()
    const secondExit = await m.stop()

    const result = {
      interval: '5s',
      arrivals,
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        max: Math.round(Math.max(...latencies)),
        all: latencies.map((ms) => Math.round(ms))
      },
      idlePasses: idle.length,
      idleRequestsPerPass: { sentry: sentryIdle / idle.length, github: githubIdle / idle.length },
      idleLoggedPerPass: idle.map((p) => [p.sentryRequests, p.githubRequests]),
      rssMiB: { afterPasses20: rssAt20, [`afterPasses${memoryPasses}`]: rssAtEnd },
      rssGrowthMiB: Math.round((rssAtEnd - rssAt20) * 10) / 10,
      issuesInGitHub: fakes.github.issues.length,
      exitCodes: [firstExit, secondExit],
      warnings
    }
    console.log(
      `  new issue → GitHub issue (--interval 5s, ${arrivals} arrivals): p50 ${(result.latencyMs.p50 / 1000).toFixed(2)} s, p95 ${(result.latencyMs.p95 / 1000).toFixed(2)} s, max ${(result.latencyMs.max / 1000).toFixed(2)} s`
    )
    console.log(
      `  idle quick pass: ${result.idleRequestsPerPass.sentry} Sentry request(s), ${result.idleRequestsPerPass.github} GitHub request(s) (over ${idle.length} passes)`
    )
    console.log(
      `  RSS: ${rssAt20} MiB after 20 quick passes, ${rssAtEnd} MiB after ${memoryPasses} (${result.rssGrowthMiB >= 0 ? '+' : ''}${result.rssGrowthMiB} MiB)`
    )
    console.log(`  exit codes after SIGTERM: ${firstExit}, ${secondExit}; warnings: ${warnings}`)
    return result
  } finally {
    if (watcher && watcher.child.exitCode === null) watcher.child.kill('SIGKILL')
    await fakes.close()
    await rm(dir, { recursive: true, force: true })
  }
}

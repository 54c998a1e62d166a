import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runAction, type RunActionOptions } from '../src/fakes/action-runner.js'
import { FakeGitHub } from '../src/fakes/fake-github.js'
import { FakeSentry } from '../src/fakes/fake-sentry.js'
import { markersInGitHub } from './helpers/harness.js'
import { watchGitHubContract } from './helpers/contract.js'

/**
 * Crash safety and concurrency with real processes: the bundled action (`node dist/index.js`) is
 * killed mid-run, or run twice at once, against the fakes.
 */

const entry = path.resolve('dist/index.js')
let sentry: FakeSentry
let github: FakeGitHub
let workdir: string
let contract: ReturnType<typeof watchGitHubContract>

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  workdir = await mkdtemp(path.join(os.tmpdir(), 'sia-crash-'))
})
afterEach(async () => {
  await Promise.all([sentry.close(), github.close()])
  await rm(workdir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function options(extra: Partial<RunActionOptions> = {}): RunActionOptions {
  return {
    entry,
    workdir,
    inputs: {
      'sentry-url': sentry.url,
      'sentry-token': sentry.token,
      'sentry-org': sentry.org,
      'github-token': github.token,
      repository: `${github.owner}/${github.repo}`
    },
    env: { GITHUB_API_URL: github.url, RUNNER_TEMP: workdir },
    ...extra
  }
}

function openIssuesPerMarker(): number[] {
  const counts = new Map<string, number>()
  for (const issue of github.issues) {
    const match = /^<!-- sentry-issue: (?:[^ /]+\/)?([^ /]+\/\d+) -->/.exec(issue.body ?? '')
    if (match?.[1] && issue.state === 'open') counts.set(match[1], (counts.get(match[1]) ?? 0) + 1)
  }
  return [...counts.values()]
}

describe('crash safety', () => {
  it('a run killed after K creates (no state saved) is completed by the next run without duplicates', async () => {
    sentry.seed(6, { seed: 51 })
    const K = 3
    const killed = await runAction(
      options({
        onSpawn: (child) => {
          const timer = setInterval(() => {
            if (github.issues.length >= K) {
              clearInterval(timer)
              child.kill('SIGKILL')
            }
          }, 5)
          child.on('exit', () => clearInterval(timer))
        }
      })
    )
    expect(killed.signal).toBe('SIGKILL')
    const createdBeforeKill = github.issues.length
    expect(createdBeforeKill).toBeGreaterThanOrEqual(K)
    expect(createdBeforeKill).toBeLessThan(6)

    const rerun = await runAction(options())
    expect(rerun.code).toBe(0)
    expect(rerun.outputs.created).toBe(String(6 - createdBeforeKill))
    const markers = markersInGitHub(github)
    expect(markers.size).toBe(6)
    expect([...markers.values()].every((n) => n.length === 1)).toBe(true)
  })
})

describe('concurrent runs', () => {
  it('two runs at once may both create; one more run leaves exactly one open issue per Sentry issue', async () => {
    sentry.seed(4, { seed: 52 })
    // Latency makes the two runs' listings happen before either creates anything.
    github.latencyMs = 30
    const [a, b] = await Promise.all([runAction(options()), runAction(options())])
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    expect(github.issues.length).toBeGreaterThan(4) // the race really happened

    const heal = await runAction(options())
    expect(heal.code).toBe(0)
    expect(Number(heal.outputs.closed)).toBe(github.issues.length - 4)
    expect(openIssuesPerMarker()).toEqual([1, 1, 1, 1])
    const closed = github.issues.filter((i) => i.state === 'closed')
    expect(closed.every((i) => i.state_reason === 'duplicate')).toBe(true)

    const after = await runAction(options())
    expect(after.outputs.created).toBe('0')
    expect(after.outputs.closed).toBe('0')
  })
})

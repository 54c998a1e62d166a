import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { FakeGitHub, type FakeGitHubOptions, type FakeIssue } from '../../src/fakes/fake-github.js'
import { FakeSentry, type FakeSentryOptions } from '../../src/fakes/fake-sentry.js'
import { inputEnv, parseOutputs } from '../../src/fakes/action-runner.js'
import { run, type RunOptions } from '../../src/main.js'
import { MemoryStateStore } from '../../src/state/store.js'
import { parseMarker } from '../../src/plan/marker.js'
import type { GitHubContractChecker } from '../../src/fakes/contract.js'
import { watchGitHubContract } from './contract.js'

/**
 * Test harness: both fakes on loopback, and the action's real run() driven through real INPUT_*
 * variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, exactly as on a runner.
 */
export interface Harness {
  sentry: FakeSentry
  github: FakeGitHub
  workdir: string
  state: MemoryStateStore
  baseInputs: Record<string, string>
  /**
   * Checks every exchange with the fake GitHub against GitHub's OpenAPI description; `close()`
   * fails the test when anything broke it. A test that breaks it on purpose empties `violations`.
   */
  contract: GitHubContractChecker
  /** Runs the action in-process; returns outputs, summary and whether it failed. */
  run(inputs?: Record<string, string>, options?: RunOptions): Promise<InProcessRun>
  close(): Promise<void>
}

export interface InProcessRun {
  outputs: Record<string, string>
  summary: string
  failed: boolean
  stdout: string
}

/**
 * @actions/core remembers the first GITHUB_STEP_SUMMARY path it sees in a process, so every
 * in-process run in a test file shares one summary file, emptied before each run.
 */
const SUMMARY_FILE = path.join(
  os.tmpdir(),
  `sia-summary-${process.pid}-${Math.random().toString(36).slice(2)}.md`
)

export const fastClients: RunOptions = {
  sentry: { sleep: async () => undefined, maxRetries: 2, timeoutMs: 5000 },
  github: { writeSpacingMs: 0, searchSpacingMs: 0, retryAfterBaseMs: 1, retries: 2 }
}

export async function startHarness(
  opts: { sentry?: FakeSentryOptions; github?: FakeGitHubOptions } = {}
): Promise<Harness> {
  const sentry = await FakeSentry.start(opts.sentry)
  const github = await FakeGitHub.start(opts.github)
  const contract = watchGitHubContract(github)
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'sia-test-'))
  const state = new MemoryStateStore()
  const baseInputs = {
    'sentry-url': sentry.url,
    'sentry-token': sentry.token,
    'sentry-org': sentry.org,
    'github-token': github.token,
    repository: `${github.owner}/${github.repo}`
  }
  let runs = 0
  return {
    sentry,
    github,
    workdir,
    state,
    baseInputs,
    contract,
    async run(inputs = {}, options = {}) {
      const id = ++runs
      return runInProcess(
        {
          ...inputEnv({ ...baseInputs, ...inputs }),
          GITHUB_API_URL: github.url,
          GITHUB_SERVER_URL: github.url,
          RUNNER_TEMP: workdir
        },
        path.join(workdir, `out-${id}`),
        { ...options, state: options.state ?? state }
      )
    },
    async close() {
      await Promise.all([sentry.close(), github.close()])
      await rm(workdir, { recursive: true, force: true })
      await rm(SUMMARY_FILE, { force: true })
      contract.assertNoViolations()
    }
  }
}

/**
 * Runs the action's run() in this process with `env` set (and restored after), GITHUB_OUTPUT
 * at `outputFile` and the shared summary file; its stdout is captured.
 */
export async function runInProcess(
  vars: Record<string, string>,
  outputFile: string,
  options: RunOptions = {}
): Promise<InProcessRun> {
  await writeFile(outputFile, '')
  await writeFile(SUMMARY_FILE, '')
  const saved = { ...process.env }
  const env = { ...vars, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: SUMMARY_FILE }
  Object.assign(process.env, env)
  const previousExit = process.exitCode
  process.exitCode = undefined
  const lines: string[] = []
  const originalWrite = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    return true
  }) as typeof process.stdout.write
  let failed: boolean
  try {
    await run({
      ...fastClients,
      ...options,
      sentry: { ...fastClients.sentry, ...options.sentry },
      github: { ...fastClients.github, ...options.github },
      state: options.state ?? new MemoryStateStore()
    })
    failed = process.exitCode === 1
  } finally {
    process.stdout.write = originalWrite
    process.exitCode = previousExit
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
  }
  return {
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(SUMMARY_FILE, 'utf8'),
    failed,
    stdout: lines.join('')
  }
}

/**
 * `org/id` of each marker (its host left out) → the repository's GitHub issues carrying it anywhere
 * in the body (deleted and transferred issues left out).
 */
export function markersInGitHub(github: FakeGitHub): Map<string, number[]> {
  const map = new Map<string, number[]>()
  for (const issue of github.issues) {
    if (issue.deleted || issue.transferred) continue
    const ref = parseMarker(issue.body)
    if (!ref) continue
    const key = `${ref.org}/${ref.issueId}`
    map.set(key, [...(map.get(key) ?? []), issue.number])
  }
  return map
}

/** The repository's (not deleted) GitHub issue whose marker names the Sentry issue, anywhere in the body. */
export function issueOf(github: FakeGitHub, sentryId: unknown): FakeIssue {
  const found = github.issues.find(
    (i) => !i.deleted && parseMarker(i.body)?.issueId === String(sentryId)
  )
  if (!found) throw new Error(`no GitHub issue for ${String(sentryId)}`)
  return found
}

/**
 * A job summary as text: Markdown escapes removed, code spans (where Sentry text and references
 * are shown) as their text, and the zero-width spaces of titles removed.
 */
export function plainSummary(summary: string): string {
  return summary.replace(/(?<!\\)`([^`\n]*)`/g, '$1').replace(/\\|\u200b/g, '')
}

/** The `::error::` lines of an action's output: what a runner shows as the step's errors. */
export function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error::'))
}

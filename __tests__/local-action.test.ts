import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { FakeGitHub } from '../src/fakes/fake-github.js'
import { FakeSentry } from '../src/fakes/fake-sentry.js'
import { errorLines } from './helpers/harness.js'

/**
 * The documented local path (docs/running-anywhere.md, .env.example): `npx local-action run .
 * src/main.ts <env file>` runs the action's TypeScript source with @github/local-action, which
 * swaps @actions/core, @actions/github and @actions/cache for its own stand-ins. Run here for real,
 * as a child process, against the fake Sentry and fake GitHub, with an env file in the
 * .env.example format.
 */

const SEEDED = 3
const bin = path.resolve('node_modules/@github/local-action/bin/local-action.js')

let sentry: FakeSentry
let github: FakeGitHub
let dir: string

beforeAll(async () => {
  sentry = await FakeSentry.start({ org: 'acme' })
  github = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
  sentry.addProject('web-frontend')
  sentry.seed(SEEDED, { projectSlug: 'web-frontend', seed: 3 })
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-local-action-'))
})
afterAll(async () => {
  await Promise.all([sentry.close(), github.close()])
  await rm(dir, { recursive: true, force: true })
})

interface LocalRun {
  code: number | null
  stdout: string
  stderr: string
  summary: string
}

/** Writes an env file like .env.example's (INPUT_ names keep their hyphens) and runs local-action. */
async function localAction(name: string, extra: Record<string, string>): Promise<LocalRun> {
  const summaryFile = path.join(dir, `${name}-summary.md`)
  await writeFile(summaryFile, '')
  const lines = {
    'INPUT_SENTRY-URL': sentry.url,
    'INPUT_SENTRY-TOKEN': sentry.token,
    'INPUT_SENTRY-ORG': 'acme',
    'INPUT_SENTRY-PROJECTS': 'web-frontend',
    'INPUT_GITHUB-TOKEN': github.token,
    INPUT_REPOSITORY: 'acme/web',
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: github.url,
    GITHUB_STEP_SUMMARY: summaryFile,
    ACTIONS_STEP_DEBUG: 'false',
    ...extra
  }
  const envFile = path.join(dir, `${name}.env`)
  await writeFile(
    envFile,
    Object.entries(lines)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n') + '\n'
  )
  // Only what npm and Node need: nothing from a surrounding runner (GITHUB_*, RUNNER_*) leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false'
  }
  const child = spawn(process.execPath, [bin, 'run', '.', 'src/main.ts', envFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr, summary: await readFile(summaryFile, 'utf8') }
}

function output(run: LocalRun, name: string): string | undefined {
  return new RegExp(`^::set-output name=${name}::(.*)$`, 'm').exec(run.stdout)?.[1]
}

describe('npm run local-action (the action source under @github/local-action)', () => {
  it('a dry run plans the issues and writes nothing', async () => {
    const run = await localAction('dry', { 'INPUT_DRY-RUN': 'true' })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(output(run, 'created')).toBe(String(SEEDED))
    expect(github.issues).toHaveLength(0)
    expect(github.writeCount()).toBe(0)
  }, 120_000)

  it('a real run creates the issues, and the next one finds them', async () => {
    const first = await localAction('real-1', { 'INPUT_DRY-RUN': 'false' })
    expect(errorLines(first.stdout)).toEqual([])
    expect(first.code).toBe(0)
    expect(output(first, 'created')).toBe(String(SEEDED))
    expect(github.issues).toHaveLength(SEEDED)
    expect(first.summary).toContain('WEB-FRONTEND-1')
    // local-action's stand-in for @actions/cache keeps no cache without its two folders.
    expect(first.stdout).toContain('::warning::Could not restore the sync state from the cache')

    const writes = github.writeCount()
    const second = await localAction('real-2', { 'INPUT_DRY-RUN': 'false' })
    expect(errorLines(second.stdout)).toEqual([])
    expect(output(second, 'created')).toBe('0')
    expect(github.issues).toHaveLength(SEEDED)
    expect(github.writeCount()).toBe(writes)
  }, 180_000)

  it('with LOCAL_ACTION_WORKSPACE and LOCAL_ACTION_CACHE_PATH the state is cached between runs', async () => {
    const workspace = path.join(dir, 'workspace')
    const cachePath = path.join(dir, 'cache')
    await mkdir(workspace)
    await mkdir(cachePath)
    const folders = { LOCAL_ACTION_WORKSPACE: workspace, LOCAL_ACTION_CACHE_PATH: cachePath }
    const run = await localAction('cached', { 'INPUT_DRY-RUN': 'false', ...folders })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.stdout).not.toContain('::warning::Could not')
    expect(output(run, 'created')).toBe('0')
    const saved = await readdir(cachePath)
    expect(saved.filter((f) => f.startsWith('sentry-issues-state-v2-'))).toHaveLength(1)
  }, 120_000)
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { main, type MainOptions } from '../../src/cli/run.js'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { watchGitHubContract } from '../helpers/contract.js'

/** The CLI keeps the triage dashboard too, remembering it in its state file. */

const FAST: MainOptions = {
  sentry: { sleep: async () => undefined, maxRetries: 1, timeoutMs: 5000 },
  github: { writeSpacingMs: 0, searchSpacingMs: 0, retryAfterBaseMs: 1, retries: 1 }
}

let sentry: FakeSentry
let github: FakeGitHub
let contract: ReturnType<typeof watchGitHubContract>
let dir: string

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-cli-dash-'))
})
afterEach(async () => {
  await Promise.all([sentry.close(), github.close()])
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = []
  const code = await main(
    argv,
    {
      SENTRY_URL: sentry.url,
      SENTRY_TOKEN: sentry.token,
      SENTRY_ORG: sentry.org,
      GITHUB_TOKEN: github.token,
      GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: github.serverUrl,
      STATE_FILE: path.join(dir, 'sync.json')
    },
    { ...FAST, cwd: dir, io: { out: (t) => void out.push(t), err: () => undefined } }
  )
  return { code, out: out.join('\n') }
}

describe('sentry-issues-sync --dashboard', () => {
  it('creates the dashboard once, says so, and remembers it in the state file', async () => {
    sentry.addIssue({ title: 'Rare', count: 2 })
    const first = await cli(['--dashboard', '--min-events', '100'])
    expect(first.code).toBe(0)
    const dashboards = github.issues.filter((i) => i.body?.includes('<!-- sentry-dashboard: '))
    expect(dashboards).toHaveLength(1)
    expect(first.out).toContain(`triage dashboard #${dashboards[0]!.number}`)
    const saved = JSON.parse(await readFile(path.join(dir, 'sync.json'), 'utf8')) as {
      dashboards?: Record<string, { number: number }>
    }
    expect(Object.values(saved.dashboards ?? {})).toEqual([{ number: dashboards[0]!.number }])

    github.resetRequests()
    const second = await cli(['--dashboard', '--min-events', '100'])
    expect(second.code).toBe(0)
    expect(github.writeCount()).toBe(0)
    expect(second.out).toContain('is unchanged')
  })
})

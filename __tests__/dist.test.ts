import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runAction } from '../src/fakes/action-runner.js'
import { FakeGitHub } from '../src/fakes/fake-github.js'
import { FakeSentry } from '../src/fakes/fake-sentry.js'
import { watchGitHubContract } from './helpers/contract.js'
import { errorLines, markersInGitHub } from './helpers/harness.js'

/**
 * The bundled action, run as a runner runs it: `node dist/index.js` in a child process on Node 24,
 * driven by INPUT_* variables, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_API_URL pointing
 * at the fakes. (The child process is what a runner executes; nothing here imports dist/.)
 */

const entry = path.resolve('dist/index.js')
let workdir: string

beforeAll(async () => {
  workdir = await mkdtemp(path.join(os.tmpdir(), 'sia-dist-'))
})
afterAll(async () => {
  await rm(workdir, { recursive: true, force: true })
})

async function withFakes(
  fn: (sentry: FakeSentry, github: FakeGitHub) => Promise<void>
): Promise<void> {
  const sentry = await FakeSentry.start()
  const github = await FakeGitHub.start()
  // Every request the bundled action makes, and every answer, is checked against GitHub's OpenAPI.
  const contract = watchGitHubContract(github)
  try {
    await fn(sentry, github)
  } finally {
    await Promise.all([sentry.close(), github.close()])
  }
  contract.assertNoViolations()
}

function env(github: FakeGitHub): Record<string, string> {
  return {
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: github.serverUrl,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    RUNNER_TEMP: workdir
  }
}

describe('node dist/index.js', () => {
  it('runs on Node 24 from INPUT_* variables: creates, then a second run writes nothing', async () => {
    expect(process.versions.node.split('.')[0]).toBe('24')
    await withFakes(async (sentry, github) => {
      sentry.seed(3, { seed: 21 })
      const inputs = {
        'sentry-url': `${sentry.url}/`,
        'sentry-token': sentry.token,
        'sentry-org': sentry.org,
        'github-token': github.token,
        // `repository` is left unset: it falls back to GITHUB_REPOSITORY, as on a runner.
        labels: 'bug'
      }
      const first = await runAction({ entry, inputs, env: env(github), workdir })
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      expect(first.outputs).toMatchObject({
        created: '3',
        updated: '0',
        closed: '0',
        reopened: '0',
        skipped: '0',
        failed: '0'
      })
      expect(JSON.parse(first.outputs.issues ?? '[]')).toHaveLength(3)
      expect(first.summary).toContain('Sentry → GitHub issues')
      expect(markersInGitHub(github).size).toBe(3)

      github.resetRequests()
      const second = await runAction({ entry, inputs, env: env(github), workdir })
      expect(second.code).toBe(0)
      expect(second.outputs.created).toBe('0')
      expect(second.outputs.skipped).toBe('3')
      expect(github.writeCount()).toBe(0)
    })
  })

  it('fails with exit code 1 and one error line for a bad input, before any request', async () => {
    await withFakes(async (sentry, github) => {
      const run = await runAction({
        entry,
        inputs: {
          'sentry-url': sentry.url,
          'sentry-token': sentry.token,
          'sentry-org': sentry.org,
          'github-token': github.token,
          'max-new-issues': 'ten'
        },
        env: env(github),
        workdir
      })
      expect(run.code).toBe(1)
      const errors = errorLines(run.stdout)
      expect(errors).toEqual([expect.stringContaining('max-new-issues must be a whole number')])
      expect(sentry.requests).toHaveLength(0)
      expect(github.requests).toHaveLength(0)
    })
  })
})

import { afterEach } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { FakeGitHub, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import type { GitHubContractChecker } from '../../src/fakes/contract.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * What the fake GitHub's own tests share (`fake-github-*.test.ts`): the fake driven by a real
 * Octokit (from @actions/github) over real HTTP, so that what the project's tests rely on is
 * checked against the client the action actually uses. Fakes started here are closed after each
 * test, and their answers checked against GitHub's OpenAPI description.
 */

const started: FakeGitHub[] = []
const contracts: GitHubContractChecker[] = []

export async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start(opts)
  started.push(fake)
  // Answers are checked against GitHub's OpenAPI description; requests are not, because several
  // tests here send invalid ones on purpose to check the fake's error answers.
  contracts.push(watchGitHubContract(fake, { requests: false }))
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
  for (const c of contracts.splice(0)) c.assertNoViolations()
})

export function client(fake: FakeGitHub, token = fake.token): ReturnType<typeof getOctokit> {
  return getOctokit(token, { baseUrl: fake.url })
}

export interface Failure {
  status: number
  data: Record<string, unknown>
  headers: Record<string, string | undefined>
}

/** Awaits a request that must fail and returns its status, body and headers. */
export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise
  } catch (error) {
    const e = error as {
      status?: number
      response?: { data?: unknown; headers?: Record<string, string | undefined> }
    }
    return {
      status: e.status ?? -1,
      data: (e.response?.data ?? {}) as Record<string, unknown>,
      headers: e.response?.headers ?? {}
    }
  }
  throw new Error('expected the request to fail')
}

/** A settable clock for the fake. */
export function clock(startIso = '2025-03-01T12:00:00Z'): {
  now: () => number
  advance(ms: number): void
} {
  let t = Date.parse(startIso)
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    }
  }
}

export const repo = { owner: 'acme', repo: 'web' }

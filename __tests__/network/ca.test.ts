import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { watchGitHubContract } from '../helpers/contract.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { TEST_CA, TEST_SERVER_CERT, TEST_SERVER_KEY } from '../fixtures/test-pki.js'
import { runCli, startTlsFront, withProxyEnv, type TlsFront } from './helpers.js'

/**
 * A self-hosted Sentry behind HTTPS with a certificate from a private CA (the test PKI from
 * scripts/make-test-pki.sh): without `sentry-ca-cert` the run stops with a clear TLS message;
 * with it, it syncs. The CA is trusted for Sentry only: a GitHub with a certificate from the same
 * CA is still refused.
 */

const TLS = { cert: TEST_SERVER_CERT, key: TEST_SERVER_KEY }

let sentry: FakeSentry
let github: FakeGitHub
let contract: ReturnType<typeof watchGitHubContract>
let sentryTls: TlsFront
let dir: string
let caFile: string

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  sentryTls = await startTlsFront(Number(new URL(sentry.url).port), TLS)
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-ca-'))
  caFile = path.join(dir, 'corp-ca.pem')
  await writeFile(caFile, `${TEST_CA}\n`)
})
afterEach(async () => {
  await Promise.all([sentry.close(), github.close(), sentryTls.close()])
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SENTRY_URL: sentryTls.url,
    SENTRY_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    GITHUB_TOKEN: github.token,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.url,
    STATE_FILE: path.join(dir, 'state.json'),
    ...overrides
  }
}

/** No proxy variables from the developer's machine may interfere. */
const direct = <T>(fn: () => Promise<T>): Promise<T> => withProxyEnv({}, fn)

describe('a Sentry with a private CA', () => {
  it('without sentry-ca-cert: one clear TLS error, no retries, nothing written', async () => {
    sentry.seed(2, { seed: 51 })
    const run = await direct(() => runCli([], env()))
    expect(run.code).toBe(1)
    expect(run.err).toContain("Sentry's TLS certificate is not trusted")
    expect(run.err).toContain('--sentry-ca-cert')
    expect(run.err.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1)
    expect(sentry.requests).toHaveLength(0)
    expect(github.requests).toHaveLength(0)
  })

  it.each([
    ['--sentry-ca-cert FILE', () => ({ argv: ['--sentry-ca-cert', caFile], vars: {} })],
    ['SENTRY_CA_CERT as PEM text', () => ({ argv: [], vars: { SENTRY_CA_CERT: TEST_CA } })],
    ['SENTRY_CA_CERT as a path', () => ({ argv: [], vars: { SENTRY_CA_CERT: caFile } })]
  ])('with %s it syncs over verified TLS', async (_, given) => {
    sentry.seed(3, { seed: 52 })
    const { argv, vars } = given()
    const run = await direct(() => runCli(argv, env(vars)))
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(3)
    expect(sentry.requests.length).toBeGreaterThan(0)
    expect(sentryTls.handshakes()).toBeGreaterThan(0)
  })

  it('the CA is trusted for Sentry only: a GitHub with a certificate from it is refused', async () => {
    sentry.seed(2, { seed: 53 })
    const githubTls = await startTlsFront(Number(new URL(github.url).port), TLS)
    try {
      const run = await direct(() =>
        runCli(['--sentry-ca-cert', caFile], env({ GITHUB_API_URL: githubTls.url }))
      )
      expect(run.code).toBe(1)
      expect(sentry.requests.length).toBeGreaterThan(0) // Sentry worked with the CA
      expect(github.requests).toHaveLength(0) // GitHub never got past the handshake
      expect(run.err).toContain(`Could not connect to GitHub at ${githubTls.url}`)
      expect(run.err).toMatch(/certificate/)
      expect(run.err).toContain('NODE_EXTRA_CA_CERTS')
    } finally {
      await githubTls.close()
    }
  })
})

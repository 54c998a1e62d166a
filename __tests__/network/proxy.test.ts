import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { watchGitHubContract } from '../helpers/contract.js'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { runCli, startRoutingProxy, withProxyEnv, type RoutingProxy } from './helpers.js'

/**
 * A whole sync (the CLI's main(), in-process) in a restricted network: the only way to Sentry and
 * GitHub is an HTTP proxy that also is the only resolver of their names. Both clients must find
 * the proxy through HTTPS_PROXY / HTTP_PROXY, and NO_PROXY must exempt the hosts it lists.
 */

const SENTRY_HOST = 'sentry.internal.test'
const GITHUB_HOST = 'github.internal.test'

let sentry: FakeSentry
let github: FakeGitHub
let contract: ReturnType<typeof watchGitHubContract>
let proxy: RoutingProxy
let dir: string

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  proxy = await startRoutingProxy()
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-proxy-'))
})
afterEach(async () => {
  await Promise.all([sentry.close(), github.close(), proxy.close()])
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SENTRY_URL: sentry.url.replace('127.0.0.1', SENTRY_HOST),
    SENTRY_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    GITHUB_TOKEN: github.token,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.url.replace('127.0.0.1', GITHUB_HOST),
    STATE_FILE: path.join(dir, 'state.json'),
    ...overrides
  }
}

describe('behind an HTTP proxy', () => {
  it.each([
    ['HTTPS_PROXY and HTTP_PROXY', (url: string) => ({ HTTPS_PROXY: url, HTTP_PROXY: url })],
    ['lower-case http_proxy', (url: string) => ({ http_proxy: url })]
  ])('syncs with %s: Sentry and GitHub traffic both go through the proxy', async (_, vars) => {
    sentry.seed(3, { seed: 41 })
    const run = await withProxyEnv(vars(proxy.url), () => runCli([], env()))
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(3)
    expect(proxy.hits(SENTRY_HOST)).toBeGreaterThan(0)
    expect(proxy.hits(GITHUB_HOST)).toBeGreaterThan(0)
    // Every request that reached the fake Sentry came through the proxy, with the name it resolved.
    expect(sentry.requests.length).toBeGreaterThan(0)
    expect(sentry.requests.every((r) => r.headers.host?.startsWith(`${SENTRY_HOST}:`))).toBe(true)
    // No other host was contacted through the proxy.
    for (const host of [...proxy.tunnels.keys(), ...proxy.forwarded.keys()]) {
      expect([SENTRY_HOST, GITHUB_HOST]).toContain(host)
    }
    // The Sentry URL is plain http to a non-loopback name: the CLI warns about the token.
    expect(run.err).toContain('warning: sentry-url uses plain http')

    // The second run goes through the proxy again and writes nothing.
    github.resetRequests()
    const second = await withProxyEnv(vars(proxy.url), () => runCli([], env()))
    expect(second.code).toBe(0)
    expect(github.writeCount()).toBe(0)
  })

  it('NO_PROXY sends a listed host direct: here a name only the proxy can resolve, so it fails', async () => {
    sentry.seed(2, { seed: 42 })
    const run = await withProxyEnv(
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: `example.com, ${GITHUB_HOST}` },
      () => runCli([], env())
    )
    expect(proxy.hits(SENTRY_HOST)).toBeGreaterThan(0)
    expect(proxy.hits(GITHUB_HOST)).toBe(0)
    expect(run.code).toBe(1)
    expect(run.err).toContain(`Could not connect to GitHub at http://${GITHUB_HOST}`)
    expect(run.err).toMatch(/ENOTFOUND|EAI_AGAIN/)
    expect(github.requests).toHaveLength(0)
  })

  it('NO_PROXY exempts Sentry the same way, before anything is written', async () => {
    sentry.seed(2, { seed: 43 })
    const run = await withProxyEnv(
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: `.internal.test:${sentryPort()}` },
      () => runCli([], env())
    )
    expect(run.code).toBe(1)
    expect(run.err).toContain(`Could not reach Sentry at http://${SENTRY_HOST}`)
    expect(proxy.hits(SENTRY_HOST)).toBe(0)
    expect(sentry.requests).toHaveLength(0)
    expect(github.writeCount()).toBe(0)
  })

  it('a proxy that requires credentials: given in the proxy URL, both clients authenticate', async () => {
    sentry.seed(2, { seed: 45 })
    const guarded = await startRoutingProxy({
      credentials: { user: 'sync', password: 'p@ss word' }
    })
    try {
      const withCredentials = guarded.url.replace('http://', 'http://sync:p%40ss%20word@')
      const run = await withProxyEnv({ HTTP_PROXY: withCredentials }, () => runCli([], env()))
      expect(run.code).toBe(0)
      expect(github.issues).toHaveLength(2)
      expect(guarded.hits(SENTRY_HOST)).toBeGreaterThan(0)
      expect(guarded.hits(GITHUB_HOST)).toBeGreaterThan(0)
      expect(run.out + run.err).not.toContain('p@ss word')

      // Without them: one clear error, not a retry loop.
      const denied = await withProxyEnv({ HTTP_PROXY: guarded.url }, () => runCli([], env()))
      expect(denied.code).toBe(1)
      expect(denied.err).toMatch(/407/)
      expect(guarded.rejected()).toBeGreaterThan(0)
    } finally {
      await guarded.close()
    }
  })

  const linuxOnly = process.platform === 'linux' ? it : it.skip
  linuxOnly('NO_PROXY sends a reachable host direct, and the sync succeeds', async () => {
    // 0.0.0.0 is not loopback to the proxy rules but reaches local listeners on Linux.
    sentry.seed(2, { seed: 44 })
    const direct = github.url.replace('127.0.0.1', '0.0.0.0')
    const run = await withProxyEnv(
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '0.0.0.0' },
      () => runCli([], env({ GITHUB_API_URL: direct }))
    )
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(2)
    expect(proxy.hits('0.0.0.0')).toBe(0)
    expect(proxy.hits(SENTRY_HOST)).toBeGreaterThan(0)

    // Without the exemption the same host goes through the proxy.
    const proxied = await withProxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }, () =>
      runCli([], env({ GITHUB_API_URL: direct }))
    )
    expect(proxied.code).toBe(0)
    expect(proxy.hits('0.0.0.0')).toBeGreaterThan(0)
  })
})

function sentryPort(): string {
  return new URL(sentry.url).port
}

import { afterEach, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { GitHubContractChecker } from '../../src/fakes/contract.js'
import { FakeGitHub, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { watchGitHubContract } from '../helpers/contract.js'
import { TEST_CA, TEST_SERVER_CERT, TEST_SERVER_KEY } from '../fixtures/test-pki.js'
import {
  runCli,
  startTlsFront,
  withProxyEnv,
  type CliRun,
  type TlsFront
} from '../network/helpers.js'

/**
 * `sentry-issues-sync check` end to end: the real clients against the fake Sentry and fake
 * GitHub. Each case asserts its row, its fix and the exit code, and that nothing was written.
 */

let sentry: FakeSentry
let github: FakeGitHub
let contract: GitHubContractChecker
let dir: string
let tls: TlsFront | undefined

async function start(githubOptions: FakeGitHubOptions = {}): Promise<void> {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start(githubOptions)
  contract = watchGitHubContract(github)
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-check-'))
}

afterEach(async () => {
  await Promise.all([sentry.close(), github.close(), tls?.close()])
  tls = undefined
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SENTRY_URL: sentry.url,
    SENTRY_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    GITHUB_TOKEN: github.token,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: github.serverUrl,
    STATE_FILE: path.join(dir, 'state', 'sync.json'),
    ...overrides
  }
}

/** `check` with no proxy variables from the machine. */
const check = (vars: Record<string, string> = {}, argv: string[] = []): Promise<CliRun> =>
  withProxyEnv({}, () => runCli(['check', ...argv], env(vars)))

/** The line of a row (`ok   name: …`, `FAIL name: …`) and the fix line under it. */
function row(run: CliRun, name: string): { line: string; fix: string } {
  const lines = run.out.split('\n')
  const index = lines.findIndex(
    (l) => /^(ok {2}|FAIL|warn) /.test(l) && l.slice(5).startsWith(`${name}:`)
  )
  if (index < 0) throw new Error(`no row "${name}" in:\n${run.out}`)
  const next = lines[index + 1] ?? ''
  return { line: lines[index] ?? '', fix: next.startsWith('     fix: ') ? next : '' }
}

function expectNothingWritten(): void {
  expect(github.writeCount()).toBe(0)
  expect(sentry.requests.filter((r) => r.method !== 'GET')).toEqual([])
}

describe('sentry-issues-sync check', () => {
  it('all green: exit 0, one ok line per check, nothing written, no state file left', async () => {
    await start({
      token: 'ghp_classic_user_token',
      issueTypes: ['Bug'],
      assignableUsers: ['ada-l']
    })
    github.oauthScopes = ['repo', 'workflow']
    sentry.addProject('web-frontend')
    sentry.seed(2, { projectSlug: 'web-frontend', seed: 7 })
    github.labels.push({ id: 7_100_000_001, name: 'sentry', color: '362d59', description: null })
    github.addMilestone('Triage')
    const run = await check({
      SENTRY_PROJECTS: 'web-frontend',
      SENTRY_ENVIRONMENTS: 'production',
      MILESTONE: 'Triage',
      ISSUE_TYPE: 'bug',
      ASSIGNEES: 'ada-l',
      RESOLVE_IN_SENTRY: 'true'
    })
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    for (const name of [
      'Sentry reachable',
      'Sentry token',
      'resolve-in-sentry',
      'Sentry organization',
      'Sentry projects',
      'Sentry environments',
      'Sentry issue query',
      'GitHub repository',
      'Issues write',
      'Labels',
      'Marker search',
      'Milestone',
      'Issue type',
      'Assignees',
      'State file'
    ]) {
      expect(row(run, name).line).toMatch(/^ok {3}/)
    }
    expect(row(run, 'Issues write').line).toContain('classic token scopes: repo, workflow')
    expect(run.out).toContain('a sync would work.')
    expectNothingWritten()
    const statePath = path.join(dir, 'state', 'sync.json')
    expect(existsSync(statePath)).toBe(false)
    expect(existsSync(`${statePath}.lock`)).toBe(false)
  })

  it('a wrong Sentry token: the token row says Sentry rejected it, exit 1', async () => {
    await start()
    const run = await check({ SENTRY_TOKEN: 'not-the-token' })
    expect(run.code).toBe(1)
    expect(row(run, 'Sentry reachable').line).toMatch(/^ok/)
    const token = row(run, 'Sentry token')
    expect(token.line).toBe(
      'FAIL Sentry token: Sentry rejected the token (HTTP 401: Invalid token): it is wrong, expired or revoked.'
    )
    expect(token.fix).toContain('`--sentry-token` (or SENTRY_TOKEN)')
    expectNothingWritten()
  })

  it('a token missing scopes lists them, with how to get them', async () => {
    await start()
    sentry.tokenScopes = ['org:read', 'org:ci']
    const run = await check({ SENTRY_COMMENT: 'true' })
    expect(run.code).toBe(1)
    const token = row(run, 'Sentry token')
    expect(token.line).toContain(
      'missing the scopes event:read, project:read (it has org:ci, org:read)'
    )
    expect(token.fix).toContain('Organization tokens (sntrys_…) cannot read issues')
    expect(row(run, 'sentry-comment').line).toBe(
      'FAIL sentry-comment: is on, but the token lacks event:write.'
    )
    expect(run.out).not.toContain('Sentry organization:')
  })

  it('Sentry signals: seer start needs event:write; owners without member:read is a warning', async () => {
    await start()
    sentry.tokenScopes = ['event:read', 'org:read', 'project:read']
    const run = await check({ SEER: 'start', OWNERS: 'show' })
    expect(run.code).toBe(1)
    expect(row(run, 'seer').line).toBe('FAIL seer: is start, but the token lacks event:write.')
    expect(row(run, 'owners').line).toContain('lacks member:read')
    expect(row(run, 'owners').fix).toContain('Add member:read to the token')
    sentry.tokenScopes = ['event:write', 'member:read', 'org:read', 'project:read']
    const fine = await check({ SEER: 'start', OWNERS: 'assign' })
    expect(row(fine, 'seer').line).toMatch(/^ok +seer: /)
    expect(row(fine, 'owners').line).toMatch(/^ok +owners: /)
    expectNothingWritten()
  })

  it('a wrong organization slug', async () => {
    await start()
    const run = await check({ SENTRY_ORG: 'acme-typo' })
    expect(run.code).toBe(1)
    const org = row(run, 'Sentry organization')
    expect(org.line).toMatch(/^FAIL Sentry organization: Sentry answered 404 Not Found/)
    expect(org.fix).toContain('`--sentry-org` (or SENTRY_ORG)')
    expect(org.fix).toContain('https://de.sentry.io')
  })

  it('a wrong project slug lists the projects that exist', async () => {
    await start()
    sentry.addProject('web-frontend')
    sentry.addProject('backend')
    const run = await check({ SENTRY_PROJECTS: 'web-frontend, web' })
    expect(run.code).toBe(1)
    const projects = row(run, 'Sentry projects')
    expect(projects.line).toContain('Unknown Sentry project in organization "acme": web.')
    expect(projects.line).toContain('Projects this token can see: backend, web-frontend.')
    expect(projects.fix).toContain('`--sentry-projects` (or SENTRY_PROJECTS)')
  })

  it('an unknown environment lists the ones that exist', async () => {
    await start()
    sentry.addIssue({ environments: ['production', 'staging'] })
    const run = await check({ SENTRY_ENVIRONMENTS: 'production, Staging' })
    expect(run.code).toBe(1)
    const environments = row(run, 'Sentry environments')
    expect(environments.line).toBe(
      'FAIL Sentry environments: "acme" has no environment "Staging"; it has "production", "staging".'
    )
    expect(environments.fix).toContain('case-sensitive')
  })

  it('a GitHub token whose user cannot write: Issues write fails with the fix; missing labels too', async () => {
    await start({ token: 'ghp_read_only_user', pushAccess: false })
    const run = await check({ LABELS: 'bug' })
    expect(run.code).toBe(1)
    const write = row(run, 'Issues write')
    expect(write.line).toContain(`has read access to ${github.owner}/${github.repo}, not write`)
    expect(write.fix).toContain('Issues: Read and write')
    expect(row(run, 'Labels').line).toBe(
      'FAIL Labels: "sentry", "bug" do not exist, and this token cannot create them.'
    )
    expectNothingWritten()
  })

  it('a classic token without the repo scope', async () => {
    await start({ token: 'ghp_classic_user_token' })
    github.oauthScopes = ['gist']
    const run = await check()
    expect(run.code).toBe(1)
    const write = row(run, 'Issues write')
    expect(write.line).toBe(
      "FAIL Issues write: the classic token's scopes (gist) do not include repo or public_repo."
    )
  })

  it('an installation token: its permissions cannot be read, so a warning with the permissions line', async () => {
    await start()
    const run = await check()
    expect(run.code).toBe(0)
    const write = row(run, 'Issues write')
    expect(write.line).toMatch(/^warn Issues write: an installation token/)
    expect(write.fix).toContain('Issues: Read & write')
  })

  it('search unusable on this host', async () => {
    await start()
    github.searchUnavailable = true
    const run = await check()
    expect(run.code).toBe(1)
    const search = row(run, 'Marker search')
    expect(search.line).toMatch(/^FAIL Marker search: GET \/search\/issues failed \(503/)
    expect(search.fix).toContain('enable search')
  })

  it('optional features that a read shows to be wrong: milestone, issue type, assignee', async () => {
    await start({ issueTypes: ['Bug', 'Task'], assignableUsers: ['ada-l'] })
    github.addMilestone('Triage')
    const run = await check({
      MILESTONE: 'Backlog',
      ISSUE_TYPE: 'Incident',
      ASSIGNEES: 'ada-l, bob'
    })
    expect(run.code).toBe(1)
    expect(row(run, 'Milestone').line).toContain('has no milestone "Backlog" (it has "Triage")')
    expect(row(run, 'Issue type').line).toContain(
      'has no issue type "Incident" (it has "Bug", "Task")'
    )
    expect(row(run, 'Assignees').line).toContain('bob cannot be assigned')
    expectNothingWritten()
  })

  it('a private CA not given: the TLS row names the input that fixes it; with it, all is well', async () => {
    await start()
    tls = await startTlsFront(Number(new URL(sentry.url).port), {
      cert: TEST_SERVER_CERT,
      key: TEST_SERVER_KEY
    })
    const run = await check({ SENTRY_URL: tls.url })
    expect(run.code).toBe(1)
    const reach = row(run, 'Sentry reachable')
    expect(reach.line).toMatch(
      /^FAIL Sentry reachable: TLS: the certificate of .* is not trusted \([A-Z_]+\)\.$/
    )
    expect(reach.fix).toContain(
      '`--sentry-ca-cert` (or SENTRY_CA_CERT) (a file path or the PEM text)'
    )
    expect(run.out).not.toContain('Sentry token:')

    const caFile = path.join(dir, 'ca.pem')
    await writeFile(caFile, TEST_CA)
    const fixed = await check({ SENTRY_URL: tls.url, SENTRY_CA_CERT: caFile })
    expect(row(fixed, 'Sentry reachable').line).toMatch(/^ok/)
    expect(fixed.code).toBe(0)
  })

  it('an unreachable host: connection refused, and a name that does not resolve', async () => {
    await start()
    const port = await closedPort()
    const refused = await check({ SENTRY_URL: `http://127.0.0.1:${port}` })
    expect(refused.code).toBe(1)
    const reach = row(refused, 'Sentry reachable')
    expect(reach.line).toBe(
      `FAIL Sentry reachable: 127.0.0.1:${port} refused the connection (ECONNREFUSED).`
    )
    expect(reach.fix).toContain('HTTPS_PROXY')

    const dns = await check({ SENTRY_URL: 'https://sentry.invalid' })
    expect(dns.code).toBe(1)
    expect(row(dns, 'Sentry reachable').line).toMatch(
      /^FAIL Sentry reachable: DNS: the name of sentry\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)\.$/
    )
    expect(sentry.requests).toHaveLength(0)
  })

  it('bad input still exits 2 before any request', async () => {
    await start()
    const run = await check({}, ['--sort', 'sideways'])
    expect(run.code).toBe(2)
    expect(run.err).toContain('sort must be one of')
    expect(sentry.requests).toHaveLength(0)
    expect(github.requests).toHaveLength(0)
  })
})

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

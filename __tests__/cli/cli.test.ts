import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { watchGitHubContract } from '../helpers/contract.js'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  BOOLEAN_INPUTS,
  CLI_OPTIONS,
  envNameFor,
  envNamesFor,
  helpText,
  inputSpec,
  shownDefault
} from '../../src/cli/args.js'
import { main, version, type MainOptions } from '../../src/cli/run.js'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { INPUT_NAMES } from '../../src/inputs/config.js'
import { actionInputNames } from '../helpers/action-yml.js'

/**
 * The CLI's main(argv, env) run in-process against the fake Sentry and fake GitHub, with a real
 * state file and lock in a temporary folder.
 */

const FAST: MainOptions = {
  sentry: { sleep: async () => undefined, maxRetries: 1, timeoutMs: 5000 },
  github: { writeSpacingMs: 0, searchSpacingMs: 0, retryAfterBaseMs: 1, retries: 1 }
}

interface CliRun {
  code: number
  out: string
  err: string
}

let sentry: FakeSentry
let github: FakeGitHub
let contract: ReturnType<typeof watchGitHubContract>
let dir: string
let stateFile: string

beforeEach(async () => {
  sentry = await FakeSentry.start()
  github = await FakeGitHub.start()
  contract = watchGitHubContract(github)
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-cli-'))
  stateFile = path.join(dir, 'state', 'sync.json')
})
afterEach(async () => {
  await Promise.all([sentry.close(), github.close()])
  await rm(dir, { recursive: true, force: true })
  contract.assertNoViolations()
})

function baseEnv(): Record<string, string> {
  return {
    SENTRY_URL: sentry.url,
    SENTRY_TOKEN: sentry.token,
    SENTRY_ORG: sentry.org,
    GITHUB_TOKEN: github.token,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: github.serverUrl,
    STATE_FILE: stateFile
  }
}

async function cli(
  argv: string[],
  env: Record<string, string | undefined> = baseEnv(),
  options: MainOptions = {}
): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, env, {
    ...FAST,
    cwd: dir,
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
    ...options
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

function markers(): Map<string, number> {
  const seen = new Map<string, number>()
  for (const issue of github.issues) {
    const match = /^<!-- sentry-issue: (?:[^ /]+\/)?([^ /]+\/\d+) -->/.exec(issue.body ?? '')
    if (match?.[1]) seen.set(match[1], (seen.get(match[1]) ?? 0) + 1)
  }
  return seen
}

describe('sentry-issues-sync against the fakes', () => {
  it('creates each issue once; a second run with the state file writes nothing', async () => {
    sentry.seed(4, { seed: 31 })
    const first = await cli([])
    expect(first.err).toBe('')
    expect(first.code).toBe(0)
    expect(github.issues).toHaveLength(4)
    expect(first.out).toContain('Sentry → GitHub issues')
    expect(first.out).toContain('created=4 updated=0 closed=0 reopened=0 skipped=0 failed=0')
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      version: number
      issues: Record<string, number>
    }
    expect(saved.version).toBe(1)
    expect(Object.keys(saved.issues)).toHaveLength(4)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
    // No temporary files are left next to the state.
    expect((await readdir(path.dirname(stateFile))).sort()).toEqual(['sync.json'])

    github.resetRequests()
    const second = await cli([])
    expect(second.code).toBe(0)
    expect(second.out).toContain('created=0')
    expect(github.writeCount()).toBe(0)
    expect([...markers().values()]).toEqual([1, 1, 1, 1])
    // Secrets never reach the output.
    for (const text of [first.out, first.err, second.out, second.err]) {
      expect(text).not.toContain(sentry.token)
      expect(text).not.toContain(github.token)
    }
  })

  it('--dry-run plans without writing to GitHub, the state file or a lock', async () => {
    sentry.seed(3, { seed: 32 })
    const run = await cli(['--dry-run'])
    expect(run.code).toBe(0)
    expect(run.out).toContain('dry run')
    expect(run.out).toContain('created=3')
    expect(github.writeCount()).toBe(0)
    expect(existsSync(stateFile)).toBe(false)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })

  it('--dry-run prints the would-be issues; --preview-dir writes what a real run then creates', async () => {
    sentry.seed(25, { seed: 34 })
    const previewDir = path.join(dir, 'preview')
    const dry = await cli(['--dry-run', '--preview-dir', 'preview', '--max-new-issues', '100'])
    expect(dry.code).toBe(0)
    expect(github.writeCount()).toBe(0)
    expect(dry.out).toContain('Issues that would be created (the first 20 of 25)')
    expect(dry.out).toContain('… and 5 more')
    expect(dry.out).toContain(`Wrote 25 issue preview(s) to ${previewDir}.`)
    // The bodies are printed verbatim (indented), not reduced like the summary's Markdown.
    expect(dry.out).toMatch(/^ {4}<!-- sentry-issue: 127\.0\.0\.1:\d+\/acme\/\d+ -->$/m)
    const files = (await readdir(previewDir)).sort()
    expect(files).toHaveLength(25)

    const real = await cli(['--max-new-issues', '100'])
    expect(real.code).toBe(0)
    expect(github.issues).toHaveLength(25)
    for (const issue of github.issues) {
      const shortId = /\| Short ID \| ([A-Z0-9-]+) \|/.exec(issue.body ?? '')?.[1]
      const text = await readFile(path.join(previewDir, `${shortId}.md`), 'utf8')
      const [heading, ...rest] = text.split('\n')
      expect(heading).toBe(`# ${issue.title}`)
      expect(rest.slice(1, 4)).toEqual([
        `**Labels:** ${issue.labels.join(', ')}`,
        '**Assignees:** none',
        '**Milestone:** none'
      ])
      expect(text.slice(text.indexOf('\n---\n\n') + 6)).toBe(issue.body)
    }
  })

  it('PREVIEW_DIR works from the environment; an unwritable folder is one clear error', async () => {
    sentry.seed(2, { seed: 35 })
    await writeFile(path.join(dir, 'taken'), 'a file, not a folder')
    const env = { ...baseEnv(), PREVIEW_DIR: path.join(dir, 'taken') }
    const run = await cli(['--dry-run'], env)
    expect(run.code).toBe(1)
    expect(run.err).toContain(
      `error: --preview-dir: could not write the previews to ${path.join(dir, 'taken')}`
    )
    const ok = await cli(['--dry-run'], { ...baseEnv(), PREVIEW_DIR: 'out' })
    expect(ok.code).toBe(0)
    expect((await readdir(path.join(dir, 'out'))).length).toBe(2)
  })

  it('flags beat environment variables; empty variables count as unset', async () => {
    sentry.seed(5, { seed: 33 })
    const env = {
      ...baseEnv(),
      SENTRY_ORG: 'not-this-org',
      MAX_NEW_ISSUES: '1',
      DRY_RUN: 'true',
      LABELS: '',
      SORT: ''
    }
    const run = await cli(['--sentry-org', sentry.org, '--max-new-issues=2', '--no-dry-run'], env)
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(2)
    // LABELS was empty, so the default `bug` applies.
    expect(github.issues.every((i) => i.labels.includes('bug'))).toBe(true)
    const viaEnv = await cli([], { ...env, SENTRY_ORG: sentry.org, DRY_RUN: 'false' })
    expect(viaEnv.code).toBe(0)
    expect(github.issues).toHaveLength(3)
  })

  it('NAME_FILE variables read values from files (secrets, multi-line values)', async () => {
    sentry.seed(2, { seed: 38 })
    await writeFile(path.join(dir, 'sentry-token'), `${sentry.token}\n`)
    await writeFile(path.join(dir, 'labels'), 'bug\ntriage\n')
    const env: Record<string, string | undefined> = {
      ...baseEnv(),
      SENTRY_TOKEN: undefined,
      SENTRY_TOKEN_FILE: 'sentry-token',
      LABELS_FILE: path.join(dir, 'labels')
    }
    const run = await cli([], env)
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(github.issues.every((i) => i.labels.includes('triage'))).toBe(true)
    expect(run.out).not.toContain(sentry.token)

    const both = await cli([], { ...env, SENTRY_TOKEN: sentry.token })
    expect(both.code).toBe(2)
    expect(both.err).toContain('Both SENTRY_TOKEN and SENTRY_TOKEN_FILE are set')
    const missing = await cli([], { ...env, SENTRY_TOKEN_FILE: 'nope' })
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('SENTRY_TOKEN_FILE: could not read')
  })

  it('SENTRY_SYNC_<INPUT> variables, and their _FILE twins, win over the short names', async () => {
    sentry.seed(2, { seed: 39 })
    await writeFile(path.join(dir, 'token'), `${sentry.token}\n`)
    const env: Record<string, string | undefined> = {
      ...baseEnv(),
      SENTRY_TOKEN: 'not-the-token',
      SENTRY_SYNC_SENTRY_TOKEN_FILE: 'token',
      LABELS: 'legacy',
      SENTRY_SYNC_LABELS: 'triage',
      SENTRY_ORG: 'no-such-org',
      SENTRY_SYNC_SENTRY_ORG: sentry.org
    }
    const run = await cli([], env)
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(2)
    for (const issue of github.issues) {
      expect(issue.labels).toContain('triage')
      expect(issue.labels).not.toContain('legacy')
    }

    const both = await cli([], { ...env, SENTRY_SYNC_SENTRY_TOKEN: sentry.token })
    expect(both.code).toBe(2)
    expect(both.err).toContain(
      'Both SENTRY_SYNC_SENTRY_TOKEN and SENTRY_SYNC_SENTRY_TOKEN_FILE are set'
    )
    const missing = await cli([], { ...env, SENTRY_SYNC_SENTRY_TOKEN_FILE: 'nope' })
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('SENTRY_SYNC_SENTRY_TOKEN_FILE: could not read')
  })

  it('--sentry-ca-cert reads a PEM file; an unreadable one is a configuration error', async () => {
    const missing = await cli(['--sentry-ca-cert', 'no-such-ca.pem'])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('could not read the CA file')
    await writeFile(path.join(dir, 'not-a-cert.pem'), 'hello')
    const bad = await cli(['--sentry-ca-cert', 'not-a-cert.pem'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('sentry-ca-cert must be one or more PEM certificates')
    expect(sentry.requests).toHaveLength(0)
  })
})

describe('exit codes', () => {
  it.each([
    [['--bogus'], {}, "Unknown option '--bogus'"],
    [['--sentry-org'], {}, 'argument missing'],
    [['stray'], {}, 'positional'],
    [[], { SORT: 'best' }, 'sort must be one of'],
    [['--dry-run=maybe'], {}, 'dry-run must be true or false'],
    [[], { SENTRY_TOKEN: undefined }, 'sentry-token is required'],
    [[], { GITHUB_REPOSITORY: undefined }, '--repository or GITHUB_REPOSITORY'],
    [[], { GITHUB_TOKEN: undefined }, '--github-token or GITHUB_TOKEN'],
    [[], { GITHUB_API_URL: 'ftp://x' }, 'GITHUB_API_URL must be an http(s) URL']
  ])('%j with %j → 2 (%s), before any request', async (argv, env, message) => {
    const run = await cli(argv, { ...baseEnv(), ...env })
    expect(run.code).toBe(2)
    expect(run.err).toContain(message)
    expect(run.err.split('\n')[0]).toMatch(/^error: /)
    expect(sentry.requests).toHaveLength(0)
    expect(github.requests).toHaveLength(0)
  })

  it('1 when a Sentry issue fails, naming it; the next run retries it', async () => {
    sentry.seed(3, { seed: 34 })
    github.injectFault({
      kind: 'status',
      status: 422,
      method: 'POST',
      pathIncludes: '/issues',
      times: 1,
      body: { message: 'Validation Failed' }
    })
    const run = await cli([])
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/error: 1 Sentry issue\(s\) could not be synced: [A-Z0-9-]+-\d+/)
    expect(run.out).toContain('failed=1')
    const next = await cli([])
    expect(next.code).toBe(0)
    expect(markers().size).toBe(3)
  })

  it('1 on a run error, with one clear message and no secret', async () => {
    const run = await cli([], { ...baseEnv(), SENTRY_TOKEN: 'sntryu_wrong_secret_value' })
    expect(run.code).toBe(1)
    expect(run.err).toContain('Sentry rejected the token')
    expect(run.out + run.err).not.toContain('sntryu_wrong_secret_value')
    expect(github.writeCount()).toBe(0)
  })

  it('warns about plain http to a non-loopback Sentry', async () => {
    const run = await cli(['--dry-run'], {
      ...baseEnv(),
      SENTRY_URL: 'http://sentry.invalid',
      SENTRY_TOKEN: 'x'.repeat(10)
    })
    expect(run.err).toContain('warning: sentry-url uses plain http (http://sentry.invalid)')
    expect(run.code).toBe(1)
  })
})

describe('the state lock', () => {
  it('of two concurrent runs, one syncs and the other stops with exit 2 and says why', async () => {
    sentry.seed(3, { seed: 35 })
    const [a, b] = await Promise.all([cli([]), cli([])])
    expect([a.code, b.code].sort()).toEqual([0, 2])
    const loser = a.code === 2 ? a : b
    expect(loser.err).toContain('Another sync is running')
    expect(loser.err).toContain(`${stateFile}.lock`)
    expect(loser.err).toContain(`process ${process.pid}`)
    expect(markers().size).toBe(3)
    expect([...markers().values()].every((n) => n === 1)).toBe(true)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })

  it('a lock held by a live process stops the run before any request', async () => {
    const lock = `${stateFile}.lock`
    await mkdirFor(lock)
    await writeFile(
      lock,
      JSON.stringify({
        // A live process other than this one (this one's own pid is an earlier incarnation's).
        pid: process.ppid,
        host: os.hostname(),
        started: new Date().toISOString(),
        nonce: 'x'
      })
    )
    const run = await cli([])
    expect(run.code).toBe(2)
    expect(run.err).toContain('Another sync is running')
    expect(sentry.requests).toHaveLength(0)
    expect(existsSync(lock)).toBe(true) // not ours: left alone
  })

  it('breaks a lock whose process is gone, with a warning', async () => {
    sentry.seed(1, { seed: 36 })
    const pid = deadPid()
    const lock = `${stateFile}.lock`
    await mkdirFor(lock)
    await writeFile(
      lock,
      JSON.stringify({ pid, host: os.hostname(), started: new Date().toISOString(), nonce: 'y' })
    )
    const run = await cli([])
    expect(run.code).toBe(0)
    expect(run.err).toContain(`warning: Breaking the stale lock ${lock}: process ${pid}`)
    expect(existsSync(lock)).toBe(false)
  })

  it('breaks a lock not refreshed within the staleness limit', async () => {
    const lock = `${stateFile}.lock`
    await mkdirFor(lock)
    const old = new Date(Date.now() - 10 * 60 * 1000)
    await writeFile(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: 'another-host',
        started: old.toISOString(),
        nonce: 'z'
      })
    )
    await utimes(lock, old, old)
    const run = await cli([], baseEnv(), { lock: { staleLockMs: 5 * 60 * 1000 } })
    expect(run.code).toBe(0)
    expect(run.err).toMatch(/Breaking the stale lock .* has not refreshed it for 10 min/)
  })

  it('a corrupt state file is a warning; a copy is kept and the file is rewritten', async () => {
    sentry.seed(2, { seed: 37 })
    await mkdirFor(stateFile)
    await writeFile(stateFile, '{"version":1,"issues":')
    const run = await cli([])
    expect(run.code).toBe(0)
    expect(run.err).toContain(`warning: The state file ${stateFile} is unreadable`)
    expect(await readFile(`${stateFile}.corrupt`, 'utf8')).toBe('{"version":1,"issues":')
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { issues: object }
    expect(Object.keys(saved.issues)).toHaveLength(2)
  })
})

describe('--help and --version', () => {
  it('takes every input of the config schema from action.yml, through the generated table', () => {
    expect([...INPUT_NAMES].sort()).toEqual([...actionInputNames()].sort())
    for (const name of INPUT_NAMES) {
      expect(inputSpec(name).name).toBe(name)
      expect(inputSpec(name).description.length).toBeGreaterThan(10)
    }
  })

  it('lists every flag with its environment variable and default', async () => {
    const run = await cli(['--help'])
    expect(run.code).toBe(0)
    expect(run.out).toBe(helpText(version()))
    for (const name of INPUT_NAMES) {
      const switchFlag = BOOLEAN_INPUTS.includes(name)
      expect(run.out).toContain(`  --${name}${switchFlag ? '\n' : ' <value>\n'}`)
      expect(run.out).toContain(
        `env ${envNamesFor(name).join(' or ')}; default ${shownDefault(name)}`
      )
    }
    for (const [name, spec] of Object.entries(CLI_OPTIONS)) {
      expect(run.out).toContain(`--${name} <value>`)
      expect(run.out).toContain(`env ${spec.env}; default ${spec.default}`)
    }
    expect(envNameFor('sentry-token')).toBe('SENTRY_TOKEN')
    expect(envNameFor('max-new-issues')).toBe('MAX_NEW_ISSUES')
    expect(envNameFor('repository')).toBe('GITHUB_REPOSITORY')
    expect(envNamesFor('query')).toEqual(['SENTRY_SYNC_QUERY', 'QUERY'])
    expect(envNamesFor('mode')).toEqual(['SENTRY_SYNC_MODE', 'SENTRY_ISSUES_SYNC_MODE'])
    expect(run.out).toContain('SENTRY_SYNC_<INPUT> beats the short name')
    expect(run.out.replace(/\s+/g, ' ')).toContain('command lines show up in process lists')
    expect(run.out).toContain('--dry-run')
    expect(run.out).toContain('--version')
    expect(sentry.requests).toHaveLength(0)
  })

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
    const run = await cli(['--version'])
    expect(run).toEqual({ code: 0, out: pkg.version, err: '' })
  })

  it('the bundled dist/cli.js runs as an executable with a shebang', async () => {
    const entry = path.resolve('dist/cli.js')
    if (!existsSync(entry)) throw new Error('dist/cli.js is missing: run npm run bundle')
    const head = (await readFile(entry, 'utf8')).slice(0, 20)
    expect(head).toBe('#!/usr/bin/env node\n')
    const child = spawn(process.execPath, [entry, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    for (const name of INPUT_NAMES) expect(out).toContain(`--${name}`)
  })
})

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

async function mkdirFor(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
}

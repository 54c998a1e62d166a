// `npm run test:container`: builds the Dockerfile with podman and runs the image twice against the
// project's fake Sentry and fake GitHub (started here, on 127.0.0.1; the container shares the
// host's network). The first run must create issues, the second none; the state file must be on
// the /state volume, owned by the image's non-root user. Then the image runs `watch`: a Sentry issue
// added while it runs must be filed, /healthz must answer 200, and `podman stop` (SIGTERM) must end
// it with exit code 0 and no lock left. Secrets reach the container only as files
// named by SENTRY_TOKEN_FILE and GITHUB_TOKEN_FILE.
//
// The base image is NODE_IMAGE when set (for example node:24-slim where a registry is reachable).
// Otherwise one is assembled here without any registry: this project's Node 24 binary (the `node`
// npm package), the shared libraries it links, and /usr/bin/env for the CLI's #! line, imported
// with `podman import`. Rootful podman on a host without default ulimits needs CONTAINERS_CONF; when
// it is unset a minimal one is written (no default ulimits; runc when installed).
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs'
import { existsSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const IMAGE = 'localhost/sentry-issues-sync:test'
const IMAGE_UID = 10001
const started = Date.now()
const work = mkdtempSync(path.join(os.tmpdir(), 'sentry-issues-container-'))
const volume = `sentry-issues-sync-test-${process.pid}`
const HEALTH_PORT = 20000 + (process.pid % 20000)
const cleanups = []

function log(message) {
  console.log(`test:container: ${message}`)
}

class Failure extends Error {}

/** Runs a command, returns its result; throws (with its output) unless it exits 0 or `allowFail`. */
function run(command, args, { allowFail = false, echo = false, timeoutMs = 600_000 } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: echo ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024
  })
  if (result.error) throw new Failure(`${command} ${args[0]}: ${result.error.message}`)
  if (result.status !== 0 && !allowFail) {
    throw new Failure(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}${result.stderr ?? ''}`
    )
  }
  return result
}

function which(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command)
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  return undefined
}

function podman(args, options) {
  return run('podman', args, options)
}

function check(condition, message) {
  if (!condition) throw new Failure(message)
  log(`ok: ${message}`)
}

/** Builds a minimal Node 24 base image from the local Node binary; returns its name. */
function localBaseImage() {
  const node = realpathSync(path.join(root, 'node_modules', '.bin', 'node'))
  const version = run(node, ['--version']).stdout.trim()
  if (!/^v24\./.test(version)) throw new Failure(`${node} is ${version}, not Node 24`)
  const name = `localhost/sentry-issues-sync-base:node-${version.slice(1)}`
  if (podman(['image', 'exists', name], { allowFail: true }).status === 0) {
    log(`base image ${name} (kept from an earlier run)`)
    return name
  }
  const env = which('env') ?? '/usr/bin/env'
  const rootfs = path.join(work, 'rootfs')
  const put = (source, target) => {
    mkdirSync(path.join(rootfs, path.dirname(target)), { recursive: true })
    cpSync(realpathSync(source), path.join(rootfs, target))
  }
  put(node, '/usr/local/bin/node')
  put(env, '/usr/bin/env')
  for (const binary of [node, env]) {
    const ldd = run('ldd', [binary]).stdout
    for (const match of ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) {
      const library = match[1]
      if (!existsSync(path.join(rootfs, library))) put(library, library)
    }
  }
  mkdirSync(path.join(rootfs, 'etc'), { recursive: true })
  writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/usr/sbin/nologin\n')
  writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\n')
  mkdirSync(path.join(rootfs, 'tmp'))
  chmodSync(path.join(rootfs, 'tmp'), 0o1777)
  const tarball = path.join(work, 'rootfs.tar')
  run('tar', ['-C', rootfs, '-cf', tarball, '.'])
  podman([
    'import',
    '--change',
    'ENV PATH=/usr/local/bin:/usr/bin:/bin',
    '--change',
    'CMD ["node"]',
    tarball,
    name
  ])
  rmSync(rootfs, { recursive: true, force: true })
  rmSync(tarball, { force: true })
  log(`assembled base image ${name} from ${node} and the libraries it links`)
  return name
}

/** Megabytes, for the report. */
function imageSize(name) {
  const bytes = Number(podman(['image', 'inspect', '--format', '{{.Size}}', name]).stdout.trim())
  return `${(bytes / 1e6).toFixed(1)} MB`
}

async function main() {
  if (!which('podman')) throw new Failure('podman is not installed (apt-get install podman runc)')
  if (!process.env.CONTAINERS_CONF) {
    const conf = path.join(work, 'containers.conf')
    const runtime = which('runc') ? '[engine]\nruntime = "runc"\n' : ''
    writeFileSync(conf, `[containers]\ndefault_ulimits = []\n${runtime}`)
    process.env.CONTAINERS_CONF = conf
  }
  if (!existsSync(path.join(root, 'dist', 'cli.js'))) {
    throw new Failure('dist/cli.js is missing: run `npm run bundle` first')
  }

  const base = process.env.NODE_IMAGE || localBaseImage()
  log(`building ${IMAGE} on ${base}`)
  podman(
    ['build', '--build-arg', `NODE_IMAGE=${base}`, '--tag', IMAGE, '--file', 'Dockerfile', '.'],
    {
      echo: true
    }
  )
  log(`image ${IMAGE}: ${imageSize(IMAGE)} (the base alone: ${imageSize(base)})`)

  // The fakes, compiled as for `npm run demo`.
  run(process.execPath, [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json'
  ])
  const { FakeSentry } = await import(pathToFileURL(path.join(root, 'build/fakes/fake-sentry.js')))
  const { FakeGitHub } = await import(pathToFileURL(path.join(root, 'build/fakes/fake-github.js')))
  const sentry = await FakeSentry.start({ org: 'acme' })
  cleanups.push(() => sentry.close())
  const github = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
  cleanups.push(() => github.close())
  sentry.addProject('web-frontend')
  sentry.seed(6, { projectSlug: 'web-frontend', seed: 5 })

  const secrets = path.join(work, 'secrets')
  mkdirSync(secrets)
  writeFileSync(path.join(secrets, 'sentry-token'), `${sentry.token}\n`, { mode: 0o444 })
  writeFileSync(path.join(secrets, 'github-token'), `${github.token}\n`, { mode: 0o444 })
  chmodSync(secrets, 0o755)
  const envFile = path.join(work, 'sentry-issues-sync.env')
  writeFileSync(
    envFile,
    [
      `SENTRY_URL=${sentry.url}`,
      'SENTRY_ORG=acme',
      'SENTRY_PROJECTS=web-frontend',
      'SENTRY_TOKEN_FILE=/run/secrets/sentry-token',
      'GITHUB_TOKEN_FILE=/run/secrets/github-token',
      'GITHUB_REPOSITORY=acme/web',
      `GITHUB_API_URL=${github.url}`,
      `GITHUB_SERVER_URL=${github.url}`,
      ''
    ].join('\n')
  )

  podman(['volume', 'create', volume])
  cleanups.push(() => podman(['volume', 'rm', '--force', volume], { allowFail: true }))
  const once = async (label) => {
    const args = [
      'run',
      '--rm',
      '--network',
      'host',
      // As hardened as the documented examples: no writes outside /state, no capabilities.
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--env-file',
      envFile,
      '--volume',
      `${volume}:/state`,
      '--volume',
      `${secrets}:/run/secrets:ro`,
      IMAGE
    ]
    // Asynchronously, so the fakes in this process keep answering.
    const { spawn } = await import('node:child_process')
    const child = spawn('podman', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)))
    clearTimeout(timer)
    const counts =
      /^created=(\d+) updated=\d+ closed=\d+ reopened=\d+ skipped=\d+ failed=(\d+)$/m.exec(stdout)
    log(`${label}: exit ${code}; ${counts?.[0] ?? 'no counts line'}`)
    if (code !== 0 || !counts) process.stdout.write(`--- stdout\n${stdout}--- stderr\n${stderr}`)
    return { code, created: Number(counts?.[1]), failed: Number(counts?.[2]), stderr }
  }

  const first = await once('run 1')
  check(first.code === 0, 'run 1 exits 0')
  check(
    first.created > 0 && first.failed === 0,
    `run 1 created ${first.created} issue(s), none failed`
  )
  check(
    github.issues.length === first.created,
    `the fake GitHub holds ${github.issues.length} issue(s)`
  )
  const writes = github.writeCount()
  const second = await once('run 2')
  check(second.code === 0, 'run 2 exits 0')
  check(second.created === 0, 'run 2 created nothing')
  check(github.writeCount() === writes, 'run 2 sent no write to GitHub')
  check(!/Breaking the stale lock/.test(second.stderr), 'run 2 found no lock left behind')

  const mountpoint = podman([
    'volume',
    'inspect',
    '--format',
    '{{.Mountpoint}}',
    volume
  ]).stdout.trim()
  const stateFile = path.join(mountpoint, 'sentry-issues-sync.json')
  check(existsSync(stateFile), `the state file is on the volume (${stateFile})`)
  const stats = statSync(stateFile)
  check(stats.uid === IMAGE_UID, `the state file belongs to uid ${IMAGE_UID} (it is ${stats.uid})`)
  check(!existsSync(`${stateFile}.lock`), 'no lock file is left on the volume')

  // `watch`, as the Compose and Kubernetes examples run it.
  const name = `sentry-issues-sync-watch-${process.pid}`
  const { spawn } = await import('node:child_process')
  const watcher = spawn(
    'podman',
    [
      'run',
      '--name',
      name,
      '--network',
      'host',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--env-file',
      envFile,
      '--env',
      'SENTRY_SYNC_INTERVAL=1s',
      '--env',
      `SENTRY_SYNC_HEALTH_PORT=${HEALTH_PORT}`,
      '--volume',
      `${volume}:/state`,
      '--volume',
      `${secrets}:/run/secrets:ro`,
      IMAGE,
      'watch'
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  cleanups.push(() => podman(['rm', '--force', name], { allowFail: true }))
  let watchOut = ''
  watcher.stdout.on('data', (chunk) => (watchOut += chunk))
  watcher.stderr.on('data', (chunk) => (watchOut += chunk))
  const watchExit = new Promise((resolve) => watcher.on('close', (code) => resolve(code)))
  const waitFor = async (test, what, ms = 120_000) => {
    const until = Date.now() + ms
    while (!(await test())) {
      if (Date.now() > until) {
        process.stdout.write(`--- watch output\n${watchOut}`)
        throw new Failure(`watch: timed out waiting for ${what}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  const healthz = async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${HEALTH_PORT}/healthz`)
      return res.status
    } catch {
      return 0
    }
  }
  await waitFor(async () => (await healthz()) === 200, 'GET /healthz to answer 200')
  check(true, 'watch: /healthz answers 200 after the first pass')
  const before = github.issues.length
  sentry.addIssue({ title: 'TypeError: filed while watching', projectSlug: 'web-frontend' })
  await waitFor(() => github.issues.length === before + 1, 'the new issue in GitHub')
  check(github.issues.length === before + 1, 'watch filed the issue added while it ran')
  podman(['stop', '--time', '15', name])
  const stopped = await watchExit
  check(stopped === 0, `watch exits 0 after podman stop (SIGTERM), got ${stopped}`)
  check(!existsSync(`${stateFile}.lock`), 'watch left no lock file on the volume')
}

let status = 0
try {
  await main()
  log(`passed in ${Math.round((Date.now() - started) / 1000)} s`)
} catch (error) {
  status = 1
  console.error(`test:container: FAILED: ${error instanceof Error ? error.message : String(error)}`)
  if (!(error instanceof Failure) && error instanceof Error) console.error(error.stack)
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup()
  rmSync(work, { recursive: true, force: true })
}
process.exit(status)

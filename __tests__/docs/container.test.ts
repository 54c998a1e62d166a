import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse, parseAllDocuments } from 'yaml'
import { CLI_OPTIONS, envNameFor } from '../../src/cli/args.js'

/**
 * The files around the container image and the repository's automation agree with each other and
 * with the CLI: the Dockerfile's user, state file and entrypoint; the Compose and Kubernetes
 * examples' secrets, volumes and schedule; dependabot.yml. (The image itself is built and run by
 * `npm run test:container`.)
 */

type Yaml = Record<string, unknown>

function read(file: string): string {
  return readFileSync(file, 'utf8')
}

/** Parses one YAML document, failing on any error or warning. */
function yaml(file: string): Yaml {
  return parse(read(file), { strict: true, prettyErrors: true }) as Yaml
}

function at(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[key]
  }
  return current
}

const dockerfile = read('Dockerfile')
/** The value of the last `INSTRUCTION` line in the Dockerfile. */
function instruction(name: string): string | undefined {
  const lines = dockerfile.split('\n').filter((l) => l.startsWith(`${name} `))
  return lines.at(-1)?.slice(name.length + 1)
}

const SECRET_VARIABLES = [
  `${envNameFor('sentry-token')}_FILE`,
  `${envNameFor('github-token')}_FILE`
]

describe('Dockerfile', () => {
  const [uid, gid] = (instruction('USER') ?? '').split(':')
  const packageJson = JSON.parse(read('package.json')) as { bin: Record<string, string> }

  it('runs the CLI of package.json as a non-root user', () => {
    const [command] = Object.keys(packageJson.bin)
    expect(instruction('ENTRYPOINT')).toBe(`["${command}"]`)
    expect(Number(uid)).toBeGreaterThan(0)
    expect(gid).toBe(uid)
    expect(dockerfile).toContain(`--chown=${uid}:${gid} /out/state /state`)
    expect(dockerfile).toContain(`"/out", "${uid}", "${command}"]`)
  })

  it('keeps the state file on the /state volume through the state-file option', () => {
    expect(instruction('VOLUME')).toBe('["/state"]')
    expect(instruction('ENV')).toBe(
      `${CLI_OPTIONS['state-file'].env}=/state/sentry-issues-sync.json`
    )
  })

  it('builds both stages on a base image named by a build argument', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m)
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(2)
  })

  it('.dockerignore lets in only what the Dockerfile copies', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1))
      .sort()
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)]
      .flatMap((m) => (m[1] ?? '').split(' '))
      .sort()
    expect(read('.dockerignore')).toMatch(/^\*$/m)
    expect(allowed).toEqual(copied)
  })
})

describe('examples/container', () => {
  it('compose.yaml restarts the service and gives it the tokens as files and /state as a volume', () => {
    const compose = yaml('examples/container/compose.yaml')
    const service = at(compose, 'services', 'sentry-issues-sync')
    expect(at(service, 'restart')).toBe('unless-stopped')
    const environment = at(service, 'environment') as Record<string, string>
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(SECRET_VARIABLES))
    const secrets = at(service, 'secrets') as string[]
    for (const variable of SECRET_VARIABLES) {
      const file = environment[variable] ?? ''
      expect(file).toMatch(/^\/run\/secrets\//)
      expect(secrets).toContain(file.replace('/run/secrets/', ''))
      expect(at(compose, 'secrets', file.replace('/run/secrets/', ''), 'file')).toBeDefined()
    }
    expect(at(service, 'volumes')).toEqual(['state:/state'])
  })

  it('cronjob.yaml forbids overlapping runs and mounts the Secret as files', () => {
    const documents = parseAllDocuments(read('examples/container/cronjob.yaml'))
    for (const document of documents) expect(document.errors).toEqual([])
    const cronJob = documents.map((d) => d.toJS() as Yaml).find((d) => d.kind === 'CronJob')
    expect(at(cronJob, 'spec', 'concurrencyPolicy')).toBe('Forbid')
    const pod = at(cronJob, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
    expect(at(pod, 'securityContext', 'runAsUser')).toBe(10001)
    expect(instruction('USER')).toBe('10001:10001')
    const container = at(pod, 'containers', 0)
    const env = Object.fromEntries(
      (at(container, 'env') as { name: string; value: string }[]).map((e) => [e.name, e.value])
    )
    const mounts = at(container, 'volumeMounts') as { name: string; mountPath: string }[]
    const volumes = at(pod, 'volumes') as Yaml[]
    const tokens = volumes.find((v) => at(v, 'secret') !== undefined)
    const tokenMount = mounts.find((m) => m.name === tokens?.name)
    expect(tokenMount).toBeDefined()
    for (const variable of SECRET_VARIABLES) {
      expect(env[variable]?.startsWith(`${tokenMount?.mountPath}/`)).toBe(true)
    }
    expect(mounts.find((m) => m.mountPath === '/state')).toBeDefined()
  })
})

describe('docs', () => {
  it('README and running-anywhere.md link docs/container.md', () => {
    expect(read('README.md')).toContain('(docs/container.md)')
    expect(read('docs/running-anywhere.md')).toContain('(container.md)')
  })
})

describe('.github/dependabot.yml', () => {
  const config = yaml('.github/dependabot.yml')
  const updates = at(config, 'updates') as Yaml[]

  it('parses, and updates npm and GitHub Actions in groups', () => {
    expect(at(config, 'version')).toBe(2)
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of updates) {
      expect(update.directory).toBe('/')
      expect(at(update, 'schedule', 'interval')).toBe('weekly')
      expect(Object.keys((update.groups as Yaml | undefined) ?? {}).length).toBeGreaterThan(0)
    }
  })
})

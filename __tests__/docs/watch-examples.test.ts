import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse, parseAllDocuments } from 'yaml'
import { CLI_OPTIONS } from '../../src/cli/args.js'

/**
 * The examples that run `sentry-issues-sync watch` agree with the CLI: the Compose service and the
 * Kubernetes Deployment run `watch` with /healthz probes on the port they set, never two at once;
 * the systemd unit is a simple, restarting service as hardened as the timer's.
 */

type Yaml = Record<string, unknown>

function at(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[key]
  }
  return current
}

const PORT = CLI_OPTIONS['health-port'].env
const HOST = CLI_OPTIONS['health-host'].env

describe('examples/container/compose.yaml', () => {
  const compose = parse(readFileSync('examples/container/compose.yaml', 'utf8'), {
    strict: true
  }) as Yaml
  const service = at(compose, 'services', 'sentry-issues-sync')

  it('runs watch with a health check on /healthz at the port it sets', () => {
    expect(at(service, 'command')).toEqual(['watch'])
    expect(at(service, 'entrypoint')).toBeUndefined()
    const environment = at(service, 'environment') as Record<string, string>
    const port = environment[PORT]
    expect(port).toMatch(/^\d+$/)
    // Inside the container: the default 127.0.0.1 is enough.
    expect(environment[HOST]).toBeUndefined()
    const test = (at(service, 'healthcheck', 'test') as string[]).join(' ')
    expect(test).toContain(`http://127.0.0.1:${port}/healthz`)
    expect(environment[CLI_OPTIONS.interval.env]).toBe('60s')
    expect(environment[CLI_OPTIONS['full-every'].env]).toBe('1h')
  })
})

describe('examples/container/deployment.yaml', () => {
  const documents = parseAllDocuments(readFileSync('examples/container/deployment.yaml', 'utf8'))
  const deployment = documents.map((d) => d.toJS() as Yaml).find((d) => d.kind === 'Deployment')
  const pod = at(deployment, 'spec', 'template', 'spec')
  const container = at(pod, 'containers', 0)
  const env = Object.fromEntries(
    (at(container, 'env') as { name: string; value: string }[]).map((e) => [e.name, e.value])
  )

  it('parses; one pod at a time, running watch', () => {
    for (const document of documents) expect(document.errors).toEqual([])
    expect(at(deployment, 'spec', 'replicas')).toBe(1)
    expect(at(deployment, 'spec', 'strategy', 'type')).toBe('Recreate')
    expect(at(container, 'args')).toEqual(['watch'])
    expect(at(pod, 'terminationGracePeriodSeconds')).toBeGreaterThanOrEqual(10)
  })

  it('probes /healthz on the port the watcher listens on, on an address the kubelet reaches', () => {
    const port = Number(env[PORT])
    expect(env[HOST]).toBe('0.0.0.0')
    const ports = at(container, 'ports') as { name: string; containerPort: number }[]
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(at(container, probe, 'httpGet', 'path')).toBe('/healthz')
      const named = at(container, probe, 'httpGet', 'port')
      expect(ports.find((p) => p.name === named)?.containerPort).toBe(port)
    }
  })

  it('mounts the state volume and the tokens as files', () => {
    const mounts = at(container, 'volumeMounts') as { name: string; mountPath: string }[]
    expect(mounts.find((m) => m.mountPath === '/state')).toBeDefined()
    expect(env.SENTRY_TOKEN_FILE).toMatch(/^\/run\/secrets\//)
    expect(env.GITHUB_TOKEN_FILE).toMatch(/^\/run\/secrets\//)
  })
})

describe('examples/systemd/sentry-issues-sync-watch.service', () => {
  const unit = readFileSync('examples/systemd/sentry-issues-sync-watch.service', 'utf8')
  const timerService = readFileSync('examples/systemd/sentry-issues-sync.service', 'utf8')
  const settings = (text: string): string[] =>
    text.split('\n').filter((l) => /^[A-Z][A-Za-z]+=/.test(l))

  it('is a simple service that restarts on failure but not on a configuration error', () => {
    expect(settings(unit)).toEqual(
      expect.arrayContaining([
        'Type=simple',
        'Restart=on-failure',
        'RestartPreventExitStatus=2',
        'WantedBy=multi-user.target'
      ])
    )
    expect(unit).toMatch(/^ExecStart=\S+ \S+ watch$/m)
  })

  it('is as hardened as the timer service', () => {
    const hardening = (text: string): string[] =>
      settings(text.slice(text.indexOf('DynamicUser=')))
        .filter((l) => !/^(OnFailure|WantedBy)=/.test(l))
        .sort()
    expect(hardening(timerService).length).toBeGreaterThan(15)
    expect(hardening(unit)).toEqual(expect.arrayContaining(hardening(timerService)))
  })
})

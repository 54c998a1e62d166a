import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { PassKind } from './loop.js'
import type { WatchMetrics } from './metrics.js'

/**
 * The watcher's health: `GET /healthz` answers 200 while the last pass succeeded within three
 * intervals, else 503 with the reason (one line of text); `GET /metrics` is Prometheus' text
 * format. Nothing else is served, and nothing secret is in either (the reason is the pass's error
 * message, which the console scrubs the same way).
 */

export class HealthState {
  readonly #intervalMs: number
  readonly #now: () => number
  readonly #scrub: (text: string) => string
  #lastOk: number | undefined
  #lastError: string | undefined
  #lastKind: PassKind | undefined

  constructor(intervalMs: number, scrub: (text: string) => string, now: () => number = Date.now) {
    this.#intervalMs = intervalMs
    this.#scrub = scrub
    this.#now = now
  }

  passEnded(kind: PassKind, outcome: 'ok' | 'failed', at: number, error?: string): void {
    this.#lastKind = kind
    if (outcome === 'ok') {
      this.#lastOk = at
      this.#lastError = undefined
    } else {
      this.#lastError = error ?? 'the pass failed'
    }
  }

  /** undefined when healthy, else why not. */
  problem(): string | undefined {
    if (this.#lastError !== undefined) {
      return this.#scrub(`the last ${this.#lastKind ?? ''} pass failed: ${this.#lastError}`)
    }
    if (this.#lastOk === undefined) return 'starting: no pass has finished yet'
    const age = this.#now() - this.#lastOk
    if (age > 3 * this.#intervalMs) {
      return `the last successful pass ended ${Math.round(age / 1000)} s ago (more than three intervals)`
    }
    return undefined
  }
}

export interface HealthServerOptions {
  port: number
  host: string
  health: HealthState
  metrics: WatchMetrics
}

export interface HealthServer {
  /** The address it listens on, as host:port. */
  readonly address: string
  close(): Promise<void>
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { health, metrics } = options
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      res.end('method not allowed\n')
      return
    }
    if (url.pathname === '/healthz') {
      const problem = health.problem()
      metrics.healthy(problem === undefined)
      res.writeHead(problem === undefined ? 200 : 503, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store'
      })
      res.end(req.method === 'HEAD' ? undefined : `${problem ?? 'ok'}\n`)
      return
    }
    if (url.pathname === '/metrics') {
      metrics.healthy(health.problem() === undefined)
      metrics.text().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
          res.end(req.method === 'HEAD' ? undefined : text)
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          res.end('metrics unavailable\n')
        }
      )
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('not found: try /healthz or /metrics\n')
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address() as AddressInfo
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
  return {
    address: `${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

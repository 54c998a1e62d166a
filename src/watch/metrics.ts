import { Counter, Gauge, Registry } from 'prom-client'
import type { PassKind } from './loop.js'

/**
 * The watcher's Prometheus metrics (text format through prom-client, in a registry of its own):
 * passes by kind and outcome, issues by what happened to them, requests by API, and the time of
 * the last successful pass. Only counts and times: no name, URL or token is a label value.
 */

export type IssueOutcome = 'created' | 'updated' | 'closed' | 'reopened' | 'failed'
export type Api = 'sentry' | 'github'

export class WatchMetrics {
  readonly registry = new Registry()
  readonly #passes = new Counter({
    name: 'sentry_issues_sync_passes_total',
    help: 'Passes finished, by kind (quick or full) and outcome (ok or failed).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry]
  })
  readonly #issues = new Counter({
    name: 'sentry_issues_sync_issues_total',
    help: 'GitHub issues by what a pass did to them (created, updated, closed, reopened, failed).',
    labelNames: ['action'] as const,
    registers: [this.registry]
  })
  readonly #requests = new Counter({
    name: 'sentry_issues_sync_requests_total',
    help: 'HTTP requests sent, by API (sentry or github); retries count.',
    labelNames: ['api'] as const,
    registers: [this.registry]
  })
  readonly #lastSuccess = new Gauge({
    name: 'sentry_issues_sync_last_success_timestamp_seconds',
    help: 'When the last successful pass ended (Unix time in seconds); 0 before the first.',
    labelNames: ['kind'] as const,
    registers: [this.registry]
  })
  readonly #up = new Gauge({
    name: 'sentry_issues_sync_healthy',
    help: '1 while the last pass succeeded within three intervals, else 0.',
    registers: [this.registry]
  })

  constructor() {
    for (const kind of ['quick', 'full'] as const) {
      for (const outcome of ['ok', 'failed'] as const) this.#passes.inc({ kind, outcome }, 0)
      this.#lastSuccess.set({ kind }, 0)
    }
    for (const action of ['created', 'updated', 'closed', 'reopened', 'failed'] as const)
      this.#issues.inc({ action }, 0)
    for (const api of ['sentry', 'github'] as const) this.#requests.inc({ api }, 0)
    this.#up.set(0)
  }

  passEnded(kind: PassKind, outcome: 'ok' | 'failed', atMs: number): void {
    this.#passes.inc({ kind, outcome })
    if (outcome === 'ok') this.#lastSuccess.set({ kind }, Math.floor(atMs / 1000))
  }

  issues(action: IssueOutcome, count: number): void {
    if (count > 0) this.#issues.inc({ action }, count)
  }

  requests(api: Api, count: number): void {
    if (count > 0) this.#requests.inc({ api }, count)
  }

  healthy(value: boolean): void {
    this.#up.set(value ? 1 : 0)
  }

  get contentType(): string {
    return this.registry.contentType
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}

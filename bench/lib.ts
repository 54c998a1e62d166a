/**
 * Benchmark plumbing: the fakes with fixed latency and GitHub's secondary limits, arrival times of
 * every request, the bundled action (`node dist/index.js`) run as a child process with its peak
 * RSS, and request counts by endpoint.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { inputEnv, parseOutputs } from '../src/fakes/action-runner.js'
import { githubOperationId } from '../src/fakes/contract.js'
import { cacheEnv, FakeActionsCache } from '../src/fakes/fake-actions-cache.js'
import { FakeGitHub, type FakeRequest } from '../src/fakes/fake-github.js'
import { FakeSentry, type FakeIssue } from '../src/fakes/fake-sentry.js'
import { canonicalSentryHost } from '../src/plan/marker.js'
import { renderIssue } from '../src/render/issue.js'
import { DEFAULT_LABEL_PREFIXES } from '../src/inputs/formats/label-from.js'
import {
  DEFAULT_PRIORITY_LABELS,
  parsePriorityLabels
} from '../src/inputs/formats/priority-labels.js'
import { issueLabels, labelColor, priorityLabel } from '../src/render/labels.js'
import { sentryIssueSchema } from '../src/sentry/schemas.js'

export const LATENCY = { sentryMs: 50, githubMs: 80 }
/** GitHub's documented secondary limits on content-creating requests. */
export const SECONDARY_LIMIT = { contentWritesPerMinute: 80, contentWritesPerHour: 500 }
export const ORG = 'acme'
export const TRACKING_LABEL = 'sentry'
export const EXTRA_LABELS = ['bug']

// ---------------------------------------------------------------------------------------------
// Fakes and what they saw

export interface Arrival {
  /** ms since the action was spawned (set after the run; raw performance.now() until then). */
  t: number
  side: 'sentry' | 'github'
  method: string
  /** A stable name for the endpoint: GitHub's operationId, or a Sentry route. */
  endpoint: string
  /** GitHub only: the fake's request record (its `status` is filled in when answered). */
  github?: FakeRequest
}

export interface Fakes {
  sentry: FakeSentry
  github: FakeGitHub
  arrivals: Arrival[]
  /** GitHub answers that were a secondary (or primary) rate limit. */
  rateLimited: { secondary: number; primary: number }
  /** The Actions cache service, when the run is to have one as on a runner (`--cache`). */
  cache?: FakeActionsCache
  close(): Promise<void>
}

/** Calls `onArrive` for every item pushed onto a fake's public `requests` array (on arrival). */
function onPush<T>(list: T[], onArrive: (item: T) => void): void {
  const push = list.push.bind(list)
  list.push = (...items: T[]): number => {
    for (const item of items) onArrive(item)
    return push(...items)
  }
}

export function sentryEndpoint(method: string, routePath: string, query: URLSearchParams): string {
  const p = routePath.replace(/^\/api\/0/, '')
  if (/^\/organizations\/[^/]+\/issues\/$/.test(p)) {
    return query.has('group')
      ? `${method} issues?group= (batch look-up)`
      : `${method} issues (list)`
  }
  if (/^\/organizations\/[^/]+\/projects\/$/.test(p)) return `${method} projects`
  if (/\/issues\/[^/]+\/events\/latest\/$/.test(p)) return `${method} issue latest event`
  if (/^\/organizations\/[^/]+\/issues\/[^/]+\/$/.test(p)) return `${method} issue`
  return `${method} ${p.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
}

export interface FakesOptions {
  /**
   * Give the action an Actions cache service, as a runner on github.com does: the state is then
   * restored and saved for real (the cache is used only outside GHES, so the fake GitHub names
   * https://github.com as its server; nothing ever fetches that URL).
   */
  cache?: boolean
}

export async function startFakes(options: FakesOptions = {}): Promise<Fakes> {
  const sentry = await FakeSentry.start({ org: ORG, latencyMs: LATENCY.sentryMs })
  const cache = options.cache ? await FakeActionsCache.start() : undefined
  const github = await FakeGitHub.start({
    owner: 'acme',
    repo: 'web',
    ...(cache ? { serverUrl: 'https://github.com' } : {}),
    latencyMs: LATENCY.githubMs,
    secondaryLimit: { ...SECONDARY_LIMIT }
  })
  const arrivals: Arrival[] = []
  onPush(sentry.requests, (r) =>
    arrivals.push({
      t: performance.now(),
      side: 'sentry',
      method: r.method,
      endpoint: sentryEndpoint(r.method, r.path, r.query)
    })
  )
  onPush(github.requests, (r) =>
    arrivals.push({
      t: performance.now(),
      side: 'github',
      method: r.method,
      endpoint: githubOperationId(r.method, r.path) ?? `${r.method} ${r.path} (undocumented)`,
      github: r
    })
  )
  const rateLimited = { secondary: 0, primary: 0 }
  github.onExchange = (exchange) => {
    if (exchange.status !== 403 && exchange.status !== 429) return
    const message = String((exchange.responseBody as { message?: unknown } | undefined)?.message)
    if (/secondary rate limit/i.test(message)) rateLimited.secondary++
    else if (/rate limit/i.test(message)) rateLimited.primary++
  }
  return {
    sentry,
    github,
    arrivals,
    rateLimited,
    ...(cache ? { cache } : {}),
    close: async () => {
      await Promise.all([sentry.close(), github.close(), cache?.close()])
    }
  }
}

/** An issue as the fake serves it (hidden `_` keys left out), parsed as the action parses it. */
export function servedIssue(issue: FakeIssue): ReturnType<typeof sentryIssueSchema.parse> {
  const served = Object.fromEntries(Object.entries(issue).filter(([k]) => !k.startsWith('_')))
  // The fake serves the stored totals in `lifetime` (the action's counts come from there).
  const stored = typeof served['lifetime'] === 'object' ? served['lifetime'] : {}
  served['lifetime'] = { ...stored, count: served['count'], userCount: served['userCount'] }
  return sentryIssueSchema.parse(JSON.parse(JSON.stringify(served)))
}

/** The action's default priority rules (`priority-labels` left at its default). */
const DEFAULT_PRIORITY_RULES = parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules

/** The priority label the action gives `issue` under the default rules, as the fake serves it now. */
export function defaultPriorityLabel(issue: FakeIssue): string | undefined {
  return priorityLabel(servedIssue(issue), DEFAULT_PRIORITY_RULES) ?? undefined
}

/**
 * Seeds the fake GitHub with the issues a previous run would have created for `issues`: rendered
 * by the action's own renderer (src/render/issue.ts, built), so an unchanged Sentry issue needs no
 * write. Issue numbers follow the order of `issues`; their markers name the host of `sentryUrl`.
 */
export function seedTracked(
  github: FakeGitHub,
  issues: FakeIssue[],
  createdAt: string,
  sentryUrl: string
): void {
  // As the action's first run left them: each issue with the labels the action gives it (the
  // tracking label, the extra labels and its priority label), and those labels in the repository.
  const priorityRules = DEFAULT_PRIORITY_RULES
  for (const issue of issues) {
    const served = servedIssue(issue)
    const labels = issueLabels(served, undefined, {
      trackingLabel: TRACKING_LABEL,
      labels: EXTRA_LABELS,
      priorityRules,
      sources: [],
      prefixes: DEFAULT_LABEL_PREFIXES
    })
    const rendered = renderIssue(served, {
      org: ORG,
      sentryHost: canonicalSentryHost(sentryUrl),
      priorityLabel: priorityLabel(served, priorityRules) ?? null,
      trackingLabel: TRACKING_LABEL,
      labels: labels.slice(1)
    })
    github.addIssue({
      title: rendered.title,
      body: rendered.body,
      labels,
      created_at: createdAt
    })
  }
  const names = [TRACKING_LABEL, ...EXTRA_LABELS, ...priorityRules.map((r) => r.label)]
  for (const name of names) {
    if (github.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) continue
    github.labels.push({
      id: 900_000 + github.labels.length,
      name,
      color: labelColor(name),
      description: null
    })
  }
}

// ---------------------------------------------------------------------------------------------
// The action process

export interface ActionRun {
  code: number | null
  wallMs: number
  /** ms from spawn to the first request at either fake. */
  firstRequestMs: number | undefined
  /** Peak RSS of the action's node process, in MiB: from GNU time and from the process itself. */
  peakRssMiB: { gnuTime?: number; resourceUsage?: number }
  outputs: Record<string, string>
  /** Lines of the action's log that are warnings or errors (`::warning::`, `::error::`). */
  problems: string[]
  stderr: string
  /** The action's log and its job summary. */
  stdout: string
  summary: string
}

const GNU_TIME = '/usr/bin/time'

function hasGnuTime(): boolean {
  if (process.platform !== 'linux' || !existsSync(GNU_TIME)) return false
  try {
    return statSync(GNU_TIME).isFile()
  } catch {
    return false
  }
}

/** Preloaded into the action process: records its own peak RSS when it exits. */
const RSS_PROBE = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  try { writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)) } catch {}
})
`

export interface RunActionOptions {
  entry: string
  fakes: Fakes
  inputs: Record<string, string>
  /** Wrap in GNU time and preload the RSS probe (default true). Off for pure cold-start timing. */
  measureRss?: boolean
  /** Extra node options before the entry (`--cpu-prof`, …), for profiling a run. */
  nodeArgs?: string[]
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const { fakes } = options
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'sia-bench-'))
  try {
    const outputFile = path.join(workdir, 'output.txt')
    const summaryFile = path.join(workdir, 'summary.md')
    const rssFile = path.join(workdir, 'rss.txt')
    const timeFile = path.join(workdir, 'time.txt')
    const probe = path.join(workdir, 'rss-probe.mjs')
    await Promise.all([
      writeFile(outputFile, ''),
      writeFile(summaryFile, ''),
      writeFile(probe, RSS_PROBE)
    ])
    const measure = options.measureRss ?? true
    const node = [
      process.execPath,
      ...(measure ? ['--import', pathToFileURL(probe).href] : []),
      ...(options.nodeArgs ?? []),
      options.entry
    ]
    const gnuTime = measure && hasGnuTime()
    const [command, ...args] = gnuTime ? [GNU_TIME, '-f', '%M', '-o', timeFile, ...node] : node
    const env = {
      PATH: process.env.PATH ?? '',
      GITHUB_API_URL: fakes.github.url,
      GITHUB_SERVER_URL: fakes.github.serverUrl,
      GITHUB_REPOSITORY: `${fakes.github.owner}/${fakes.github.repo}`,
      RUNNER_TEMP: workdir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      BENCH_RSS_FILE: rssFile,
      ...(fakes.cache ? cacheEnv(fakes.cache) : {}),
      ...inputEnv({
        'sentry-url': fakes.sentry.url,
        'sentry-token': fakes.sentry.token,
        'sentry-org': fakes.sentry.org,
        'github-token': fakes.github.token,
        ...options.inputs
      })
    }
    const before = fakes.arrivals.length
    const started = performance.now()
    const child = spawn(command ?? process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    const wallMs = performance.now() - started
    const mine = fakes.arrivals.slice(before)
    for (const a of mine) a.t -= started
    const readKiB = async (file: string): Promise<number | undefined> => {
      try {
        const value = Number.parseInt(
          (await readFile(file, 'utf8')).trim().split(/\s+/)[0] ?? '',
          10
        )
        return Number.isFinite(value) ? value : undefined
      } catch {
        return undefined
      }
    }
    const gnuKiB = gnuTime ? await readKiB(timeFile) : undefined
    const selfKiB = measure ? await readKiB(rssFile) : undefined
    return {
      code,
      wallMs,
      firstRequestMs: mine[0]?.t,
      peakRssMiB: {
        ...(gnuKiB === undefined ? {} : { gnuTime: gnuKiB / 1024 }),
        ...(selfKiB === undefined ? {} : { resourceUsage: selfKiB / 1024 })
      },
      outputs: parseOutputs(await readFile(outputFile, 'utf8')),
      problems: stdout
        .split('\n')
        .filter((l) => /^::(warning|error)/.test(l))
        .map((l) => l.slice(0, 300)),
      stderr: stderr.slice(-2000),
      stdout,
      summary: await readFile(summaryFile, 'utf8')
    }
  } finally {
    await rm(workdir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Counting and reporting

export interface RequestCounts {
  total: number
  reads: number
  writes: number
  byEndpoint: Record<string, number>
  /** GitHub answers by status (all requests of the run). */
  githubStatuses: Record<string, number>
}

export function countRequests(arrivals: Arrival[]): RequestCounts {
  const byEndpoint: Record<string, number> = {}
  const githubStatuses: Record<string, number> = {}
  let writes = 0
  for (const a of arrivals) {
    const key = `${a.side === 'sentry' ? 'Sentry' : 'GitHub'} ${a.side === 'github' ? `${a.method} ` : ''}${a.endpoint}`
    byEndpoint[key] = (byEndpoint[key] ?? 0) + 1
    if (a.side === 'github') {
      if (a.method !== 'GET') writes++
      const status = String(a.github?.status ?? 0)
      githubStatuses[status] = (githubStatuses[status] ?? 0) + 1
    }
  }
  const sorted = Object.fromEntries(
    Object.entries(byEndpoint).sort(([a], [b]) => a.localeCompare(b))
  )
  return {
    total: arrivals.length,
    reads: arrivals.length - writes,
    writes,
    byEndpoint: sorted,
    githubStatuses
  }
}

export interface Machine {
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  gnuTime: boolean
}

export function machine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${os.release()}`,
    gnuTime: hasGnuTime()
  }
}

/** When the bundle was built, and which files under src/ changed since (the bundle may lag). */
export async function distFreshness(
  root: string,
  bundle: string
): Promise<{ builtAt: string; newerSources: string[] }> {
  const built = statSync(bundle).mtimeMs
  const newer: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'fakes') await walk(full)
      } else if (entry.name.endsWith('.ts') && statSync(full).mtimeMs > built) {
        newer.push(path.relative(root, full))
      }
    }
  }
  await walk(path.join(root, 'src'))
  return { builtAt: new Date(built).toISOString(), newerSources: newer.sort() }
}

export async function writeResult(root: string, name: string, data: unknown): Promise<string> {
  const dir = path.join(root, 'bench/results')
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  await writeFile(file, JSON.stringify(data, null, 2) + '\n')
  return path.relative(root, file)
}

export function repoRoot(): string {
  let dir = process.cwd()
  for (;;) {
    const pkg = path.join(dir, 'package.json')
    if (existsSync(pkg) && /"name":\s*"sentry-issues-action"/.test(readFileSync(pkg, 'utf8'))) {
      return dir
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('run the benchmark from inside the repository')
    dir = parent
  }
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '—'
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

export function fmtRss(rss: ActionRun['peakRssMiB']): string {
  const parts: string[] = []
  if (rss.gnuTime !== undefined) parts.push(`${rss.gnuTime.toFixed(1)} MiB (GNU time)`)
  if (rss.resourceUsage !== undefined) {
    parts.push(`${rss.resourceUsage.toFixed(1)} MiB (process.resourceUsage)`)
  }
  return parts.length > 0 ? parts.join(', ') : '—'
}

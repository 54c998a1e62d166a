/**
 * Benchmark of the bundled action (`node dist/index.js`, as a runner starts it) against the fake
 * Sentry (50 ms per request) and fake GitHub (80 ms per request, GitHub's secondary limits of 80
 * content-creating requests a minute and 500 an hour enforced).
 *
 *   npm run bench                       # every scenario
 *   npm run bench -- steady lifecycle   # some of them
 *   npm run bench -- --scale 0.1        # smaller sizes (a quick check of the benchmark itself)
 *   npm run bench -- --entry build/x.js # another bundle of the action (default dist/index.js)
 *   npm run bench -- --cache            # with an Actions cache service, as on a runner
 *
 * Scenarios: cold-start, steady, backfill, lifecycle, backlog, steady-traffic, slow-growth, and
 * watch when named (see bench/README.md).
 * Each prints request counts by endpoint, wall time and peak RSS, and writes bench/results/<scenario>.json.
 */
import path from 'node:path'
import {
  countRequests,
  defaultPriorityLabel,
  distFreshness,
  fmtMs,
  fmtRss,
  LATENCY,
  machine,
  repoRoot,
  runAction,
  SECONDARY_LIMIT,
  seedTracked,
  startFakes,
  writeResult,
  type ActionRun,
  type Arrival,
  type Fakes,
  type RequestCounts
} from './lib.js'
import { slowGrowth } from './slow-growth.js'
import { steadyTraffic } from './steady-traffic.js'
import { watchScenario } from './watch.js'

const root = repoRoot()
let entry = path.join(root, 'dist/index.js')
let withCache = false

interface Args {
  scenarios: string[]
  scale: number
  entry?: string
  /** Run the action with the fake Actions cache service (`--cache`). */
  cache: boolean
}

const SCENARIOS = [
  'cold-start',
  'steady',
  'backfill',
  'lifecycle',
  'backlog',
  'steady-traffic',
  'slow-growth',
  'watch'
] as const
/** Run only when named (about 40 minutes): `npm run bench -- watch`. */
const ON_REQUEST: readonly Scenario[] = ['watch']
type Scenario = (typeof SCENARIOS)[number]

function parseArgs(argv: string[]): Args {
  const scenarios: string[] = []
  let scale = 1
  let entryArg: string | undefined
  let cache = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--entry') entryArg = argv[++i]
    else if (arg === '--cache') cache = true
    else if (arg === '--scale') scale = Number(argv[++i])
    else if (arg.startsWith('--scale=')) scale = Number(arg.slice('--scale='.length))
    else if ((SCENARIOS as readonly string[]).includes(arg)) scenarios.push(arg)
    else {
      throw new Error(
        `Unknown argument ${arg}; scenarios: ${SCENARIOS.join(', ')}; --scale N; --entry FILE; --cache`
      )
    }
  }
  if (!(scale > 0)) throw new Error('--scale must be a positive number')
  return {
    scenarios: scenarios.length > 0 ? scenarios : SCENARIOS.filter((s) => !ON_REQUEST.includes(s)),
    scale,
    cache,
    ...(entryArg === undefined ? {} : { entry: path.resolve(entryArg) })
  }
}

function scaled(n: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(n * scale))
}

function printCounts(counts: RequestCounts): void {
  console.log(`  requests: ${counts.total} (${counts.reads} reads, ${counts.writes} writes)`)
  for (const [endpoint, n] of Object.entries(counts.byEndpoint)) {
    console.log(`    ${String(n).padStart(6)}  ${endpoint}`)
  }
  console.log(
    `  GitHub statuses: ${Object.entries(counts.githubStatuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(', ')}`
  )
}

function printRun(run: ActionRun): void {
  console.log(
    `  exit code: ${run.code}; wall time: ${fmtMs(run.wallMs)}; peak RSS: ${fmtRss(run.peakRssMiB)}`
  )
  console.log(`  first request after spawn: ${fmtMs(run.firstRequestMs)}`)
  const o = run.outputs
  console.log(
    `  outputs: created ${o.created ?? '?'}, updated ${o.updated ?? '?'}, closed ${o.closed ?? '?'}, ` +
      `reopened ${o.reopened ?? '?'}, skipped ${o.skipped ?? '?'}, failed ${o.failed ?? '?'}`
  )
  for (const line of run.problems.slice(0, 8)) console.log(`  log: ${line}`)
  if (run.stderr.trim() !== '') console.log(`  stderr: ${run.stderr.trim().slice(-500)}`)
}

function summary(run: ActionRun): Record<string, unknown> {
  return {
    exitCode: run.code,
    wallMs: Math.round(run.wallMs),
    firstRequestMs: run.firstRequestMs === undefined ? null : Math.round(run.firstRequestMs),
    peakRssMiB: run.peakRssMiB,
    outputs: Object.fromEntries(Object.entries(run.outputs).filter(([k]) => k !== 'issues')),
    problems: run.problems
  }
}

async function withFakes<T>(fn: (fakes: Fakes) => Promise<T>): Promise<T> {
  const fakes = await startFakes({ cache: withCache })
  try {
    return await fn(fakes)
  } finally {
    await fakes.close()
  }
}

const dayAgo = (): string => new Date(Date.now() - 86_400_000).toISOString()

// ---------------------------------------------------------------------------------------------
// Scenarios

/** Spawn → first request, five times, on a small organization with nothing to do. */
async function coldStart(): Promise<Record<string, unknown>> {
  return withFakes(async (fakes) => {
    fakes.sentry.addProject('backend')
    const issues = fakes.sentry.seed(10, { seed: 7, events: false })
    seedTracked(fakes.github, issues, dayAgo(), fakes.sentry.url)
    const runs: ActionRun[] = []
    for (let i = 0; i < 5; i++)
      runs.push(await runAction({ entry, fakes, inputs: {}, measureRss: false }))
    const measured = await runAction({ entry, fakes, inputs: {} })
    const firsts = runs.map((r) => r.firstRequestMs ?? Number.NaN).sort((a, b) => a - b)
    const firstEndpoint = fakes.arrivals.find((a) => a.t >= 0)
    const median = firsts[Math.floor(firsts.length / 2)]
    console.log(
      `  spawn → first request (5 runs, no wrapper): median ${fmtMs(median)}, min ${fmtMs(firsts[0])}, max ${fmtMs(firsts[firsts.length - 1])}`
    )
    console.log(`  first request: ${firstEndpoint?.side} ${firstEndpoint?.endpoint}`)
    console.log(`  whole run (nothing to do): ${runs.map((r) => fmtMs(r.wallMs)).join(', ')}`)
    console.log(
      `  with the RSS probe: first request ${fmtMs(measured.firstRequestMs)}, peak RSS ${fmtRss(measured.peakRssMiB)}`
    )
    if (runs.some((r) => r.code !== 0)) printRun(runs.find((r) => r.code !== 0) as ActionRun)
    return {
      firstRequestMs: firsts.map(Math.round),
      medianFirstRequestMs: Math.round(median ?? Number.NaN),
      firstRequest: firstEndpoint ? `${firstEndpoint.side} ${firstEndpoint.endpoint}` : null,
      wallMs: runs.map((r) => Math.round(r.wallMs)),
      exitCodes: runs.map((r) => r.code),
      measured: summary(measured)
    }
  })
}

/**
 * S Sentry issues read (max-sentry-issues S), G of them tracked by GitHub issues that a previous
 * run left exactly as the action renders them, the other S − G below min-events: nothing to do.
 */
async function steady(scale: number): Promise<Record<string, unknown>> {
  const S = scaled(10_000, scale, 10)
  const G = scaled(2_000, scale, 2)
  const budget = Math.ceil(S / 100) + Math.ceil(G / 100) + 2
  return withFakes(async (fakes) => {
    fakes.sentry.addProject('backend')
    const issues = fakes.sentry.seed(S, { seed: 42, events: false })
    const tracked = issues.slice(0, G)
    for (const issue of tracked) issue['count'] = String(Math.max(2, Number(issue['count'])))
    for (const issue of issues.slice(G)) issue['count'] = '1'
    seedTracked(fakes.github, tracked, dayAgo(), fakes.sentry.url)
    console.log(`  S = ${S} Sentry issues, G = ${G} tracked, ${S - G} below min-events 2`)
    const run = await runAction({
      entry,
      fakes,
      inputs: { 'max-sentry-issues': String(S), 'min-events': '2' }
    })
    const counts = countRequests(fakes.arrivals)
    printRun(run)
    printCounts(counts)
    const verdict =
      counts.total <= budget && counts.writes === 0
        ? `meets the target (≤ ${budget} requests, 0 writes)`
        : `MISSES the target (≤ ${budget} requests, 0 writes): ${counts.total} requests, ${counts.writes} writes`
    console.log(`  ${verdict}`)
    return { S, G, budget, verdict, ...summary(run), requests: counts }
  })
}

/** max in any sliding window of `windowMs` over sorted times. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0
  let start = 0
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

/** N new Sentry issues, nothing on GitHub yet: how fast the creates go, within the limits. */
async function backfill(scale: number): Promise<Record<string, unknown>> {
  const N = scaled(100, scale, 5)
  return withFakes(async (fakes) => {
    fakes.sentry.addProject('backend')
    fakes.sentry.seed(N, { seed: 9 })
    console.log(`  ${N} new Sentry issues (with events), empty repository`)
    const run = await runAction({ entry, fakes, inputs: { 'max-new-issues': String(N) } })
    const counts = countRequests(fakes.arrivals)
    printRun(run)
    printCounts(counts)
    const creates = fakes.arrivals.filter(
      (a): a is Arrival & { github: NonNullable<Arrival['github']> } =>
        a.endpoint === 'issues/create' && a.github?.status === 201
    )
    const times = creates.map((c) => c.t)
    const first = times[0] ?? 0
    const last = times[times.length - 1] ?? 0
    const perMinute = creates.length > 1 ? ((creates.length - 1) / (last - first)) * 60_000 : 0
    const contentWrites = fakes.arrivals
      .filter((a) => a.side === 'github' && a.method !== 'GET')
      .map((a) => a.t)
    const peakMinute = maxInWindow(contentWrites, 60_000)
    console.log(
      `  ${creates.length} issues created in ${fmtMs(last - first)} (first → last create): ${perMinute.toFixed(1)} creates/min; ` +
        `at most ${peakMinute} writes in any 60 s; secondary-limit answers: ${fakes.rateLimited.secondary}`
    )
    const verdict =
      perMinute >= 55 && fakes.rateLimited.secondary === 0 && creates.length === N
        ? 'meets the target (≥ 55 creates/min, 0 secondary-limit answers)'
        : `MISSES the target (≥ 55 creates/min, 0 secondary-limit answers, ${N} created)`
    console.log(`  ${verdict}`)
    return {
      N,
      verdict,
      created: creates.length,
      createsPerMinute: Math.round(perMinute * 10) / 10,
      firstToLastCreateMs: Math.round(last - first),
      firstCreateAtMs: Math.round(first),
      peakWritesIn60s: peakMinute,
      secondaryLimitAnswers: fakes.rateLimited.secondary,
      primaryLimitAnswers: fakes.rateLimited.primary,
      ...summary(run),
      requests: counts
    }
  })
}

/** T tracked issues; C of them changed in Sentry (more events) and R resolved. */
async function lifecycle(scale: number): Promise<Record<string, unknown>> {
  const T = scaled(1_000, scale, 10)
  const C = scaled(50, scale, 1)
  const R = scaled(20, scale, 1)
  return withFakes(async (fakes) => {
    fakes.sentry.addProject('backend')
    const issues = fakes.sentry.seed(T, { seed: 77, events: false })
    seedTracked(fakes.github, issues, dayAgo(), fakes.sentry.url)
    const numberOf = new Map(issues.map((issue, i) => [issue, fakes.github.issues[i]?.number ?? 0]))
    const changed = issues.slice(0, C)
    const resolved = issues.slice(C, C + R)
    const recent = new Date(Date.now() - 60_000).toISOString()
    // A changed issue whose new counts call for another priority label also gets that label
    // swapped (labels change only through the add/remove endpoints, see docs/how-it-works.md).
    const swaps = new Map<number, { from: string; to: string }>()
    for (const issue of changed) {
      const before = defaultPriorityLabel(issue)
      issue['count'] = String(Number(issue['count']) + 1000)
      issue['userCount'] = Number(issue['userCount']) + 10
      issue['lastSeen'] = recent
      const after = defaultPriorityLabel(issue)
      if (before !== undefined && after !== undefined && before !== after) {
        swaps.set(numberOf.get(issue) ?? 0, { from: before, to: after })
      }
    }
    for (const issue of resolved) {
      issue['status'] = 'resolved'
      issue['substatus'] = null
    }
    console.log(`  ${T} tracked issues; ${C} changed in Sentry (more events), ${R} resolved`)
    const run = await runAction({
      entry,
      fakes,
      inputs: { 'max-sentry-issues': String(T + 100) }
    })
    const counts = countRequests(fakes.arrivals)
    printRun(run)
    printCounts(counts)

    const changedNumbers = new Set(changed.map((i) => numberOf.get(i)))
    const resolvedNumbers = new Set(resolved.map((i) => numberOf.get(i)))
    const writes = fakes.arrivals.filter((a) => a.side === 'github' && a.method !== 'GET')
    const byIssue = new Map<number, string[]>()
    const unexpected: string[] = []
    for (const w of writes) {
      const m = /\/issues\/(\d+)(?:\/(comments|labels)(?:\/([^/]+))?)?$/.exec(w.github?.path ?? '')
      const body = w.github?.body as Record<string, unknown> | undefined
      const kind =
        m?.[2] === 'comments'
          ? 'comment'
          : m?.[2] === 'labels'
            ? w.method === 'DELETE'
              ? `label-remove:${decodeURIComponent(m[3] ?? '')}`
              : `label-add:${((body?.['labels'] as string[] | undefined) ?? []).join(',')}`
            : w.endpoint === 'issues/update'
              ? body?.['state'] === 'closed'
                ? 'close'
                : body?.['state'] === 'open'
                  ? 'reopen'
                  : 'update'
              : w.endpoint
      const number = Number(m?.[1])
      if (!m || (!changedNumbers.has(number) && !resolvedNumbers.has(number))) {
        unexpected.push(`${w.method} ${w.github?.path ?? w.endpoint} (${kind})`)
        continue
      }
      byIssue.set(number, [...(byIssue.get(number) ?? []), kind])
    }
    const updatedChanged = [...changedNumbers].filter((n) =>
      (byIssue.get(n ?? 0) ?? []).includes('update')
    ).length
    const closedResolved = [...resolvedNumbers].filter((n) =>
      (byIssue.get(n ?? 0) ?? []).includes('close')
    ).length
    const kinds: Record<string, number> = {}
    for (const list of byIssue.values()) {
      for (const k of list) {
        const name = k.startsWith('label-') ? k.slice(0, k.indexOf(':')) : k
        kinds[name] = (kinds[name] ?? 0) + 1
      }
    }
    const nowClosed = fakes.github.issues.filter(
      (i) => resolvedNumbers.has(i.number) && i.state === 'closed'
    ).length
    console.log(
      `  writes by kind: ${
        Object.entries(kinds)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }; to other issues: ${unexpected.length}`
    )
    console.log(
      `  changed issues updated: ${updatedChanged}/${C}; resolved issues closed: ${closedResolved}/${R} (now closed on GitHub: ${nowClosed}/${R})`
    )
    const exact =
      unexpected.length === 0 &&
      updatedChanged === C &&
      closedResolved === R &&
      [...byIssue.entries()].every(([n, list]) => {
        if (!changedNumbers.has(n)) {
          return (
            list.filter((k) => k === 'close').length === 1 &&
            list.every((k) => k === 'close' || k === 'comment' || k === 'update')
          )
        }
        const swap = swaps.get(n)
        const expected = swap
          ? ['update', `label-remove:${swap.from}`, `label-add:${swap.to}`]
          : ['update']
        return [...list].sort().join('|') === [...expected].sort().join('|')
      })
    const verdict = exact
      ? `writes are exactly the changes: ${C} updates (${swaps.size} with their priority label swapped), ${R} closes (each with its comment) and nothing else`
      : writes.length === 0
        ? 'no writes at all: updates and closes are not (or not yet) done by this dist/index.js'
        : 'writes DIFFER from the changes (see the counts above)'
    console.log(`  ${verdict}`)
    return {
      T,
      changed: C,
      resolved: R,
      verdict,
      writesByKind: kinds,
      writesToOtherIssues: unexpected,
      changedUpdated: updatedChanged,
      resolvedClosed: closedResolved,
      ...summary(run),
      requests: counts
    }
  })
}

/**
 * A first run over a big backlog: N new Sentry issues, `max-new-issues` M, GitHub's hourly limit
 * of 500 content-creating requests enforced by the fake. The run must stay under it (no
 * secondary-limit answer), end on its own, and report how many remain and how many runs they take.
 */
async function backlog(scale: number): Promise<Record<string, unknown>> {
  const N = scaled(2_000, scale, 20)
  const M = scaled(1_000, scale, 10)
  return withFakes(async (fakes) => {
    fakes.sentry.addProject('backend')
    fakes.sentry.seed(N, { seed: 21 })
    console.log(`  ${N} new Sentry issues (with events), empty repository, max-new-issues ${M}`)
    const run = await runAction({
      entry,
      fakes,
      inputs: { 'max-sentry-issues': String(N), 'max-new-issues': String(M) }
    })
    const counts = countRequests(fakes.arrivals)
    printRun(run)
    printCounts(counts)
    const created = fakes.arrivals.filter(
      (a) => a.endpoint === 'issues/create' && a.github?.status === 201
    ).length
    const writeTimes = fakes.arrivals
      .filter((a) => a.side === 'github' && a.method !== 'GET')
      .map((a) => a.t)
    const peakMinute = maxInWindow(writeTimes, 60_000)
    const progress = run.stdout
      .split('\n')
      .filter((l) =>
        /^Created \d+\/\d+ new issues|content-creating requests an hour|remain;/.test(l)
      )
    const remainMatch =
      /\*\*(\d+)\*\* new issue\(s\) remain for later runs: about \*\*(\d+)\*\* more run\(s\) at up to (\d+) per run/.exec(
        run.summary
      )
    const remaining = remainMatch ? Number(remainMatch[1]) : undefined
    const runs = remainMatch ? Number(remainMatch[2]) : undefined
    const perRun = remainMatch ? Number(remainMatch[3]) : undefined
    const shown =
      progress.length > 6 ? [...progress.slice(0, 3), '…', ...progress.slice(-3)] : progress
    for (const line of shown) {
      console.log(`  log: ${line}`)
    }
    console.log(
      `  created ${created}; writes ${writeTimes.length} (at most ${peakMinute} in any 60 s); secondary-limit answers: ${fakes.rateLimited.secondary}; ` +
        `summary: ${remaining ?? '?'} remain, ${runs ?? '?'} more run(s) at up to ${perRun ?? '?'} a run`
    )
    const ok =
      run.code === 0 &&
      fakes.rateLimited.secondary === 0 &&
      writeTimes.length <= SECONDARY_LIMIT.contentWritesPerHour &&
      remaining === N - created
    const verdict = ok
      ? `meets the target (no secondary-limit answer, ended on its own, ${remaining} remaining reported)`
      : 'MISSES the target (see the numbers above)'
    console.log(`  ${verdict}`)
    return {
      N,
      maxNewIssues: M,
      verdict,
      created,
      writes: writeTimes.length,
      peakWritesIn60s: peakMinute,
      secondaryLimitAnswers: fakes.rateLimited.secondary,
      primaryLimitAnswers: fakes.rateLimited.primary,
      remaining: remaining ?? null,
      runs: runs ?? null,
      perRun: perRun ?? null,
      progress,
      ...summary(run),
      requests: counts
    }
  })
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.entry) entry = args.entry
  withCache = args.cache
  const info = machine()
  const freshness = await distFreshness(root, entry)
  console.log(
    `Machine: ${info.cpus} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}; GNU time: ${info.gnuTime ? 'yes' : 'no'}`
  )
  console.log(
    `Fakes: Sentry ${LATENCY.sentryMs} ms, GitHub ${LATENCY.githubMs} ms per request; secondary limit ${SECONDARY_LIMIT.contentWritesPerMinute}/min, ${SECONDARY_LIMIT.contentWritesPerHour}/h`
  )
  console.log(`Action: ${path.relative(root, entry)} (built ${freshness.builtAt})`)
  console.log(
    withCache
      ? 'Actions cache: the fake cache service (v2), as on a github.com runner; the state is restored and saved'
      : 'Actions cache: none (outside a runner: the action warns and keeps no state)'
  )
  if (freshness.newerSources.length > 0) {
    console.log(
      `  note: ${freshness.newerSources.length} source file(s) are newer than the bundle (run npm run bundle to measure them): ${freshness.newerSources.slice(0, 6).join(', ')}${freshness.newerSources.length > 6 ? ', …' : ''}`
    )
  }
  if (args.scale !== 1) console.log(`Scale: ${args.scale} (sizes are not the reference ones)`)

  const run: Record<Scenario, () => Promise<Record<string, unknown>>> = {
    'cold-start': coldStart,
    steady: () => steady(args.scale),
    backfill: () => backfill(args.scale),
    lifecycle: () => lifecycle(args.scale),
    backlog: () => backlog(args.scale),
    'steady-traffic': () => steadyTraffic(entry, args.scale),
    'slow-growth': () => slowGrowth(entry, args.scale),
    watch: () => watchScenario(args.scale)
  }
  for (const name of args.scenarios as Scenario[]) {
    console.log(`\n## ${name}`)
    const started = Date.now()
    const result = await run[name]()
    const file = await writeResult(root, name, {
      scenario: name,
      scale: args.scale,
      at: new Date().toISOString(),
      machine: info,
      latency: LATENCY,
      secondaryLimit: SECONDARY_LIMIT,
      entry: path.relative(root, entry),
      bundle: freshness,
      benchWallMs: Date.now() - started,
      ...result
    })
    console.log(`  → ${file}`)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})

/**
 * Hourly runs of the action over issues whose traffic a scenario moves between runs: what each run
 * writes to GitHub, which stats rows it changes, and how the priority labels move. Shared by the
 * `steady-traffic` and `slow-growth` scenarios.
 */
import {
  DEFAULT_PRIORITY_LABELS,
  parsePriorityLabels
} from '../src/inputs/formats/priority-labels.js'
import { countRequests, fmtMs, runAction, startFakes, type ActionRun, type Fakes } from './lib.js'

export const HOUR = 3600_000

/** The stats rows of an issue body's block (`| Events | 1,200+ |` → Events: 1,200+). */
export function blockRows(body: string | null | undefined): Map<string, string> {
  const rows = new Map<string, string>()
  const start = body?.indexOf('<!-- sentry-stats:start') ?? -1
  const end = body?.indexOf('<!-- sentry-stats:end -->') ?? -1
  if (!body || start < 0 || end < start) return rows
  const block = body.slice(start, end)
  rows.set('start line', block.split('\n')[0] ?? '')
  for (const line of block.split('\n')) {
    const m = /^\| ([^|]+?) \| (.*) \|$/.exec(line)
    if (m?.[1] && m[2] !== undefined) rows.set(m[1], m[2])
  }
  return rows
}

/** An hourly scenario's start: the fakes (a `backend` project), their clock, the inputs. */
export interface HourlyScenario {
  fakes: Fakes
  clock: { ms: number }
  /** The default priority rules passed explicitly, and `max-new-issues` for all `n` issues. */
  inputs: Record<string, string>
  priorityNames: ReadonlySet<string>
}

export async function startHourly(n: number, start: number): Promise<HourlyScenario> {
  const rules = parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules
  const fakes = await startFakes()
  const clock = { ms: start }
  fakes.sentry.now = () => new Date(clock.ms)
  fakes.sentry.addProject('backend')
  return {
    fakes,
    clock,
    inputs: { 'max-new-issues': String(n), 'priority-labels': DEFAULT_PRIORITY_LABELS },
    priorityNames: new Set(rules.map((r) => r.label.toLowerCase()))
  }
}

/** The first run, which creates the `n` GitHub issues (not counted); its time in ms. */
export async function setupRun(entry: string, s: HourlyScenario, n: number): Promise<number> {
  const action = await runAction({ entry, fakes: s.fakes, inputs: s.inputs, measureRss: false })
  const created = s.fakes.github.issues.length
  console.log(
    `  set-up run: exit ${action.code}, ${created} GitHub issues created in ${fmtMs(action.wallMs)}`
  )
  if (action.code !== 0 || created !== n) {
    for (const line of action.problems.slice(0, 8)) console.log(`  log: ${line}`)
    throw new Error(`the set-up run created ${created} issues, not ${n}`)
  }
  return action.wallMs
}

export interface HourlyOptions {
  entry: string
  fakes: Fakes
  inputs: Record<string, string>
  runs: number
  /** Lower-case names of the priority labels the rules apply. */
  priorityNames: ReadonlySet<string>
  /** Moves the fake Sentry's traffic over the hour that ends at `to` (the clock is at `to`). */
  advance(from: number, to: number): void
  /** After each run (for a scenario's own bookkeeping). */
  afterRun?(): void
  /** The fake Sentry's clock, moved one hour before each run. */
  clock: { ms: number }
}

export interface HourlyResult {
  writes: number
  writesPerRun: number[]
  rowsChanged: Record<string, number>
  priorityLabelChanges: number
  labelRequests: number
  flips: number
  failedRuns: number
  endpoints: Record<string, number>
  perRun: Array<Record<string, unknown>>
}

export async function hourlyRuns(o: HourlyOptions): Promise<HourlyResult> {
  const { fakes } = o
  const priorityOf = (labels: readonly string[]): string =>
    labels.filter((l) => o.priorityNames.has(l.toLowerCase())).join(',') || '-'
  const labelHistory = new Map<number, string[]>()
  for (const issue of fakes.github.issues)
    labelHistory.set(issue.number, [priorityOf(issue.labels)])

  const result: HourlyResult = {
    writes: 0,
    writesPerRun: [],
    rowsChanged: {},
    priorityLabelChanges: 0,
    labelRequests: 0,
    flips: 0,
    failedRuns: 0,
    endpoints: {},
    perRun: []
  }
  for (let run = 1; run <= o.runs; run++) {
    const from = o.clock.ms
    o.clock.ms += HOUR
    o.advance(from, o.clock.ms)
    const bodies = new Map(fakes.github.issues.map((i) => [i.number, i.body]))
    const arrivalsBefore = fakes.arrivals.length
    const action: ActionRun = await runAction({
      entry: o.entry,
      fakes,
      inputs: o.inputs,
      measureRss: false
    })
    const arrivals = fakes.arrivals.slice(arrivalsBefore)
    const counts = countRequests(arrivals)
    for (const [k, n] of Object.entries(counts.byEndpoint)) {
      result.endpoints[k] = (result.endpoints[k] ?? 0) + n
    }
    const labelRequests = arrivals.filter(
      (a) => /labels/i.test(a.endpoint) && a.method !== 'GET'
    ).length
    let labelChanges = 0
    let flips = 0
    const rows: Record<string, number> = {}
    for (const issue of fakes.github.issues) {
      const previous = blockRows(bodies.get(issue.number))
      for (const [row, value] of blockRows(issue.body)) {
        if (previous.get(row) !== value) rows[row] = (rows[row] ?? 0) + 1
      }
      const history = labelHistory.get(issue.number) ?? []
      const label = priorityOf(issue.labels)
      if (label !== history[history.length - 1]) {
        labelChanges++
        if (history.includes(label)) flips++
        history.push(label)
        labelHistory.set(issue.number, history)
      }
    }
    for (const [row, n] of Object.entries(rows)) {
      result.rowsChanged[row] = (result.rowsChanged[row] ?? 0) + n
    }
    result.writes += counts.writes
    result.writesPerRun.push(counts.writes)
    result.priorityLabelChanges += labelChanges
    result.labelRequests += labelRequests
    result.flips += flips
    if (action.code !== 0) result.failedRuns++
    o.afterRun?.()
    const at = new Date(o.clock.ms).toISOString().slice(0, 16).replace('T', ' ')
    console.log(
      `  run ${String(run).padStart(2)} (${at} UTC): ${counts.writes} writes, ${counts.reads} reads; ` +
        `rows changed: ${
          Object.entries(rows)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none'
        }; priority labels changed ${labelChanges}; ${fmtMs(action.wallMs)}` +
        (action.code === 0 ? '' : `; EXIT ${action.code}`)
    )
    for (const line of action.problems.filter((l) => !/cache/i.test(l)).slice(0, 4)) {
      console.log(`    log: ${line}`)
    }
    result.perRun.push({
      run,
      at: new Date(o.clock.ms).toISOString(),
      exitCode: action.code,
      wallMs: Math.round(action.wallMs),
      reads: counts.reads,
      writes: counts.writes,
      rowsChanged: rows,
      priorityLabelChanges: labelChanges,
      labelRequests,
      problems: action.problems
    })
  }
  return result
}

/** One line per row kind, `Events 12, Users affected 3`. */
export function rowSummary(rows: Record<string, number>): string {
  return (
    Object.entries(rows)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  )
}

/**
 * Scenario `steady-traffic`: a day of hourly runs over issues with steady traffic.
 *
 * N = 100 Sentry issues, each with an age A (7–90 days, uniform) and a rate r (1–50 events an hour,
 * log-uniform), lifetime events ≈ r·24·A and users ≈ events/10 at the start, the last 24 hours of
 * them recorded hour by hour. A first run creates their GitHub issues (not counted). Then 24
 * hourly runs, the fake Sentry's clock one hour further each time and every issue r events
 * (Poisson, seeded) and a tenth as many new users richer.
 *
 * Measured: GitHub writes in all and per run, what the writes changed (which stats rows, labels),
 * priority-label changes and flips back to a label an issue had before (must be 0).
 * Target: ≤ 300 writes over the 24 runs, 0 flips.
 *
 * For comparison, the same traffic is replayed through the figures the action showed before it
 * used lifetime totals at a reader's precision (windowed `count`/`userCount` exact, `lastSeen` to
 * the second): a simulation of what would have changed, not a run of another build.
 */
import {
  DEFAULT_PRIORITY_LABELS,
  parsePriorityLabels
} from '../src/inputs/formats/priority-labels.js'
import { priorityLabel } from '../src/render/labels.js'
import { dayOf, formatCount, roughCount } from '../src/render/stats-block.js'
import { HOUR, hourlyRuns, setupRun, startHourly } from './hourly.js'
import { prng } from '../src/fakes/fake-sentry.js'

const DAY = 24 * HOUR
/** The set-up run's time; runs follow at :17 past each hour and cross one UTC midnight. */
const START = Date.parse('2026-11-30T06:17:00Z')
const RUNS = 24
const WRITE_TARGET = 300

/** Poisson(λ) by Knuth's product of uniforms (λ ≤ 50 here, so e^-λ stays far from 0). */
function poisson(random: () => number, lambda: number): number {
  const limit = Math.exp(-lambda)
  let k = 0
  let p = random()
  while (p > limit) {
    k++
    p *= random()
  }
  return k
}

/** `events / 10` users, the fraction rounded up with its probability. */
function usersFor(random: () => number, events: number): number {
  const exact = events / 10
  const whole = Math.floor(exact)
  return whole + (random() < exact - whole ? 1 : 0)
}

interface Traffic {
  id: string
  ageDays: number
  rate: number
  /** Events and users by hour bucket time (epoch ms), the last ones recorded. */
  hours: Array<{ at: number; events: number; users: number }>
}

/** What a reader of the issue sees of the figures, under one way of rendering them. */
interface Visible {
  events: string
  users: string
  lastSeen: string
  label: string | undefined
}

function windowed(t: Traffic, now: number): { events: number; users: number } {
  let events = 0
  let users = 0
  for (const h of t.hours) {
    if (h.at >= now - DAY && h.at <= now) {
      events += h.events
      users += h.users
    }
  }
  return { events, users }
}

interface Tally {
  writes: number
  labelChanges: number
  flips: number
  rows: Record<string, number>
  /** Writes for which that row was the only change. */
  only: Record<string, number>
  /** Changes of a count row by kind (see `countChange`). */
  exact: Record<string, number>
}

/**
 * How a count row changed: `below 100` (shown exactly), `onto a round figure` (1,200+ is not shown
 * for exactly 1,200), `off a round figure` (1,200 → 1,200+, the same digits), or `to the next step`.
 */
function countChange(before: string, after: string): string {
  const value = Number(after.replace(/[,+]/g, ''))
  if (value < 100) return 'below 100'
  if (!after.endsWith('+')) return 'onto a round figure'
  if (after === `${before}+`) return 'off a round figure'
  return 'to the next step'
}

/** Replays visible figures run by run: an issue is written when anything visible changed. */
function tally(perRun: Array<Map<string, Visible>>): Tally {
  const result: Tally = { writes: 0, labelChanges: 0, flips: 0, rows: {}, only: {}, exact: {} }
  const history = new Map<string, Array<string | undefined>>()
  for (const [id, v] of perRun[0] ?? []) history.set(id, [v.label])
  for (let i = 1; i < perRun.length; i++) {
    for (const [id, now] of perRun[i] ?? []) {
      const before = perRun[i - 1]?.get(id)
      if (!before) continue
      const changed = (['events', 'users', 'lastSeen', 'label'] as const).filter(
        (k) => now[k] !== before[k]
      )
      if (changed.length === 0) continue
      result.writes++
      for (const k of changed) {
        result.rows[k] = (result.rows[k] ?? 0) + 1
        if (k === 'events' || k === 'users') {
          const kind = countChange(before[k], now[k])
          result.exact[`${k} ${kind}`] = (result.exact[`${k} ${kind}`] ?? 0) + 1
        }
      }
      if (changed.length === 1 && changed[0]) {
        result.only[changed[0]] = (result.only[changed[0]] ?? 0) + 1
      }
      if (now.label !== before.label) {
        result.labelChanges++
        const seen = history.get(id) ?? []
        if (seen.includes(now.label)) result.flips++
        seen.push(now.label)
        history.set(id, seen)
      }
    }
  }
  return result
}

export async function steadyTraffic(
  entry: string,
  scale: number
): Promise<Record<string, unknown>> {
  const N = Math.max(5, Math.round(100 * scale))
  const rules = parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules
  const scenario = await startHourly(N, START)
  const { fakes, clock } = scenario
  try {
    const random = prng(20261130)
    const traffic: Traffic[] = []
    for (let i = 0; i < N; i++) {
      const ageDays = 7 + random() * 83
      const rate = Math.exp(random() * Math.log(50))
      const lifetime = Math.round(rate * 24 * ageDays)
      // The last 24 hours as hourly buckets, the rest of the history before them.
      const hours: Traffic['hours'] = []
      for (let h = 23; h >= 0; h--) {
        const events = poisson(random, rate)
        hours.push({ at: clock.ms - h * HOUR - Math.floor(random() * HOUR), events, users: 0 })
      }
      const recent = hours.reduce((s, h) => s + h.events, 0)
      const earlier = Math.max(1, lifetime - recent)
      const issue = fakes.sentry.addIssue({
        title: `TypeError: steady failure ${i + 1}`,
        culprit: `app/module${i % 7}.py in handler${i}`,
        metadata: { type: 'TypeError', value: `steady failure ${i + 1}` },
        substatus: 'ongoing',
        count: String(earlier),
        userCount: Math.max(1, Math.round(earlier / 10)),
        firstSeen: new Date(clock.ms - ageDays * DAY).toISOString(),
        lastSeen: new Date(clock.ms - 25 * HOUR).toISOString()
      })
      const id = String(issue['id'])
      for (const h of hours) {
        h.users = usersFor(random, h.events)
        fakes.sentry.addEvents(id, h.events, { users: h.users, at: new Date(h.at) })
      }
      fakes.sentry.addEvent(id, { dateCreated: String(issue['lastSeen']) })
      traffic.push({ id, ageDays, rate, hours })
    }
    const lifetimeAtStart = traffic.map((t) =>
      Number(fakes.sentry.issues.find((i) => i['id'] === t.id)?.['count'])
    )
    console.log(
      `  ${N} issues: age ${Math.min(...traffic.map((t) => t.ageDays)).toFixed(0)}–${Math.max(...traffic.map((t) => t.ageDays)).toFixed(0)} days, ` +
        `rate ${Math.min(...traffic.map((t) => t.rate)).toFixed(1)}–${Math.max(...traffic.map((t) => t.rate)).toFixed(1)} events/h, ` +
        `lifetime events ${Math.min(...lifetimeAtStart)}–${Math.max(...lifetimeAtStart)}`
    )

    const visibleNow = (): { after: Map<string, Visible>; before: Map<string, Visible> } => {
      const after = new Map<string, Visible>()
      const before = new Map<string, Visible>()
      for (const t of traffic) {
        const issue = fakes.sentry.issues.find((i) => i['id'] === t.id) ?? {}
        const lifetime = { count: Number(issue['count']), userCount: Number(issue['userCount']) }
        const w = windowed(t, clock.ms)
        const lastSeen = String(issue['lastSeen'])
        after.set(t.id, {
          events: roughCount(lifetime.count),
          users: roughCount(lifetime.userCount),
          lastSeen: dayOf(lastSeen),
          label: priorityLabel(lifetime, rules)
        })
        before.set(t.id, {
          events: formatCount(w.events),
          users: formatCount(w.users),
          lastSeen,
          label: priorityLabel({ count: w.events, userCount: w.users }, rules)
        })
      }
      return { after, before }
    }

    const setupMs = await setupRun(entry, scenario, N)
    const simulated = [visibleNow()]

    const hourly = await hourlyRuns({
      ...scenario,
      entry,
      runs: RUNS,
      advance(from, to) {
        for (const t of traffic) {
          const events = poisson(random, t.rate)
          const users = usersFor(random, events)
          const at = from + Math.floor(random() * HOUR)
          t.hours.push({ at, events, users })
          t.hours = t.hours.filter((h) => h.at >= to - DAY - HOUR)
          if (events > 0) fakes.sentry.addEvents(t.id, events, { users, at: new Date(at) })
        }
      },
      afterRun: () => simulated.push(visibleNow())
    })
    const { writes, labelRequests, flips, failedRuns, endpoints } = hourly
    const changedRows = hourly.rowsChanged
    const labelChanges = hourly.priorityLabelChanges

    const before = tally(simulated.map((s) => s.before))
    const check = tally(simulated.map((s) => s.after))
    const perRun = hourly.writesPerRun
    const verdict =
      writes <= WRITE_TARGET && flips === 0 && failedRuns === 0
        ? `meets the target (≤ ${WRITE_TARGET} writes over ${RUNS} runs, 0 flips): ${writes} writes, ${flips} flips`
        : `MISSES the target (≤ ${WRITE_TARGET} writes over ${RUNS} runs, 0 flips, every run exit 0): ${writes} writes, ${flips} flips, ${failedRuns} failed runs`
    console.log(
      `  writes: ${writes} in ${RUNS} runs (per run: min ${Math.min(...perRun)}, max ${Math.max(...perRun)}, mean ${(writes / RUNS).toFixed(1)})`
    )
    console.log(
      `  stats rows changed (issues × runs): ${Object.entries(changedRows)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`
    )
    console.log(
      `  priority labels: ${labelChanges} changes (${labelRequests} label requests), ${flips} flips back`
    )
    console.log(
      `  replay of the same figures, as rendered now: ${check.writes} issue writes (${Object.entries(
        check.rows
      )
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}), ${check.labelChanges} label changes, ${check.flips} flips`
    )
    console.log(
      `    writes with a single changed row: ${Object.entries(check.only)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; count-row changes: ${
        Object.entries(check.exact)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }`
    )
    console.log(
      `  replay with the windowed counts shown exactly and last seen to the second (before): ${before.writes} issue writes (${Object.entries(
        before.rows
      )
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}), ${before.labelChanges} priority-label changes, ${before.flips} flips back`
    )
    console.log(`  GitHub requests by endpoint over the 24 runs:`)
    for (const [k, n] of Object.entries(endpoints).sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`    ${String(n).padStart(6)}  ${k}`)
    }
    console.log(`  ${verdict}`)
    return {
      N,
      runs: RUNS,
      target: { writes: WRITE_TARGET, flips: 0 },
      verdict,
      setupMs: Math.round(setupMs),
      ...hourly,
      replayNow: check,
      replayWindowedExact: before,
      issues: traffic.map((t, i) => ({
        id: t.id,
        ageDays: Math.round(t.ageDays * 10) / 10,
        rate: Math.round(t.rate * 10) / 10,
        lifetimeAtStart: lifetimeAtStart[i]
      }))
    }
  } finally {
    await fakes.close()
  }
}

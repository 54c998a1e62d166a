/**
 * Scenario `slow-growth`: a day of hourly runs over issues that grow slowly and steadily.
 *
 * N = 30 Sentry issues with lifetime events near 1,000 (950–1,050, seeded) growing 1 % an hour,
 * and users affected near 80 (75–85) growing by 4 a day (one every 6 hours, at a moment of the
 * day each issue draws). A first run creates their GitHub issues (not counted). Then 24 hourly
 * runs, the fake Sentry's clock one hour further each time; they cross one UTC midnight.
 *
 * Measured: GitHub writes, the stats rows they changed, priority-label changes and flips back.
 * Target: ≤ 90 writes over the 24 runs, 0 flips.
 */
import { prng } from '../src/fakes/fake-sentry.js'
import { HOUR, hourlyRuns, rowSummary, setupRun, startHourly } from './hourly.js'
import { dayOf, roughCount } from '../src/render/stats-block.js'

const START = Date.parse('2026-11-30T06:17:00Z')
const RUNS = 24
const WRITE_TARGET = 90

/** The precision before this scenario's rule: exact below 100, else two significant digits. */
function twoDigits(n: number): string {
  if (n < 100) return String(n)
  const step = 10 ** (Math.floor(Math.log10(n)) - 1)
  return `${Math.floor(n / step) * step}+`
}

/** Issue writes a rendering of the figures calls for: one per issue and run where any changed. */
function replay(
  snapshots: ReadonlyArray<ReadonlyArray<{ events: number; users: number; lastSeen: string }>>,
  rough: (n: number) => string
): number {
  let writes = 0
  for (let run = 1; run < snapshots.length; run++) {
    snapshots[run]?.forEach((now, i) => {
      const was = snapshots[run - 1]?.[i]
      if (!was) return
      const changed =
        rough(now.events) !== rough(was.events) ||
        rough(now.users) !== rough(was.users) ||
        dayOf(now.lastSeen) !== dayOf(was.lastSeen)
      if (changed) writes++
    })
  }
  return writes
}

interface Growth {
  id: string
  /** Lifetime events, as a real number (the fake holds its whole part). */
  events: number
  /** The hour of the day (0–5, then every 6 hours) at which the issue gains a user. */
  userHour: number
}

export async function slowGrowth(entry: string, scale: number): Promise<Record<string, unknown>> {
  const N = Math.max(3, Math.round(30 * scale))
  const scenario = await startHourly(N, START)
  const { fakes, clock } = scenario
  try {
    const random = prng(20261208)
    const issues: Growth[] = []
    for (let i = 0; i < N; i++) {
      const events = 950 + Math.floor(random() * 101)
      const users = 75 + Math.floor(random() * 11)
      const issue = fakes.sentry.addIssue({
        title: `TimeoutError: slow growth ${i + 1}`,
        culprit: `app/jobs${i % 5}.py in run${i}`,
        metadata: { type: 'TimeoutError', value: `slow growth ${i + 1}` },
        substatus: 'ongoing',
        count: String(events - 1),
        userCount: users,
        firstSeen: new Date(clock.ms - 40 * 24 * HOUR).toISOString(),
        lastSeen: new Date(clock.ms - HOUR).toISOString()
      })
      const id = String(issue['id'])
      fakes.sentry.addEvents(id, 1, { users: 0, at: new Date(clock.ms - 30 * 60_000) })
      issues.push({ id, events, userHour: Math.floor(random() * 6) })
    }
    const counts = (key: string): number[] =>
      issues.map((g) => Number(fakes.sentry.issues.find((i) => i['id'] === g.id)?.[key]))
    const eventsAtStart = counts('count')
    const usersAtStart = counts('userCount')
    console.log(
      `  ${N} issues: events ${Math.min(...eventsAtStart)}–${Math.max(...eventsAtStart)}, users ${Math.min(...usersAtStart)}–${Math.max(...usersAtStart)}`
    )

    await setupRun(entry, scenario, N)

    const figures = (): Array<{ events: number; users: number; lastSeen: string }> =>
      issues.map((g) => {
        const issue = fakes.sentry.issues.find((i) => i['id'] === g.id) ?? {}
        return {
          events: Number(issue['count']),
          users: Number(issue['userCount']),
          lastSeen: String(issue['lastSeen'])
        }
      })
    const snapshots = [figures()]
    const hourly = await hourlyRuns({
      ...scenario,
      entry,
      runs: RUNS,
      advance(from, to) {
        const hour = new Date(to).getUTCHours()
        for (const g of issues) {
          const before = Math.floor(g.events)
          g.events *= 1.01
          const added = Math.floor(g.events) - before
          const users = hour % 6 === g.userHour ? 1 : 0
          const at = new Date(from + Math.floor(random() * HOUR))
          if (added > 0) fakes.sentry.addEvents(g.id, added, { users, at })
        }
      },
      afterRun: () => snapshots.push(figures())
    })
    const replayed = { now: replay(snapshots, roughCount), twoDigits: replay(snapshots, twoDigits) }

    const eventsAtEnd = counts('count')
    const usersAtEnd = counts('userCount')
    const verdict =
      hourly.writes <= WRITE_TARGET && hourly.flips === 0 && hourly.failedRuns === 0
        ? `meets the target (≤ ${WRITE_TARGET} writes over ${RUNS} runs, 0 flips): ${hourly.writes} writes, ${hourly.flips} flips`
        : `MISSES the target (≤ ${WRITE_TARGET} writes over ${RUNS} runs, 0 flips, every run exit 0): ${hourly.writes} writes, ${hourly.flips} flips, ${hourly.failedRuns} failed runs`
    console.log(
      `  after ${RUNS} runs: events ${Math.min(...eventsAtEnd)}–${Math.max(...eventsAtEnd)}, users ${Math.min(...usersAtEnd)}–${Math.max(...usersAtEnd)}`
    )
    console.log(
      `  writes: ${hourly.writes} (per run: ${hourly.writesPerRun.join(' ')}); stats rows changed (issues × runs): ${rowSummary(hourly.rowsChanged)}`
    )
    console.log(
      `  priority labels: ${hourly.priorityLabelChanges} changes (${hourly.labelRequests} label requests), ${hourly.flips} flips back`
    )
    console.log(
      `  replay of the same figures: ${replayed.now} issue writes as rendered now; ${replayed.twoDigits} with the earlier precision (exact below 100, two significant digits above)`
    )
    console.log(`  ${verdict}`)
    return {
      replayed,
      N,
      runs: RUNS,
      target: { writes: WRITE_TARGET, flips: 0 },
      verdict,
      eventsAtStart,
      usersAtStart,
      eventsAtEnd,
      usersAtEnd,
      ...hourly
    }
  } finally {
    await fakes.close()
  }
}

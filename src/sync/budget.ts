import type { PlanItem } from '../plan/plan.js'

/**
 * How many content-creating GitHub requests a run may make. GitHub's secondary limits allow at
 * most 80 content-creating requests a minute and 500 an hour, across runs ("About secondary rate
 * limits" in GitHub's REST docs). The minute is kept by the client's write spacing (1 s apart:
 * at most 60 a minute); the hour is kept here: the cap minus what earlier runs used within the
 * last hour (their times are kept in the sync state), minus what this run's other writes need.
 * Pure: times are passed in.
 */

export const CONTENT_LIMITS = { perMinute: 80, perHour: 500 } as const
export const HOUR_MS = 3_600_000

/** The times within the hour before `now`, oldest first. */
export function withinHour(times: readonly number[], now: number): number[] {
  return times.filter((t) => t > now - HOUR_MS && t <= now).sort((a, b) => a - b)
}

/**
 * Writes kept back for what a run cannot count ahead: the labels it creates on the way (priority
 * labels, labels from Sentry fields). 2% of the cap, at least 2.
 */
export function safetyReserve(perHour: number): number {
  return Math.max(2, Math.ceil(perHour * 0.02))
}

/** Content-creating requests one new issue costs: the create, and what its steps add. */
export function writesPerCreate(steps: { perCreate: number }): number {
  return 1 + steps.perCreate
}

/**
 * The content-creating requests the planned work on existing issues needs: an update is a body
 * edit (a comment when it has one, its label changes, and what the issue steps add to an update),
 * a close or reopen a state change and a comment.
 */
export function lifecycleWrites(plan: readonly PlanItem[], steps: { perUpdate: number }): number {
  let writes = 0
  for (const item of plan) {
    if (item.kind !== 'lifecycle' && item.kind !== 'gone') continue
    const d = item.decision
    switch (d.kind) {
      case 'update':
        writes +=
          1 +
          (d.comment ? 1 : 0) +
          steps.perUpdate +
          (d.labels ? d.labels.remove.length + (d.labels.add.length > 0 ? 1 : 0) : 0)
        break
      case 'close':
      case 'reopen':
      case 'merged':
        writes += 2
        break
      case 'resolve-in-sentry':
        writes += d.change.block !== undefined || d.change.marker !== undefined ? 1 : 0
        break
      default:
        break
    }
  }
  return writes
}

export interface BudgetInput {
  now: number
  /** Times (epoch ms) of content-creating requests made by earlier runs. */
  earlier: readonly number[]
  /** The hourly cap. Default GitHub's 500. */
  perHour?: number
  /** Requests the run needs besides creating issues (see {@link lifecycleWrites}). */
  reserve: number
  /** Requests per new issue (see {@link writesPerCreate}). */
  perCreate: number
}

export interface Budget {
  perHour: number
  /** Requests made within the last hour by earlier runs. */
  used: number
  /** Requests this run may make in all. */
  available: number
  /** New issues this run may create. */
  creates: number
  /** New issues a run can create when the hour is fresh: what later runs can count on. */
  createsPerFreshRun: number
}

export function planBudget(input: BudgetInput): Budget {
  const perHour = input.perHour ?? CONTENT_LIMITS.perHour
  const used = withinHour(input.earlier, input.now).length
  const available = Math.max(0, perHour - used)
  const forCreates = available - input.reserve - safetyReserve(perHour)
  const perCreate = Math.max(1, input.perCreate)
  return {
    perHour,
    used,
    available,
    creates: Math.max(0, Math.floor(forCreates / perCreate)),
    createsPerFreshRun: Math.max(1, Math.floor((perHour - safetyReserve(perHour)) / perCreate))
  }
}

/**
 * Whether one more new issue fits now, counting the requests actually made so far (earlier runs'
 * and this run's): what the plan could not foresee (a label created on the way) is caught here.
 */
export function fitsNow(input: {
  now: number
  writes: readonly number[]
  perHour: number
  perCreate: number
}): boolean {
  const used = withinHour(input.writes, input.now).length
  return used + input.perCreate + safetyReserve(input.perHour) <= input.perHour
}

/** Runs needed for `remaining` new issues at `perRun` a run. */
export function runsNeeded(remaining: number, perRun: number): number {
  return remaining <= 0 ? 0 : Math.ceil(remaining / Math.max(1, perRun))
}

/**
 * A progress line every `every` creates: "Created 150/1000 new issues; about 12 min left." The
 * estimate is the pace so far; undefined between the lines.
 */
export function progressLine(
  done: number,
  total: number,
  elapsedMs: number,
  every = 25
): string | undefined {
  if (done <= 0 || done % every !== 0 || done >= total) return undefined
  const leftMs = (elapsedMs / done) * (total - done)
  const minutes = Math.round(leftMs / 60_000)
  const left = minutes < 1 ? 'under a minute' : `about ${minutes} min`
  return `Created ${done}/${total} new issues; ${left} left.`
}

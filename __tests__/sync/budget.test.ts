import { describe, expect, it } from '@jest/globals'
import { parseConfig, type Config } from '../../src/inputs/config.js'
import type { PlanItem } from '../../src/plan/plan.js'
import { stepWrites } from '../../src/sync/steps.js'
import {
  CONTENT_LIMITS,
  fitsNow,
  HOUR_MS,
  lifecycleWrites,
  planBudget,
  progressLine,
  runsNeeded,
  safetyReserve,
  withinHour,
  writesPerCreate
} from '../../src/sync/budget.js'
import { VALID_INPUTS } from '../helpers/config.js'

const NOW = Date.parse('2026-11-30T12:00:00Z')

describe('the hourly content budget', () => {
  it("is GitHub's 500 an hour and 80 a minute", () => {
    expect(CONTENT_LIMITS).toEqual({ perMinute: 80, perHour: 500 })
  })

  it('keeps only the writes of the last hour, oldest first', () => {
    const times = [NOW - HOUR_MS, NOW - HOUR_MS + 1, NOW - 5, NOW - 60_000, NOW + 1]
    expect(withinHour(times, NOW)).toEqual([NOW - HOUR_MS + 1, NOW - 60_000, NOW - 5])
  })

  it('gives a fresh hour the cap minus the reserves', () => {
    const budget = planBudget({ now: NOW, earlier: [], reserve: 0, perCreate: 1 })
    expect(budget).toEqual({
      perHour: 500,
      used: 0,
      available: 500,
      creates: 500 - safetyReserve(500),
      createsPerFreshRun: 490
    })
    expect(safetyReserve(500)).toBe(10)
    expect(safetyReserve(30)).toBe(2)
  })

  it('subtracts what earlier runs used within the hour, and not older writes', () => {
    const earlier = [
      ...Array.from({ length: 300 }, (_, i) => NOW - 10 * 60_000 - i),
      ...Array.from({ length: 200 }, (_, i) => NOW - HOUR_MS - 1 - i)
    ]
    const budget = planBudget({ now: NOW, earlier, reserve: 0, perCreate: 1 })
    expect(budget.used).toBe(300)
    expect(budget.creates).toBe(500 - 300 - 10)
  })

  it('keeps a reserve for the lifecycle and divides by the cost of one create', () => {
    const budget = planBudget({ now: NOW, earlier: [], perHour: 100, reserve: 20, perCreate: 2 })
    expect(budget.creates).toBe(Math.floor((100 - 20 - 2) / 2))
    expect(budget.createsPerFreshRun).toBe(49)
  })

  it('never goes below zero when the hour is spent', () => {
    const earlier = Array.from({ length: 520 }, (_, i) => NOW - i * 1000)
    const budget = planBudget({ now: NOW, earlier, reserve: 5, perCreate: 1 })
    expect(budget.available).toBe(0)
    expect(budget.creates).toBe(0)
  })

  it('counts a create and what its steps add; issue fields add one write to a create and an update', () => {
    expect(writesPerCreate({ perCreate: 0 })).toBe(1)
    expect(writesPerCreate({ perCreate: 2 })).toBe(3)
    const config = (fields: string): Config =>
      parseConfig({
        ...VALID_INPUTS,
        'issue-fields': fields
      })
    expect(stepWrites(config(''))).toEqual({ perCreate: 0, perUpdate: 0 })
    expect(stepWrites(config('Priority = priority'))).toEqual({ perCreate: 1, perUpdate: 1 })
  })

  it('reserves the writes of updates, closes and reopens, comments included', () => {
    const existing = {
      id: 1,
      number: 1,
      url: '',
      state: 'open' as const,
      createdAt: '2026-01-01T00:00:00Z',
      foundBy: 'label' as const
    }
    const sentry = {} as Extract<PlanItem, { kind: 'lifecycle' }>['sentry']
    const plan: PlanItem[] = [
      {
        kind: 'lifecycle',
        sentry,
        key: 'a/1',
        existing,
        decision: { kind: 'update', change: { block: 'b' }, why: 'w' }
      },
      {
        kind: 'lifecycle',
        sentry,
        key: 'a/2',
        existing,
        decision: { kind: 'update', change: { block: 'b' }, comment: 'c', why: 'w' }
      },
      {
        kind: 'lifecycle',
        sentry,
        key: 'a/3',
        existing,
        decision: {
          kind: 'close',
          stateReason: 'completed',
          comment: 'c',
          change: {},
          why: 'w'
        }
      },
      {
        kind: 'gone',
        key: 'a/4',
        existing,
        decision: { kind: 'reopen', comment: 'c', change: {}, why: 'w' }
      },
      { kind: 'gone', key: 'a/5', existing, decision: { kind: 'none', why: 'w' } },
      { kind: 'create', sentry, key: 'a/6' }
    ]
    expect(lifecycleWrites(plan, { perUpdate: 0 })).toBe(1 + 2 + 2 + 2)
    // Each of the two updates also costs what the issue steps add to it (issue fields: one).
    expect(lifecycleWrites(plan, { perUpdate: 1 })).toBe(1 + 2 + 2 + 2 + 2)
  })

  it('checks the writes actually made before each create', () => {
    const writes = Array.from({ length: 28 }, (_, i) => NOW - i * 1000) // 28 + 1 + reserve 2 > 30
    expect(fitsNow({ now: NOW, writes, perHour: 30, perCreate: 1 })).toBe(false)
    expect(fitsNow({ now: NOW, writes: writes.slice(1), perHour: 30, perCreate: 1 })).toBe(true)
    // Writes older than an hour are free again.
    expect(fitsNow({ now: NOW + HOUR_MS, writes, perHour: 30, perCreate: 1 })).toBe(true)
  })

  it('counts the runs the rest takes', () => {
    expect(runsNeeded(0, 490)).toBe(0)
    expect(runsNeeded(1, 490)).toBe(1)
    expect(runsNeeded(1510, 490)).toBe(4)
    expect(runsNeeded(10, 0)).toBe(10)
  })

  it('logs progress every 25 creates with an estimate from the pace so far', () => {
    expect(progressLine(24, 1000, 24_000)).toBeUndefined()
    expect(progressLine(150, 1000, 150_000)).toBe('Created 150/1000 new issues; about 14 min left.')
    expect(progressLine(975, 1000, 975_000)).toBe(
      'Created 975/1000 new issues; under a minute left.'
    )
    expect(progressLine(1000, 1000, 1_000_000)).toBeUndefined()
  })
})

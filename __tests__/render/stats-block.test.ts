import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  findStatsBlock,
  renderStatsBlock,
  roughCount,
  stillShows,
  type StatsSnapshot
} from '../../src/render/stats-block.js'

/** The value a rough count shows ("1,200+" → 1200). */
function shownValue(text: string): number {
  return Number(text.replace(/[,+]/g, ''))
}

describe('the reader’s precision', () => {
  it('is exact below 10, then "at least" a step about a fifth below the count', () => {
    expect([0, 7, 9].map(roughCount)).toEqual(['0', '7', '9'])
    expect([10, 11, 12, 56, 84, 99, 100].map(roughCount)).toEqual([
      '10+',
      '10+',
      '12+',
      '50+',
      '80+',
      '80+',
      '100+'
    ])
    expect([1_234, 1_499, 1_500, 9_999, 1_000_000].map(roughCount)).toEqual([
      '1,200+',
      '1,200+',
      '1,500+',
      '8,000+',
      '1,000,000+'
    ])
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 10 ** 12 }), (n) => {
        const shown = shownValue(roughCount(n))
        expect(shown).toBeLessThanOrEqual(n)
        expect(shown * 1.34).toBeGreaterThan(n)
      })
    )
  })

  it('never goes down as a count grows, and a shown figure holds until the next step', () => {
    fc.assert(
      fc.property(fc.nat(10 ** 9), fc.nat(10 ** 9), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(shownValue(roughCount(lo))).toBeLessThanOrEqual(shownValue(roughCount(hi)))
        expect(stillShows(roughCount(lo), lo)).toBe(true)
        // Still shown exactly while the rough figure is the same.
        expect(stillShows(roughCount(lo), hi)).toBe(roughCount(lo) === roughCount(hi))
      })
    )
  })

  it('leaves figures an earlier rule wrote while they still tell the count', () => {
    // Exact below 100 then: kept while it is the count.
    expect(stillShows('84', 84)).toBe(true)
    expect(stillShows('84', 86)).toBe(false)
    // Two significant digits then: kept until the next step of today's rule (1,500).
    expect(stillShows('1,400+', 1_400)).toBe(true)
    expect(stillShows('1,400+', 1_499)).toBe(true)
    expect(stillShows('1,400+', 1_500)).toBe(false)
    expect(stillShows('1,400+', 1_399)).toBe(false)
    expect(stillShows('—', 5)).toBe(false)
    expect(stillShows('1,400+ <b>', 1_400)).toBe(false)
  })

  it('a rewritten block keeps such rows, and changes them when the figure moves', () => {
    const snapshot: StatsSnapshot = {
      events: 1_420,
      users: 84,
      lastSeen: '2026-12-01T10:00:00Z',
      level: 'error',
      priority: 'high',
      status: 'unresolved',
      substatus: null
    }
    const legacy = renderStatsBlock(snapshot)
      .replace('| Events | 1,200+ |', '| Events | 1,400+ |')
      .replace('| Users affected | 80+ |', '| Users affected | 84 |')
    const previous = findStatsBlock(legacy)!
    expect(renderStatsBlock(snapshot, previous)).toBe(legacy)
    const moved = renderStatsBlock({ ...snapshot, events: 1_510, users: 85 }, previous)
    expect(moved).toContain('| Events | 1,500+ |')
    expect(moved).toContain('| Users affected | 80+ |')
  })
})

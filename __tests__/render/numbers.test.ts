import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { groupDigits } from '../../src/render/numbers.js'

describe('groupDigits', () => {
  it('writes whole numbers as en-US digit grouping does', () => {
    for (const n of [0, 7, 99, 100, 999, 1000, 1200, 12_345, 999_999, 1_000_000, 123_456_789]) {
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'))
    }
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (n) => {
          expect(groupDigits(n)).toBe(n.toLocaleString('en-US'))
        }
      )
    )
  })

  it('keeps at most three decimals, without trailing zeros', () => {
    for (const n of [0.5, 1234.5, 1234.25, 2.125, 1000.1, -3.75, 0.0004]) {
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'))
    }
    expect(groupDigits(1234.5)).toBe('1,234.5')
  })

  it('writes huge and non-finite numbers readably', () => {
    expect(groupDigits(1e21)).toBe('1,000,000,000,000,000,000,000')
    expect(groupDigits(Number.NaN)).toBe('NaN')
    expect(groupDigits(Number.POSITIVE_INFINITY)).toBe('Infinity')
  })
})

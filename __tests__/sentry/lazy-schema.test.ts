import { describe, expect, it } from '@jest/globals'
import { z } from 'zod'
import { lazily } from '../../src/sentry/lazy-schema.js'

describe('lazily', () => {
  it('builds the schema on its first parse, once', () => {
    let builds = 0
    const schema = lazily(() => {
      builds++
      return z.object({ id: z.string() })
    })
    expect(builds).toBe(0)
    expect(schema.parse({ id: '1', extra: true })).toEqual({ id: '1' })
    expect(schema.safeParse({ id: 2 }).success).toBe(false)
    expect(builds).toBe(1)
    expect(schema.unwrap()).toBe(schema.unwrap())
    expect(builds).toBe(1)
  })

  it('keeps an optional or nullish inner schema optional as an object field', () => {
    const outer = z.object({
      id: z.string(),
      culprit: lazily(() => z.string().nullish()),
      tags: lazily(() => z.array(z.string()).optional())
    })
    expect(outer.parse({ id: '1' })).toEqual({ id: '1' })
    expect(outer.parse({ id: '1', culprit: null, tags: ['a'] })).toEqual({
      id: '1',
      culprit: null,
      tags: ['a']
    })
    expect(outer.safeParse({ id: '1', culprit: 5 }).success).toBe(false)
  })

  it('carries transforms and catch values through', () => {
    const count = lazily(() => z.union([z.string(), z.number()]).transform(Number))
    const lenient = lazily(() => z.string().nullish().catch(null))
    expect(count.parse('150')).toBe(150)
    expect(lenient.parse(42)).toBeNull()
  })
})

import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The troubleshooting tables in docs/running-anywhere.md are keyed by the exact messages the action
 * prints: every fragment of every key must still occur in the source, so the tables cannot drift.
 */

function sources(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n')
}

describe('troubleshooting tables', () => {
  const doc = readFileSync('docs/running-anywhere.md', 'utf8')
  const section = doc.slice(doc.indexOf('## Troubleshooting'))
  const keys = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ')[0]!.replace(/^\| /, ''))
  const code = sources('src')

  it('has entries', () => {
    expect(keys.length).toBeGreaterThan(20)
  })

  it.each(keys)('%s occurs in the source', (key) => {
    const fragments = [...key.matchAll(/`([^`]+)`/g)]
      .flatMap((m) => m[1]!.split('…'))
      .map((f) => f.trim())
      .filter((f) => f.length >= 4)
    expect(fragments.length).toBeGreaterThan(0)
    for (const fragment of fragments) {
      // The source writes some messages as template literals: N for a number, … for a value.
      const pattern = fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\bN\b/g, '[^\\s]+')
      expect([fragment, new RegExp(pattern).test(code)]).toEqual([fragment, true])
    }
  })
})

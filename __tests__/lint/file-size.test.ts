import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * No hand-written source or test file is over 700 lines: a file a newcomer can read in one
 * sitting, and a change that touches it reviewed without scrolling through unrelated parts.
 * Generated files (`*.generated.ts`, the extracts in src/fakes/data/) are not counted.
 */

const MAX_LINES = 700
const ROOTS = ['src', 'bench', 'scripts', '__tests__']
const SOURCE = /\.(?:ts|mts|js|mjs|cjs)$/u

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory())
      return full === path.join('src', 'fakes', 'data') ? [] : sourceFiles(full)
    return SOURCE.test(entry.name) && !entry.name.includes('.generated.') ? [full] : []
  })
}

describe('file sizes', () => {
  const files = ROOTS.flatMap((root) => sourceFiles(root))

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(files).toContain(path.join('src', 'sync', 'steps.ts'))
  })

  it(`keeps every hand-written source and test file at most ${MAX_LINES} lines`, () => {
    const over = files
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`)
    expect(over).toEqual([])
  })
})

import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The import graph of the product code in src/ (static imports and re-exports, type-only ones
 * included) has no circle, within a folder or across layers: each module can be read, tested and
 * changed knowing only what it imports. Dynamic `import()` (the action's chunks) is not part of
 * the graph, nor are the fakes (src/fakes: test servers whose resource modules share one state).
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (full === path.join('src', 'fakes')) return []
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gms)]
    .map((m) => m[1] ?? '')
    .filter((s) => s.endsWith('.js'))
  return specifiers.map((s) => path.join(path.dirname(file), s.replace(/\.js$/, '.ts')))
}

/** Every cycle's modules, each cycle once (found by a depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>()
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        found.set([...cycle].sort().join(' '), cycle)
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return [...found.values()]
}

describe('the import graph of src/', () => {
  const files = sourceFiles('src')
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => files.includes(i))]))

  it('is read whole (every relative import resolves to a module)', () => {
    expect(files.length).toBeGreaterThan(50)
    const dangling = files.flatMap((f) =>
      importsOf(f)
        .filter((i) => !files.includes(i) && !i.startsWith(path.join('src', 'fakes')))
        .map((i) => `${f} → ${i}`)
    )
    expect(dangling).toEqual([])
  })

  it('has no circle', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([])
  })

  it('the search finds a circle where there is one', () => {
    const circle = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []]
    ])
    expect(cycles(circle)).toEqual([['a', 'b', 'c']])
  })
})

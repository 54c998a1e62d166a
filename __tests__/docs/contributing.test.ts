import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'

/**
 * CONTRIBUTING.md's recipes cannot go stale silently: every npm script, script file, path and
 * named definition they mention exists (the layout block included).
 */
const text = readFileSync('CONTRIBUTING.md', 'utf8')
const scripts = Object.keys(
  (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
)

/** Paths the text names: in code spans, in links, and the first column of the layout block. */
function namedPaths(): string[] {
  const paths = new Set<string>()
  const looksLikePath = (s: string): boolean =>
    /^(?:\.github|src|scripts|__tests__|docs|bench|examples|\.ci)\/[\w./-]*$/.test(s) ||
    /^[\w.-]+\.(?:md|yml|json|js|ts|mjs)$/.test(s) ||
    s === 'Dockerfile'
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = (m[1] ?? '').trim()
    for (const word of span.split(/[\s,()]+/)) if (looksLikePath(word)) paths.add(word)
  }
  for (const m of text.matchAll(/\]\(((?!https?:)[^)#\s]+)(?:#[^)]*)?\)/g)) paths.add(m[1] ?? '')
  const layout = /## Layout\n\n```\n([\s\S]*?)```/.exec(text)?.[1] ?? ''
  for (const line of layout.split('\n')) {
    for (const word of (line.split(/\s{2,}/)[0] ?? '').split(/,\s*/)) {
      if (looksLikePath(word.trim())) paths.add(word.trim())
    }
  }
  paths.delete('')
  return [...paths]
}

describe('CONTRIBUTING.md', () => {
  it('names only npm scripts that exist', () => {
    const named = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? '')
    expect(named.length).toBeGreaterThan(5)
    expect(named.filter((n) => !scripts.includes(n))).toEqual([])
  })

  it('names only files and folders that exist', () => {
    const paths = namedPaths()
    expect(paths).toEqual(expect.arrayContaining(['action.yml', 'src/sync/steps.ts']))
    expect(paths.filter((p) => !p.includes('*') && !existsSync(p))).toEqual([])
  })

  it('names only definitions that are where it says', () => {
    // "`name` (`path`)" and "`path` (`name`)": the named definition is in that file.
    const pairs: Array<[string, string]> = [
      ...[...text.matchAll(/`([A-Za-z_]\w*)`\s*\(`([\w./-]+\.(?:ts|mjs))`\)/g)].map(
        (m): [string, string] => [m[1] ?? '', m[2] ?? '']
      ),
      ...[...text.matchAll(/`([\w./-]+\.(?:ts|mjs))`\s*\(`([A-Za-z_]\w*)`/g)].map(
        (m): [string, string] => [m[2] ?? '', m[1] ?? '']
      )
    ]
    expect(pairs.length).toBeGreaterThan(0)
    for (const [name, file] of pairs) {
      expect(`${file}: ${readFileSync(file, 'utf8').includes(name) ? name : 'missing'}`).toBe(
        `${file}: ${name}`
      )
    }
  })

  it('names only commands whose script exists (node scripts/…, bash .ci/…)', () => {
    const files = [...text.matchAll(/(?:node|bash)\s+((?:scripts|\.ci)\/[\w./-]+)/g)].map(
      (m) => m[1] ?? ''
    )
    expect(files.length).toBeGreaterThan(0)
    expect(files.filter((f) => !existsSync(f))).toEqual([])
  })
})

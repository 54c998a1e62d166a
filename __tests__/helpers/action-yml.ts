import { readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * A small, indentation-based reader for the plain YAML of action.yml and of workflows: enough to
 * list the keys of a mapping and the `with:`/`secrets:` keys next to a `uses:`, without a YAML
 * parser dependency. It understands block mappings and `- ` sequence items; flow mappings
 * (`with: {a: 1}`) are reported as such so a test can refuse them.
 */

interface Line {
  /** 1-based line number. */
  number: number
  indent: number
  /** The text after the indentation (and after a leading `- `, see `dash`). */
  text: string
  /** The line starts a sequence item (`- key: value`); `indent` is that of `key`. */
  dash: boolean
}

function lines(text: string): Line[] {
  const out: Line[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '' || raw.trim().startsWith('#')) return
    const match = /^( *)(- +)?(.*)$/.exec(raw)
    const spaces = match?.[1]?.length ?? 0
    const dash = match?.[2] ?? ''
    out.push({
      number: i + 1,
      indent: spaces + dash.length,
      text: match?.[3] ?? '',
      dash: dash !== ''
    })
  })
  return out
}

const KEY = /^(['"]?)([A-Za-z0-9_.-]+)\1:(?:\s+(.*))?$/

function keyOf(line: Line): { key: string; value: string } | undefined {
  const match = KEY.exec(line.text)
  return match?.[2] ? { key: match[2], value: (match[3] ?? '').replace(/\s+#.*$/, '') } : undefined
}

/** The keys of the block mapping under `keys` (a path from the top level). */
export function mappingKeys(text: string, keys: string[]): string[] {
  const all = lines(text)
  let from = 0
  let to = all.length
  let indent = 0
  for (const wanted of keys) {
    const index = all.findIndex(
      (line, i) => i >= from && i < to && line.indent === indent && keyOf(line)?.key === wanted
    )
    if (index < 0) return []
    const child = all[index + 1]
    if (!child || child.indent <= indent) return []
    from = index + 1
    indent = child.indent
    let end = from
    while (end < to && (all[end]?.indent ?? 0) >= indent) end++
    to = end
  }
  return all
    .slice(from, to)
    .filter((line) => line.indent === indent)
    .map((line) => keyOf(line)?.key)
    .filter((key): key is string => key !== undefined)
}

export interface UsesBlock {
  /** Line of the `uses:`. */
  line: number
  uses: string
  /** Keys under `with:` and `secrets:` of the same step or job. */
  with: string[]
  secrets: string[]
  /** `with:` or `secrets:` written as a flow mapping on one line (not read). */
  flow: string[]
}

/** Every `uses:` whose value matches, with the keys of its sibling `with:` and `secrets:`. */
export function usesBlocks(text: string, matches: (uses: string) => boolean): UsesBlock[] {
  const all = lines(text)
  const blocks: UsesBlock[] = []
  all.forEach((line, index) => {
    const entry = keyOf(line)
    if (entry?.key !== 'uses') return
    const uses = entry.value.replace(/^['"]|['"]$/g, '')
    if (!matches(uses)) return
    // The step or job mapping: the neighbouring lines at this indentation or deeper, up to the
    // `- ` that opens the item.
    const opensItem = (l: Line | undefined): boolean => !!l?.dash && l.indent === line.indent
    let start = index
    while (!opensItem(all[start]) && start > 0 && (all[start - 1]?.indent ?? 0) >= line.indent) {
      start--
    }
    let end = index + 1
    while (end < all.length && (all[end]?.indent ?? 0) >= line.indent && !opensItem(all[end])) end++
    const block: UsesBlock = { line: line.number, uses, with: [], secrets: [], flow: [] }
    for (let i = start; i < end; i++) {
      const sibling = all[i]
      const key = sibling && sibling.indent === line.indent ? keyOf(sibling) : undefined
      if (key?.key !== 'with' && key?.key !== 'secrets') continue
      if (key.value !== '') {
        block.flow.push(key.key)
        continue
      }
      const childIndent = all[i + 1]?.indent ?? 0
      for (let j = i + 1; j < end && (all[j]?.indent ?? 0) >= childIndent; j++) {
        const child = all[j]
        const name = child && child.indent === childIndent ? keyOf(child)?.key : undefined
        if (name) block[key.key].push(name)
      }
    }
    blocks.push(block)
  })
  return blocks
}

/** The input names declared in action.yml. */
export function actionInputNames(file = path.resolve('action.yml')): string[] {
  return mappingKeys(readFileSync(file, 'utf8'), ['inputs'])
}

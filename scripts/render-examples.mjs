#!/usr/bin/env node
/**
 * Writes docs/examples/javascript-issue.md and docs/examples/python-issue.md: what the action
 * files for the example issues and latest events in src/fakes/example-events.ts.
 *
 * Usage (from the repository root; runs on the compiled output, no extra tools):
 *   npx tsc -p tsconfig.build.json && node scripts/render-examples.mjs
 *
 * It also embeds both examples in README.md, between their `example:<name>` marker lines.
 * __tests__/render/examples.test.ts fails when the committed files differ from a fresh rendering.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { renderExamples } = await import(join(root, 'build/fakes/example-events.js'))
const outDir = join(root, 'docs/examples')
mkdirSync(outDir, { recursive: true })
for (const [name, markdown] of Object.entries(renderExamples())) {
  const file = join(outDir, `${name}-issue.md`)
  writeFileSync(file, markdown)
  console.log(`wrote ${file}`)
}

// The README shows both examples as rendered Markdown, between `example:<name>` marker lines.
const readmePath = join(root, 'README.md')
let readme = readFileSync(readmePath, 'utf8')
for (const [name, markdown] of Object.entries(renderExamples())) {
  const start = `<!-- example:${name}:start -->\n<!-- prettier-ignore-start -->\n`
  const end = `<!-- prettier-ignore-end -->\n<!-- example:${name}:end -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from === -1 || to === -1) throw new Error(`README.md lacks the example:${name} markers`)
  readme = readme.slice(0, from + start.length) + markdown + readme.slice(to)
}
writeFileSync(readmePath, readme)
console.log(`updated ${readmePath}`)

#!/usr/bin/env node
/**
 * Writes docs/examples/javascript-issue.md and docs/examples/python-issue.md: what the action
 * files for the example issues and latest events in src/fakes/example-events.ts.
 *
 * Usage (from the repository root; runs on the compiled output, no extra tools):
 *   npx tsc -p tsconfig.build.json && node scripts/render-examples.mjs
 *
 * It also embeds the JavaScript example in README.md, between the `example:javascript` lines.
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

// The README shows the JavaScript example as rendered Markdown.
const readmePath = join(root, 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const start = '<!-- example:javascript:start -->\n<!-- prettier-ignore-start -->\n'
const end = '<!-- prettier-ignore-end -->\n<!-- example:javascript:end -->'
const from = readme.indexOf(start)
const to = readme.indexOf(end)
if (from === -1 || to === -1) throw new Error('README.md lacks the example:javascript markers')
writeFileSync(
  readmePath,
  readme.slice(0, from + start.length) + renderExamples().javascript + readme.slice(to)
)
console.log(`updated ${readmePath}`)

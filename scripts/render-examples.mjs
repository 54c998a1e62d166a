#!/usr/bin/env node
/**
 * Writes docs/examples/javascript-issue.md and docs/examples/python-issue.md: what the action
 * files for the example issues and latest events in src/fakes/example-events.ts.
 *
 * Usage (from the repository root; runs on the compiled output, no extra tools):
 *   npx tsc -p tsconfig.build.json && node scripts/render-examples.mjs
 *
 * The README shows a picture of the JavaScript example (scripts/screenshot-example.mjs makes it
 * from the file written here) and links both files.
 * __tests__/render/examples.test.ts fails when the committed files differ from a fresh rendering.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
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

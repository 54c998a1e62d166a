import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { renderExamples } from '../../src/fakes/example-events.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

describe('docs/examples', () => {
  it.each(Object.entries(renderExamples()))(
    '%s-issue.md is what the action renders today (regenerate: npx tsc -p tsconfig.build.json && node scripts/render-examples.mjs)',
    (name, markdown) => {
      const committed = readFileSync(join(root, 'docs', 'examples', `${name}-issue.md`), 'utf8')
      expect(committed).toBe(markdown)
    }
  )

  it.each(Object.entries(renderExamples()))(
    'README.md embeds the %s example as it renders today',
    (name, markdown) => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8')
      const start = `<!-- example:${name}:start -->\n<!-- prettier-ignore-start -->\n`
      const end = `<!-- prettier-ignore-end -->\n<!-- example:${name}:end -->`
      expect(readme.indexOf(start)).toBeGreaterThan(-1)
      expect(readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end))).toBe(markdown)
    }
  )
})

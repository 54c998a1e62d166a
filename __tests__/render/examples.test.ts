import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
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

  it('README.md links both examples instead of embedding them', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    for (const name of Object.keys(renderExamples())) {
      expect(readme).toContain(`(docs/examples/${name}-issue.md)`)
      expect(readme).not.toContain(`<!-- example:${name}:start -->`)
    }
    expect(readme).toContain('](docs/images/example-issue.png)')
    expect(existsSync(join(root, 'docs', 'images', 'example-issue.png'))).toBe(true)
  })
})

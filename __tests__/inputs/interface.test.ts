import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { INPUT_DEFAULTS, INPUT_NAMES } from '../../src/inputs/config.js'
import { CONTENT_INPUT_DEFAULTS } from '../../src/inputs/content-options.js'
import { actionInputNames } from '../helpers/action-yml.js'

/** The action's interface is declared once in code; action.yml and the README must agree with it. */
describe('the documented interface', () => {
  const readme = readFileSync('README.md', 'utf8')
  const actionYml = readFileSync('action.yml', 'utf8')

  it('action.yml declares exactly the inputs the code reads', () => {
    expect([...actionInputNames()].sort()).toEqual([...INPUT_NAMES].sort())
  })

  it('the README inputs table lists every input', () => {
    const missing = INPUT_NAMES.filter(
      (name) => !new RegExp(`^\\| \`${name}\` +\\|`, 'm').test(readme)
    )
    expect(missing).toEqual([])
  })

  it('action.yml defaults match the code’s defaults for plain values', () => {
    const defaults: Record<string, string> = { ...INPUT_DEFAULTS, ...CONTENT_INPUT_DEFAULTS }
    for (const [name, value] of Object.entries(defaults)) {
      if (value.includes('\n')) continue
      const block = new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    default: (.*)\\n`).exec(
        actionYml
      )
      expect([name, block?.[1]?.replace(/^(['"])(.*)\1$/, '$2')]).toEqual([name, value])
    }
  })

  it('every output the code sets is declared', () => {
    for (const output of [
      'created',
      'updated',
      'closed',
      'reopened',
      'skipped',
      'failed',
      'issues'
    ]) {
      expect(actionYml).toMatch(new RegExp(`\\n  ${output}:\\n    description: `))
    }
  })
})

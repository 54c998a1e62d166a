import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import {
  INPUT_DEFAULTS,
  INPUT_NAMES,
  REGRESSION_POLICIES,
  SENTRY_SORTS
} from '../../src/inputs/config.js'
import {
  CONTENT_INPUT_DEFAULTS,
  ISSUE_FIELD_SOURCES,
  MAX_FRAMES_LIMIT
} from '../../src/inputs/content-options.js'
import { LABEL_SOURCES } from '../../src/inputs/formats/label-from.js'
import { INPUT_SPECS } from '../../src/inputs/inputs.generated.js'
import { OWNER_MODES, SEER_MODES, SIGNAL_INPUT_DEFAULTS } from '../../src/inputs/signals.js'
import { TWO_WAY_INPUT_DEFAULTS } from '../../src/inputs/two-way.js'
import { templateVariableNames } from '../../src/render/template.js'
import { actionInputNames } from '../helpers/action-yml.js'

/**
 * action.yml is the one description of the action's inputs. The code must read exactly those
 * inputs with the same defaults, and every part generated from action.yml (the CLI's table, the
 * README's inputs table, docs/configuration.md) must be current: `npm run docs:inputs`.
 */

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
}
const actionYml = readFileSync('action.yml', 'utf8')
const action = parse(actionYml) as ActionYml

function generator(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/gen-inputs.mjs', ...args], { encoding: 'utf8' })
}

describe('the documented interface', () => {
  it('action.yml declares exactly the inputs the code reads', () => {
    expect([...actionInputNames()].sort()).toEqual([...INPUT_NAMES].sort())
  })

  it('action.yml defaults match the code’s defaults', () => {
    const defaults: Record<string, string> = {
      ...INPUT_DEFAULTS,
      ...CONTENT_INPUT_DEFAULTS,
      ...SIGNAL_INPUT_DEFAULTS,
      ...TWO_WAY_INPUT_DEFAULTS
    }
    for (const name of INPUT_NAMES) {
      const declared = action.inputs[name]?.default?.replace(/\n$/, '')
      // Workflow expressions and required inputs have no default in the code.
      const expected = declared === undefined || declared.includes('${{') ? undefined : declared
      expect([name, defaults[name]]).toEqual([name, expected])
    }
  })

  it('action.yml’s descriptions name what the code allows', () => {
    const text = (name: string): string => action.inputs[name]?.description ?? ''
    for (const name of templateVariableNames('title'))
      expect(text('title-template')).toContain(name)
    for (const name of templateVariableNames('body')) expect(text('body-template')).toContain(name)
    expect(text('label-from')).toContain(LABEL_SOURCES.join(', '))
    expect(text('issue-fields')).toContain(ISSUE_FIELD_SOURCES.join(', '))
    expect(text('max-frames')).toContain(`1 to ${MAX_FRAMES_LIMIT}`)
    for (const sort of SENTRY_SORTS) expect(text('sort')).toContain(sort)
    for (const policy of REGRESSION_POLICIES) expect(text('on-regression')).toContain(policy)
    expect(text('owners')).toContain(OWNER_MODES.join(', ').replace(/, (?=[^,]*$)/u, ' or '))
    expect(text('seer')).toContain(SEER_MODES.join(', ').replace(/, (?=[^,]*$)/u, ' or '))
  })

  it('the generated table is action.yml’s, in its order', () => {
    expect(INPUT_SPECS.map((spec) => spec.name)).toEqual(actionInputNames())
    for (const spec of INPUT_SPECS) {
      expect(spec.description).toBe(action.inputs[spec.name]?.description.trim())
      expect(spec.description.startsWith(spec.summary)).toBe(true)
    }
  })

  it('each input’s one line (its first sentence) fits the README’s compact table', () => {
    // The table is padded to its widest cell: one long line widens every row of it.
    const long = INPUT_SPECS.filter((spec) => spec.summary.length > 85).map(
      (spec) => `${spec.name}: ${spec.summary.length} characters`
    )
    expect(long).toEqual([])
  })

  it('every generated part is current (npm run docs:inputs)', () => {
    const run = generator('--check')
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const readme = readFileSync('README.md', 'utf8')
    const reference = readFileSync('docs/configuration.md', 'utf8')
    for (const name of INPUT_NAMES) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
      expect(reference).toContain(`### \`${name}\``)
    }
  })

  it('the check notices a stale part', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'sia-inputs-'))
    try {
      for (const file of [
        'README.md',
        'docs/configuration.md',
        'src/inputs/inputs.generated.ts',
        '.github/workflows/sentry-sync.yml'
      ]) {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
        cpSync(file, path.join(root, file))
      }
      writeFileSync(
        path.join(root, 'action.yml'),
        actionYml.replace('Sentry search query, sent as given.', 'Sentry search query, as written.')
      )
      const run = generator('--check', '--root', root)
      expect(run.status).toBe(1)
      expect(run.stderr).toContain(
        'Stale (run npm run docs:inputs): src/inputs/inputs.generated.ts, README.md, docs/configuration.md, .github/workflows/sentry-sync.yml'
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
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

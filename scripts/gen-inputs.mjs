#!/usr/bin/env node
/**
 * Everything said about the action's inputs comes from action.yml: names, descriptions, defaults.
 * This script derives from it, in one go:
 *
 *   src/inputs/inputs.generated.ts  the typed table the CLI reads (flags, environment names,
 *                                    defaults and help text)
 *   README.md                        the compact inputs table between the inputs-table markers
 *   docs/configuration.md            the full reference between the inputs-reference markers
 *   .github/workflows/sentry-sync.yml
 *                                    the reusable workflow's inputs and the `with:` that passes
 *                                    them on, between its generated-inputs and generated-with
 *                                    markers (tokens and the CA certificate are secrets there)
 *
 * `npm run docs:inputs` writes them; `node scripts/gen-inputs.mjs --check` writes nothing and
 * exits 1 naming the files that are stale. `--root DIR` reads and writes under DIR instead of the
 * repository (the formatting rules are always the repository's .prettierrc).
 *
 * The summary line of an input is the first sentence of its description, so a description should
 * open with a sentence that stands alone.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { parse } from 'yaml'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The CLI reads every input from SENTRY_SYNC_<NAME> too; it wins over the short name. */
const ENV_PREFIX = 'SENTRY_SYNC_'

/** Short environment names that are not the input name in upper snake case. */
const ENV_EXCEPTIONS = {
  // The variable a runner sets; the CLI reads it as well.
  repository: 'GITHUB_REPOSITORY',
  // A bare MODE variable is too common in other tools' environments to be read by accident.
  mode: 'SENTRY_ISSUES_SYNC_MODE'
}

/** Where the command-line tool differs from the action, added to the description. */
const CLI_NOTES = {
  mode: 'sentry-issues-sync check is the same as --mode check.',
  'sentry-token':
    'Prefer the environment variable (or its _FILE twin): command lines show up in process lists.',
  'github-token':
    'Prefer the environment variable (or its _FILE twin): command lines show up in process lists.',
  'dry-run': 'The command also leaves its state file alone and takes no lock.',
  'sentry-ca-cert': 'The command also takes the path of a PEM file.'
}

const MARKERS = {
  table: ['<!-- inputs-table:start -->', '<!-- inputs-table:end -->'],
  reference: ['<!-- inputs-reference:start -->', '<!-- inputs-reference:end -->'],
  workflowInputs: [
    '      # generated-inputs:start (npm run docs:inputs, from action.yml)',
    '      # generated-inputs:end'
  ],
  workflowWith: [
    '          # generated-with:start (npm run docs:inputs, from action.yml)',
    '          # generated-with:end'
  ]
}

const REUSABLE_WORKFLOW = '.github/workflows/sentry-sync.yml'

/** Inputs the reusable workflow takes as secrets; how each is passed on. */
const WORKFLOW_SECRETS = {
  'sentry-token': '${{ secrets.sentry-token }}',
  'github-token': '${{ secrets.github-token || github.token }}',
  'sentry-ca-cert': '${{ secrets.sentry-ca-cert }}'
}

/** Inputs whose value the workflow completes from its context when the caller leaves it empty. */
const WORKFLOW_FALLBACKS = {
  repository: '${{ inputs.repository || github.repository }}'
}

/** The inputs of action.yml, in their order, with what the CLI and the docs need. */
export function readInputs(actionYml) {
  const action = parse(actionYml)
  return Object.entries(action.inputs).map(([name, spec]) => {
    const description = String(spec.description ?? '').trim()
    if (description === '') throw new Error(`action.yml: the input ${name} has no description`)
    const required = spec.required === true
    const fallback =
      spec.default === undefined ? undefined : String(spec.default).replace(/\r?\n$/u, '')
    // Workflow expressions (${{ github.token }}) mean nothing outside a workflow: the CLI needs
    // the value itself.
    const cliDefault =
      required || fallback === undefined || fallback.includes('${{') ? undefined : fallback
    const snake = name.toUpperCase().replace(/-/gu, '_')
    return {
      name,
      summary: firstSentence(description),
      description,
      required,
      default: fallback,
      cliDefault,
      switch: cliDefault === 'true' || cliDefault === 'false',
      env: ENV_EXCEPTIONS[name] ?? snake,
      envAlias: `${ENV_PREFIX}${snake}`,
      ...(CLI_NOTES[name] ? { cliNote: CLI_NOTES[name] } : {})
    }
  })
}

function firstSentence(text) {
  const match = /^(.+?\.)\s/su.exec(text)
  return (match?.[1] ?? text).trim()
}

// -----------------------------------------------------------------------------------------------
// The typed module

function generatedModule(inputs) {
  const checkNotes = Object.keys(CLI_NOTES).filter((n) => !inputs.some((i) => i.name === n))
  if (checkNotes.length > 0) throw new Error(`CLI notes for unknown inputs: ${checkNotes}`)
  return `// Generated by scripts/gen-inputs.mjs from action.yml. Do not edit: run \`npm run docs:inputs\`.

/** One input of action.yml, with its command-line flag and environment names. */
export interface InputSpec {
  name: string
  /** The first sentence of the description. */
  summary: string
  description: string
  required: boolean
  /** action.yml's default (a final line break removed), when there is one. */
  default?: string
  /** The default outside a workflow; none when the input is required there. */
  cliDefault?: string
  /** A true/false input: a switch on the command line. */
  switch: boolean
  /** The short environment name (kept for compatibility). */
  env: string
  /** The prefixed environment name; it wins when both are set. */
  envAlias: string
  /** Where the command-line tool differs from the action. */
  cliNote?: string
}

export const ENV_PREFIX = ${JSON.stringify(ENV_PREFIX)}

export const INPUT_SPECS = ${JSON.stringify(inputs, null, 2)} as const satisfies readonly InputSpec[]

export type ActionInputName = (typeof INPUT_SPECS)[number]['name']
`
}

// -----------------------------------------------------------------------------------------------
// Markdown

/** Text for Markdown prose: `<` would open HTML. */
function md(text) {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;')
}

function cell(text) {
  return md(text).replaceAll('|', '\\|').replace(/\s+/gu, ' ')
}

function code(text) {
  const ticks = text.includes('`') ? '``' : '`'
  return `${ticks}${text}${ticks}`
}

function shownDefault(input, { table }) {
  if (input.required || input.default === undefined) return '(required)'
  if (input.default === '') return 'empty'
  if (input.default.includes('\n')) return table ? 'built-in rules' : undefined
  return code(input.default)
}

function readmeTable(inputs) {
  const rows = inputs.map(
    (i) => `| ${code(i.name)} | ${cell(shownDefault(i, { table: true }))} | ${cell(i.summary)} |`
  )
  return [
    'Each input in a line; [docs/configuration.md](docs/configuration.md) describes every one in full,',
    'with its command-line flag and environment variable.',
    '',
    '| input | default | meaning |',
    '| --- | --- | --- |',
    ...rows
  ].join('\n')
}

function reference(inputs) {
  const out = []
  for (const i of inputs) {
    out.push(`### ${code(i.name)}`, '', md(i.description), '')
    const shown = shownDefault(i, { table: false })
    if (shown === undefined) {
      out.push('Default:', '', '```text', i.default, '```', '')
    } else {
      const cli =
        i.cliDefault === undefined && !i.required && i.default !== undefined
          ? ' (the command: required)'
          : ''
      out.push(`- Default: ${shown}${cli}`)
    }
    const flag = i.switch ? `--${i.name}, --no-${i.name}` : `--${i.name} <value>`
    out.push(
      `- Command line: ${code(flag)}`,
      `- Environment: ${code(i.envAlias)} or ${code(i.env)} (or ${code(`${i.envAlias}_FILE`)} / ${code(`${i.env}_FILE`)}, a file holding the value)`
    )
    if (i.cliNote) out.push(`- Command line note: ${md(i.cliNote)}`)
    out.push('')
  }
  return out.join('\n').trimEnd()
}

function replaceBetween(text, [start, end], body, file, gap = '\n\n') {
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a === -1 || b === -1 || b < a)
    throw new Error(`${file}: the markers ${start} … ${end} are missing`)
  return `${text.slice(0, a + start.length)}${gap}${body}${gap}${text.slice(b)}`
}

// -----------------------------------------------------------------------------------------------
// The reusable workflow

/** A workflow_call input's type: from action.yml's default, as GitHub types them. */
function workflowType(input) {
  if (input.default === 'true' || input.default === 'false') return 'boolean'
  if (input.default !== undefined && /^[0-9]+$/.test(input.default)) return 'number'
  return 'string'
}

/** The default the workflow offers: action.yml's, or empty where the action fills it in. */
function workflowDefault(input) {
  const value = input.default ?? ''
  if (value.includes('${{') || value.includes('\n')) return "''"
  const type = workflowType(input)
  return type === 'string' ? JSON.stringify(value) : value
}

function workflowInputs(inputs) {
  return inputs
    .filter((i) => !(i.name in WORKFLOW_SECRETS))
    .flatMap((i) => [
      `      ${i.name}:`,
      `        description: ${JSON.stringify(i.summary)}`,
      `        type: ${workflowType(i)}`,
      i.required ? '        required: true' : `        default: ${workflowDefault(i)}`
    ])
    .join('\n')
}

function workflowWith(inputs) {
  return inputs
    .map(
      (i) =>
        `          ${i.name}: ${WORKFLOW_SECRETS[i.name] ?? WORKFLOW_FALLBACKS[i.name] ?? `\${{ inputs.${i.name} }}`}`
    )
    .join('\n')
}

// -----------------------------------------------------------------------------------------------

async function format(text, file) {
  const options = (await prettier.resolveConfig(path.join(REPO, file))) ?? {}
  return prettier.format(text, { ...options, filepath: file })
}

/** Every generated file: its path (relative to root) and its up-to-date content. */
export async function generate(root = REPO) {
  const read = (file) => readFileSync(path.join(root, file), 'utf8')
  const inputs = readInputs(read('action.yml'))
  const files = [
    ['src/inputs/inputs.generated.ts', generatedModule(inputs)],
    [
      'README.md',
      replaceBetween(read('README.md'), MARKERS.table, readmeTable(inputs), 'README.md')
    ],
    [
      'docs/configuration.md',
      replaceBetween(
        read('docs/configuration.md'),
        MARKERS.reference,
        reference(inputs),
        'docs/configuration.md'
      )
    ],
    [
      REUSABLE_WORKFLOW,
      replaceBetween(
        replaceBetween(
          read(REUSABLE_WORKFLOW),
          MARKERS.workflowInputs,
          workflowInputs(inputs),
          REUSABLE_WORKFLOW,
          '\n'
        ),
        MARKERS.workflowWith,
        workflowWith(inputs),
        REUSABLE_WORKFLOW,
        '\n'
      )
    ]
  ]
  return Promise.all(
    files.map(async ([file, text]) => ({ file, content: await format(text, file) }))
  )
}

async function run(argv) {
  const check = argv.includes('--check')
  const rootAt = argv.indexOf('--root')
  const root = rootAt === -1 ? REPO : path.resolve(argv[rootAt + 1] ?? '.')
  const stale = []
  for (const { file, content } of await generate(root)) {
    const full = path.join(root, file)
    let current
    try {
      current = readFileSync(full, 'utf8')
    } catch {
      current = undefined
    }
    if (current === content) continue
    stale.push(file)
    if (!check) writeFileSync(full, content)
  }
  if (check && stale.length > 0) {
    console.error(`Stale (run npm run docs:inputs): ${stale.join(', ')}`)
    process.exit(1)
  }
  if (!check) console.log(stale.length > 0 ? `Wrote ${stale.join(', ')}` : 'Up to date')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run(process.argv.slice(2))
}

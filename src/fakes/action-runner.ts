import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * Runs an action entry point in a child process the way a runner does: inputs as INPUT_*
 * variables, outputs and the job summary through the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 * Used by the demo and by the end-to-end tests.
 */

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  outputs: Record<string, string>
  summary: string
  stdout: string
  stderr: string
}

export interface RunActionOptions {
  entry: string
  /** Action inputs by name, e.g. { 'sentry-token': '…' }. */
  inputs: Record<string, string>
  /** Other environment variables (GITHUB_API_URL, …). PATH is passed through. */
  env?: Record<string, string>
  workdir: string
  /** Print the child's output as it runs, instead of only capturing it. */
  echo?: boolean
  /** Called with the child process once started (for tests that kill it). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void
}

export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
      value
    ])
  )
}

let counter = 0

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const id = `${process.pid}-${++counter}`
  const outputFile = path.join(options.workdir, `output-${id}.txt`)
  const summaryFile = path.join(options.workdir, `summary-${id}.md`)
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const child = spawn(process.execPath, [options.entry], {
    env: {
      PATH: process.env.PATH ?? '',
      ...options.env,
      ...inputEnv(options.inputs),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  options.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (options.echo) process.stdout.write(chunk)
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    if (options.echo) process.stderr.write(chunk)
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s]))
  )
  return {
    code,
    signal,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    stdout,
    stderr
  }
}

/** Reads the `name<<delimiter … delimiter` records that @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match?.[1] || !match[2]) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '')
    outputs[match[1]] = value.join('\n')
  }
  return outputs
}

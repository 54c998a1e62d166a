import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runAction } from './fakes/action-runner.js'
import { runDemo } from './demo/story.js'

/**
 * `npm run demo [-- --verbose]`: the action's main job run twice, exactly as a runner runs it
 * (`node build/index.js`, compiled from this source by `npm run demo`, with INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY), against a fake Sentry and a fake GitHub on loopback,
 * told as a short story (src/demo/story.ts). `--verbose` adds the action's own log and job
 * summaries. The example issues are written to sentry-issues-demo/ in the OS temp folder.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const entry = path.join(root, 'build', 'index.js')

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--verbose' && a !== '-v')
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown.join(' ')}; the demo takes only --verbose.`)
    return 2
  }
  const verbose = unknown.length < argv.length
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'sentry-issues-demo-run-'))
  try {
    const ok = await runDemo({
      runAction: (inputs, env) => runAction({ entry, inputs, env, workdir }),
      outputDir: path.join(os.tmpdir(), 'sentry-issues-demo'),
      workdir,
      verbose,
      print: (line) => console.log(line)
    })
    return ok ? 0 : 1
  } finally {
    await rm(workdir, { recursive: true, force: true })
  }
}

process.exitCode = await main(process.argv.slice(2))

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { inputEnv } from '../src/fakes/action-runner.js'
import { runDemo } from '../src/demo/story.js'
import { runInProcess } from './helpers/harness.js'

/** `npm run demo` tells a short story; here its runs go through the action in-process. */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sia-demo-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function demo(verbose: boolean): Promise<{ ok: boolean; lines: string[]; out: string }> {
  const lines: string[] = []
  let runs = 0
  const out = path.join(dir, `issues-${verbose ? 'verbose' : 'plain'}`)
  const ok = await runDemo({
    runAction: async (inputs, env) => {
      const run = await runInProcess(
        { ...inputEnv(inputs), ...env },
        path.join(dir, `out-${verbose}-${++runs}`)
      )
      return {
        code: run.failed ? 1 : 0,
        outputs: run.outputs,
        summary: run.summary,
        stdout: run.stdout
      }
    },
    outputDir: out,
    workdir: dir,
    verbose,
    print: (line) => void lines.push(...line.split('\n'))
  })
  return { ok, lines, out }
}

describe('npm run demo', () => {
  it('tells what it started, what each run did, where the issues are and what to try next', async () => {
    const { ok, lines, out } = await demo(false)
    expect(ok).toBe(true)
    const text = lines.join('\n')
    expect(text).toMatch(
      /^1\. Started two fake servers on this machine: a Sentry organization "acme" with 12 unresolved issues in 2 projects \(http:\/\/127\.0\.0\.1:\d+\), and an empty GitHub repository acme\/web/m
    )
    expect(text).toMatch(
      /^2\. Run 1 read the 12 Sentry issues and created 12 GitHub issues, the most frequent first \(\d+ write requests, labels included\)\. For example:$/m
    )
    const examples = lines.filter((l) => /^ {5}#\d+ {2}\S/.test(l))
    expect(examples).toHaveLength(3)
    expect(text).toMatch(
      /^3\. Run 2, on the same Sentry issues: nothing to do\. It found all 12 issues already tracked, created 0 and made 0 write requests\.$/m
    )
    expect(text).toContain(`4. The 12 issues, as GitHub got them, are Markdown files in ${out}`)
    expect(text).toContain('--dry-run --preview-dir ./preview')
    expect(text).toContain('npm run demo -- --verbose')
    // No raw log: no workflow commands, no log groups.
    expect(text).not.toMatch(/::(group|warning|error|debug)/)

    const files = (await readdir(out)).sort()
    expect(files).toHaveLength(12)
    const first = await readFile(path.join(out, 'issue-1.md'), 'utf8')
    const title = /^ {5}#1 {2}(.*)$/m.exec(text)?.[1]
    expect(first.split('\n')[0]).toBe(`# ${title}`)
    expect(first).toMatch(/<!-- sentry-issue: 127\.0\.0\.1:\d+\/acme\//)
  })

  it('--verbose adds the action’s own log and job summaries', async () => {
    const { ok, lines } = await demo(true)
    expect(ok).toBe(true)
    const text = lines.join('\n')
    expect(text).toContain("──── the action's log, run 1 ────")
    expect(text).toContain('::group::Reading Sentry issues')
    expect(text).toContain('──── the job summary, run 2 ────')
    expect(text).not.toContain('npm run demo -- --verbose')
  })
})

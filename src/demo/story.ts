import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { FakeGitHub, type FakeIssue as FakeGitHubIssue } from '../fakes/fake-github.js'
import { FakeSentry } from '../fakes/fake-sentry.js'
import { previewMarkdown } from '../report/preview.js'

/**
 * `npm run demo` as a short story: two fake servers on loopback, the action run twice against
 * them, and what happened told in a few lines (what it started, what each run did, where the
 * example issues are, what to try next). The action's own log is shown with `--verbose`.
 */

/** One run of the action: how it ended, its outputs and job summary, and its log. */
export interface DemoRun {
  code: number | null
  outputs: Record<string, string>
  summary: string
  stdout: string
}

export interface DemoOptions {
  /** Runs the action once with these inputs and environment (a child process, or in-process). */
  runAction(inputs: Record<string, string>, env: Record<string, string>): Promise<DemoRun>
  /** Where the example issues are written (emptied first). */
  outputDir: string
  /** A folder the runs may use for their files (RUNNER_TEMP). */
  workdir: string
  print: (line: string) => void
  /** Also print each run's own log and job summary. */
  verbose?: boolean
}

/** The demo's Sentry: 8 issues in a web front end, 4 in an API. */
export function seedDemo(sentry: FakeSentry): void {
  sentry.addProject('web-frontend')
  sentry.addProject('api')
  sentry.seed(8, { projectSlug: 'web-frontend', seed: 7 })
  sentry.seed(4, { projectSlug: 'api', seed: 11 })
}

/** Runs the demo; true when both runs did what they should. */
export async function runDemo(options: DemoOptions): Promise<boolean> {
  const { print } = options
  const sentry = await FakeSentry.start({ org: 'acme' })
  const github = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
  try {
    seedDemo(sentry)
    const repository = `${github.owner}/${github.repo}`
    const inputs = {
      'sentry-url': sentry.url,
      'sentry-token': sentry.token,
      'sentry-org': sentry.org,
      'sentry-projects': 'web-frontend, api',
      'github-token': github.token,
      repository,
      'max-new-issues': '50'
    }
    const env = {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: github.url,
      GITHUB_REPOSITORY: repository,
      RUNNER_TEMP: options.workdir
    }
    const total = sentry.issues.length

    print('')
    print(
      `1. Started two fake servers on this machine: a Sentry organization "acme" with ${total} unresolved issues in 2 projects (${sentry.url}), and an empty GitHub repository ${repository} (${github.url}).`
    )

    const first = await options.runAction(inputs, env)
    showRun(options, 'run 1', first)
    const created = Number(first.outputs.created ?? 0)
    const firstWrites = github.writeCount()
    print('')
    print(
      `2. Run 1 read the ${total} Sentry issues and created ${created} GitHub issues, the most frequent first (${firstWrites} write requests, labels included). For example:`
    )
    for (const issue of github.issues.slice(0, 3)) print(`     #${issue.number}  ${issue.title}`)

    const second = await options.runAction(inputs, env)
    showRun(options, 'run 2', second)
    const secondWrites = github.writeCount() - firstWrites
    print('')
    print(
      `3. Run 2, on the same Sentry issues: nothing to do. It found all ${second.outputs.skipped ?? '?'} issues already tracked, created ${second.outputs.created ?? '?'} and made ${secondWrites} write requests.`
    )

    await rm(options.outputDir, { recursive: true, force: true })
    await mkdir(options.outputDir, { recursive: true })
    for (const issue of github.issues) {
      await writeFile(path.join(options.outputDir, fileName(issue)), asMarkdown(issue))
    }
    const example = github.issues[0]
    print('')
    print(
      `4. The ${github.issues.length} issues, as GitHub got them, are Markdown files in ${options.outputDir}${example ? `; open ${path.join(options.outputDir, fileName(example))} for one.` : '.'}`
    )

    print('')
    print(
      'Next: try it on your own Sentry. A dry run writes nothing and shows what it would create:'
    )
    print('')
    print(
      '  SENTRY_TOKEN=… GITHUB_TOKEN=… npx sentry-issues-sync --sentry-org YOUR_ORG --repository OWNER/REPO --dry-run --preview-dir ./preview'
    )
    print('')
    if (!options.verbose) print("(The action's own log: npm run demo -- --verbose)")

    const ok =
      first.code === 0 &&
      second.code === 0 &&
      created === total &&
      second.outputs.created === '0' &&
      secondWrites === 0
    if (!ok) {
      print(
        `✘ Something went wrong: run 1 ended with code ${first.code} and created ${created} of ${total}; run 2 ended with code ${second.code}, created ${second.outputs.created ?? '?'} and wrote ${secondWrites} times. Run with --verbose to see the log.`
      )
    }
    return ok
  } finally {
    await Promise.all([sentry.close(), github.close()])
  }
}

function showRun(options: DemoOptions, name: string, run: DemoRun): void {
  if (!options.verbose) return
  options.print(`\n──── the action's log, ${name} ────\n`)
  options.print(run.stdout.trimEnd())
  options.print(`\n──── the job summary, ${name} ────\n`)
  options.print(run.summary.trimEnd())
}

function fileName(issue: FakeGitHubIssue): string {
  return `issue-${issue.number}.md`
}

function asMarkdown(issue: FakeGitHubIssue): string {
  return previewMarkdown({
    title: issue.title,
    body: issue.body ?? '',
    labels: issue.labels,
    assignees: issue.assignees,
    ...(issue.milestone !== null ? { milestone: issue.milestone } : {})
  })
}

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runAction } from './fakes/action-runner.js'
import { FakeGitHub } from './fakes/fake-github.js'
import { FakeSentry } from './fakes/fake-sentry.js'

/**
 * `npm run demo`: starts the fake Sentry and fake GitHub on loopback, seeds Sentry with realistic
 * issues, and runs the bundled action (dist/index.js) twice exactly as a runner would, through
 * INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. The first run creates the issues; the
 * second finds them all and writes nothing.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const entry = path.join(root, 'dist', 'index.js')

async function main(): Promise<void> {
  const sentry = await FakeSentry.start({ org: 'acme' })
  const github = await FakeGitHub.start({ owner: 'acme', repo: 'web' })
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'sentry-issues-demo-'))
  try {
    sentry.addProject('web-frontend')
    sentry.addProject('api')
    sentry.seed(8, { projectSlug: 'web-frontend', seed: 7 })
    sentry.seed(4, { projectSlug: 'api', seed: 11 })
    const inputs = {
      'sentry-url': sentry.url,
      'sentry-token': sentry.token,
      'sentry-org': sentry.org,
      'sentry-projects': 'web-frontend, api',
      'github-token': github.token,
      repository: `${github.owner}/${github.repo}`,
      'max-new-issues': '50'
    }
    const env = {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: github.url,
      GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
      RUNNER_TEMP: workdir
    }

    console.log(
      `\n▶ Fake Sentry at ${sentry.url} with ${sentry.issues.length} issues; fake GitHub at ${github.url}\n`
    )
    console.log('▶ Run 1: node dist/index.js\n')
    const first = await runAction({ entry, inputs, env, workdir, echo: true })
    console.log(
      `\n▶ Run 1 exit code ${first.code}; outputs: ${JSON.stringify(pick(first.outputs))}`
    )
    console.log('\n▶ Run 1 job summary:\n')
    console.log(first.summary)

    const writesBefore = github.writeCount()
    console.log('▶ Run 2: node dist/index.js (nothing new in Sentry)\n')
    const second = await runAction({ entry, inputs, env, workdir, echo: true })
    const secondWrites = github.writeCount() - writesBefore
    console.log(
      `\n▶ Run 2 exit code ${second.code}; outputs: ${JSON.stringify(pick(second.outputs))}; write requests: ${secondWrites}`
    )

    console.log(`\n▶ The fake GitHub now holds ${github.issues.length} issue(s):\n`)
    for (const issue of github.issues) {
      console.log(
        `  #${issue.number} [${issue.state}] ${issue.title}  (labels: ${issue.labels.join(', ')})`
      )
    }
    const first1 = github.issues[0]
    if (first1) console.log(`\n▶ Body of #${first1.number}:\n\n${first1.body ?? ''}\n`)

    const ok =
      first.code === 0 && second.code === 0 && second.outputs.created === '0' && secondWrites === 0
    console.log(
      ok
        ? '✔ Demo finished: the second run created nothing and wrote nothing.'
        : '✘ Demo found a problem (see above).'
    )
    process.exitCode = ok ? 0 : 1
  } finally {
    await Promise.all([sentry.close(), github.close()])
    await rm(workdir, { recursive: true, force: true })
  }
}

function pick(outputs: Record<string, string>): Record<string, string | undefined> {
  const { created, updated, closed, reopened, skipped, failed } = outputs
  return { created, updated, closed, reopened, skipped, failed }
}

await main()

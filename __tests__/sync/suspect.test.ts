import { afterEach, describe, expect, it } from '@jest/globals'
import { startHarness, type Harness } from '../helpers/harness.js'
import type { FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import { parseMarker } from '../../src/plan/marker.js'
import {
  HOSTILE_STRINGS,
  inlineMarkdownHazards,
  stripCodeSpans
} from '../fixtures/hostile-strings.js'

/**
 * The suspect commit, end to end through the real clients and both fakes: with code mappings the
 * top in-app frame of the latest event is blamed on GitHub (GraphQL) at the release or the default
 * branch, its pull request looked up, shown in the new issue, and its author assigned on request.
 */

const MAPPINGS = 'app:///src/ => web/src/'
const FILE = 'web/src/pages/Dashboard.tsx'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function start(github: FakeGitHubOptions = {}): Promise<Harness> {
  h = await startHarness({ github })
  return h
}

/** A Sentry issue whose latest event raised at line `line` of Dashboard.tsx. */
function seedIssue(
  harness: Harness,
  opts: { line?: number; release?: string | null } = {}
): string {
  const issue = harness.sentry.addIssue({ title: 'TypeError: boom', platform: 'javascript' })
  const id = String(issue.id)
  harness.sentry.addEvent(id, {
    dateCreated: new Date(Date.now() + 60_000).toISOString(),
    release: opts.release === undefined ? null : opts.release,
    frames: [
      { filename: 'node_modules/react-dom/index.js', lineNo: 10, inApp: false },
      { filename: 'app:///src/main.tsx', absPath: 'app:///src/main.tsx', lineNo: 3, inApp: true },
      {
        filename: 'app:///src/pages/Dashboard.tsx',
        absPath: 'app:///src/pages/Dashboard.tsx',
        lineNo: opts.line ?? 2,
        inApp: true
      },
      { filename: 'node_modules/lodash/get.js', lineNo: 7, inApp: false }
    ]
  })
  return id
}

/** Two commits: the first writes lines 1-3, the second rewrites line 2 (in pull request 42). */
function seedHistory(harness: Harness, secondAuthor = 'ada'): { first: string; second: string } {
  const first = harness.github.addCommit({
    message: 'Add the dashboard',
    author: { name: 'Grace', login: 'grace' },
    files: { [FILE]: ['a', 'b', 'c'] },
    pulls: [7]
  })
  const second = harness.github.addCommit({
    message: 'Read the user lazily\n\nLonger explanation.',
    author: { name: 'Ada Lovelace', login: secondAuthor },
    files: { [FILE]: ['a', 'b2', 'c'] },
    pulls: [42]
  })
  return { first: first.sha, second: second.sha }
}

function bodyOf(harness: Harness, sentryId: string): string {
  const issue = harness.github.issues.find((i) => parseMarker(i.body)?.issueId === sentryId)
  if (!issue) throw new Error(`no issue for ${sentryId}`)
  return issue.body ?? ''
}

function suspectLine(body: string): string | undefined {
  return body.split('\n').find((l) => l.startsWith('- **Suspect commit:**'))
}

function graphqlRequests(harness: Harness): number {
  return harness.github.requests.filter((r) => r.path.endsWith('/graphql')).length
}

function pullsRequests(harness: Harness): number {
  return harness.github.requests.filter((r) => /\/commits\/[0-9a-f]+\/pulls$/.test(r.path)).length
}

describe('the suspect commit in a new issue', () => {
  it('on the default branch: short SHA, title, author and pull request, linked to this repository', async () => {
    const harness = await start()
    const { second } = seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    const run = await harness.run({ 'code-mappings': MAPPINGS })
    expect(run.failed).toBe(false)
    const line = suspectLine(bodyOf(harness, id))
    const repoUrl = `${harness.github.url}/${harness.github.owner}/${harness.github.repo}`
    expect(line).toBe(
      `- **Suspect commit:** [\`${second.slice(0, 7)}\`](<${repoUrl}/commit/${second}>) Read the user lazily, by \`ada\` in [#42](<${repoUrl}/pull/42>)`
    )
    expect(graphqlRequests(harness)).toBe(1)
    expect(pullsRequests(harness)).toBe(1)
    const blame = harness.github.requests.find((r) => r.path === '/graphql')
    expect(blame?.body).toMatchObject({
      variables: { expression: 'HEAD', path: FILE, owner: 'acme', name: 'web' }
    })
  })

  it('an unchanged line is blamed on the commit that wrote it', async () => {
    const harness = await start()
    const { first } = seedHistory(harness)
    const id = seedIssue(harness, { line: 3 })
    await harness.run({ 'code-mappings': MAPPINGS })
    expect(suspectLine(bodyOf(harness, id))).toContain(`/commit/${first}>`)
    expect(suspectLine(bodyOf(harness, id))).toContain('Add the dashboard, by `grace`')
  })

  it('at the release when it is a commit SHA, not the default branch', async () => {
    const harness = await start()
    const { first } = seedHistory(harness)
    // The release is the first commit: line 2 was "b" then, written by the first commit.
    const id = seedIssue(harness, { line: 2, release: first })
    await harness.run({ 'code-mappings': MAPPINGS })
    expect(suspectLine(bodyOf(harness, id))).toContain(`/commit/${first}>`)
    expect(suspectLine(bodyOf(harness, id))).toContain('/pull/7>')
    const blame = harness.github.requests.find((r) => r.path === '/graphql')
    expect(blame?.body).toMatchObject({ variables: { expression: first } })
  })

  it('a release that is not a SHA uses the default branch', async () => {
    const harness = await start()
    const { second } = seedHistory(harness)
    const id = seedIssue(harness, { line: 2, release: 'web@1.4.0' })
    await harness.run({ 'code-mappings': MAPPINGS })
    expect(suspectLine(bodyOf(harness, id))).toContain(`/commit/${second}>`)
  })

  it('on GHES: GraphQL at /api/graphql beside /api/v3', async () => {
    const harness = await start({ pathPrefix: '/api/v3' })
    const { second } = seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    const run = await harness.run({ 'code-mappings': MAPPINGS })
    expect(run.failed).toBe(false)
    expect(suspectLine(bodyOf(harness, id))).toContain(second.slice(0, 7))
    expect(harness.github.requests.some((r) => r.path === '/api/graphql')).toBe(true)
  })

  it('without code mappings: no request for it, no line', async () => {
    const harness = await start()
    seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    await harness.run()
    expect(suspectLine(bodyOf(harness, id))).toBeUndefined()
    expect(graphqlRequests(harness)).toBe(0)
    expect(pullsRequests(harness)).toBe(0)
  })

  it('in a body template as {{suspectCommit}}', async () => {
    const harness = await start()
    const { second } = seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    await harness.run({
      'code-mappings': MAPPINGS,
      'body-template':
        'Suspect: {{#suspectCommit}}{{suspectCommit}}{{/suspectCommit}}{{^suspectCommit}}none{{/suspectCommit}}'
    })
    expect(bodyOf(harness, id)).toContain(`Suspect: [\`${second.slice(0, 7)}\`]`)
  })
})

describe('what GitHub refuses', () => {
  it('without contents: read: one warning for the run, every issue still filed', async () => {
    const harness = await start({ contentsReadable: false })
    seedHistory(harness)
    const ids = [seedIssue(harness), seedIssue(harness)]
    const run = await harness.run({ 'code-mappings': MAPPINGS })
    expect(run.failed).toBe(false)
    expect(run.outputs.created).toBe('2')
    for (const id of ids) expect(suspectLine(bodyOf(harness, id))).toBeUndefined()
    const warnings = run.stdout.split('\n').filter((l) => l.includes('contents: read'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^::warning::/)
    expect(pullsRequests(harness)).toBe(0)
  })

  it('a file that is not in the repository at that commit: one warning, the issue filed', async () => {
    const harness = await start()
    harness.github.addCommit({ message: 'Something else', files: { 'README.md': ['hi'] } })
    const id = seedIssue(harness)
    const run = await harness.run({ 'code-mappings': MAPPINGS })
    expect(run.failed).toBe(false)
    expect(run.outputs.created).toBe('1')
    expect(suspectLine(bodyOf(harness, id))).toBeUndefined()
    const warnings = run.stdout.split('\n').filter((l) => l.includes(`${FILE} is not a file`))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("Could not resolve file for path 'web/src/pages/Dashboard.tsx'.")
  })
})

describe('assign-suspect', () => {
  it('assigns the author when GitHub says they can be assigned', async () => {
    const harness = await start({ assignableUsers: ['ada'] })
    seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    const run = await harness.run({ 'code-mappings': MAPPINGS, 'assign-suspect': 'true' })
    expect(run.failed).toBe(false)
    const issue = harness.github.issues.find((i) => parseMarker(i.body)?.issueId === id)
    expect(issue?.assignees).toEqual(['ada'])
    expect(harness.github.requests.some((r) => r.path === '/repos/acme/web/assignees/ada')).toBe(
      true
    )
  })

  it('skips an author who cannot be assigned, with one warning', async () => {
    const harness = await start({ assignableUsers: ['someone-else'] })
    seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    const run = await harness.run({ 'code-mappings': MAPPINGS, 'assign-suspect': 'true' })
    expect(run.failed).toBe(false)
    const issue = harness.github.issues.find((i) => parseMarker(i.body)?.issueId === id)
    expect(issue?.assignees).toEqual([])
    expect(suspectLine(issue?.body ?? '')).toContain('by `ada`')
    const warnings = run.stdout.split('\n').filter((l) => l.includes('cannot be assigned'))
    expect(warnings).toHaveLength(1)
  })

  it('is off by default: no assignee, no assignable check', async () => {
    const harness = await start()
    seedHistory(harness)
    const id = seedIssue(harness, { line: 2 })
    await harness.run({ 'code-mappings': MAPPINGS })
    const issue = harness.github.issues.find((i) => parseMarker(i.body)?.issueId === id)
    expect(issue?.assignees).toEqual([])
    expect(harness.github.requests.some((r) => r.path.includes('/assignees/'))).toBe(false)
  })

  it('without code-mappings is a configuration error naming both inputs', async () => {
    const harness = await start()
    const run = await harness.run({ 'assign-suspect': 'true' })
    expect(run.failed).toBe(true)
    expect(run.stdout).toMatch(/assign-suspect needs code-mappings/)
  })
})

describe('hostile commit titles and authors', () => {
  it('never ping, reference or link anything', async () => {
    const harness = await start()
    const ids: string[] = []
    HOSTILE_STRINGS.forEach(({ value }, i) => {
      const path = `web/src/hostile/${i}.ts`
      harness.github.addCommit({
        message: value === '' ? 'x' : value,
        author: { name: value, login: i % 2 === 0 ? null : value },
        files: { [path]: ['boom'] },
        pulls: [1000 + i]
      })
      const issue = harness.sentry.addIssue({ title: `hostile ${i}`, platform: 'javascript' })
      ids.push(String(issue.id))
      harness.sentry.addEvent(String(issue.id), {
        dateCreated: new Date(Date.now() + 60_000).toISOString(),
        release: null,
        frames: [
          {
            filename: `app:///src/hostile/${i}.ts`,
            absPath: `app:///src/hostile/${i}.ts`,
            lineNo: 1,
            inApp: true
          }
        ]
      })
    })
    const run = await harness.run({ 'code-mappings': MAPPINGS, 'max-new-issues': '500' })
    expect(run.failed).toBe(false)
    let shown = 0
    for (const id of ids) {
      const line = suspectLine(bodyOf(harness, id))
      if (line === undefined) continue
      shown++
      // Our two links are the only links: the short SHA in a code span and `#` and the pull
      // request's number (GitHub finds no reference in a link's text). What is left of the line,
      // rendered, holds no hazard outside code spans.
      const withoutLinks = line.replace(/\[(?:`[0-9a-f]{7}`|#\d+)\]\(<[^>]*>\)/gu, 'link')
      expect(stripCodeSpans(withoutLinks)).not.toMatch(/<|\]\(|https?:\/\//u)
      expect(inlineMarkdownHazards(withoutLinks)).toEqual([])
      const links = [...line.matchAll(/\]\(<([^>]*)>\)/gu)].map((m) => m[1])
      for (const href of links) {
        expect(href).toMatch(
          /^http:\/\/127\.0\.0\.1:\d+\/acme\/web\/(commit\/[0-9a-f]{40}|pull\/\d+)$/u
        )
      }
    }
    expect(shown).toBe(ids.length)
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { errorLines, markersInGitHub, startHarness, type Harness } from './helpers/harness.js'

let h: Harness

beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

describe('run() against the fake servers', () => {
  it('creates one issue per Sentry issue over 3 pages, then a second run writes nothing', async () => {
    h.sentry.addProject('web-frontend')
    h.sentry.seed(250, { projectSlug: 'web-frontend', seed: 1 })

    const first = await h.run({ 'max-new-issues': '300', 'sentry-projects': 'web-frontend' })
    expect(first.failed).toBe(false)
    expect(first.outputs.created).toBe('250')
    expect(first.outputs.failed).toBe('0')
    expect(h.github.issues).toHaveLength(250)
    const markers = markersInGitHub(h.github)
    expect(markers.size).toBe(250)
    expect([...markers.values()].every((numbers) => numbers.length === 1)).toBe(true)
    const issuePages = h.sentry.requests.filter((r) => r.path.endsWith('/issues/'))
    expect(issuePages).toHaveLength(3)
    expect(
      issuePages.every(
        (r) => r.query.get('query') === 'is:unresolved' && r.query.get('limit') === '100'
      )
    ).toBe(true)

    h.github.resetRequests()
    const second = await h.run({ 'max-new-issues': '300', 'sentry-projects': 'web-frontend' })
    expect(second.failed).toBe(false)
    expect(second.outputs.created).toBe('0')
    expect(second.outputs.skipped).toBe('250')
    expect(h.github.writeCount()).toBe(0)
    expect(h.github.issues).toHaveLength(250)
  })

  it('applies the tracking label and extra labels, creating them with colours first', async () => {
    h.sentry.seed(2, { seed: 2 })
    const result = await h.run({ labels: 'bug, triage', 'priority-labels': 'none' })
    expect(result.outputs.created).toBe('2')
    for (const issue of h.github.issues)
      expect(issue.labels.sort()).toEqual(['bug', 'sentry', 'triage'])
    const names = h.github.labels.map((l) => l.name).sort()
    expect(names).toEqual(['bug', 'sentry', 'triage'])
    expect(h.github.labels.every((l) => l.color !== 'ededed')).toBe(true)
    const labelPosts = h.github.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/labels')
    )
    const issuePosts = h.github.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/issues')
    )
    expect(labelPosts).toHaveLength(3)
    expect(h.github.requests.indexOf(labelPosts[2]!)).toBeLessThan(
      h.github.requests.indexOf(issuePosts[0]!)
    )
  })

  it('never creates a second issue for a closed tracked issue', async () => {
    h.sentry.seed(3, { seed: 3 })
    await h.run()
    const target = h.github.issues[0]!
    target.state = 'closed'
    target.state_reason = 'completed'
    const again = await h.run()
    expect(again.outputs.created).toBe('0')
    expect(h.github.issues).toHaveLength(3)
  })

  it('caps creates at max-new-issues, most frequent first, and creates the rest next run', async () => {
    h.sentry.seed(5, { seed: 4 })
    const counts = h.sentry.issues.map((i) => Number(i.count))
    const first = await h.run({ 'max-new-issues': '2' })
    expect(first.outputs.created).toBe('2')
    const createdCounts = h.github.issues.map((gi) => {
      const id = /sentry-issue: (?:\S+\/)?acme\/(\d+)/.exec(gi.body ?? '')![1]
      return Number(h.sentry.issues.find((s) => s.id === id)!.count)
    })
    const top2 = [...counts].sort((a, b) => b - a).slice(0, 2)
    expect(createdCounts.sort((a, b) => b - a)).toEqual(top2)
    const second = await h.run({ 'max-new-issues': '2' })
    expect(second.outputs.created).toBe('2')
    const third = await h.run({ 'max-new-issues': '2' })
    expect(third.outputs.created).toBe('1')
    expect(markersInGitHub(h.github).size).toBe(5)
  })

  it('writes nothing in a dry run and reports what it would create', async () => {
    h.sentry.seed(4, { seed: 5 })
    const result = await h.run({ 'dry-run': 'true' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('4')
    expect(h.github.writeCount()).toBe(0)
    expect(result.summary).toContain('dry run')
  })

  it('sets the issues output and a summary table that links both sides', async () => {
    h.sentry.seed(2, { seed: 6 })
    const result = await h.run()
    const issues = JSON.parse(result.outputs.issues ?? '[]') as Array<Record<string, unknown>>
    expect(issues).toHaveLength(2)
    for (const entry of issues) {
      expect(entry).toEqual({
        sentryId: expect.any(String),
        shortId: expect.any(String),
        number: expect.any(Number),
        url: expect.stringContaining('/issues/'),
        action: 'created'
      })
    }
    expect(result.summary).toContain('| created | updated | closed | reopened | skipped | failed |')
    expect(result.summary).toContain(String(issues[0]!.shortId))
    expect(result.summary).toContain(`[#${String(issues[0]!.number)}](`)
  })

  it.each([
    [{ 'sentry-token': '' }, 'sentry-token'],
    [{ sort: 'best' }, 'sort must be one of'],
    [{ 'max-sentry-issues': 'many' }, 'max-sentry-issues'],
    [{ repository: 'no-slash' }, 'repository must be owner/repo'],
    [{ 'sentry-url': 'ftp://sentry.example.com' }, 'sentry-url'],
    [{ 'sentry-url': 'sentry.example.com' }, 'sentry-url']
  ])('bad input %j fails with one clear error and no request', async (inputs, expected) => {
    h.sentry.seed(1)
    const result = await h.run(inputs)
    expect(result.failed).toBe(true)
    const errors = errorLines(result.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(expected)
    expect(h.sentry.requests).toHaveLength(0)
    expect(h.github.requests).toHaveLength(0)
  })

  it('an unreachable Sentry gives one clear error after bounded retries and no GitHub write', async () => {
    const url = h.sentry.url
    await h.sentry.close()
    const result = await h.run({ 'sentry-url': url })
    expect(result.failed).toBe(true)
    const errors = errorLines(result.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/Sentry/)
    expect(h.github.writeCount()).toBe(0)
  })

  it('a Sentry auth failure names the token and does not leak it', async () => {
    const result = await h.run({ 'sentry-token': 'sntryu_wrong_secret_value' })
    expect(result.failed).toBe(true)
    expect(result.stdout).toContain('sentry-token')
    // The runner hides masked values; only the ::add-mask:: command itself may carry the secret.
    const visible = result.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(result.stdout).toContain('::add-mask::sntryu_wrong_secret_value')
    expect(visible.join('\n')).not.toContain('sntryu_wrong_secret_value')
    expect(h.github.writeCount()).toBe(0)
  })

  it('a failure on one Sentry issue does not stop the others; the step fails naming it', async () => {
    h.sentry.seed(3, { seed: 7 })
    h.github.injectFault({
      kind: 'status',
      status: 422,
      method: 'POST',
      pathIncludes: '/issues',
      times: 1,
      body: { message: 'Validation Failed' }
    })
    const result = await h.run()
    expect(result.failed).toBe(true)
    expect(result.outputs.created).toBe('2')
    expect(result.outputs.failed).toBe('1')
    const error = errorLines(result.stdout)[0]
    expect(error).toMatch(/1 Sentry issue\(s\) could not be synced: [A-Z0-9-]+-\d+/)
    const next = await h.run()
    expect(next.failed).toBe(false)
    expect(next.outputs.created).toBe('1')
    expect(markersInGitHub(h.github).size).toBe(3)
  })

  it('a create whose response is lost does not become two issues', async () => {
    h.sentry.seed(2, { seed: 8 })
    h.github.injectFault({
      kind: 'store-then-fail',
      status: 502,
      method: 'POST',
      pathIncludes: '/issues',
      times: 1
    })
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    const markers = markersInGitHub(h.github)
    expect(markers.size).toBe(2)
    expect([...markers.values()].every((n) => n.length === 1)).toBe(true)
    await h.run()
    expect(h.github.issues).toHaveLength(2)
  })
})

describe('GitHub Enterprise Server', () => {
  it('works against an API under /api/v3, as GITHUB_API_URL gives it on GHES', async () => {
    const ghes = await startHarness({ github: { pathPrefix: '/api/v3' } })
    try {
      expect(ghes.github.url).toMatch(/\/api\/v3$/)
      ghes.sentry.seed(2, { seed: 9 })
      const first = await ghes.run()
      expect(first.failed).toBe(false)
      expect(first.outputs.created).toBe('2')
      const second = await ghes.run()
      expect(second.outputs.created).toBe('0')
      expect(ghes.github.issues).toHaveLength(2)
    } finally {
      await ghes.close()
    }
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startHarness, type Harness } from './helpers/harness.js'

/** What new issues hold, end to end: events and stack traces, labels, templates, assignees. */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

describe('issue content through the fakes', () => {
  it('fetches the latest event once per created issue and renders its stack trace', async () => {
    h.sentry.seed(3, { seed: 81 })
    const result = await h.run()
    expect(result.outputs.created).toBe('3')
    const eventRequests = h.sentry.requests.filter((r) => r.path.endsWith('/events/latest/'))
    expect(eventRequests).toHaveLength(3)
    for (const issue of h.github.issues) {
      expect(issue.body).toContain('<details>')
      expect(issue.body).toMatch(/Stack trace/i)
    }
  })

  it('makes no event request with stack-trace: false and no event variables', async () => {
    h.sentry.seed(2, { seed: 82 })
    await h.run({ 'stack-trace': 'false' })
    expect(h.sentry.requests.filter((r) => r.path.endsWith('/events/latest/'))).toHaveLength(0)
    expect(h.github.issues.every((i) => !(i.body ?? '').includes('<details>'))).toBe(true)
  })

  it('applies a priority label by thresholds and swaps it (not stacks it) when counts grow', async () => {
    const [issue] = h.sentry.seed(1, { seed: 83 })
    issue!.count = '3'
    issue!.userCount = 1
    await h.run()
    const gh = h.github.issues[0]!
    expect(gh.labels).toContain('priority: low')
    issue!.count = '500'
    h.github.resetRequests()
    const result = await h.run()
    expect(result.outputs.updated).toBe('1')
    expect(gh.labels).toContain('priority: critical')
    expect(gh.labels.filter((l) => l.startsWith('priority: '))).toEqual(['priority: critical'])
    const patches = h.github.requests.filter((r) => r.method === 'PATCH')
    expect(patches).toHaveLength(1)
    expect(h.github.labels.find((l) => l.name === 'priority: critical')?.color).toBe('b60205')
  })

  it('adds labels from Sentry fields with prefixes, created with colours', async () => {
    const [issue] = h.sentry.seed(1, { seed: 84 })
    issue!.level = 'fatal'
    await h.run({ 'label-from': 'level, project', 'priority-labels': 'none' })
    const labels = h.github.issues[0]!.labels
    expect(labels).toContain('level: fatal')
    expect(labels.some((l) => l.startsWith('project: '))).toBe(true)
    expect(h.github.labels.find((l) => l.name === 'level: fatal')?.color).toMatch(/^[0-9a-f]{6}$/)
  })

  it('renders title and body templates, keeping the marker and the stats block', async () => {
    h.sentry.seed(1, { seed: 85 })
    await h.run({
      'title-template': '[{{shortId}}] {{title}}',
      'body-template': 'Seen {{events}} times by {{users}} users.\n\n{{stats}}'
    })
    const gh = h.github.issues[0]!
    expect(gh.title).toMatch(/^\[[A-Z0-9-]+\] /)
    expect(gh.body).toMatch(/^<!-- sentry-issue: acme\/\d+ -->\n/)
    expect(gh.body).toContain('Seen ')
    expect(gh.body).toContain('<!-- sentry-stats:start status=')
  })

  it('rejects a template with an unknown variable before any request, listing the valid ones', async () => {
    h.sentry.seed(1)
    const result = await h.run({ 'title-template': '{{nope}}' })
    expect(result.failed).toBe(true)
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('title-template')
    expect(errors[0]).toContain('shortId')
    expect(h.sentry.requests).toHaveLength(0)
    expect(h.github.requests).toHaveLength(0)
  })

  it('assigns configured assignees', async () => {
    h.sentry.seed(1, { seed: 86 })
    await h.run({ assignees: 'octocat' })
    expect(h.github.issues[0]!.assignees).toEqual(['octocat'])
  })
})

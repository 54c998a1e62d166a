import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { errorLines, startHarness, type Harness } from './helpers/harness.js'

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
    expect(gh.body).toMatch(/^<!-- sentry-issue: 127\.0\.0\.1:\d+\/acme\/\d+ -->\n/)
    expect(gh.body).toContain('Seen ')
    expect(gh.body).toContain('<!-- sentry-stats:start status=')
  })

  it('rejects a template with an unknown variable before any request, listing the valid ones', async () => {
    h.sentry.seed(1)
    const result = await h.run({ 'title-template': '{{nope}}' })
    expect(result.failed).toBe(true)
    const errors = errorLines(result.stdout)
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

describe('GitHub-native metadata', () => {
  let m: Harness
  afterEach(async () => {
    await m.close()
  })

  it('sets milestone (by title), issue type and issue fields, and keeps fields current on update', async () => {
    m = await startHarness({
      github: {
        issueTypes: ['Bug', 'Task'],
        issueFields: [
          { name: 'Priority', data_type: 'single_select', options: ['High', 'Medium', 'Low'] },
          { name: 'Events', data_type: 'number' },
          { name: 'First seen', data_type: 'date' }
        ]
      }
    })
    const milestone = m.github.addMilestone('Error budget')
    const [issue] = m.sentry.seed(1, { seed: 87 })
    issue!.priority = 'high'
    const inputs = {
      milestone: 'Error budget',
      'issue-type': 'Bug',
      'issue-fields': 'Priority = priority\nEvents = events\nFirst seen = firstSeen'
    }
    const result = await m.run(inputs)
    expect(result.failed).toBe(false)
    const gh = m.github.issues[0]!
    expect(gh.milestone).toBe(milestone.number)
    expect(gh.type).toBe('Bug')
    const values = new Map((gh.field_values ?? []).map((v) => [v.field_id, v.value]))
    const ids = new Map(m.github.issueFields!.map((f) => [f.name, f.id]))
    expect(values.get(ids.get('Priority')!)).toBe('High')
    expect(values.get(ids.get('Events')!)).toBe(Number(issue!.count))
    expect(values.get(ids.get('First seen')!)).toBe(String(issue!.firstSeen).slice(0, 10))

    // Enough new events to change what the block shows (the fields follow the block's writes).
    issue!.count = String(Math.ceil(Number(issue!.count) * 1.5))
    await m.run(inputs)
    const updated = new Map((gh.field_values ?? []).map((v) => [v.field_id, v.value]))
    expect(updated.get(ids.get('Events')!)).toBe(Number(issue!.count))
  })

  it('a step GitHub refuses is one warning and not tried again; the issues are still filed', async () => {
    m = await startHarness({
      github: { issueFields: [{ name: 'Events', data_type: 'number' }] }
    })
    m.sentry.seed(3, { seed: 89 })
    m.github.injectFault({
      kind: 'status',
      status: 403,
      method: 'POST',
      pathIncludes: '/issue-field-values',
      times: 10
    })
    const result = await m.run({ 'issue-fields': 'Events = events' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning::'))
    expect(warnings.filter((w) => w.includes('GitHub refused issue-fields'))).toHaveLength(1)
    const tries = m.github.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/issue-field-values')
    )
    expect(tries).toHaveLength(1)
  })

  it('where the repository has no issue types, fields or such assignee: one warning each, issues created', async () => {
    m = await startHarness({ github: { assignableUsers: ['octocat'] } })
    m.sentry.seed(2, { seed: 88 })
    const result = await m.run({
      'issue-type': 'Bug',
      'issue-fields': 'Priority = priority',
      assignees: 'not-a-collaborator',
      milestone: 'Nope'
    })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning::'))
    expect(warnings.filter((w) => /issue fields are not available/i.test(w))).toHaveLength(1)
    expect(warnings.filter((w) => /refused type "Bug"/.test(w))).toHaveLength(1)
    expect(
      warnings.filter((w) => /refused assignees \["not-a-collaborator"\]/.test(w))
    ).toHaveLength(1)
    expect(warnings.filter((w) => /No milestone titled "Nope"/.test(w))).toHaveLength(1)
    expect(m.github.issues.every((i) => i.assignees.length === 0 && !i.type)).toBe(true)
  })
})

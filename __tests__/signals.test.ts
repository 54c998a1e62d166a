import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { issueOf, startHarness, type Harness } from './helpers/harness.js'
import type { FakeIssue } from '../src/fakes/fake-github.js'
import { completedAutofix } from '../src/fakes/fake-sentry-signals.js'
import { INVISIBLE_CHARS, readerText, stripCodeSpans } from './fixtures/hostile-strings.js'

/**
 * Sentry's own signals in new issues, end to end through the real clients and both fakes:
 * suggested owners (shown, assigned through assignee-map), Seer's root cause (shown, started),
 * tag breakdowns; and every way Sentry can refuse them ends in one warning and issues filed.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

function issueFor(sentryId: unknown): FakeIssue {
  return issueOf(h.github, sentryId)
}

function warnings(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::warning::'))
}

function requestsTo(pattern: RegExp): number {
  return h.sentry.requests.filter((r) => pattern.test(r.path)).length
}

/** What a reader sees: code spans as their text, escapes and entities resolved. */
function seen(text: string | null | undefined): string {
  return readerText(text ?? '')
}

describe('everything off (the default)', () => {
  it('makes no signal request and adds no section', async () => {
    h.sentry.seed(2, { seed: 301 })
    const result = await h.run()
    expect(result.outputs.created).toBe('2')
    expect(requestsTo(/\/(autofix|tags|members|teams)\//)).toBe(0)
    expect(h.sentry.requests.some((r) => r.query.getAll('expand').includes('owners'))).toBe(false)
    expect(
      h.github.issues.every((i) => !/Suggested owners|Seer|Where it happens/.test(i.body ?? ''))
    ).toBe(true)
  })
})

describe('owners', () => {
  it('show: people by e-mail, teams by slug, mapped logins without a mention; one member and one team listing', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 302 })
    const ada = h.sentry.signals.addMember('ada@example.com')
    h.sentry.signals.addMember('bob@example.com')
    const backend = h.sentry.signals.addTeam('backend')
    h.sentry.signals.setOwners(String(a!.id), [
      { type: 'suspectCommit', owner: `user:${ada.userId}` },
      { type: 'ownershipRule', owner: `team:${backend.id}` }
    ])
    h.sentry.signals.setOwners(String(b!.id), [{ type: 'codeowners', owner: `team:${backend.id}` }])
    const result = await h.run({ owners: 'show', 'assignee-map': 'ada@example.com => ada-l' })
    expect(result.failed).toBe(false)
    expect(warnings(result.stdout)).toEqual([])
    const body = issueFor(a!.id).body ?? ''
    expect(seen(body)).toContain(
      '- **Suggested owners:** ada-l (ada@example.com, suspect commit), #backend (ownership rule)'
    )
    // No `@` outside code, and nothing invisible.
    expect(body.split('\n').map(stripCodeSpans).join('\n')).not.toContain('@')
    expect(INVISIBLE_CHARS.test(body)).toBe(false)
    expect(seen(issueFor(b!.id).body)).toContain('- **Suggested owners:** #backend (code owners)')
    // show does not assign.
    expect(issueFor(a!.id).assignees).toEqual([])
    expect(requestsTo(/\/teams\/$/)).toBe(1)
    expect(requestsTo(/\/members\/$/)).toBe(1)
    const members = h.sentry.requests.find((r) => r.path.endsWith('/members/'))
    expect(members?.query.get('query')).toBe(`user.id:${ada.userId}`)
  })

  it('assign: mapped owners are assigned when Sentry has no assignee; an unmapped owner is one warning', async () => {
    const seeded = h.sentry.seed(3, { seed: 303 })
    const ada = h.sentry.signals.addMember('ada@example.com')
    const eve = h.sentry.signals.addMember('eve@example.com')
    const [a, b, c] = seeded
    h.sentry.signals.setOwners(String(a!.id), [
      { type: 'suspectCommit', owner: `user:${ada.userId}` }
    ])
    h.sentry.signals.setOwners(String(b!.id), [
      { type: 'suspectCommit', owner: `user:${eve.userId}` }
    ])
    h.sentry.signals.setOwners(String(c!.id), [
      { type: 'suspectCommit', owner: `user:${eve.userId}` }
    ])
    const result = await h.run({
      owners: 'assign',
      'assignee-map': 'ada@example.com => ada-l',
      assignees: 'octocat'
    })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    expect(issueFor(a!.id).assignees).toEqual(['ada-l', 'octocat'])
    expect(issueFor(b!.id).assignees).toEqual(['octocat'])
    const unmapped = warnings(result.stdout).filter((w) => /not in assignee-map/.test(w))
    expect(unmapped).toHaveLength(1)
    expect(unmapped[0]).toContain('eve@example.com')
    // The members are looked up once per person per run.
    expect(requestsTo(/\/members\/$/)).toBe(2)
  })

  it('assign: a Sentry assignee wins over the owners', async () => {
    const [a] = h.sentry.seed(1, { seed: 304 })
    a!.assignedTo = { type: 'user', id: '9', name: 'Grace', email: 'grace@example.com' }
    const ada = h.sentry.signals.addMember('ada@example.com')
    h.sentry.signals.setOwners(String(a!.id), [
      { type: 'suspectCommit', owner: `user:${ada.userId}` }
    ])
    await h.run({
      owners: 'assign',
      'assignee-map': 'ada@example.com => ada-l\ngrace@example.com => grace-h'
    })
    expect(issueFor(a!.id).assignees).toEqual(['grace-h'])
  })

  it('members refused (403, no member:read): one warning, people shown by id, issues filed', async () => {
    const seeded = h.sentry.seed(3, { seed: 305 })
    for (const [i, issue] of seeded.entries()) {
      h.sentry.signals.setOwners(String(issue.id), [
        { type: 'suspectCommit', owner: `user:${70 + i}` }
      ])
    }
    h.sentry.signals.outages.members = 403
    const result = await h.run({ owners: 'show' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    expect(warnings(result.stdout).filter((w) => /member:read/.test(w))).toHaveLength(1)
    // After a refusal the members are not asked again this run.
    expect(requestsTo(/\/members\/$/)).toBe(1)
    expect(seen(issueFor(seeded[0]!.id).body)).toContain(
      '- **Suggested owners:** user 70 (suspect commit)'
    )
  })

  it('the owners read failing: one warning, issues filed without the line', async () => {
    h.sentry.seed(2, { seed: 306 })
    h.sentry.signals.outages.owners = 403
    const result = await h.run({ owners: 'show' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    expect(warnings(result.stdout).filter((w) => /suggested owners/.test(w))).toHaveLength(1)
    expect(h.github.issues.every((i) => !(i.body ?? '').includes('Suggested owners'))).toBe(true)
  })
})

describe('seer', () => {
  it('show: a finished analysis is shown collapsed and escaped; nothing is started', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 307 })
    h.sentry.signals.autofix.set(
      String(a!.id),
      completedAutofix('`user` is undefined when @octocat calls #1 <b>x</b>', 'Check `user` first')
    )
    const result = await h.run({ seer: 'show' })
    expect(result.failed).toBe(false)
    const body = issueFor(a!.id).body ?? ''
    expect(body).toContain('<details>\n<summary>Root cause by Seer</summary>')
    expect(body).toContain('`@octocat`')
    expect(body).toContain('`#1`')
    expect(body).toContain('&lt;b&gt;')
    expect(seen(body)).toContain('**Proposed solution:** Check `user` first')
    expect(issueFor(b!.id).body).not.toContain('Seer')
    expect(h.sentry.signals.autofixStarts).toHaveLength(0)
  })

  it('start: starts an analysis stopping at the root cause for new issues without one, once', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 308 })
    h.sentry.signals.autofix.set(String(a!.id), completedAutofix('It broke.'))
    const result = await h.run({ seer: 'start' })
    expect(result.failed).toBe(false)
    expect(h.sentry.signals.autofixStarts).toEqual([
      { issueId: String(b!.id), body: { step: 'root_cause', stopping_point: 'root_cause' } }
    ])
    expect(seen(issueFor(a!.id).body)).toContain('**Root cause:** It broke.')
    expect(issueFor(b!.id).body).toContain("Seer's root-cause analysis was started")
    // Nothing new to create: no second start.
    await h.run({ seer: 'start' })
    expect(h.sentry.signals.autofixStarts).toHaveLength(1)
  })

  it('start in a dry run: reads, starts nothing', async () => {
    h.sentry.seed(2, { seed: 309 })
    const result = await h.run({ seer: 'start', 'dry-run': 'true' })
    expect(result.outputs.created).toBe('2')
    expect(h.sentry.signals.autofixStarts).toHaveLength(0)
    expect(requestsTo(/\/autofix\/$/)).toBe(2)
  })

  it.each([
    [404, /404: this server has no Seer/],
    [403, /403: the organization's plan has no Seer/]
  ])('unavailable (%i): one warning for the run, every issue filed', async (status, said) => {
    h.sentry.seed(3, { seed: 310 })
    h.sentry.signals.outages.seer = status
    const result = await h.run({ seer: 'start' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    const seer = warnings(result.stdout).filter((w) => /Seer/.test(w))
    expect(seer).toHaveLength(1)
    expect(seer[0]).toMatch(said)
    expect(h.github.issues.every((i) => !(i.body ?? '').includes('Seer'))).toBe(true)
  })
})

describe('tag breakdown', () => {
  it('the top 5 values of each tag with counts and shares, escaped; an absent tag is left out quietly', async () => {
    const [a] = h.sentry.seed(1, { seed: 311 })
    const id = String(a!.id)
    h.sentry.signals.setTag(id, 'environment', [
      { value: 'production', count: 90 },
      { value: 'staging', count: 10 }
    ])
    h.sentry.signals.setTag(
      id,
      'url',
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => ({
        value: `https://shop.example/${x}|@${x}`,
        count: 10 - i
      }))
    )
    const result = await h.run({ 'tag-breakdown': 'environment, url, browser' })
    expect(result.failed).toBe(false)
    expect(warnings(result.stdout)).toEqual([])
    const body = issueFor(id).body ?? ''
    expect(body).toContain('<summary>Where it happens (top tag values)</summary>')
    expect(body).toContain('| production | 90 (90.0%) |')
    expect(body).toContain('| staging | 10 (10.0%) |')
    const urlRows = body.split('\n').filter((l) => l.includes('shop'))
    expect(urlRows).toHaveLength(5)
    expect(urlRows[0]).toContain('`https://shop.example/a`\\|`@a`')
    expect(body).not.toContain('**browser**')
    expect(requestsTo(/\/tags\//)).toBe(3)
  })

  it('the tag endpoint failing: one warning, issues filed without the breakdown', async () => {
    const seeded = h.sentry.seed(3, { seed: 312 })
    for (const issue of seeded)
      h.sentry.signals.setTag(String(issue.id), 'os', [{ value: 'Linux', count: 1 }])
    h.sentry.signals.outages.tags = 403
    const result = await h.run({ 'tag-breakdown': 'os' })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('3')
    expect(warnings(result.stdout).filter((w) => /tag breakdown/.test(w))).toHaveLength(1)
    expect(h.github.issues.every((i) => !(i.body ?? '').includes('Where it happens'))).toBe(true)
  })

  it('bounded: one request per tag and new issue, at most 4 issues at once', async () => {
    h.sentry.seed(6, { seed: 313 })
    await h.run({ 'tag-breakdown': 'os,browser', 'max-new-issues': '5' })
    expect(requestsTo(/\/tags\//)).toBe(10)
  })
})

describe('templates', () => {
  it('the sections as template variables', async () => {
    const [a] = h.sentry.seed(1, { seed: 314 })
    h.sentry.signals.setTag(String(a!.id), 'os', [{ value: 'Linux', count: 3 }])
    h.sentry.signals.autofix.set(String(a!.id), completedAutofix('Null user.'))
    const team = h.sentry.signals.addTeam('web')
    h.sentry.signals.setOwners(String(a!.id), [{ type: 'codeowners', owner: `team:${team.id}` }])
    await h.run({
      owners: 'show',
      seer: 'show',
      'tag-breakdown': 'os',
      'body-template':
        'Owners: {{suggestedOwners}}\n\n{{tagBreakdown}}\n\n{{seerSection}}\n\n{{stats}}'
    })
    const body = seen(issueFor(a!.id).body)
    expect(body).toContain('Owners: #web (code owners)')
    expect(body).toContain('| Linux | 3 (100%) |')
    expect(body).toContain('**Root cause:** Null user.')
  })
})

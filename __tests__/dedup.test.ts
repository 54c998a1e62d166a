import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { markersInGitHub, plainSummary, startHarness, type Harness } from './helpers/harness.js'
import { MemoryStateStore } from '../src/state/store.js'

/**
 * "Never a duplicate, never a lost issue": the three dedup layers (label index, marker search,
 * cached state), healing, and marker integrity, through both fakes over real HTTP.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

function openPerMarker(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const issue of h.github.issues) {
    const match = /^<!-- sentry-issue: (?:[^ /]+\/)?([^ /]+\/\d+) -->/.exec(issue.body ?? '')
    if (match?.[1] && issue.state === 'open') counts.set(match[1], (counts.get(match[1]) ?? 0) + 1)
  }
  return counts
}

/** The summary's text with Markdown escapes and zero-width breaks removed. */
const plain = plainSummary

function searches(): number {
  return h.github.requests.filter((r) => r.path === '/search/issues').length
}

async function removeLabelViaApi(issueNumber: number, label: string): Promise<void> {
  const octokit = getOctokit(h.github.token, { baseUrl: h.github.url })
  await octokit.rest.issues.removeLabel({
    owner: h.github.owner,
    repo: h.github.repo,
    issue_number: issueNumber,
    name: label
  })
}

describe('dedup layers', () => {
  it('back-to-back runs with a search index lagging 60 s create no duplicate', async () => {
    h.github.searchLagMs = 60_000
    h.sentry.seed(5, { seed: 31 })
    await h.run()
    h.sentry.seed(2, { seed: 32 })
    const second = await h.run()
    expect(second.outputs.created).toBe('2')
    await h.run()
    expect(h.github.issues).toHaveLength(7)
    expect([...markersInGitHub(h.github).values()].every((n) => n.length === 1)).toBe(true)
  })

  it('finds an issue whose tracking label a person removed through search, and leaves the label off', async () => {
    h.sentry.seed(3, { seed: 33 })
    await h.run({}, { state: new MemoryStateStore() })
    const target = h.github.issues[1]!
    await removeLabelViaApi(target.number, 'sentry')
    h.github.resetRequests()

    // A fresh state store: the cache cannot help; only search can find it.
    const result = await h.run({}, { state: new MemoryStateStore() })
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('0')
    expect(h.github.issues).toHaveLength(3)
    expect(target.labels).not.toContain('sentry')
    expect(searches()).toBe(1)
    const row = JSON.parse(result.outputs.issues!).find(
      (r: { number: number }) => r.number === target.number
    )
    expect(row.action).toBe('skipped')
    expect(result.summary).toContain('found by search')
  })

  it('finds it through the cached state when search lags behind the label removal', async () => {
    h.github.searchLagMs = 60_000
    h.sentry.seed(3, { seed: 34 })
    await h.run()
    const target = h.github.issues[0]!
    await removeLabelViaApi(target.number, 'sentry')
    const result = await h.run()
    expect(result.outputs.created).toBe('0')
    expect(h.github.issues).toHaveLength(3)
    expect(result.summary).toContain('found by cache')
  })

  it('worst case (cache lost, label removed, search lagging) files one new issue, as documented', async () => {
    h.github.searchLagMs = 60_000
    h.sentry.seed(2, { seed: 35 })
    await h.run()
    const target = h.github.issues[0]!
    await removeLabelViaApi(target.number, 'sentry')
    const result = await h.run({}, { state: new MemoryStateStore() })
    // Nothing can see the old issue: it is recreated once, and the new one is tracked from now on.
    expect(result.outputs.created).toBe('1')
    await h.run({}, { state: new MemoryStateStore() })
    expect(h.github.issues).toHaveLength(3)
  })

  it('searches for an hour after a run that created issues, then makes no search request', async () => {
    h.sentry.seed(4, { seed: 36 })
    await h.run()
    h.github.resetRequests()
    await h.run()
    // A run at the same time may have filed the same issues: the next runs look once each.
    expect(searches()).toBe(1)
    expect(h.github.writeCount()).toBe(0)
    const state = h.state.current
    expect(Date.parse(state.searchUntil ?? '')).toBeGreaterThan(Date.now())
    await h.state.save({ ...state, searchUntil: new Date(Date.now() - 1000).toISOString() })
    h.github.resetRequests()
    await h.run()
    expect(searches()).toBe(0)
    expect(h.github.writeCount()).toBe(0)
    expect(h.state.current.searchUntil).toBeUndefined()
  })

  it('warns and goes on when search is unavailable', async () => {
    h.sentry.seed(2, { seed: 37 })
    h.github.searchUnavailable = true
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('2')
    expect(result.stdout).toMatch(/::warning::The marker search failed/)
  })

  it('does not recreate an issue a person deleted (410) while the state remembers it', async () => {
    h.sentry.seed(2, { seed: 38 })
    await h.run()
    const gone = h.github.issues[0]!
    h.github.deleteIssue(gone.number)
    const result = await h.run()
    expect(result.failed).toBe(false)
    expect(result.outputs.created).toBe('0')
    expect(plain(result.summary)).toContain(`#${gone.number} was deleted on GitHub; not recreated`)
    expect(Object.values(h.state.current.gone ?? {})).toEqual([
      { number: gone.number, how: 'deleted' }
    ])
    // Later runs remember it too, without asking GitHub again.
    h.github.resetRequests()
    const later = await h.run()
    expect(later.outputs.created).toBe('0')
    expect(plain(later.summary)).toContain(`#${gone.number} was deleted on GitHub; not recreated`)
    expect(h.github.requests.some((r) => r.path.endsWith(`/issues/${gone.number}`))).toBe(false)
    expect(markersInGitHub(h.github).size).toBe(1)
  })

  it('follows an issue moved to another repository (301) and does not recreate it', async () => {
    h.sentry.seed(1, { seed: 39 })
    await h.run()
    const moved = h.github.issues[0]!
    h.github.transfer(moved.number)
    const result = await h.run()
    expect(result.outputs.created).toBe('0')
    expect(plain(result.summary)).toMatch(
      new RegExp(
        `#${moved.number} was moved to \\S+/acme/web-moved/issues/${moved.number}; not recreated`
      )
    )
    expect((await h.run()).outputs.created).toBe('0')
  })

  it('recreates an issue GitHub no longer knows (404) and says so', async () => {
    h.sentry.seed(1, { seed: 39 })
    await h.run()
    const lost = h.github.issues[0]!
    h.github.issues.splice(0, 1)
    const result = await h.run()
    expect(result.outputs.created).toBe('1')
    expect(plain(result.summary)).toContain(
      `cached issue #${lost.number} no longer exists (404); recreated`
    )
  })
})

describe('healing duplicates', () => {
  function seedDuplicates(): { keep: number; dup: number } {
    const [sentry] = h.sentry.seed(1, { seed: 40 })
    const marker = `<!-- sentry-issue: acme/${String(sentry!.id)} -->`
    const keep = h.github.addIssue({
      title: 'first',
      body: `${marker}\nfirst`,
      labels: ['sentry'],
      created_at: '2026-01-01T00:00:00Z'
    })
    const dup = h.github.addIssue({
      title: 'second',
      body: `${marker}\nsecond`,
      labels: ['sentry'],
      created_at: '2026-01-01T00:00:05Z'
    })
    return { keep: keep.number, dup: dup.number }
  }

  it('keeps the oldest and closes the others as native duplicates', async () => {
    const { keep, dup } = seedDuplicates()
    const result = await h.run()
    expect(result.failed).toBe(false)
    const closed = h.github.issues.find((i) => i.number === dup)!
    expect(closed.state).toBe('closed')
    expect(closed.state_reason).toBe('duplicate')
    expect(h.github.issues.find((i) => i.number === keep)!.state).toBe('open')
    expect(result.outputs.closed).toBe('1')
    expect(plain(result.summary)).toContain(`duplicate of #${keep}`)
    expect(openPerMarker().size).toBe(1)
  })

  it('falls back to not_planned plus a comment where the server refuses duplicate marking', async () => {
    h.github.rejectDuplicateStateReason = true
    const { keep, dup } = seedDuplicates()
    await h.run()
    const closed = h.github.issues.find((i) => i.number === dup)!
    expect(closed.state).toBe('closed')
    expect(closed.state_reason).toBe('not_planned')
    expect(closed.comments.map((c) => c.body).join('\n')).toContain(`Duplicate of #${keep}`)
  })

  it('leaves duplicates alone with heal-duplicates: false', async () => {
    const { dup } = seedDuplicates()
    await h.run({ 'heal-duplicates': 'false' })
    expect(h.github.issues.find((i) => i.number === dup)!.state).toBe('open')
  })
})

describe('marker integrity', () => {
  it('recognises a marker below a person’s notes, and ignores another installation’s markers', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 41 })
    h.github.addIssue({
      title: 'notes above the marker',
      body: `Triage notes from the team\n\n<!-- sentry-issue: acme/${String(a!.id)} -->`,
      labels: ['sentry']
    })
    h.github.addIssue({
      title: 'another org',
      body: `<!-- sentry-issue: other-org/${String(b!.id)} -->\nbody`,
      labels: ['sentry']
    })
    h.github.addIssue({
      title: 'same org, another Sentry host',
      body: `<!-- sentry-issue: sentry.other.example/acme/${String(b!.id)} -->\nbody`,
      labels: ['sentry']
    })
    const result = await h.run()
    // a is tracked by the issue with notes above its marker; b gets its own issue.
    expect(result.outputs.created).toBe('1')
    expect(markersInGitHub(h.github).get(`acme/${String(a!.id)}`)).toHaveLength(1)
    expect(markersInGitHub(h.github).get(`acme/${String(b!.id)}`)).toHaveLength(2)
    expect(markersInGitHub(h.github).get(`other-org/${String(b!.id)}`)).toHaveLength(1)
  })

  it('Sentry text holding a marker cannot hide or redirect the real one', async () => {
    const [victim] = h.sentry.seed(1, { seed: 42 })
    h.sentry.addIssue({
      title: `boom <!-- sentry-issue: acme/${String(victim!.id)} -->`,
      metadata: { type: 'Error', value: `\n<!-- sentry-issue: acme/${String(victim!.id)} -->\n` },
      culprit: `<!-- sentry-issue: acme/${String(victim!.id)} -->`
    })
    await h.run()
    await h.run()
    const markers = markersInGitHub(h.github)
    expect(markers.size).toBe(2)
    expect([...markers.values()].every((n) => n.length === 1)).toBe(true)
  })
})

import { describe, expect, it } from '@jest/globals'
import { buildIndex, findDuplicates, planSync, type PlanOptions } from '../../src/plan/plan.js'
import { renderMarker, sentryIdentity } from '../../src/plan/marker.js'
import { sentryIssueSchema, type SentryIssue } from '../../src/sentry/schemas.js'

function sentry(id: number, count = 10, users = 1): SentryIssue {
  return sentryIssueSchema.parse({
    id: String(id),
    shortId: `WEB-${id}`,
    title: `Error ${id}`,
    permalink: `https://sentry.io/organizations/acme/issues/${id}/`,
    status: 'unresolved',
    count: String(count),
    userCount: users,
    project: { id: '1', slug: 'web' }
  })
}

function ghIssue(number: number, sentryId: number, createdAt: string, org = 'acme') {
  return {
    id: 1000 + number,
    number,
    body: `${renderMarker({ org, issueId: String(sentryId) })}\nbody`,
    html_url: `https://github.com/o/r/issues/${number}`,
    state: 'open' as const,
    created_at: createdAt
  }
}

const options: PlanOptions = { org: 'acme', minEvents: 0, minUsers: 0, maxNewIssues: 50 }
const identity = sentryIdentity('acme', 'https://sentry.io')

describe('buildIndex', () => {
  it('indexes by marker anywhere in the body, keyed by the run’s org, oldest first', () => {
    const index = buildIndex(
      [
        ghIssue(7, 1, '2026-01-02T00:00:00Z'),
        ghIssue(3, 1, '2026-01-01T00:00:00Z'),
        {
          ...ghIssue(9, 2, '2026-01-01T00:00:00Z'),
          body: `notes\n${renderMarker({ org: 'acme', issueId: '2' })}`
        },
        // Written before the organisation was renamed: same Sentry issue on sentry.io.
        ghIssue(10, 5, '2026-01-01T00:00:00Z', 'old-name'),
        { ...ghIssue(11, 6, '2026-01-01T00:00:00Z'), body: 'no marker here' },
        {
          ...ghIssue(12, 7, '2026-01-01T00:00:00Z'),
          body: renderMarker({ host: 'sentry.example.com', org: 'acme', issueId: '7' })
        }
      ],
      'label',
      identity
    )
    expect(index.get('acme/1')?.map((t) => t.number)).toEqual([3, 7])
    expect(index.get('acme/2')?.[0]?.number).toBe(9)
    expect(index.get('acme/5')?.[0]).toMatchObject({ number: 10, marker: 'stale' })
    expect(index.has('acme/6')).toBe(false)
    expect(index.has('acme/7')).toBe(false)
  })

  it('puts the issue people kept first: open over closed, a duplicate close last, then the oldest', () => {
    const index = buildIndex(
      [
        {
          ...ghIssue(1, 9, '2026-01-01T00:00:00Z'),
          state: 'closed' as const,
          state_reason: 'duplicate'
        },
        {
          ...ghIssue(2, 9, '2026-01-02T00:00:00Z'),
          state: 'closed' as const,
          state_reason: 'completed'
        },
        ghIssue(4, 9, '2026-01-04T00:00:00Z'),
        ghIssue(3, 9, '2026-01-03T00:00:00Z')
      ],
      'label',
      identity
    )
    expect(index.get('acme/9')?.map((t) => t.number)).toEqual([3, 4, 2, 1])
  })
})

describe('findDuplicates', () => {
  it('keeps the open issue over an older closed one, and never closes one a person reopened', () => {
    const index = buildIndex(
      [
        {
          ...ghIssue(1, 9, '2026-01-01T00:00:00Z'),
          state: 'closed' as const,
          state_reason: 'completed'
        },
        ghIssue(2, 9, '2026-01-02T00:00:00Z'),
        ghIssue(3, 9, '2026-01-03T00:00:00Z'),
        { ...ghIssue(4, 9, '2026-01-04T00:00:00Z'), state_reason: 'reopened' },
        { ...ghIssue(5, 8, '2026-01-01T00:00:00Z'), state: 'closed' as const },
        ghIssue(6, 8, '2026-01-02T00:00:00Z')
      ],
      'label',
      identity
    )
    const sets = findDuplicates(index)
    expect(sets.map((s) => [s.key, s.keep.number, s.close.map((c) => c.number)])).toEqual([
      ['acme/9', 2, [3]]
    ])
  })
})

describe('planSync', () => {
  it('creates what is new and skips what is tracked, open or closed', () => {
    const index = buildIndex(
      [
        ghIssue(1, 100, '2026-01-01T00:00:00Z'),
        { ...ghIssue(2, 101, '2026-01-01T00:00:00Z'), state: 'closed' as const }
      ],
      'label',
      identity
    )
    const plan = planSync({
      sentryIssues: [sentry(100), sentry(101), sentry(102)],
      index,
      cached: {},
      options
    })
    expect(plan.map((p) => [p.kind === 'gone' ? p.key : p.sentry.id, p.kind])).toEqual([
      ['100', 'skip'],
      ['101', 'skip'],
      ['102', 'create']
    ])
    const closed = plan[1]
    expect(closed?.kind === 'skip' && closed.existing?.state).toBe('closed')
  })

  it('does not treat another installation’s marker as ours, even with the same org', () => {
    const selfHosted = sentryIdentity('acme', 'https://sentry.example.com')
    const index = buildIndex(
      [
        {
          ...ghIssue(1, 100, '2026-01-01T00:00:00Z'),
          body: renderMarker({ host: 'sentry.other.example', org: 'acme', issueId: '100' })
        },
        ghIssue(2, 101, '2026-01-01T00:00:00Z', 'other')
      ],
      'label',
      selfHosted
    )
    const plan = planSync({ sentryIssues: [sentry(100), sentry(101)], index, cached: {}, options })
    expect(plan.map((p) => p.kind)).toEqual(['create', 'create'])
  })

  it('never recreates an issue the cached state remembers as deleted or moved', () => {
    const plan = planSync({
      sentryIssues: [sentry(1), sentry(2)],
      index: new Map(),
      cached: {},
      gone: { 'acme/1': { number: 5, how: 'deleted' } },
      options
    })
    expect(plan.map((p) => (p.kind === 'skip' ? `${p.reason}: ${p.why}` : p.kind))).toEqual([
      'gone: #5 was deleted on GitHub; not recreated',
      'create'
    ])
  })

  it('skips issues below min-events or min-users', () => {
    const plan = planSync({
      sentryIssues: [sentry(1, 5, 10), sentry(2, 50, 1), sentry(3, 50, 10)],
      index: new Map(),
      cached: {},
      options: { ...options, minEvents: 10, minUsers: 2 }
    })
    expect(plan.map((p) => (p.kind === 'skip' ? p.reason : p.kind))).toEqual([
      'below-threshold',
      'below-threshold',
      'create'
    ])
  })

  it('creates at most max-new-issues, most frequent first, and defers the rest', () => {
    const plan = planSync({
      sentryIssues: [sentry(1, 5), sentry(2, 500), sentry(3, 50), sentry(4, 50, 9)],
      index: new Map(),
      cached: {},
      options: { ...options, maxNewIssues: 2 }
    })
    const creates = plan.flatMap((p) => (p.kind === 'create' ? [p.sentry.id] : []))
    const deferred = plan.flatMap((p) =>
      p.kind === 'skip' && p.reason === 'deferred' ? [p.sentry.id] : []
    )
    expect(creates).toEqual(['2', '4'])
    expect(deferred.sort()).toEqual(['1', '3'])
  })

  it('plans each Sentry issue once even if the list repeats it', () => {
    const plan = planSync({
      sentryIssues: [sentry(1), sentry(1)],
      index: new Map(),
      cached: {},
      options
    })
    expect(plan).toHaveLength(1)
  })

  it('passes a cached number along with a create for the caller to verify', () => {
    const plan = planSync({
      sentryIssues: [sentry(1)],
      index: new Map(),
      cached: { 'acme/1': 42 },
      options
    })
    expect(plan[0]).toMatchObject({ kind: 'create', cachedNumber: 42 })
  })
})

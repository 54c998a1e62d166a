import { describe, expect, it } from '@jest/globals'
import { buildIndex, planSync, type PlanOptions } from '../../src/plan/plan.js'
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
  it('indexes by marker, oldest first, and ignores bodies without a marker in position', () => {
    const index = buildIndex(
      [
        ghIssue(7, 1, '2026-01-02T00:00:00Z'),
        ghIssue(3, 1, '2026-01-01T00:00:00Z'),
        {
          ...ghIssue(9, 2, '2026-01-01T00:00:00Z'),
          body: `text\n${renderMarker({ org: 'acme', issueId: '2' })}`
        },
        ghIssue(10, 5, '2026-01-01T00:00:00Z', 'other-org')
      ],
      'label',
      identity
    )
    expect(index.get('acme/1')?.map((t) => t.number)).toEqual([3, 7])
    expect(index.has('acme/2')).toBe(false)
    expect(index.get('other-org/5')?.[0]?.number).toBe(10)
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

  it('does not treat another organisation’s marker as ours', () => {
    const index = buildIndex([ghIssue(1, 100, '2026-01-01T00:00:00Z', 'other')], 'label', identity)
    const plan = planSync({ sentryIssues: [sentry(100)], index, cached: {}, options })
    expect(plan[0]?.kind).toBe('create')
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

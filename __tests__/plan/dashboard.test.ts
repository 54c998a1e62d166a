import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { dashboardEntries, dashboardId, shapePlan } from '../../src/plan/dashboard.js'
import { planSync, type PlanItem, type PlanOptions } from '../../src/plan/plan.js'
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

const options: PlanOptions = { org: 'acme', minEvents: 100, minUsers: 0, maxNewIssues: 2 }

function plan(issues: SentryIssue[], opts: Partial<PlanOptions> = {}): PlanItem[] {
  return planSync({
    sentryIssues: issues,
    index: new Map(),
    cached: {},
    options: { ...options, ...opts }
  })
}

const none = (): boolean => false
const kinds = (items: PlanItem[]): Record<string, string> =>
  Object.fromEntries(
    items.flatMap((i) =>
      i.kind === 'create' || i.kind === 'skip'
        ? [[i.sentry.id, i.kind === 'create' ? 'create' : i.reason]]
        : []
    )
  )

describe('dashboardId', () => {
  const scope = {
    org: 'acme',
    projects: ['web', 'api'],
    environments: ['production'],
    query: 'is:unresolved',
    trackingLabel: 'sentry'
  }

  it('is 16 hex digits, the same for projects in any order and the label in any case', () => {
    expect(dashboardId(scope)).toMatch(/^[0-9a-f]{16}$/)
    expect(dashboardId({ ...scope, projects: ['api', 'web'], trackingLabel: 'Sentry' })).toBe(
      dashboardId(scope)
    )
  })

  it('differs for another organisation, project, environment, query or label', () => {
    const ids = new Set([
      dashboardId(scope),
      dashboardId({ ...scope, org: 'other' }),
      dashboardId({ ...scope, projects: ['web'] }),
      dashboardId({ ...scope, environments: [] }),
      dashboardId({ ...scope, query: 'is:unresolved level:error' }),
      dashboardId({ ...scope, trackingLabel: 'errors' })
    ])
    expect(ids.size).toBe(6)
  })
})

describe('shapePlan', () => {
  const issues = [sentry(1, 500), sentry(2, 300), sentry(3, 200), sentry(4, 5), sentry(5, 3)]

  it('without ticks and with auto-create, leaves the plan’s decisions as they were', () => {
    const items = plan(issues)
    const shaped = shapePlan(items, {
      ticked: new Set(),
      autoCreate: true,
      maxNewIssues: 2,
      tracked: none,
      cached: {}
    })
    expect(kinds(shaped.items)).toEqual(kinds(items))
    expect(shaped.fromDashboard.size).toBe(0)
  })

  it('files ticked issues first whatever the thresholds; they count toward max-new-issues', () => {
    const shaped = shapePlan(plan(issues), {
      ticked: new Set(['5', '4']),
      autoCreate: true,
      maxNewIssues: 3,
      tracked: none,
      cached: { 'acme/5': 12 }
    })
    expect(kinds(shaped.items)).toEqual({
      '4': 'create',
      '5': 'create',
      '1': 'create',
      '2': 'deferred',
      '3': 'deferred'
    })
    expect([...shaped.fromDashboard].sort()).toEqual(['acme/4', 'acme/5'])
    const five = shaped.items.find((i) => i.kind === 'create' && i.sentry.id === '5')
    expect(five).toMatchObject({ cachedNumber: 12 })
  })

  it('with auto-create off, holds what passes the thresholds and files only ticks', () => {
    const shaped = shapePlan(plan(issues), {
      ticked: new Set(['2']),
      autoCreate: false,
      maxNewIssues: 2,
      tracked: none,
      cached: {}
    })
    expect(kinds(shaped.items)).toEqual({
      '2': 'create',
      '1': 'held',
      '3': 'held',
      '4': 'below-threshold',
      '5': 'below-threshold'
    })
  })

  it('ignores a tick on an issue that has a GitHub issue already', () => {
    const shaped = shapePlan(plan(issues), {
      ticked: new Set(['4']),
      autoCreate: true,
      maxNewIssues: 2,
      tracked: (key) => key === 'acme/4',
      cached: {}
    })
    expect(shaped.fromDashboard.size).toBe(0)
    expect(kinds(shaped.items)['4']).toBe('below-threshold')
  })

  it('never creates more than max-new-issues, and never loses an issue (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ count: fc.nat(1000), users: fc.nat(50) }), { maxLength: 20 }),
        fc.nat(6),
        fc.boolean(),
        fc.array(fc.nat(25), { maxLength: 8 }),
        (specs, max, autoCreate, ticks) => {
          const list = specs.map((s, i) => sentry(i + 1, s.count, s.users))
          const items = plan(list, { maxNewIssues: max })
          const shaped = shapePlan(items, {
            ticked: new Set(ticks.map(String)),
            autoCreate,
            maxNewIssues: max,
            tracked: none,
            cached: {}
          })
          expect(shaped.items).toHaveLength(items.length)
          const creates = shaped.items.filter((i) => i.kind === 'create')
          expect(creates.length).toBeLessThanOrEqual(max)
          if (!autoCreate) {
            for (const c of creates) expect(shaped.fromDashboard.has(c.key)).toBe(true)
          }
          // Listed: exactly the issues not created (nothing is tracked here).
          const filed = new Set(creates.map((c) => (c.kind === 'create' ? c.sentry.id : '')))
          const entries = dashboardEntries(shaped.items, filed, none)
          expect(entries.length + creates.length).toBe(list.length)
          for (let i = 1; i < entries.length; i++)
            expect(entries[i - 1]!.count).toBeGreaterThanOrEqual(entries[i]!.count)
        }
      ),
      { numRuns: 200 }
    )
  })
})

import { EXAMPLES } from '../fixtures/events.js'
import { NATIVE_FIXTURES, NON_NATIVE_FIXTURES } from '../fixtures/native-events.js'
import { afterEach, describe, expect, it } from '@jest/globals'
import { compileOpenApiSchema, openApiToJsonSchema } from '../../src/fakes/contract.js'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { SentryClient } from '../../src/sentry/client.js'
import {
  sentryEventSchema,
  sentryIssueListSchema,
  sentryIssueFields,
  sentryIssueSchema
} from '../../src/sentry/schemas.js'

/**
 * The Sentry side of the contract, against the schemas and examples of Sentry's OpenAPI description
 * extracted into src/fakes/data/sentry-spec.json (scripts/extract-sentry-spec.mjs):
 * - what the fake Sentry serves (issue lists over seeded data, latest events) fits the schemas;
 * - any Sentry JSON fixtures under __tests__/fixtures fit them;
 * - our zod schemas (src/sentry/schemas.ts) accept every example, every value the spec allows for
 *   nullable and enum fields, and require nothing the spec leaves optional;
 * - the Sentry client sends only documented query parameters, with values that fit them.
 */

interface SpecParameter {
  name: string
  in: string
  required?: boolean | null
  schema: unknown
}
interface SpecOperation {
  operationId: string
  parameters?: SpecParameter[]
  examples: Record<string, Record<string, { value: unknown }>>
}
interface ObjectSchema {
  type?: string
  properties: Record<string, { nullable?: boolean; enum?: unknown[]; type?: string }>
  required: string[]
}
const sentry = spec as unknown as {
  schemas: Record<string, unknown>
  operations: Record<string, SpecOperation>
}

const LIST_KEY = 'GET /api/0/organizations/{organization_id_or_slug}/issues/'
const EVENT_KEY =
  'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/'
const listOperation = sentry.operations[LIST_KEY]
const eventOperation = sentry.operations[EVENT_KEY]
const listSchema = sentry.schemas['OrganizationGroupIndexGetResponse'] as { items: ObjectSchema }
const eventSchema = sentry.schemas['IssueEventDetailsResponse'] as ObjectSchema

const validateList = compileOpenApiSchema(listSchema)
const validateIssue = compileOpenApiSchema(listSchema.items)
const validateEvent = compileOpenApiSchema(eventSchema)

function examplesOf(operation: SpecOperation | undefined): Array<[string, unknown]> {
  return Object.entries(operation?.examples['200'] ?? {}).map(([name, e]) => [name, e.value])
}

const started: FakeSentry[] = []
async function startSentry(): Promise<FakeSentry> {
  const fake = await FakeSentry.start()
  started.push(fake)
  return fake
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function getJson(
  fake: FakeSentry,
  pathAndQuery: string
): Promise<{ body: unknown; link: string | null }> {
  const response = await fetch(`${fake.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${fake.token}` }
  })
  expect(response.status).toBe(200)
  return { body: await response.json(), link: response.headers.get('link') }
}

/** Every page of an issue listing, following `rel="next"` while `results="true"`. */
async function allPages(fake: FakeSentry, query: string): Promise<unknown[]> {
  const pages: unknown[] = []
  let cursor: string | undefined
  for (let i = 0; i < 100; i++) {
    const q = cursor === undefined ? query : `${query}&cursor=${encodeURIComponent(cursor)}`
    const { body, link } = await getJson(fake, `/api/0/organizations/${fake.org}/issues/?${q}`)
    pages.push(body)
    const next = /rel="next"; results="(true|false)"; cursor="([^"]+)"/.exec(link ?? '')
    if (next?.[1] !== 'true') return pages
    cursor = next[2]
  }
  throw new Error('too many pages')
}

/** Seeds a varied organization: two platforms, the spec's nullable and enum values in use. */
function seedVaried(fake: FakeSentry): void {
  fake.addProject('web-frontend')
  fake.addProject('backend')
  fake.seed(240, { seed: 11 })
  fake.addIssue({ projectSlug: 'backend', status: 'resolved', culprit: null })
  fake.addIssue({ projectSlug: 'backend', status: 'ignored', priority: null, substatus: null })
  fake.addIssue({ projectSlug: 'web-frontend', firstSeen: null, lastSeen: null, level: 'fatal' })
  fake.addIssue({
    projectSlug: 'web-frontend',
    assignedTo: { type: 'team', id: '201', name: 'frontend' },
    metadata: { title: 'Custom message without type' },
    level: 'info'
  })
}

describe('the fake Sentry serves what the spec describes', () => {
  it('OrganizationGroupIndexGetResponse: every page of every listing over seeded data', async () => {
    const fake = await startSentry()
    seedVaried(fake)
    let items = 0
    for (const query of [
      'query=&limit=100',
      'query=is%3Aunresolved&statsPeriod=24h&sort=freq&limit=100',
      `query=&project=${fake.projects[0]?.id ?? ''}&environment=production&sort=new&limit=50`,
      `query=&${fake.issues
        .slice(0, 30)
        .map((i) => `group=${String(i['id'])}`)
        .join('&')}`
    ]) {
      for (const page of await allPages(fake, query)) {
        expect(validateList(page)).toEqual([])
        items += (page as unknown[]).length
      }
    }
    expect(items).toBeGreaterThan(244 + 30)
  })

  it('and the check can fail: a count served as a number and a missing shortId are reported', async () => {
    const fake = await startSentry()
    fake.seed(3, { seed: 5, events: false })
    const [first, second] = fake.issues
    if (!first || !second) throw new Error('seed gave too few issues')
    first['count'] = 150
    delete second['shortId']
    const [page] = await allPages(fake, 'query=&limit=100')
    const index = (issue: Record<string, unknown>): number =>
      (page as Array<Record<string, unknown>>).findIndex((i) => i['id'] === issue['id'])
    expect(validateList(page).sort()).toEqual(
      [
        `/${index(first)}/count: must be string`,
        `/${index(second)}: must have required property 'shortId'`
      ].sort()
    )
  })

  it('IssueEventDetailsResponse: the latest event of issues of both platforms', async () => {
    const fake = await startSentry()
    seedVaried(fake)
    const ids = fake.issues
      .filter((i) => (fake.events.get(String(i['id'])) ?? []).length > 0)
      .slice(0, 40)
      .map((i) => String(i['id']))
    expect(ids.length).toBe(40)
    const platforms = new Set<string>()
    for (const id of ids) {
      const { body } = await getJson(
        fake,
        `/api/0/organizations/${fake.org}/issues/${id}/events/latest/`
      )
      expect(validateEvent(body)).toEqual([])
      platforms.add(String((body as Record<string, unknown>)['platform']))
    }
    expect([...platforms].sort()).toEqual(['javascript', 'python'])
  })
})

describe('Sentry fixtures', () => {
  // The realistic JavaScript and Python examples (__tests__/fixtures/events.ts) that the render
  // tests, the README examples and the fake's seeded events are built from.
  it.each(EXAMPLES)('the %s example issue and latest event fit the spec', (_name, example) => {
    expect(validateIssue(example.rawIssue)).toEqual([])
    expect(validateEvent(example.rawEvent)).toEqual([])
  })

  // The native (and .NET, Java) events of __tests__/fixtures/native-events.ts.
  it.each([...NATIVE_FIXTURES, ...NON_NATIVE_FIXTURES])(
    'the %s latest event fits the spec',
    (_name, fixture) => {
      expect(validateEvent(fixture.raw)).toEqual([])
    }
  )
})

describe('our zod schemas accept what the spec allows', () => {
  const listExamples = examplesOf(listOperation)
  const eventExamples = examplesOf(eventOperation)

  it('the spec has examples to check (re-run scripts/extract-sentry-spec.mjs if not)', () => {
    expect(listExamples.length).toBeGreaterThan(0)
    expect(eventExamples.length).toBeGreaterThan(0)
  })

  it.each(listExamples)('issue list example %s: spec-valid and accepted', (_name, value) => {
    expect(validateList(value)).toEqual([])
    const parsed = sentryIssueListSchema.safeParse(value)
    expect(parsed.success ? [] : parsed.error.issues).toEqual([])
    const first = (value as Array<Record<string, unknown>>)[0]
    expect(parsed.data?.[0]).toMatchObject({ id: first?.['id'], count: Number(first?.['count']) })
  })

  it.each(eventExamples)('event example %s: spec-valid and accepted', (_name, value) => {
    expect(validateEvent(value)).toEqual([])
    const parsed = sentryEventSchema.safeParse(value)
    expect(parsed.success ? [] : parsed.error.issues).toEqual([])
    expect(parsed.data?.id).toBe(String((value as Record<string, unknown>)['id']))
  })

  /**
   * The first list example with one field changed to each value the spec allows beyond it: null
   * for nullable fields, every member of an enum. Each variant must stay spec-valid (checked) and
   * be accepted by zod.
   */
  function issueVariants(): Array<[string, Record<string, unknown>]> {
    const base = (listExamples[0]?.[1] as Array<Record<string, unknown>>)[0] ?? {}
    const variants = new Map<string, Record<string, unknown>>()
    for (const [field, schema] of Object.entries(listSchema.items.properties)) {
      if (schema.nullable) variants.set(`${field}: null`, { ...base, [field]: null })
      for (const value of schema.enum ?? []) {
        variants.set(`${field}: ${JSON.stringify(value)}`, { ...base, [field]: value })
      }
    }
    const project = base['project'] as Record<string, unknown>
    variants.set('project.platform: null', { ...base, project: { ...project, platform: null } })
    variants.set('assignedTo: a team without email', {
      ...base,
      assignedTo: { type: 'team', id: '7', name: 'backend' }
    })
    return [...variants]
  }

  it.each(issueVariants())('an issue with %s is accepted', (_name, issue) => {
    expect(validateIssue(issue)).toEqual([])
    const parsed = sentryIssueSchema.safeParse(issue)
    expect(parsed.success ? [] : parsed.error.issues).toEqual([])
  })

  it('an event with every nullable top-level field null is accepted', () => {
    const base = eventExamples[0]?.[1] as Record<string, unknown>
    const nulled = { ...base }
    for (const [field, schema] of Object.entries(eventSchema.properties)) {
      if (schema.nullable) nulled[field] = null
    }
    expect(validateEvent(nulled)).toEqual([])
    const parsed = sentryEventSchema.safeParse(nulled)
    expect(parsed.success ? [] : parsed.error.issues).toEqual([])
  })

  it.each([
    ['issue', sentryIssueFields.unwrap().shape, listSchema.items.required],
    ['event', sentryEventSchema.unwrap().shape, eventSchema.required]
  ] as const)('the %s schema requires no field the spec leaves optional', (_n, shape, required) => {
    const requiredByZod = Object.entries(shape)
      .filter(
        ([, field]) =>
          !(field as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success
      )
      .map(([name]) => name)
    expect(requiredByZod).toContain('id')
    expect(requiredByZod.filter((name) => !required.includes(name))).toEqual([])
  })
})

describe('the Sentry client sends only documented query parameters', () => {
  /**
   * `group` (batch look-up by id) is read by the server (organization_group_index.py) but is not
   * in the public description; it is validated as a list of integers.
   */
  const UNDOCUMENTED = { group: { type: 'array', items: { type: 'integer' } } }

  function queryValidator(
    operation: SpecOperation | undefined,
    extra: Record<string, unknown> = {}
  ): (query: URLSearchParams) => string[] {
    const params = (operation?.parameters ?? []).filter((p) => p.in === 'query')
    const schema = {
      type: 'object',
      properties: {
        ...Object.fromEntries(params.map((p) => [p.name, p.schema])),
        ...extra
      },
      required: params.filter((p) => p.required === true).map((p) => p.name),
      additionalProperties: false
    }
    const validate = compileOpenApiSchema(schema, { coerceTypes: 'array' })
    return (query) => {
      const data: Record<string, unknown> = {}
      for (const key of new Set(query.keys())) {
        const values = query.getAll(key)
        data[key] = values.length === 1 ? values[0] : values
      }
      return validate(data)
    }
  }

  it('for listings, batch look-ups and latest events', async () => {
    const fake = await startSentry()
    seedVaried(fake)
    const client = new SentryClient({ baseUrl: fake.url, token: fake.token, maxRetries: 0 })
    try {
      const projectIds = await client.resolveProjectIds(fake.org, ['web-frontend', 'backend'])
      const listed = await client.listIssues(fake.org, {
        query: 'is:unresolved',
        statsPeriod: '14d',
        projectIds,
        environments: ['production', 'staging'],
        sort: 'freq',
        max: 230
      })
      expect(listed.issues.length).toBe(230)
      await client.getIssuesByIds(
        fake.org,
        listed.issues.slice(0, 120).map((i) => i.id),
        projectIds
      )
      await client.getLatestEvent(fake.org, listed.issues[0]?.id ?? '', {
        environments: ['production']
      })
    } finally {
      await client.close()
    }

    const validateListQuery = queryValidator(listOperation, UNDOCUMENTED)
    const validateEventQuery = queryValidator(eventOperation)
    const checked = { list: 0, event: 0 }
    for (const request of fake.requests) {
      if (/^\/api\/0\/organizations\/[^/]+\/issues\/$/.test(request.path)) {
        expect([request.path, validateListQuery(request.query)]).toEqual([request.path, []])
        checked.list++
      } else if (
        /^\/api\/0\/organizations\/[^/]+\/issues\/\d+\/events\/latest\/$/.test(request.path)
      ) {
        expect([request.path, validateEventQuery(request.query)]).toEqual([request.path, []])
        checked.event++
      }
    }
    expect(checked).toEqual({ list: 3 + 2, event: 1 })
  })

  it('and the check can fail: an unknown parameter and a bad value are reported', () => {
    const validate = queryValidator(listOperation, UNDOCUMENTED)
    expect(validate(new URLSearchParams('query=&limit=ten'))).toEqual(['/limit: must be integer'])
    expect(validate(new URLSearchParams('query=&sort=best'))).toEqual([
      '/sort: must be equal to one of the allowed values ("date", "freq", "inbox", "new", "recommended", "trends", "user")'
    ])
    expect(validate(new URLSearchParams('query=&colour=red'))).toEqual([
      '(root): must NOT have additional properties (colour)'
    ])
    expect(validate(new URLSearchParams('query=&group=abc'))).toEqual(['/group/0: must be integer'])
    // The schemas in use are the spec's, converted: nullable `culprit` admits null.
    expect(openApiToJsonSchema(listSchema.items.properties['culprit'])).toEqual({
      type: ['string', 'null']
    })
  })
})

describe('the set-up check reads what the spec describes', () => {
  const ORG_KEY = 'GET /api/0/organizations/{organization_id_or_slug}/'
  const ENVIRONMENTS_KEY = 'GET /api/0/organizations/{organization_id_or_slug}/environments/'
  const schemaOf = (key: string): unknown =>
    (sentry.operations[key] as SpecOperation & { responseSchema?: unknown }).responseSchema

  it('the fake serves the organization and its environments as the spec says', async () => {
    const fake = await startSentry()
    fake.addIssue({ environments: ['production', 'staging'] })
    const org = await getJson(fake, `/api/0/organizations/${fake.org}/?detailed=0`)
    expect(compileOpenApiSchema(schemaOf(ORG_KEY))(org.body)).toEqual([])
    const environments = await getJson(
      fake,
      `/api/0/organizations/${fake.org}/environments/?visibility=all`
    )
    expect(environments.body).toEqual([
      { id: '1', name: 'production' },
      { id: '2', name: 'staging' }
    ])
    expect(compileOpenApiSchema(schemaOf(ENVIRONMENTS_KEY))(environments.body)).toEqual([])
    expect(compileOpenApiSchema(schemaOf(ENVIRONMENTS_KEY))([{ id: 1 }])).not.toEqual([])
  })

  it('the client sends only documented query parameters to them', async () => {
    const fake = await startSentry()
    const client = new SentryClient({ baseUrl: fake.url, token: fake.token, maxRetries: 0 })
    try {
      await client.getOrganization(fake.org)
      await client.listEnvironments(fake.org)
    } finally {
      await client.close()
    }
    const params = (key: string): Set<string> =>
      new Set(
        (sentry.operations[key]?.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => p.name)
      )
    const [orgRequest, envRequest] = fake.requests
    expect([...(orgRequest?.query.keys() ?? [])]).toEqual(['detailed'])
    expect([...(envRequest?.query.keys() ?? [])]).toEqual(['visibility'])
    expect(params(ORG_KEY).has('detailed')).toBe(true)
    expect(params(ENVIRONMENTS_KEY).has('visibility')).toBe(true)
  })
})

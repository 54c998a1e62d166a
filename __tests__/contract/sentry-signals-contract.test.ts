import { afterEach, describe, expect, it } from '@jest/globals'
import { compileOpenApiSchema } from '../../src/fakes/contract.js'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { completedAutofix } from '../../src/fakes/fake-sentry-signals.js'
import { SentryClient } from '../../src/sentry/client.js'
import {
  sentryAutofixStartSchema,
  sentryAutofixStateSchema,
  sentryIssueOwnersSchema,
  sentryMemberListSchema,
  sentryTagDetailsSchema,
  sentryTeamListSchema
} from '../../src/sentry/signal-schemas.js'
import { seerFinding } from '../../src/sync/signals.js'

/**
 * The contract of an issue's signals against Sentry's OpenAPI description (extracted into
 * src/fakes/data/sentry-spec.json): the fake serves what the spec describes, our zod schemas
 * accept the spec's examples, and the client sends only documented parameters and bodies.
 */

interface SpecOperation {
  parameters?: Array<{ name: string; in: string; schema: unknown; required?: boolean | null }>
  responseSchema?: unknown
  requestSchema?: unknown
  examples: Record<string, Record<string, { value: unknown }>>
}
const operations = (spec as unknown as { operations: Record<string, SpecOperation> }).operations
const ORG = '/api/0/organizations/{organization_id_or_slug}'
const KEYS = {
  issue: `GET ${ORG}/issues/{issue_id}/`,
  members: `GET ${ORG}/members/`,
  teams: `GET ${ORG}/teams/`,
  autofix: `GET ${ORG}/issues/{issue_id}/autofix/`,
  start: `POST ${ORG}/issues/{issue_id}/autofix/`,
  tag: `GET ${ORG}/issues/{issue_id}/tags/{key}/`
} as const
type Key = keyof typeof KEYS

function operation(key: Key): SpecOperation {
  const found = operations[KEYS[key]]
  if (!found) throw new Error(`sentry-spec.json has no ${KEYS[key]}: re-run the extract script`)
  return found
}

const responseValidator = (key: Key): ((v: unknown) => string[]) =>
  compileOpenApiSchema(operation(key).responseSchema)

/** `owners` of the issue details: the part of that answer the action reads. */
const ownersSchema = (operation('issue').responseSchema as { properties: Record<string, unknown> })
  .properties['owners']

const started: FakeSentry[] = []
async function startSentry(): Promise<FakeSentry> {
  const fake = await FakeSentry.start()
  started.push(fake)
  return fake
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function call(fake: FakeSentry, path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${fake.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' }
  })
  expect(response.status).toBeLessThan(300)
  return response.json()
}

/** A fake with an issue that has every signal. */
async function withSignals(): Promise<{ fake: FakeSentry; id: string }> {
  const fake = await startSentry()
  const [issue] = fake.seed(1, { seed: 21 })
  const id = String(issue!['id'])
  const ada = fake.signals.addMember('ada@example.com')
  fake.signals.addMember('invited@example.com', null)
  const team = fake.signals.addTeam('backend')
  fake.signals.setOwners(id, [
    { type: 'suspectCommit', owner: `user:${ada.userId}` },
    { type: 'ownershipRule', owner: `team:${team.id}` }
  ])
  fake.signals.setTag(id, 'browser', [
    { value: 'Chrome', count: 7 },
    { value: 'Firefox', count: 2 }
  ])
  return { fake, id }
}

describe('the fake Sentry serves the signals as the spec describes', () => {
  it('owners (expand=owners), members, teams and tag details', async () => {
    const { fake, id } = await withSignals()
    const base = `/api/0/organizations/${fake.org}`
    const details = (await call(fake, `${base}/issues/${id}/?expand=owners`)) as {
      owners: unknown
    }
    expect(compileOpenApiSchema(ownersSchema)(details.owners)).toEqual([])
    expect(details.owners).toHaveLength(2)
    const members = await call(fake, `${base}/members/`)
    expect(responseValidator('members')(members)).toEqual([])
    expect(members).toHaveLength(2)
    expect(responseValidator('teams')(await call(fake, `${base}/teams/?detailed=0`))).toEqual([])
    const tag = await call(fake, `${base}/issues/${id}/tags/browser/`)
    expect(responseValidator('tag')(tag)).toEqual([])
    expect(tag).toMatchObject({ key: 'browser', totalValues: 9 })
  })

  it('Seer: no run, a started run, a finished one; POST answers 202 as the spec says', async () => {
    const { fake, id } = await withSignals()
    const path = `/api/0/organizations/${fake.org}/issues/${id}/autofix/`
    const validateState = responseValidator('autofix')
    expect(await call(fake, path)).toEqual({ autofix: null })
    const answer = await call(fake, path, {
      method: 'POST',
      body: JSON.stringify({ step: 'root_cause', stopping_point: 'root_cause' })
    })
    expect(responseValidator('start')(answer)).toEqual([])
    const running = await call(fake, path)
    expect(validateState(running)).toEqual([])
    expect(seerFinding(sentryAutofixStateSchema.parse(running))).toBeUndefined()
    fake.signals.autofix.set(id, completedAutofix('Because.', 'Do this.'))
    const done = await call(fake, path)
    expect(validateState(done)).toEqual([])
    expect(seerFinding(sentryAutofixStateSchema.parse(done))).toMatchObject({
      kind: 'root-cause',
      rootCause: 'Because.',
      solution: { description: 'Do this.' }
    })
  })

  it('and the check can fail: a count as text and a missing key are reported', () => {
    expect(
      responseValidator('tag')({ name: 'Browser', topValues: [{ count: '7' }] }).length
    ).toBeGreaterThan(1)
    expect(compileOpenApiSchema(ownersSchema)([{ type: 'codeowners' }])).not.toEqual([])
  })
})

describe('our zod schemas accept the spec examples', () => {
  const examples = (key: Key): Array<[string, unknown]> =>
    Object.entries(operation(key).examples['200'] ?? operation(key).examples['202'] ?? {}).map(
      ([name, e]) => [name, e.value]
    )
  const cases: Array<[Key, { safeParse(v: unknown): { success: boolean } }]> = [
    ['issue', sentryIssueOwnersSchema],
    ['members', sentryMemberListSchema],
    ['teams', sentryTeamListSchema],
    ['autofix', sentryAutofixStateSchema],
    ['start', sentryAutofixStartSchema],
    ['tag', sentryTagDetailsSchema]
  ]
  it.each(cases)('%s', (key, schema) => {
    const found = examples(key)
    expect(found.length).toBeGreaterThan(0)
    for (const [, value] of found) expect(schema.safeParse(value).success).toBe(true)
  })

  it("the autofix example's root cause is found", () => {
    const [[, value]] = examples('autofix') as [[string, unknown]]
    expect(seerFinding(sentryAutofixStateSchema.parse(value))).toMatchObject({
      kind: 'root-cause',
      rootCause: expect.stringContaining('run_ripgrep') as unknown
    })
  })
})

describe('the client sends only documented parameters and bodies', () => {
  /**
   * The member index reads `query` (`user.id:N` tokens; organization_member_index.py) but the
   * public description leaves it out.
   */
  const UNDOCUMENTED: Partial<Record<Key, Record<string, unknown>>> = {
    members: { query: { type: 'string', pattern: '^user\\.id:\\d+( user\\.id:\\d+)*$' } }
  }

  function queryValidator(key: Key): (query: URLSearchParams) => string[] {
    const params = (operation(key).parameters ?? []).filter((p) => p.in === 'query')
    const validate = compileOpenApiSchema(
      {
        type: 'object',
        properties: {
          ...Object.fromEntries(params.map((p) => [p.name, p.schema])),
          ...UNDOCUMENTED[key]
        },
        additionalProperties: false
      },
      { coerceTypes: 'array' }
    )
    return (query) => {
      const data: Record<string, unknown> = {}
      for (const name of new Set(query.keys())) {
        const values = query.getAll(name)
        data[name] = values.length === 1 ? values[0] : values
      }
      return validate(data)
    }
  }

  const ROUTES: Array<[Key, RegExp, string]> = [
    ['issue', /\/issues\/\d+\/$/, 'GET'],
    ['members', /\/members\/$/, 'GET'],
    ['teams', /\/teams\/$/, 'GET'],
    ['autofix', /\/autofix\/$/, 'GET'],
    ['start', /\/autofix\/$/, 'POST'],
    ['tag', /\/tags\/[^/]+\/$/, 'GET']
  ]

  it('for owners, members, teams, Seer and tags', async () => {
    const { fake, id } = await withSignals()
    const client = new SentryClient({ baseUrl: fake.url, token: fake.token, maxRetries: 0 })
    const bodies: unknown[] = []
    try {
      const owners = await client.getIssueOwners(fake.org, id)
      expect(owners.map((o) => o.type)).toEqual(['suspectCommit', 'ownershipRule'])
      const members = await client.listMembersByUserIds(fake.org, [
        owners[0]!.owner.slice(5),
        '999'
      ])
      expect(members.map((m) => m.user?.email)).toEqual(['ada@example.com'])
      expect((await client.listTeams(fake.org)).map((t) => t.slug)).toEqual(['backend'])
      expect(await client.getAutofix(fake.org, id)).toEqual({ autofix: null })
      await client.startAutofix(fake.org, id)
      bodies.push(fake.signals.autofixStarts[0]?.body)
      const tag = await client.getIssueTag(fake.org, id, 'browser', { environments: ['prod'] })
      expect(tag.topValues?.map((v) => v.value)).toEqual(['Chrome', 'Firefox'])
    } finally {
      await client.close()
    }
    const checked = new Set<Key>()
    for (const request of fake.requests) {
      const route = ROUTES.find(
        ([, re, method]) => re.test(request.path) && request.method === method
      )
      if (!route) continue
      checked.add(route[0])
      expect([request.path, queryValidator(route[0])(request.query)]).toEqual([request.path, []])
    }
    expect([...checked].sort()).toEqual(ROUTES.map(([key]) => key).sort())
    const validateBody = compileOpenApiSchema({
      ...(operation('start').requestSchema as object),
      additionalProperties: false
    })
    expect(bodies).toEqual([{ step: 'root_cause', stopping_point: 'root_cause' }])
    expect(validateBody(bodies[0])).toEqual([])
    expect(validateBody({ stopping_point: 'everything' })).not.toEqual([])
  })
})

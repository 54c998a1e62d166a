import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { getOctokit } from '@actions/github'
import {
  GitHubContractChecker,
  githubSpec,
  compileOpenApiSchema,
  openApiToJsonSchema,
  validateGitHubRequest,
  validateGitHubResponse
} from '../../src/fakes/contract.js'
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { KNOWN_FAKE_DEVIATIONS, watchGitHubContract } from '../helpers/contract.js'
import { startHarness } from '../helpers/harness.js'

/**
 * The contract checker (src/fakes/contract.ts) against GitHub's OpenAPI description as extracted
 * into src/fakes/data/github-spec.json: it accepts what GitHub documents and rejects what it does
 * not, so that the checks wired into the harness can actually fail.
 */

const started: FakeGitHub[] = []

async function start(): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start()
  started.push(fake)
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

const repo = { owner: 'acme', repo: 'web' }

/** A raw request to the fake (for requests Octokit would refuse to build). */
async function raw(
  fake: FakeGitHub,
  method: string,
  pathAndQuery: string,
  body?: unknown
): Promise<number> {
  const response = await fetch(`${fake.url}${pathAndQuery}`, {
    method,
    headers: {
      authorization: `token ${fake.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  await response.arrayBuffer()
  return response.status
}

describe('the extracted description', () => {
  it('is pinned, and holds every operation the action and the fake use', () => {
    expect(githubSpec.source.package).toBe('@octokit/openapi')
    expect(githubSpec.source.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(githubSpec.source.integrity).toMatch(/^sha512-/)
    // Exactly the operations the extraction script is given (one list, shared with it).
    const listed = (
      JSON.parse(readFileSync('scripts/github-operations.json', 'utf8')) as {
        operations: Array<{ operation: string; for: string }>
      }
    ).operations
    expect(listed.every((o) => o.for.trim() !== '')).toBe(true)
    expect(Object.keys(githubSpec.operations).sort()).toEqual(listed.map((o) => o.operation).sort())
    for (const op of Object.values(githubSpec.operations)) {
      expect(op.operationId).toMatch(/^[a-z-]+\/[a-z-]+$/)
      expect(Object.keys(op.responses).every((s) => /^2\d\d$/.test(s))).toBe(true)
    }
  })

  it('keeps references, and components hold exactly what the operations reach, each once', () => {
    expect(githubSpec.operations['POST /repos/{owner}/{repo}/issues']?.responses['201']).toEqual({
      contentType: 'application/json',
      schema: { $ref: '#/components/schemas/issue' }
    })
    const refsIn = (value: unknown, out: Set<string>): Set<string> => {
      if (Array.isArray(value)) for (const item of value) refsIn(item, out)
      else if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) {
          if (key === '$ref' && typeof item === 'string') out.add(item)
          else refsIn(item, out)
        }
      }
      return out
    }
    const components = githubSpec.components as Record<string, Record<string, unknown>>
    const reached = new Set<string>()
    const pending = [...refsIn(githubSpec.operations, new Set())]
    for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
      if (reached.has(ref)) continue
      reached.add(ref)
      const [, kind = '', name = ''] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? []
      expect(`${ref}: ${components[kind]?.[name] === undefined ? 'missing' : 'present'}`).toBe(
        `${ref}: present`
      )
      pending.push(...refsIn(components[kind]?.[name], new Set()))
    }
    const held = Object.entries(components).flatMap(([kind, named]) =>
      Object.keys(named).map((name) => `#/components/${kind}/${name}`)
    )
    expect(held.sort()).toEqual([...reached].sort())
    expect(held).toContain('#/components/schemas/issue')
    expect(held).toContain('#/components/parameters/owner')
  })
})

describe('openApiToJsonSchema', () => {
  it('turns OpenAPI 3.0 `nullable` into JSON Schema, also for enums and schemas without a type', () => {
    expect(openApiToJsonSchema({ type: 'string', nullable: true })).toEqual({
      type: ['string', 'null']
    })
    expect(
      openApiToJsonSchema({ type: 'string', nullable: true, enum: ['completed', 'not_planned'] })
    ).toEqual({ type: ['string', 'null'], enum: ['completed', 'not_planned', null] })
    expect(
      openApiToJsonSchema({ nullable: true, oneOf: [{ type: 'string' }, { type: 'integer' }] })
    ).toEqual({ anyOf: [{ type: 'null' }, { anyOf: [{ type: 'string' }, { type: 'integer' }] }] })
    expect(openApiToJsonSchema({ type: 'integer', nullable: false })).toEqual({ type: 'integer' })
  })

  it('reads `oneOf` as `anyOf`: an answer may fit alternatives GitHub describes as overlapping', () => {
    const validate = compileOpenApiSchema({
      oneOf: [
        { type: 'object', required: ['id'] },
        { type: 'object', required: ['title'] }
      ]
    })
    expect(validate({ id: 1, title: 'both' })).toEqual([])
    expect(validate({ body: 'neither' }).length).toBeGreaterThan(0)
  })

  it('walks only schema positions: a property named `nullable` or `x-y` is kept', () => {
    const schema = {
      type: 'object',
      properties: {
        nullable: { type: 'boolean' },
        'x-y': { type: 'string', nullable: true },
        list: { type: 'array', items: { type: 'integer', nullable: true } }
      },
      default: { nullable: true },
      'x-github': { enabledForGitHubApps: true }
    }
    expect(openApiToJsonSchema(schema)).toEqual({
      type: 'object',
      properties: {
        nullable: { type: 'boolean' },
        'x-y': { type: ['string', 'null'] },
        list: { type: 'array', items: { type: ['integer', 'null'] } }
      },
      default: { nullable: true }
    })
  })
})

describe('validateGitHubRequest', () => {
  it('accepts the requests the action makes', () => {
    expect(
      validateGitHubRequest({
        method: 'GET',
        path: '/repos/acme/web/issues',
        query: new URLSearchParams(
          'labels=sentry&state=all&sort=created&direction=asc&per_page=100&page=2'
        )
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({
        method: 'POST',
        path: '/repos/acme/web/issues',
        body: { title: 'Boom', body: '<!-- sentry-issue: acme/1 -->\n…', labels: ['sentry', 'bug'] }
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({
        method: 'PATCH',
        path: '/repos/acme/web/issues/12',
        body: { state: 'closed', state_reason: 'completed' }
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({
        method: 'POST',
        path: '/repos/acme/web/labels',
        body: { name: 'sentry', color: '362d59', description: 'Synced from Sentry' }
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({
        method: 'GET',
        path: '/search/issues',
        query: { q: 'repo:acme/web is:issue "sentry-issue: acme/1"', per_page: '100' }
      })
    ).toEqual([])
  })

  it('accepts percent-encoded path parameters and the redirect form of a transferred issue', () => {
    expect(
      validateGitHubRequest({
        method: 'DELETE',
        path: '/repos/acme/web/labels/good%20first%20issue'
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({ method: 'GET', path: '/repositories/1296269/issues/5' })
    ).toEqual([])
  })

  it('rejects an unknown path', () => {
    const problems = validateGitHubRequest({ method: 'GET', path: '/repos/acme/web/issuez' })
    expect(problems).toEqual([expect.stringContaining('unknown operation')])
    expect(problems[0]).toContain('GET /repos/acme/web/issuez')
  })

  it('rejects a method the path does not document, naming the operations it does', () => {
    const [problem] = validateGitHubRequest({ method: 'DELETE', path: '/repos/acme/web/issues' })
    expect(problem).toContain('DELETE is not documented for /repos/acme/web/issues')
    expect(problem).toContain('issues/list-for-repo (GET /repos/{owner}/{repo}/issues)')
    expect(problem).toContain('issues/create (POST /repos/{owner}/{repo}/issues)')
    expect(validateGitHubRequest({ method: 'POST', path: '/rate_limit' })[0]).toContain(
      'rate-limit/get'
    )
  })

  it('rejects a query value outside its schema, naming the operation', () => {
    const problems = validateGitHubRequest({
      method: 'GET',
      path: '/repos/acme/web/issues',
      query: new URLSearchParams('state=bogus&per_page=lots')
    })
    expect(problems).toEqual([
      'issues/list-for-repo (GET /repos/{owner}/{repo}/issues): query parameter state="bogus": must be equal to one of the allowed values ("open", "closed", "all")',
      'issues/list-for-repo (GET /repos/{owner}/{repo}/issues): query parameter per_page="lots": must be integer'
    ])
  })

  it('rejects an undocumented query parameter and a missing required one', () => {
    expect(
      validateGitHubRequest({
        method: 'GET',
        path: '/repos/acme/web/issues',
        query: { label: 'sentry' }
      })
    ).toEqual([
      'issues/list-for-repo (GET /repos/{owner}/{repo}/issues): query parameter "label" is not documented for this operation'
    ])
    expect(
      validateGitHubRequest({ method: 'GET', path: '/search/issues', query: { per_page: '10' } })
    ).toEqual([
      'search/issues-and-pull-requests (GET /search/issues): required query parameter "q" is missing'
    ])
  })

  it('rejects a path parameter outside its schema', () => {
    expect(validateGitHubRequest({ method: 'GET', path: '/repos/acme/web/issues/abc' })).toEqual([
      'issues/get (GET /repos/{owner}/{repo}/issues/{issue_number}): path parameter issue_number="abc": must be integer'
    ])
  })

  it('rejects a body of the wrong type, a missing required field and a missing or stray body', () => {
    expect(
      validateGitHubRequest({
        method: 'POST',
        path: '/repos/acme/web/issues',
        body: { title: 'Boom', labels: 'x' }
      })
    ).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): request body /labels: must be array'
    ])
    expect(
      validateGitHubRequest({ method: 'POST', path: '/repos/acme/web/issues', body: { body: 'x' } })
    ).toEqual([
      "issues/create (POST /repos/{owner}/{repo}/issues): request body: must have required property 'title'"
    ])
    expect(validateGitHubRequest({ method: 'POST', path: '/repos/acme/web/labels' })).toEqual([
      'issues/create-label (POST /repos/{owner}/{repo}/labels): the required request body is missing'
    ])
    expect(
      validateGitHubRequest({ method: 'GET', path: '/rate_limit', body: { please: true } })
    ).toEqual([
      'rate-limit/get (GET /rate_limit): this operation takes no request body, but one was sent'
    ])
    expect(
      validateGitHubRequest({
        method: 'PATCH',
        path: '/repos/acme/web/issues/3',
        body: { state: 'done' }
      })
    ).toEqual([
      'issues/update (PATCH /repos/{owner}/{repo}/issues/{issue_number}): request body /state: must be equal to one of the allowed values ("open", "closed")'
    ])
  })
})

describe('validateGitHubResponse', () => {
  it("accepts the fake's answers and rejects one missing a required field or of the wrong type", async () => {
    const fake = await start()
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const created = await octokit.rest.issues.create({ ...repo, title: 'Boom', labels: ['bug'] })
    const body = created.data as unknown as Record<string, unknown>
    expect(validateGitHubResponse('issues/create', 201, body)).toEqual([])
    expect(validateGitHubResponse('POST /repos/{owner}/{repo}/issues', 201, body)).toEqual([])

    const { number: _number, ...withoutNumber } = body
    expect(validateGitHubResponse('issues/create', 201, withoutNumber)).toEqual([
      "issues/create (POST /repos/{owner}/{repo}/issues): response 201 body: must have required property 'number'"
    ])
    expect(
      validateGitHubResponse('issues/create', 201, { ...body, author_association: 'STRANGER' })
    ).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): response 201 body /author_association: must be equal to one of the allowed values ("COLLABORATOR", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN", "MEMBER", "NONE", "OWNER")'
    ])
    const user = { ...(body['user'] as Record<string, unknown>) }
    delete user['login']
    expect(validateGitHubResponse('issues/create', 201, { ...body, user })).toEqual([
      "issues/create (POST /repos/{owner}/{repo}/issues): response 201 body /user: must have required property 'login'"
    ])
    expect(validateGitHubResponse('issues/create', 201, { ...body, id: 'I_1' })).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): response 201 body /id: must be integer'
    ])
  })

  it('converts the schemas behind references (nullable, and null joining a nullable enum)', async () => {
    const fake = await start()
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const created = await octokit.rest.issues.create({ ...repo, title: 'Boom' })
    const body = created.data as unknown as Record<string, unknown>
    // issue (a component) → state_reason: a nullable enum without null; milestone and user:
    // references to nullable components.
    expect(
      validateGitHubResponse('issues/create', 201, {
        ...body,
        state_reason: null,
        milestone: null,
        user: null
      })
    ).toEqual([])
    expect(
      validateGitHubResponse('issues/create', 201, { ...body, state_reason: 'bogus' })
    ).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): response 201 body /state_reason: must be equal to one of the allowed values ("completed", "reopened", "not_planned", "duplicate", null)'
    ])
    expect(validateGitHubResponse('issues/create', 201, { ...body, milestone: 3 })).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): response 201 body /milestone: must be object,null'
    ])
  })

  it('rejects an undocumented success status and a body on a 204; ignores error answers', () => {
    expect(validateGitHubResponse('issues/create', 200, {})).toEqual([
      'issues/create (POST /repos/{owner}/{repo}/issues): status 200 is not a documented success status (documented: 201)'
    ])
    expect(validateGitHubResponse('issues/delete-label', 204, undefined)).toEqual([])
    expect(validateGitHubResponse('issues/delete-label', 204, { ok: true })).toEqual([
      'issues/delete-label (DELETE /repos/{owner}/{repo}/labels/{name}): status 204 must have no body'
    ])
    expect(validateGitHubResponse('issues/create', 422, { nonsense: 1 })).toEqual([])
    expect(validateGitHubResponse('issues/teleport', 200, {})).toEqual([
      'issues/teleport: unknown operation (not in the extracted description)'
    ])
  })
})

describe('GitHubContractChecker on the fake GitHub', () => {
  it('finds nothing wrong with Octokit driving every operation the fake serves', async () => {
    const fake = await start()
    const checker = watchGitHubContract(fake)
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    await octokit.rest.rateLimit.get()
    await octokit.rest.issues.createLabel({
      ...repo,
      name: 'sentry',
      color: '362d59',
      description: 'x'
    })
    await octokit.rest.issues.getLabel({ ...repo, name: 'sentry' })
    await octokit.rest.issues.updateLabel({ ...repo, name: 'sentry', description: 'Synced' })
    await octokit.rest.issues.listLabelsForRepo({ ...repo, per_page: 100 })
    const { data: issue } = await octokit.rest.issues.create({
      ...repo,
      title: 'Boom',
      body: '<!-- sentry-issue: acme/1 -->',
      labels: ['sentry']
    })
    const issue_number = issue.number
    await octokit.rest.issues.get({ ...repo, issue_number })
    await octokit.rest.issues.listForRepo({
      ...repo,
      labels: 'sentry',
      state: 'all',
      per_page: 100
    })
    await octokit.rest.issues.update({
      ...repo,
      issue_number,
      state: 'closed',
      state_reason: 'not_planned'
    })
    await octokit.rest.issues.update({ ...repo, issue_number, state: 'open' })
    await octokit.rest.issues.createComment({ ...repo, issue_number, body: 'Resolved in Sentry.' })
    await octokit.rest.issues.listComments({ ...repo, issue_number, per_page: 100 })
    await octokit.rest.issues.addLabels({ ...repo, issue_number, labels: ['bug'] })
    await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number })
    await octokit.rest.issues.removeLabel({ ...repo, issue_number, name: 'bug' })
    await octokit.rest.issues.setLabels({ ...repo, issue_number, labels: ['sentry', 'triage'] })
    await octokit.rest.issues.removeAllLabels({ ...repo, issue_number })
    await octokit.rest.search.issuesAndPullRequests({
      q: 'repo:acme/web is:issue in:body "sentry-issue: acme/1"',
      per_page: 100
    })
    await octokit.rest.issues.deleteLabel({ ...repo, name: 'triage' })
    expect(checker.checked).toBe(19)
    expect(checker.report()).toBe('')
    expect(checker.violations).toEqual([])
  })

  it('records an invalid request and a 2xx answer that breaks the schema, and then throws', async () => {
    const fake = await start()
    const checker = watchGitHubContract(fake)
    expect(await raw(fake, 'GET', '/repos/acme/web/issues?state=bogus')).toBe(422)
    fake.injectFault({
      kind: 'status',
      status: 201,
      method: 'POST',
      pathIncludes: '/issues',
      body: { id: 1, title: 'not an issue' }
    })
    expect(await raw(fake, 'POST', '/repos/acme/web/issues', { title: 'Boom' })).toBe(201)
    expect(checker.violations.map((v) => v.operation)).toEqual([
      'issues/list-for-repo',
      'issues/create'
    ])
    expect(checker.violations[0]?.exchange).toBe('GET /repos/acme/web/issues?state=bogus → 422')
    expect(checker.violations[1]?.problems).toEqual([
      "issues/create (POST /repos/{owner}/{repo}/issues): response 201 body: must have required property 'assignee'",
      expect.stringContaining("must have required property 'closed_at'"),
      expect.any(String),
      expect.any(String),
      expect.any(String),
      expect.stringMatching(/^… and \d+ more$/)
    ])
    expect(() => checker.assertNoViolations()).toThrow(
      /2 exchange\(s\) with the fake GitHub broke GitHub's OpenAPI contract \(issues\/list-for-repo, issues\/create\)/
    )
  })

  it('can skip requests (for tests of error answers) while still checking answers', async () => {
    const fake = await start()
    const checker = watchGitHubContract(fake, { requests: false })
    expect(await raw(fake, 'GET', '/repos/acme/web/issues?state=bogus')).toBe(422)
    expect(await raw(fake, 'GET', '/nowhere')).toBe(404)
    expect(checker.violations).toEqual([])
    expect(checker.checked).toBe(2)
  })

  it('makes the harness fail a test whose requests break the contract', async () => {
    const h = await startHarness()
    expect(
      await raw(h.github, 'GET', '/repos/acme/web/issues?labels=sentry&state=everything')
    ).toBe(422)
    await expect(h.close()).rejects.toThrow(/issues\/list-for-repo[\s\S]*state="everything"/)
  })

  it('still needs every tolerated deviation (remove an entry once its cause is fixed)', async () => {
    const fake = await start()
    const strict = new GitHubContractChecker()
    const lenient = watchGitHubContract(fake)
    fake.onExchange = (exchange) => {
      strict.record(exchange)
      lenient.record(exchange)
    }
    fake.addIssue({ title: 'No body here', body: null, labels: ['sentry'] })
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    await octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/web body here' })
    expect(lenient.violations).toEqual([])
    expect([...lenient.tolerated.keys()].sort()).toEqual(
      KNOWN_FAKE_DEVIATIONS.map((d) => d.reason).sort()
    )
    expect(strict.violations).toHaveLength(1)
  })
})

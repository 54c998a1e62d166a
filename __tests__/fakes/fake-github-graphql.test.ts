import { afterEach, describe, expect, it } from '@jest/globals'
import { createGitHubClient } from '../../src/github/client.js'
import { BLAME_QUERY } from '../../src/github/blame.js'
import { silentLogger } from '../../src/log.js'
import { FakeGitHub, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * The fake GitHub's GraphQL endpoint and commits: queries are validated against GitHub's published
 * schema, `blame` answers from seeded commits with GitHub's error shapes, and the pull requests of
 * a commit fit GitHub's OpenAPI description.
 */

const started: FakeGitHub[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start(opts)
  started.push(fake)
  return fake
}

async function post(
  fake: FakeGitHub,
  path: string,
  body: unknown
): Promise<{ status: number; json: Record<string, unknown> }> {
  const origin = new URL(fake.url).origin
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { authorization: `bearer ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  return {
    status: response.status,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  }
}

const variables = (expression: string, path: string): Record<string, string> => ({
  owner: 'acme',
  name: 'web',
  expression,
  path
})

describe('GraphQL validation', () => {
  it('rejects a query GitHub would reject, with no data', async () => {
    const fake = await start()
    const { status, json } = await post(fake, '/graphql', {
      query: '{ repository(owner: "acme", name: "web") { nope } }'
    })
    expect(status).toBe(200)
    expect(json['data']).toBeUndefined()
    expect(json['errors']).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Cannot query field "nope" on type "Repository"')
      })
    ])
  })

  it('rejects a syntax error and a wrongly typed variable', async () => {
    const fake = await start()
    const syntax = await post(fake, '/graphql', { query: '{ repository(owner: "acme" ' })
    expect(syntax.json['errors']).toHaveLength(1)
    expect(syntax.json['data']).toBeUndefined()
    const typed = await post(fake, '/graphql', {
      query: 'query($n: Int!) { repository(owner: "acme", name: $n) { name } }',
      variables: { n: 1 }
    })
    expect(JSON.stringify(typed.json['errors'])).toMatch(/Int!.*String!/)
  })

  it('accepts the query the action sends', async () => {
    const fake = await start()
    const { json } = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: variables('HEAD', 'a.ts')
    })
    expect(json['errors']).toBeUndefined()
    expect(json['data']).toEqual({ repository: { object: null } })
  })
})

describe('blame', () => {
  it('answers the commit that last changed each line, through the real client', async () => {
    const fake = await start()
    const one = fake.addCommit({ message: 'one', files: { 'a.ts': ['x', 'y', 'z'] } })
    const two = fake.addCommit({
      message: 'two\n\nbody',
      author: { name: 'Ada', login: 'ada' },
      files: { 'a.ts': ['x', 'Y', 'z'] }
    })
    const client = createGitHubClient({
      token: fake.token,
      baseUrl: fake.url,
      log: silentLogger,
      writeSpacingMs: 0
    })
    const data = (await client.graphql(BLAME_QUERY, variables('main', 'a.ts'))) as {
      repository: { object: { blame: { ranges: Array<Record<string, unknown>> } } }
    }
    const ranges = data.repository.object.blame.ranges.map((r) => [
      r['startingLine'],
      r['endingLine'],
      (r['commit'] as { oid: string }).oid
    ])
    expect(ranges).toEqual([
      [1, 1, one.sha],
      [2, 2, two.sha],
      [3, 3, one.sha]
    ])
    const second = data.repository.object.blame.ranges[1]?.['commit']
    expect(second).toEqual({
      oid: two.sha,
      abbreviatedOid: two.sha.slice(0, 7),
      messageHeadline: 'two',
      author: { name: 'Ada', user: { login: 'ada' } }
    })
  })

  it('a missing file: NOT_FOUND on blame, the commit nulled', async () => {
    const fake = await start()
    const c = fake.addCommit({ message: 'one', files: { 'a.ts': ['x'] } })
    const { json } = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: variables(c.sha, 'b.ts')
    })
    expect(json['data']).toEqual({ repository: { object: null } })
    expect(json['errors']).toEqual([
      expect.objectContaining({
        type: 'NOT_FOUND',
        path: ['repository', 'object', 'blame'],
        message: "Could not resolve file for path 'b.ts'."
      })
    ])
  })

  it('a file deleted by a later commit is missing there, present before', async () => {
    const fake = await start()
    const one = fake.addCommit({ message: 'one', files: { 'a.ts': ['x'] } })
    const two = fake.addCommit({ message: 'two', files: { 'a.ts': null } })
    const before = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: variables(one.sha.slice(0, 7), 'a.ts')
    })
    expect(before.json['errors']).toBeUndefined()
    const after = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: variables(two.sha, 'a.ts')
    })
    expect(after.json['errors']).toEqual([expect.objectContaining({ type: 'NOT_FOUND' })])
  })

  it('without contents: read: FORBIDDEN on the object', async () => {
    const fake = await start({ contentsReadable: false })
    fake.addCommit({ message: 'one', files: { 'a.ts': ['x'] } })
    const { json } = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: variables('HEAD', 'a.ts')
    })
    expect(json['data']).toEqual({ repository: { object: null } })
    expect(json['errors']).toEqual([
      expect.objectContaining({
        type: 'FORBIDDEN',
        path: ['repository', 'object'],
        message: 'Resource not accessible by integration'
      })
    ])
  })

  it('another repository: NOT_FOUND on repository', async () => {
    const fake = await start()
    const { json } = await post(fake, '/graphql', {
      query: BLAME_QUERY,
      variables: { ...variables('HEAD', 'a.ts'), name: 'other' }
    })
    expect(json['data']).toEqual({ repository: null })
    expect(json['errors']).toEqual([
      expect.objectContaining({
        type: 'NOT_FOUND',
        message: "Could not resolve to a Repository with the name 'acme/other'."
      })
    ])
  })

  it('on GHES at /api/graphql only', async () => {
    const fake = await start({ pathPrefix: '/api/v3' })
    fake.addCommit({ message: 'one', files: { 'a.ts': ['x'] } })
    const ghes = await post(fake, '/api/graphql', {
      query: BLAME_QUERY,
      variables: variables('HEAD', 'a.ts')
    })
    expect(ghes.json['errors']).toBeUndefined()
    expect(ghes.status).toBe(200)
    expect((await post(fake, '/api/v3/graphql', { query: BLAME_QUERY })).status).toBe(404)
    const dotcom = await start()
    expect((await post(dotcom, '/api/graphql', { query: BLAME_QUERY })).status).toBe(404)
  })
})

describe('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', () => {
  it("fits GitHub's OpenAPI description", async () => {
    const fake = await start()
    const contract = watchGitHubContract(fake)
    fake.addPullRequest('Seeded pull request')
    const c = fake.addCommit({ message: 'one', files: { 'a.ts': ['x'] }, pulls: [1, 2] })
    const response = await fetch(`${fake.url}/repos/acme/web/commits/${c.sha}/pulls`, {
      headers: { authorization: `token ${fake.token}` }
    })
    const body = (await response.json()) as Array<{
      number: number
      merged_at: string | null
      title: string
    }>
    expect(response.status).toBe(200)
    expect(body.map((p) => [p.number, p.title, p.merged_at === null])).toEqual([
      [1, 'Seeded pull request', true],
      [2, 'one', false]
    ])
    expect(contract.checked).toBe(1)
    contract.assertNoViolations()
  })

  it('an unknown commit answers 422; without contents: read, 403', async () => {
    const fake = await start()
    const unknown = await fetch(`${fake.url}/repos/acme/web/commits/${'a'.repeat(40)}/pulls`, {
      headers: { authorization: `token ${fake.token}` }
    })
    expect(unknown.status).toBe(422)
    fake.contentsReadable = false
    const refused = await fetch(`${fake.url}/repos/acme/web/commits/${'a'.repeat(40)}/pulls`, {
      headers: { authorization: `token ${fake.token}` }
    })
    expect(refused.status).toBe(403)
  })
})

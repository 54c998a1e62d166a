import { afterEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { compileOpenApiSchema, validateGitHubRequest } from '../../src/fakes/contract.js'
import spec from '../../src/fakes/data/sentry-spec.json' with { type: 'json' }
import { FakeGitHub } from '../../src/fakes/fake-github.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { SentryClient } from '../../src/sentry/client.js'
import { watchGitHubContract } from '../helpers/contract.js'

/**
 * The contract of the endpoints behind "fixed on GitHub, known in Sentry": the fake GitHub's
 * timeline and sub-issues against GitHub's OpenAPI description, and the fake Sentry's resolve
 * with details and external issues against Sentry's (both as extracted into src/fakes/data/).
 */

const closers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()))
})

const repo = { owner: 'acme', repo: 'web' }

describe('the fake GitHub: timeline and sub-issues', () => {
  it('serves timelines and attaches sub-issues as GitHub documents them', async () => {
    const fake = await FakeGitHub.start()
    closers.push(fake)
    const checker = watchGitHubContract(fake)
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const a = fake.addIssue({ title: 'A' })
    const b = fake.addIssue({ title: 'B' })
    const c = fake.addIssue({ title: 'C' })
    fake.personCloseByPullRequest(a.number, 10, 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678')
    fake.personCloseByCommit(b.number, '4f2b9c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c')
    fake.personClose(c.number, 'completed')

    const timeline = (number: number) =>
      octokit.paginate(octokit.rest.issues.listEventsForTimeline, {
        ...repo,
        issue_number: number,
        per_page: 100
      })
    const events = await timeline(a.number)
    expect(events.map((e) => e.event)).toEqual(['cross-referenced', 'closed'])
    expect(events[1]).toMatchObject({ commit_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' })
    const pull = await timeline(10)
    expect(pull.map((e) => e.event)).toEqual(['merged', 'closed'])
    expect((await timeline(b.number)).at(-1)).toMatchObject({ event: 'closed' })
    expect((await timeline(c.number)).at(-1)).toMatchObject({ event: 'closed', commit_id: null })

    const added = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
      { ...repo, issue_number: a.number, sub_issue_id: b.id }
    )
    expect(added.status).toBe(201)
    expect(fake.subIssuesOf(a.number)).toEqual([b.number])
    // By number instead of id: GitHub finds no such issue.
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        ...repo,
        issue_number: a.number,
        sub_issue_id: c.number
      })
    ).rejects.toMatchObject({ status: 422 })
    await fake.close()
    checker.assertNoViolations()
  })

  it('the checker knows both operations and rejects a sub-issue named by a string', () => {
    expect(
      validateGitHubRequest({
        method: 'GET',
        path: '/repos/acme/web/issues/3/timeline',
        query: { per_page: '100', page: '2' }
      })
    ).toEqual([])
    expect(
      validateGitHubRequest({
        method: 'POST',
        path: '/repos/acme/web/issues/3/sub_issues',
        body: { sub_issue_id: '17' }
      })
    ).toEqual([
      'issues/add-sub-issue (POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues): request body /sub_issue_id: must be integer'
    ])
  })

  it('a parent holds at most 100 sub-issues', async () => {
    const fake = await FakeGitHub.start()
    closers.push(fake)
    const octokit = getOctokit(fake.token, { baseUrl: fake.url })
    const parent = fake.addIssue({ title: 'parent' })
    for (let i = 0; i < 100; i++) {
      const child = fake.addIssue({ title: `child ${i}` })
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        ...repo,
        issue_number: parent.number,
        sub_issue_id: child.id
      })
    }
    const extra = fake.addIssue({ title: 'one too many' })
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        ...repo,
        issue_number: parent.number,
        sub_issue_id: extra.id
      })
    ).rejects.toMatchObject({ status: 422 })
    expect(fake.subIssuesOf(parent.number)).toHaveLength(100)
  })
})

interface Operation {
  responseSchema?: unknown
  requestSchema?: unknown
  responseStatuses: string[]
}
const operations = (spec as unknown as { operations: Record<string, Operation> }).operations
const POST_LINK = 'POST /api/0/sentry-app-installations/{uuid}/external-issues/'
const DELETE_LINK =
  'DELETE /api/0/sentry-app-installations/{uuid}/external-issues/{external_issue_id}/'
const LIST_LINKS =
  'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/external-issues/'
const PUT_ISSUE = 'PUT /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/'

describe('the fake Sentry: resolutions and external issues', () => {
  async function start(): Promise<{ fake: FakeSentry; client: SentryClient }> {
    const fake = await FakeSentry.start()
    const client = new SentryClient({ baseUrl: fake.url, token: fake.token, maxRetries: 0 })
    closers.push(client, fake)
    return { fake, client }
  }

  it('the extracted description holds the four operations', () => {
    for (const key of [POST_LINK, DELETE_LINK, LIST_LINKS, PUT_ISSUE]) {
      expect(operations[key]).toBeDefined()
    }
    expect(operations[DELETE_LINK]!.responseStatuses).toContain('204')
    const inCommit = JSON.stringify(operations[PUT_ISSUE]!.requestSchema)
    expect(inCommit).toContain('"inCommit"')
    expect(inCommit).toContain('"inNextRelease"')
  })

  it('links, lists and deletes external issues with the documented shapes', async () => {
    const { fake, client } = await start()
    const uuid = fake.links.addInstallation('github-sync')
    const issue = fake.addIssue({})
    const id = String(issue['id'])
    const input = {
      issueId: id,
      webUrl: 'https://github.com/acme/web/issues/7',
      project: 'acme/web',
      identifier: '7'
    }
    const validateRequest = compileOpenApiSchema(operations[POST_LINK]!.requestSchema)
    expect(validateRequest({ ...input, issueId: Number(id) })).toEqual([])
    const link = await client.linkExternalIssue(uuid, input)
    expect(compileOpenApiSchema(operations[POST_LINK]!.responseSchema)(link)).toEqual([])
    expect(link.displayName).toBe('acme/web#7')
    // A second link for the same issue and integration replaces the first.
    const again = await client.linkExternalIssue(uuid, { ...input, webUrl: `${input.webUrl}0` })
    expect(again.id).toBe(link.id)
    const listed = await client.listExternalIssues(fake.org, id)
    expect(compileOpenApiSchema(operations[LIST_LINKS]!.responseSchema)(listed)).toEqual([])
    expect(listed).toHaveLength(1)
    await client.unlinkExternalIssue(uuid, link.id)
    expect(await client.listExternalIssues(fake.org, id)).toEqual([])
    await expect(client.unlinkExternalIssue(uuid, link.id)).rejects.toMatchObject({ status: 404 })
    await expect(
      client.linkExternalIssue('00000000-0000-4000-8000-000000000000', input)
    ).rejects.toMatchObject({ status: 404 })
    fake.forbiddenTokens = [fake.token]
    await expect(client.linkExternalIssue(uuid, input)).rejects.toMatchObject({ status: 403 })
  })

  it('resolves in a commit of a connected repository, else answers 400 as Sentry does', async () => {
    const { fake, client } = await start()
    const issue = fake.addIssue({})
    const id = String(issue['id'])
    fake.links.repositories = ['acme/web']
    await expect(
      client.resolveIssue(fake.org, id, { inCommit: { commit: 'abc1234', repository: 'acme/api' } })
    ).rejects.toMatchObject({
      status: 400,
      detail: expect.stringContaining('Unable to find the given repository.')
    })
    expect(issue['status']).toBe('unresolved')
    await expect(client.resolveIssue(fake.org, id, { inNextRelease: true })).rejects.toMatchObject({
      status: 400,
      detail: expect.stringContaining("basis for 'Next Release'")
    })
    await client.resolveIssue(fake.org, id, {
      inCommit: { commit: 'abc1234', repository: 'acme/web' }
    })
    expect(issue['status']).toBe('resolved')
    expect(issue['statusDetails']).toEqual({
      inCommit: { id: 'abc1234', repository: { name: 'acme/web' } }
    })
  })
})

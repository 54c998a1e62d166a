import { afterEach, describe, expect, it } from '@jest/globals'
import { FakeGitHub, type FakeGitHubOptions } from '../../src/fakes/fake-github.js'
import type { GitHubContractChecker } from '../../src/fakes/contract.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import {
  listIssueFields,
  listIssueFieldValues,
  listMilestones,
  setIssueFieldValues
} from '../../src/github/metadata.js'
import { silentLogger } from '../../src/log.js'
import { watchGitHubContract } from '../helpers/contract.js'

/** The metadata functions against the fake GitHub, through the action's own client. */

const started: FakeGitHub[] = []
const contracts: GitHubContractChecker[] = []

async function start(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await FakeGitHub.start(opts)
  started.push(fake)
  // Requests and answers are checked against GitHub's OpenAPI description.
  contracts.push(watchGitHubContract(fake))
  return fake
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
  for (const c of contracts.splice(0)) c.assertNoViolations()
})

function client(fake: FakeGitHub): GitHubClient {
  return createGitHubClient({
    token: fake.token,
    baseUrl: fake.url,
    log: silentLogger,
    writeSpacingMs: 0,
    searchSpacingMs: 0,
    retries: 0
  })
}

const repo = { owner: 'acme', repo: 'web' }

const fields: FakeGitHubOptions['issueFields'] = [
  { name: 'Priority', data_type: 'single_select', options: ['High', 'Low'] },
  { name: 'Notes', data_type: 'text' },
  { name: 'Points', data_type: 'number' }
]

async function rejection(promise: Promise<unknown>): Promise<{ status?: number; message: string }> {
  try {
    await promise
  } catch (error) {
    const e = error as { status?: number; message?: string }
    return { status: e.status, message: String(e.message) }
  }
  throw new Error('expected a rejection')
}

describe('listMilestones', () => {
  it('returns every milestone, open and closed, over all pages', async () => {
    const fake = await start()
    for (let i = 1; i <= 104; i++) fake.addMilestone(`m${i}`)
    fake.addMilestone('Shipped', { state: 'closed', description: 'done' })
    const milestones = await listMilestones(client(fake), repo)
    expect(milestones).toHaveLength(105)
    expect(milestones.find((m) => m.title === 'Shipped')).toMatchObject({
      number: 105,
      state: 'closed',
      description: 'done',
      due_on: null
    })
    expect(fake.requests.map((r) => [r.query.get('state'), r.query.get('page')])).toEqual([
      ['all', null],
      ['all', '2']
    ])
    const open = await listMilestones(client(fake), repo, { state: 'open' })
    expect(open.map((m) => m.title)).not.toContain('Shipped')
    expect(open).toHaveLength(104)
  })

  it('names the operation when GitHub answers something unexpected', async () => {
    const fake = await start()
    fake.injectFault({ kind: 'status', status: 200, body: [{ number: 'one', title: 'x' }] })
    await expect(listMilestones(client(fake), repo)).rejects.toThrow(
      /unexpected response to GET \/repos\/\{owner\}\/\{repo\}\/milestones at 0\.number/
    )
    // The malformed answer breaks the contract on purpose.
    const contract = contracts.at(-1)
    expect(contract?.violations.map((v) => v.operation)).toEqual(['issues/list-milestones'])
    contract?.violations.splice(0)
  })
})

describe('listIssueFields', () => {
  it('returns the organisation’s fields with their options', async () => {
    const fake = await start({ issueFields: fields })
    const result = await listIssueFields(client(fake), 'acme')
    expect(result?.map((f) => [f.id, f.name, f.data_type])).toEqual([
      [1001, 'Priority', 'single_select'],
      [1002, 'Notes', 'text'],
      [1003, 'Points', 'number']
    ])
    expect(result?.[0]?.options?.map((o) => o.name)).toEqual(['High', 'Low'])
    expect(fake.requests[0]?.path).toBe('/orgs/acme/issue-fields')
  })

  it('is undefined when GitHub answers 404 (no issue fields, another org, a user)', async () => {
    const none = await start()
    expect(await listIssueFields(client(none), 'acme')).toBeUndefined()
    expect(none.requests.map((r) => r.status)).toEqual([404])
    const fake = await start({ issueFields: fields })
    expect(await listIssueFields(client(fake), 'other')).toBeUndefined()
    const user = await start({ ownerType: 'User', issueFields: fields })
    expect(await listIssueFields(client(user), 'acme')).toBeUndefined()
  })

  it('rethrows other errors', async () => {
    const fake = await start({ issueFields: fields })
    fake.injectFault({ kind: 'status', status: 403, pathIncludes: '/issue-fields' })
    expect((await rejection(listIssueFields(client(fake), 'acme'))).status).toBe(403)
  })
})

describe('setIssueFieldValues and listIssueFieldValues', () => {
  it('adds and updates values, keeping the issue’s other values', async () => {
    const fake = await start({ issueFields: fields })
    const issue = fake.addIssue({ title: 'x', field_values: [{ field_id: 1002, value: 'keep' }] })
    const github = client(fake)

    const after = await setIssueFieldValues(github, repo, issue.number, [
      { field_id: 1001, value: 'High' },
      { field_id: 1003, value: 3 }
    ])
    expect(after.map((v) => [v.issue_field_id, v.value, v.single_select_option?.name])).toEqual([
      [1001, 2001, 'High'],
      [1002, 'keep', undefined],
      [1003, 3, undefined]
    ])
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/repos/acme/web/issues/${issue.number}/issue-field-values`,
      body: {
        issue_field_values: [
          { field_id: 1001, value: 'High' },
          { field_id: 1003, value: 3 }
        ]
      }
    })
    expect(fake.issues[0]?.field_values).toEqual([
      { field_id: 1002, value: 'keep' },
      { field_id: 1001, value: 'High' },
      { field_id: 1003, value: 3 }
    ])

    const listed = await listIssueFieldValues(github, repo, issue.number)
    expect(listed).toEqual(after)
  })

  it('writes nothing for no values (GitHub would clear them all) and returns the current ones', async () => {
    const fake = await start({ issueFields: fields })
    const issue = fake.addIssue({ title: 'x', field_values: [{ field_id: 1003, value: 1 }] })
    const current = await setIssueFieldValues(client(fake), repo, issue.number, [])
    expect(current.map((v) => v.value)).toEqual([1])
    expect(fake.writeCount()).toBe(0)
    expect(fake.issues[0]?.field_values).toEqual([{ field_id: 1003, value: 1 }])
  })

  it('rejects with GitHub’s 422 for an unknown option or field, storing nothing', async () => {
    const fake = await start({ issueFields: fields })
    const issue = fake.addIssue({ title: 'x' })
    const github = client(fake)
    const option = await rejection(
      setIssueFieldValues(github, repo, issue.number, [{ field_id: 1001, value: 'Urgent' }])
    )
    expect(option.status).toBe(422)
    expect(option.message).toContain('Issue field option with name Urgent does not exist')
    const field = await rejection(
      setIssueFieldValues(github, repo, issue.number, [{ field_id: 42, value: 'x' }])
    )
    expect(field.status).toBe(422)
    expect(field.message).toContain('Issue field with id 42 not found')
    expect(fake.issues[0]?.field_values).toEqual([])
  })

  it('lists values over all pages', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      name: `F${i}`,
      data_type: 'text' as const
    }))
    const fake = await start({ issueFields: many })
    const issue = fake.addIssue({
      title: 'x',
      field_values: many.map((_, i) => ({ field_id: 1001 + i, value: `v${i}` }))
    })
    const values = await listIssueFieldValues(client(fake), repo, issue.number)
    expect(values).toHaveLength(120)
    expect(values.at(-1)).toMatchObject({ issue_field_id: 1120, value: 'v119' })
    expect(fake.requests.map((r) => r.query.get('page'))).toEqual([null, '2'])
  })

  it('rejects with 404 where the organisation has no issue fields', async () => {
    const fake = await start()
    const issue = fake.addIssue({ title: 'x' })
    const github = client(fake)
    expect((await rejection(listIssueFieldValues(github, repo, issue.number))).status).toBe(404)
    const set = await rejection(
      setIssueFieldValues(github, repo, issue.number, [{ field_id: 1001, value: 'High' }])
    )
    expect(set.status).toBe(404)
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { issueOf, plainSummary, startHarness, type Harness } from './helpers/harness.js'
import type { FakeIssue as SentryIssue } from '../src/fakes/fake-sentry.js'
import { ACTION_SIGNATURE, copiedNoteId, isActionComment } from '../src/render/comments.js'
import { findStatsBlock } from '../src/render/stats-block.js'

/**
 * Comments both ways (sync-comments) through both fakes: Sentry notes become attributed, escaped
 * GitHub comments; comments from the team become Sentry notes naming their author and linking
 * them (on scheduled runs and on issue_comment events); each is copied once, the action's own
 * never travel, and a steady run costs no request more than a run without comments.
 */

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

const BOTH = { 'sync-comments': 'both' }
const ADA = { id: '101', name: 'Ada Lovelace', email: 'ada@example.com' }

function sentryWrites(): Array<{ method: string; path: string }> {
  return h.sentry.requests.filter((r) => r.method !== 'GET')
}

function githubWrites(): Array<{ method: string; path: string }> {
  return h.github.requests.filter((r) => r.method !== 'GET')
}

function notesOf(issue: SentryIssue): string[] {
  return h.sentry.notes.filter((n) => n.issueId === String(issue['id'])).map((n) => n.text)
}

/** The comments people would read: the action's lifecycle comments left out. */
function copiesOn(issue: SentryIssue): string[] {
  return issueOf(h.github, issue['id'])
    .comments.map((c) => c.body)
    .filter((b) => copiedNoteId(b) !== undefined)
}

async function filed(): Promise<SentryIssue> {
  const a = h.sentry.addIssue({ count: 5, userCount: 2 })
  await h.run(BOTH)
  return a
}

describe('Sentry → GitHub', () => {
  it('each new note becomes one attributed, escaped comment, copied once', async () => {
    const a = await filed()
    h.sentry.personNote(
      String(a['id']),
      'Root cause is @octocat’s change in #12, see <img src=x> and\n<!-- sentry-issue: x -->',
      ADA
    )
    const result = await h.run(BOTH)
    expect(result.failed).toBe(false)
    const copies = copiesOn(a)
    expect(copies).toHaveLength(1)
    const copy = copies[0]!
    expect(copy.startsWith('**Ada Lovelace** in Sentry:\n\n> ')).toBe(true)
    expect(copy).not.toMatch(/(^|[^`])@octocat/)
    expect(copy).toContain('`#12`')
    expect(copy).not.toContain('<img')
    expect(copy.split('\n').filter((l) => l.startsWith('<!--'))).toEqual([
      expect.stringMatching(/^<!-- sentry-note: \d+ -->$/),
      '<!-- sentry-issues-action -->'
    ])
    expect(findStatsBlock(issueOf(h.github, a['id']).body)?.memory.comments).toMatchObject({
      nc: 1,
      gc: 1
    })
    // The copy never comes back to Sentry, and nothing is copied twice.
    await h.run(BOTH)
    expect(copiesOn(a)).toHaveLength(1)
    expect(notesOf(a)).toHaveLength(1)
  })

  it('notes written before comments were synced stay where they are', async () => {
    const a = h.sentry.addIssue({ count: 5, userCount: 2 })
    h.sentry.personNote(String(a['id']), 'an old note', ADA)
    await h.run(BOTH) // the first run ever: nothing tells new from old
    await h.run(BOTH)
    expect(copiesOn(a)).toHaveLength(0)
    h.sentry.personNote(String(a['id']), 'a new note', ADA)
    await h.run(BOTH)
    expect(copiesOn(a)).toHaveLength(1)
    expect(copiesOn(a)[0]).toContain('a new note')
  })
})

describe('GitHub → Sentry', () => {
  it('a comment from the team becomes a note naming its author and linking it', async () => {
    const a = await filed()
    const gh = issueOf(h.github, a['id'])
    const comment = h.github.personComment(gh.number, 'Fixed in the next deploy', 'grace-h')
    const result = await h.run(BOTH)
    expect(result.failed).toBe(false)
    expect(notesOf(a)).toEqual([
      `**grace-h** on GitHub: ${String(comment['html_url'])}\n\nFixed in the next deploy`
    ])
    // The note is the action's: it never comes back as a GitHub comment.
    await h.run(BOTH)
    expect(copiesOn(a)).toHaveLength(0)
    expect(notesOf(a)).toHaveLength(1)
  })

  it('comments from outside the team stay on GitHub unless comment-authors admits them', async () => {
    const a = await filed()
    const gh = issueOf(h.github, a['id'])
    h.github.personComment(gh.number, 'me too!!', 'passer-by', 'NONE')
    await h.run(BOTH)
    expect(notesOf(a)).toHaveLength(0)
    h.github.personComment(gh.number, 'a contributor’s finding', 'helper', 'CONTRIBUTOR')
    await h.run({ ...BOTH, 'comment-authors': 'OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR' })
    expect(notesOf(a)).toEqual([expect.stringContaining('a contributor’s finding')])
  })

  it('the action’s own comments never travel', async () => {
    const a = await filed()
    a['status'] = 'resolved'
    await h.run(BOTH) // closes with a comment
    const gh = issueOf(h.github, a['id'])
    expect(gh.comments.filter((c) => isActionComment(c.body))).toHaveLength(1)
    await h.run(BOTH)
    expect(notesOf(a)).toHaveLength(0)
  })

  it('an issue_comment event copies that comment once; the next scheduled run adds nothing', async () => {
    const a = await filed()
    const gh = issueOf(h.github, a['id'])
    const comment = h.github.personComment(gh.number, 'On it', 'grace-h', 'COLLABORATOR')
    const payload = {
      action: 'created',
      issue: { id: gh.id, number: gh.number, body: gh.body, state: 'open', comments: 1 },
      comment
    }
    const path = `${h.workdir}/event.json`
    await writeFile(path, JSON.stringify(payload))
    process.env.GITHUB_EVENT_NAME = 'issue_comment'
    process.env.GITHUB_EVENT_PATH = path
    let first
    let again
    try {
      first = await h.run(BOTH)
      again = await h.run(BOTH) // a redelivery
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
    expect(first.failed).toBe(false)
    expect(first.outputs.updated).toBe('1')
    expect(again.summary).toContain('already copied to Sentry')
    expect(notesOf(a)).toHaveLength(1)
    await h.run(BOTH)
    expect(notesOf(a)).toHaveLength(1)
    // The action's own comment coming back as an event (an app or personal token): no request.
    const own = `Resolved in Sentry.\n\n${ACTION_SIGNATURE}`
    await writeFile(path, JSON.stringify({ ...payload, comment: { ...comment, id: 1, body: own } }))
    process.env.GITHUB_EVENT_NAME = 'issue_comment'
    process.env.GITHUB_EVENT_PATH = path
    const sentryBefore = h.sentry.requests.length
    try {
      await h.run(BOTH)
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
    expect(h.sentry.requests.length).toBe(sentryBefore)
  })
})

describe('budget, directions, dry runs and input', () => {
  it('a steady run costs the same requests as a run without sync-comments', async () => {
    const a = await filed()
    h.sentry.personNote(String(a['id']), 'a note', ADA)
    await h.run(BOTH)
    h.github.resetRequests()
    const before = h.sentry.requests.length
    await h.run(BOTH)
    const withComments = h.github.requests.length + h.sentry.requests.length - before
    expect(githubWrites()).toHaveLength(0)
    h.github.resetRequests()
    const plainBefore = h.sentry.requests.length
    await h.run()
    expect(h.github.requests.length + h.sentry.requests.length - plainBefore).toBe(withComments)
    expect(h.sentry.requests.some((r) => r.path.endsWith('/comments/') && r.method === 'GET')).toBe(
      true // the run that copied read the notes…
    )
    expect(
      h.sentry.requests.slice(before).filter((r) => r.path.endsWith('/comments/'))
    ).toHaveLength(0) // …the steady ones did not
  })

  it('to-github copies notes only; to-sentry comments only', async () => {
    const a = await filed()
    const gh = issueOf(h.github, a['id'])
    h.sentry.personNote(String(a['id']), 'from Sentry', ADA)
    h.github.personComment(gh.number, 'from GitHub', 'grace-h')
    await h.run({ 'sync-comments': 'to-github' })
    expect(copiesOn(a)).toHaveLength(1)
    expect(notesOf(a)).toEqual(['from Sentry'])
  })

  it('a dry run says what would travel and writes nothing', async () => {
    const a = await filed()
    h.sentry.personNote(String(a['id']), 'a note', ADA)
    h.github.resetRequests()
    const before = sentryWrites().length
    const result = await h.run({ ...BOTH, 'dry-run': 'true' })
    expect(githubWrites()).toHaveLength(0)
    expect(sentryWrites().length).toBe(before)
    expect(plainSummary(result.summary)).toContain('would copy 1 Sentry note(s) to GitHub')
    expect(result.outputs.updated).toBe('1')
  })

  it('bad input is one error naming the input', async () => {
    const wrong = await h.run({ 'sync-comments': 'sometimes' })
    expect(wrong.failed).toBe(true)
    expect(wrong.stdout).toContain('sync-comments must be one of: off, both, to-sentry, to-github')
    const authors = await h.run({ 'sync-comments': 'both', 'comment-authors': 'FRIENDS' })
    expect(authors.stdout).toContain('comment-authors must be a comma-separated list')
    expect(h.sentry.requests).toHaveLength(0)
  })
})

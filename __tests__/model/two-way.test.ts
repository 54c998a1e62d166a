import { describe, it } from '@jest/globals'
import fc from 'fast-check'
import { writeFile } from 'node:fs/promises'
import type { FakeIssue as GitHubIssue } from '../../src/fakes/fake-github.js'
import type { FakeIssue as SentryIssue } from '../../src/fakes/fake-sentry.js'
import { parseMarker } from '../../src/plan/marker.js'
import { copiedCommentUrl, copiedNoteId, isActionComment } from '../../src/render/comments.js'
import { startHarness, type Harness } from '../helpers/harness.js'

/**
 * A model-based test of the two-way sync: people assign, unassign and comment in either tool
 * (some of them people or teams assignee-map does not name, some comments from outside the team),
 * scheduled runs and issues / issue_comment events happen in between, on a clock that moves a few
 * seconds with each step. After every scheduled run the promises are checked against a model of
 * who did what last:
 * - the last mapped assignment (or unassignment), in whichever tool, holds in both;
 * - every person's Sentry note is on GitHub once, every team comment in Sentry once, comments from
 *   outside the team never; nothing the action wrote travels;
 * - no change travels twice: a run right after a run writes nothing on either side.
 * (Status both ways has its own model in living.test.ts.)
 */

const SEED = Number(process.env.MODEL_SEED ?? 20261208)
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 12)
const ISSUES = 3
const INPUTS = {
  'sync-assignees': 'both',
  'sync-comments': 'both',
  'assignee-map': 'ada@example.com => ada-l\ngrace@example.com => grace-h\n#backend => backend-lead'
}

/** Who can be assigned: mapped people and a team, and one person on each side the map lacks. */
const PEOPLE = [
  { sentry: 'ada@example.com', key: 'u101', login: 'ada-l' },
  { sentry: 'grace@example.com', key: 'u102', login: 'grace-h' },
  { sentry: 'team', key: 'team', login: 'backend-lead' },
  { sentry: 'alan@example.com', key: 'u103', login: undefined }, // unmapped in Sentry
  { sentry: undefined, key: undefined, login: 'stranger' } // unmapped on GitHub
] as const

type Command =
  | { t: 'run' }
  | { t: 'sentryAssign'; pick: number; who: number }
  | { t: 'githubAssign'; pick: number; who: number }
  /** A person adds someone to the GitHub assignees, leaving the others. */
  | { t: 'githubAdd'; pick: number; who: number }
  | { t: 'sentryNote'; pick: number }
  | { t: 'githubComment'; pick: number; team: boolean }
  | { t: 'assignedEvent'; pick: number; who: number }
  | { t: 'commentEvent'; pick: number }

const pick = fc.nat(ISSUES - 1)
const who = fc.nat(PEOPLE.length) // PEOPLE.length: nobody (unassign)
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Command>({ t: 'run' }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('sentryAssign' as const), pick, who }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('githubAssign' as const), pick, who }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('githubAdd' as const), pick, who }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sentryNote' as const), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('githubComment' as const), pick, team: fc.boolean() })
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('assignedEvent' as const), pick, who }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('commentEvent' as const), pick }) }
)

/** What a person did last about an issue's assignee: the Sentry key and GitHub login wanted. */
interface LastAssignment {
  side: 'sentry' | 'github' | 'github-add'
  key: string | null
  login: string | null
  /** The person or team is not in the map: nothing is carried over. */
  unmapped: boolean
}

interface Model {
  last: Map<string, LastAssignment>
  /** Texts of people's Sentry notes, per Sentry issue id. */
  notes: Map<string, string[]>
  /** Texts of team comments and of outsiders' comments, per Sentry issue id. */
  team: Map<string, string[]>
  outside: Map<string, string[]>
}

async function live(commands: Command[]): Promise<void> {
  let clock = Date.now()
  const h = await startHarness({
    sentry: { now: () => new Date(clock) },
    github: { now: () => clock }
  })
  const team = h.sentry.signals.addTeam('backend')
  const log: string[] = []
  const model: Model = { last: new Map(), notes: new Map(), team: new Map(), outside: new Map() }
  let counter = 0
  try {
    const issues: SentryIssue[] = []
    for (let i = 0; i < ISSUES; i++) issues.push(h.sentry.addIssue({ count: 5, userCount: 1 }))
    await h.run(INPUTS)
    const github = (s: SentryIssue): GitHubIssue => {
      const found = h.github.issues.find((g) => parseMarker(g.body)?.issueId === String(s['id']))
      if (!found) throw new Error(`no GitHub issue for ${String(s['id'])}`)
      return found
    }
    const sentryValue = (p: (typeof PEOPLE)[number]): string =>
      p.sentry === 'team' ? `team:${team.id}` : (p.sentry ?? '')
    const keyOf = (p: (typeof PEOPLE)[number]): string | null =>
      p.key === 'team' ? `t${team.id}` : (p.key ?? null)

    const fail = (problems: string[]): void => {
      if (problems.length > 0)
        throw new Error(`${problems.join('\n')}\n--- steps:\n${log.join('\n')}`)
    }

    for (const c of commands) {
      clock += 3000
      const s = issues[('pick' in c ? c.pick : 0) % ISSUES]
      const id = s ? String(s['id']) : ''
      switch (c.t) {
        case 'run': {
          const result = await h.run(INPUTS)
          log.push('run')
          fail(
            result.failed
              ? [
                  `run failed: ${result.stdout
                    .split('\n')
                    .filter((l) => l.startsWith('::error'))
                    .join(' ')}`
                ]
              : []
          )
          fail(check(h, model, issues, github))
          // No change travels twice: the next run writes nothing.
          clock += 3000
          const githubBefore = h.github.requests.filter((r) => r.method !== 'GET').length
          const sentryBefore = h.sentry.requests.filter((r) => r.method !== 'GET').length
          await h.run(INPUTS)
          const githubWrites = h.github.requests
            .filter((r) => r.method !== 'GET')
            .slice(githubBefore)
          const sentryWrites = h.sentry.requests
            .filter((r) => r.method !== 'GET')
            .slice(sentryBefore)
          fail(
            [...githubWrites, ...sentryWrites].map(
              (w) => `a run right after a run wrote ${w.method} ${w.path}`
            )
          )
          break
        }
        case 'sentryAssign': {
          const p = PEOPLE[c.who]
          if (p && p.sentry === undefined) break // nobody to assign in Sentry
          const before = JSON.stringify(s!['assignedTo'] ?? null)
          h.sentry.personAssign(id, p ? sentryValue(p) : null)
          // Assigning whoever is assigned already changes nothing in Sentry.
          if (JSON.stringify(s!['assignedTo'] ?? null) === before) break
          model.last.set(id, {
            side: 'sentry',
            key: p ? keyOf(p) : null,
            login: p?.login ?? null,
            unmapped: !!p && p.login === undefined
          })
          log.push(`Sentry: ${id} → ${p?.sentry ?? 'nobody'}`)
          break
        }
        case 'githubAssign':
        case 'githubAdd':
        case 'assignedEvent': {
          const p = PEOPLE[c.who]
          if (p && p.login === undefined) break // nobody to assign on GitHub
          if (c.t === 'githubAdd' && !p) break
          const g = github(s!)
          const before = JSON.stringify(g.assignees)
          // Setting the assignees to someone: the others removed (not the one set, if there).
          const replaced = c.t === 'githubAdd' ? [] : g.assignees.filter((l) => l !== p?.login)
          h.github.personAssign(g.number, p?.login ? [p.login] : [], replaced)
          // Setting the assignees GitHub has already changes nothing there.
          const changed = JSON.stringify(g.assignees) !== before
          if (changed) {
            model.last.set(id, {
              side: c.t === 'githubAdd' ? 'github-add' : 'github',
              key: p ? keyOf(p) : null,
              login: p?.login ?? null,
              unmapped: !!p && p.key === undefined
            })
          }
          log.push(`GitHub: #${g.number} → ${p?.login ?? 'nobody'}${changed ? '' : ' (no change)'}`)
          if (c.t === 'assignedEvent') {
            await asEvent(h, 'issues', {
              action: p ? 'assigned' : 'unassigned',
              issue: payloadIssue(g)
            })
            log.push(`  event: ${p ? 'assigned' : 'unassigned'}`)
          }
          break
        }
        case 'sentryNote': {
          const text = `note ${++counter} about @someone in #${counter}`
          h.sentry.personNote(id, text, {
            id: '102',
            name: 'Grace Hopper',
            email: 'grace@example.com'
          })
          model.notes.set(id, [...(model.notes.get(id) ?? []), text])
          log.push(`Sentry note on ${id}`)
          break
        }
        case 'githubComment':
        case 'commentEvent': {
          const inTeam = c.t === 'commentEvent' || c.team
          const text = `comment ${++counter}`
          const g = github(s!)
          const comment = h.github.personComment(
            g.number,
            text,
            inTeam ? 'grace-h' : 'passer-by',
            inTeam ? 'MEMBER' : 'NONE'
          )
          const into = inTeam ? model.team : model.outside
          into.set(id, [...(into.get(id) ?? []), text])
          log.push(`GitHub comment on #${g.number}${inTeam ? '' : ' (outside)'}`)
          if (c.t === 'commentEvent') {
            await asEvent(h, 'issue_comment', {
              action: 'created',
              issue: payloadIssue(g),
              comment
            })
            log.push('  event: issue_comment')
          }
          break
        }
      }
    }
  } finally {
    await h.close()
  }
}

function payloadIssue(g: GitHubIssue): Record<string, unknown> {
  return { id: g.id, number: g.number, body: g.body, state: g.state, created_at: g.created_at }
}

async function asEvent(h: Harness, name: string, payload: unknown): Promise<void> {
  const path = `${h.workdir}/event.json`
  await writeFile(path, JSON.stringify(payload))
  process.env.GITHUB_EVENT_NAME = name
  process.env.GITHUB_EVENT_PATH = path
  try {
    const result = await h.run(INPUTS)
    if (result.failed) throw new Error(`event run failed:\n${result.stdout}`)
  } finally {
    delete process.env.GITHUB_EVENT_NAME
    delete process.env.GITHUB_EVENT_PATH
  }
}

/** The promises, after a scheduled run. */
function check(
  h: Harness,
  model: Model,
  issues: SentryIssue[],
  github: (s: SentryIssue) => GitHubIssue
): string[] {
  const problems: string[] = []
  for (const s of issues) {
    const id = String(s['id'])
    const g = github(s)
    // Assignees: the last mapped change holds in both tools. On GitHub the person's own change is
    // exactly what they set; Sentry's adds its login (and removes only the login the action had
    // added for the assignee before: logins a person added stay).
    const last = model.last.get(id)
    if (last && !last.unmapped) {
      const a = s['assignedTo'] as { type: string; id: string } | null
      const key = a ? `${a.type === 'team' ? 't' : 'u'}${a.id}` : null
      if (key !== last.key) problems.push(`${id}: Sentry assignee ${key}, wanted ${last.key}`)
      const wanted = last.login ? [last.login] : []
      const shown = JSON.stringify(g.assignees)
      if (last.side === 'github' && shown !== JSON.stringify(wanted)) {
        problems.push(`#${g.number}: GitHub assignees ${shown}, wanted ${JSON.stringify(wanted)}`)
      }
      if (last.side !== 'github' && last.login && !g.assignees.includes(last.login)) {
        problems.push(`#${g.number}: GitHub assignees ${shown} lack ${last.login}`)
      }
    }
    // Comments: each person's note on GitHub once; each team comment in Sentry once.
    const copies = g.comments.filter((c) => copiedNoteId(c.body) !== undefined).map((c) => c.body)
    for (const text of model.notes.get(id) ?? []) {
      const n = copies.filter((b) => b.includes(`note ${text.split(' ')[1]} about`)).length
      if (n !== 1) problems.push(`#${g.number}: note "${text}" copied ${n} times`)
    }
    const notes = h.sentry.notes.filter((n) => n.issueId === id).map((n) => n.text)
    const sentryCopies = notes.filter((t) => copiedCommentUrl(t) !== undefined)
    for (const text of model.team.get(id) ?? []) {
      const n = sentryCopies.filter((t) => t.endsWith(`\n\n${text}`)).length
      if (n !== 1) problems.push(`${id}: comment "${text}" in Sentry ${n} times`)
    }
    for (const text of model.outside.get(id) ?? []) {
      if (sentryCopies.some((t) => t.endsWith(`\n\n${text}`))) {
        problems.push(`${id}: an outsider's "${text}" reached Sentry`)
      }
    }
    // Nothing the action wrote travels: no Sentry note copies an action comment or a copy.
    for (const t of sentryCopies) {
      if (isActionComment(t) || t.includes('in Sentry:')) problems.push(`${id}: an echo in Sentry`)
    }
    if (copies.length !== (model.notes.get(id) ?? []).length) {
      problems.push(
        `#${g.number}: ${copies.length} note copies for ${(model.notes.get(id) ?? []).length} notes`
      )
    }
  }
  return problems
}

describe('two-way sync with people in both tools (model-based)', () => {
  it('the last change wins, everything travels once, nothing echoes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(commandArb, { minLength: 6, maxLength: 24 }), live), {
      seed: SEED,
      numRuns: NUM_RUNS
    })
  }, 300_000)
})

import { findMarker, parseMarker } from '../../src/plan/marker.js'
import { findStatsBlock } from '../../src/render/stats-block.js'
import { FakeSentry } from '../../src/fakes/fake-sentry.js'
import { type Harness } from '../helpers/harness.js'
import {
  CONFIG,
  TRACKING,
  LEVELS,
  Command,
  Model,
  inRepo,
  writtenNumbers,
  sentryIds,
  sentryIssue,
  nth,
  tracked,
  Snapshot
} from './living-world.js'

/**
 * What the model test's people and Sentry do between runs (living.test.ts), the faults that kill
 * a run, and a second Sentry installation syncing into the same repository.
 */

export function personAct(h: Harness, model: Model, c: Extract<Command, { t: 'person' }>): boolean {
  const issues = inRepo(h)
  const open = issues.filter((i) => i.state === 'open')
  const closed = issues.filter((i) => i.state === 'closed')
  const g = h.github
  const at = model.seq
  switch (c.kind) {
    case 'editAbove':
    case 'editBelow': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      const note = `Triage note ${at}: looked at it.`
      g.personEdit(
        issue.number,
        c.kind === 'editAbove' ? `${note}\n\n${issue.body ?? ''}` : `${issue.body ?? ''}\n${note}\n`
      )
      return true
    }
    case 'moveMarker':
    case 'deleteMarker': {
      const issue = nth(
        issues.filter((i) => findMarker(i.body)),
        c.pick
      )
      const found = issue && findMarker(issue.body)
      if (!issue || !found) return false
      const body = issue.body ?? ''
      const without = body.slice(0, found.start) + body.slice(Math.min(body.length, found.end + 1))
      if (c.kind === 'deleteMarker') g.personEdit(issue.number, without)
      else {
        const lines = without.split('\n')
        lines.splice(Math.min(3, lines.length), 0, found.line)
        g.personEdit(issue.number, lines.join('\n'))
      }
      return true
    }
    case 'deleteBlock': {
      const issue = nth(
        issues.filter((i) => findStatsBlock(i.body)),
        c.pick
      )
      const block = issue && findStatsBlock(issue.body)
      if (!issue || !block) return false
      const body = issue.body ?? ''
      g.personEdit(
        issue.number,
        body.slice(0, block.start) + body.slice(Math.min(body.length, block.end + 1))
      )
      return true
    }
    case 'relabel': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      const rest = issue.labels.filter((l) => !(LEVELS as readonly string[]).includes(l))
      const level = LEVELS[c.level]
      g.personSetLabels(issue.number, level ? [...rest, level] : rest)
      model.relabelled.add(issue.number)
      return true
    }
    case 'reopen': {
      const issue = nth(closed, c.pick)
      if (!issue) return false
      const id = model.owner.get(issue.number)
      const recorded = findStatsBlock(issue.body)?.memory.status
      const status = id === undefined ? undefined : sentryIssue(h, tracked(model, id))?.['status']
      const from = issue.state_reason ?? null
      g.personReopen(issue.number)
      model.person.set(issue.number, {
        kind: 'reopen',
        at,
        unseen: recorded !== undefined && status !== undefined && recorded !== status,
        from
      })
      return true
    }
    case 'closeCompleted':
    case 'closeNotPlanned':
    case 'closeDuplicate': {
      const issue = nth(open, c.pick)
      if (!issue) return false
      if (c.kind === 'closeDuplicate') {
        const other = nth(
          issues.filter((i) => i.number !== issue.number),
          c.other
        )
        if (!other) return false
        g.personClose(issue.number, 'duplicate', other.number)
        model.person.set(issue.number, { kind: 'duplicate', at })
      } else {
        const reason = c.kind === 'closeCompleted' ? 'completed' : 'not_planned'
        g.personClose(issue.number, reason)
        model.person.set(issue.number, { kind: reason, at })
      }
      return true
    }
    case 'transfer':
    case 'delete':
    case 'lock':
    case 'unlabel': {
      const issue = nth(issues, c.pick)
      if (!issue) return false
      if (c.kind === 'transfer') g.transfer(issue.number)
      else if (c.kind === 'delete') g.deleteIssue(issue.number)
      else if (c.kind === 'lock') g.lock(issue.number)
      else
        g.personSetLabels(
          issue.number,
          issue.labels.filter((l) => l !== TRACKING)
        )
      return true
    }
  }
}

/**
 * A person's act that the next run must answer with no write at all: nothing is written only to
 * remember what a person did (edits, a moved marker, a label, a lock), and a reopen of an issue
 * closed as completed or not planned, whose block shows Sentry as it is, is read from GitHub's
 * state and the block.
 */
export function quiet(
  h: Harness,
  model: Model,
  c: Extract<Command, { t: 'person' }>,
  before: Snapshot
): boolean {
  if (['editAbove', 'editBelow', 'moveMarker', 'relabel', 'lock'].includes(c.kind)) return true
  if (c.kind !== 'reopen') return false
  const reopened = inRepo(h).find(
    (i) => before.issues.get(i.number)?.state === 'closed' && i.state === 'open'
  )
  const act = reopened && model.person.get(reopened.number)
  return (
    reopened !== undefined &&
    act?.kind === 'reopen' &&
    !act.unseen &&
    (act.from === 'completed' || act.from === 'not_planned') &&
    findStatsBlock(reopened.body) !== undefined
  )
}

// ---------------------------------------------------------------------------------------------
// Sentry changes

export function sentryAct(h: Harness, model: Model, c: Command, clock: { ms: number }): boolean {
  const s = h.sentry
  const ids = sentryIds(h)
  const bump = (id: string): void => void model.sentryChangedAt.set(id, model.seq)
  switch (c.t) {
    case 'newIssue': {
      const issue = s.addIssue({ count: c.events, userCount: 1 })
      bump(String(issue['id']))
      return true
    }
    case 'events': {
      const id = nth(ids, c.pick)
      if (!id) return false
      s.addEvents(id, c.n, { users: 1 })
      // Events on a resolved issue are a regression in Sentry.
      if (sentryIssue(h, id)?.['status'] === 'resolved') {
        s.setStatus(id, 'unresolved', 'regressed')
        bump(id)
      }
      return true
    }
    case 'slide':
      clock.ms += c.hours * 3600_000
      return true
    case 'resolve':
    case 'regress':
    case 'ignore':
    case 'escalate': {
      const want = {
        resolve: 'unresolved',
        regress: 'resolved',
        ignore: 'unresolved',
        escalate: 'ignored'
      }[c.t]
      const id = nth(
        ids.filter((i) => sentryIssue(h, i)?.['status'] === want),
        c.pick
      )
      if (!id) return false
      if (c.t === 'resolve') s.setStatus(id, 'resolved')
      else if (c.t === 'regress') {
        s.addEvents(id, 1)
        s.setStatus(id, 'unresolved', 'regressed')
      } else if (c.t === 'ignore') s.setStatus(id, 'ignored', 'archived_until_escalating')
      else {
        s.addEvents(id, 5)
        s.setStatus(id, 'unresolved', 'escalating')
      }
      bump(id)
      return true
    }
    case 'sdelete': {
      const id = nth(ids, c.pick)
      if (!id) return false
      s.deleteIssue(id)
      model.deletedInSentry.add(id)
      bump(id)
      return true
    }
    case 'merge': {
      const survivor = nth(ids, c.pick)
      const merged = nth(
        ids.filter((i) => i !== survivor),
        c.other
      )
      if (!survivor || !merged) return false
      s.mergeIssues(survivor, [merged])
      model.mergedInto.set(merged, survivor)
      bump(survivor)
      bump(merged)
      return true
    }
    case 'rename': {
      model.renames += 1
      model.org = `acme-${model.renames}`
      s.renameOrg(model.org)
      return true
    }
    default:
      return false
  }
}

// ---------------------------------------------------------------------------------------------
// One life

export const FAULTS = [
  'GitHub PATCH connections reset',
  'GitHub create stored, response lost',
  'Sentry issue list connections reset',
  'GitHub label listing answers 500'
] as const

export function injectFault(h: Harness, fault: number): void {
  switch (fault % FAULTS.length) {
    case 0:
      h.github.injectFault({ kind: 'reset', method: 'PATCH', times: 10 })
      break
    case 1:
      h.github.injectFault({
        kind: 'store-then-fail',
        status: 502,
        method: 'POST',
        pathIncludes: '/issues',
        times: 1
      })
      break
    case 2:
      h.sentry.injectFault({ kind: 'reset', pathIncludes: '/issues/?', times: 10 })
      break
    default:
      h.github.injectFault({
        kind: 'status',
        status: 500,
        method: 'GET',
        pathIncludes: 'labels=',
        times: 10
      })
  }
}

export function clearFaults(h: Harness): void {
  h.sentry.clearFaults()
  h.github.clearFaults()
}

/** The other installation: set up as this one is, its runs filing into the same repository. */
export interface OtherWorld {
  sentry: FakeSentry
  issues: Set<number>
}

export async function otherWorldRun(
  h: Harness,
  world: OtherWorld,
  c: Extract<Command, { t: 'otherWorld' }>
): Promise<string[]> {
  const s = world.sentry
  const ids = s.issues.map((i) => String(i['id']))
  const id = nth(ids, c.pick)
  if (c.change === 1) s.addIssue({ count: 5, userCount: 1 })
  else if (c.change === 2 && id) s.addEvents(id, 30, { users: 2 })
  else if (c.change === 3 && id) s.setStatus(id, 'resolved')
  const before = h.github.requests.length
  const maxBefore = h.github.issues.reduce((m, i) => Math.max(m, i.number), 0)
  const result = await h.run({
    ...CONFIG,
    'sentry-url': s.url,
    'sentry-token': s.token,
    'sentry-org': s.org
  })
  const problems: string[] = []
  if (result.failed) problems.push(`the other installation's run failed`)
  for (const issue of h.github.issues) if (issue.number > maxBefore) world.issues.add(issue.number)
  for (const n of writtenNumbers(h.github.requests.slice(before))) {
    if (!world.issues.has(n)) problems.push(`the other installation's run wrote to #${n}`)
  }
  const perId = new Map<string, number>()
  for (const issue of h.github.issues) {
    if (!world.issues.has(issue.number) || issue.deleted) continue
    const marker = parseMarker(issue.body)?.issueId
    if (marker) perId.set(marker, (perId.get(marker) ?? 0) + 1)
  }
  for (const [sentryId, n] of perId) {
    if (n > 1) problems.push(`the other installation filed ${n} issues for its ${sentryId}`)
  }
  return problems
}

import { parseMarker } from '../../src/plan/marker.js'
import { type Harness } from '../helpers/harness.js'
import {
  LEVELS,
  levelFor,
  Model,
  otherWorlds,
  inRepo,
  writtenNumbers,
  sentryIssue,
  outside,
  tracked,
  changedSince,
  Snapshot,
  deletionNotes
} from './living-world.js'

/**
 * The rules the README promises, checked after every run of the model test (living.test.ts)
 * against the model of who did what last.
 */

export function check(
  h: Harness,
  model: Model,
  before: Snapshot,
  kind: 'run' | 'concurrent' | 'killed'
): string[] {
  const problems: string[] = []
  const requests = h.github.requests.slice(before.requests)
  const writes = requests.filter((r) => r.method !== 'GET')

  // Another installation's issues are never written.
  const other = otherWorlds.get(h)
  for (const n of writtenNumbers(writes)) {
    if (other?.has(n)) problems.push(`#${n} of the other installation was written`)
  }

  // Labels only through add/remove.
  for (const r of writes) {
    if (r.method === 'PUT' && /\/labels$/.test(r.path))
      problems.push(`PUT ${r.path} replaced labels`)
    if (r.method === 'PATCH' && typeof r.body === 'object' && r.body !== null && 'labels' in r.body)
      problems.push(`PATCH ${r.path} sent labels`)
  }

  // Owners of new and rewritten markers.
  for (const issue of inRepo(h)) {
    const marker = parseMarker(issue.body)
    if (marker) model.owner.set(issue.number, marker.issueId)
  }

  // 2. A Sentry issue that had a GitHub issue gets no second one.
  const created = h.github.issues.filter((i) => i.number > before.maxNumber && !i.pull_request)
  const newFor = new Map<string, number[]>()
  for (const issue of created) {
    const id = model.owner.get(issue.number)
    if (id === undefined) {
      problems.push(`#${issue.number} was created without a marker`)
      continue
    }
    newFor.set(id, [...(newFor.get(id) ?? []), issue.number])
    if (model.hadIssue.has(id)) {
      problems.push(`#${issue.number} is a second issue for Sentry ${id}`)
    }
  }
  for (const [id, numbers] of newFor) {
    if (numbers.length > 1 && kind !== 'concurrent') {
      problems.push(`one run created ${numbers.join(', ')} for Sentry ${id}`)
    }
  }

  // 3. Nothing undoes a person's last action.
  const labelWrites = new Map<number, string[]>()
  for (const r of writes) {
    const m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels(?:\/(.+))?$/.exec(r.path)
    if (!m?.[1]) continue
    const n = Number(m[1])
    const names =
      r.method === 'DELETE'
        ? [decodeURIComponent(m[2] ?? '')]
        : ((r.body as { labels?: string[] } | undefined)?.labels ?? [])
    if (names.some((l) => (LEVELS as readonly string[]).includes(l)))
      labelWrites.set(n, [...(labelWrites.get(n) ?? []), `${r.method} ${names.join(',')}`])
  }
  for (const [n, was] of before.issues) {
    const now = h.github.issues.find((i) => i.number === n)
    if (!now || now.deleted || now.transferred) continue
    const id = model.owner.get(n)
    const act = model.person.get(n)
    if (outside(now.body) !== outside(was.body)) {
      problems.push(
        `#${n}: text outside the block and marker changed:\n${JSON.stringify(was.body)}\n→ ${JSON.stringify(now.body)}`
      )
    }
    if (
      was.state === 'open' &&
      now.state === 'closed' &&
      act?.kind === 'reopen' &&
      id !== undefined
    ) {
      if (!changedSince(model, tracked(model, id), act.at) && !changedSince(model, id, act.at)) {
        problems.push(
          `#${n}: closed (${now.state_reason}) after a person reopened it; Sentry did not change since`
        )
      }
    }
    if (was.state === 'closed' && now.state === 'open' && act && act.kind !== 'reopen') {
      if (
        act.kind !== 'completed' ||
        id === undefined ||
        !changedSince(model, tracked(model, id), act.at)
      )
        problems.push(`#${n}: reopened after a person closed it as ${act.kind}`)
    }
    const healed =
      now.state_reason === 'duplicate' &&
      inRepo(h).some(
        (i) => i.number !== n && i.state === 'open' && model.owner.get(i.number) === id
      )
    if (
      id !== undefined &&
      model.deletedInSentry.has(id) &&
      was.state === 'open' &&
      now.state === 'closed' &&
      !healed
    )
      problems.push(`#${n}: closed after its Sentry issue was deleted`)
    const labelled = labelWrites.get(n)
    if (labelled && id !== undefined) {
      const counts = before.counts.get(tracked(model, id))
      const desired = counts === undefined ? undefined : levelFor(counts)
      if (model.relabelled.has(n) && desired !== undefined && desired === model.applied.get(n)) {
        problems.push(
          `#${n}: priority label changed (${labelled.join('; ')}) though the rule stayed at ${desired}, which a person had changed`
        )
      }
      model.relabelled.delete(n)
      if (desired !== undefined) model.applied.set(n, desired)
    }
  }
  // A Sentry deletion is said once (two runs at once can both say it: there is no lock).
  for (const issue of h.github.issues) {
    const had = before.deletionNotes.get(issue.number) ?? 0
    const added = deletionNotes(issue) - had
    if (added > 0 && (had > 0 || added > (kind === 'concurrent' ? 2 : 1))) {
      problems.push(`#${issue.number}: ${had + added} deletion comments`)
    }
  }

  // 1. At most one open issue per unresolved Sentry issue, people's reopens aside (duplicates
  // two runs at once filed are healed by the next run that gets through).
  if (kind !== 'concurrent' && !(kind === 'killed' && model.unhealed)) {
    const open = new Map<string, number[]>()
    for (const issue of inRepo(h)) {
      if (issue.state !== 'open' || model.person.get(issue.number)?.kind === 'reopen') continue
      const id = model.owner.get(issue.number)
      if (id === undefined || sentryIssue(h, id)?.['status'] !== 'unresolved') continue
      open.set(id, [...(open.get(id) ?? []), issue.number])
    }
    for (const [id, numbers] of open) {
      if (numbers.length < 2) continue
      problems.push(`Sentry ${id} has open issues ${numbers.join(', ')}`)
    }
  }

  // Remember what the action applied, and who has an issue.
  for (const issue of created) {
    model.applied.set(
      issue.number,
      issue.labels.find((l) => (LEVELS as readonly string[]).includes(l)) ?? null
    )
  }
  for (const [n, id] of model.owner) {
    if (h.github.issues.some((i) => i.number === n)) model.hadIssue.add(id)
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Person actions

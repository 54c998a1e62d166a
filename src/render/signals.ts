import { escapeInline } from './escape.js'
import { formatCount } from './stats-block.js'

/**
 * Sentry's own signals in a new issue, rendered: the suggested owners (one line), Seer's root
 * cause and proposed solution (a collapsed block) and the top values of chosen tags (a collapsed
 * block of small tables). Pure.
 *
 * Every string from Sentry (owners' e-mails and team slugs, Seer's text, tag values) goes
 * through `escapeInline`, so none can mention, reference, link, render HTML or break the
 * Markdown; each is capped so the sections stay small. The only raw constructs are ours: the
 * `<details>`/`<summary>` lines, the bold labels, the numbered lists and the table heads.
 */

/** One suggested owner, as shown: who, why, and the GitHub login it maps to (if any). */
export interface ShownOwner {
  /** The owner as Sentry names it: an e-mail, `#team-slug`, or `user 123` when unresolved. */
  name: string
  /** Why Sentry suggests them: suspectCommit, ownershipRule, codeowners, … */
  reason: string
  /** The GitHub login from assignee-map. */
  login?: string | undefined
}

/** What Seer found for an issue. */
export type SeerFinding =
  | {
      kind: 'root-cause'
      rootCause: string
      /** How the error comes about, step by step (titles). */
      steps: string[]
      solution?: { description: string; steps: string[] } | undefined
    }
  /** No root cause yet; the action started an analysis (seer: start). */
  | { kind: 'started' }

/** The top values of one tag on an issue. */
export interface TagBreakdown {
  key: string
  /** Events that carry the tag (Sentry's `totalValues`): the share's base. */
  total: number
  values: Array<{ value: string; count: number }>
}

/** An issue's signals, each undefined when off or unavailable. */
export interface IssueSignals {
  owners?: ShownOwner[] | undefined
  seer?: SeerFinding | undefined
  tags?: TagBreakdown[] | undefined
}

export const SIGNAL_LIMITS = {
  owners: 10,
  ownerName: 254,
  reason: 40,
  rootCause: 2_000,
  step: 300,
  steps: 10,
  tagValues: 5,
  tagValue: 200
} as const

const REASONS: Record<string, string> = {
  suspectcommit: 'suspect commit',
  ownershiprule: 'ownership rule',
  codeowners: 'code owners',
  releasecommit: 'release commit'
}

function reasonText(reason: string): string {
  return REASONS[reason.toLowerCase()] ?? reason
}

/** "login (e-mail, why), #team (why)": never a mention (no `@` before a login; e-mails in code spans). */
export function renderOwners(owners: readonly ShownOwner[] | undefined): string {
  if (!owners || owners.length === 0) return ''
  return owners
    .slice(0, SIGNAL_LIMITS.owners)
    .map((owner) => {
      const name = escapeInline(owner.name, SIGNAL_LIMITS.ownerName)
      const why = escapeInline(reasonText(owner.reason), SIGNAL_LIMITS.reason)
      const detail = [owner.login !== undefined ? name : '', why].filter((s) => s !== '')
      const who = owner.login !== undefined ? escapeInline(owner.login, 40) : name
      return detail.length > 0 ? `${who} (${detail.join(', ')})` : who
    })
    .join(', ')
}

function numbered(items: readonly string[]): string[] {
  return items
    .slice(0, SIGNAL_LIMITS.steps)
    .map((item) => escapeInline(item, SIGNAL_LIMITS.step))
    .filter((item) => item !== '')
    .map((item, i) => `${i + 1}. ${item}`)
}

/** Seer's finding as a collapsed block; empty without one. */
export function renderSeer(finding: SeerFinding | undefined): string {
  if (finding === undefined) return ''
  if (finding.kind === 'started') {
    return "_Seer's root-cause analysis was started for this issue; its result is in Sentry._"
  }
  const lines = [
    '<details>',
    '<summary>Root cause by Seer</summary>',
    '',
    `**Root cause:** ${escapeInline(finding.rootCause, SIGNAL_LIMITS.rootCause) || '—'}`
  ]
  const steps = numbered(finding.steps)
  if (steps.length > 0) lines.push('', ...steps)
  if (finding.solution) {
    const description = escapeInline(finding.solution.description, SIGNAL_LIMITS.rootCause)
    lines.push('', `**Proposed solution:** ${description || '—'}`)
    const solutionSteps = numbered(finding.solution.steps)
    if (solutionSteps.length > 0) lines.push('', ...solutionSteps)
  }
  lines.push('', '_Written by Sentry Seer (AI); check it before acting on it._', '', '</details>')
  return lines.join('\n')
}

function share(count: number, total: number): string {
  if (!(total > 0)) return ''
  const percent = (count / total) * 100
  const shown = percent >= 99.95 ? '100' : percent < 0.1 ? '<0.1' : percent.toFixed(1)
  return ` (${shown}%)`
}

/** The tags' top values (5 a tag) with their counts and share, collapsed; empty without any. */
export function renderTagBreakdown(tags: readonly TagBreakdown[] | undefined): string {
  const shown = (tags ?? []).filter((t) => t.values.length > 0)
  if (shown.length === 0) return ''
  const lines = ['<details>', '<summary>Where it happens (top tag values)</summary>', '']
  for (const tag of shown) {
    lines.push(`**${escapeInline(tag.key, 64)}**`, '', '| Value | Events |', '| --- | --- |')
    for (const { value, count } of tag.values.slice(0, SIGNAL_LIMITS.tagValues)) {
      const cell = escapeInline(value, SIGNAL_LIMITS.tagValue) || '—'
      lines.push(`| ${cell} | ${formatCount(count)}${share(count, tag.total)} |`)
    }
    lines.push('')
  }
  lines.push('</details>')
  return lines.join('\n')
}

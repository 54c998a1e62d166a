import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { eventTag } from '../sentry/schemas.js'
import { sanitizeCodeContent, truncateCodePoints } from './escape.js'

/**
 * Labels for synced issues, beyond the tracking label and the fixed `labels`: the priority label
 * (rules parsed from `priority-labels` in src/inputs/formats/priority-labels.ts) and labels from
 * Sentry fields (`label-from` and `label-prefixes`, parsed in src/inputs/formats/label-from.ts).
 * Pure. When the counts change, the old priority label is swapped for the new one
 * (`priorityLabelSwap`), never stacked.
 *
 * Labels from Sentry fields are `<prefix><value>`. A prefix ending in a letter or digit gets `: `
 * added, one ending in `:` a space, any other is used as is: `env` and `env:` give
 * `env: production`, `env/` gives `env/production`.
 *
 * Sentry's values are untrusted. A label made from one has control, bidi and invisible
 * characters removed, whitespace collapsed, commas (the list separator of the `labels` input)
 * replaced, and is cut to 50 code points (GitHub's limit). It always carries its prefix, and a
 * label that would equal the tracking label, a configured label or a priority label (ignoring
 * case, as GitHub does) is dropped: Sentry text cannot add or fake a label the action manages.
 */

/**
 * The rules' and sources' values, parsed from the inputs by src/inputs/formats/ (which import
 * them from here: the renderer never imports the inputs).
 */
export type Metric = 'events' | 'users'
export type Comparison = '>' | '>=' | '<' | '<=' | '='

export interface Condition {
  metric: Metric
  op: Comparison
  value: number
}

export interface PriorityRule {
  label: string
  /** Empty for the catch-all rule. */
  conditions: Condition[]
  join: 'or' | 'and'
}

/** Sentry fields that label new issues (`label-from`). */
export type LabelSource = 'level' | 'priority' | 'environment' | 'project'

/** GitHub's limit for label names. */
export const MAX_LABEL_LENGTH = 50

function holds(condition: Condition, counts: { events: number; users: number }): boolean {
  const actual = counts[condition.metric]
  switch (condition.op) {
    case '>':
      return actual > condition.value
    case '>=':
      return actual >= condition.value
    case '<':
      return actual < condition.value
    case '<=':
      return actual <= condition.value
    case '=':
      return actual === condition.value
  }
}

/** The priority label for an issue: the first rule that matches, or undefined. */
export function priorityLabel(
  issue: Pick<SentryIssue, 'count' | 'userCount'>,
  rules: readonly PriorityRule[]
): string | undefined {
  const counts = { events: issue.count, users: issue.userCount }
  for (const rule of rules) {
    if (rule.conditions.length === 0) return rule.label
    const results = rule.conditions.map((c) => holds(c, counts))
    if (rule.join === 'and' ? results.every(Boolean) : results.some(Boolean)) return rule.label
  }
  return undefined
}

/**
 * Swaps priority labels: adds `next` unless present, removes every other label of `known` (the
 * rules' labels) that the issue carries. Case-insensitive, as
 * GitHub's label names are; `remove` uses the names as the issue has them.
 */
export function priorityLabelSwap(
  current: readonly string[],
  next: string | undefined,
  known: readonly string[]
): { add: string[]; remove: string[] } {
  const lower = (s: string): string => s.toLowerCase()
  const managed = new Set(known.map(lower))
  const has = new Set(current.map(lower))
  const add = next !== undefined && !has.has(lower(next)) ? [next] : []
  const remove = current.filter(
    (label) => managed.has(lower(label)) && (next === undefined || lower(label) !== lower(next))
  )
  return { add, remove: [...new Set(remove)] }
}

// ---------------------------------------------------------------------------------------------
// Labels from Sentry fields

/** `prefix` joined to a value: `: ` after a letter or digit, a space after `:`, nothing else. */
export function joinPrefix(prefix: string, value: string): string {
  if (/[\p{L}\p{N}]$/u.test(prefix)) return `${prefix}: ${value}`
  if (prefix.endsWith(':')) return `${prefix} ${value}`
  return `${prefix}${value}`
}

/**
 * A safe label name from any text: control, bidi and invisible characters removed (escape.ts's
 * code-block sanitiser), whitespace collapsed, commas replaced by spaces, cut to 50 code points.
 */
export function cleanLabel(text: string): string {
  const flat = sanitizeCodeContent(text).replaceAll(',', ' ').replace(/\s+/gu, ' ').trim()
  return truncateCodePoints(flat, MAX_LABEL_LENGTH, '').trim()
}

export interface SentryLabelOptions {
  sources: readonly LabelSource[]
  prefixes: Readonly<Record<LabelSource, string>>
  /**
   * Labels a Sentry value must never produce (compared ignoring case): the tracking label, the
   * configured labels, the priority labels.
   */
  reserved: readonly string[]
}

/** The raw Sentry value of a label source, if the issue (or its latest event) has one. */
function sourceValue(
  source: LabelSource,
  issue: SentryIssue,
  event: SentryEvent | undefined
): string | undefined {
  switch (source) {
    case 'level':
      return issue.level ?? undefined
    case 'priority':
      return issue.priority ?? undefined
    case 'environment':
      return event ? eventTag(event, 'environment') : undefined
    case 'project':
      return issue.project.slug
  }
}

/** Labels from Sentry fields, in `sources` order; empty values and reserved names are dropped. */
export function sentryLabels(
  issue: SentryIssue,
  event: SentryEvent | undefined,
  opts: SentryLabelOptions
): string[] {
  const reserved = new Set(opts.reserved.map((l) => l.toLowerCase()))
  const labels: string[] = []
  for (const source of opts.sources) {
    const raw = sourceValue(source, issue, event)
    if (raw == null) continue
    const value = cleanLabel(raw)
    if (value === '') continue
    const label = cleanLabel(joinPrefix(opts.prefixes[source], value))
    if (label === '' || reserved.has(label.toLowerCase())) continue
    if (!labels.some((l) => l.toLowerCase() === label.toLowerCase())) labels.push(label)
  }
  return labels
}

/** Whether a label belongs to a source's family (starts with its prefix), ignoring case. */
export function isSourceLabel(
  label: string,
  source: LabelSource,
  prefixes: Readonly<Record<LabelSource, string>>
): boolean {
  const stem = joinPrefix(prefixes[source], '').toLowerCase()
  return stem !== '' && label.toLowerCase().startsWith(stem)
}

export interface IssueLabelOptions {
  trackingLabel: string
  labels: readonly string[]
  priorityRules: readonly PriorityRule[]
  sources: readonly LabelSource[]
  prefixes: Readonly<Record<LabelSource, string>>
}

/**
 * Every label for a new issue, in order: the tracking label, the configured labels, the priority
 * label, then the labels from Sentry fields. Unique (ignoring case).
 */
export function issueLabels(
  issue: SentryIssue,
  event: SentryEvent | undefined,
  opts: IssueLabelOptions
): string[] {
  const priority = priorityLabel(issue, opts.priorityRules)
  const fromSentry = sentryLabels(issue, event, {
    sources: opts.sources,
    prefixes: opts.prefixes,
    reserved: [opts.trackingLabel, ...opts.labels, ...opts.priorityRules.map((r) => r.label)]
  })
  const out: string[] = []
  for (const label of [opts.trackingLabel, ...opts.labels, priority, ...fromSentry]) {
    if (label === undefined || label.trim() === '') continue
    if (!out.some((l) => l.toLowerCase() === label.toLowerCase())) out.push(label)
  }
  return out
}

/**
 * What to change on an existing issue so its managed labels match `desired`: the priority label
 * and the labels of each `label-from` source are swapped (an issue carries one of each family);
 * other labels are left alone.
 */
export function managedLabelChanges(
  current: readonly string[],
  desired: readonly string[],
  opts: Pick<IssueLabelOptions, 'priorityRules' | 'sources' | 'prefixes'>
): { add: string[]; remove: string[] } {
  const lower = (s: string): string => s.toLowerCase()
  const priorities = new Set(opts.priorityRules.map((r) => lower(r.label)))
  const isManaged = (label: string): boolean =>
    priorities.has(lower(label)) || opts.sources.some((s) => isSourceLabel(label, s, opts.prefixes))
  const want = new Set(desired.map(lower))
  const have = new Set(current.map(lower))
  return {
    add: desired.filter((l) => isManaged(l) && !have.has(lower(l))),
    remove: current.filter((l) => isManaged(l) && !want.has(lower(l)))
  }
}

// ---------------------------------------------------------------------------------------------
// Colours

const FIXED_COLORS: Record<string, string> = {
  critical: 'b60205',
  fatal: 'b60205',
  high: 'd93f0b',
  error: 'd93f0b',
  medium: 'fbca04',
  warning: 'fbca04',
  low: '0e8a16',
  info: '0e8a16',
  debug: 'c5def5'
}

/** Muted, readable colours for everything else. */
const PALETTE = [
  '1d76db',
  '5319e7',
  '0052cc',
  '006b75',
  'bfd4f2',
  'd4c5f9',
  'c2e0c6',
  'fef2c0',
  'f9d0c4',
  'e99695',
  'bfdadc',
  '7057ff'
]

/**
 * A colour (six hex digits, no `#`) for creating a label, the same for the same name: severity
 * words (critical, high, medium, low; fatal, error, warning, info, debug) as the last word get
 * red to green, other names a palette colour chosen by a hash of the name.
 */
export function labelColor(name: string): string {
  const lastWord = /([a-z]+)\s*$/iu.exec(name)?.[1]?.toLowerCase()
  const fixed = lastWord === undefined ? undefined : FIXED_COLORS[lastWord]
  if (fixed !== undefined) return fixed
  // FNV-1a over the UTF-16 code units.
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return PALETTE[hash % PALETTE.length] ?? '1d76db'
}

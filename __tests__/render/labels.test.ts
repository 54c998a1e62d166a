import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import { DEFAULT_LABEL_PREFIXES } from '../../src/inputs/formats/label-from.js'
import {
  DEFAULT_PRIORITY_LABELS,
  parsePriorityLabels
} from '../../src/inputs/formats/priority-labels.js'
import {
  MAX_LABEL_LENGTH,
  cleanLabel,
  issueLabels,
  joinPrefix,
  labelColor,
  managedLabelChanges,
  priorityLabel,
  priorityLabelSwap,
  sentryLabels
} from '../../src/render/labels.js'
import { sentryIssueSchema, type SentryIssue } from '../../src/sentry/schemas.js'
import { JAVASCRIPT_EXAMPLE, makeEvent } from '../fixtures/events.js'
import { FORBIDDEN_CHARS, HOSTILE_FRAGMENTS, HOSTILE_STRINGS } from '../fixtures/hostile-strings.js'

const DEFAULT_RULES = parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules
const DEFAULT_RULE_LABELS = DEFAULT_RULES.map((rule) => rule.label)

function issueWith(fields: Record<string, unknown>): SentryIssue {
  return sentryIssueSchema.parse({ ...JAVASCRIPT_EXAMPLE.rawIssue, ...fields })
}

function codePoints(text: string): number {
  return [...text].length
}

describe('priority labels', () => {
  it('default to the seed guide thresholds (critical >100/>50, high >50/>20, medium >10/>5, low)', () => {
    const label = (count: number, userCount: number): string | undefined =>
      priorityLabel({ count, userCount }, DEFAULT_RULES)
    expect(label(101, 0)).toBe('priority: critical')
    expect(label(0, 51)).toBe('priority: critical')
    expect(label(100, 50)).toBe('priority: high')
    expect(label(51, 0)).toBe('priority: high')
    expect(label(0, 21)).toBe('priority: high')
    expect(label(50, 20)).toBe('priority: medium')
    expect(label(11, 0)).toBe('priority: medium')
    expect(label(0, 6)).toBe('priority: medium')
    expect(label(10, 5)).toBe('priority: low')
    expect(label(0, 0)).toBe('priority: low')
  })

  it('swap the old priority label for the new one, never stack them', () => {
    expect(
      priorityLabelSwap(['bug', 'priority: low', 'sentry'], 'priority: high', DEFAULT_RULE_LABELS)
    ).toEqual({
      add: ['priority: high'],
      remove: ['priority: low']
    })
    expect(
      priorityLabelSwap(['Priority: High', 'priority: low'], 'priority: high', DEFAULT_RULE_LABELS)
    ).toEqual({
      add: [],
      remove: ['priority: low']
    })
    expect(priorityLabelSwap(['bug'], 'priority: low', DEFAULT_RULE_LABELS)).toEqual({
      add: ['priority: low'],
      remove: []
    })
    expect(priorityLabelSwap(['P1', 'bug'], 'P2', ['P1', 'P2'])).toEqual({
      add: ['P2'],
      remove: ['P1']
    })
    expect(priorityLabelSwap(['P1'], undefined, ['P1'])).toEqual({ add: [], remove: ['P1'] })
  })
})

describe('labels from Sentry fields', () => {
  const issue = issueWith({
    level: 'error',
    priority: 'high',
    project: { id: '1', slug: 'web-frontend' }
  })
  const event = makeEvent({ tags: { environment: 'production' } })
  const opts = {
    sources: ['level', 'priority', 'environment', 'project'] as const,
    prefixes: DEFAULT_LABEL_PREFIXES,
    reserved: ['sentry', 'bug']
  }

  it('prefix each value, in the order of label-from', () => {
    expect(sentryLabels(issue, event, opts)).toEqual([
      'level: error',
      'sentry priority: high',
      'env: production',
      'project: web-frontend'
    ])
    expect(sentryLabels(issue, undefined, { ...opts, sources: ['environment', 'level'] })).toEqual([
      'level: error'
    ])
  })

  it('join prefixes by their last character', () => {
    expect(joinPrefix('env', 'prod')).toBe('env: prod')
    expect(joinPrefix('env:', 'prod')).toBe('env: prod')
    expect(joinPrefix('env/', 'prod')).toBe('env/prod')
    expect(joinPrefix('env-', 'prod')).toBe('env-prod')
    expect(joinPrefix('環境', 'prod')).toBe('環境: prod')
  })

  it('cannot produce the tracking label, a configured label or a priority label', () => {
    const sneaky = issueWith({ project: { id: '1', slug: 'x' }, level: 'Sentry' })
    const reservedOpts = {
      sources: ['level', 'project'] as const,
      prefixes: { ...DEFAULT_LABEL_PREFIXES, level: 'sen', project: 'bu' },
      reserved: ['SENTRY: sentry', 'sen: sentry', 'bu: x']
    }
    expect(sentryLabels(sneaky, undefined, reservedOpts)).toEqual([])
    // Commas cannot split one value into several labels, nor end one label and start another.
    const comma = issueWith({ level: 'error,sentry, bug' })
    expect(sentryLabels(comma, undefined, { ...opts, sources: ['level'] })).toEqual([
      'level: error sentry bug'
    ])
  })

  it('clean hostile values: no control, bidi or invisible characters, no commas, at most 50 code points', () => {
    for (const { value } of HOSTILE_STRINGS) {
      const hostile = issueWith({
        level: value,
        priority: value,
        project: { id: '1', slug: value }
      })
      for (const label of sentryLabels(
        hostile,
        makeEvent({ tags: { environment: value } }),
        opts
      )) {
        expect(codePoints(label)).toBeLessThanOrEqual(MAX_LABEL_LENGTH)
        expect(label).not.toMatch(/,|\u200B|[\r\n\t]/)
        expect(FORBIDDEN_CHARS.test(label)).toBe(false)
        expect(label).toBe(label.trim())
        expect(/^(level: |sentry priority: |env: |project: )/.test(label)).toBe(true)
      }
    }
  })

  it('are always safe and prefixed (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({
        unit: fc.constantFrom(...HOSTILE_FRAGMENTS, ',', 'sentry', 'bug'),
        maxLength: 40
      })
    )
    fc.assert(
      fc.property(text, text, (level, env) => {
        const labels = sentryLabels(
          issueWith({ level }),
          makeEvent({ tags: { environment: env } }),
          {
            sources: ['level', 'environment'],
            prefixes: DEFAULT_LABEL_PREFIXES,
            reserved: ['sentry', 'bug']
          }
        )
        for (const label of labels) {
          expect(codePoints(label)).toBeLessThanOrEqual(MAX_LABEL_LENGTH)
          expect(label).not.toContain(',')
          expect(FORBIDDEN_CHARS.test(label)).toBe(false)
          expect(['sentry', 'bug']).not.toContain(label.toLowerCase())
          expect(label.startsWith('level: ') || label.startsWith('env: ')).toBe(true)
        }
      }),
      { numRuns: 500 }
    )
  })

  it('cleanLabel cuts at 50 code points without splitting a surrogate pair', () => {
    expect(cleanLabel('😀'.repeat(60))).toBe('😀'.repeat(50))
    expect(cleanLabel('  a,\u0000b\u202E\nc  ')).toBe('a b c')
  })
})

describe('issueLabels and managedLabelChanges', () => {
  const issue = issueWith({ count: '120', userCount: 3, level: 'warning' })
  const opts = {
    trackingLabel: 'sentry',
    labels: ['bug', 'Priority: Critical'],
    priorityRules: DEFAULT_RULES,
    sources: ['level'] as const,
    prefixes: DEFAULT_LABEL_PREFIXES
  }

  it('list tracking, configured, priority, then Sentry labels, unique ignoring case', () => {
    expect(issueLabels(issue, undefined, opts)).toEqual([
      'sentry',
      'bug',
      'Priority: Critical',
      'level: warning'
    ])
    expect(issueLabels(issue, undefined, { ...opts, labels: [], priorityRules: [] })).toEqual([
      'sentry',
      'level: warning'
    ])
  })

  it('swap managed families only, leaving other labels alone', () => {
    const changes = managedLabelChanges(
      ['sentry', 'bug', 'priority: low', 'level: error', 'team: web'],
      ['sentry', 'priority: critical', 'level: warning'],
      opts
    )
    expect(changes).toEqual({
      add: ['priority: critical', 'level: warning'],
      remove: ['priority: low', 'level: error']
    })
  })
})

describe('labelColor', () => {
  it('is deterministic six-digit hex, red to green for severities', () => {
    expect(labelColor('priority: critical')).toBe('b60205')
    expect(labelColor('priority: high')).toBe('d93f0b')
    expect(labelColor('priority: medium')).toBe('fbca04')
    expect(labelColor('priority: low')).toBe('0e8a16')
    expect(labelColor('level: fatal')).toBe('b60205')
    expect(labelColor('env: production')).toBe(labelColor('env: production'))
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (name) => {
        expect(labelColor(name)).toMatch(/^[0-9a-f]{6}$/)
      }),
      { numRuns: 300 }
    )
    const colours = new Set(
      ['env: a', 'env: b', 'env: c', 'project: x', 'project: y'].map(labelColor)
    )
    expect(colours.size).toBeGreaterThan(1)
  })
})

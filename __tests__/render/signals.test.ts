import { describe, expect, it } from '@jest/globals'
import { JAVASCRIPT_EXAMPLE } from '../fixtures/events.js'
import {
  HOSTILE_FRAGMENTS,
  HOSTILE_STRINGS,
  markdownViolations
} from '../fixtures/hostile-strings.js'
import { renderBody, type RenderContext } from '../../src/render/issue.js'
import {
  renderOwners,
  renderSeer,
  renderTagBreakdown,
  type IssueSignals
} from '../../src/render/signals.js'
import {
  compileTemplate,
  DEFAULT_BODY_TEMPLATE,
  renderBodyTemplate
} from '../../src/render/template.js'
import { parseSignalOptions } from '../../src/inputs/signals.js'
import { parseConfig, ConfigError } from '../../src/inputs/config.js'
import { withOwnerAssignees } from '../../src/sync/signals.js'

/** The signal sections: their layout, the default body and template, and hostile Sentry text. */

const ctx: RenderContext = {
  org: 'acme',
  trackingLabel: 'sentry',
  labels: [],
  event: JAVASCRIPT_EXAMPLE.event
}

function signalsWith(text: string): IssueSignals {
  return {
    owners: [
      { name: text, reason: 'suspectCommit' },
      { name: `#${text}`, reason: text, login: 'ada-l' }
    ],
    seer: {
      kind: 'root-cause',
      rootCause: text,
      steps: [text, `${text}\n${text}`],
      solution: { description: text, steps: [text] }
    },
    tags: [
      {
        key: 'url',
        total: 10,
        values: [
          { value: text, count: 7 },
          { value: `${text}|${text}`, count: 3 }
        ]
      }
    ]
  }
}

const check = { linkPrefixes: ['http://', 'https://'], skipLines: new Set([0]) }

describe('the signal sections', () => {
  it('owners: login first, e-mail and reason after; unmapped ones by name; no mention', () => {
    const line = renderOwners([
      { name: 'ada@example.com', reason: 'suspectCommit', login: 'ada-l' },
      { name: '#backend', reason: 'ownershipRule' },
      { name: 'user 7', reason: 'codeowners' }
    ])
    expect(line).toBe(
      'ada-l (`ada@example.com`, suspect commit), \\#backend (ownership rule), user 7 (code owners)'
    )
    expect(renderOwners([])).toBe('')
  })

  it('Seer: collapsed, root cause, steps, solution, and a note that an AI wrote it', () => {
    const block = renderSeer({
      kind: 'root-cause',
      rootCause: 'user is undefined',
      steps: ['Page loads', 'Card renders'],
      solution: { description: 'Guard the user', steps: [] }
    })
    expect(block).toBe(
      [
        '<details>',
        '<summary>Root cause by Seer</summary>',
        '',
        '**Root cause:** user is undefined',
        '',
        '1. Page loads',
        '2. Card renders',
        '',
        '**Proposed solution:** Guard the user',
        '',
        '_Written by Sentry Seer (AI); check it before acting on it._',
        '',
        '</details>'
      ].join('\n')
    )
    expect(renderSeer(undefined)).toBe('')
  })

  it('tags: one two-column table a tag, top 5, counts with shares', () => {
    const block = renderTagBreakdown([
      {
        key: 'os',
        total: 3000,
        values: [
          { value: 'Linux', count: 2999 },
          { value: 'BSD', count: 1 }
        ]
      },
      { key: 'empty', total: 0, values: [] }
    ])
    expect(block).toContain('**os**\n\n| Value | Events |\n| --- | --- |\n| Linux | 2,999 (100%) |')
    expect(block).toContain('| BSD | 1 (<0.1%) |')
    expect(block).not.toContain('empty')
    expect(renderTagBreakdown([])).toBe('')
  })

  it('the default template renders exactly what renderBody renders, with every signal', () => {
    const template = compileTemplate('body', DEFAULT_BODY_TEMPLATE).template!
    const withSignals = { ...ctx, signals: signalsWith('Plain text') }
    const body = renderBody(JAVASCRIPT_EXAMPLE.issue, withSignals)
    expect(body).toContain('- **Suggested owners:**')
    expect(body).toContain('<summary>Root cause by Seer</summary>')
    expect(body).toContain('<summary>Where it happens (top tag values)</summary>')
    expect(renderBodyTemplate(template, JAVASCRIPT_EXAMPLE.issue, withSignals)).toBe(body)
    expect(renderBodyTemplate(template, JAVASCRIPT_EXAMPLE.issue, ctx)).toBe(
      renderBody(JAVASCRIPT_EXAMPLE.issue, ctx)
    )
  })
})

describe('hostile Sentry text in the signal sections', () => {
  const template = compileTemplate(
    'body',
    'Owners: {{suggestedOwners}}\n{{tagBreakdown}}\n{{seerSection}}'
  ).template!

  it.each(HOSTILE_STRINGS.map((s) => [s.name, s.value]))('%s', (_name, value) => {
    const signals = signalsWith(value)
    for (const body of [
      renderBody(JAVASCRIPT_EXAMPLE.issue, { ...ctx, signals }),
      renderBodyTemplate(template, JAVASCRIPT_EXAMPLE.issue, { ...ctx, signals })
    ]) {
      expect(markdownViolations(body, check)).toEqual([])
    }
  })

  it('every hostile fragment at once', () => {
    const signals = signalsWith(HOSTILE_FRAGMENTS.join(' '))
    const body = renderBody(JAVASCRIPT_EXAMPLE.issue, { ...ctx, signals })
    expect(markdownViolations(body, check)).toEqual([])
  })
})

describe('the signal inputs', () => {
  it('defaults: everything off', () => {
    expect(parseSignalOptions({})).toEqual({
      options: { owners: 'off', seer: 'off', tagBreakdown: [] },
      problems: []
    })
  })

  it('values, any case; tags split on commas and lines, kept once', () => {
    expect(
      parseSignalOptions({ owners: 'Assign', seer: 'START', 'tag-breakdown': 'os, url\nos' })
        .options
    ).toEqual({ owners: 'assign', seer: 'start', tagBreakdown: ['os', 'url'] })
  })

  it('one clear problem per bad input, through parseConfig', () => {
    const raw = {
      'sentry-token': 't',
      'sentry-org': 'acme',
      'github-token': 'g',
      repository: 'o/r',
      owners: 'yes',
      seer: 'auto',
      'tag-breakdown': 'os, bad key'
    }
    let problems: string[] = []
    try {
      parseConfig(raw)
    } catch (error) {
      problems = (error as ConfigError).problems
    }
    expect(problems).toEqual([
      'owners must be one of: off, show, assign (show adds a "Suggested owners" line; assign also assigns them when the Sentry issue has no assignee)',
      "seer must be one of: off, show, start (start uses the organization's Seer quota)",
      'tag-breakdown must be a comma- or newline-separated list of Sentry tag keys (letters, digits, "_", ".", ":" and "-", at most 64 characters each)'
    ])
    expect(parseSignalOptions({ 'tag-breakdown': 'a,b,c,d,e,f,g,h,i,j,k' }).problems).toEqual([
      'tag-breakdown: at most 10 tags (each is one Sentry request per new issue)'
    ])
  })
})

describe('owners as assignees', () => {
  const signals: IssueSignals = {
    owners: [
      { name: 'a@x.io', reason: 'suspectCommit', login: 'ada-l' },
      { name: '#web', reason: 'codeowners' }
    ]
  }
  it('only with assign and no Sentry assignee; mapped owners first, unique, at most 10', () => {
    const assign = {
      signals: { owners: 'assign' as const, seer: 'off' as const, tagBreakdown: [] }
    }
    expect(withOwnerAssignees(['octocat', 'Ada-L'], {}, signals, assign)).toEqual([
      'ada-l',
      'octocat'
    ])
    expect(
      withOwnerAssignees(['octocat'], { assignedTo: { type: 'user', id: '1' } }, signals, assign)
    ).toEqual(['octocat'])
    const show = { signals: { ...assign.signals, owners: 'show' as const } }
    expect(withOwnerAssignees(['octocat'], {}, signals, show)).toEqual(['octocat'])
    const many = Array.from({ length: 12 }, (_, i) => `user-${i}`)
    expect(withOwnerAssignees(many, {}, signals, assign)).toHaveLength(10)
  })
})

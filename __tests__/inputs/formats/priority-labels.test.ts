import { describe, expect, it } from '@jest/globals'

import { parsePriorityLabels } from '../../../src/inputs/formats/priority-labels.js'
import { priorityLabel } from '../../../src/render/labels.js'

describe('parsePriorityLabels', () => {
  it('parse rules with or/and, every comparison, ; separators and exact label text', () => {
    const { rules, problems } = parsePriorityLabels(
      'P0 🔥 if events >= 1000 and users>=100; P1 if users = 7 or events<3\nP2 if events <= 5\r\nP3'
    )
    expect(problems).toEqual([])
    expect(rules).toEqual([
      {
        label: 'P0 🔥',
        join: 'and',
        conditions: [
          { metric: 'events', op: '>=', value: 1000 },
          { metric: 'users', op: '>=', value: 100 }
        ]
      },
      {
        label: 'P1',
        join: 'or',
        conditions: [
          { metric: 'users', op: '=', value: 7 },
          { metric: 'events', op: '<', value: 3 }
        ]
      },
      { label: 'P2', join: 'or', conditions: [{ metric: 'events', op: '<=', value: 5 }] },
      { label: 'P3', join: 'or', conditions: [] }
    ])
    expect(priorityLabel({ count: 1000, userCount: 99 }, rules)).toBe('P3')
    expect(priorityLabel({ count: 1000, userCount: 100 }, rules)).toBe('P0 🔥')
    expect(priorityLabel({ count: 9, userCount: 7 }, rules)).toBe('P1')
    expect(priorityLabel({ count: 4, userCount: 1 }, rules)).toBe('P2')
    // Without a catch-all, an issue can have no priority label.
    expect(
      priorityLabel({ count: 1, userCount: 1 }, parsePriorityLabels('hot if events > 5').rules)
    ).toBeUndefined()
  })

  it('are off with none (or empty)', () => {
    expect(parsePriorityLabels('none')).toEqual({ rules: [], problems: [] })
    expect(parsePriorityLabels(' NONE ')).toEqual({ rules: [], problems: [] })
    expect(parsePriorityLabels('')).toEqual({ rules: [], problems: [] })
  })

  it('report every bad rule, naming the input, the rule and the syntax', () => {
    const { rules, problems } = parsePriorityLabels(
      [
        'low',
        'a if events > ten',
        'b if events > 1 or users > 2 and events > 3',
        'c if errors > 1',
        'd,e if events > 1',
        'x'.repeat(51) + ' if events > 1',
        'f if events > 1',
        'F if users > 2'
      ].join('\n')
    )
    expect(rules).toEqual([])
    expect(problems).toHaveLength(7)
    problems.forEach((p) => expect(p).toMatch(/^priority-labels rule \d+ \(".*"\): /))
    expect(problems[0]).toContain('must be last')
    expect(problems[1]).toContain('"events > ten" is not a condition; write events or users')
    expect(problems[2]).toContain('either "or" or "and"')
    expect(problems[4]).toContain('without commas')
    expect(problems[6]).toContain('has a rule already')
  })
})

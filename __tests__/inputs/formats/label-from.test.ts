import { describe, expect, it } from '@jest/globals'

import { parseLabelFrom, parseLabelPrefixes } from '../../../src/inputs/formats/label-from.js'

describe('label-from and label-prefixes', () => {
  it('parse lists strictly, naming the input', () => {
    expect(parseLabelFrom('level, Environment\nproject,level')).toEqual({
      sources: ['level', 'environment', 'project'],
      problems: []
    })
    expect(parseLabelFrom('level, severity').problems).toEqual([
      'label-from: unknown source "severity"; allowed: level, priority, environment, project'
    ])
    expect(parseLabelPrefixes('level=severity, environment=env/\npriority = sentry:')).toEqual({
      prefixes: { level: 'severity', priority: 'sentry:', environment: 'env/', project: 'project' },
      problems: []
    })
    const bad = parseLabelPrefixes(
      'level, color=x, project=, environment=a\u0007b, priority=' + 'p'.repeat(31)
    )
    expect(bad.problems).toHaveLength(5)
    bad.problems.forEach((p) => expect(p).toMatch(/^label-prefixes: /))
  })
})

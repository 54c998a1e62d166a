import { describe, expect, it } from '@jest/globals'

import {
  CONTENT_INPUT_DEFAULTS,
  CONTENT_INPUT_NAMES,
  assigneesFor,
  issueFieldValues,
  parseAssigneeMap,
  parseAssignees,
  parseContentOptions,
  parseIssueFields,
  parseMilestone,
  needsLatestEvent
} from '../../src/inputs/content-options.js'
import {
  DEFAULT_PRIORITY_LABELS,
  parsePriorityLabels
} from '../../src/inputs/formats/priority-labels.js'
import { sentryIssueSchema } from '../../src/sentry/schemas.js'
import { JAVASCRIPT_EXAMPLE, makeEvent } from '../fixtures/events.js'

describe('parseContentOptions', () => {
  it('gives the defaults for missing and empty inputs', () => {
    for (const raw of [{}, Object.fromEntries(CONTENT_INPUT_NAMES.map((n) => [n, '  ']))]) {
      const { options, problems } = parseContentOptions(raw)
      expect(problems).toEqual([])
      expect(options).toEqual({
        stackTrace: true,
        maxFrames: 20,
        codeMappings: [],
        assignSuspect: false,
        priorityRules: parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules,
        labelFrom: [],
        labelPrefixes: {
          level: 'level',
          priority: 'sentry priority',
          environment: 'env',
          project: 'project'
        },
        assignees: [],
        assigneeMap: [],
        issueFields: []
      })
    }
    expect(CONTENT_INPUT_DEFAULTS['max-frames']).toBe('20')
  })

  it('reads every input', () => {
    const { options, problems } = parseContentOptions({
      'stack-trace': 'False',
      'max-frames': '200',
      'code-mappings': 'app:///src/ => web/src/',
      'title-template': '[{{level}}] {{title}}',
      'body-template': '{{title}}\n\n{{stackTrace}}',
      'priority-labels': 'none',
      'label-from': 'level, environment',
      'label-prefixes': 'environment=env/',
      assignees: '@octocat, hubot',
      milestone: 'v2.0',
      'assignee-map': 'Ada@Example.com => ada-l\n#Backend => backend-lead',
      'issue-type': 'Bug',
      'issue-fields': 'Severity = level\nSeen by = users'
    })
    expect(problems).toEqual([])
    expect(options).toMatchObject({
      stackTrace: false,
      maxFrames: 200,
      codeMappings: [{ stackRoot: 'app:///src/', sourceRoot: 'web/src/' }],
      titleTemplate: { kind: 'title' },
      bodyTemplate: { kind: 'body' },
      priorityRules: [],
      labelFrom: ['level', 'environment'],
      labelPrefixes: { environment: 'env/', level: 'level' },
      assignees: ['octocat', 'hubot'],
      milestone: { title: 'v2.0' },
      assigneeMap: [
        { kind: 'user', key: 'ada@example.com', login: 'ada-l' },
        { kind: 'team', key: 'backend', login: 'backend-lead' }
      ],
      issueType: 'Bug',
      issueFields: [
        { field: 'Severity', source: 'level' },
        { field: 'Seen by', source: 'users' }
      ]
    })
  })

  it('reports every problem at once, each naming its input and what it allows', () => {
    const { problems } = parseContentOptions({
      'stack-trace': 'yes',
      'max-frames': '0',
      'code-mappings': 'nope',
      'title-template': '{{stackTrace}}',
      'body-template': '{{bogus}}',
      'priority-labels': 'hot if heat > 3',
      'label-from': 'color',
      'label-prefixes': 'level=',
      assignees: 'not a login!',
      milestone: 'x'.repeat(300),
      'assignee-map': 'ada => ada',
      'issue-type': 'a\u0007b',
      'issue-fields': 'Severity = colour'
    })
    const inputs = [
      'stack-trace',
      'max-frames',
      'code-mappings',
      'title-template',
      'body-template',
      'priority-labels',
      'label-from',
      'label-prefixes',
      'assignees',
      'milestone',
      'assignee-map',
      'issue-type',
      'issue-fields'
    ]
    expect(problems).toHaveLength(inputs.length)
    problems.forEach((problem, i) => expect(problem.startsWith(inputs[i] ?? '?')).toBe(true))
    expect(problems[0]).toContain('must be true or false')
    expect(problems[1]).toBe('max-frames must be a whole number from 1 to 200 (got "0")')
    expect(problems[4]).toContain('valid variables: title, shortId')
  })
})

describe('single inputs', () => {
  it('assignees: logins with single hyphens, an optional @, EMU suffixes; at most 10', () => {
    expect(parseAssignees('a, @b-c\nOcto_acme, A').logins).toEqual(['a', 'b-c', 'Octo_acme'])
    for (const bad of ['-a', 'a-', 'a--b', 'a b', 'x'.repeat(40), 'a@b'])
      expect(parseAssignees(bad).problems).toHaveLength(1)
    expect(
      parseAssignees(Array.from({ length: 11 }, (_, i) => `u${i}`).join(',')).problems
    ).toEqual(["assignees: at most 10 logins (GitHub's limit), got 11"])
  })

  it('milestone: a number or a title', () => {
    expect(parseMilestone('12')).toEqual({ milestone: { number: 12 } })
    expect(parseMilestone(' Sprint 4 ')).toEqual({ milestone: { title: 'Sprint 4' } })
    expect(parseMilestone('')).toEqual({})
    expect(parseMilestone('0').problem).toContain('milestone')
  })

  it('assignee-map: e-mails and #team slugs to logins, strictly', () => {
    expect(parseAssigneeMap('a@x.io => a\n#team-1 => @b').mappings).toEqual([
      { kind: 'user', key: 'a@x.io', login: 'a' },
      { kind: 'team', key: 'team-1', login: 'b' }
    ])
    const { problems } = parseAssigneeMap(
      'a@x.io\nada => a\n#bad slug => a\na@x.io => -x\nA@X.io => c\na@y.io => b'
    )
    expect(problems).toHaveLength(4)
    problems.forEach((p) => expect(p).toMatch(/^assignee-map line \d: /))
    expect(parseAssigneeMap('a@x.io => a\nA@X.io => b').problems).toEqual([
      'assignee-map line 2: "A@X.io" is mapped twice'
    ])
    // A Sentry user by numeric id, bare or as Sentry writes it.
    expect(parseAssigneeMap('1234 => a\nuser:56 => b').mappings).toEqual([
      { kind: 'user', key: '1234', login: 'a' },
      { kind: 'user', key: '56', login: 'b' }
    ])
    expect(parseAssigneeMap('user:x1 => a\n12a => b').problems).toHaveLength(2)
  })

  it('issue-fields: Field Name = one of the Sentry values, case-insensitive', () => {
    expect(parseIssueFields('Sentry priority = Priority\nFirst = firstseen').fields).toEqual([
      { field: 'Sentry priority', source: 'priority' },
      { field: 'First', source: 'firstSeen' }
    ])
    expect(parseIssueFields('= level\nX = nope\nA = level\na = users').problems).toHaveLength(3)
  })
})

describe('assigneesFor and issueFieldValues', () => {
  const base = JAVASCRIPT_EXAMPLE.rawIssue
  const map = parseAssigneeMap('ada@example.com => ada-l\n#backend => backend-lead').mappings

  it('maps the Sentry assignee (user by e-mail, team by slug) first, then the fixed assignees', () => {
    const user = sentryIssueSchema.parse({
      ...base,
      assignedTo: { type: 'user', id: '1', name: 'Ada', email: 'ADA@example.com' }
    })
    expect(assigneesFor(user, { assignees: ['octocat', 'Ada-L'], assigneeMap: map })).toEqual([
      'ada-l',
      'octocat'
    ])
    const team = sentryIssueSchema.parse({
      ...base,
      assignedTo: { type: 'team', id: '2', name: 'backend' }
    })
    expect(assigneesFor(team, { assignees: [], assigneeMap: map })).toEqual(['backend-lead'])
    const unmapped = sentryIssueSchema.parse({
      ...base,
      assignedTo: { type: 'user', id: '3', email: 'x@y.z' }
    })
    expect(assigneesFor(unmapped, { assignees: ['octocat'], assigneeMap: map })).toEqual([
      'octocat'
    ])
    const none = sentryIssueSchema.parse({ ...base, assignedTo: null })
    expect(assigneesFor(none, { assignees: [], assigneeMap: map })).toEqual([])
  })

  it('gives field values from the issue and its latest event', () => {
    const issue = JAVASCRIPT_EXAMPLE.issue
    const fields = parseIssueFields(
      'P = priority\nL = level\nE = events\nU = users\nEnv = environment\nF = firstSeen'
    ).fields
    expect(
      issueFieldValues(issue, makeEvent({ tags: { environment: 'staging' } }), fields)
    ).toEqual([
      { field: 'P', value: 'high' },
      { field: 'L', value: 'error' },
      { field: 'E', value: '1432' },
      { field: 'U', value: '318' },
      { field: 'Env', value: 'staging' },
      { field: 'F', value: '2026-11-12T08:14:03.512000Z' }
    ])
    expect(issueFieldValues(issue, undefined, fields).map((f) => f.field)).not.toContain('Env')
  })
})

describe('needsLatestEvent', () => {
  it('is true for the stack trace, or when a template, label or field uses the event', () => {
    const off = { 'stack-trace': 'false' }
    expect(needsLatestEvent(parseContentOptions({}).options)).toBe(true)
    expect(needsLatestEvent(parseContentOptions(off).options)).toBe(false)
    for (const extra of [
      { 'label-from': 'environment' },
      { 'issue-fields': 'Env = environment' },
      { 'title-template': '{{title}} ({{release}})' },
      { 'body-template': '{{#tags.browser}}{{.}}{{/tags.browser}}' }
    ]) {
      expect(needsLatestEvent(parseContentOptions({ ...off, ...extra }).options)).toBe(true)
    }
    expect(needsLatestEvent(parseContentOptions({ ...off, 'label-from': 'level' }).options)).toBe(
      false
    )
  })
})

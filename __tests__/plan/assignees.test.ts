import { describe, expect, it } from '@jest/globals'
import { decideAssignees, type AssigneeInput } from '../../src/plan/assignees.js'

const MAP = [
  { kind: 'user' as const, key: 'ada@example.com', login: 'ada-l' },
  { kind: 'user' as const, key: 'grace@example.com', login: 'grace-h' },
  { kind: 'team' as const, key: 'backend', login: 'backend-lead' }
]
const ADA = { type: 'user', id: '101', name: 'Ada', email: 'ada@example.com' }
const GRACE = { type: 'user', id: '102', name: 'Grace', email: 'grace@example.com' }
const ALAN = { type: 'user', id: '103', name: 'Alan Turing', email: 'alan@example.com' }

function decide(input: Partial<AssigneeInput>) {
  return decideAssignees({
    sentry: null,
    github: [],
    memory: undefined,
    map: MAP,
    way: 'both',
    ...input
  })
}

describe('decideAssignees', () => {
  it('the two agreeing is nothing to do, memory or not (so the action’s change never echoes)', () => {
    expect(decide({ sentry: ADA, github: ['ada-l', 'someone'] }).kind).toBe('none')
    expect(decide({ sentry: null, github: ['someone'] }).kind).toBe('none')
    const team = { type: 'team', id: '201', name: 'backend' }
    expect(decide({ sentry: team, github: ['backend-lead'] }).kind).toBe('none')
  })

  it('asks which side changed last whenever they disagree and something changed', () => {
    expect(decide({ sentry: ADA })).toEqual({ kind: 'conflict', tie: 'sentry' })
    const memory = { sa: 'u101', ga: ['ada-l'], gm: 'ada-l' }
    expect(decide({ sentry: ADA, github: ['grace-h'], memory })).toEqual({
      kind: 'conflict',
      tie: 'github'
    })
    // Neither changed since the last agreement (an unmapped person recorded): nothing.
    expect(
      decide({
        sentry: ALAN,
        github: ['ada-l'],
        memory: { sa: 'u103', ga: ['ada-l'], gm: 'ada-l' }
      }).kind
    ).toBe('none')
  })

  it('Sentry last: adds its login and removes the one that stood for the previous assignee only', () => {
    const memory = { sa: 'u101', ga: ['ada-l', 'someone'], gm: 'ada-l' }
    expect(
      decide({ sentry: GRACE, github: ['ada-l', 'someone'], memory, lastChanged: 'sentry' })
    ).toMatchObject({ kind: 'to-github', add: 'grace-h', remove: 'ada-l' })
    expect(
      decide({ sentry: null, github: ['ada-l'], memory, lastChanged: 'sentry' })
    ).toMatchObject({
      kind: 'to-github',
      add: null,
      remove: 'ada-l'
    })
    expect(decide({ sentry: ALAN, github: ['ada-l'], memory, lastChanged: 'sentry' })).toEqual({
      kind: 'unmapped',
      who: 'Alan Turing',
      side: 'Sentry'
    })
    expect(
      decide({ sentry: GRACE, github: ['ada-l'], memory, lastChanged: 'sentry', way: 'to-sentry' })
        .kind
    ).toBe('none')
  })

  it('GitHub last: a mapped login added wins; the standing login removed unassigns; kept re-asserts', () => {
    const memory = { sa: 'u101', ga: ['ada-l'], gm: 'ada-l' }
    expect(
      decide({ sentry: ADA, github: ['ada-l', 'grace-h'], memory, lastChanged: 'github' })
    ).toMatchObject({ kind: 'to-sentry', to: { login: 'grace-h' } })
    expect(decide({ sentry: ADA, github: [], memory, lastChanged: 'github' })).toMatchObject({
      kind: 'to-sentry',
      to: null
    })
    // Sentry moved to Grace, then on GitHub a person set Grace and added Ada back later: Ada.
    expect(
      decide({
        sentry: GRACE,
        github: ['grace-h', 'ada-l'],
        memory,
        lastChanged: 'github',
        latest: { event: 'assigned', login: 'ada-l' }
      })
    ).toMatchObject({ kind: 'to-sentry', to: { login: 'ada-l' } })
    // Sentry moved to Grace, then GitHub changed and changed back to Ada later: Ada is GitHub's.
    expect(
      decide({ sentry: GRACE, github: ['ada-l'], memory, lastChanged: 'github' })
    ).toMatchObject({
      kind: 'to-sentry',
      to: { login: 'ada-l' }
    })
    const none = { sa: '-', ga: [], gm: '-' }
    expect(decide({ sentry: null, github: ['stranger'], memory: none })).toMatchObject({
      kind: 'conflict'
    })
    const latest = { event: 'assigned' as const, login: 'stranger' }
    expect(
      decide({ sentry: null, github: ['stranger'], memory: none, lastChanged: 'github', latest })
    ).toEqual({
      kind: 'unmapped',
      who: 'stranger',
      side: 'GitHub'
    })
    expect(
      decide({ sentry: ADA, github: [], memory, lastChanged: 'github', way: 'to-github' }).kind
    ).toBe('none')
  })
})

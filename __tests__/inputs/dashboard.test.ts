import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { parseConfig } from '../../src/inputs/config.js'
import { problemsOf, VALID_INPUTS } from '../helpers/config.js'
import { startHarness, type Harness } from '../helpers/harness.js'

const valid = VALID_INPUTS

describe('dashboard inputs', () => {
  it('default to no dashboard, the title "Sentry triage" and auto-create on', () => {
    expect(parseConfig(valid).dashboard).toEqual({
      enabled: false,
      title: 'Sentry triage',
      autoCreate: true
    })
  })

  it('accept YAML booleans and a title of up to 256 characters', () => {
    const config = parseConfig({
      ...valid,
      dashboard: 'TRUE',
      'auto-create': 'False',
      'dashboard-title': '  Errors to triage  '
    })
    expect(config.dashboard).toEqual({
      enabled: true,
      title: 'Errors to triage',
      autoCreate: false
    })
    expect(
      parseConfig({ ...valid, 'dashboard-title': 'x'.repeat(256) }).dashboard.title
    ).toHaveLength(256)
  })

  it('refuse anything else with one error naming the input and what it allows', () => {
    expect(problemsOf({ ...valid, dashboard: 'yes' })).toEqual([
      'dashboard must be true or false (YAML 1.2 core schema: true, True, TRUE, false, False or FALSE)'
    ])
    expect(problemsOf({ ...valid, 'auto-create': 'maybe' })[0]).toMatch(
      /^auto-create must be true or false/
    )
    expect(problemsOf({ ...valid, 'dashboard-title': 'x'.repeat(257) })[0]).toMatch(
      /^dashboard-title must be at most 256 characters/
    )
  })
})

describe('a bad dashboard input', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('stops the run before any request', async () => {
    h.sentry.seed(2, { seed: 5 })
    const result = await h.run({ dashboard: 'on' })
    expect(result.failed).toBe(true)
    expect(result.stdout).toContain('dashboard must be true or false')
    expect(h.github.requests).toHaveLength(0)
    expect(h.sentry.requests).toHaveLength(0)
  })
})

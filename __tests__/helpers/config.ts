import { expect } from '@jest/globals'
import { ConfigError, parseConfig, type RawInputs } from '../../src/inputs/config.js'

/** The inputs every configuration needs, for tests that parse one. */
export const VALID_INPUTS: RawInputs = {
  'sentry-token': 'sntryu_abc',
  'sentry-org': 'acme',
  'github-token': 'ghs_x',
  repository: 'octo-org/web'
}

/** The problems `parseConfig` reports for inputs it must refuse. */
export function problemsOf(raw: RawInputs): string[] {
  try {
    parseConfig(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

import { describe, expect, it } from '@jest/globals'
import {
  envNameFor,
  envNamesFor,
  parseCliArgs,
  resolveSettings,
  UsageError
} from '../../src/cli/args.js'
import { INPUT_NAMES } from '../../src/inputs/config.js'

/** Where each input's value comes from: flags, SENTRY_SYNC_<INPUT>, the short name, _FILE. */
function settings(env: Record<string, string>, argv: string[] = []) {
  return resolveSettings(parseCliArgs(argv), env)
}

describe('environment names', () => {
  it('every input has SENTRY_SYNC_<INPUT> beside its short name', () => {
    for (const name of INPUT_NAMES) {
      const snake = name.toUpperCase().replace(/-/g, '_')
      expect(envNamesFor(name)).toEqual([`SENTRY_SYNC_${snake}`, envNameFor(name)])
    }
    expect(envNamesFor('sentry-token')).toEqual(['SENTRY_SYNC_SENTRY_TOKEN', 'SENTRY_TOKEN'])
    expect(envNamesFor('repository')).toEqual(['SENTRY_SYNC_REPOSITORY', 'GITHUB_REPOSITORY'])
  })

  it('the prefixed variable wins over the short one; a flag over both', () => {
    const both = settings({ QUERY: 'is:unresolved level:error', SENTRY_SYNC_QUERY: 'is:regressed' })
    expect(both.raw.query).toBe('is:regressed')
    expect(both.sources.query).toBe('env')
    expect(settings({ QUERY: 'short' }).raw.query).toBe('short')
    expect(settings({ SENTRY_SYNC_QUERY: 'long' }).raw.query).toBe('long')
    expect(settings({ SENTRY_SYNC_QUERY: 'long' }, ['--query', 'flag']).raw.query).toBe('flag')
    expect(settings({ SENTRY_ISSUES_SYNC_MODE: 'sync', SENTRY_SYNC_MODE: 'check' }).raw.mode).toBe(
      'check'
    )
    expect(
      settings({ SENTRY_SYNC_REPOSITORY: 'o/r', GITHUB_REPOSITORY: 'x/y' }).raw.repository
    ).toBe('o/r')
  })

  it('an empty prefixed variable counts as unset', () => {
    expect(settings({ SENTRY_SYNC_LABELS: '  ', LABELS: 'triage' }).raw.labels).toBe('triage')
  })

  it('_FILE works for both names, and the prefixed pair wins as a whole', () => {
    const prefixedFile = settings({ SENTRY_SYNC_SENTRY_TOKEN_FILE: '/run/t', SENTRY_TOKEN: 'x' })
    expect(prefixedFile.raw['sentry-token']).toBeUndefined()
    expect(prefixedFile.files['sentry-token']).toEqual({
      path: '/run/t',
      variable: 'SENTRY_SYNC_SENTRY_TOKEN_FILE'
    })
    expect(prefixedFile.sources['sentry-token']).toBe('file')

    const shortFile = settings({ SENTRY_TOKEN_FILE: '/run/s' })
    expect(shortFile.files['sentry-token']).toEqual({
      path: '/run/s',
      variable: 'SENTRY_TOKEN_FILE'
    })

    const prefixedValue = settings({ SENTRY_SYNC_SENTRY_TOKEN: 'v', SENTRY_TOKEN_FILE: '/run/s' })
    expect(prefixedValue.raw['sentry-token']).toBe('v')
    expect(prefixedValue.files['sentry-token']).toBeUndefined()
  })

  it('a variable and its own _FILE twin together are a usage error, for either name', () => {
    expect(() => settings({ SENTRY_SYNC_QUERY: 'a', SENTRY_SYNC_QUERY_FILE: 'f' })).toThrow(
      new UsageError('Both SENTRY_SYNC_QUERY and SENTRY_SYNC_QUERY_FILE are set; set one of them.')
    )
    expect(() => settings({ QUERY: 'a', QUERY_FILE: 'f' })).toThrow(
      'Both QUERY and QUERY_FILE are set'
    )
  })
})

import { describe, expect, it } from '@jest/globals'
import { parseConfig, parseList } from '../../src/inputs/config.js'
import { normalizeSentryBaseUrl } from '../../src/sentry/url.js'
import { problemsOf, VALID_INPUTS } from '../helpers/config.js'

const valid = VALID_INPUTS

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(valid)
    expect(config.sentry).toEqual({
      url: 'https://sentry.io',
      token: 'sntryu_abc',
      org: 'acme',
      projects: [],
      environments: [],
      query: 'is:unresolved',
      statsPeriod: '24h',
      sort: 'date',
      maxIssues: 1000
    })
    expect(config.github).toEqual({
      token: 'ghs_x',
      owner: 'octo-org',
      repo: 'web',
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com'
    })
    expect(config.maxNewIssues).toBe(50)
    expect(config.minEvents).toBe(0)
    expect(config.minUsers).toBe(0)
    expect(config.trackingLabel).toBe('sentry')
    expect(config.labels).toEqual(['bug'])
    expect(config.dryRun).toBe(false)
  })

  it('parses lists, numbers, booleans and GHES URLs', () => {
    const config = parseConfig(
      {
        ...valid,
        'sentry-projects': 'web-frontend, 42\napi',
        'sentry-environments': 'production\nstaging,',
        labels: 'bug, triage\nsentry',
        'max-new-issues': ' 300 ',
        'dry-run': 'True',
        sort: 'freq'
      },
      { apiUrl: 'https://ghe.example.com/api/v3/', serverUrl: 'https://ghe.example.com' }
    )
    expect(config.sentry.projects).toEqual(['web-frontend', '42', 'api'])
    expect(config.sentry.environments).toEqual(['production', 'staging'])
    expect(config.labels).toEqual(['bug', 'triage'])
    expect(config.maxNewIssues).toBe(300)
    expect(config.dryRun).toBe(true)
    expect(config.sentry.sort).toBe('freq')
    expect(config.github.apiUrl).toBe('https://ghe.example.com/api/v3')
  })

  it.each([
    [{ 'sentry-token': '' }, 'sentry-token'],
    [{ 'sentry-token': '   ' }, 'sentry-token'],
    [{ 'sentry-org': '' }, 'sentry-org'],
    [{ 'sentry-org': 'Acme Corp' }, 'sentry-org'],
    [{ sort: 'popular' }, 'sort must be one of: date, new, freq, user, trends, inbox, recommended'],
    [{ 'max-sentry-issues': 'lots' }, 'max-sentry-issues must be a whole number'],
    [{ 'max-new-issues': '-1' }, 'max-new-issues must be a whole number'],
    [{ 'min-events': '1.5' }, 'min-events must be a whole number'],
    [{ repository: 'just-a-name' }, 'repository must be owner/repo'],
    [{ repository: 'a/b/c' }, 'repository must be owner/repo'],
    [{ 'sentry-url': 'not a url' }, 'sentry-url'],
    [{ 'sentry-url': 'ftp://sentry.example.com' }, 'sentry-url'],
    [{ 'sentry-url': 'https://user:pw@sentry.example.com' }, 'sentry-url'],
    [{ 'dry-run': 'yes' }, 'dry-run must be true or false'],
    [{ 'stats-period': 'yesterday' }, 'stats-period must be a Sentry period'],
    [{ 'tracking-label': 'x'.repeat(51) }, 'tracking-label must be at most 50 characters'],
    [{ labels: `ok, ${'y'.repeat(51)}` }, 'at most 50 characters'],
    [{ 'sentry-projects': 'web frontend' }, 'sentry-projects must be']
  ])('rejects %j with an error naming the input', (override, expected) => {
    const problems = problemsOf({ ...valid, ...override })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(expected)
  })

  it('reports every problem at once in a single error', () => {
    let message = ''
    try {
      parseConfig({ ...valid, 'sentry-token': '', sort: 'x', repository: 'nope' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('sentry-token')
    expect(message).toContain('sort')
    expect(message).toContain('repository')
  })

  it('rejects a malformed GITHUB_API_URL', () => {
    expect(() => parseConfig(valid, { apiUrl: 'ghe.example.com' })).toThrow('GITHUB_API_URL')
  })
})

describe('normalizeSentryBaseUrl', () => {
  it.each([
    ['https://sentry.io', 'https://sentry.io'],
    ['https://sentry.io/', 'https://sentry.io'],
    ['https://de.sentry.io/api/0/', 'https://de.sentry.io'],
    ['https://corp.example/sentry/', 'https://corp.example/sentry'],
    ['https://corp.example/sentry/api/0', 'https://corp.example/sentry'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000']
  ])('%s → %s', (input, expected) => {
    expect(normalizeSentryBaseUrl(input)).toBe(expected)
  })
})

describe('parseList', () => {
  it('splits on commas and newlines and drops blanks', () => {
    expect(parseList(' a,\n\nb , c\r\n')).toEqual(['a', 'b', 'c'])
  })
})

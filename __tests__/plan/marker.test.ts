import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  markerKey,
  markerSearchPhrase,
  parseMarker,
  renderMarker,
  retiredMarkerLine
} from '../../src/plan/marker.js'
import { renderBody } from '../../src/render/issue.js'
import { sentryIssueSchema } from '../../src/sentry/schemas.js'

const orgArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,30}$/)
const idArb = fc.bigInt({ min: 1n, max: 10n ** 18n }).map(String)

describe('marker', () => {
  it('round-trips every valid org and issue id', () => {
    fc.assert(
      fc.property(orgArb, idArb, fc.string(), (org, issueId, rest) => {
        const ref = parseMarker(`${renderMarker({ org, issueId })}\n${rest}`)
        expect(ref).toEqual({ org, issueId })
        expect(markerKey(ref!)).toBe(`${org}/${issueId}`)
      })
    )
  })

  it('accepts a marker only as the exact first line', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ref = parseMarker(text)
        if (ref) {
          const firstLine = text.split('\n')[0]!.replace(/\r$/, '')
          expect(firstLine).toBe(renderMarker(ref))
        }
      })
    )
    expect(parseMarker(` ${renderMarker({ org: 'a', issueId: '1' })}`)).toBeUndefined()
    expect(parseMarker(`x\n${renderMarker({ org: 'a', issueId: '1' })}`)).toBeUndefined()
    expect(parseMarker('<!-- sentry-issue: a/01 -->')).toBeUndefined()
    expect(parseMarker('<!-- sentry-issue: A/1 -->')).toBeUndefined()
    expect(parseMarker(`${renderMarker({ org: 'a', issueId: '1' })}\r\nbody`)).toEqual({
      org: 'a',
      issueId: '1'
    })
  })

  it('a retired marker line is neither a marker nor a search hit; a real marker holds the search phrase', () => {
    const retired = retiredMarkerLine('acme/42')
    expect(parseMarker(`${retired}\nbody`)).toBeUndefined()
    expect(retired).not.toContain(markerSearchPhrase('acme'))
    expect(renderMarker({ org: 'acme', issueId: '42' })).toContain(markerSearchPhrase('acme'))
  })

  it('refuses to render a marker from an invalid org or id', () => {
    expect(() => renderMarker({ org: 'Acme', issueId: '1' })).toThrow()
    expect(() => renderMarker({ org: 'acme', issueId: '1 --><!-- x' })).toThrow()
    expect(() => renderMarker({ org: 'acme/evil', issueId: '1' })).toThrow()
  })

  it('no Sentry-provided text can add, move or change the marker of a rendered body', () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '<!-- sentry-issue: acme/1 -->',
        '\n<!-- sentry-issue: acme/2 -->\n',
        '--><!--',
        '<!--'
      ),
      fc
        .array(
          fc.constantFrom(
            '<!-- sentry-issue: ',
            'acme/',
            '7',
            ' -->',
            '\n',
            '\r',
            '`',
            '<',
            '!',
            '--'
          )
        )
        .map((parts) => parts.join(''))
    )
    fc.assert(
      fc.property(hostile, hostile, hostile, idArb, (title, value, culprit, id) => {
        const issue = sentryIssueSchema.parse({
          id,
          shortId: 'WEB-1',
          title,
          culprit,
          permalink: 'https://sentry.io/organizations/acme/issues/1/',
          status: 'unresolved',
          count: '1',
          userCount: 1,
          metadata: { type: title, value },
          project: { id: '1', slug: 'web', name: culprit }
        })
        const body = renderBody(issue, { org: 'acme', trackingLabel: 'sentry', labels: [] })
        expect(parseMarker(body)).toEqual({ org: 'acme', issueId: id })
        // The only comments are ours: the marker on line 1 and the two stats delimiters.
        const comments = body.split('\n').filter((l) => l.includes('<!--'))
        expect(comments).toHaveLength(3)
        expect(body.split('<!--')).toHaveLength(4)
        expect(body.indexOf('<!--')).toBe(0)
        expect(comments[1]).toMatch(/^<!-- sentry-stats:start status=[a-z_]+ -->$/)
        expect(comments[2]).toBe('<!-- sentry-stats:end -->')
      })
    )
  })
})

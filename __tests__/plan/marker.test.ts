import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  canonicalSentryHost,
  identify,
  installationOf,
  markerKey,
  markerSearchPhrase,
  parseMarker,
  renderMarker,
  retiredMarkerLine,
  sentryIdentity,
  withCurrentMarker
} from '../../src/plan/marker.js'
import { renderBody } from '../../src/render/issue.js'
import { renderStartLine, STATS_END } from '../../src/render/stats-block.js'
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

  it('accepts a marker as a whole line anywhere in the body, the first one winning', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ref = parseMarker(text)
        if (ref) {
          const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
          expect(lines).toContain(renderMarker(ref))
        }
      })
    )
    const a1 = renderMarker({ org: 'a', issueId: '1' })
    expect(parseMarker(`x\n\nnotes\n${a1}`)).toEqual({ org: 'a', issueId: '1' })
    expect(parseMarker(`${a1}\n${renderMarker({ org: 'a', issueId: '2' })}`)).toEqual({
      org: 'a',
      issueId: '1'
    })
    expect(parseMarker(` ${a1}`)).toBeUndefined()
    expect(parseMarker(`quoted: ${a1}`)).toBeUndefined()
    expect(parseMarker('<!-- sentry-issue: a/01 -->')).toBeUndefined()
    expect(parseMarker('<!-- sentry-issue: A/1 -->')).toBeUndefined()
    expect(parseMarker(`${a1}\r\nbody`)).toEqual({ org: 'a', issueId: '1' })
  })

  it('writes a host part for every Sentry host but sentry.io, and reads both forms', () => {
    expect(renderMarker({ host: 'sentry.io', org: 'acme', issueId: '7' })).toBe(
      '<!-- sentry-issue: acme/7 -->'
    )
    const selfHosted = renderMarker({ host: 'sentry.example.com:9000', org: 'acme', issueId: '7' })
    expect(selfHosted).toBe('<!-- sentry-issue: sentry.example.com:9000/acme/7 -->')
    expect(parseMarker(`notes\n${selfHosted}`)).toEqual({
      host: 'sentry.example.com:9000',
      org: 'acme',
      issueId: '7'
    })
    expect(() => renderMarker({ host: 'Bad Host', org: 'acme', issueId: '7' })).toThrow()
  })

  it('names Sentry hosts canonically: sentry.io with its regions and org subdomains, the EU apart', () => {
    expect(canonicalSentryHost('https://sentry.io')).toBe('sentry.io')
    expect(canonicalSentryHost('https://us.sentry.io/')).toBe('sentry.io')
    expect(canonicalSentryHost('https://acme.sentry.io/issues/1/')).toBe('sentry.io')
    expect(canonicalSentryHost('https://de.sentry.io')).toBe('de.sentry.io')
    expect(canonicalSentryHost('https://acme.de.sentry.io/issues/1/')).toBe('de.sentry.io')
    expect(canonicalSentryHost('https://Sentry.Example.com:443/sentry')).toBe('sentry.example.com')
    expect(canonicalSentryHost('http://127.0.0.1:9000')).toBe('127.0.0.1:9000')
    expect(canonicalSentryHost('not a url')).toBeUndefined()
  })

  describe('identify', () => {
    const saas = sentryIdentity('acme', 'https://sentry.io')
    const selfHosted = sentryIdentity('acme', 'https://sentry.example.com', [
      'https://sentry.internal.example/organizations/acme/issues/1/'
    ])
    const link = (url: string): string => `- **Sentry issue:** [Open in Sentry](<${url}>)`

    it('on sentry.io, matches by issue id whatever the org (a renamed organisation)', () => {
      expect(identify('<!-- sentry-issue: acme/5 -->', saas)).toEqual({
        issueId: '5',
        marker: 'current'
      })
      expect(identify('notes\n<!-- sentry-issue: old-name/5 -->', saas)).toEqual({
        issueId: '5',
        marker: 'stale'
      })
      expect(identify('<!-- sentry-issue: sentry.example.com/acme/5 -->', saas)).toBeUndefined()
    })

    it('elsewhere, matches its own host (and aliases), and host-less markers of its org or link', () => {
      expect(identify('<!-- sentry-issue: sentry.example.com/acme/5 -->', selfHosted)).toEqual({
        issueId: '5',
        marker: 'current'
      })
      expect(identify('<!-- sentry-issue: sentry.internal.example/old/5 -->', selfHosted)).toEqual({
        issueId: '5',
        marker: 'stale'
      })
      expect(identify('<!-- sentry-issue: acme/5 -->', selfHosted)?.marker).toBe('stale')
      // Another installation whose org shares the slug: not ours.
      expect(identify('<!-- sentry-issue: sentry.other.example/acme/5 -->', selfHosted)).toBe(
        undefined
      )
      // A host-less marker of another org is ours only when its Sentry link points here.
      expect(identify('<!-- sentry-issue: old/5 -->', selfHosted)).toBeUndefined()
      expect(
        identify(
          `<!-- sentry-issue: old/5 -->\n${link('https://sentry.example.com/organizations/old/issues/5/')}`,
          selfHosted
        )?.issueId
      ).toBe('5')
    })

    it('recognises a body whose marker a person deleted by the action’s Sentry link line', () => {
      const body = `Notes\n\n${link('https://acme.sentry.io/issues/42/?project=1')}\n`
      expect(identify(body, saas)).toEqual({ issueId: '42', marker: 'missing' })
      expect(identify(body, selfHosted)).toBeUndefined()
      // A link a person pasted in prose is not the action's line.
      expect(identify('see https://acme.sentry.io/issues/42/', saas)).toBeUndefined()
    })

    it('puts the marker back, or replaces a stale one where it stands', () => {
      const marker = renderMarker({ org: 'acme', issueId: '5' })
      expect(withCurrentMarker('notes\nbody', marker)).toBe(`${marker}\nnotes\nbody`)
      expect(withCurrentMarker('notes\n<!-- sentry-issue: old/5 -->\nbody', marker)).toBe(
        `notes\n${marker}\nbody`
      )
      expect(withCurrentMarker(`${marker}\nbody`, marker)).toBe(`${marker}\nbody`)
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
        const body = renderBody(issue, {
          org: 'acme',
          sentryHost: 'sentry.example.com:9000',
          trackingLabel: 'sentry',
          labels: []
        })
        expect(parseMarker(body)).toEqual({
          host: 'sentry.example.com:9000',
          org: 'acme',
          issueId: id
        })
        // The only comments are ours: the marker on line 1 and the two stats delimiters.
        const comments = body.split('\n').filter((l) => l.includes('<!--'))
        expect(comments).toHaveLength(3)
        expect(body.split('<!--')).toHaveLength(4)
        expect(body.indexOf('<!--')).toBe(0)
        expect(comments[1]).toMatch(
          /^<!-- sentry-stats:start status=[a-z_]+(?: project=\d+)?(?: label=[A-Za-z0-9%._~-]+)?(?: closed=[a-z_]+)?(?: n=\d+)? -->$/
        )
        expect(comments[2]).toBe('<!-- sentry-stats:end -->')
      })
    )
  })
})

describe('one Sentry installation under any URL', () => {
  const A = installationOf({ id: '1', dateCreated: '2026-01-05T10:00:00.123456Z' })!
  const B = installationOf({ id: '1', dateCreated: '2026-03-09T08:30:00.000Z' })!
  const issue = { shortId: 'BACKEND-7', project: { id: '2' } } as const
  /** A body as the action writes it: marker, short id row, block (with its memory). */
  function body(markerHost: string, memory: { installation?: string; project?: string }): string {
    return [
      renderMarker({ host: markerHost, org: 'acme', issueId: '7' }),
      '| Short ID | BACKEND-7 |',
      renderStartLine({ status: 'unresolved', project: '2', ...memory }),
      '| Live from Sentry | |',
      STATS_END
    ].join('\n')
  }
  const here = (installation?: string, listed = true) =>
    sentryIdentity('acme', 'http://127.0.0.1:9000', [], {
      ...(installation !== undefined ? { installation } : {}),
      ...(listed ? { listed: new Map([['7', issue]]) } : {})
    })

  it('names an installation by its organisation id and creation time, or not at all', () => {
    expect(A).toBe('1.1767607200123')
    expect(A).not.toBe(B)
    expect(installationOf({ id: 1, dateCreated: '2026-01-05T10:00:00.123Z' })).toBe(A)
    expect(installationOf({ id: '1' })).toBeUndefined()
    expect(installationOf({ id: 'acme', dateCreated: '2026-01-05T10:00:00Z' })).toBeUndefined()
    expect(installationOf({ id: '1', dateCreated: 'yesterday' })).toBeUndefined()
    // It fits the block's start line, and only such a value is read back.
    expect(renderStartLine({ status: 'unresolved', installation: A })).toContain(`org=${A}`)
    expect(renderStartLine({ status: 'unresolved', installation: 'x y' })).not.toContain('org=')
  })

  it('the recorded installation decides: any host of the same one is ours (marker stale), another never', () => {
    const aliased = body('sentry.internal.example:9000', { installation: A })
    expect(identify(aliased, here(A))).toEqual({ issueId: '7', marker: 'stale' })
    expect(identify(body('127.0.0.1:9000', { installation: A }), here(A))?.marker).toBe('current')
    // Another installation: same slug, id, project and short id, even the same host.
    expect(identify(body('127.0.0.1:9000', { installation: B }), here(A))).toBeUndefined()
    expect(identify(aliased, here(B))).toBeUndefined()
  })

  it('without a recorded installation: the host, else the listed issue’s project and short id', () => {
    const legacy = body('sentry.old-name.example', {})
    expect(identify(legacy, here(A))).toEqual({ issueId: '7', marker: 'stale' })
    expect(identify(legacy, here(undefined))?.issueId).toBe('7')
    // Without this run's issue to compare with, or with another short id, not ours.
    expect(identify(legacy, here(A, false))).toBeUndefined()
    expect(identify(legacy.replace('BACKEND-7', 'BACKEND-8'), here(A))).toBeUndefined()
    // A body without the block (a person deleted it) carries no evidence of its project.
    const noBlock = legacy.split('\n').slice(0, 2).join('\n')
    expect(identify(noBlock, here(A))).toBeUndefined()
    // When the run could not read the organisation, a recorded installation cannot decide.
    expect(identify(body('127.0.0.1:9000', { installation: B }), here(undefined))?.issueId).toBe(
      '7'
    )
  })

  it('searches every marker whatever its host, off sentry.io', () => {
    expect(body('sentry.old-name.example', {})).toContain(markerSearchPhrase('acme', 'x.example'))
  })
})

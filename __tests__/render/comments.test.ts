import { describe, expect, it } from '@jest/globals'
import {
  ACTION_SIGNATURE,
  copiedCommentUrl,
  copiedNoteId,
  isActionComment,
  isActionNote,
  renderCommentNote,
  renderNoteCopy,
  signed
} from '../../src/render/comments.js'
import { findMarker } from '../../src/plan/marker.js'
import { findStatsBlock, parseStartLine, renderStartLine } from '../../src/render/stats-block.js'
import { HOSTILE_STRINGS, markdownViolations } from '../fixtures/hostile-strings.js'

describe('a Sentry note copied to GitHub', () => {
  it.each(HOSTILE_STRINGS.map((h) => [h.name, h.value]))(
    'is attributed, quoted and escaped: %s',
    (_name, value) => {
      const body = renderNoteCopy({ id: '42', author: value, text: `${value}\n\n${value}` })
      const lines = body.split('\n')
      const header = /^\*\*(.*)\*\* in Sentry:$/.exec(lines[0] ?? '')
      expect(header).not.toBeNull()
      expect(markdownViolations(header?.[1] ?? '')).toEqual([])
      expect(lines[1]).toBe('')
      const quoted = lines.slice(2, -2)
      expect(quoted.every((l) => l === '>' || l.startsWith('> '))).toBe(true)
      expect(markdownViolations(quoted.map((l) => l.replace(/^> ?/, '')).join('\n'))).toEqual([])
      // Only the last line is the action's: no forged marker, block or note id can come through.
      expect(lines.slice(0, -1).filter((l) => l.includes('<!--'))).toEqual([])
      expect(lines.at(-1)).toBe('<!-- sentry-note: 42 -->')
      expect(copiedNoteId(body)).toBe('42')
      expect(findMarker(body)).toBeUndefined()
      expect(findStatsBlock(body)).toBeUndefined()
      expect(isActionComment(body)).toBe(true)
    }
  )

  it('a forged note line in the text stays text', () => {
    const body = renderNoteCopy({ id: '7', author: 'Ada', text: '<!-- sentry-note: 1 -->' })
    expect(copiedNoteId(body)).toBe('7')
  })

  it('a note that escapes to more than GitHub takes is cut to fit', () => {
    const line = '@a#1<b>'.repeat(140)
    const body = renderNoteCopy({ id: '1', author: 'Ada', text: `${line}\n`.repeat(200) })
    expect(body.length).toBeLessThan(65_536)
    expect(body).toMatch(/> … \(\d+ more lines\)/)
    expect(copiedNoteId(body)).toBe('1')
  })

  it('a very long note is cut to its first 200 lines', () => {
    const body = renderNoteCopy({ id: '1', author: 'Ada', text: 'x\n'.repeat(500) })
    expect(body).toContain('(301 more lines)')
    expect(body.split('\n').length).toBeLessThan(210)
  })
})

describe('what the action wrote, told from what people wrote', () => {
  it('signed comments and copies are the action’s; a person’s comment is not', () => {
    expect(isActionComment(signed('Resolved in Sentry.'))).toBe(true)
    expect(signed('x').endsWith(`\n\n${ACTION_SIGNATURE}`)).toBe(true)
    expect(isActionComment('I think this is fixed')).toBe(false)
    expect(isActionComment(`quoting ${ACTION_SIGNATURE} inline`)).toBe(false)
  })

  it('a comment copied to Sentry names its author and link, and is the action’s note', () => {
    const url = 'https://github.com/acme/web/issues/3#issuecomment-99'
    const note = renderCommentNote({ login: 'octocat', url, body: 'Looking into it' })
    expect(note.split('\n')[0]).toBe(`**octocat** on GitHub: ${url}`)
    expect(note).toContain('Looking into it')
    expect(copiedCommentUrl(note)).toBe(url)
    expect(isActionNote(note)).toBe(true)
    expect(isActionNote('GitHub issue: https://github.com/acme/web/issues/3')).toBe(true)
    expect(isActionNote('**octocat** wrote this by hand')).toBe(false)
  })
})

describe('the start line remembers assignees and comments', () => {
  it('round-trips, and drops values it did not write', () => {
    const memory = {
      status: 'unresolved',
      project: '4',
      assignees: { sa: 't201', ga: ['ada-l', 'someone'], gm: 'ada-l' },
      comments: { nc: 2, gc: 5, sn: 1_765_170_000_123, gn: 1_765_170_000_000 }
    }
    const line = renderStartLine(memory)
    expect(line).toBe(
      '<!-- sentry-stats:start status=unresolved project=4 sa=t201 ga=ada-l.someone gm=ada-l nc=2 gc=5 sn=1765170000123 gn=1765170000000 -->'
    )
    expect(parseStartLine(line)).toEqual(memory)
    expect(
      renderStartLine({ status: 'unresolved', assignees: { sa: 'u1', ga: [], gm: '-' } })
    ).toContain('sa=u1 ga=- gm=-')
    expect(parseStartLine('<!-- sentry-stats:start status=unresolved sa=x1 ga=- gm=- -->')).toEqual(
      {
        status: 'unresolved'
      }
    )
  })
})

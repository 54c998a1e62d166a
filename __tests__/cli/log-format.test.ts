import { describe, expect, it } from '@jest/globals'
import { eventLogger, parseLogFormat } from '../../src/cli/log-format.js'
import { createScrubber } from '../../src/cli/output.js'

/** --log-format: text as before, or one JSON object a line, scrubbed either way. */

function capture(): {
  out: string[]
  err: string[]
  io: { out(t: string): void; err(t: string): void }
} {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t) => void out.push(t), err: (t) => void err.push(t) } }
}

describe('eventLogger', () => {
  const at = (): Date => new Date('2026-01-02T03:04:05.000Z')

  it('json: one object a line with time, level, message and fields; secrets scrubbed everywhere', async () => {
    const { out, err, io } = capture()
    const scrub = createScrubber()
    scrub.add('sntrys_secret_token')
    const log = eventLogger(io, scrub, false, 'json', at)
    log.event('info', 'Filed with sntrys_secret_token', {
      pass: 'quick',
      nested: { url: 'https://x/?t=sntrys_secret_token' },
      level: 'ignored'
    })
    log.warning('careful\u001b[31m')
    log.debug('hidden without --verbose')
    await log.group('A heading', async () => undefined)
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        time: '2026-01-02T03:04:05.000Z',
        level: 'info',
        message: 'Filed with ***',
        pass: 'quick',
        nested: { url: 'https://x/?t=***' }
      }
    ])
    expect(err.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2026-01-02T03:04:05.000Z', level: 'warning', message: 'careful[31m' }
    ])
  })

  it('text: the console format the CLI always had', async () => {
    const { out, err, io } = capture()
    const log = eventLogger(io, createScrubber(), true, 'text', at)
    log.info('hello')
    log.debug('details')
    log.warning('careful')
    await log.group('Heading', async () => undefined)
    expect(out).toEqual(['hello', 'debug: details', '\n== Heading'])
    expect(err).toEqual(['warning: careful'])
  })

  it('parses text and json only', () => {
    expect(parseLogFormat(undefined)).toBe('text')
    expect(parseLogFormat('JSON')).toBe('json')
    expect(parseLogFormat('yaml')).toBeUndefined()
  })
})

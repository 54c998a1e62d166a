import type { Logger } from '../log.js'
import type { CliIo, Scrubber } from './output.js'

/**
 * The CLI's log lines as text (the default: `warning: …`, headings as `== …`) or, with
 * `--log-format json`, one JSON object a line: `time`, `level`, `message` and the event's fields,
 * for a log collector. Either way every string is scrubbed of secrets and control characters, and
 * debug lines appear only with --verbose. Debug and info go to stdout, warnings and errors to
 * stderr.
 */

export type LogFormat = 'text' | 'json'
export type Level = 'debug' | 'info' | 'warning' | 'error'
export type Fields = Record<string, unknown>

export interface EventLogger extends Logger {
  readonly format: LogFormat
  event(level: Level, message: string, fields?: Fields): void
}

export function parseLogFormat(value: string | undefined): LogFormat | undefined {
  const text = (value ?? 'text').trim().toLowerCase()
  return text === 'text' || text === 'json' ? text : undefined
}

export function eventLogger(
  io: CliIo,
  scrub: Scrubber,
  verbose: boolean,
  format: LogFormat,
  now: () => Date = () => new Date()
): EventLogger {
  const event = (level: Level, message: string, fields?: Fields): void => {
    if (level === 'debug' && !verbose) return
    const write = (text: string): void =>
      level === 'warning' || level === 'error' ? io.err(text) : io.out(text)
    if (format === 'json') {
      const line: Fields = { time: now().toISOString(), level, message: scrub(message) }
      for (const [key, value] of Object.entries(fields ?? {})) {
        if (!(key in line)) line[key] = scrubValue(value, scrub)
      }
      write(JSON.stringify(line))
      return
    }
    write(scrub(level === 'info' ? message : `${level}: ${message}`))
  }
  return {
    format,
    event,
    debug: (message) => event('debug', message),
    info: (message) => event('info', message),
    warning: (message) => event('warning', message),
    group: async (name, fn) => {
      if (format === 'json') event('debug', name, { group: true })
      else io.out(scrub(`\n== ${name}`))
      return fn()
    }
  }
}

function scrubValue(value: unknown, scrub: Scrubber): unknown {
  if (typeof value === 'string') return scrub(value)
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrub))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, scrub)]))
  }
  return value
}

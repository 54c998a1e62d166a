/**
 * Reading what Sentry (or whatever stands in its place) answered: headers, a JSON body, Sentry's
 * error `detail`, and what a response schema did not accept, in words for the person running the
 * action.
 */
import type { z } from 'zod'
import { errorMessage } from '../log.js'
import { sentryErrorBodySchema } from './schemas.js'

/** One complete HTTP answer: status, headers and the body as text. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

export type ParsedBody =
  { ok: true; value: unknown } | { ok: false; problem: string; html: boolean }

export function parseJsonBody(response: RawResponse): ParsedBody {
  const contentType = headerValue(response.headers, 'content-type') ?? ''
  const text = response.text
  const html = /html/i.test(contentType) || /^\s*</.test(text)
  if (html) {
    const title = htmlTitle(text)
    return {
      ok: false,
      html,
      problem: `an HTML page${title ? ` ("${title}")` : ''} instead of JSON`
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    const kind =
      text.trim() === ''
        ? 'an empty body instead of JSON'
        : `malformed JSON (${errorMessage(error)})`
    return { ok: false, html, problem: kind }
  }
}

function htmlTitle(text: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim()
  return title === undefined || title === '' ? undefined : title.slice(0, 120)
}

/**
 * Whether an error response is one of Sentry's own: a JSON object with a `detail`. Sentry's
 * endpoints answer "no such issue" or "no event" that way; an unknown route gets Sentry's catch-all
 * (an empty 404, or `{"info": …}`), and a proxy or web server answers with HTML.
 */
export function hasErrorDetail(response: RawResponse): boolean {
  try {
    const parsed = sentryErrorBodySchema.safeParse(JSON.parse(response.text))
    return parsed.success && parsed.data.detail !== undefined && parsed.data.detail !== null
  } catch {
    return false
  }
}

/** Sentry's `detail`, or a short description of a non-JSON error body. */
export function extractDetail(response: RawResponse): string | undefined {
  const text = response.text.trim()
  if (text === '') return undefined
  try {
    const parsed = sentryErrorBodySchema.safeParse(JSON.parse(text))
    if (parsed.success && parsed.data.detail !== undefined)
      return truncate(detailText(parsed.data.detail))
    return truncate(text)
  } catch {
    const contentType = headerValue(response.headers, 'content-type') ?? ''
    if (/html/i.test(contentType) || text.startsWith('<')) {
      const title = htmlTitle(text)
      return `an HTML page${title ? ` ("${title}")` : ''}`
    }
    return truncate(text)
  }
}

function detailText(detail: unknown): string {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) return detail.map(detailText).join('; ')
  if (typeof detail === 'object' && detail !== null) {
    const message = (detail as Record<string, unknown>)['message']
    if (typeof message === 'string') return message
  }
  return JSON.stringify(detail)
}

function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

export function summarizeZodIssues(error: z.ZodError, data: unknown): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const [first, ...rest] = issue.path
    let where: string
    if (typeof first === 'number') {
      const item: unknown = Array.isArray(data) ? data[first] : undefined
      const id =
        typeof item === 'object' && item !== null
          ? (item as Record<string, unknown>)['id']
          : undefined
      where = `item ${first}${typeof id === 'string' || typeof id === 'number' ? ` (id ${id})` : ''}`
      if (rest.length > 0) where += ` field ${rest.map(String).join('.')}`
    } else {
      where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}` : 'the response'
    }
    return `${where}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '')
}

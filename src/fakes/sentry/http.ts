/**
 * The vocabulary the fake Sentry's router and its resources share: a request as the router parsed
 * it (`Ctx`), an answer (`Reply`), a route and the path patterns routes are declared with,
 * Sentry's `{"detail": ...}` error answers, its query parameters and cursor pagination with the
 * `Link` header, and writing an answer to the socket. Nothing here holds state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SentryState } from './state.js'

/** A request as the router parsed it. */
export interface Ctx {
  method: string
  query: URLSearchParams
  /** The request body as text (`''` when empty). */
  body: string
  /** The absolute URL of the requested path, as Sentry builds it for `Link` (from the Host). */
  base: string
  /** A `loop-cursor` fault applies: the `next` cursor points back to the current page. */
  loopCursor: boolean
}

/** An answer: status, JSON body and extra headers. */
export interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
  /** Sent as is instead of `body` as JSON (an empty 404 from the catch-all route). */
  rawBody?: string
}

/** The path parameters of a matched route, by name (decoded). */
export type Params = Readonly<Record<string, string>>

/**
 * One endpoint. A request whose path (without the prefix) it matches but whose method it does not
 * answer gets 405; one naming an `org` other than the organization's slug or id, 404.
 */
export interface Route<P extends Params = Params> {
  /** The parameters when the path is this route's, else undefined (usually from `pattern`). */
  match: (path: string) => P | undefined
  methods: readonly string[]
  /** A paginated list: `loop-cursor` faults apply to it. */
  list?: boolean
  /**
   * Unknown to an old self-hosted server (`legacyEventsOnly`): there Sentry's catch-all answers
   * an empty 404, before the rate limit and the token are looked at.
   */
  newerServersOnly?: boolean
  handle(s: SentryState, ctx: Ctx, params: P): Reply
}

/**
 * A matcher for a path pattern of Sentry's shape, e.g. `/api/0/organizations/:org/issues/:id/`:
 * literal segments, and `:name` for one non-empty segment, handed over decoded (a malformed
 * escape throws, and the router answers 500).
 */
export function pattern(path: string): (path: string) => Params | undefined {
  const names: string[] = []
  const segments = path.split('/').map((segment) => {
    if (!segment.startsWith(':')) return segment
    names.push(segment.slice(1))
    return '([^/]+)'
  })
  const regex = new RegExp(`^${segments.join('\\/')}$`)
  return (candidate) => {
    const match = regex.exec(candidate)
    if (!match) return undefined
    return Object.fromEntries(
      names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')])
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Error answers

export const DETAIL_NOT_FOUND = 'The requested resource does not exist'
export const DETAIL_FORBIDDEN = 'You do not have permission to perform this action.'

/** An error answer (`{"detail": ...}`) thrown inside request handling. */
export class HttpError extends Error {
  readonly status: number
  readonly detail: string

  constructor(status: number, detail: string) {
    super(detail)
    this.status = status
    this.detail = detail
  }
}

// ---------------------------------------------------------------------------------------------
// Reading requests

export const MAX_PAGE_SIZE = 100

export function parseIntParam(
  value: string | null,
  name: string,
  min: number,
  max: number
): number {
  if (value === null) return max
  if (!/^\d+$/.test(value)) throw new HttpError(400, `Invalid ${name} parameter: not an integer.`)
  const parsed = Number(value)
  if (parsed < min || parsed > max) {
    throw new HttpError(400, `Invalid ${name} parameter: must be between ${min} and ${max}.`)
  }
  return parsed
}

export interface Cursor {
  value: string
  offset: number
  isPrev: boolean
}

export function parseCursor(value: string | null): Cursor {
  if (value === null) return { value: '0', offset: 0, isPrev: false }
  const match = /^(-?\d+(?:\.\d+)?):(\d+):([01])$/.exec(value)
  if (!match) throw new HttpError(400, 'Invalid cursor parameter.')
  return { value: match[1] ?? '0', offset: Number(match[2]), isPrev: match[3] === '1' }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > 1_000_000) throw new Error('request body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// ---------------------------------------------------------------------------------------------
// Pagination

/** One page of `items`, with Sentry's `Link` header (offset cursors `0:OFFSET:IS_PREV`). */
export function page<T>(items: T[], ctx: Ctx, cursor: Cursor, limit: number): Reply {
  const offset = cursor.offset
  const slice = items.slice(offset, offset + limit)
  const previous = `0:${Math.max(0, offset - limit)}:1`
  const next = ctx.loopCursor ? `${cursor.value}:${offset}:0` : `0:${offset + limit}:0`
  const hasNext = ctx.loopCursor || offset + limit < items.length
  const others = new URLSearchParams(ctx.query)
  others.delete('cursor')
  const qs = others.toString()
  const link = (name: string, value: string, results: boolean): string =>
    `<${ctx.base}?${qs === '' ? '' : `${qs}&`}cursor=${value}>; rel="${name}"; ` +
    `results="${results}"; cursor="${value}"`
  return {
    status: 200,
    body: slice,
    headers: {
      Link: `${link('previous', previous, offset > 0)}, ${link('next', next, hasNext)}`
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing answers

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.rawBody !== undefined) {
    sendRaw(res, reply.status, { ...reply.headers }, reply.rawBody)
    return
  }
  sendRaw(
    res,
    reply.status,
    { 'content-type': 'application/json', ...reply.headers },
    JSON.stringify(reply.body)
  )
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string
): void {
  if (res.destroyed) return
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
  res.end(body)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function toTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

export function isoPlus(iso: string, ms: number): string {
  const time = Date.parse(iso)
  return new Date((Number.isNaN(time) ? 0 : time) + ms).toISOString()
}

/** A string, number or boolean field as text; `fallback` when missing or of another type. */
export function scalarText(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : fallback
}

export function titleCase(slug: string): string {
  return slug
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ')
}

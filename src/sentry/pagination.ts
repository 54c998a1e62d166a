/**
 * Sentry's cursor pagination: follow the `Link` header's `rel="next"` while it says
 * `results="true"`, stop at the caller's say, and stop early on a cursor that repeats or on pages
 * that bring nothing new.
 */
import type { Logger } from '../log.js'

/** What a page handler tells the paginator: stop?, how many new items, the next page's limit. */
export interface PageOutcome {
  stop: boolean
  added: number
  nextLimit?: number
}

/** What `paginate` is told to do with the pages of type `T`. */
export interface PageHandlers<T> {
  firstLimit?: number
  onPage: (page: T, hasMore: boolean) => PageOutcome
  onIncomplete?: () => void
}

interface LinkEntry {
  rel: string
  results: boolean
  cursor: string | undefined
}

/** Give up a listing after this many pages in a row that add nothing new. */
const MAX_EMPTY_PAGES = 3

/**
 * Follows `rel="next"` while it says `results="true"`. `onPage` receives each page and whether
 * more exist; it may stop, and may set the next page's `limit`. `getPage` requests a page with
 * `base` plus `limit` and the `cursor` from the Link header (not the Link URL, whose host a proxy
 * may have rewritten). `onIncomplete` is called when paging had to stop early.
 */
export async function paginate<T>(
  path: string,
  base: URLSearchParams,
  getPage: (params: URLSearchParams) => Promise<{ data: T; link: string | undefined }>,
  handlers: PageHandlers<T>,
  log: Pick<Logger, 'warning'>
): Promise<void> {
  const { onPage, onIncomplete } = handlers
  const cursorsSeen = new Set<string>()
  let cursor: string | undefined
  let limit = handlers.firstLimit
  let pagesWithoutNews = 0
  for (;;) {
    const params = new URLSearchParams(base)
    if (limit !== undefined) params.set('limit', String(limit))
    if (cursor !== undefined) params.set('cursor', cursor)
    const { data, link } = await getPage(params)
    const next = parseLinkHeader(link).find((entry) => entry.rel === 'next')
    const hasMore = next?.results === true && next.cursor !== undefined && next.cursor !== ''
    const outcome = onPage(data, hasMore)
    if (outcome.stop || !hasMore || next?.cursor === undefined) return

    if (next.cursor === cursor || cursorsSeen.has(next.cursor)) {
      log.warning(
        `Sentry's pagination for ${path} returned cursor "${next.cursor}" again; stopping here ` +
          'to avoid an endless loop (the listing may be incomplete).'
      )
      onIncomplete?.()
      return
    }
    pagesWithoutNews = outcome.added === 0 ? pagesWithoutNews + 1 : 0
    if (pagesWithoutNews >= MAX_EMPTY_PAGES) {
      log.warning(
        `Sentry returned ${MAX_EMPTY_PAGES} pages in a row with nothing new for ${path}; ` +
          'stopping here (the listing may be incomplete).'
      )
      onIncomplete?.()
      return
    }
    if (cursor !== undefined) cursorsSeen.add(cursor)
    cursorsSeen.add(next.cursor)
    cursor = next.cursor
    limit = outcome.nextLimit ?? limit
  }
}

/**
 * Sentry's `Link` header: `<URL>; rel="previous"; results="false"; cursor="0:0:1", <URL>; rel="next"; …`.
 */
function parseLinkHeader(header: string | undefined): LinkEntry[] {
  if (header === undefined) return []
  const entries: LinkEntry[] = []
  for (const part of header.split(/,\s*(?=<)/)) {
    const attributes = new Map<string, string>()
    for (const match of part.matchAll(/;\s*([A-Za-z-]+)\s*=\s*"([^"]*)"/g)) {
      attributes.set((match[1] ?? '').toLowerCase(), match[2] ?? '')
    }
    const rel = attributes.get('rel')
    if (rel === undefined) continue
    entries.push({
      rel,
      results: attributes.get('results') === 'true',
      cursor: attributes.get('cursor')
    })
  }
  return entries
}

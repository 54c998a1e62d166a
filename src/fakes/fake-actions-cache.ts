/**
 * An in-process fake of the GitHub Actions cache service (v2, the "results" service) and of the
 * Azure Blob storage it hands out signed URLs for, so that `@actions/cache` (v6) can save and
 * restore over real HTTP on loopback, as it does on a runner with `ACTIONS_CACHE_SERVICE_V2` set.
 *
 *     const fake = await FakeActionsCache.start()
 *     Object.assign(process.env, cacheEnv(fake))
 *     await saveCache([file], 'key-1')          // CreateCacheEntry, PUT blob, Finalize
 *     await restoreCache([file], 'key-', ['key-']) // GetCacheEntryDownloadURL, GET blob
 *     await fake.close()
 *
 * What it models:
 * - The Twirp JSON API at `{ACTIONS_RESULTS_URL}/twirp/github.actions.results.api.v1.CacheService/`
 *   `CreateCacheEntry`, `FinalizeCacheEntryUpload` and `GetCacheEntryDownloadURL`: POST only,
 *   `Content-Type: application/json`, bodies with the protobuf field names (`restore_keys`,
 *   `size_bytes`, `signed_upload_url`, `matched_key`, `entry_id`; int64 values as strings, as
 *   protojson writes them), the bearer token (`ACTIONS_RUNTIME_TOKEN`) checked on every call.
 * - Twirp errors as `{"code","msg"}` with Twirp's status for the code: `unauthenticated` 401,
 *   `malformed` 400, `invalid_argument` 400, `not_found` 404, `bad_route` 404 (an unknown method,
 *   another HTTP method or content type, any other path), `already_exists` 409, `internal` 500.
 * - Entries are identified by key and version (the client's hash of the paths and compression):
 *   creating one that exists, finalized or not, answers 409 `already_exists` with the service's
 *   message ("cache entry with the same key, version, and scope already exists"); finalizing one
 *   that was never created, or whose blob was never uploaded, answers 404 `not_found`. Finalizing
 *   twice answers the same entry again.
 * - Lookup answers only finalized entries of the request's version: the exact key first, then
 *   each restore key in turn as a prefix, the newest entry (by creation) first; no match is a 200
 *   with `ok: false`.
 * - Azure Blob, at emulator-style URLs (`{origin}/{account}/{container}/{blob}?sv=…&sig=…`): Put
 *   Blob (`PUT` with `x-ms-blob-type: BlockBlob`, answering 201 with `ETag`, `Last-Modified`,
 *   `Content-MD5` and `x-ms-request-server-encrypted`), Get Blob (`GET`, whole or with
 *   `Range`/`x-ms-range`, 206 with `Content-Range`) and Get Blob Properties (`HEAD`). The SAS
 *   signature is checked (a wrong one is 403 `AuthenticationFailed`) and so is its permission
 *   (the upload URL writes, the download URL reads); errors are Azure's XML `<Error>` bodies with
 *   `x-ms-error-code`.
 * - An outage: while `failWith` is set, every request (Twirp and blob) answers that status.
 *
 * What it does not model: cache scopes (branches and the default branch: there is one scope),
 * the v1 REST service (`ACTIONS_CACHE_URL`, `_apis/artifactcache`), the protobuf wire format,
 * Put Block / Put Block List (`@actions/cache` uploads in one Put Blob below 128 MiB, far above a
 * state file), SAS expiry, eviction and the storage quota, rate limits (429), a read-only token's
 * `cache write denied:` answers, and `metadata` in requests (ignored).
 *
 * Note for callers: `@actions/cache` only takes the v2 path off GHES, which it decides from
 * `GITHUB_SERVER_URL`: unset, `https://github.com`, `*.ghe.com` or a `*.localhost` host.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { listenOnLoopback } from './listen.js'

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'
const ACCOUNT = 'devstoreaccount1'
const CONTAINER = 'actions-cache'
const STORAGE_VERSION = '2024-08-04'

export interface FakeCacheEntry {
  id: number
  key: string
  version: string
  /** Creation order: the higher, the newer. */
  created: number
  /** The uploaded archive, once Put Blob has run. */
  data?: Buffer
  /** `size_bytes` from FinalizeCacheEntryUpload. */
  sizeBytes?: number
  finalized: boolean
}

export interface FakeCacheRequest {
  method: string
  /** Path and query as received. */
  url: string
  /** The Twirp method (`CreateCacheEntry`, …) or blob operation (`PutBlob`, `GetBlob`, `GetBlobProperties`). */
  operation: string
  status: number
  /** The parsed JSON body of a Twirp call. */
  body?: unknown
}

export interface FakeActionsCacheOptions {
  /** The runtime token callers must present (`ACTIONS_RUNTIME_TOKEN`). */
  token?: string
}

interface Signature {
  entry: FakeCacheEntry
  permission: 'write' | 'read'
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string
  ) {
    super(msg)
  }
}

export class FakeActionsCache {
  /** What `ACTIONS_RESULTS_URL` would be (with its trailing slash, as a runner sets it). */
  readonly url: string
  readonly token: string
  /** Every request, in arrival order. */
  requests: FakeCacheRequest[] = []
  /** Every entry created, finalized or not, in creation order. */
  entries: FakeCacheEntry[] = []
  /** While set, every request answers this status (500: the service is down). */
  failWith: number | undefined

  private readonly origin: string
  private readonly signatures = new Map<string, Signature>()
  private nextId = 1

  private constructor(
    private readonly server: Server,
    port: number,
    opts: FakeActionsCacheOptions
  ) {
    this.origin = `http://127.0.0.1:${port}`
    this.url = `${this.origin}/`
    this.token = opts.token ?? `fake-runtime-token-${randomBytes(8).toString('hex')}`
  }

  static async start(opts: FakeActionsCacheOptions = {}): Promise<FakeActionsCache> {
    const server = createServer()
    server.keepAliveTimeout = 1000
    const fake = new FakeActionsCache(server, await listenOnLoopback(server), opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.handle(req, res)
    })
    return fake
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** The finalized entries, newest first: what a lookup can see. */
  get restorable(): FakeCacheEntry[] {
    return this.entries.filter((e) => e.finalized).sort((a, b) => b.created - a.created)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin)
    const method = req.method ?? 'GET'
    const body = await readBody(req)
    const record: FakeCacheRequest = { method, url: req.url ?? '/', operation: '', status: 0 }
    this.requests.push(record)
    const send = (status: number, headers: Record<string, string | number>, data?: Buffer) => {
      record.status = status
      res.writeHead(status, headers)
      res.end(data)
    }
    const blob = url.pathname.startsWith(`/${ACCOUNT}/`)
    record.operation = blob
      ? method === 'PUT'
        ? 'PutBlob'
        : method === 'HEAD'
          ? 'GetBlobProperties'
          : 'GetBlob'
      : url.pathname.startsWith(SERVICE)
        ? url.pathname.slice(SERVICE.length)
        : url.pathname
    if (this.failWith !== undefined) {
      if (blob) send(this.failWith, ...azureError('InternalError', 'Server encountered an error.'))
      else send(this.failWith, ...twirpBody('internal', 'internal error'))
      return
    }
    if (blob) {
      const [status, headers, data] = this.blob(method, url, req, body)
      send(status, headers, method === 'HEAD' ? undefined : data)
      return
    }
    try {
      let parsed: unknown
      const name = this.route(method, url, req)
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch {
        throw new TwirpError(400, 'malformed', 'the json request could not be decoded')
      }
      record.body = parsed
      const answer = this.call(
        name,
        typeof parsed === 'object' && parsed ? (parsed as Record<string, unknown>) : {}
      )
      send(200, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(answer)))
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error
      send(error.status, ...twirpBody(error.code, error.message))
    }
  }

  /** The Twirp method a request names, after the checks Twirp's router and the service make. */
  private route(method: string, url: URL, req: IncomingMessage): string {
    if (!url.pathname.startsWith(SERVICE))
      throw new TwirpError(404, 'bad_route', `no handler for path "${url.pathname}"`)
    const name = url.pathname.slice(SERVICE.length)
    if (
      !['CreateCacheEntry', 'FinalizeCacheEntryUpload', 'GetCacheEntryDownloadURL'].includes(name)
    )
      throw new TwirpError(404, 'bad_route', `no handler for path "${url.pathname}"`)
    if (method !== 'POST')
      throw new TwirpError(
        404,
        'bad_route',
        `unsupported method "${method}" (only POST is allowed)`
      )
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json')
      throw new TwirpError(404, 'bad_route', `unexpected Content-Type: "${type ?? ''}"`)
    if (req.headers.authorization !== `Bearer ${this.token}`)
      throw new TwirpError(401, 'unauthenticated', 'invalid or missing runtime token')
    return name
  }

  private call(name: string, body: Record<string, unknown>): Record<string, unknown> {
    const key = body.key
    const version = body.version
    if (typeof key !== 'string' || key === '')
      throw new TwirpError(400, 'invalid_argument', 'key is required')
    if (typeof version !== 'string' || version === '')
      throw new TwirpError(400, 'invalid_argument', 'version is required')
    const existing = this.entries.find((e) => e.key === key && e.version === version)
    if (name === 'CreateCacheEntry') {
      if (existing)
        throw new TwirpError(
          409,
          'already_exists',
          'cache entry with the same key, version, and scope already exists'
        )
      const entry: FakeCacheEntry = {
        id: this.nextId++,
        key,
        version,
        created: this.entries.length,
        finalized: false
      }
      this.entries.push(entry)
      return { ok: true, signed_upload_url: this.sign(entry, 'write'), message: '' }
    }
    if (name === 'FinalizeCacheEntryUpload') {
      if (!existing?.data) throw new TwirpError(404, 'not_found', 'cache entry not found')
      const size = Number(body.size_bytes ?? 0)
      existing.sizeBytes = Number.isSafeInteger(size) ? size : existing.data.length
      existing.finalized = true
      return { ok: true, entry_id: String(existing.id), message: '' }
    }
    const restoreKeys = Array.isArray(body.restore_keys)
      ? body.restore_keys.filter((k): k is string => typeof k === 'string')
      : []
    const candidates = this.restorable.filter((e) => e.version === version)
    const hit =
      candidates.find((e) => e.key === key) ??
      restoreKeys.map((prefix) => candidates.find((e) => e.key.startsWith(prefix))).find(Boolean)
    if (!hit) return { ok: false, signed_download_url: '', matched_key: '' }
    return { ok: true, signed_download_url: this.sign(hit, 'read'), matched_key: hit.key }
  }

  private sign(entry: FakeCacheEntry, permission: 'write' | 'read'): string {
    const sig = randomBytes(24).toString('base64')
    this.signatures.set(sig, { entry, permission })
    const query = new URLSearchParams({
      sv: STORAGE_VERSION,
      se: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      sr: 'b',
      sp: permission === 'write' ? 'cw' : 'r',
      sig
    })
    return `${this.origin}/${ACCOUNT}/${CONTAINER}/${entry.id}?${query.toString()}`
  }

  private blob(
    method: string,
    url: URL,
    req: IncomingMessage,
    body: Buffer
  ): [number, Record<string, string | number>, Buffer?] {
    const signature = this.signatures.get(url.searchParams.get('sig') ?? '')
    const [, account, container, name, ...rest] = url.pathname.split('/')
    if (
      !signature ||
      account !== ACCOUNT ||
      container !== CONTAINER ||
      rest.length > 0 ||
      name !== String(signature.entry.id)
    )
      return [
        403,
        ...azureError(
          'AuthenticationFailed',
          'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.'
        )
      ]
    const entry = signature.entry
    if (method === 'PUT') {
      if (signature.permission !== 'write')
        return [
          403,
          ...azureError(
            'AuthorizationPermissionMismatch',
            'This request is not authorized to perform this operation using this permission.'
          )
        ]
      if (url.searchParams.has('comp'))
        return [
          400,
          ...azureError(
            'InvalidQueryParameterValue',
            'Value for one of the query parameters specified in the request URI is invalid.'
          )
        ]
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob')
        return [
          400,
          ...azureError(
            'MissingRequiredHeader',
            'An HTTP header that is mandatory for this request is not specified.'
          )
        ]
      entry.data = body
      return [
        201,
        {
          ...blobHeaders(entry),
          'content-md5': createHash('md5').update(body).digest('base64'),
          'x-ms-request-server-encrypted': 'true',
          'content-length': 0
        }
      ]
    }
    if (method !== 'GET' && method !== 'HEAD')
      return [
        405,
        ...azureError('UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
      ]
    if (signature.permission !== 'read')
      return [
        403,
        ...azureError(
          'AuthorizationPermissionMismatch',
          'This request is not authorized to perform this operation using this permission.'
        )
      ]
    const data = entry.data
    if (!data) return [404, ...azureError('BlobNotFound', 'The specified blob does not exist.')]
    const headers = {
      ...blobHeaders(entry),
      'content-type': 'application/octet-stream',
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-server-encrypted': 'true',
      'accept-ranges': 'bytes'
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(
      String(req.headers['x-ms-range'] ?? req.headers.range ?? '')
    )
    if (range && method === 'GET') {
      const start = Number(range[1])
      const end = Math.min(range[2] ? Number(range[2]) : data.length - 1, data.length - 1)
      if (start >= data.length)
        return [
          416,
          ...azureError(
            'InvalidRange',
            'The range specified is invalid for the current size of the resource.'
          )
        ]
      const part = data.subarray(start, end + 1)
      return [
        206,
        {
          ...headers,
          'content-length': part.length,
          'content-range': `bytes ${start}-${end}/${data.length}`
        },
        part
      ]
    }
    return [200, { ...headers, 'content-length': data.length }, data]
  }
}

/**
 * The environment a runner gives a step when the cache service (v2) is available. @actions/cache
 * ignores it on GHES, which it decides from `GITHUB_SERVER_URL`: leave that unset or make it
 * `https://github.com` (or a `*.localhost` host) where the cache should be used.
 */
export function cacheEnv(fake: FakeActionsCache): Record<string, string> {
  return {
    ACTIONS_RESULTS_URL: fake.url,
    ACTIONS_RUNTIME_TOKEN: fake.token,
    ACTIONS_CACHE_SERVICE_V2: 'true'
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function twirpBody(code: string, msg: string): [Record<string, string>, Buffer] {
  return [{ 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ code, msg }))]
}

function azureError(code: string, message: string): [Record<string, string>, Buffer] {
  const requestId = randomUUID()
  const xml =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`
  return [
    {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-request-id': requestId,
      'x-ms-version': STORAGE_VERSION
    },
    Buffer.from(xml)
  ]
}

function blobHeaders(entry: FakeCacheEntry): Record<string, string> {
  return {
    etag: `"0x8DD${entry.id.toString(16).toUpperCase().padStart(12, '0')}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-version': STORAGE_VERSION
  }
}

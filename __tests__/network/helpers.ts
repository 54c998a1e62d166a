import { createServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { createProxy } from 'proxy'
import { main, type MainOptions } from '../../src/cli/run.js'

/**
 * Network fixtures for the restricted-network tests.
 *
 * Loopback is never proxied (the runner's rules, which both clients follow), so the fakes are
 * addressed by names under `.internal.test` that only the proxy can resolve: as in a network
 * where the proxy is the only way out and the only resolver of outside names.
 */

export interface RoutingProxy {
  url: string
  /** `CONNECT host:port` tunnels opened, by host name. */
  tunnels: Map<string, number>
  /** Plain (absolute-URI) HTTP requests forwarded, by host name. */
  forwarded: Map<string, number>
  /** Tunnels plus forwarded requests for one host. */
  hits(host: string): number
  /** Requests refused for missing or wrong proxy credentials. */
  rejected(): number
  close(): Promise<void>
}

/**
 * A real HTTP proxy (the `proxy` package: CONNECT tunnels and forwarded requests), started on
 * loopback. Its `authenticate` hook runs before the target is parsed; it records each request's
 * host and maps `*.internal.test` to 127.0.0.1.
 */
export async function startRoutingProxy(
  options: { credentials?: { user: string; password: string } } = {}
): Promise<RoutingProxy> {
  const tunnels = new Map<string, number>()
  const forwarded = new Map<string, number>()
  const sockets = new Set<Socket>()
  let rejected = 0
  const server = createProxy(createServer())
  const count = (map: Map<string, number>, host: string): void => {
    map.set(host, (map.get(host) ?? 0) + 1)
  }
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined
  server.authenticate = (req: IncomingMessage): boolean => {
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      rejected++
      return false // 407 Proxy Authentication Required
    }
    const target = req.url ?? ''
    if (req.method === 'CONNECT') {
      const colon = target.lastIndexOf(':')
      const host = target.slice(0, colon)
      count(tunnels, host)
      if (host.endsWith('.internal.test')) req.url = `127.0.0.1${target.slice(colon)}`
    } else {
      const url = new URL(target)
      count(forwarded, url.hostname)
      if (url.hostname.endsWith('.internal.test')) {
        url.hostname = '127.0.0.1'
        req.url = url.toString()
      }
    }
    return true
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    forwarded,
    hits: (host) => (tunnels.get(host) ?? 0) + (forwarded.get(host) ?? 0),
    rejected: () => rejected,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

export interface TlsFront {
  /** `https://127.0.0.1:PORT` */
  url: string
  /** TLS handshakes completed. */
  handshakes(): number
  close(): Promise<void>
}

/**
 * Terminates TLS with the given certificate and passes the plain bytes to a local port: a fake
 * server "behind nginx", as a self-hosted Sentry or a GitHub Enterprise Server often is.
 */
export async function startTlsFront(
  targetPort: number,
  tls: { cert: string; key: string }
): Promise<TlsFront> {
  let handshakes = 0
  const sockets = new Set<Socket>()
  const server = createTlsServer({ cert: tls.cert, key: tls.key }, (secure) => {
    handshakes++
    const upstream = connect(targetPort, '127.0.0.1')
    secure.pipe(upstream).pipe(secure)
    for (const socket of [secure, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        sockets.delete(socket)
        secure.destroy()
        upstream.destroy()
      })
    }
  })
  server.on('tlsClientError', () => undefined)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    handshakes: () => handshakes,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

const PROXY_VARIABLES = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'no_proxy',
  'NO_PROXY'
]

/**
 * Sets the proxy variables in process.env (where the clients read them, as on a runner) for the
 * duration of `fn`, clearing any others, and restores everything afterwards.
 */
export async function withProxyEnv<T>(
  values: Record<string, string>,
  fn: () => Promise<T>
): Promise<T> {
  const saved = new Map(PROXY_VARIABLES.map((name) => [name, process.env[name]]))
  for (const name of PROXY_VARIABLES) delete process.env[name]
  Object.assign(process.env, values)
  try {
    return await fn()
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

export interface CliRun {
  code: number
  out: string
  err: string
}

/** The CLI's main() in-process with fast client settings, its output captured. */
export async function runCli(
  argv: string[],
  env: Record<string, string>,
  options: MainOptions = {}
): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, env, {
    sentry: { sleep: async () => undefined, maxRetries: 1, timeoutMs: 5000 },
    github: { writeSpacingMs: 0, searchSpacingMs: 0, retryAfterBaseMs: 1, retries: 1 },
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
    ...options
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

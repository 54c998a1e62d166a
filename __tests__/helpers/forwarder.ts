import net from 'node:net'

/**
 * A TCP forwarder on loopback: another address for the same server (another port, or the name
 * `localhost` for an IP), the way a proxy, a DNS alias or a migrated domain reaches one Sentry.
 * Its target can be switched, so that the same URL can lead to another server.
 */
export interface Forwarder {
  /** `http://{host}:{port}` of the forwarder, with the target URL's path. */
  url: string
  /** Points new connections at another URL's port (on 127.0.0.1). */
  retarget(targetUrl: string): void
  close(): Promise<void>
}

export async function startForwarder(
  targetUrl: string,
  host: '127.0.0.1' | 'localhost' = '127.0.0.1'
): Promise<Forwarder> {
  let target = new URL(targetUrl)
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://${host}:${port}${target.pathname.replace(/\/$/, '')}`,
    retarget(url) {
      target = new URL(url)
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

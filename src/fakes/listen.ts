import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts `server` on 127.0.0.1 with a free port (port 0) and answers the port it got. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

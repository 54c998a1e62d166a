import { rootCertificates } from 'node:tls'
import { Agent, ProxyAgent, type Dispatcher } from 'undici'
import { getProxyUrl } from '@actions/http-client'

/**
 * The dispatcher for every Sentry request: through the proxy that the runner's rules
 * (HTTPS_PROXY/HTTP_PROXY/NO_PROXY, as @actions/http-client reads them, the same rules the GitHub
 * client follows) choose for the Sentry URL, trusting an extra CA when one is given.
 */
export function createDispatcher(baseUrl: string, caCert: string | undefined): Dispatcher {
  // An explicit `ca` replaces Node's roots, so keep them and add the extra CA.
  const ca =
    caCert !== undefined && caCert.trim() !== '' ? [...rootCertificates, caCert] : undefined
  const proxyUrl = getProxyUrl(baseUrl)
  if (proxyUrl) {
    return new ProxyAgent({ uri: proxyUrl, ...(ca ? { requestTls: { ca } } : {}) })
  }
  return new Agent(ca ? { connect: { ca } } : {})
}

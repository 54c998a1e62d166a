/**
 * Normalises a `sentry-url` into origin + path prefix, without a trailing slash or `/api/0`:
 * `https://sentry.io/` → `https://sentry.io`, `https://x.example/sentry/api/0/` → `https://x.example/sentry`.
 * Throws for anything that is not an http(s) URL, and for URLs with credentials, a query or a fragment.
 */
export function normalizeSentryBaseUrl(input: string): string {
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    throw new Error(
      'sentry-url is not a valid URL: use e.g. https://sentry.io, https://de.sentry.io or https://sentry.example.com'
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`sentry-url must start with https:// or http:// (got ${url.protocol})`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('sentry-url must not contain credentials: pass the token as sentry-token')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('sentry-url must not contain a query string or fragment')
  }
  const path = url.pathname
    .replace(/\/+$/, '')
    .replace(/\/api\/0$/, '')
    .replace(/\/+$/, '')
  return `${url.origin}${path}`
}

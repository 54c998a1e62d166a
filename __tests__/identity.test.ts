import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { FakeSentry } from '../src/fakes/fake-sentry.js'
import { findMarker } from '../src/plan/marker.js'
import { findStatsBlock } from '../src/render/stats-block.js'
import { startForwarder, type Forwarder } from './helpers/forwarder.js'
import { startHarness, type Harness } from './helpers/harness.js'

/**
 * One Sentry installation reached by several URLs files nothing twice; two installations whose
 * organisation slugs and issue ids collide, syncing into one repository, never touch each other's
 * issues (docs/how-it-works.md, "One installation, any URL").
 */

/** Sentry's own URL (`system.url-prefix`): permalinks name it, whatever URL a run uses. */
const URL_PREFIX = 'http://sentry.internal.example:9000'

let h: Harness
const closers: Array<() => Promise<void>> = []
beforeEach(async () => {
  h = await startHarness({ sentry: { urlPrefix: URL_PREFIX } })
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  await h.close()
})

async function forwarder(target: string, host?: '127.0.0.1' | 'localhost'): Promise<Forwarder> {
  const f = await startForwarder(target, host)
  closers.push(() => f.close())
  return f
}

/** Open issues in the repository (deleted and moved ones aside). */
function repoIssues(): typeof h.github.issues {
  return h.github.issues.filter((i) => !i.deleted && !i.transferred)
}

describe('the same Sentry under another URL', () => {
  it('refiles nothing: another port, a name for an IP, and back', async () => {
    h.sentry.seed(9, { seed: 170 })
    const port = await forwarder(h.sentry.url)
    const name = await forwarder(h.sentry.url, 'localhost')
    const first = await h.run({ 'sentry-url': name.url })
    expect(first.outputs.created).toBe('9')
    for (const url of [h.sentry.url, port.url, name.url, h.sentry.url]) {
      const run = await h.run({ 'sentry-url': url })
      expect(run.failed).toBe(false)
      expect(run.outputs.created).toBe('0')
    }
    expect(repoIssues()).toHaveLength(9)
  })

  it('keeps updating the issues, rewriting their markers to the current host when it writes', async () => {
    const [a, b] = h.sentry.seed(2, { seed: 171 })
    const other = await forwarder(h.sentry.url)
    await h.run({ 'sentry-url': other.url })
    const otherHost = new URL(other.url).host
    expect(findMarker(repoIssues()[0]?.body)?.host).toBe(otherHost)
    h.sentry.addEvents(String(a!['id']), 500)
    h.sentry.setStatus(String(b!['id']), 'resolved')
    const run = await h.run()
    expect(run.outputs.created).toBe('0')
    expect(run.outputs.updated).toBe('1')
    expect(run.outputs.closed).toBe('1')
    const ownHost = new URL(h.sentry.url).host
    for (const issue of repoIssues()) expect(findMarker(issue.body)?.host).toBe(ownHost)
    // The next run under the first URL recognises the rewritten markers: nothing to write.
    const writes = h.github.writeCount()
    expect((await h.run({ 'sentry-url': other.url })).outputs.created).toBe('0')
    expect(h.github.writeCount()).toBe(writes)
  })

  it('recognises issues written before installations were recorded, after a domain move', async () => {
    h.sentry.seed(4, { seed: 172 })
    await h.run()
    // As an earlier version left them: no installation in the block.
    for (const issue of repoIssues()) {
      const block = findStatsBlock(issue.body)
      expect(block?.memory.installation).toBeDefined()
      h.github.personEdit(issue.number, (issue.body ?? '').replace(/ org=[0-9.]+/, ''))
    }
    // Sentry moves to another domain: the URL and its permalinks both change.
    h.sentry.setUrlPrefix('https://errors.example.com')
    const moved = await forwarder(h.sentry.url)
    const run = await h.run({ 'sentry-url': moved.url })
    expect(run.outputs.created).toBe('0')
    expect(repoIssues()).toHaveLength(4)
  })

  it('a run that cannot read the organisation warns and still finds the issues by URL', async () => {
    h.sentry.seed(2, { seed: 173 })
    await h.run()
    h.sentry.injectFault({ kind: 'status', status: 403, pathIncludes: '/?detailed=0' })
    const run = await h.run()
    expect(run.outputs.created).toBe('0')
    expect(run.summary).toContain('Could not read the Sentry organization')
  })
})

describe('two Sentry installations sharing a repository', () => {
  /** A second installation set up like the first: the same slug, ids and short ids. */
  async function secondInstallation(): Promise<FakeSentry> {
    const other = await FakeSentry.start({
      orgCreated: '2026-06-01T00:00:00.000000Z',
      urlPrefix: 'http://sentry.other.example'
    })
    closers.push(() => other.close())
    return other
  }

  it('each files its own issues and never writes to the other’s, even when slugs and ids collide', async () => {
    const mine = h.sentry.seed(3, { seed: 174 })
    const other = await secondInstallation()
    const theirs = other.seed(3, { seed: 174 })
    expect(theirs.map((i) => i['id'])).toEqual(mine.map((i) => i['id']))
    const asOther = { 'sentry-url': other.url, 'sentry-token': other.token }
    expect((await h.run()).outputs.created).toBe('3')
    expect((await h.run(asOther)).outputs.created).toBe('3')
    const before = new Map(repoIssues().map((i) => [i.number, i.body]))
    // Both change; each run writes to its own issues only.
    for (const s of [h.sentry, other]) s.addEvents(String(mine[0]!['id']), 500)
    const run = await h.run()
    expect(run.outputs.created).toBe('0')
    expect(run.outputs.updated).toBe('1')
    const changed = repoIssues().filter((i) => before.get(i.number) !== i.body)
    // This installation's issues are #1–#3 (filed first), the other's #4–#6.
    expect(changed.map((i) => i.number)).toEqual([expect.any(Number)])
    expect(changed[0]!.number).toBeLessThanOrEqual(3)
    const between = new Map(repoIssues().map((i) => [i.number, i.body]))
    const again = await h.run(asOther)
    expect(again.outputs.created).toBe('0')
    expect(again.outputs.updated).toBe('1')
    const theirsChanged = repoIssues().filter((i) => between.get(i.number) !== i.body)
    expect(theirsChanged.map((i) => i.number)).toEqual([expect.any(Number)])
    expect(theirsChanged[0]!.number).toBeGreaterThan(3)
    expect(repoIssues()).toHaveLength(6)
  })

  it('a new installation at the same URL files its own issues and leaves the old ones alone', async () => {
    h.sentry.seed(2, { seed: 175 })
    const url = await forwarder(h.sentry.url)
    await h.run({ 'sentry-url': url.url })
    const old = new Map(repoIssues().map((i) => [i.number, i.body]))
    // Reinstalled: a fresh Sentry answers at the same URL, its ids counting from the start again.
    const fresh = await secondInstallation()
    fresh.seed(2, { seed: 175 })
    url.retarget(fresh.url)
    const run = await h.run({ 'sentry-url': url.url, 'sentry-token': fresh.token })
    expect(run.outputs.created).toBe('2')
    for (const [n, body] of old) expect(repoIssues().find((i) => i.number === n)?.body).toBe(body)
  })
})

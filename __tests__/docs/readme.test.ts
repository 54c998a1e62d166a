import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'

/** A newcomer starts from the README: the two commands come before the quick start. */
describe('README', () => {
  const readme = readFileSync('README.md', 'utf8')
  const quickStart = readme.indexOf('\n## Quick start')

  it('shows how to try the project, under its own heading, before the quick start', () => {
    const heading = readme.indexOf('\n## Try it on this machine')
    expect(heading).toBeGreaterThan(0)
    expect(heading).toBeLessThan(quickStart)
    const section = readme.slice(heading, quickStart)
    expect(section).toContain('npm ci && npm run demo')
    expect(section).toContain('npm ci && npm test')
  })

  it('reads in a few minutes: at most 20 kB, the full inputs reference in docs/configuration.md', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000)
    expect(readme).toContain('(docs/configuration.md)')
  })

  it('names only npm scripts that package.json defines', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: object })
      .scripts
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1] as string)
    expect(named.length).toBeGreaterThan(0)
    for (const name of named) expect(Object.keys(scripts)).toContain(name)
  })
})

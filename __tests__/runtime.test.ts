import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { knowsFlags, tuneRuntime } from '../src/runtime.js'

/** What a process prints (standard output and error) when it sets `flags` through tuneRuntime as V8 `version` would. */
function printedBy(version: string | undefined, flagsOf: string): string {
  const script = `
    import { setFlagsFromString } from 'node:v8'
    const { tuneRuntime } = await import(${JSON.stringify(new URL('../src/runtime.ts', import.meta.url).href)})
    tuneRuntime(${version === undefined ? 'undefined' : JSON.stringify(version)},
      (flag) => setFlagsFromString(${JSON.stringify(flagsOf)} || flag))
  `
  const child = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script],
    { encoding: 'utf8' }
  )
  expect(child.status).toBe(0)
  return child.stdout + child.stderr
}

describe('tuneRuntime', () => {
  it('sets its flags on the V8 versions they were checked on, and on no other', () => {
    const set: string[] = []
    tuneRuntime('13.6.233.17-node.53', (f) => set.push(f))
    expect(set).toEqual(['--wasm-tiering-budget=2147483647', '--semi-space-growth-factor=1'])
    for (const version of ['14.1.2.3', '11.2.1', '10.2.154.26-node.26', 'banana', '']) {
      const none: string[] = []
      tuneRuntime(version, (f) => none.push(f))
      expect(none).toEqual([])
    }
    expect(knowsFlags(process.versions.v8)).toBe(true)
  })

  it('prints nothing on this Node, and nothing on a V8 it was not checked on', () => {
    expect(printedBy(undefined, '')).toBe('')
    // A V8 that lacks the flag (one that no V8 has): tuneRuntime does not try it.
    expect(printedBy('99.0.0', '--no-such-flag-in-any-v8')).toBe('')
    // What trying it would print, which is why unknown versions are left alone.
    expect(printedBy(process.versions.v8, '--no-such-flag-in-any-v8')).toContain(
      'unrecognized flag'
    )
  })
})

import { setFlagsFromString } from 'node:v8'

/**
 * V8 settings for the action's and the CLI's own process, made before the first request. A
 * JavaScript action cannot pass node flags, so they are set here; both are read by V8 while the
 * process runs. Measured in bench/README.md.
 *
 * - undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its
 *   baseline compiler and, after a couple of responses, recompiles the parser with its optimising
 *   compiler: that compile of one very large function takes about 25 MiB of memory for a moment,
 *   more than anything a small run holds. A tiering budget far beyond what a run spends keeps the
 *   baseline code, which parses a run's few megabytes of JSON easily.
 * - The young generation keeps its starting size instead of doubling whenever much of it survives
 *   a collection. Reading thousands of Sentry issues, most of what is allocated survives (the
 *   issues are kept for the plan), so it used to grow to its 64 MiB maximum, nearly all of it
 *   empty at the end; objects that survive now move to the old generation, which is sized by
 *   what is live.
 *
 * V8 answers a flag it does not know with "Error: unrecognized flag" on standard error (which a
 * log reader takes for a failure), and no API says which flags a V8 has. So the flags are set only
 * on the V8 versions they were checked on (`node --v8-options`: V8 11.3 of Node 20 and 13.6 of
 * Node 24); on any other V8 nothing is set and nothing is printed.
 */
export const TUNED_V8 = { from: [11, 3], to: [13, 6] } as const

const FLAGS = ['--wasm-tiering-budget=2147483647', '--semi-space-growth-factor=1'] as const

/** Whether `version` (`process.versions.v8`, e.g. `13.6.233.17-node.53`) is one of TUNED_V8. */
export function knowsFlags(version: string): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(version)
  if (!match) return false
  const at = Number(match[1]) * 1000 + Number(match[2])
  const [fromMajor, fromMinor] = TUNED_V8.from
  const [toMajor, toMinor] = TUNED_V8.to
  return at >= fromMajor * 1000 + fromMinor && at <= toMajor * 1000 + toMinor
}

export function tuneRuntime(
  version: string = process.versions.v8,
  setFlags: (flags: string) => void = setFlagsFromString
): void {
  if (!knowsFlags(version)) return
  for (const flag of FLAGS) setFlags(flag)
}

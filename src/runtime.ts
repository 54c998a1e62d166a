import { setFlagsFromString } from 'node:v8'

/**
 * V8 settings for the action's and the CLI's own process, made before the first request. A
 * JavaScript action cannot pass node flags, so they are set here; both are read by V8 while the
 * process runs (flags that a V8 does not know are ignored). Measured in bench/README.md.
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
 */
export function tuneRuntime(): void {
  setFlagsFromString('--wasm-tiering-budget=2147483647')
  setFlagsFromString('--semi-space-growth-factor=1')
}

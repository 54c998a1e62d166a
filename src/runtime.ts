import { setFlagsFromString } from 'node:v8'

/**
 * Process settings for the action's and the CLI's own process, made before the first request.
 *
 * undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
 * compiler and, after a couple of responses, recompiles the parser with its optimising compiler:
 * that compile of one very large function takes about 25 MiB of memory for a moment, more than
 * anything the action itself holds in a small run. A tiering budget far beyond what a run spends
 * keeps the baseline code, which parses a few megabytes of JSON a run easily. A JavaScript action
 * cannot pass node flags, so the flag is set here, before any WebAssembly is compiled (flags that
 * V8 does not know are ignored).
 */
export function tuneRuntime(): void {
  setFlagsFromString('--wasm-tiering-budget=2147483647')
}

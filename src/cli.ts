#!/usr/bin/env node
import { main } from './cli/run.js'
import { tuneRuntime } from './runtime.js'

tuneRuntime()

// systemd stops a unit with SIGTERM, a terminal with SIGINT: exit through process.exit so the
// state lock is removed ('exit' handlers run), with the conventional 128 + signal code.
// `watch` handles both itself: it finishes the write under way, saves the state and exits 0.
if (process.argv[2] !== 'watch') {
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))
}

process.exitCode = await main(process.argv.slice(2), process.env)

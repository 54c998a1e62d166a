import { run } from './main.js'
import { tuneRuntime } from './runtime.js'

tuneRuntime()
await run()

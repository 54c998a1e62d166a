import { z } from 'zod'

/**
 * A schema built the first time it parses something. Building a zod schema costs start-up time
 * (every instance gets its own methods), and the action's first request to Sentry waits for all
 * the code that runs at start; with these, the response schemas are built when the responses
 * arrive, and those of endpoints a run never calls (events, Seer, owners) not at all.
 */
export function lazily<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  let built: T | undefined
  return z.lazy(() => (built ??= build()))
}

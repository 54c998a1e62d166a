import type { CreateItem } from './context.js'

/**
 * Reads something for each issue to create, a few at a time, while the writes go on: `read` runs
 * for at most `concurrency` creates at once, and each create's promise is set in `into` under its
 * key at the start, so a create waits only for its own answer. A `read` that throws rejects that
 * create's promise only; the others go on.
 */
export function prefetchEach<T>(
  into: Map<string, Promise<T>>,
  creates: readonly CreateItem[],
  concurrency: number,
  read: (item: CreateItem) => Promise<T>
): void {
  const queue = creates.map((item) => {
    let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void }
    const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }))
    // Nobody may wait for a create that is not made; its failure must not go unhandled.
    promise.catch(() => undefined)
    into.set(item.key, promise)
    return { item, settle }
  })
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        next.settle.resolve(await read(next.item))
      } catch (error) {
        next.settle.reject(error)
      }
    }
  }
  for (let i = 0; i < Math.min(concurrency, queue.length); i++) void worker()
}

/** How many creates' reads of one kind run at once (Sentry allows about 15 event reads a second). */
export const PREFETCH_CONCURRENCY = 4

/**
 * The logging surface the clients and the sync core use. The action maps it onto @actions/core;
 * the CLI onto the console. Keeping it an interface keeps those modules free of @actions imports.
 */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  /** Runs `fn` inside a collapsible log group (on a runner) or under a heading. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

/** A logger that drops everything (for callers that do not care). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  group: (_name, fn) => fn()
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}

/**
 * Durations as the watcher's options take them: a number and a unit, `s`, `m` or `h` (`30s`,
 * `5m`, `1h`), or several in a row (`1h30m`). Returns milliseconds, or undefined when the text is
 * not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (!/^(\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(value)) return undefined
  let ms = 0
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const n = Number(amount)
    ms += unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000
  }
  return Math.round(ms)
}

/** A duration for messages: `90 s`, `5 min`, `2 h`. */
export function formatDuration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`.replace('.0 s', ' s')
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`
  return `${Math.round(ms / 360_000) / 10} h`.replace('.0 h', ' h')
}

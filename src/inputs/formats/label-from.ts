import { cleanLabel, type LabelSource } from '../../render/labels.js'

/**
 * The `label-from` and `label-prefixes` inputs: which Sentry fields become labels on new issues,
 * and the prefix each one's labels carry. The formats are described, with examples, in
 * docs/configuration.md. Pure.
 */

export const LABEL_SOURCES: readonly LabelSource[] = ['level', 'priority', 'environment', 'project']

export const DEFAULT_LABEL_PREFIXES: Readonly<Record<LabelSource, string>> = {
  level: 'level',
  priority: 'sentry priority',
  environment: 'env',
  project: 'project'
}

/** Parses `label-from`: a comma- or newline-separated list of level, priority, environment, project. */
export function parseLabelFrom(
  text: string,
  inputName = 'label-from'
): { sources: LabelSource[]; problems: string[] } {
  const sources: LabelSource[] = []
  const problems: string[] = []
  for (const raw of text.split(/[,\n]/u)) {
    const value = raw.trim().toLowerCase()
    if (value === '') continue
    if (!(LABEL_SOURCES as readonly string[]).includes(value)) {
      problems.push(
        `${inputName}: unknown source ${JSON.stringify(raw.trim())}; allowed: ${LABEL_SOURCES.join(', ')}`
      )
      continue
    }
    if (!sources.includes(value as LabelSource)) sources.push(value as LabelSource)
  }
  return { sources, problems }
}

/**
 * Parses `label-prefixes`: `source=prefix` pairs separated by commas or new lines, for example
 * `level=severity, environment=env/`. Sources not given keep their default prefix.
 */
export function parseLabelPrefixes(
  text: string,
  inputName = 'label-prefixes'
): { prefixes: Record<LabelSource, string>; problems: string[] } {
  const prefixes: Record<LabelSource, string> = { ...DEFAULT_LABEL_PREFIXES }
  const problems: string[] = []
  for (const raw of text.split(/[,\n]/u)) {
    const entry = raw.trim()
    if (entry === '') continue
    const eq = entry.indexOf('=')
    const source = (eq === -1 ? entry : entry.slice(0, eq)).trim().toLowerCase()
    const prefix = eq === -1 ? '' : entry.slice(eq + 1).trim()
    if (!(LABEL_SOURCES as readonly string[]).includes(source)) {
      problems.push(
        `${inputName}: ${JSON.stringify(entry)} must be source=prefix with source one of ${LABEL_SOURCES.join(', ')}`
      )
      continue
    }
    const clean = cleanLabel(prefix)
    if (prefix === '' || clean !== prefix || codePoints(prefix) > 30) {
      problems.push(
        `${inputName}: the prefix for ${source} must be 1 to 30 characters without commas or control characters (got ${JSON.stringify(prefix)})`
      )
      continue
    }
    prefixes[source as LabelSource] = prefix
  }
  return { prefixes, problems }
}

function codePoints(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

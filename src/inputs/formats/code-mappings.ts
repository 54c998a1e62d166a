import type { CodeMapping } from '../../render/code-links.js'

/**
 * The `code-mappings` input: where the paths Sentry reports live in the repository, one
 * `stack-root => source-root` a line, like Sentry's own code mappings. The format is described,
 * with examples, in docs/configuration.md. Pure.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u

/** At most this many mappings (more is surely a mistake). */
export const MAX_CODE_MAPPINGS = 100

/**
 * Parses `code-mappings`: one `stack-root => source-root` a line; blank lines and lines starting
 * with `#` are ignored. Problems name the input and the line.
 */
export function parseCodeMappings(
  text: string,
  inputName = 'code-mappings'
): { mappings: CodeMapping[]; problems: string[] } {
  const mappings: CodeMapping[] = []
  const problems: string[] = []
  const seen = new Set<string>()
  const lines = text.split(/\r\n|\r|\n/u)
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const where = `${inputName} line ${index + 1}`
    const parts = line.split('=>')
    if (parts.length !== 2) {
      problems.push(
        `${where}: expected "stack-root => source-root" (for example "app:///src/ => web/src/"), got ${JSON.stringify(line)}`
      )
      return
    }
    const stackRoot = (parts[0] ?? '').trim().replaceAll('\\', '/')
    const sourceText = (parts[1] ?? '').trim()
    if (stackRoot === '') {
      problems.push(`${where}: the stack root (before "=>") must not be empty`)
      return
    }
    if (CONTROL.test(stackRoot) || CONTROL.test(sourceText)) {
      problems.push(`${where}: control characters are not allowed`)
      return
    }
    const sourceRoot = normalizeSourceRoot(sourceText)
    if (sourceRoot === undefined) {
      problems.push(
        `${where}: the source root (after "=>") must be a path inside the repository, such as ` +
          `"web/src/" or "." for its root: no leading "/", no "\\", "..", "?" or "#" (got ${JSON.stringify(sourceText)})`
      )
      return
    }
    if (seen.has(stackRoot)) {
      problems.push(`${where}: the stack root ${JSON.stringify(stackRoot)} is mapped twice`)
      return
    }
    seen.add(stackRoot)
    mappings.push({ stackRoot, sourceRoot })
  })
  if (mappings.length > MAX_CODE_MAPPINGS) {
    problems.push(`${inputName}: at most ${MAX_CODE_MAPPINGS} mappings (got ${mappings.length})`)
  }
  return { mappings, problems }
}

/** `''` for the repository root, else `a/b/`; undefined when the path is not acceptable. */
function normalizeSourceRoot(text: string): string | undefined {
  if (text === '' || text === '.' || text === './' || text === '/') return ''
  if (text.startsWith('/') || /[\\?#]/u.test(text)) return undefined
  const segments = text.replace(/^\.\//u, '').replace(/\/+$/u, '').split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.trim() !== s)) return undefined
  return `${segments.join('/')}/`
}

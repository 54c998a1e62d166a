import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../log.js'
import { previewFileName, previewMarkdown } from '../report/preview.js'
import type { ResultRow } from '../report/result.js'

/**
 * The CLI's console: a Logger (info and headings to stdout, warnings and errors to stderr) that
 * scrubs the secrets it is given and any terminal control characters from every line, and a
 * plain-text rendering of the job summary.
 */

export interface CliIo {
  out(text: string): void
  err(text: string): void
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`)
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

export interface Scrubber {
  (text: string): string
  /** Adds a secret to hide from now on. */
  add(secret: string | undefined): void
}

/** Replaces known secrets with *** and drops terminal control characters (ESC, CR, ...). */
export function createScrubber(): Scrubber {
  const secrets: string[] = []
  const scrub = ((text: string): string => {
    let out = text
    for (const secret of secrets) out = out.split(secret).join('***')
    return out.replace(CONTROL, '')
  }) as Scrubber
  scrub.add = (secret) => {
    const value = secret?.trim()
    // Very short values would blank out ordinary words; real tokens are long.
    if (value && value.length >= 4 && !secrets.includes(value)) {
      secrets.push(value)
      secrets.sort((a, b) => b.length - a.length)
    }
  }
  return scrub
}

export function consoleLogger(io: CliIo, scrub: Scrubber, verbose: boolean): Logger {
  return {
    debug: (message) => {
      if (verbose) io.out(scrub(`debug: ${message}`))
    },
    info: (message) => io.out(scrub(message)),
    warning: (message) => io.err(scrub(`warning: ${message}`)),
    group: async (name, fn) => {
      io.out(scrub(`\n== ${name}`))
      return fn()
    }
  }
}

/**
 * The Markdown job summary as terminal text: headings underlined, links as `text (url)`, the
 * Markdown escapes and HTML entities of Sentry text undone (control characters are removed
 * before it is printed), `<details>` reduced to its summary line.
 */
export function summaryAsText(markdown: string): string {
  const out: string[] = []
  let fence: string | undefined
  for (const line of markdown.split('\n')) {
    // Fenced blocks (issue bodies in a dry run's previews) are printed as they are, indented.
    if (fence !== undefined) {
      if (line.startsWith(fence) && line.slice(fence.length).replace(/`/g, '').trim() === '')
        fence = undefined
      else out.push(`    ${line}`)
      continue
    }
    const opening = /^(`{3,})[^`]*$/.exec(line)
    if (opening?.[1]) {
      fence = opening[1]
      continue
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    if (heading?.[1] && heading[2] !== undefined) {
      const text = inline(heading[2])
      out.push(text, (heading[1].length <= 2 ? '=' : '-').repeat(Math.min(text.length, 100)))
      continue
    }
    const details = /^<details><summary>(.*)<\/summary>$/.exec(line)
    if (details?.[1] !== undefined) {
      out.push(`${inline(details[1])}:`)
      continue
    }
    if (line === '</details>') continue
    if (/^\|[-:|\s]+\|$/.test(line)) continue // table alignment row
    out.push(inline(line))
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n')
}

/**
 * One line of Markdown as text: links as `text (url)`, bold dropped, code spans as their content
 * (exactly: escapes and entities are text inside them), escapes and entities resolved elsewhere,
 * and the zero-width spaces of titles (plain text on GitHub, see sanitizeTitle) removed.
 */
function inline(text: string): string {
  return text
    .replace(/\[([^\]]*(?:\\\][^\]]*)*)\]\((https?:\/\/[^\s()<>]+)\)/g, '$1 ($2)')
    .split(/((?<!\\)`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.slice(1, -1)
        : part
            .replace(/\*\*([^*]+)\*\*/g, '$1')
            .replace(/\\([!-/:-@[-`{-~])/g, '$1')
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&amp;/g, '&')
    )
    .join('')
    .replace(/\u200B/g, '')
}

/**
 * --preview-dir: each created (or, in a dry run, would-be) issue as `<short id>.md` in `dir`.
 * Returns the line to print.
 */
export async function writePreviews(dir: string, rows: readonly ResultRow[]): Promise<string> {
  await mkdir(dir, { recursive: true })
  let count = 0
  for (const row of rows) {
    if (!row.preview) continue
    await writeFile(path.join(dir, previewFileName(row.shortId)), previewMarkdown(row.preview))
    count++
  }
  return `Wrote ${count} issue preview(s) to ${dir}.`
}

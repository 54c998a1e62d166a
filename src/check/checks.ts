import { htmlCodeElement } from '../render/escape.js'

/**
 * The set-up checklist (`mode: check`, `sentry-issues-sync check`): one row per thing a sync
 * needs, each ok, failed or a warning, with what was seen and, when something is wrong, the fix.
 * Pure: the probes that fill it are in ./run.ts. Rendered as plain text lines for the CLI and as a
 * Markdown table for the job summary.
 */

export type CheckStatus = 'ok' | 'fail' | 'warn'

export interface CheckRow {
  /** What was checked, for example "Sentry token". */
  name: string
  status: CheckStatus
  /** What the check saw (one sentence or a few). */
  detail: string
  /** What to change; set on failures and warnings. */
  fix?: string
}

export const ok = (name: string, detail: string): CheckRow => ({ name, status: 'ok', detail })
export const fail = (name: string, detail: string, fix: string): CheckRow => ({
  name,
  status: 'fail',
  detail,
  fix
})
export const warn = (name: string, detail: string, fix?: string): CheckRow => ({
  name,
  status: 'warn',
  detail,
  ...(fix === undefined ? {} : { fix })
})

/** A sync would work: no row failed (warnings do not count). */
export function passed(rows: readonly CheckRow[]): boolean {
  return rows.every((row) => row.status !== 'fail')
}

/** One message naming every failed check, or undefined when none failed. */
export function failureMessage(rows: readonly CheckRow[]): string | undefined {
  const failed = rows.filter((row) => row.status === 'fail')
  if (failed.length === 0) return undefined
  const lines = failed.map((row) => `- ${row.name}: ${row.detail} Fix: ${row.fix ?? ''}`.trim())
  return `${failed.length} of ${rows.length} set-up check${rows.length === 1 ? '' : 's'} failed:\n${lines.join('\n')}`
}

function counts(rows: readonly CheckRow[]): string {
  const n = (status: CheckStatus): number => rows.filter((r) => r.status === status).length
  return `${n('ok')} ok, ${n('fail')} failed, ${n('warn')} warning${n('warn') === 1 ? '' : 's'}`
}

const TEXT_LABEL: Record<CheckStatus, string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn' }

/**
 * Plain text for a terminal: `ok   name: detail`, `FAIL name: detail` and `warn name: detail`,
 * each fix on the next line (`     fix: …`), then a count.
 */
export function renderText(rows: readonly CheckRow[]): string {
  const lines: string[] = []
  for (const row of rows) {
    lines.push(`${TEXT_LABEL[row.status]} ${row.name}: ${oneLine(row.detail)}`)
    if (row.fix !== undefined && row.status !== 'ok') lines.push(`     fix: ${oneLine(row.fix)}`)
  }
  lines.push(
    '',
    `${counts(rows)}: ${passed(rows) ? 'a sync would work.' : 'a sync would fail; fix the rows marked FAIL.'}`
  )
  return lines.join('\n')
}

const ICON: Record<CheckStatus, string> = { ok: '✅', fail: '❌', warn: '⚠️' }

/** A Markdown table for the job summary: one ✅/❌/⚠️ row per check, with the fix. */
export function renderMarkdown(rows: readonly CheckRow[], target: string): string {
  const lines = [
    `## Set-up check: ${cell(target)}`,
    '',
    passed(rows)
      ? `**A sync would work** (${counts(rows)}).`
      : `**A sync would fail** (${counts(rows)}): fix the rows marked ❌.`,
    '',
    '|  | Check | Result | Fix |',
    '| --- | --- | --- | --- |'
  ]
  for (const row of rows) {
    lines.push(
      `| ${ICON[row.status]} | ${cell(row.name)} | ${cell(row.detail)} | ${row.status === 'ok' ? '' : cell(row.fix ?? '')} |`
    )
  }
  return `${lines.join('\n')}\n`
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/**
 * Text for one table cell: on one line, with the characters that would end the cell or open HTML
 * neutralised. Inline code spans (`like this`) are kept. A word with an `@` (a proxy URL with
 * credentials, an e-mail address) becomes a code span, so that it mentions no one and a reader
 * copies it exactly (no invisible character is inserted).
 */
function cell(text: string): string {
  return oneLine(text)
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part.replace(/\|/g, '\\|') : cellText(part)))
    .join('')
}

function cellText(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      if (!word.includes('@')) {
        return word
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/\|/g, '\\|')
      }
      return word.includes('`') ? htmlCodeElement(word) : `\`${word.replace(/\|/g, '\\|')}\``
    })
    .join('')
}

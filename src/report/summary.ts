import { escapeInline } from '../render/escape.js'
import { dashboardLines } from './dashboard.js'
import { previewSection } from './preview.js'
import { countRows, type Backlog, type ResultRow, type RunResult } from './result.js'

/**
 * The job summary as Markdown (the action writes it to the step summary; the CLI prints it).
 * Sentry-provided text is escaped like everywhere else.
 */

const MAX_TABLE_ROWS = 500

const ACTION_LABEL: Record<ResultRow['action'], string> = {
  created: '🆕 created',
  updated: '✏️ updated',
  closed: '✅ closed',
  reopened: '🔁 reopened',
  skipped: '⏭️ skipped',
  failed: '❌ failed'
}

export function renderSummary(result: RunResult, repository: string): string {
  const counts = countRows(result.rows)
  const lines: string[] = []
  lines.push(`## Sentry → GitHub issues${result.dryRun ? ' (dry run: nothing was written)' : ''}`)
  lines.push('')
  lines.push(
    `Read **${result.sentryIssuesRead}** Sentry issue(s)${result.truncated ? ' (capped by max-sentry-issues)' : ''} into \`${repository}\`.`
  )
  lines.push('')
  lines.push('| created | updated | closed | reopened | skipped | failed |')
  lines.push('|---:|---:|---:|---:|---:|---:|')
  lines.push(
    `| ${counts.created} | ${counts.updated} | ${counts.closed} | ${counts.reopened} | ${counts.skipped} | ${counts.failed} |`
  )

  const acted = result.rows.filter((r) => !(r.action === 'skipped' && r.number !== undefined))
  const tracked = result.rows.filter((r) => r.action === 'skipped' && r.number !== undefined)
  if (result.backlog) lines.push('', backlogLine(result.backlog))
  if (result.dashboard) lines.push('', ...dashboardLines(result.dashboard))
  if (acted.length > 0) {
    lines.push('', '### Acted on', '', ...table(acted))
  }
  if (result.dryRun) {
    const previews = previewSection(result.rows)
    if (previews.length > 0) lines.push('', ...previews.slice(0, -1))
  }
  if (tracked.length > 0) {
    lines.push(
      '',
      `<details><summary>${tracked.length} already tracked, nothing to do</summary>`,
      '',
      ...table(tracked),
      '',
      '</details>'
    )
  }
  if (result.warnings.length > 0) {
    lines.push('', '### Warnings', '', ...result.warnings.map((w) => `- ${escapeInline(w, 1000)}`))
  }
  lines.push('')
  return lines.join('\n')
}

/** How many new issues are left for later runs, and how many runs that takes. */
export function backlogLine(backlog: Backlog): string {
  return `**${backlog.remaining}** new issue(s) remain for later runs: about **${backlog.runs}** more run(s) at up to ${backlog.perRun} per run (max-new-issues, and GitHub's limit of 500 content-creating requests an hour).`
}

function table(rows: readonly ResultRow[]): string[] {
  const out = [
    '| Sentry issue | GitHub issue | events | users | action | |',
    '|---|---|---:|---:|---|---|'
  ]
  for (const row of rows.slice(0, MAX_TABLE_ROWS)) {
    out.push(
      `| ${link(escapeInline(row.shortId, 100), row.permalink)} | ${row.number !== undefined ? link(`#${row.number}`, row.url) : '—'} | ${row.events} | ${row.users} | ${ACTION_LABEL[row.action]} | ${escapeInline(row.detail ?? row.title, 140)} |`
    )
  }
  if (rows.length > MAX_TABLE_ROWS) out.push(`| … ${rows.length - MAX_TABLE_ROWS} more | | | | | |`)
  return out
}

function link(text: string, url: string | undefined): string {
  if (!url || !/^https?:\/\/[^\s()<>]+$/.test(url)) return text
  return `[${text}](${url})`
}

import type { DashboardReport } from './result.js'

/**
 * The triage dashboard in the job summary: a line that links it and says what the run did with
 * it, and in a dry run the body it would write (the action's own text; Sentry's is escaped in it).
 */
export function dashboardLines(report: DashboardReport): string[] {
  const link =
    report.number === undefined
      ? 'The triage dashboard'
      : report.url && /^https?:\/\/[^\s()<>]+$/.test(report.url)
        ? `The triage dashboard [#${report.number}](${report.url})`
        : `The triage dashboard #${report.number}`
  const listed = `${report.listed} Sentry issue(s) listed`
  const filed = report.filed > 0 ? `; ${report.filed} filed from the dashboard this run` : ''
  const what = DOES[report.action]
  const detail = report.detail ? ` (${report.detail})` : ''
  const lines = [`${link} ${what}${detail}: ${listed}${filed}.`]
  if (report.preview !== undefined) {
    const fence = '`'.repeat(Math.max(3, longestRun(report.preview, '`') + 1))
    lines.push(
      '',
      '<details><summary>The triage dashboard this run would write</summary>',
      '',
      `${fence}markdown`,
      report.preview,
      fence,
      '',
      '</details>'
    )
  }
  return lines
}

const DOES: Record<DashboardReport['action'], string> = {
  created: 'was created',
  updated: 'was updated',
  unchanged: 'is unchanged (nothing a reader sees changed; not written)',
  closed: 'is closed and was left alone',
  gone: 'is gone and was not recreated',
  failed: 'could not be written',
  'would-create': 'would be created (dry run)',
  'would-update': 'would be updated (dry run)'
}

function longestRun(text: string, ch: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === ch ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

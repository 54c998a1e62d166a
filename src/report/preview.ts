import type { Milestone } from '../inputs/content-options.js'
import type { RenderedIssue } from '../render/issue.js'
import {
  escapeCode,
  escapeInline,
  neutralizePlainText,
  truncateCodePoints,
  truncateCodeUnits
} from '../render/escape.js'
import type { IssuePreview, ResultRow } from './result.js'

/**
 * Would-be issues, shown before anything is written: a section of the job summary (the first
 * few, each body in a collapsed block) and one Markdown file per issue (the CLI's --preview-dir).
 */

/** Issues shown in full in the summary; the rest are counted. */
export const SUMMARY_PREVIEWS = 20
/**
 * Body characters shown per issue in the summary. GitHub refuses a step summary over 1 MiB, so
 * 20 bodies of at most 8,000 UTF-16 units (24 KB of UTF-8 at most each) leave room for the rest.
 */
export const SUMMARY_BODY_CHARS = 8000

export function issuePreview(
  rendered: RenderedIssue,
  assignees: readonly string[],
  milestone: Milestone | undefined,
  /** What the issue steps would do (see sync/steps.ts), a line each. */
  steps: readonly string[] = []
): IssuePreview {
  return {
    title: rendered.title,
    body: rendered.body,
    labels: [...rendered.labels],
    assignees: [...assignees],
    ...(milestone ? { milestone: 'number' in milestone ? milestone.number : milestone.title } : {}),
    ...(steps.length > 0 ? { steps: [...steps] } : {})
  }
}

/**
 * One would-be issue as a Markdown file: the title as a heading, its labels, assignees and
 * milestone, a rule, then the body exactly as GitHub gets it.
 */
export function previewMarkdown(preview: IssuePreview): string {
  return [
    `# ${preview.title}`,
    '',
    ...metadataLines(preview, (s) => s),
    '',
    '---',
    '',
    preview.body
  ]
    .join('\n')
    .concat(preview.body.endsWith('\n') ? '' : '\n')
}

/** A file name for the issue of `shortId` (`PROJ-1A.md`); unsafe characters become `_`. */
export function previewFileName(shortId: string): string {
  const safe = shortId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
  return `${safe.slice(0, 120) || 'issue'}.md`
}

/**
 * The summary's section of would-be issues: the first {@link SUMMARY_PREVIEWS}, each a
 * collapsed block with its labels, assignees and milestone and its body as a fenced Markdown
 * source block (the fence is longer than any backtick run in the body, so nothing in the body
 * can close it), then "and N more".
 */
export function previewSection(rows: readonly ResultRow[]): string[] {
  const previews = rows.filter(
    (r): r is ResultRow & { preview: IssuePreview } => r.preview !== undefined
  )
  if (previews.length === 0) return []
  const shown = previews.slice(0, SUMMARY_PREVIEWS)
  const lines = [
    `### Issues that would be created${previews.length > shown.length ? ` (the first ${shown.length} of ${previews.length})` : ''}`,
    ''
  ]
  for (const row of shown) {
    const { preview } = row
    const body = truncateCodeUnits(preview.body, SUMMARY_BODY_CHARS, '')
    const cut = preview.body.length - body.length
    // The body as sent; the fence is longer than any backtick run in it.
    const { fence } = escapeCode(body)
    const content = body
    lines.push(
      `<details><summary>${htmlText(preview.title, 200)} (${htmlText(row.shortId, 100)})</summary>`,
      '',
      ...metadataLines(preview, (s) => escapeInline(s, 100)).map((l) => `${l}  `),
      '',
      `${fence}markdown`,
      content.endsWith('\n') ? content.slice(0, -1) : content,
      fence,
      ...(cut > 0
        ? ['', `_… ${cut} more characters (the CLI's --preview-dir writes it whole)._`]
        : []),
      '',
      '</details>',
      ''
    )
  }
  const more = previews.length - shown.length
  if (more > 0) {
    lines.push(`… and ${more} more (the CLI's --preview-dir writes every one to a file).`, '')
  }
  return lines
}

function metadataLines(preview: IssuePreview, esc: (text: string) => string): string[] {
  const list = (items: readonly string[], prefix = ''): string =>
    items.length > 0 ? items.map((i) => `${prefix}${esc(i)}`).join(', ') : 'none'
  return [
    `**Labels:** ${list(preview.labels)}`,
    `**Assignees:** ${list(preview.assignees)}`,
    `**Milestone:** ${preview.milestone === undefined ? 'none' : esc(String(preview.milestone))}`,
    ...(preview.steps ?? []).map((line) => `**Then:** ${esc(line)}`)
  ]
}

/**
 * Text for an HTML context on one line (a `<summary>`, where Markdown does not apply): entities,
 * and references broken like in titles (the title already is; this is a job summary, not a body).
 */
function htmlText(text: string, max: number): string {
  return neutralizePlainText(truncateCodePoints(text.replace(/\s+/g, ' ').trim(), max))
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { SUMMARY_BODY_CHARS } from '../src/report/preview.js'
import { startHarness, type Harness } from './helpers/harness.js'

/** A dry run shows what it would create, in the job summary, before anything is written. */

let h: Harness

beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

interface Preview {
  head: string
  meta: string[]
  fence: string
  body: string
  /** The lines after the closing fence, up to `</details>`. */
  tail: string[]
}

/**
 * The previews of a summary, read the way GitHub's Markdown reads them: a `<details>` line, the
 * metadata, a fenced block that ends at the first line of its own fence only, then `</details>`.
 */
function previews(summary: string): Preview[] {
  const lines = summary.split('\n')
  const found: Preview[] = []
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!
    if (!head.startsWith('<details><summary>') || !lines[i + 2]?.startsWith('**Labels:**')) continue
    const meta = lines.slice(i + 2, i + 5)
    const fence = /^(`{3,})markdown$/.exec(lines[i + 6] ?? '')?.[1] ?? ''
    let j = i + 7
    while (j < lines.length && !(lines[j]!.startsWith(fence) && /^`*$/.test(lines[j]!))) j++
    const body = lines.slice(i + 7, j).join('\n')
    const tail: string[] = []
    for (j++; j < lines.length && lines[j] !== '</details>'; j++) tail.push(lines[j]!)
    found.push({ head, meta, fence, body, tail })
    i = j
  }
  return found
}

describe('dry-run previews in the job summary', () => {
  it('shows the first 20 would-be issues in full, counts the rest, and writes nothing', async () => {
    h.sentry.seed(25, { seed: 5 })
    const run = await h.run({ 'dry-run': 'true', 'max-new-issues': '100', labels: 'bug' })
    expect(run.failed).toBe(false)
    expect(run.outputs.created).toBe('25')
    expect(h.github.writeCount()).toBe(0)
    expect(h.github.issues).toHaveLength(0)

    expect(run.summary).toContain('### Issues that would be created (the first 20 of 25)')
    const shown = previews(run.summary)
    expect(shown).toHaveLength(20)
    expect(run.summary).toContain('… and 5 more')
    // Each preview: title in the summary line, labels, assignees, milestone, the body in a fence.
    for (const preview of shown) {
      expect(preview.meta[0]).toMatch(/^\*\*Labels:\*\* sentry, bug, /)
      expect(preview.meta[1]).toBe('**Assignees:** none  ')
      expect(preview.meta[2]).toBe('**Milestone:** none  ')
      expect(preview.fence.length).toBeGreaterThanOrEqual(3)
      expect(preview.body).toMatch(/^<!-- sentry-issue: /)
      expect(preview.body).toContain('_Created by sentry-issues-action.')
      expect(preview.tail.join('').trim()).toBe('')
    }
  })

  it('shows labels, assignees and milestone as a real run would send them', async () => {
    h.sentry.seed(1, { seed: 6 })
    const run = await h.run({
      'dry-run': 'true',
      assignees: 'octocat',
      milestone: 'Backlog',
      'priority-labels': 'none'
    })
    const [preview] = previews(run.summary)
    expect(preview?.meta).toEqual([
      '**Labels:** sentry, bug  ',
      '**Assignees:** octocat  ',
      '**Milestone:** Backlog  '
    ])
    expect(h.github.writeCount()).toBe(0)
  })

  it('says what the issue steps would do after the create (issue fields)', async () => {
    const [issue] = h.sentry.seed(1, { seed: 7 })
    const run = await h.run({
      'dry-run': 'true',
      'issue-fields': 'Priority = priority\nEvents = events'
    })
    expect(run.summary).toContain(
      `**Then:** Issue fields: Priority = ${String(issue!.priority)}, Events = ${String(issue!.count)}`
    )
    expect(h.github.writeCount()).toBe(0)
  })

  it('keeps a body with backtick fences and HTML inside its block', async () => {
    const [issue] = h.sentry.seed(1, { seed: 7 })
    issue!['title'] = 'Broken ```` fence </details> <script>x</script>'
    issue!['metadata'] = { type: 'Error', value: '``````\n</details>\n# not a heading' }
    const run = await h.run({ 'dry-run': 'true' })
    const [preview, ...others] = previews(run.summary)
    expect(others).toHaveLength(0)
    // The body's own backtick runs are shorter than the fence, so the block ends where the body does.
    expect(preview!.fence.length).toBeGreaterThan(6)
    expect(preview!.body).toContain('``````')
    expect(preview!.body).toContain('</details>')
    expect(preview!.body).toMatch(/_Created by sentry-issues-action\.[^\n]*$/)
    expect(preview!.tail.join('').trim()).toBe('')
    // The summary line holds no raw HTML from Sentry.
    expect(preview!.head).toContain('&lt;/details&gt;')
    expect(preview!.head).not.toContain('<script>')
    expect(run.summary.trimEnd().endsWith('</details>')).toBe(true)
  })

  it('cuts very long bodies so the summary stays far under GitHub’s 1 MiB', async () => {
    const issues = h.sentry.seed(25, { seed: 8 })
    for (const issue of issues) issue['metadata'] = { type: 'Error', value: '😀'.repeat(30_000) }
    const run = await h.run({ 'dry-run': 'true', 'max-new-issues': '100' })
    expect(run.outputs.created).toBe('25')
    expect(run.summary).toContain('more characters')
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
    expect(Buffer.byteLength(run.summary)).toBeGreaterThan(20 * SUMMARY_BODY_CHARS)
  })

  it('a real run has no preview section', async () => {
    h.sentry.seed(2, { seed: 9 })
    const run = await h.run({})
    expect(run.outputs.created).toBe('2')
    expect(run.summary).not.toContain('would be created')
  })
})

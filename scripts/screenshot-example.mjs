#!/usr/bin/env node
/**
 * Draws docs/examples/javascript-issue.md the way GitHub shows an issue and writes the picture to
 * docs/images/example-issue.png, which the README shows.
 *
 * Usage (from the repository root): npm run docs:screenshot
 *   (that is: npx tsc -p tsconfig.build.json && node scripts/screenshot-example.mjs)
 *
 * The Markdown becomes HTML through `marked` (GitHub Flavored Markdown), styled with GitHub's
 * Markdown styles from `github-markdown-css`, inside a page laid out like a GitHub issue: title,
 * state, the body as the opening comment, labels in the sidebar. Headless Chromium draws it through
 * `playwright-core` (in a fresh profile of its own, offline); every request the page would make is
 * refused, so nothing is fetched.
 *
 * Chromium: `apt-get install -y chromium fonts-noto-core fonts-noto-color-emoji` on Debian, or set
 * CHROMIUM to the browser's path.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'
import { chromium } from 'playwright-core'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const source = join(root, 'docs/examples/javascript-issue.md')
const output = join(root, 'docs/images/example-issue.png')
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium'

const { labelColor } = await import(join(root, 'build/render/labels.js'))
/** The tracking label's colour (src/sync/labels.ts); `bug` is GitHub's default label. */
const KNOWN_COLORS = { sentry: '362d59', bug: 'd73a4a' }

/** Splits the example file into the issue's title, labels and body. */
function parseExample(text) {
  const title = /^\*\*Title:\*\* (.*)$/m.exec(text)?.[1]
  const labels = /^\*\*Labels:\*\* (.*)$/m.exec(text)?.[1]
  const bodyStart = text.indexOf('**Body:**\n\n---\n\n')
  if (title === undefined || labels === undefined || bodyStart === -1) {
    throw new Error(`${source} lacks the Title, Labels or Body lines render-examples.mjs writes`)
  }
  return {
    title,
    labels: labels.split(', '),
    body: text.slice(bodyStart + '**Body:**\n\n---\n\n'.length)
  }
}

function escapeHtml(text) {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]
  )
}

/** Dark text on light labels, white on dark ones, as GitHub's light theme does. */
function labelStyle(name) {
  const hex = KNOWN_COLORS[name] ?? labelColor(name)
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
  return `background:#${hex};color:${luminance > 0.6 ? '#1f2328' : '#ffffff'}`
}

const OPEN_ICON =
  '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">' +
  '<circle cx="8" cy="8" r="6.75" fill="none" stroke="currentColor" stroke-width="1.5"/>' +
  '<circle cx="8" cy="8" r="1.5" fill="currentColor"/></svg>'

const PAGE_CSS = `
  body { margin: 0; background: #ffffff; color: #1f2328;
    font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
      "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; font-size: 14px; }
  #issue { width: 1012px; padding: 24px 24px 32px; box-sizing: border-box; }
  .repo { color: #59636e; font-size: 14px; margin-bottom: 16px; }
  .repo b { color: #1f2328; font-weight: 600; }
  h1 { font-size: 32px; font-weight: 400; line-height: 1.25; margin: 0 0 8px; word-wrap: break-word; }
  h1 .number { color: #59636e; font-weight: 300; }
  .meta { display: flex; align-items: center; gap: 8px; color: #59636e; padding-bottom: 16px;
    border-bottom: 1px solid #d1d9e0; margin-bottom: 24px; }
  .meta b { color: #1f2328; font-weight: 600; }
  .state { display: inline-flex; align-items: center; gap: 4px; background: #1f883d; color: #ffffff;
    border-radius: 2em; padding: 5px 12px; font-weight: 500; }
  .bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 6px; font-size: 12px;
    color: #59636e; }
  .layout { display: flex; gap: 24px; align-items: flex-start; }
  .main { flex: 1; min-width: 0; }
  .comment { border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; }
  .comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
    color: #59636e; }
  .comment-header b { color: #1f2328; font-weight: 600; }
  .markdown-body { padding: 16px; font-size: 14px; }
  .sidebar { width: 256px; flex: none; }
  .side { border-bottom: 1px solid #d1d9e0; padding: 0 0 16px; margin-bottom: 16px; }
  .side h2 { font-size: 12px; font-weight: 600; color: #59636e; margin: 0 0 8px; }
  .side p { margin: 0; color: #59636e; }
  .labels { display: flex; flex-wrap: wrap; gap: 4px; }
  .label { display: inline-block; border-radius: 2em; padding: 0 7px; font-size: 12px;
    font-weight: 500; line-height: 18px; white-space: nowrap; }
`

function page({ title, labels, body }) {
  const css = readFileSync(
    createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
    'utf8'
  )
  // The stack trace is opened, as after a click on its summary, so the picture shows it.
  const bodyHtml = marked
    .parse(body, { gfm: true, async: false })
    .replace(/<details>/g, '<details open>')
  const labelHtml = labels
    .map((name) => `<span class="label" style="${labelStyle(name)}">${escapeHtml(name)}</span>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${css}</style><style>${PAGE_CSS}</style></head>
<body><div id="issue">
  <div class="repo">acme / <b>shop</b></div>
  <h1>${escapeHtml(title)} <span class="number">#128</span></h1>
  <div class="meta"><span class="state">${OPEN_ICON} Open</span>
    <span><b>github-actions</b> <span class="bot">bot</span> opened this issue · 0 comments</span></div>
  <div class="layout">
    <div class="main"><div class="comment">
      <div class="comment-header"><b>github-actions</b> <span class="bot">bot</span> opened</div>
      <div class="markdown-body">${bodyHtml}</div>
    </div></div>
    <div class="sidebar">
      <div class="side"><h2>Assignees</h2><p>No one assigned</p></div>
      <div class="side"><h2>Labels</h2><div class="labels">${labelHtml}</div></div>
      <div class="side"><h2>Milestone</h2><p>No milestone</p></div>
    </div>
  </div>
</div></body></html>`
}

const html = page(parseExample(readFileSync(source, 'utf8')))
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync'
  ]
})
try {
  const context = await browser.newContext({
    viewport: { width: 1012, height: 800 },
    deviceScaleFactor: 2,
    offline: true,
    javaScriptEnabled: false
  })
  const tab = await context.newPage()
  const refused = []
  await tab.route('**/*', (route) => {
    refused.push(route.request().url())
    return route.abort()
  })
  await tab.setContent(html, { waitUntil: 'load' })
  mkdirSync(dirname(output), { recursive: true })
  await tab.locator('#issue').screenshot({ path: output, animations: 'disabled' })
  if (refused.length > 0) console.log(`refused ${refused.length} request(s): ${refused.join(', ')}`)
  console.log(`wrote ${output}`)
} finally {
  await browser.close()
}

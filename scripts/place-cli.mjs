// Part of `npm run bundle`: moves the CLI bundle that ncc wrote to build/cli-bundle/ into
// dist/cli.js (with its `#!/usr/bin/env node` line, executable), and adds the licenses of any
// package the CLI bundles that the action's bundle does not already list to dist/licenses.txt.
// ncc deletes every .js file in its output folder, so the CLI is built into a folder of its own
// after the action, and placed last. The result depends only on the two ncc outputs.
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const built = path.join(root, 'build', 'cli-bundle')
const dist = path.join(root, 'dist')
const SHEBANG = '#!/usr/bin/env node\n'

const expected = new Set(['index.js', 'licenses.txt', 'package.json'])
const extra = readdirSync(built).filter((name) => !expected.has(name))
if (extra.length > 0) {
  // The CLI must stay a single file: an asset here would be missing from dist/.
  console.error(`place-cli: unexpected files in ${built}: ${extra.join(', ')}`)
  process.exit(1)
}

let code = readFileSync(path.join(built, 'index.js'), 'utf8')
if (!code.startsWith('#!')) code = SHEBANG + code
// Stamp the version, so a copied dist/cli.js still knows it (src/cli/run.ts, VERSION_STAMP).
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
const stamps = code.match(/(["'])@@SENTRY_ISSUES_SYNC_VERSION@@\1/g) ?? []
if (stamps.length !== 1) {
  console.error(`place-cli: expected one version stamp in the CLI bundle, found ${stamps.length}`)
  process.exit(1)
}
code = code.replace(/(["'])@@SENTRY_ISSUES_SYNC_VERSION@@\1/, JSON.stringify(version))
const target = path.join(dist, 'cli.js')
writeFileSync(target, code)
chmodSync(target, 0o755)

const lock = readFileSync(path.join(root, 'package-lock.json'), 'utf8')
const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/
const LICENSE_ID = /^\(?[A-Za-z0-9.+-]+(?: (?:OR|AND|WITH) [A-Za-z0-9.+-]+)*\)?$/

/** Splits an ncc/license-webpack-plugin licenses file into { name → entry text }. */
function entries(text) {
  const lines = text.replace(/\n+$/, '').split('\n')
  const starts = []
  for (let i = 0; i < lines.length - 1; i++) {
    if (
      (i === 0 || lines[i - 1] === '') &&
      NAME.test(lines[i]) &&
      LICENSE_ID.test(lines[i + 1]) &&
      lock.includes(`node_modules/${lines[i]}"`)
    ) {
      starts.push(i)
    }
  }
  const map = new Map()
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1] - 1 : lines.length
    map.set(lines[start], lines.slice(start, end).join('\n').replace(/\n+$/, ''))
  })
  return map
}

const licensesFile = path.join(dist, 'licenses.txt')
const actionLicenses = existsSync(licensesFile) ? readFileSync(licensesFile, 'utf8') : ''
const known = entries(actionLicenses)
const cliLicenses = entries(readFileSync(path.join(built, 'licenses.txt'), 'utf8'))
const missing = [...cliLicenses.keys()].filter((name) => !known.has(name)).sort()
if (missing.length > 0) {
  const text = [actionLicenses.replace(/\n+$/, ''), ...missing.map((name) => cliLicenses.get(name))]
    .filter((part) => part !== '')
    .join('\n\n')
  writeFileSync(licensesFile, `${text}\n`)
}
console.log(
  `place-cli: wrote dist/cli.js (${Math.round(code.length / 1024)} KiB); licenses: ${cliLicenses.size} bundled in the CLI, ${missing.length} added to dist/licenses.txt`
)

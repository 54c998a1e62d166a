// Part of `npm run bundle`: writes dist/licenses.txt for every package the action's bundle holds,
// in all its chunks. ncc writes one licenses file per chunk under the same name, so with
// @actions/cache in a chunk of its own the file it leaves names that chunk's packages only. This
// reads the packages from the build's webpack stats (ncc --stats-out) and writes, sorted by name,
// each one's name, license and license text, as ncc does. The result depends only on the stats
// and node_modules.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const [statsFile, outFile] = process.argv.slice(2)
if (!statsFile || !outFile) {
  console.error('usage: node scripts/bundle-licenses.mjs <stats.json> <licenses.txt>')
  process.exit(1)
}

/** node_modules/<name> folders named by the bundled modules (a nested copy counts on its own). */
const folders = new Set()
function visit(module) {
  for (const nested of module.modules ?? []) visit(nested)
  for (const part of `${module.identifier ?? ''}`.split(/[\s!|]+/)) {
    const at = part.lastIndexOf('/node_modules/')
    if (!path.isAbsolute(part) || at < 0) continue
    const [scope, name] = part.slice(at + '/node_modules/'.length).split('/')
    folders.add(
      part.slice(0, at) + '/node_modules/' + (scope?.startsWith('@') ? `${scope}/${name}` : scope)
    )
  }
}
const stats = JSON.parse(readFileSync(statsFile, 'utf8'))
for (const module of stats.modules ?? []) visit(module)
for (const chunk of stats.chunks ?? []) for (const module of chunk.modules ?? []) visit(module)

const LICENSE_FILE = /^(?:licen[cs]e|copying)(?:[.-].*)?$/i
const entries = new Map()
for (const folder of folders) {
  const manifest = path.join(folder, 'package.json')
  if (!existsSync(manifest)) continue
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
  if (entries.has(pkg.name)) continue
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN')
  const file = readdirSync(folder)
    .filter((name) => LICENSE_FILE.test(name))
    .sort()[0]
  const text = file
    ? readFileSync(path.join(folder, file), 'utf8').replace(/\r\n/g, '\n').trim()
    : ''
  entries.set(pkg.name, [pkg.name, license, text].filter((part) => part !== '').join('\n'))
}
const names = [...entries.keys()].sort()
writeFileSync(outFile, `${names.map((name) => entries.get(name)).join('\n\n')}\n`)
console.log(`bundle-licenses: ${names.length} packages in ${path.relative(root, outFile)}`)

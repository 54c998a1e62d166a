// Part of `npm run bundle`: minifies the chunks that ncc writes beside dist/index.js
// (dist/<n>.index.js; ncc's -m minifies the entry only). The @actions/cache chunk is loaded when
// the sync state is first read; minified, it is read, parsed and held in about 4 MiB less.
// Names are kept: @actions/cache compares error classes by name. Licence comments are dropped
// here; dist/licenses.txt lists every bundled package (scripts/bundle-licenses.mjs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { transform } from 'esbuild'

const dir = process.argv[2] ?? 'dist'
const chunks = readdirSync(dir).filter((name) => /^\d+\.index\.js$/.test(name))
for (const name of chunks) {
  const file = path.join(dir, name)
  const before = readFileSync(file, 'utf8')
  const { code } = await transform(before, {
    loader: 'js',
    format: 'esm',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    target: 'node24'
  })
  writeFileSync(file, code)
  console.log(`minify-chunks: ${name} ${before.length} → ${code.length} bytes`)
}

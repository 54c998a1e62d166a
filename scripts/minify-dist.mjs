// Part of `npm run bundle`: minifies what ncc wrote to dist/ (the entry index.js and the chunks
// <n>.index.js it loads when needed) with esbuild. ncc's own -m (terser) minifies only the entry,
// and wraps function arguments in parentheses, which makes V8 compile them all eagerly at start:
// the action then sends its first request about 13 ms later than with this (bench/README.md).
// Names are kept: @actions/cache compares error classes by name, and stack traces stay readable.
// Licence comments are dropped here; dist/licenses.txt lists every bundled package
// (scripts/bundle-licenses.mjs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { transform } from 'esbuild'

const dir = process.argv[2] ?? 'dist'
const files = readdirSync(dir).filter((name) => /^(?:\d+\.)?index\.js$/.test(name))
for (const name of files.sort()) {
  const file = path.join(dir, name)
  const before = readFileSync(file, 'utf8')
  const { code } = await transform(before, {
    loader: 'js',
    format: 'esm',
    // Identifiers are left as they are (no renaming), so every function and class keeps its name
    // without esbuild's keepNames, whose helper calls cost memory at start.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    target: 'node24'
  })
  writeFileSync(file, code)
  console.log(`minify-dist: ${name} ${before.length} → ${code.length} bytes`)
}

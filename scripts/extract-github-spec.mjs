#!/usr/bin/env node
/**
 * Extracts the operations of GitHub's official OpenAPI description that the action and the fake
 * GitHub use into `src/fakes/data/github-spec.json`, for the contract checks in
 * `src/fakes/contract.ts`. Tests never download anything: they read the extracted file.
 *
 * Source: the npm package `@octokit/openapi` (GitHub's description from github/rest-api-description
 * plus Octokit's extensions), pinned below. It is NOT a dependency of the project: the script runs
 * `npm pack @octokit/openapi@<version>` into a temporary directory and streams the tarball, keeping
 * only `package/generated/api.github.com.json` (about 13 MB; the tarball unpacks to about 385 MB,
 * which is never written to disk). That is the description with its references (`$ref`), not the
 * dereferenced one (`api.github.com.deref.json`), which repeats every shared schema (issue, user,
 * label, repository, …) wherever it is used.
 *
 * Usage:
 *   node scripts/extract-github-spec.mjs                    # npm pack the pinned version
 *   node scripts/extract-github-spec.mjs --tarball FILE.tgz # use a tarball fetched before
 *   node scripts/extract-github-spec.mjs --version 23.0.2   # another version (then update the pin)
 *
 * What is kept of each operation: method, path, operationId, parameters (name, in, required,
 * schema), the JSON request body schema and the 2xx response schemas. References are kept as
 * published (`{ "$ref": "#/components/schemas/issue" }`, `#/components/parameters/owner`), and
 * `components` holds exactly the components the kept operations reach, transitively, each once,
 * trimmed the same way (a parameter to name, in, required and schema; a response to its content
 * type and schema). What only dropped parts refer to (media-type examples, response headers) is not
 * kept. Inside schemas, annotations that do not constrain anything (`description`, `example`,
 * `examples`, `externalDocs`, `x-*`) are dropped to keep the file small; every validation keyword
 * is kept as published. A new operation thus adds its own lines and the components it is the first
 * to use, not another copy of the issue. The output is deterministic: keys sorted recursively,
 * arrays in their published order, 2-space indentation.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGunzip } from 'node:zlib'
import { sortKeys } from './lib/sort-keys.mjs'

const PACKAGE = '@octokit/openapi'
/** The pinned package version. Bump it deliberately and re-run; review the diff of the output. */
const PINNED_VERSION = '23.0.2'
const ENTRY = 'package/generated/api.github.com.json'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outputPath = join(repoRoot, 'src/fakes/data/github-spec.json')

/**
 * The operations kept: every REST call the action makes (src/github/) and every route the fake
 * GitHub serves (src/fakes/github/), as `METHOD path-template`, listed with why each is needed in
 * scripts/github-operations.json (the contract test reads the same list).
 */
const OPERATIONS = JSON.parse(
  readFileSync(join(repoRoot, 'scripts/github-operations.json'), 'utf8')
).operations.map((o) => o.operation)

/** Keys of a schema object that hold schemas (the only ones the trimming walks into). */
const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties'])
const SCHEMA_LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf'])
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not'])
/** Annotations dropped from schemas: they document, they do not constrain. */
const DROPPED = new Set(['description', 'example', 'examples', 'externalDocs'])

function parseArgs(argv) {
  const args = { version: PINNED_VERSION, tarball: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--version') args.version = argv[++i]
    else if (arg === '--tarball') args.tarball = argv[++i]
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'Usage: node scripts/extract-github-spec.mjs [--version X.Y.Z] [--tarball FILE.tgz]'
      )
      process.exit(0)
    } else throw new Error(`Unknown argument: ${arg}`)
  }
  if (!args.version) throw new Error('--version needs a value')
  return args
}

/** `npm pack` the package into `dir`; returns the tarball path and npm's metadata about it. */
function npmPack(version, dir) {
  const out = execFileSync(
    'npm',
    ['pack', `${PACKAGE}@${version}`, '--pack-destination', dir, '--json', '--silent'],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 }
  )
  const info = JSON.parse(out)[0]
  if (!info?.filename) throw new Error(`npm pack gave no file name: ${out.slice(0, 300)}`)
  return {
    file: join(dir, info.filename),
    meta: { name: info.name, version: info.version, integrity: info.integrity ?? null }
  }
}

/** The tarball's Subresource Integrity string (`sha512-…`), as the npm registry records it. */
function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`
}

/** Octal number field of a tar header (NUL/space terminated). */
function octal(buf, start, length) {
  const text = buf
    .toString('latin1', start, start + length)
    .replace(/[\0 ]+$/g, '')
    .trim()
  return text === '' ? 0 : Number.parseInt(text, 8)
}

function cString(buf, start, length) {
  const raw = buf.subarray(start, start + length)
  const nul = raw.indexOf(0)
  return raw.toString('utf8', 0, nul === -1 ? raw.length : nul)
}

/** The `path` and `size` records of a pax extended header. */
function paxRecords(buf) {
  const out = {}
  let i = 0
  while (i < buf.length) {
    const space = buf.indexOf(0x20, i)
    if (space === -1) break
    const length = Number.parseInt(buf.toString('latin1', i, space), 10)
    if (!Number.isFinite(length) || length <= 0) break
    const record = buf.toString('utf8', space + 1, i + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    i += length
  }
  return out
}

/**
 * Streams a .tgz and returns the contents of the entry named `wanted`, buffering only that entry
 * (and small pax/long-name headers); every other entry is skipped as it streams by. Stops reading
 * as soon as the entry is complete.
 */
function readTarEntry(tarball, wanted) {
  return new Promise((resolvePromise, reject) => {
    const input = createReadStream(tarball)
    const gunzip = createGunzip()
    let pending = Buffer.alloc(0)
    /** The entry being read: its name, bytes left, padding after it, and chunks when kept. */
    let entry
    let nextName
    let done = false

    const finish = (error, value) => {
      if (done) return
      done = true
      input.destroy()
      gunzip.destroy()
      if (error) reject(error)
      else resolvePromise(value)
    }

    const onData = (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (!done) {
        if (entry) {
          if (entry.left > 0) {
            if (pending.length === 0) return
            const take = Math.min(entry.left, pending.length)
            if (entry.chunks) entry.chunks.push(pending.subarray(0, take))
            pending = pending.subarray(take)
            entry.left -= take
            if (entry.left > 0) return
          }
          const data = entry.chunks ? Buffer.concat(entry.chunks) : undefined
          const finished = entry
          entry = undefined
          if (finished.kind === 'file' && finished.name === wanted) return finish(null, data)
          if (finished.kind === 'pax') nextName = paxRecords(data).path ?? nextName
          if (finished.kind === 'longname') nextName = data.toString('utf8').replace(/\0+$/, '')
          if (finished.padding > 0) entry = { kind: 'padding', left: finished.padding, padding: 0 }
          continue
        }
        if (pending.length < 512) return
        const header = pending.subarray(0, 512)
        pending = pending.subarray(512)
        if (header.every((b) => b === 0)) continue
        const type = String.fromCharCode(header[156] || 0x30)
        const size = octal(header, 124, 12)
        const prefix = cString(header, 345, 155)
        const name =
          nextName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100))
        const padding = (512 - (size % 512)) % 512
        if (type === 'x' || type === 'L') {
          entry = { kind: type === 'x' ? 'pax' : 'longname', left: size, padding, chunks: [] }
        } else {
          nextName = undefined
          const keep = (type === '0' || type === '\0') && name === wanted
          entry = { kind: 'file', name, left: size, padding, chunks: keep ? [] : undefined }
        }
      }
    }

    gunzip.on('data', onData)
    gunzip.on('end', () => finish(new Error(`${wanted} is not in ${tarball}`)))
    gunzip.on('error', (error) => finish(error))
    input.on('error', (error) => finish(error))
    input.pipe(gunzip)
  })
}

/** A schema without documentation-only annotations; walks only into schema positions. */
function trimSchema(schema) {
  if (Array.isArray(schema)) return schema.map(trimSchema)
  if (schema === null || typeof schema !== 'object') return schema
  const out = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith('x-')) continue
    if (SCHEMA_MAP_KEYS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimSchema(v)]))
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map(trimSchema)
    } else if (SCHEMA_KEYS.has(key) && value && typeof value === 'object') {
      out[key] = trimSchema(value)
    } else {
      out[key] = value
    }
  }
  return out
}

function jsonContent(content, where) {
  if (!content) return undefined
  const type = Object.keys(content).find((t) => /^application\/json\b/.test(t))
  if (!type) throw new Error(`${where} has no application/json content (${Object.keys(content)})`)
  return { contentType: type, schema: trimSchema(content[type].schema ?? {}) }
}

/** The component kinds an extracted operation may refer to, and how each is trimmed. */
const COMPONENT_TRIMMERS = {
  schemas: (schema) => trimSchema(schema),
  parameters: (parameter) => trimParameter(parameter),
  responses: (response, where) => trimResponse(response, where)
}

/** `#/components/<kind>/<name>` → `[kind, name]`; anything else is an error. */
function parseRef(ref, where) {
  const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref)
  if (!m) throw new Error(`${where}: unsupported $ref ${JSON.stringify(ref)}`)
  return [m[1], m[2].replaceAll('~1', '/').replaceAll('~0', '~')]
}

/** The component a local `$ref` names, as published. */
function resolveRef(spec, ref, where) {
  const [kind, name] = parseRef(ref, where)
  const target = spec.components?.[kind]?.[name]
  if (!target) throw new Error(`${where}: ${ref} is not in the description`)
  return target
}

/** A parameter as kept: name, in, required and its schema (a `$ref` to one is kept as is). */
function trimParameter(parameter) {
  if (parameter.$ref) return { $ref: parameter.$ref }
  return {
    name: parameter.name,
    in: parameter.in,
    required: parameter.required === true,
    schema: trimSchema(parameter.schema ?? {})
  }
}

/** A success response as kept: its JSON content type and schema (null for a response without content). */
function trimResponse(response, where) {
  if (response.$ref) return { $ref: response.$ref }
  return response.content
    ? jsonContent(response.content, where)
    : { contentType: null, schema: null }
}

function extractOperation(spec, key) {
  const [method, path] = key.split(' ')
  const item = spec.paths?.[path]
  const operation = item?.[method.toLowerCase()]
  if (!operation) throw new Error(`The spec has no ${key}`)
  // Parameters may be declared on the path item and on the operation; the operation's win. A
  // parameter given by reference stays a reference (resolved here only to know its name).
  const params = new Map()
  for (const p of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const declared = p.$ref ? resolveRef(spec, p.$ref, `${key} parameter`) : p
    params.set(`${declared.in}:${declared.name}`, p)
  }
  const parameters = [...params.values()].map(trimParameter)
  const body = operation.requestBody
  if (body?.$ref) throw new Error(`${key}: a requestBody by reference is not supported yet`)
  const requestBody = body
    ? { required: body.required === true, ...jsonContent(body.content, `${key} requestBody`) }
    : null
  const responses = {}
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2\d\d$/.test(status)) continue
    responses[status] = trimResponse(response, `${key} response ${status}`)
  }
  if (Object.keys(responses).length === 0) throw new Error(`${key} documents no 2xx response`)
  return {
    method,
    path,
    operationId: operation.operationId,
    ...(operation.deprecated ? { deprecated: true } : {}),
    documentation: operation.externalDocs?.url ?? null,
    parameters,
    requestBody,
    responses
  }
}

/** Every `$ref` value in `value` (the kept, trimmed parts only). */
function refsIn(value, out = new Set()) {
  if (Array.isArray(value)) for (const item of value) refsIn(item, out)
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.add(item)
      else refsIn(item, out)
    }
  }
  return out
}

/**
 * The components the kept operations refer to, transitively, each once and trimmed like the
 * operations (`{ schemas: { issue: … }, parameters: { owner: … } }`). References are collected
 * from the trimmed objects, so what only dropped parts referred to (media-type `examples`,
 * response `headers`) is not kept.
 */
function reachableComponents(spec, operations) {
  const components = {}
  const pending = [...refsIn(operations)]
  const seen = new Set()
  while (pending.length > 0) {
    const ref = pending.pop()
    if (seen.has(ref)) continue
    seen.add(ref)
    const [kind, name] = parseRef(ref, 'components')
    const trim = COMPONENT_TRIMMERS[kind]
    if (!trim) throw new Error(`${ref}: components of kind ${kind} are not extracted`)
    const kept = trim(resolveRef(spec, ref, 'components'), ref)
    ;(components[kind] ??= {})[name] = kept
    pending.push(...refsIn(kept))
  }
  return components
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const temp = args.tarball ? undefined : mkdtempSync(join(tmpdir(), 'octokit-openapi-'))
  try {
    let tarball = args.tarball ? resolve(args.tarball) : undefined
    let meta = { name: PACKAGE, version: args.version, integrity: null }
    if (!tarball) {
      console.log(`npm pack ${PACKAGE}@${args.version} …`)
      const packed = npmPack(args.version, temp)
      tarball = packed.file
      meta = packed.meta
    }
    const integrity = integrityOf(tarball)
    if (meta.integrity !== null && meta.integrity !== integrity) {
      throw new Error(`The tarball's integrity ${integrity} differs from npm's ${meta.integrity}`)
    }
    meta.integrity = integrity
    console.log(`Reading ${ENTRY} from ${tarball} …`)
    const raw = await readTarEntry(tarball, ENTRY)
    console.log(`Parsing ${(raw.length / 1e6).toFixed(1)} MB of JSON …`)
    const spec = JSON.parse(raw.toString('utf8'))
    if (spec.info?.version !== meta.version) {
      throw new Error(
        `The tarball holds version ${spec.info?.version}, expected ${meta.version}: pass the matching --version`
      )
    }

    const operations = {}
    for (const key of OPERATIONS) operations[key] = extractOperation(spec, key)
    const components = reachableComponents(spec, operations)

    const output = sortKeys({
      source: {
        description:
          "Extracted from GitHub's official OpenAPI description (api.github.com) as published in " +
          'the npm package @octokit/openapi, by scripts/extract-github-spec.mjs. References ' +
          '($ref) are kept as published; components holds exactly the components the operations ' +
          'reach. Schema annotations (description, example, examples, externalDocs, x-*) were ' +
          'dropped. ' +
          'Do not edit by hand: re-run the script.',
        package: meta.name,
        version: meta.version,
        integrity: meta.integrity,
        file: ENTRY,
        openapi: spec.openapi ?? null,
        info: {
          title: spec.info?.title ?? null,
          version: spec.info?.version ?? null,
          license: spec.info?.license ?? null
        }
      },
      operations,
      components
    })

    mkdirSync(dirname(outputPath), { recursive: true })
    writeFileSync(outputPath, JSON.stringify(output, null, 2) + '\n')
    const size = readFileSync(outputPath).length
    console.log(
      `Wrote ${relative(repoRoot, outputPath)} (${PACKAGE}@${meta.version}, ` +
        `${Object.keys(operations).length} operations, ` +
        Object.entries(components)
          .map(([kind, named]) => `${Object.keys(named).length} ${kind}`)
          .join(', ') +
        `, ${size} bytes)`
    )
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})

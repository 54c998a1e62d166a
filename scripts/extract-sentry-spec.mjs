#!/usr/bin/env node
/**
 * Extracts the small part of Sentry's dereferenced OpenAPI description that this project uses into
 * `src/fakes/data/sentry-spec.json`, so tests and the fake Sentry server never read the 4 MB spec.
 *
 * Usage: node scripts/extract-sentry-spec.mjs [path/to/sentry-openapi-derefed.json]
 *   The default input is `../shared/specs/sentry-openapi-derefed.json`, relative to the repository root.
 *
 * The output is deterministic: object keys are sorted recursively, arrays keep their order, and the
 * JSON is written with 2-space indentation and a final newline, so re-running gives the same file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sortKeys } from './lib/sort-keys.mjs'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const defaultInput = resolve(repoRoot, '../shared/specs/sentry-openapi-derefed.json')
const outputPath = join(repoRoot, 'src/fakes/data/sentry-spec.json')

const ISSUES_LIST_PATH = '/api/0/organizations/{organization_id_or_slug}/issues/'
/**
 * Operations a set-up check reads (`sentry-issues-sync check`), kept with their parameters,
 * examples and the schema of their 200 answer. `GET /api/0/` (the token's scopes) is not in the
 * public description.
 */
const CHECK_OPERATION_PATHS = [
  '/api/0/organizations/{organization_id_or_slug}/',
  '/api/0/organizations/{organization_id_or_slug}/environments/'
]

/**
 * Operations behind an issue's signals (owners, the members and teams that name them, Seer,
 * tag breakdowns), kept with their parameters, examples, the schema of their success answer and,
 * for writes, the schema of the request body.
 */
const SIGNAL_OPERATIONS = [
  ['get', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/'],
  ['get', '/api/0/organizations/{organization_id_or_slug}/members/'],
  ['get', '/api/0/organizations/{organization_id_or_slug}/teams/'],
  ['get', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/autofix/'],
  ['post', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/autofix/'],
  ['get', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/tags/{key}/']
]

/**
 * Writes the action makes and what they need (resolving an issue with `statusDetails`, linking
 * an external issue through an integration installation, listing an issue's links), kept with
 * their parameters, request body schema, examples and the schema of their 200 answer.
 */
const WRITE_OPERATIONS = [
  ['put', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/'],
  ['post', '/api/0/sentry-app-installations/{uuid}/external-issues/'],
  ['delete', '/api/0/sentry-app-installations/{uuid}/external-issues/{external_issue_id}/'],
  ['get', '/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/external-issues/']
]
const SCHEMA_NAMES = [
  'OrganizationGroupIndexGetResponse',
  'IssueEventDetailsResponse',
  'OrganizationGroupIndexPutResponse'
]

/** The examples of every JSON response of an operation, by status code. */
function responseExamples(operation) {
  const out = {}
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const examples = response?.content?.['application/json']?.examples
    if (examples) out[status] = examples
  }
  return out
}

/** What the project keeps of one operation: identity, parameters (as in the spec) and examples. */
function operationSummary(
  path,
  method,
  operation,
  { withParameters, withResponseSchema, withRequestSchema }
) {
  const success = Object.keys(operation.responses ?? {}).find((status) => /^2/.test(status))
  const schema = operation.responses?.[success ?? '200']?.content?.['application/json']?.schema
  const request = operation.requestBody?.content?.['application/json']?.schema
  return {
    ...(withResponseSchema && schema ? { responseSchema: schema } : {}),
    ...(withRequestSchema && request ? { requestSchema: request } : {}),
    method: method.toUpperCase(),
    path,
    operationId: operation.operationId ?? null,
    summary: operation.summary ?? null,
    ...(withParameters ? { parameters: operation.parameters ?? [] } : {}),
    responseStatuses: Object.keys(operation.responses ?? {}),
    examples: responseExamples(operation)
  }
}

/**
 * The operations that return an issue's latest event: GET operations on an `…/events/{event_id}/`
 * path under an issue whose `event_id` accepts `latest`, or any issue events path spelling out
 * `latest` literally (older servers).
 */
function isLatestEventOperation(path, method, operation) {
  if (method !== 'get' || !/\/issues\/\{[^}]+\}\/events\//.test(path)) return false
  if (/\/events\/latest\/$/.test(path)) return true
  if (!/\/events\/\{event_id\}\/$/.test(path)) return false
  const eventId = (operation.parameters ?? []).find((p) => p.in === 'path' && p.name === 'event_id')
  return Array.isArray(eventId?.schema?.enum) && eventId.schema.enum.includes('latest')
}

/** Facts about the spec's origin stated in the README next to it (release, licence), if present. */
function readmeFacts(inputPath) {
  const readme = join(dirname(inputPath), 'README.md')
  if (!existsSync(readme)) return null
  const text = readFileSync(readme, 'utf8').replace(/\s+/g, ' ')
  return {
    repository: text.match(/repository ([\w.-]+\/[\w.-]+)/)?.[1] ?? null,
    release: text.match(/release ([\w.-]+)/)?.[1] ?? null,
    license: text.match(/licensed ([\w.-]+)/)?.[1]?.replace(/\.$/, '') ?? null
  }
}

function main() {
  const inputPath = resolve(process.argv[2] ?? defaultInput)
  const spec = JSON.parse(readFileSync(inputPath, 'utf8'))

  const schemas = {}
  for (const name of SCHEMA_NAMES) {
    const schema = spec.components?.schemas?.[name]
    if (schema) schemas[name] = schema
    else if (name !== 'OrganizationGroupIndexPutResponse') {
      throw new Error(`The spec has no components.schemas.${name}`)
    }
  }

  const listOperation = spec.paths?.[ISSUES_LIST_PATH]?.get
  if (!listOperation) throw new Error(`The spec has no GET ${ISSUES_LIST_PATH}`)

  const operations = {
    [`GET ${ISSUES_LIST_PATH}`]: operationSummary(ISSUES_LIST_PATH, 'get', listOperation, {
      withParameters: true
    })
  }
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || operation === null) continue
      if (isLatestEventOperation(path, method, operation)) {
        operations[`GET ${path}`] = operationSummary(path, method, operation, {
          withParameters: true
        })
      }
    }
  }
  for (const path of CHECK_OPERATION_PATHS) {
    const operation = spec.paths?.[path]?.get
    if (!operation) throw new Error(`The spec has no GET ${path}`)
    operations[`GET ${path}`] = operationSummary(path, 'get', operation, {
      withParameters: true,
      withResponseSchema: true
    })
  }
  for (const [method, path] of [...SIGNAL_OPERATIONS, ...WRITE_OPERATIONS]) {
    const operation = spec.paths?.[path]?.[method]
    if (!operation) throw new Error(`The spec has no ${method.toUpperCase()} ${path}`)
    operations[`${method.toUpperCase()} ${path}`] = operationSummary(path, method, operation, {
      withParameters: true,
      withResponseSchema: true,
      withRequestSchema: true
    })
  }
  if (Object.keys(operations).length < 2) {
    throw new Error('The spec has no issue latest-event operation')
  }

  const output = sortKeys({
    source: {
      description:
        "Extracted from Sentry's official dereferenced OpenAPI description by " +
        'scripts/extract-sentry-spec.mjs. Do not edit by hand: re-run the script.',
      file: relative(repoRoot, inputPath).split('\\').join('/'),
      openapi: spec.openapi ?? null,
      info: {
        title: spec.info?.title ?? null,
        version: spec.info?.version ?? null,
        license: spec.info?.license ?? null
      },
      upstream: readmeFacts(inputPath),
      licenseNote:
        'The extracted schemas and examples are part of the Sentry API description. ' +
        'info.license is what the spec itself states; upstream.license is the licence of the ' +
        'repository the spec was taken from, as recorded next to the spec.'
    },
    schemas,
    operations
  })

  mkdirSync(dirname(outputPath), { recursive: true })
  writeFileSync(outputPath, JSON.stringify(output, null, 2) + '\n')
  const size = readFileSync(outputPath).length
  console.log(
    `Wrote ${relative(repoRoot, outputPath)} (${Object.keys(schemas).length} schemas, ` +
      `${Object.keys(operations).length} operations, ${size} bytes)`
  )
}

main()

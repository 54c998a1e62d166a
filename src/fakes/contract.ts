/**
 * Contract checks against GitHub's official OpenAPI description: the operations the action and the
 * fake GitHub use, extracted into `data/github-spec.json` by `scripts/extract-github-spec.mjs`. The
 * extract keeps the description's references: an operation's parameters, responses and schemas may
 * be `{ $ref: '#/components/…' }`, and `components` holds what they refer to. Parameters and
 * responses are resolved here; schemas are left to ajv, which gets every component schema once
 * (converted, see below) in one document and compiles each referenced one once.
 *
 * - `validateGitHubRequest` checks a request as it went over the wire: an operation is documented
 *   for its method and path, path parameters fit their schemas, every query parameter is documented
 *   for the operation and fits its schema, required ones are present, and a JSON body fits the
 *   request body schema.
 * - `validateGitHubResponse` checks a 2xx answer: the status is a documented success status of the
 *   operation and the body fits its schema. Error answers are not checked.
 * - `GitHubContractChecker` records violations from the fake GitHub's `onExchange` hook, so that a
 *   test can fail at its end, naming the operation.
 *
 * Every problem message starts with the operationId and the path template, e.g.
 * `issues/create (POST /repos/{owner}/{repo}/issues): request body /labels: must be array`.
 *
 * OpenAPI 3.0 schemas are not quite JSON Schema; `openApiToJsonSchema` converts what matters:
 * - `nullable: true` becomes `type: [T, "null"]` (and `null` joins an `enum`, as GitHub means it:
 *   `state_reason` is documented as a nullable enum without `null` yet is null on every open issue);
 *   without a `type` the schema becomes `anyOf: [{type: "null"}, schema]`. ajv's own `nullable`
 *   support needs a `type` next to it, which GitHub's schemas do not always have.
 * - `oneOf` becomes `anyOf`: GitHub's description uses it for alternatives that overlap (every
 *   issue also fits the open `projects-v2-draft-issue`; a query value `1,2` is a string and, coerced,
 *   a one-element array), so what GitHub really sends may fit more than one.
 * - Boolean `exclusiveMinimum`/`exclusiveMaximum` (OpenAPI 3.0 / draft 4) become numbers.
 * - `discriminator` and `xml` (OpenAPI-only annotations) are dropped.
 * - With `refBase`, a local `$ref` (`#/components/schemas/issue`) is made absolute
 *   (`<refBase>#/components/schemas/issue`), so that it resolves in the components document
 *   wherever the schema that holds it is compiled.
 *
 * Only for tests, the demo and the benchmark: product code must not import this module.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import githubSpecJson from './data/github-spec.json' with { type: 'json' }

// ---------------------------------------------------------------------------------------------
// Types

export interface SpecParameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  schema: unknown
}

/** A success response as extracted: its JSON content type and schema (both null without content). */
export interface SpecResponse {
  contentType: string | null
  schema: unknown
}

/** A reference to a component of the extract, e.g. `{ $ref: '#/components/parameters/owner' }`. */
export interface SpecRef {
  $ref: string
}

export interface SpecOperation {
  method: string
  path: string
  operationId: string
  documentation: string | null
  parameters: Array<SpecParameter | SpecRef>
  requestBody: { required: boolean; contentType: string; schema: unknown } | null
  responses: Record<string, SpecResponse | SpecRef>
}

export interface ExtractedGitHubSpec {
  source: { package: string; version: string; integrity: string | null; openapi: string }
  operations: Record<string, SpecOperation>
  /** The components the operations refer to, transitively (only the kinds they use). */
  components: {
    schemas?: Record<string, unknown>
    parameters?: Record<string, SpecParameter | SpecRef>
    responses?: Record<string, SpecResponse | SpecRef>
  }
}

export interface GitHubRequestInput {
  method: string
  /** The path without the API prefix and without the query string, e.g. `/repos/acme/web/issues`. */
  path: string
  query?: URLSearchParams | Record<string, string | string[]>
  /** The parsed JSON body; `undefined` when there was none. */
  body?: unknown
}

/** One request and the fake's answer to it (what `FakeGitHub.onExchange` reports). */
export interface GitHubExchange {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  /** 0 when the connection was reset instead of answered. */
  status: number
  responseBody: unknown
}

export interface ContractViolation {
  /** The operationId, or `unknown operation`. */
  operation: string
  /** The exchange, e.g. `POST /repos/acme/web/issues → 201`. */
  exchange: string
  problems: string[]
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 → JSON Schema

const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties'])
const SCHEMA_LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf'])
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not'])
const OPENAPI_ONLY = new Set(['discriminator', 'xml', 'nullable'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Converts an OpenAPI 3.0 schema object into a JSON Schema ajv understands (see the header). */
export function openApiToJsonSchema(schema: unknown, options: { refBase?: string } = {}): unknown {
  if (!isRecord(schema)) return schema
  const convert = (sub: unknown): unknown => openApiToJsonSchema(sub, options)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith('x-')) continue
    if (SCHEMA_MAP_KEYS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, convert(sub)])
      )
    } else if (key === 'oneOf' && Array.isArray(value)) {
      // GitHub's description uses `oneOf` for alternatives that overlap: every issue also fits
      // the open `projects-v2-draft-issue`, and a query value `1,2` is a string and, coerced, a
      // one-element array. What GitHub really sends fits one or more of them, so: `anyOf`.
      out['anyOf' in schema ? 'oneOf' : 'anyOf'] = value.map(convert)
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map(convert)
    } else if (SCHEMA_KEYS.has(key) && isRecord(value)) {
      out[key] = convert(value)
    } else if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) {
      out[key] = `${options.refBase ?? ''}${value}`
    } else {
      out[key] = value
    }
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum']
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') out[flag] = out[bound]
      else delete out[flag]
      if (typeof out[flag] === 'number') delete out[bound]
    }
  }
  if (schema['nullable'] !== true) return out
  if (Array.isArray(out['enum']) && !out['enum'].includes(null)) {
    out['enum'] = [...(out['enum'] as unknown[]), null]
  }
  const type = out['type']
  if (typeof type === 'string') return { ...out, type: [type, 'null'] }
  if (Array.isArray(type))
    return type.includes('null') ? out : { ...out, type: [...(type as unknown[]), 'null'] }
  return { anyOf: [{ type: 'null' }, out] }
}

// ---------------------------------------------------------------------------------------------
// ajv

type FormatsPlugin = (ajv: Ajv) => Ajv
/** ajv-formats is CommonJS: its default export arrives as `module.exports` or as `.default`. */
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin)

const AJV_OPTIONS: Options = {
  allErrors: true,
  // Unknown keywords are errors (a sign the conversion missed something); type-placement
  // strictness is off because published schemas routinely put `properties` without `type`.
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  validateFormats: true
}

function newAjv(options: Options = {}): Ajv {
  return addFormats(new Ajv({ ...AJV_OPTIONS, ...options }))
}

/**
 * A validator for one OpenAPI 3.0 schema: returns readable problems (empty when valid), at most
 * `maxProblems` of them (default 5) plus a count of the rest.
 */
export function compileOpenApiSchema(
  schema: unknown,
  options: { coerceTypes?: boolean | 'array'; maxProblems?: number } = {}
): (data: unknown) => string[] {
  const ajv = newAjv(options.coerceTypes === undefined ? {} : { coerceTypes: options.coerceTypes })
  const validate = ajv.compile(openApiToJsonSchema(schema) as object)
  return (data) =>
    validate(data)
      ? []
      : limitLines(describeErrors(validate.errors ?? []), options.maxProblems ?? MAX_PROBLEMS)
}

const MAX_PROBLEMS = 5

/** The first `max` lines, and a count of the others. */
export function limitLines(lines: string[], max = MAX_PROBLEMS): string[] {
  if (lines.length <= max) return lines
  return [...lines.slice(0, max), `… and ${lines.length - max} more`]
}

/**
 * ajv errors as short sentences, e.g. `request body /labels: must be array` (duplicates removed).
 * `subject` names what was validated; `innerRoot` is a wrapper path to leave out of the output.
 */
export function describeErrors(errors: ErrorObject[], subject = '', innerRoot = ''): string[] {
  const lines = errors.map((error) => {
    let path = error.instancePath
    if (innerRoot !== '' && (path === innerRoot || path.startsWith(`${innerRoot}/`))) {
      path = path.slice(innerRoot.length)
    }
    const where = subject === '' ? path || '(root)' : path === '' ? subject : `${subject} ${path}`
    let detail = error.message ?? 'is invalid'
    const params = error.params as Record<string, unknown>
    if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      detail += ` (${params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')})`
    } else if (error.keyword === 'additionalProperties') {
      detail += ` (${String(params['additionalProperty'])})`
    }
    return `${where}: ${detail}`
  })
  return [...new Set(lines)]
}

// ---------------------------------------------------------------------------------------------
// The GitHub operations

export const githubSpec = githubSpecJson as unknown as ExtractedGitHubSpec

interface CompiledOperation {
  op: SpecOperation
  /** The success responses by status, references resolved. */
  responses: Record<string, SpecResponse>
  /** The path template as a regular expression with one group per `{param}`. */
  pattern: RegExp
  pathParamNames: string[]
  literalSegments: number
  /** Parameters by `in:name`. */
  params: Map<string, SpecParameter>
}

let compiled: CompiledOperation[] | undefined
/** Validators are compiled on first use (compiling all of them costs most of a second). */
const validators = new Map<string, ValidateFunction>()
let bodyAjv: Ajv | undefined
let paramAjv: Ajv | undefined

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The `$id` of the document that holds the GitHub components for ajv. */
const COMPONENTS_ID = 'https://contract.invalid/github-spec.json'

/** An extract schema as JSON Schema, its references pointing into the components document. */
function toJsonSchema(schema: unknown): unknown {
  return openApiToJsonSchema(schema, { refBase: COMPONENTS_ID })
}

let componentsDocument: object | undefined

/**
 * `{ $id, components: { schemas } }`: every component schema of the extract, converted once. It
 * is added to each ajv instance, so a schema referenced by many operations (the issue, the user)
 * is compiled once per instance, not once per occurrence (`inlineRefs: false` for bodies).
 */
function componentsFor(ajv: Ajv): Ajv {
  componentsDocument ??= {
    $id: COMPONENTS_ID,
    components: {
      schemas: Object.fromEntries(
        Object.entries(githubSpec.components.schemas ?? {}).map(([name, schema]) => [
          name,
          toJsonSchema(schema)
        ])
      )
    }
  }
  // `components` is not JSON Schema: declared as a keyword without rules, it is a container the
  // schemas are referenced in by JSON pointer (strict mode refuses unknown keywords).
  ajv.addKeyword('components')
  ajv.addSchema(componentsDocument)
  return ajv
}

function isRef(value: object): value is SpecRef {
  return typeof (value as Partial<SpecRef>).$ref === 'string'
}

/** Follows a component reference of the extract (parameters and responses; schemas go to ajv). */
function resolveRef<T extends object>(value: T | SpecRef): T {
  let current = value
  for (let hops = 0; isRef(current); hops++) {
    const [, kind, name] =
      /^#\/components\/(parameters|responses)\/([^/]+)$/.exec(current.$ref) ?? []
    const found =
      kind && name && hops < 8
        ? githubSpec.components[kind as 'parameters' | 'responses']?.[name]
        : undefined
    if (found === undefined) {
      throw new Error(
        `data/github-spec.json cannot resolve ${current.$ref}: re-run scripts/extract-github-spec.mjs`
      )
    }
    current = found as T | SpecRef
  }
  return current
}

/** A cached validator; identical schemas (a parameter shared by several operations) share one. */
function validatorFor(schema: unknown, kind: 'body' | 'param'): ValidateFunction {
  // Parameters are wrapped in an object so that coercion (path and query values are strings) applies.
  const converted =
    kind === 'param'
      ? { type: 'object', properties: { value: toJsonSchema(schema) }, required: ['value'] }
      : toJsonSchema(schema)
  const key = `${kind}:${JSON.stringify(converted)}`
  let validate = validators.get(key)
  if (!validate) {
    const ajv =
      kind === 'param'
        ? (paramAjv ??= componentsFor(newAjv({ coerceTypes: 'array' })))
        : (bodyAjv ??= componentsFor(newAjv({ inlineRefs: false })))
    validate = ajv.compile(converted as object)
    validators.set(key, validate)
  }
  return validate
}

function compileOperations(): CompiledOperation[] {
  if (compiled) return compiled
  compiled = Object.values(githubSpec.operations).map((op) => {
    const pathParamNames: string[] = []
    const source = op.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const m = /^\{([^}]+)\}$/.exec(part)
        if (!m?.[1]) return escapeRegExp(part)
        pathParamNames.push(m[1])
        return '([^/]+)'
      })
      .join('')
    return {
      op,
      pattern: new RegExp(`^${source}$`),
      pathParamNames,
      literalSegments: op.path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
      params: new Map(
        op.parameters.map((ref) => {
          const p = resolveRef(ref)
          return [`${p.in}:${p.name}`, p]
        })
      ),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, ref]) => [status, resolveRef(ref)])
      )
    }
  })
  // The most specific template first.
  compiled.sort((a, b) => b.literalSegments - a.literalSegments)
  return compiled
}

function label(op: SpecOperation): string {
  return `${op.operationId} (${op.method} ${op.path})`
}

/**
 * GitHub answers requests for a transferred issue with a 301 to `/repositories/{id}/issues/{n}`,
 * which clients follow (docs: "follow redirects"). That URL form is not in the OpenAPI
 * description; it serves the same operation as `/repos/{owner}/{repo}/issues/{n}`.
 */
const REDIRECT_FORM = /^\/repositories\/(\d+)(\/issues\/.*)$/

function lookup(
  method: string,
  path: string
):
  | { ok: true; entry: CompiledOperation; pathValues: Map<string, string> }
  | { ok: false; problem: string } {
  const upper = method.toUpperCase()
  const redirect = REDIRECT_FORM.exec(path)
  const effective = redirect ? `/repos/_redirect_/${redirect[1]}${redirect[2]}` : path
  const matches = compileOperations().filter((c) => c.pattern.test(effective))
  const entry = matches.find((c) => c.op.method === upper)
  if (!entry) {
    const { package: pkg, version } = githubSpec.source
    if (matches.length === 0) {
      return {
        ok: false,
        problem: `unknown operation: no path in GitHub's OpenAPI description (${pkg}@${version}, as extracted) matches ${upper} ${path}; if GitHub documents it, add it to scripts/github-operations.json and re-run scripts/extract-github-spec.mjs`
      }
    }
    return {
      ok: false,
      problem: `unknown operation: ${upper} is not documented for ${path}; it matches ${matches
        .map((m) => label(m.op))
        .join(', ')}`
    }
  }
  const groups = entry.pattern.exec(effective)?.slice(1) ?? []
  const pathValues = new Map<string, string>()
  entry.pathParamNames.forEach((name, i) => pathValues.set(name, groups[i] ?? ''))
  return { ok: true, entry, pathValues }
}

/** The operationId a request is for (undefined when no documented operation matches). */
export function githubOperationId(method: string, path: string): string | undefined {
  const found = lookup(method, path)
  return found.ok ? found.entry.op.operationId : undefined
}

function queryEntries(query: GitHubRequestInput['query']): Map<string, string[]> {
  const out = new Map<string, string[]>()
  if (!query) return out
  const pairs: Array<[string, string]> =
    query instanceof URLSearchParams
      ? [...query.entries()]
      : Object.entries(query).flatMap(([k, v]) =>
          (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x])
        )
  for (const [key, value] of pairs) out.set(key, [...(out.get(key) ?? []), value])
  return out
}

/**
 * Problems with one request (empty when it fits the description); each names the operation. All
 * problems are returned (see `limitLines`).
 */
export function validateGitHubRequest(request: GitHubRequestInput): string[] {
  const found = lookup(request.method, request.path)
  if (!found.ok) return [found.problem]
  const { entry, pathValues } = found
  const problems: string[] = []

  for (const [name, raw] of pathValues) {
    const param = entry.params.get(`path:${name}`)
    let value: string
    try {
      value = decodeURIComponent(raw)
    } catch {
      problems.push(`path parameter ${name}=${JSON.stringify(raw)} is not valid percent-encoding`)
      continue
    }
    if (!param) continue
    const validate = validatorFor(param.schema, 'param')
    if (!validate({ value })) {
      problems.push(
        ...describeErrors(
          validate.errors ?? [],
          `path parameter ${name}=${JSON.stringify(value)}`,
          '/value'
        )
      )
    }
  }

  const query = queryEntries(request.query)
  for (const [name, values] of query) {
    const param = entry.params.get(`query:${name}`)
    if (!param) {
      problems.push(`query parameter ${JSON.stringify(name)} is not documented for this operation`)
      continue
    }
    const given = values.length === 1 ? values[0] : values
    const validate = validatorFor(param.schema, 'param')
    if (!validate({ value: given })) {
      problems.push(
        ...describeErrors(
          validate.errors ?? [],
          `query parameter ${name}=${JSON.stringify(given)}`,
          '/value'
        )
      )
    }
  }
  for (const spec of entry.params.values()) {
    if (spec.in === 'query' && spec.required && !query.has(spec.name)) {
      problems.push(`required query parameter ${JSON.stringify(spec.name)} is missing`)
    }
  }

  const body = request.body
  const requestBody = entry.op.requestBody
  if (requestBody) {
    const validate = validatorFor(requestBody.schema, 'body')
    if (body === undefined) {
      if (requestBody.required) problems.push('the required request body is missing')
    } else if (!validate(body)) {
      problems.push(...describeErrors(validate.errors ?? [], 'request body'))
    }
  } else if (body !== undefined) {
    problems.push('this operation takes no request body, but one was sent')
  }
  return problems.map((p) => `${label(entry.op)}: ${p}`)
}

function findOperation(operation: string): CompiledOperation | undefined {
  const all = compileOperations()
  const byId = all.find((c) => c.op.operationId === operation)
  if (byId) return byId
  const [method = '', ...rest] = operation.trim().split(/\s+/)
  const path = rest.join(' ')
  return all.find((c) => c.op.method === method.toUpperCase() && c.op.path === path)
}

/**
 * Problems with a response (empty when it fits). `operation` is an operationId (`issues/create`)
 * or `METHOD template` (`POST /repos/{owner}/{repo}/issues`). Only 2xx responses are checked. All
 * problems are returned (a list of 100 issues lacking a field gives 100; see `limitLines`).
 */
export function validateGitHubResponse(operation: string, status: number, body: unknown): string[] {
  const entry = findOperation(operation)
  if (!entry) return [`${operation}: unknown operation (not in the extracted description)`]
  if (status < 200 || status > 299) return []
  const name = label(entry.op)
  const response = entry.responses[String(status)]
  if (!response) {
    return [
      `${name}: status ${status} is not a documented success status (documented: ${Object.keys(
        entry.responses
      ).join(', ')})`
    ]
  }
  if (response.schema === null) {
    return body === undefined || body === '' ? [] : [`${name}: status ${status} must have no body`]
  }
  const validate = validatorFor(response.schema, 'body')
  if (validate(body)) return []
  return describeErrors(validate.errors ?? [], `response ${status} body`).map(
    (line) => `${name}: ${line}`
  )
}

// ---------------------------------------------------------------------------------------------
// Recording checker

/** A known, documented deviation that the checker counts instead of reporting. */
export interface ToleratedDeviation {
  /** The operationId it applies to. */
  operation: string
  /** A substring of the problem message, or a pattern it matches. */
  problem: string | RegExp
  /** Why it is tolerated and when to remove it. */
  reason: string
}

export interface ContractCheckerOptions {
  /** Check requests (default true). Off for tests that send invalid requests on purpose. */
  requests?: boolean
  /** Check 2xx responses (default true). */
  responses?: boolean
  /** Deviations known and tracked elsewhere; matching problems are counted in `tolerated`. */
  tolerate?: ToleratedDeviation[]
}

/** GitHub's GraphQL endpoints (github.com, and GHES beside `/api/v3`), outside the OpenAPI description. */
const GRAPHQL_PATHS = new Set(['/graphql', '/api/graphql'])

/** Records contract violations of exchanges with the fake GitHub; never throws from `record`. */
export class GitHubContractChecker {
  readonly violations: ContractViolation[] = []
  /** Exchanges seen. */
  checked = 0
  /** How many problems each tolerated deviation absorbed (by its `reason`). */
  readonly tolerated = new Map<string, number>()
  readonly #requests: boolean
  readonly #responses: boolean
  readonly #tolerate: ToleratedDeviation[]

  constructor(options: ContractCheckerOptions = {}) {
    this.#requests = options.requests ?? true
    this.#responses = options.responses ?? true
    this.#tolerate = options.tolerate ?? []
  }

  #isTolerated(operation: string, problem: string): boolean {
    const match = this.#tolerate.find(
      (t) =>
        t.operation === operation &&
        (typeof t.problem === 'string' ? problem.includes(t.problem) : t.problem.test(problem))
    )
    if (match) this.tolerated.set(match.reason, (this.tolerated.get(match.reason) ?? 0) + 1)
    return match !== undefined
  }

  /** The `onExchange` hook: `fake.onExchange = checker.record`. */
  readonly record = (exchange: GitHubExchange): void => {
    this.checked++
    // GraphQL is not REST: the fake checks every query against GitHub's GraphQL schema itself.
    if (exchange.method === 'POST' && GRAPHQL_PATHS.has(exchange.path)) return
    try {
      const problems: string[] = []
      const request = this.#requests ? validateGitHubRequest(exchange) : []
      problems.push(...request)
      const found = lookup(exchange.method, exchange.path)
      let operation = 'unknown operation'
      if (found.ok) {
        operation = found.entry.op.operationId
        if (this.#responses) {
          problems.push(
            ...validateGitHubResponse(operation, exchange.status, exchange.responseBody)
          )
        }
      } else if (!this.#requests) {
        return
      }
      const reported = problems.filter((p) => !this.#isTolerated(operation, p))
      if (reported.length === 0) return
      const query = exchange.query.size > 0 ? `?${exchange.query.toString()}` : ''
      this.violations.push({
        operation,
        exchange: `${exchange.method} ${exchange.path}${query} → ${exchange.status || 'reset'}`,
        problems: limitLines(reported)
      })
    } catch (error) {
      this.violations.push({
        operation: 'contract checker',
        exchange: `${exchange.method} ${exchange.path}`,
        problems: [`the checker failed: ${String(error)}`]
      })
    }
  }

  /** A readable report of every violation (empty string when there is none). */
  report(): string {
    return this.violations
      .map(
        (v) => `- ${v.exchange} [${v.operation}]\n${v.problems.map((p) => `    ${p}`).join('\n')}`
      )
      .join('\n')
  }

  /** Throws when any exchange broke the contract, naming the operations. */
  assertNoViolations(): void {
    if (this.violations.length === 0) return
    const operations = [...new Set(this.violations.map((v) => v.operation))].join(', ')
    throw new Error(
      `${this.violations.length} exchange(s) with the fake GitHub broke GitHub's OpenAPI contract (${operations}):\n${this.report()}`
    )
  }
}

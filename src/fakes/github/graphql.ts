/**
 * GitHub's GraphQL endpoint: `POST /graphql` on github.com, `POST /api/graphql` on GitHub
 * Enterprise Server (beside the REST prefix `/api/v3`; the router maps it).
 *
 * Every query is first validated against GitHub's published schema (npm `@octokit/graphql-schema`):
 * a query GitHub would reject (an unknown field or argument, a wrong variable type, a syntax error)
 * is answered as GitHub answers it, `200` with `{ errors: [{ message, locations }] }` and no data.
 * A valid query then runs with graphql-js against the same schema, with resolvers for the part of
 * it the fake holds: `repository(owner:, name:)`, `object(expression:)` resolving to a `Commit`
 * of the seeded history (see ./commits.ts), and on a commit its `oid`, `abbreviatedOid`,
 * `message`, `messageHeadline`, `url`, `committedDate`, `author { name email user { login } }` and
 * `blame(path:) { ranges { startingLine endingLine age commit } }`. Any other field resolves to
 * null (an error for a non-null one), so a query for something the fake does not model fails
 * loudly instead of answering made-up data.
 *
 * Errors carry GitHub's `type`, next to graphql-js's `message`, `locations` and `path`, with the
 * data that still resolved (the field with the error is null, and so is its nearest nullable
 * parent when the field is non-null):
 * - another repository: `NOT_FOUND`, "Could not resolve to a Repository with the name 'o/r'.";
 * - a path that is not a file at that commit: `NOT_FOUND`, "Could not resolve file for path
 *   'p'." (the message GitHub gives for a missing file at a revision);
 * - contents the token may not read (`contentsReadable: false`, a workflow token without
 *   `contents: read`): `FORBIDDEN`, "Resource not accessible by integration", the way GitHub
 *   refuses an installation token a field its permissions do not cover;
 * - an expression that names no commit: no error, `object` is null, as on GitHub.
 */
import {
  schema as publishedSchema,
  validate as validateAgainstGitHub
} from '@octokit/graphql-schema'
import {
  buildClientSchema,
  executeSync,
  GraphQLError,
  parse,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type IntrospectionQuery
} from 'graphql'
import { blame, resolveRevision } from './commits.js'
import { isRecord, lower, type Ctx, type Reply, type Route } from './http.js'
import type { FakeCommit, GitHubState } from './state.js'

export const graphqlRoutes: Route[] = [
  { method: 'POST', path: '/graphql', handle: (s, ctx) => answer(s, ctx, '') },
  { method: 'POST', path: '/api/graphql', handle: (s, ctx) => answer(s, ctx, '/api/v3') }
]

const DOCS = 'https://docs.github.com/graphql'

let executable: GraphQLSchema | undefined

/** GitHub's schema for graphql-js, built on first use (validation has its own copy). */
function githubSchema(): GraphQLSchema {
  executable ??= buildClientSchema(publishedSchema.json as IntrospectionQuery)
  return executable
}

/** A GraphQL error of GitHub's kind (`type`), thrown from a resolver. */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extensions?: Record<string, unknown>
  ) {
    super(message)
  }
}

/**
 * The answer to a GraphQL request, or 404 when the path is not this installation's endpoint
 * (`/graphql` on GHES, `/api/graphql` on github.com).
 */
function answer(s: GitHubState, ctx: Ctx, ghesPrefix: string): Reply {
  const onGhes = s.pathPrefix.endsWith('/api/v3')
  if (onGhes !== (ghesPrefix !== '')) {
    return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } }
  }
  const body = isRecord(ctx.body) ? ctx.body : {}
  const query = body['query']
  if (typeof query !== 'string' || query.trim() === '') {
    return {
      status: 200,
      body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }
    }
  }
  const variables = isRecord(body['variables']) ? body['variables'] : {}
  const operationName =
    typeof body['operationName'] === 'string' ? body['operationName'] : undefined
  let invalid: readonly GraphQLError[]
  try {
    invalid = validateAgainstGitHub(query)
  } catch (error) {
    // A syntax error: graphql-tag throws it while parsing.
    return { status: 200, body: { errors: [errorJson(error)] } }
  }
  if (invalid.length > 0) {
    return { status: 200, body: { errors: invalid.map((e) => errorJson(e)) } }
  }
  const result = executeSync({
    schema: githubSchema(),
    document: parse(query),
    rootValue: queryRoot(s),
    variableValues: variables,
    operationName,
    fieldResolver: resolveField
  })
  const out: Record<string, unknown> = {}
  if (result.errors && result.errors.length > 0) out['errors'] = result.errors.map(errorJson)
  if (result.data !== undefined) out['data'] = result.data
  return { status: 200, body: out }
}

/** An error as GitHub's GraphQL API writes it. */
function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof GraphQLError)) {
    return { message: error instanceof Error ? error.message : String(error) }
  }
  const original = error.originalError
  return {
    ...(original instanceof TypedError ? { type: original.type } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(original instanceof TypedError && original.extensions
      ? { extensions: original.extensions }
      : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message
  }
}

/**
 * Fields are looked up on the parent object; a function there is called with the arguments
 * (graphql-js's default, and what the objects below are made of). Abstract types resolve by
 * `__typename`.
 */
const resolveField: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info) => {
  if (!isRecord(source)) return null
  const value = source[info.fieldName]
  return typeof value === 'function'
    ? (value as (a: Record<string, unknown>) => unknown)(args as Record<string, unknown>)
    : (value ?? null)
}

function queryRoot(s: GitHubState): Record<string, unknown> {
  return {
    repository: (args: Record<string, unknown>) => {
      const owner = String(args['owner'])
      const name = String(args['name'])
      if (lower(owner) !== lower(s.owner) || lower(name) !== lower(s.repo)) {
        throw new TypedError(
          'NOT_FOUND',
          `Could not resolve to a Repository with the name '${owner}/${name}'.`
        )
      }
      return repository(s)
    }
  }
}

function repository(s: GitHubState): Record<string, unknown> {
  return {
    __typename: 'Repository',
    name: s.repo,
    nameWithOwner: `${s.owner}/${s.repo}`,
    url: `${s.serverUrl}/${s.owner}/${s.repo}`,
    defaultBranchRef: () => ({ __typename: 'Ref', name: s.defaultBranch, prefix: 'refs/heads/' }),
    object: (args: Record<string, unknown>) => {
      if (!s.contentsReadable) {
        throw new TypedError('FORBIDDEN', 'Resource not accessible by integration', {
          saml_failure: false
        })
      }
      const expression = typeof args['expression'] === 'string' ? args['expression'] : ''
      const commit = resolveRevision(s, expression)
      return commit ? commitObject(s, commit) : null
    }
  }
}

function commitObject(s: GitHubState, commit: FakeCommit): Record<string, unknown> {
  const headline = commit.message.split('\n')[0] ?? ''
  return {
    __typename: 'Commit',
    id: Buffer.from(`Commit:${commit.sha}`).toString('base64'),
    oid: commit.sha,
    abbreviatedOid: commit.sha.slice(0, 7),
    message: commit.message,
    messageHeadline: headline,
    url: `${s.serverUrl}/${s.owner}/${s.repo}/commit/${commit.sha}`,
    committedDate: commit.committed_at,
    author: {
      __typename: 'GitActor',
      name: commit.author.name,
      email: commit.author.email,
      date: commit.committed_at,
      user:
        commit.author.login === null
          ? null
          : {
              __typename: 'User',
              login: commit.author.login,
              url: `${s.serverUrl}/${commit.author.login}`
            }
    },
    blame: (args: Record<string, unknown>) => {
      const path = String(args['path'])
      const ranges = blame(s, commit, path)
      if (!ranges) throw new TypedError('NOT_FOUND', `Could not resolve file for path '${path}'.`)
      return {
        __typename: 'Blame',
        ranges: ranges.map((r) => ({
          __typename: 'BlameRange',
          startingLine: r.startingLine,
          endingLine: r.endingLine,
          age: 1,
          commit: commitObject(s, r.commit)
        }))
      }
    }
  }
}

import { z } from 'zod'
import type { GitHubClient } from './client.js'
import { statusOf } from './errors.js'
import type { RepoRef } from './issues.js'
import { parseResponse } from './schemas.js'

/**
 * Who last changed a line: GraphQL `blame` on a commit (github.com `POST /graphql`, GHES
 * `/api/graphql`: the client's `graphql` derives it from the base URL, with the same throttling
 * and retries as REST), and the pull requests of a commit (REST). Both need `contents: read`.
 */

/** The commit that last changed a line. */
export interface BlamedCommit {
  /** 40 hex digits. */
  oid: string
  abbreviatedOid: string
  messageHeadline: string
  /** The author's GitHub login when GitHub knows the author as a user. */
  login: string | undefined
  /** The author's name from the commit. */
  name: string | undefined
}

export type BlameAnswer =
  | { kind: 'found'; commit: BlamedCommit }
  /** The revision names no commit (an unknown SHA). */
  | { kind: 'no-commit' }
  /** The path is not a file at that revision. */
  | { kind: 'no-file'; message: string }
  /** The file has no such line at that revision. */
  | { kind: 'no-line' }
  /** The token may not read the repository's contents. */
  | { kind: 'forbidden'; message: string }

export const BLAME_QUERY = `query SuspectBlame($owner: String!, $name: String!, $expression: String!, $path: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      ... on Commit {
        blame(path: $path) {
          ranges {
            startingLine
            endingLine
            commit {
              oid
              abbreviatedOid
              messageHeadline
              author {
                name
                user {
                  login
                }
              }
            }
          }
        }
      }
    }
  }
}`

const blameDataSchema = z.looseObject({
  repository: z
    .looseObject({
      object: z
        .looseObject({
          blame: z
            .looseObject({
              ranges: z.array(
                z.looseObject({
                  startingLine: z.number().int(),
                  endingLine: z.number().int(),
                  commit: z.looseObject({
                    oid: z.string().regex(/^[0-9a-f]{40}$/iu),
                    abbreviatedOid: z.string(),
                    messageHeadline: z.string(),
                    author: z
                      .looseObject({
                        name: z.string().nullish(),
                        user: z.looseObject({ login: z.string() }).nullish()
                      })
                      .nullish()
                  })
                })
              )
            })
            .optional()
        })
        .nullable()
    })
    .nullable()
})

const graphqlErrorSchema = z.looseObject({
  type: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])).optional(),
  message: z.string()
})

/** The errors and data of a GraphQL answer that had errors (Octokit's GraphqlResponseError). */
function graphqlFailure(
  error: unknown
): { errors: Array<z.infer<typeof graphqlErrorSchema>>; data: unknown } | undefined {
  if (!(error instanceof Error) || error.name !== 'GraphqlResponseError') return undefined
  const parsed = z
    .looseObject({ errors: z.array(graphqlErrorSchema), data: z.unknown().optional() })
    .safeParse(error)
  return parsed.success ? { errors: parsed.data.errors, data: parsed.data.data } : undefined
}

/**
 * Which commit last changed `line` of `path` at `revision` (a commit SHA, or `HEAD` for the
 * default branch). GitHub's refusals that say the token may not read the contents (a GraphQL
 * `FORBIDDEN`, HTTP 403 or 404) and a path that is not a file there are answers, not throws;
 * anything else (401, rate limits given up on, 5xx after the retries) throws.
 */
export async function blameLine(
  client: GitHubClient,
  repo: RepoRef,
  target: { revision: string; path: string; line: number }
): Promise<BlameAnswer> {
  let data: unknown
  try {
    data = await client.graphql(BLAME_QUERY, {
      owner: repo.owner,
      name: repo.repo,
      expression: target.revision,
      path: target.path
    })
  } catch (error) {
    const failure = graphqlFailure(error)
    if (failure) {
      const forbidden = failure.errors.find((e) => e.type === 'FORBIDDEN')
      if (forbidden) return { kind: 'forbidden', message: forbidden.message }
      const missing = failure.errors.find(
        (e) => e.type === 'NOT_FOUND' && (e.path ?? []).includes('blame')
      )
      if (missing) return { kind: 'no-file', message: missing.message }
      const noRepo = failure.errors.find((e) => e.type === 'NOT_FOUND')
      if (noRepo) return { kind: 'forbidden', message: noRepo.message }
      throw error
    }
    const status = statusOf(error)
    const message = error instanceof Error ? error.message : String(error)
    if ((status === 403 && !/rate limit/iu.test(message)) || status === 404) {
      return { kind: 'forbidden', message: `${status} ${message}` }
    }
    throw error
  }
  const parsed = parseResponse(blameDataSchema, data, 'POST /graphql (blame)')
  const object = parsed.repository?.object
  if (!object) return { kind: 'no-commit' }
  const range = object.blame?.ranges.find(
    (r) => r.startingLine <= target.line && target.line <= r.endingLine
  )
  if (!range) return { kind: 'no-line' }
  const { commit } = range
  return {
    kind: 'found',
    commit: {
      oid: commit.oid.toLowerCase(),
      abbreviatedOid: commit.abbreviatedOid,
      messageHeadline: commit.messageHeadline,
      login: commit.author?.user?.login ?? undefined,
      name: commit.author?.name ?? undefined
    }
  }
}

const commitPullSchema = z.looseObject({
  number: z.number().int().positive(),
  merged_at: z.string().nullish(),
  base: z.looseObject({ repo: z.looseObject({ full_name: z.string() }).nullish() }).optional()
})

/**
 * The number of the pull request that brought `sha` in: among the commit's pull requests in this
 * repository, the first merged one, else the first one; undefined when there is none.
 */
export async function pullRequestOfCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string
): Promise<number | undefined> {
  const operation = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'
  const response = await client.request(operation, { ...repo, commit_sha: sha, per_page: 30 })
  const pulls = parseResponse(z.array(commitPullSchema), response.data, operation).filter(
    (p) =>
      !p.base?.repo ||
      p.base.repo.full_name.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase()
  )
  return (pulls.find((p) => p.merged_at) ?? pulls[0])?.number
}

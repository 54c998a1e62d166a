import { z } from 'zod'

/** The fields of GitHub's issue object the action reads; everything else is dropped when parsed. */
export const githubIssueSchema = z.object({
  id: z.number(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.enum(['open', 'closed']),
  state_reason: z.string().nullish(),
  html_url: z.string(),
  repository_url: z.string().optional(),
  created_at: z.string(),
  closed_at: z.string().nullish(),
  updated_at: z.string().optional(),
  labels: z.array(
    z
      .union([z.string(), z.looseObject({ name: z.string().nullish() })])
      .transform((l) => (typeof l === 'string' ? l : (l.name ?? '')))
  ),
  pull_request: z.unknown().optional(),
  locked: z.boolean().optional(),
  /** How many comments the issue has (sync-comments reads them only when it changed). */
  comments: z.number().int().nonnegative().optional(),
  /** The logins of the people assigned (sync-assignees reads them). */
  assignees: z
    .array(z.looseObject({ login: z.string() }).nullable())
    .nullish()
    .transform((list) => (list ? list.flatMap((a) => (a ? [a.login] : [])) : undefined))
})
export type GitHubIssue = z.infer<typeof githubIssueSchema>

export const githubLabelSchema = z.looseObject({
  name: z.string(),
  color: z.string().nullish(),
  description: z.string().nullish()
})
export type GitHubLabel = z.infer<typeof githubLabelSchema>

/** Validates an API payload, naming the operation when it does not fit. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  data: unknown,
  operation: string
): z.infer<S> {
  const result = schema.safeParse(data)
  if (!result.success) {
    const first = result.error.issues[0]
    const where = first?.path.length ? ` at ${first.path.join('.')}` : ''
    throw new Error(
      `GitHub returned an unexpected response to ${operation}${where}: ${first?.message ?? 'invalid'}`
    )
  }
  return result.data
}

import { z } from 'zod'

/**
 * Zod schemas for the parts of Sentry's API responses the action reads.
 *
 * Shaped by Sentry's OpenAPI description (`OrganizationGroupIndexGetResponse`), but deliberately
 * lenient: unknown fields pass through, and fields that older or self-hosted servers may omit are
 * optional. Only what the action relies on is required.
 */

const nullableString = z.string().nullish()

/** `count` is a string in Sentry's API ("150"); accept a number too and normalise to a number. */
const countSchema = z
  .union([z.string().regex(/^\d+$/, 'expected a decimal count'), z.number().int().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v : Number(v)))

export const sentryProjectRefSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  slug: z.string(),
  name: z.string().nullish(),
  platform: nullableString
})

export const sentryAssigneeSchema = z.looseObject({
  type: z.string(),
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string().nullish(),
  email: z.string().nullish()
})

export const sentryIssueSchema = z.looseObject({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  shortId: z.string(),
  title: z.string(),
  culprit: nullableString,
  permalink: z.string(),
  level: z.string().nullish(),
  status: z.string(),
  substatus: nullableString,
  priority: nullableString,
  platform: nullableString,
  type: z.string().nullish(),
  isUnhandled: z.boolean().nullish(),
  count: countSchema,
  userCount: z
    .number()
    .int()
    .nonnegative()
    .nullish()
    .transform((v) => v ?? 0),
  firstSeen: nullableString,
  lastSeen: nullableString,
  metadata: z
    .looseObject({
      type: z.string().nullish(),
      value: z.string().nullish(),
      title: z.string().nullish(),
      filename: z.string().nullish(),
      function: z.string().nullish()
    })
    .nullish()
    .transform((v) => v ?? {}),
  project: sentryProjectRefSchema,
  assignedTo: sentryAssigneeSchema.nullish(),
  statusDetails: z
    .looseObject({
      inRelease: z.string().nullish(),
      inNextRelease: z.boolean().nullish(),
      inCommit: z.unknown().optional()
    })
    .nullish()
})

export type SentryIssue = z.infer<typeof sentryIssueSchema>

export const sentryIssueListSchema = z.array(sentryIssueSchema)

export const sentryProjectSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  slug: z.string(),
  name: z.string().nullish()
})
export type SentryProject = z.infer<typeof sentryProjectSchema>
export const sentryProjectListSchema = z.array(sentryProjectSchema)

/** Sentry's error body: `{"detail": "..."}` (sometimes a nested object or a list of messages). */
export const sentryErrorBodySchema = z.looseObject({
  detail: z.unknown().optional()
})

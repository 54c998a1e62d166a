import { z } from 'zod'
import { lazily } from './lazy-schema.js'

/**
 * Zod schemas for the answers behind an issue's signals: its owners (the issue details with
 * `expand=owners`), organization members and teams (to name the owners), Seer's analysis (the
 * issue's `autofix/` state) and the top values of a tag. Lenient like the other schemas: unknown
 * fields pass through; what older servers may omit is optional.
 */

const id = lazily(() => z.union([z.string(), z.number()]).transform(String))

/**
 * One owner of `GET …/issues/{id}/?expand=owners`: `type` is why (suspectCommit, ownershipRule,
 * codeowners), `owner` who, as `user:ID` or `team:ID`.
 */
export const sentryOwnerSchema = lazily(() =>
  z.looseObject({
    type: z.string(),
    owner: z.string(),
    date_added: z.string().nullish()
  })
)
export type SentryOwner = z.infer<typeof sentryOwnerSchema>

/** The issue details, of which only `owners` is read (null or absent: none). */
export const sentryIssueOwnersSchema = lazily(() =>
  z.looseObject({
    id,
    owners: z.array(sentryOwnerSchema).nullish()
  })
)

/** A member of `GET /organizations/{org}/members/`: `user` is null for a pending invitation. */
export const sentryMemberSchema = lazily(() =>
  z.looseObject({
    id,
    email: z.string().nullish(),
    user: z.looseObject({ id, email: z.string().nullish() }).nullish()
  })
)
export type SentryMember = z.infer<typeof sentryMemberSchema>
export const sentryMemberListSchema = lazily(() => z.array(sentryMemberSchema))

/** A team of `GET /organizations/{org}/teams/`. */
export const sentryTeamSchema = lazily(() => z.looseObject({ id, slug: z.string() }))
export type SentryTeam = z.infer<typeof sentryTeamSchema>
export const sentryTeamListSchema = lazily(() => z.array(sentryTeamSchema))

const timelineItemSchema = lazily(() =>
  z.looseObject({
    title: z.string().nullish(),
    code_snippet_and_analysis: z.string().nullish()
  })
)

const rootCauseSchema = lazily(() =>
  z.looseObject({
    id: z.union([z.string(), z.number()]).nullish(),
    description: z.string().nullish(),
    root_cause_reproduction: z.array(timelineItemSchema).nullish()
  })
)

/** One step of a Seer run: the root-cause step has `causes`, the solution step `solution`. */
const autofixStepSchema = lazily(() =>
  z.looseObject({
    key: z.string().nullish(),
    type: z.string().nullish(),
    status: z.string().nullish(),
    causes: z.array(rootCauseSchema).nullish(),
    selection: z.looseObject({ cause_id: z.union([z.string(), z.number()]).nullish() }).nullish(),
    solution: z.array(timelineItemSchema).nullish(),
    description: z.string().nullish()
  })
)

/** `GET /organizations/{org}/issues/{id}/autofix/`: `autofix` is null when no run exists. */
export const sentryAutofixStateSchema = lazily(() =>
  z.looseObject({
    autofix: z
      .looseObject({
        run_id: z.union([z.string(), z.number()]).nullish(),
        status: z.string().nullish(),
        steps: z.array(autofixStepSchema).nullish()
      })
      .nullable()
  })
)
export type SentryAutofixState = z.infer<typeof sentryAutofixStateSchema>

/** `POST …/autofix/`: the run that was started. */
export const sentryAutofixStartSchema = lazily(() =>
  z.looseObject({
    run_id: z.union([z.string(), z.number()]).nullish()
  })
)

/** `GET /organizations/{org}/issues/{id}/tags/{key}/`: a tag's top values and their counts. */
export const sentryTagDetailsSchema = lazily(() =>
  z.looseObject({
    key: z.string(),
    name: z.string().nullish(),
    totalValues: z.number().nullish(),
    uniqueValues: z.number().nullish(),
    topValues: z
      .array(
        z.looseObject({
          value: z.string().nullish(),
          name: z.string().nullish(),
          count: z.number().nullish()
        })
      )
      .nullish()
  })
)
export type SentryTagDetails = z.infer<typeof sentryTagDetailsSchema>

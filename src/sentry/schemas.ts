import { z } from 'zod'
import { lazily } from './lazy-schema.js'

/**
 * Zod schemas for the parts of Sentry's API responses the action reads.
 *
 * Shaped by Sentry's OpenAPI description (`OrganizationGroupIndexGetResponse`), but deliberately
 * lenient: fields that older or self-hosted servers may omit are optional, and only what the
 * action relies on is required. Issues and events keep only the fields declared here (unknown
 * ones are dropped: a run may hold 10,000 issues); a field that code, a template variable or a
 * label rule reads must be declared. The smaller answers (projects, token, organization) let
 * unknown fields pass through.
 */

const nullableString = lazily(() => z.string().nullish())

/** `count` is a string in Sentry's API ("150"); accept a number too and normalise to a number. */
const countSchema = lazily(() =>
  z
    .union([z.string().regex(/^\d+$/, 'expected a decimal count'), z.number().int().nonnegative()])
    .transform((v) => (typeof v === 'number' ? v : Number(v)))
)

export const sentryProjectRefSchema = lazily(() =>
  z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    slug: z.string(),
    name: z.string().nullish(),
    platform: nullableString
  })
)

export const sentryAssigneeSchema = lazily(() =>
  z.object({
    type: z.string(),
    id: z.union([z.string(), z.number()]).transform(String),
    name: z.string().nullish(),
    email: z.string().nullish()
  })
)

const lifetimeSchema = lazily(() =>
  z.object({
    count: countSchema.nullish(),
    userCount: z.number().int().nonnegative().nullish()
  })
)

export const sentryIssueFields = lazily(() =>
  z.object({
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
      .object({
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
    numComments: z.number().int().nonnegative().nullish(),
    statusDetails: z
      .object({
        inRelease: z.string().nullish(),
        inNextRelease: z.boolean().nullish(),
        inCommit: z.unknown().optional()
      })
      .nullish(),
    lifetime: lifetimeSchema.nullish().catch(null)
  })
)

/**
 * An issue as the action uses it. Sentry's list answers `count`/`userCount` for the query window
 * (`statsPeriod`), which slides from run to run with no new events; `lifetime` holds the issue's
 * totals. `count` and `userCount` here are the lifetime totals when Sentry sends them (older
 * servers and single-issue answers without `lifetime` give totals in `count` already); the
 * windowed figures stay in `windowCount`/`windowUserCount`.
 */
export const sentryIssueSchema = lazily(() =>
  sentryIssueFields.transform((issue) => ({
    ...issue,
    count: issue.lifetime?.count ?? issue.count,
    userCount: issue.lifetime?.userCount ?? issue.userCount,
    windowCount: issue.count,
    windowUserCount: issue.userCount
  }))
)

export type SentryIssue = z.infer<typeof sentryIssueSchema>

/** A note on an issue (an activity of type `note`), as `GET …/issues/{id}/comments/` lists it. */
export const sentryNoteSchema = lazily(() =>
  z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    type: z.string(),
    data: z.looseObject({ text: z.string().nullish() }).nullish(),
    dateCreated: z.string(),
    user: z
      .looseObject({
        name: z.string().nullish(),
        username: z.string().nullish(),
        email: z.string().nullish()
      })
      .nullish()
  })
)
export type SentryNote = z.infer<typeof sentryNoteSchema>
export const sentryNoteListSchema = lazily(() => z.array(sentryNoteSchema))

/** An issue's details as far as its activity goes (who changed what, when). */
export const sentryActivitySchema = lazily(() =>
  z.object({
    activity: z
      .array(z.object({ type: z.string(), dateCreated: z.string() }))
      .nullish()
      .catch(null)
  })
)

export const sentryIssueListSchema = lazily(() => z.array(sentryIssueSchema))

export const sentryProjectSchema = lazily(() =>
  z.looseObject({
    id: z.union([z.string(), z.number()]).transform(String),
    slug: z.string(),
    name: z.string().nullish()
  })
)
export type SentryProject = z.infer<typeof sentryProjectSchema>
export const sentryProjectListSchema = lazily(() => z.array(sentryProjectSchema))

// ---------------------------------------------------------------------------------------------
// Set-up checks: the token (`GET /api/0/`), the organization, its environments

/**
 * `GET /api/0/`: `auth` is null without a token; `auth.scopes` lists the token's scopes (current
 * servers expand them: a `:write` token also lists `:read`). `user` is null for organization tokens.
 */
export const sentryAuthInfoSchema = lazily(() =>
  z.looseObject({
    version: z.string().optional(),
    auth: z.looseObject({ scopes: z.array(z.string()) }).nullable(),
    user: z.looseObject({ id: z.string().optional() }).nullish()
  })
)
export type SentryAuthInfo = z.infer<typeof sentryAuthInfoSchema>

/** `GET /api/0/organizations/{org}/`: the parts a set-up check reads. */
export const sentryOrganizationSchema = lazily(() =>
  z.looseObject({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    /** With `id`, names the installation (plan/marker.ts `installationOf`). */
    dateCreated: z.string().optional(),
    links: z
      .looseObject({ organizationUrl: z.string(), regionUrl: z.string() })
      .partial()
      .optional()
  })
)
export type SentryOrganization = z.infer<typeof sentryOrganizationSchema>

/** `GET /api/0/organizations/{org}/environments/`. */
export const sentryEnvironmentListSchema = lazily(() =>
  z.array(z.looseObject({ id: z.string(), name: z.string() }))
)

/** Sentry's error body: `{"detail": "..."}` (sometimes a nested object or a list of messages). */
export const sentryErrorBodySchema = lazily(() =>
  z.looseObject({
    detail: z.unknown().optional()
  })
)

// ---------------------------------------------------------------------------------------------
// Events (`GET …/issues/{id}/events/latest/`, `IssueEventDetailsResponse`)
//
// An event is the richest and least predictable thing Sentry serves: SDKs of every platform and
// age fill it, and fields vary between server versions. Everything the action does not strictly
// need is optional, and a malformed part (a frame whose `lineNo` is a string, a tag that is not a
// `{key, value}` pair) is dropped or nulled rather than failing the whole event: a latest event is
// an extra, and it must never stop an issue from being synced.

/** A string, or null when the value is missing or of another type. */
const lenientString = lazily(() => z.string().nullish().catch(null))
/** A non-negative integer (line and column numbers), or null. */
const lenientLineNumber = lazily(() => z.number().int().nonnegative().nullish().catch(null))
const lenientBoolean = lazily(() => z.boolean().nullish().catch(null))

/** An array whose items are validated one by one; invalid items (and a non-array) are dropped. */
function lenientArray<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .transform((value): Array<z.output<T>> => {
      if (!Array.isArray(value)) return []
      const kept: Array<z.output<T>> = []
      for (const entry of value) {
        const parsed = item.safeParse(entry)
        if (parsed.success) kept.push(parsed.data)
      }
      return kept
    })
    .optional()
    .transform((v) => v ?? [])
}

/** One line of source around a frame: `[lineNo, text]`. */
const contextLineSchema = lazily(() => z.tuple([z.number().int(), z.string()]))

/**
 * An address as Sentry sends it: a hex string (`"0x7f1c2b3a4d"`, often zero-padded) in the API's
 * answers, a number in some raw events; null otherwise. Validated where it is used
 * (src/render/native.ts), never trusted as text.
 */
const lenientAddress = lazily(() => z.union([z.string(), z.number()]).nullish().catch(null))

/**
 * One frame. Native frames (C, C++, Objective-C, Swift, Android NDK, minidumps) often have no
 * function or file, only an `instructionAddr`, and name their binary in `package`. The event
 * details endpoint serializes a frame's keys in camelCase (`instructionAddr`, `symbolAddr`,
 * `addrMode`); raw events (and some older answers) use snake_case: both are read, the camelCase
 * one first, and kept under the camelCase name. `imageAddr` (the start of the frame's binary) was
 * sent on frames by older Cocoa SDKs. `addrMode` is absent or `abs` for absolute addresses, or
 * `rel:N` when the address is relative to the event's N-th debug image.
 */
export const sentryFrameSchema = lazily(() =>
  z
    .object({
      filename: lenientString,
      absPath: lenientString,
      module: lenientString,
      package: lenientString,
      function: lenientString,
      symbol: lenientString,
      platform: lenientString,
      lineNo: lenientLineNumber,
      colNo: lenientLineNumber,
      inApp: lenientBoolean,
      context: lenientArray(contextLineSchema),
      instructionAddr: lenientAddress,
      instruction_addr: lenientAddress,
      imageAddr: lenientAddress,
      image_addr: lenientAddress,
      addrMode: lenientString,
      addr_mode: lenientString
    })
    .transform(({ instruction_addr, image_addr, addr_mode, ...frame }) => ({
      ...frame,
      instructionAddr: frame.instructionAddr ?? instruction_addr ?? null,
      imageAddr: frame.imageAddr ?? image_addr ?? null,
      addrMode: frame.addrMode ?? addr_mode ?? null
    }))
)
export type SentryFrame = z.infer<typeof sentryFrameSchema>

export const sentryStacktraceSchema = lazily(() =>
  z.object({
    /** Oldest call first: the frame that raised is the last one. */
    frames: lenientArray(sentryFrameSchema),
    framesOmitted: z.unknown().optional()
  })
)
export type SentryStacktrace = z.infer<typeof sentryStacktraceSchema>

export const sentryExceptionSchema = lazily(() =>
  z.object({
    type: lenientString,
    value: lenientString,
    module: lenientString,
    mechanism: z.object({ type: lenientString, handled: lenientBoolean }).nullish().catch(null),
    stacktrace: sentryStacktraceSchema.nullish().catch(null)
  })
)
export type SentryException = z.infer<typeof sentryExceptionSchema>

/** The `data` of an `exception` entry: the chain, the cause first and the raised exception last. */
export const sentryExceptionEntryDataSchema = lazily(() =>
  z.object({
    values: lenientArray(sentryExceptionSchema)
  })
)

/** The `data` of a `threads` entry (platforms that attach the stacks of all threads). */
export const sentryThreadsEntryDataSchema = lazily(() =>
  z.object({
    values: lenientArray(
      z.object({
        crashed: lenientBoolean,
        current: lenientBoolean,
        stacktrace: sentryStacktraceSchema.nullish().catch(null)
      })
    )
  })
)

/**
 * A debug image (a loaded binary) of a native event. Sentry keeps these keys in snake_case in
 * every answer (`code_file`, `image_addr`, `image_size`); camelCase is read too. Older Apple
 * images name their file in `name` instead of `code_file`. `image_size` is a number (bytes).
 */
export const sentryDebugImageSchema = lazily(() =>
  z
    .object({
      type: lenientString,
      code_file: lenientString,
      codeFile: lenientString,
      name: lenientString,
      image_addr: lenientAddress,
      imageAddr: lenientAddress,
      image_size: lenientAddress,
      imageSize: lenientAddress
    })
    .transform((image) => ({
      type: image.type ?? null,
      codeFile: image.code_file ?? image.codeFile ?? image.name ?? null,
      imageAddr: image.image_addr ?? image.imageAddr ?? null,
      imageSize: image.image_size ?? image.imageSize ?? null
    }))
)
export type SentryDebugImage = z.infer<typeof sentryDebugImageSchema>

/**
 * The `data` of a `debugmeta` entry (and a raw event's `debug_meta`): the images in Sentry's
 * order. An unreadable image stays in its place as null, because a frame with `addrMode: rel:N`
 * names its image by index.
 */
export const sentryDebugMetaSchema = lazily(() =>
  z.object({
    images: z.unknown().transform((value): Array<SentryDebugImage | null> => {
      if (!Array.isArray(value)) return []
      return value.map((entry) => {
        const parsed = sentryDebugImageSchema.safeParse(entry)
        return parsed.success ? parsed.data : null
      })
    })
  })
)

export const sentryEventEntrySchema = lazily(() =>
  z.object({
    type: z.string(),
    data: z.unknown().optional()
  })
)

export const sentryEventTagSchema = lazily(() =>
  z.object({
    key: z.string(),
    value: z.union([z.string(), z.number(), z.boolean()]).transform(String)
  })
)

export const sentryEventReleaseSchema = lazily(() =>
  z.object({
    version: lenientString,
    shortVersion: lenientString,
    ref: lenientString,
    url: lenientString,
    dateCreated: lenientString,
    dateReleased: lenientString
  })
)

export const sentryEventSchema = lazily(() =>
  z.object({
    id: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String),
    eventID: lenientString,
    groupID: z.union([z.string(), z.number()]).transform(String).nullish().catch(null),
    title: lenientString,
    message: lenientString,
    culprit: lenientString,
    location: lenientString,
    platform: lenientString,
    type: lenientString,
    dateCreated: lenientString,
    dateReceived: lenientString,
    entries: lenientArray(sentryEventEntrySchema),
    tags: lenientArray(sentryEventTagSchema),
    /** An object on current servers; some older ones send the version as a plain string. */
    release: z
      .union([z.string().transform((version) => ({ version })), sentryEventReleaseSchema])
      .nullish()
      .catch(null),
    metadata: z.record(z.string(), z.unknown()).nullish().catch(null),
    contexts: z.record(z.string(), z.unknown()).nullish().catch(null),
    sdk: z.object({ name: lenientString, version: lenientString }).nullish().catch(null),
    /** Raw events carry their debug images here; the API's answers in a `debugmeta` entry. */
    debug_meta: sentryDebugMetaSchema.nullish().catch(null)
  })
)
export type SentryEvent = z.infer<typeof sentryEventSchema>

/** The exception chain of an event (cause first, the raised exception last); empty if none. */
export function eventExceptions(event: SentryEvent): SentryException[] {
  const entry = event.entries.find((e) => e.type === 'exception')
  if (!entry) return []
  const parsed = sentryExceptionEntryDataSchema.safeParse(entry.data)
  return parsed.success ? parsed.data.values : []
}

/**
 * The stack trace that best explains the event: the raised exception's, else the crashed (or
 * current) thread's, else a bare `stacktrace` entry's (messages captured with a stack).
 */
export function eventStacktrace(event: SentryEvent): SentryStacktrace | undefined {
  const exceptions = eventExceptions(event)
  for (let i = exceptions.length - 1; i >= 0; i--) {
    const stack = exceptions[i]?.stacktrace
    if (stack && stack.frames.length > 0) return stack
  }
  const threads = event.entries.find((e) => e.type === 'threads')
  if (threads) {
    const parsed = sentryThreadsEntryDataSchema.safeParse(threads.data)
    if (parsed.success) {
      const values = parsed.data.values
      const thread =
        values.find((t) => t.crashed === true && t.stacktrace) ??
        values.find((t) => t.current === true && t.stacktrace) ??
        (values.length === 1 ? values[0] : undefined)
      if (thread?.stacktrace && thread.stacktrace.frames.length > 0) return thread.stacktrace
    }
  }
  const bare = event.entries.find((e) => e.type === 'stacktrace')
  if (bare) {
    const parsed = sentryStacktraceSchema.safeParse(bare.data)
    if (parsed.success && parsed.data.frames.length > 0) return parsed.data
  }
  return undefined
}

/**
 * The debug images of a native event, in Sentry's order (an unreadable one as null): the
 * `debugmeta` entry's, else a raw event's `debug_meta`; empty when there are none.
 */
export function eventDebugImages(event: SentryEvent): Array<SentryDebugImage | null> {
  const entry = event.entries.find((e) => e.type === 'debugmeta')
  if (entry) {
    const parsed = sentryDebugMetaSchema.safeParse(entry.data)
    if (parsed.success && parsed.data.images.length > 0) return parsed.data.images
  }
  return event.debug_meta?.images ?? []
}

/** The value of the event tag `key` (the first one), if any. */
export function eventTag(event: SentryEvent, key: string): string | undefined {
  return event.tags.find((t) => t.key === key)?.value
}

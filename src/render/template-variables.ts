import { FOOTER } from './issue.js'

/**
 * What `title-template` and `body-template` may name: every variable with its description (the
 * inputs' documentation lists them from here), the `tags.<key>` form, and the default templates,
 * which render exactly what `renderTitle` and `renderBody` render.
 */

export type TemplateKind = 'title' | 'body'

export interface TemplateVariable {
  name: string
  description: string
  /** A multi-line Markdown block: body templates only, always on lines of its own. */
  block?: boolean
  /** Not available in titles. */
  bodyOnly?: boolean
}

export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = [
  { name: 'title', description: "The Sentry issue's title." },
  { name: 'shortId', description: 'The short ID, such as WEB-APP-1A2.' },
  {
    name: 'permalink',
    description:
      'The Sentry URL of the issue (only when it is a plain http(s) URL; empty otherwise), for links: [text]({{permalink}}).',
    bodyOnly: true
  },
  {
    name: 'sentryLink',
    description:
      'A Markdown link "Open in Sentry" to the issue (the address as text when it is not a safe link).',
    bodyOnly: true
  },
  { name: 'errorType', description: 'The error type (metadata.type), such as TypeError.' },
  {
    name: 'message',
    description: 'The error message on one line (cut at 300 characters).'
  },
  {
    name: 'messageBlock',
    description:
      'When the message is long or spans lines: the whole message in a code block (empty otherwise, use {{message}} then).',
    block: true,
    bodyOnly: true
  },
  {
    name: 'messageNote',
    description:
      'When the message block had to be cut to fit: "(truncated, showing the first N of M characters)".',
    bodyOnly: true
  },
  { name: 'culprit', description: "Where it happened: Sentry's culprit, else function in file." },
  { name: 'events', description: 'Number of events, such as 1,234.' },
  { name: 'users', description: 'Number of users affected.' },
  { name: 'firstSeen', description: 'When it was first seen (ISO 8601).' },
  { name: 'lastSeen', description: 'When it was last seen (ISO 8601).' },
  { name: 'project', description: 'The project: "Name (slug)", or the slug.' },
  { name: 'projectSlug', description: "The project's slug." },
  { name: 'projectName', description: "The project's name." },
  { name: 'level', description: 'The level: fatal, error, warning, info or debug.' },
  { name: 'status', description: 'The status, such as unresolved.' },
  {
    name: 'substatus',
    description: 'The substatus, such as new, ongoing, regressed or escalating.'
  },
  { name: 'priority', description: "Sentry's priority: high, medium or low." },
  { name: 'platform', description: 'The platform, such as javascript or python.' },
  { name: 'release', description: "The latest event's release." },
  { name: 'environment', description: "The latest event's environment." },
  { name: 'exception', description: "The latest event's exception: Type: value." },
  { name: 'eventDate', description: 'When the latest event happened.' },
  {
    name: 'suspectCommit',
    description:
      'The commit that last changed the top in-app line of the latest event (with code-mappings): its short SHA linked, title, author and pull request; empty otherwise.',
    bodyOnly: true
  },
  {
    name: 'stackTrace',
    description:
      "The latest event's stack trace, a collapsed block (subject to stack-trace and max-frames).",
    block: true,
    bodyOnly: true
  },
  {
    name: 'eventTags',
    description: "The latest event's key tags as a table.",
    block: true,
    bodyOnly: true
  },
  {
    name: 'eventSection',
    description: 'The whole "Latest event" section: exception, stack trace and tags.',
    block: true,
    bodyOnly: true
  },
  {
    name: 'suggestedOwners',
    description:
      "Sentry's suggested owners on one line, their GitHub logins from assignee-map where mapped (never a mention; needs the owners input).",
    bodyOnly: true
  },
  {
    name: 'tagBreakdown',
    description:
      'The top values of the tag-breakdown tags with their event counts and shares, a collapsed block.',
    block: true,
    bodyOnly: true
  },
  {
    name: 'seerSection',
    description:
      "Seer's root cause and proposed solution, a collapsed block (needs the seer input).",
    block: true,
    bodyOnly: true
  },
  {
    name: 'stats',
    description:
      'The live stats table (events, users, last seen, level, priority, status, release) that later runs keep up to date; without it they cannot.',
    block: true,
    bodyOnly: true
  }
]

/** `tags.<key>`: the latest event's tag `key` (Sentry's tag key syntax). */
export const TAG_VARIABLE = /^tags\.([a-zA-Z0-9_.:-]{1,64})$/u

export const DEFAULT_TITLE_TEMPLATE =
  '🐛 Sentry: {{#title}}{{title}}{{/title}}{{^title}}{{#shortId}}{{shortId}}{{/shortId}}{{^shortId}}Untitled issue{{/shortId}}{{/title}}'

/** Reproduces `renderBody` exactly (a test holds them together). */
export const DEFAULT_BODY_TEMPLATE = `## {{#title}}{{title}}{{/title}}{{^title}}{{#shortId}}{{shortId}}{{/shortId}}{{^shortId}}—{{/shortId}}{{/title}}

- **Sentry issue:** {{sentryLink}}
- **Error type:** {{#errorType}}{{errorType}}{{/errorType}}{{^errorType}}—{{/errorType}}
- **Location:** {{#culprit}}{{culprit}}{{/culprit}}{{^culprit}}—{{/culprit}}
{{#suspectCommit}}
- **Suspect commit:** {{suspectCommit}}
{{/suspectCommit}}
{{#suggestedOwners}}
- **Suggested owners:** {{suggestedOwners}}
{{/suggestedOwners}}
{{^messageBlock}}
- **Message:** {{#message}}{{message}}{{/message}}{{^message}}—{{/message}}
{{/messageBlock}}
{{#messageBlock}}

{{#messageNote}}**Message** {{messageNote}}:{{/messageNote}}{{^messageNote}}**Message:**{{/messageNote}}

{{messageBlock}}
{{/messageBlock}}

| Field | Value |
| --- | --- |
| First seen | {{#firstSeen}}{{firstSeen}}{{/firstSeen}}{{^firstSeen}}—{{/firstSeen}} |
| Project | {{#project}}{{project}}{{/project}}{{^project}}—{{/project}} |
| Short ID | {{#shortId}}{{shortId}}{{/shortId}}{{^shortId}}—{{/shortId}} |

{{stats}}

{{#eventSection}}
{{eventSection}}

{{/eventSection}}
{{#tagBreakdown}}
{{tagBreakdown}}

{{/tagBreakdown}}
{{#seerSection}}
{{seerSection}}

{{/seerSection}}
---

${FOOTER}
`

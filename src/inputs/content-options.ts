import { parseCodeMappings } from './formats/code-mappings.js'
import { parseLabelFrom, parseLabelPrefixes } from './formats/label-from.js'
import { DEFAULT_PRIORITY_LABELS, parsePriorityLabels } from './formats/priority-labels.js'
import type { CodeMapping } from '../render/code-links.js'
import type { LabelSource, PriorityRule } from '../render/labels.js'
import { roughCount } from '../render/stats-block.js'
import { compileTemplate, type CompiledTemplate } from '../render/template.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { eventTag } from '../sentry/schemas.js'

/**
 * The inputs that shape what a new issue says and carries: the latest event's stack trace, code
 * links, templates, labels, assignees, milestone, issue type and fields. Pure parse functions;
 * `parseContentOptions` validates them all and reports every problem at once, each naming the
 * input and what it allows. An empty value counts as not set (the default applies), as on a
 * runner.
 */

export const CONTENT_INPUT_DEFAULTS = {
  'stack-trace': 'true',
  'max-frames': '20',
  'code-mappings': '',
  'assign-suspect': 'false',
  'title-template': '',
  'body-template': '',
  'priority-labels': DEFAULT_PRIORITY_LABELS,
  'label-from': '',
  'label-prefixes': '',
  assignees: '',
  milestone: '',
  'assignee-map': '',
  'issue-type': '',
  'issue-fields': '',
  'project-board': '',
  'project-fields': ''
} as const

export type ContentInputName = keyof typeof CONTENT_INPUT_DEFAULTS
export const CONTENT_INPUT_NAMES = Object.keys(CONTENT_INPUT_DEFAULTS) as ContentInputName[]

/** Sentry values an issue field can take. */
export const ISSUE_FIELD_SOURCES = [
  'priority',
  'level',
  'events',
  'users',
  'environment',
  'firstSeen'
] as const
export type IssueFieldSource = (typeof ISSUE_FIELD_SOURCES)[number]

export interface AssigneeMapping {
  /** `user` keys are e-mail addresses (compared ignoring case), `team` keys team slugs. */
  kind: 'user' | 'team'
  key: string
  login: string
}

export interface IssueFieldMapping {
  field: string
  source: IssueFieldSource
}

export type Milestone = { number: number } | { title: string }

export interface ContentOptions {
  /** Fetch the latest event and show its stack trace. */
  stackTrace: boolean
  maxFrames: number
  codeMappings: CodeMapping[]
  /** Assign new issues to the author of their suspect commit (needs code mappings). */
  assignSuspect: boolean
  /** Undefined: the built-in title / body. */
  titleTemplate?: CompiledTemplate
  bodyTemplate?: CompiledTemplate
  /** Empty: no priority labels. */
  priorityRules: PriorityRule[]
  labelFrom: LabelSource[]
  labelPrefixes: Record<LabelSource, string>
  assignees: string[]
  milestone?: Milestone
  assigneeMap: AssigneeMapping[]
  issueType?: string
  issueFields: IssueFieldMapping[]
  /** The Projects (v2) board new issues are added to, and the fields set (undefined: none). */
  projectBoard?: ProjectBoard & { fields: ProjectFieldSetting[] }
}

/** An organisation's or a user's Projects (v2) board. */
export interface ProjectBoard {
  kind: 'org' | 'user'
  owner: string
  number: number
}

/** A board field and the value it is set to: literal text and `{{variable}}`s. */
export interface ProjectFieldSetting {
  field: string
  parts: Array<{ text: string } | { variable: ProjectFieldVariable }>
}

/** The Sentry values a board field can take (`count` and `userCount` are Sentry's own names). */
export const PROJECT_FIELD_VARIABLES = [
  'title',
  'shortId',
  'permalink',
  'culprit',
  'level',
  'status',
  'substatus',
  'priority',
  'platform',
  'project',
  'events',
  'count',
  'users',
  'userCount',
  'firstSeen',
  'lastSeen'
] as const
export type ProjectFieldVariable = (typeof PROJECT_FIELD_VARIABLES)[number]

export const MAX_FRAMES_LIMIT = 200
/** GitHub assigns at most this many people to an issue. */
export const MAX_ASSIGNEES = 10

// ---------------------------------------------------------------------------------------------
// One parser per input

/** GitHub logins (and GHES/EMU logins with `_shortcode`); a leading `@` is tolerated. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:_[A-Za-z0-9]{1,20})?$/u
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/iu
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/u
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u

function lines(text: string): Array<{ line: string; number: number }> {
  return text
    .split(/\r\n|\r|\n/u)
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== '')
}

export function parseBoolean(
  text: string,
  inputName: string
): { value?: boolean; problem?: string } {
  const value = text.trim().toLowerCase()
  if (value === 'true') return { value: true }
  if (value === 'false') return { value: false }
  return {
    problem: `${inputName} must be true or false (YAML 1.2 core schema: true, True, TRUE, false, False or FALSE)`
  }
}

export function parseMaxFrames(
  text: string,
  inputName = 'max-frames'
): { value?: number; problem?: string } {
  const value = text.trim()
  if (!/^\d{1,4}$/u.test(value) || Number(value) < 1 || Number(value) > MAX_FRAMES_LIMIT) {
    return {
      problem: `${inputName} must be a whole number from 1 to ${MAX_FRAMES_LIMIT} (got ${JSON.stringify(text)})`
    }
  }
  return { value: Number(value) }
}

function normalizeLogin(raw: string): string {
  return raw.trim().replace(/^@/u, '')
}

export function parseAssignees(
  text: string,
  inputName = 'assignees'
): { logins: string[]; problems: string[] } {
  const logins: string[] = []
  const problems: string[] = []
  for (const raw of text.split(/[,\n]/u)) {
    if (raw.trim() === '') continue
    const login = normalizeLogin(raw)
    if (!LOGIN.test(login)) {
      problems.push(
        `${inputName}: ${JSON.stringify(raw.trim())} is not a GitHub login (letters, digits and single hyphens, at most 39 characters)`
      )
      continue
    }
    if (!logins.some((l) => l.toLowerCase() === login.toLowerCase())) logins.push(login)
  }
  if (logins.length > MAX_ASSIGNEES) {
    problems.push(
      `${inputName}: at most ${MAX_ASSIGNEES} logins (GitHub's limit), got ${logins.length}`
    )
  }
  return { logins, problems }
}

export function parseMilestone(
  text: string,
  inputName = 'milestone'
): { milestone?: Milestone; problem?: string } {
  const value = text.trim()
  if (value === '') return {}
  if (/^\d+$/u.test(value)) {
    const number = Number(value)
    if (number < 1 || !Number.isSafeInteger(number)) {
      return { problem: `${inputName}: a milestone number must be 1 or more (got ${value})` }
    }
    return { milestone: { number } }
  }
  if (CONTROL.test(value) || value.length > 255) {
    return {
      problem: `${inputName}: a milestone title must be at most 255 characters without control characters`
    }
  }
  return { milestone: { title: value } }
}

export function parseAssigneeMap(
  text: string,
  inputName = 'assignee-map'
): { mappings: AssigneeMapping[]; problems: string[] } {
  const mappings: AssigneeMapping[] = []
  const problems: string[] = []
  for (const { line, number } of lines(text)) {
    const where = `${inputName} line ${number}`
    const parts = line.split('=>')
    if (parts.length !== 2) {
      problems.push(
        `${where}: expected "sentry-email-or-user-id-or-#team-slug => github-login" (for example "ada@example.com => ada-l", "1234 => ada-l" or "#backend => backend-lead"), got ${JSON.stringify(line)}`
      )
      continue
    }
    const key = (parts[0] ?? '').trim()
    const login = normalizeLogin(parts[1] ?? '')
    let kind: AssigneeMapping['kind']
    let normalizedKey: string
    if (key.startsWith('#')) {
      kind = 'team'
      normalizedKey = key.slice(1).toLowerCase()
      if (!TEAM_SLUG.test(normalizedKey)) {
        problems.push(
          `${where}: ${JSON.stringify(key)} is not a Sentry team slug (write it as #team-slug)`
        )
        continue
      }
    } else {
      kind = 'user'
      // A Sentry user by e-mail, or by numeric id (`1234` or `user:1234`, as Sentry writes it).
      normalizedKey = key.toLowerCase().replace(/^user:(?=\d+$)/u, '')
      if (!EMAIL.test(normalizedKey) && !/^\d{1,20}$/u.test(normalizedKey)) {
        problems.push(
          `${where}: ${JSON.stringify(key)} must be the Sentry user's e-mail address or numeric id, or #team-slug for a team`
        )
        continue
      }
    }
    if (!LOGIN.test(login)) {
      problems.push(`${where}: ${JSON.stringify((parts[1] ?? '').trim())} is not a GitHub login`)
      continue
    }
    if (mappings.some((m) => m.kind === kind && m.key === normalizedKey)) {
      problems.push(`${where}: ${JSON.stringify(key)} is mapped twice`)
      continue
    }
    mappings.push({ kind, key: normalizedKey, login })
  }
  return { mappings, problems }
}

export function parseIssueType(
  text: string,
  inputName = 'issue-type'
): { issueType?: string; problem?: string } {
  const value = text.trim()
  if (value === '') return {}
  if (CONTROL.test(value) || value.length > 100) {
    return {
      problem: `${inputName}: an issue type name must be at most 100 characters without control characters`
    }
  }
  return { issueType: value }
}

export function parseIssueFields(
  text: string,
  inputName = 'issue-fields'
): { fields: IssueFieldMapping[]; problems: string[] } {
  const fields: IssueFieldMapping[] = []
  const problems: string[] = []
  for (const { line, number } of lines(text)) {
    const where = `${inputName} line ${number}`
    const eq = line.lastIndexOf('=')
    const field = eq === -1 ? '' : line.slice(0, eq).trim()
    const source = eq === -1 ? '' : line.slice(eq + 1).trim()
    if (eq === -1 || field === '') {
      problems.push(
        `${where}: expected "Field Name = value" (for example "Severity = level"), got ${JSON.stringify(line)}`
      )
      continue
    }
    if (CONTROL.test(field) || field.length > 100) {
      problems.push(
        `${where}: a field name must be at most 100 characters without control characters`
      )
      continue
    }
    const match = ISSUE_FIELD_SOURCES.find((s) => s.toLowerCase() === source.toLowerCase())
    if (match === undefined) {
      problems.push(
        `${where}: ${JSON.stringify(source)} is not a Sentry value; use one of ${ISSUE_FIELD_SOURCES.join(', ')}`
      )
      continue
    }
    if (fields.some((f) => f.field.toLowerCase() === field.toLowerCase())) {
      problems.push(`${where}: the field ${JSON.stringify(field)} is set twice`)
      continue
    }
    fields.push({ field, source: match })
  }
  return { fields, problems }
}

/** GitHub owner names: an organisation or a user login. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|[-_](?=[A-Za-z0-9])){0,38}$/u

/**
 * `project-board`: `acme/7` or `orgs/acme/7` (an organisation's board), `users/ada/7` (a user's),
 * or the board's address as the browser shows it (`https://github.com/orgs/acme/projects/7`, a
 * view's address too).
 */
export function parseProjectBoard(text: string): { board?: ProjectBoard; problem?: string } {
  const value = text.trim()
  if (value === '') return {}
  let path = value
  const url = /^https?:\/\/[^/\s]+\/(orgs|users)\/([^/\s]+)\/projects\/(\d+)(?:\/[^\s]*)?$/u.exec(
    value
  )
  if (url) path = `${url[1]}/${url[2]}/${url[3]}`
  const match = /^(?:(orgs|users)\/)?([^/\s]+)\/(\d+)$/u.exec(path)
  const owner = match?.[2] ?? ''
  const number = Number(match?.[3])
  if (!match || !OWNER.test(owner) || !Number.isSafeInteger(number) || number < 1) {
    return {
      problem: `project-board must be an organization's board as org/number (acme/7), a user's as users/login/number (users/ada/7), or the board's address (https://github.com/orgs/acme/projects/7); got ${JSON.stringify(value)}`
    }
  }
  return { board: { kind: match[1] === 'users' ? 'user' : 'org', owner, number } }
}

/** `project-fields`: one "Field Name = value" a line, the value text with `{{variable}}`s. */
export function parseProjectFields(text: string): {
  fields: ProjectFieldSetting[]
  problems: string[]
} {
  const fields: ProjectFieldSetting[] = []
  const problems: string[] = []
  for (const { line, number } of lines(text)) {
    const where = `project-fields line ${number}`
    const eq = line.indexOf('=')
    const field = eq === -1 ? '' : line.slice(0, eq).trim()
    const value = eq === -1 ? '' : line.slice(eq + 1).trim()
    if (eq === -1 || field === '' || value === '') {
      problems.push(
        `${where}: expected "Field Name = value" (for example "Status = Triage" or "Events = {{events}}"), got ${JSON.stringify(line)}`
      )
      continue
    }
    if (CONTROL.test(line) || field.length > 100) {
      problems.push(
        `${where}: a field name must be at most 100 characters, and a line may hold no control characters`
      )
      continue
    }
    const parts: ProjectFieldSetting['parts'] = []
    let unknown: string | undefined
    let rest = value
    for (let open = rest.indexOf('{{'); open !== -1; open = rest.indexOf('{{')) {
      const close = rest.indexOf('}}', open)
      if (close === -1) break
      const name = rest.slice(open + 2, close).trim()
      const variable = PROJECT_FIELD_VARIABLES.find((v) => v === name)
      if (variable === undefined) unknown ??= name
      if (open > 0) parts.push({ text: rest.slice(0, open) })
      if (variable !== undefined) parts.push({ variable })
      rest = rest.slice(close + 2)
    }
    if (rest !== '') parts.push({ text: rest })
    if (unknown !== undefined || parts.some((p) => 'text' in p && /\{\{|\}\}/u.test(p.text))) {
      problems.push(
        `${where}: ${unknown !== undefined ? `{{${unknown}}} is not a Sentry value` : 'a {{ without its }}'}; the variables are ${PROJECT_FIELD_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`
      )
      continue
    }
    if (fields.some((f) => f.field.toLowerCase() === field.toLowerCase())) {
      problems.push(`${where}: the field ${JSON.stringify(field)} is set twice`)
      continue
    }
    fields.push({ field, parts })
  }
  return { fields, problems }
}

// ---------------------------------------------------------------------------------------------
// All of them

/**
 * Validates every content input. Missing or empty inputs take `CONTENT_INPUT_DEFAULTS`. With
 * problems, `options` still holds the defaults and whatever parsed, but should not be used.
 */
export function parseContentOptions(raw: Record<string, string | undefined>): {
  options: ContentOptions
  problems: string[]
} {
  const value = (name: ContentInputName): string => {
    const given = raw[name]
    return given !== undefined && given.trim() !== '' ? given : CONTENT_INPUT_DEFAULTS[name]
  }
  const problems: string[] = []
  const note = (problem: string | undefined): void => {
    if (problem !== undefined) problems.push(problem)
  }

  const stackTrace = parseBoolean(value('stack-trace'), 'stack-trace')
  note(stackTrace.problem)
  const maxFrames = parseMaxFrames(value('max-frames'))
  note(maxFrames.problem)
  const mappings = parseCodeMappings(value('code-mappings'))
  problems.push(...mappings.problems)
  const assignSuspect = parseBoolean(value('assign-suspect'), 'assign-suspect')
  note(assignSuspect.problem)
  if (
    assignSuspect.value === true &&
    mappings.problems.length === 0 &&
    mappings.mappings.length === 0
  ) {
    problems.push(
      'assign-suspect needs code-mappings: the suspect commit is found from the stack frame they map to a file of the repository'
    )
  }
  const title = value('title-template')
  const titleTemplate = title.trim() === '' ? undefined : compileTemplate('title', title)
  problems.push(...(titleTemplate?.problems ?? []))
  const body = value('body-template')
  const bodyTemplate = body.trim() === '' ? undefined : compileTemplate('body', body)
  problems.push(...(bodyTemplate?.problems ?? []))
  const priority = parsePriorityLabels(value('priority-labels'))
  problems.push(...priority.problems)
  const labelFrom = parseLabelFrom(value('label-from'))
  problems.push(...labelFrom.problems)
  const prefixes = parseLabelPrefixes(value('label-prefixes'))
  problems.push(...prefixes.problems)
  const assignees = parseAssignees(value('assignees'))
  problems.push(...assignees.problems)
  const milestone = parseMilestone(value('milestone'))
  note(milestone.problem)
  const assigneeMap = parseAssigneeMap(value('assignee-map'))
  problems.push(...assigneeMap.problems)
  const issueType = parseIssueType(value('issue-type'))
  note(issueType.problem)
  const issueFields = parseIssueFields(value('issue-fields'))
  problems.push(...issueFields.problems)
  const projectBoard = parseProjectBoard(value('project-board'))
  note(projectBoard.problem)
  const projectFields = parseProjectFields(value('project-fields'))
  problems.push(...projectFields.problems)
  if (projectFields.fields.length > 0 && value('project-board').trim() === '') {
    problems.push('project-fields needs project-board: the fields are set on that board')
  }

  const options: ContentOptions = {
    stackTrace: stackTrace.value ?? true,
    maxFrames: maxFrames.value ?? 20,
    codeMappings: mappings.mappings,
    assignSuspect: assignSuspect.value ?? false,
    ...(titleTemplate?.template ? { titleTemplate: titleTemplate.template } : {}),
    ...(bodyTemplate?.template ? { bodyTemplate: bodyTemplate.template } : {}),
    priorityRules: priority.rules,
    labelFrom: labelFrom.sources,
    labelPrefixes: prefixes.prefixes,
    assignees: assignees.logins,
    ...(milestone.milestone ? { milestone: milestone.milestone } : {}),
    assigneeMap: assigneeMap.mappings,
    ...(issueType.issueType ? { issueType: issueType.issueType } : {}),
    issueFields: issueFields.fields,
    ...(projectBoard.board
      ? { projectBoard: { ...projectBoard.board, fields: projectFields.fields } }
      : {})
  }
  return { options, problems }
}

// ---------------------------------------------------------------------------------------------
// Applying them

/**
 * The logins to assign a new issue to: the Sentry issue's assignee mapped through
 * `assignee-map` (a user by e-mail, a team by slug) first, then `assignees`. Unique, at most 10.
 */
export function assigneesFor(
  issue: Pick<SentryIssue, 'assignedTo'>,
  options: Pick<ContentOptions, 'assignees' | 'assigneeMap'>
): string[] {
  const out: string[] = []
  const add = (login: string): void => {
    if (!out.some((l) => l.toLowerCase() === login.toLowerCase())) out.push(login)
  }
  const assigned = issue.assignedTo
  if (assigned) {
    const type = assigned.type.toLowerCase()
    const keys =
      type === 'team'
        ? [(assigned.name ?? '').replace(/^#/u, '').toLowerCase()]
        : [(assigned.email ?? '').toLowerCase(), assigned.id]
    const kind = type === 'team' ? 'team' : 'user'
    const mapped = options.assigneeMap.find(
      (m) => m.kind === kind && keys.some((key) => key !== '' && m.key === key)
    )
    if (mapped) add(mapped.login)
  }
  for (const login of options.assignees) add(login)
  return out.slice(0, MAX_ASSIGNEES)
}

/** Template variables whose value comes from the latest event. */
const EVENT_VARIABLES = new Set([
  'release',
  'environment',
  'exception',
  'eventDate',
  'suspectCommit',
  'stackTrace',
  'eventTags',
  'eventSection'
])

/**
 * Whether the sync needs each new issue's latest event: for the stack trace, or because a
 * template, a label source or an issue field uses something only the event has.
 */
export function needsLatestEvent(options: ContentOptions): boolean {
  const templateUsesEvent = (template: CompiledTemplate | undefined): boolean =>
    template?.names.some((name) => EVENT_VARIABLES.has(name) || name.startsWith('tags.')) ?? false
  return (
    options.stackTrace ||
    (options.assignSuspect && options.codeMappings.length > 0) ||
    options.labelFrom.includes('environment') ||
    options.issueFields.some((f) => f.source === 'environment') ||
    templateUsesEvent(options.titleTemplate) ||
    templateUsesEvent(options.bodyTemplate)
  )
}

/**
 * Values for the configured issue fields, as text (numbers unformatted). Fields whose Sentry
 * value is unknown (no event for `environment`, no priority) are left out.
 */
export function issueFieldValues(
  issue: SentryIssue,
  event: SentryEvent | undefined,
  fields: readonly IssueFieldMapping[]
): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = []
  for (const { field, source } of fields) {
    let value: string | null | undefined
    switch (source) {
      case 'priority':
        value = issue.priority
        break
      case 'level':
        value = issue.level
        break
      case 'events':
        value = String(issue.count)
        break
      case 'users':
        value = String(issue.userCount)
        break
      case 'environment':
        value = event ? eventTag(event, 'environment') : undefined
        break
      case 'firstSeen':
        value = issue.firstSeen
        break
    }
    if (value != null && value !== '') out.push({ field, value })
  }
  return out
}

/** How a board field holds a value: numbers and dates are checked, the rest is text. */
export type ProjectValueKind = 'text' | 'number' | 'date'

/**
 * A board field's value for a Sentry issue, or undefined when the field cannot hold it (not a
 * number for a number field, not a date for a date field, empty). Events and users are at the
 * reader's precision, as in the stats block: "1,200+" in a text field, 1200 in a number field.
 */
export function projectFieldValue(
  setting: ProjectFieldSetting,
  issue: SentryIssue,
  kind: ProjectValueKind
): string | number | undefined {
  const rough = (n: number): string =>
    kind === 'number' ? roughCount(n).replace(/[,+]/gu, '') : roughCount(n)
  const valueOf = (variable: ProjectFieldVariable): string => {
    switch (variable) {
      case 'events':
      case 'count':
        return rough(issue.count)
      case 'users':
      case 'userCount':
        return rough(issue.userCount)
      case 'project':
        return issue.project.slug
      default:
        return issue[variable] ?? ''
    }
  }
  const text = setting.parts
    .map((part) => ('text' in part ? part.text : valueOf(part.variable)))
    .join('')
    .trim()
  if (text === '') return undefined
  if (kind === 'number') {
    const n = Number(text)
    return Number.isFinite(n) ? n : undefined
  }
  if (kind === 'date') return /^\d{4}-\d{2}-\d{2}/u.test(text) ? text.slice(0, 10) : undefined
  return text
}

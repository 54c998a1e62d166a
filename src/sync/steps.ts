import { fail, ok, type CheckRow } from '../check/checks.js'
import { githubReadFailure } from '../check/github-access.js'
import { inputRef, shown, type CheckDeps } from '../check/probe.js'
import type { RepoRef } from '../github/issues.js'
import { listIssueFields } from '../github/metadata.js'
import {
  addIssueToProject,
  getProject,
  listProjectFields,
  listProjectItems,
  updateProjectItem,
  type ProjectField,
  type ProjectFieldUpdate,
  type ProjectItem
} from '../github/projects.js'
import type { Config } from '../inputs/config.js'
import {
  issueFieldValues,
  projectFieldValue,
  type ProjectBoard,
  type ProjectFieldSetting,
  type ProjectValueKind
} from '../inputs/content-options.js'
import { errorMessage } from '../log.js'
import type { SentryEvent, SentryIssue } from '../sentry/schemas.js'
import { statusOf, type RunContext, type RunResources } from './context.js'
import { setFields } from './metadata.js'

/**
 * What the action does to each issue it files besides creating it, one entry a step: whether the
 * configuration turns it on, what it costs in GitHub's content-creating requests, what a dry run
 * says it would do, what the set-up check verifies, and the step itself. The write budget
 * (backlog.ts), the dry-run preview, the set-up check (check/github.ts) and the run (create.ts,
 * lifecycle.ts, through `runSteps`) follow from this list alone: a new step is a new entry.
 * A step GitHub refuses (401, 403, 404) gives one warning and is not tried again that run; another
 * failure gives one warning a run and the step is tried on the next issues. Neither fails the
 * issue it is applied to.
 */
export interface IssueStep {
  /** The input that turns it on. */
  readonly input: string
  /** Whether this run's configuration uses it. */
  on(config: Config): boolean
  /** Content-creating requests it makes for each new issue (at most). */
  readonly writesPerCreate: number | ((config: Config) => number)
  /** … and for each tracked issue whose stats block is rewritten. */
  readonly writesPerUpdate: number
  /** What a dry run would do for a new issue, as a line of its preview (undefined: nothing). */
  preview(config: Config, sentry: SentryIssue, event: SentryEvent | undefined): string | undefined
  /** After a new issue is created. */
  created(
    ctx: RunContext,
    issueNumber: number,
    sentry: SentryIssue,
    event: SentryEvent | undefined
  ): Promise<void>
  /** After a tracked issue's stats block was rewritten. */
  updated(ctx: RunContext, issueNumber: number, sentry: SentryIssue): Promise<void>
  /** The set-up check's rows for it (`check` mode). */
  check(config: Config, deps: CheckDeps, repo: RepoRef): Promise<CheckRow[]>
}

/** `issue-fields`: the organisation's issue fields set from Sentry, kept current on updates. */
const issueFields: IssueStep = {
  input: 'issue-fields',
  on: (config) => config.content.issueFields.length > 0,
  writesPerCreate: 1,
  writesPerUpdate: 1,
  preview: (config, sentry, event) => {
    const values = issueFieldValues(sentry, event, config.content.issueFields)
    return values.length === 0
      ? undefined
      : `Issue fields: ${values.map((v) => `${v.field} = ${v.value}`).join(', ')}`
  },
  created: (ctx, issueNumber, sentry, event) => setFields(ctx, issueNumber, sentry, event),
  updated: (ctx, issueNumber, sentry) => setFields(ctx, issueNumber, sentry, undefined),
  async check(config, deps, repo) {
    const wanted = config.content.issueFields
    const fix = `Turn ${inputRef(deps.surface, 'issue-fields')} off, or use a token that can read the organization's issue fields.`
    try {
      const fields = await listIssueFields(deps.github, repo.owner)
      if (fields === undefined) {
        return [
          fail(
            'Issue fields',
            `issue fields are not available for ${repo.owner} (an organization with issue fields, and a token that can read them, are needed).`,
            fix
          )
        ]
      }
      const names = new Set(fields.map((f) => f.name.toLowerCase()))
      const absent = wanted.filter((f) => !names.has(f.field.toLowerCase()))
      return [
        absent.length === 0
          ? ok('Issue fields', `${wanted.map((f) => `"${f.field}"`).join(', ')} exist.`)
          : fail(
              'Issue fields',
              `${repo.owner} has no field ${absent.map((f) => `"${f.field}"`).join(', ')} (it has ${fields.length > 0 ? shown(fields.map((f) => `"${f.name}"`)) : 'none'}).`,
              `Use existing field names in ${inputRef(deps.surface, 'issue-fields')}.`
            )
      ]
    } catch (error) {
      return [
        githubReadFailure('Issue fields', error, 'Check the token can read the organization.')
      ]
    }
  }
}

/** The board and the fields to set, as the inputs give them. */
type BoardSettings = ProjectBoard & { fields: ProjectFieldSetting[] }

/** A board as the inputs name it: `acme/7`, `users/ada/7`. */
function boardName(board: ProjectBoard): string {
  return `${board.kind === 'user' ? 'users/' : ''}${board.owner}/${board.number}`
}

/** How a board field takes a value, or undefined for kinds the REST API cannot set. */
function valueKind(field: ProjectField): ProjectValueKind | 'single_select' | undefined {
  switch (field.data_type) {
    case 'text':
    case 'number':
    case 'date':
    case 'single_select':
      return field.data_type
    default:
      return undefined
  }
}

/** What a run learns of the board once: its fields by name, and (for updates) its items. */
interface RunBoard {
  board: BoardSettings
  fields: Map<string, ProjectField>
  /** This repository's items on the board by issue number, listed on the first update. */
  items?: Promise<Map<number, ProjectItem>>
}

const boards = new WeakMap<RunResources, Promise<RunBoard>>()

/** The board's fields, read once a run; names it lacks or cannot set are one warning each. */
function runBoard(ctx: RunContext, board: BoardSettings): Promise<RunBoard> {
  let found = boards.get(ctx.resources)
  if (!found) {
    found = listProjectFields(ctx.deps.github, board).then((list) => {
      const fields = new Map(list.map((f) => [f.name.toLowerCase(), f]))
      for (const setting of board.fields) {
        const field = fields.get(setting.field.toLowerCase())
        if (!field) {
          ctx.warnings.warn(
            `The board ${boardName(board)} has no field ${JSON.stringify(setting.field)} (it has ${shown(list.map((f) => JSON.stringify(f.name)))}); project-fields leaves it out.`
          )
        } else if (valueKind(field) === undefined) {
          ctx.warnings.warn(
            `The board field ${JSON.stringify(field.name)} is a ${field.data_type} field, which GitHub's REST API cannot set; project-fields leaves it out (text, number, date and single-select fields can be set).`
          )
        }
      }
      return { board, fields }
    })
    // A failure is not kept: the next issue asks again (a refusal stops the step instead).
    found.catch(() => boards.delete(ctx.resources))
    boards.set(ctx.resources, found)
  }
  return found
}

/** The values of `settings` for the item, each in the form its field takes. */
function boardValues(
  ctx: RunContext,
  run: RunBoard,
  settings: readonly ProjectFieldSetting[],
  sentry: SentryIssue
): ProjectFieldUpdate[] {
  const out: ProjectFieldUpdate[] = []
  for (const setting of settings) {
    const field = run.fields.get(setting.field.toLowerCase())
    const kind = field && valueKind(field)
    if (!field || !kind) continue
    const value = projectFieldValue(setting, sentry, kind === 'single_select' ? 'text' : kind)
    if (value === undefined) continue
    if (kind === 'single_select') {
      const option = field.options?.find(
        (o) => o.name.raw.toLowerCase() === String(value).toLowerCase()
      )
      if (option) out.push({ id: field.id, value: option.id })
      else {
        ctx.warnings.warnOnce(
          `board-option:${field.name}:${value}`,
          `The board field ${JSON.stringify(field.name)} has no option ${JSON.stringify(value)}; that value is not set.`
        )
      }
    } else out.push({ id: field.id, value })
  }
  return out
}

/** The number in an item's field value, however the listing gives it. */
function numberIn(value: unknown): number | undefined {
  const raw = value !== null && typeof value === 'object' && 'raw' in value ? value.raw : value
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}

/**
 * `project-board` with `project-fields`: each new issue added to a Projects (v2) board with its
 * fields set; a tracked issue's number fields follow its stats block, at the same precision, and
 * are written only when they change. An issue a person took off the board is not put back.
 */
const projectBoard: IssueStep = {
  input: 'project-board',
  on: (config) => config.content.projectBoard !== undefined,
  writesPerCreate: (config) => ((config.content.projectBoard?.fields.length ?? 0) > 0 ? 2 : 1),
  writesPerUpdate: 1,
  preview: (config, sentry) => {
    const board = config.content.projectBoard
    if (!board) return undefined
    const values = board.fields.flatMap((setting) => {
      const value = projectFieldValue(setting, sentry, 'text')
      return value === undefined ? [] : [`${setting.field} = ${value}`]
    })
    return `Projects board ${boardName(board)}: added${values.length > 0 ? `, ${values.join(', ')}` : ''}`
  },
  async created(ctx, issueNumber, sentry) {
    const board = ctx.config.content.projectBoard
    if (!board || ctx.config.dryRun) return
    const run = await runBoard(ctx, board)
    const item = await addIssueToProject(ctx.deps.github, board, ctx.repo, issueNumber)
    const values = boardValues(ctx, run, board.fields, sentry)
    if (values.length > 0) await updateProjectItem(ctx.deps.github, board, item.id, values)
  },
  async updated(ctx, issueNumber, sentry) {
    const board = ctx.config.content.projectBoard
    if (!board || ctx.config.dryRun) return
    const run = await runBoard(ctx, board)
    const numbers = board.fields.filter(
      (s) => run.fields.get(s.field.toLowerCase())?.data_type === 'number'
    )
    if (numbers.length === 0) return
    const ids = numbers.flatMap((s) => run.fields.get(s.field.toLowerCase())?.id ?? [])
    run.items ??= listProjectItems(
      ctx.deps.github,
      board,
      ids,
      `repo:${ctx.repo.owner}/${ctx.repo.repo}`
    ).then((items) => {
      const mine = `/repos/${ctx.repo.owner}/${ctx.repo.repo}`.toLowerCase()
      const byNumber = new Map<number, ProjectItem>()
      for (const item of items) {
        const number = item.content?.number
        const repo = item.content?.repository_url?.toLowerCase() ?? ''
        if (number !== undefined && item.content_type === 'Issue' && repo.endsWith(mine)) {
          byNumber.set(number, item)
        }
      }
      return byNumber
    })
    run.items.catch(() => (run.items = undefined))
    const item = (await run.items).get(issueNumber)
    if (!item) return
    const changed = boardValues(ctx, run, numbers, sentry).filter(
      (update) => numberIn(item.fields?.find((f) => f.id === update.id)?.value) !== update.value
    )
    if (changed.length === 0) return
    await updateProjectItem(ctx.deps.github, board, item.id, changed)
    item.fields = [
      ...(item.fields ?? []).filter((f) => !changed.some((c) => c.id === f.id)),
      ...changed.map((c) => ({ id: c.id, value: c.value }))
    ]
  },
  async check(config, deps) {
    const board = config.content.projectBoard
    if (!board) return []
    const name = `Projects board ${boardName(board)}`
    const access =
      "Use a token that can reach the board: a GitHub App's installation token with the organization's Projects permission (read and write), or a fine-grained token with Projects access (the workflow's GITHUB_TOKEN cannot reach projects)."
    try {
      const project = await getProject(deps.github, board)
      const fields = await listProjectFields(deps.github, board)
      const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]))
      const problems: string[] = []
      for (const setting of board.fields) {
        const field = byName.get(setting.field.toLowerCase())
        const kind = field && valueKind(field)
        if (!field) problems.push(`no field ${JSON.stringify(setting.field)}`)
        else if (!kind) {
          problems.push(
            `${JSON.stringify(field.name)} is a ${field.data_type} field, which cannot be set`
          )
        } else if (setting.parts.every((p) => 'text' in p)) {
          const literal = setting.parts
            .map((p) => ('text' in p ? p.text : ''))
            .join('')
            .trim()
          if (
            kind === 'single_select' &&
            !field.options?.some((o) => o.name.raw.toLowerCase() === literal.toLowerCase())
          ) {
            problems.push(
              `${JSON.stringify(field.name)} has no option ${JSON.stringify(literal)} (it has ${shown((field.options ?? []).map((o) => JSON.stringify(o.name.raw)))})`
            )
          }
        }
      }
      const title = project.title ? ` ("${project.title}")` : ''
      return [
        problems.length === 0
          ? ok(
              name,
              `reachable${title}${board.fields.length > 0 ? `; ${board.fields.map((s) => `"${s.field}"`).join(', ')} can be set` : ''}.`
            )
          : fail(
              name,
              `the board${title} ${problems.join('; ')} (its fields: ${shown(fields.map((f) => JSON.stringify(f.name)))}).`,
              `Use field names and options the board has in ${inputRef(deps.surface, 'project-fields')}.`
            )
      ]
    } catch (error) {
      const status = statusOf(error)
      if (status === 401 || status === 403 || status === 404) {
        return [
          fail(
            name,
            `GitHub answered ${status}: the board does not exist or the token cannot reach it.`,
            access
          )
        ]
      }
      return [githubReadFailure(name, error, access)]
    }
  }
}

export const ISSUE_STEPS: readonly IssueStep[] = [issueFields, projectBoard]

/** The steps this run's configuration turns on. */
export function stepsOn(config: Config): IssueStep[] {
  return ISSUE_STEPS.filter((step) => step.on(config))
}

/**
 * Runs `action` for each step on: a step GitHub refused earlier this run is skipped; a refusal
 * (401, 403, 404) is one warning and skips the step for the rest of the run; another failure is
 * one warning a run. Nothing here fails the issue.
 */
export async function runSteps(
  ctx: RunContext,
  issueNumber: number,
  action: (step: IssueStep) => Promise<void>
): Promise<void> {
  for (const step of stepsOn(ctx.config)) {
    if (ctx.resources.refusedSteps.has(step.input)) continue
    try {
      await action(step)
    } catch (error) {
      const status = statusOf(error)
      if (status === 401 || status === 403 || status === 404) {
        ctx.resources.refusedSteps.add(step.input)
        ctx.warnings.warn(
          `GitHub refused ${step.input} (${errorMessage(error)}); issues are filed without it for the rest of this run. Check the ${step.input} input and the token's access.`
        )
      } else {
        ctx.warnings.warnOnce(
          `step-failed:${step.input}`,
          `${step.input} failed on #${issueNumber} (${errorMessage(error)}); it is tried again on the next issues.`
        )
      }
    }
  }
}

/** Content-creating requests the steps on add to each new issue, and to each update. */
export function stepWrites(config: Config): { perCreate: number; perUpdate: number } {
  const on = stepsOn(config)
  return {
    perCreate: on.reduce(
      (n, s) =>
        n + (typeof s.writesPerCreate === 'number' ? s.writesPerCreate : s.writesPerCreate(config)),
      0
    ),
    perUpdate: on.reduce((n, s) => n + s.writesPerUpdate, 0)
  }
}

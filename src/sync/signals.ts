import type { Config } from '../inputs/config.js'
import type { AssigneeMapping } from '../inputs/content-options.js'
import { MAX_ASSIGNEES } from '../inputs/content-options.js'
import { signalsOn } from '../inputs/signals.js'
import { errorMessage } from '../log.js'
import type { IssueSignals, SeerFinding, ShownOwner, TagBreakdown } from '../render/signals.js'
import { SIGNAL_LIMITS } from '../render/signals.js'
import { SentryApiError, type SentryClient } from '../sentry/client.js'
import type { SentryAutofixState, SentryOwner } from '../sentry/signal-schemas.js'
import type { SentryIssue } from '../sentry/schemas.js'
import type { CreateItem, Signals, Warnings } from './context.js'
import { PREFETCH_CONCURRENCY, prefetchEach } from './prefetch.js'

/**
 * Sentry's own signals for the issues to create (a run's `resources.signals`): suggested owners,
 * Seer's root cause, the top values of chosen tags. Read a few issues at a time while the writes
 * go on, like the latest events; each create waits only for its own. Owners are named through the
 * organization's members and teams, each looked up once per run. Nothing here fails a create:
 * an answer Sentry refuses is one warning per cause and run, and the issue is filed without it.
 */
export class SignalPrefetch implements Signals {
  readonly #signals = new Map<string, Promise<IssueSignals>>()
  /** Sentry user id → its e-mail (null: not a member, or not to be had this run). */
  readonly #emails = new Map<string, Promise<string | null>>()
  /** Member look-ups run one after another, so a refusal stops the ones behind it. */
  #memberQueue: Promise<unknown> = Promise.resolve()
  #membersRefused = false
  #teams: Promise<Map<string, string>> | undefined

  constructor(
    private readonly config: Config,
    private readonly sentry: SentryClient,
    private readonly warnings: Warnings
  ) {}

  /** Starts reading the signals of `creates`; nothing when every signal is off. */
  start(creates: readonly CreateItem[]): void {
    if (!signalsOn(this.config.signals)) return
    prefetchEach(this.#signals, creates, PREFETCH_CONCURRENCY, (item) => this.#read(item.sentry))
  }

  /** The signals of a create; undefined when not started (every signal off). */
  of(key: string): Promise<IssueSignals> | undefined {
    return this.#signals.get(key)
  }

  async #read(issue: SentryIssue): Promise<IssueSignals> {
    const { signals } = this.config
    const out: IssueSignals = {}
    if (signals.owners !== 'off') out.owners = await this.#owners(issue)
    if (signals.seer !== 'off') out.seer = await this.#seer(issue)
    if (signals.tagBreakdown.length > 0) out.tags = await this.#tags(issue)
    return out
  }

  // ---- Owners

  async #owners(issue: SentryIssue): Promise<ShownOwner[] | undefined> {
    const { config, sentry, warnings } = this
    let owners: SentryOwner[]
    try {
      owners = await sentry.getIssueOwners(config.sentry.org, issue.id)
    } catch (error) {
      warnings.warnOnce(
        'owners',
        `Could not read the suggested owners of ${issue.shortId} (${errorMessage(error)}); issues are created without them where that happens.`
      )
      return undefined
    }
    const seen = new Set<string>()
    const parsed = owners
      .map((o) => ({ ...parseOwner(o.owner), reason: o.type }))
      .filter((o): o is { kind: 'user' | 'team'; id: string; reason: string } => {
        if (o.kind === undefined || seen.has(`${o.kind}:${o.id}`)) return false
        seen.add(`${o.kind}:${o.id}`)
        return true
      })
      .slice(0, SIGNAL_LIMITS.owners)
    if (parsed.length === 0) return []
    this.#loadEmails(parsed.filter((o) => o.kind === 'user').map((o) => o.id))
    const emails = new Map<string, string | null>()
    for (const o of parsed) if (o.kind === 'user') emails.set(o.id, await this.#emails.get(o.id)!)
    const teams = parsed.some((o) => o.kind === 'team')
      ? await this.#teamSlugs()
      : new Map<string, string>()
    const map = config.content.assigneeMap
    const shown = parsed.map((o): ShownOwner => {
      if (o.kind === 'user') {
        const email = emails.get(o.id) ?? undefined
        return {
          name: email ?? `user ${o.id}`,
          reason: o.reason,
          login: email === undefined ? undefined : mappedLogin(map, 'user', email)
        }
      }
      const slug = teams.get(o.id)
      return {
        name: slug === undefined ? `team ${o.id}` : `#${slug}`,
        reason: o.reason,
        login: slug === undefined ? undefined : mappedLogin(map, 'team', slug)
      }
    })
    const unmapped = shown.filter((o) => o.login === undefined)
    if (config.signals.owners === 'assign' && unmapped.length > 0 && !issue.assignedTo) {
      warnings.warnOnce(
        'owners-unmapped',
        `Suggested owners of ${issue.shortId} are not in assignee-map (${unmapped
          .map((o) => o.name)
          .join(
            ', '
          )}); they are shown but not assigned. Add "e-mail => login" or "#team => login" lines to assignee-map.`
      )
    }
    return shown
  }

  /**
   * Starts looking up the e-mails of the user ids not asked for yet: one request, queued behind
   * the previous look-up, none after a refusal.
   */
  #loadEmails(userIds: string[]): void {
    const wanted = [...new Set(userIds)].filter((id) => !this.#emails.has(id))
    if (wanted.length === 0) return
    const lookup = this.#memberQueue.then(() => this.#lookUp(wanted))
    this.#memberQueue = lookup
    for (const id of wanted)
      this.#emails.set(
        id,
        lookup.then((found) => found.get(id) ?? null)
      )
  }

  async #lookUp(wanted: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    if (this.#membersRefused) return found
    try {
      const members = await this.sentry.listMembersByUserIds(this.config.sentry.org, wanted)
      for (const member of members) {
        const id = member.user?.id
        const email = member.user?.email ?? member.email
        if (id !== undefined && wanted.includes(id) && email) found.set(id, email)
      }
    } catch (error) {
      if (isRefusal(error)) this.#membersRefused = true
      this.warnings.warnOnce(
        'owners-members',
        `Could not look up the organization's members to name suggested owners (${errorMessage(error)}); people are shown by their Sentry user id. Naming them needs a Sentry token with member:read.`
      )
    }
    return found
  }

  /** Team id → slug, listed once per run (a failure is remembered: no second listing). */
  #teamSlugs(): Promise<Map<string, string>> {
    this.#teams ??= this.sentry.listTeams(this.config.sentry.org).then(
      (teams) => new Map(teams.map((t) => [t.id, t.slug])),
      (error: unknown) => {
        this.warnings.warnOnce(
          'owners-teams',
          `Could not list the organization's teams to name suggested owners (${errorMessage(error)}); teams are shown by their Sentry id. Listing them needs a Sentry token with org:read.`
        )
        return new Map<string, string>()
      }
    )
    return this.#teams
  }

  // ---- Seer

  async #seer(issue: SentryIssue): Promise<SeerFinding | undefined> {
    const { config, sentry } = this
    let state: SentryAutofixState
    try {
      state = await sentry.getAutofix(config.sentry.org, issue.id)
    } catch (error) {
      this.#seerUnavailable(issue, error)
      return undefined
    }
    const finding = seerFinding(state)
    if (finding !== undefined) return finding
    if (config.signals.seer !== 'start') return undefined
    if (state.autofix !== null) return { kind: 'started' } // a run is under way
    if (config.dryRun) return undefined
    try {
      await sentry.startAutofix(config.sentry.org, issue.id)
      return { kind: 'started' }
    } catch (error) {
      this.#seerUnavailable(issue, error)
      return undefined
    }
  }

  #seerUnavailable(issue: SentryIssue, error: unknown): void {
    const status = error instanceof SentryApiError ? error.status : undefined
    const why =
      status === 404
        ? 'Sentry answered 404: this server has no Seer (self-hosted Sentry), or the issue is gone'
        : status === 403
          ? "Sentry answered 403: the organization's plan has no Seer, Seer is switched off, or the token lacks event:read (event:write to start an analysis)"
          : errorMessage(error)
    this.warnings.warnOnce(
      'seer',
      `Seer is not available for ${issue.shortId} (${why}); issues are created without Seer's root cause. Set seer to off to stop asking.`
    )
  }

  // ---- Tags

  async #tags(issue: SentryIssue): Promise<TagBreakdown[]> {
    const { config, sentry } = this
    const out: TagBreakdown[] = []
    for (const key of config.signals.tagBreakdown) {
      try {
        const tag = await sentry.getIssueTag(config.sentry.org, issue.id, key, {
          environments: config.sentry.environments
        })
        const values = (tag.topValues ?? [])
          .map((v) => ({ value: v.value ?? v.name ?? '', count: v.count ?? 0 }))
          .sort((a, b) => b.count - a.count)
          .slice(0, SIGNAL_LIMITS.tagValues)
        const total = tag.totalValues ?? values.reduce((sum, v) => sum + v.count, 0)
        out.push({ key, total, values })
      } catch (error) {
        // An issue without the tag answers 404 with Sentry's detail: nothing to show, no warning.
        if (error instanceof SentryApiError && error.status === 404 && error.detail) continue
        this.warnings.warnOnce(
          'tags',
          `Could not read the tag breakdown of ${issue.shortId} (${key}: ${errorMessage(error)}); issues are created without the tags that failed.`
        )
      }
    }
    return out
  }
}

function parseOwner(owner: string): { kind?: 'user' | 'team'; id: string } {
  const match = /^(user|team):(\d+)$/u.exec(owner.trim())
  if (!match?.[1] || !match[2]) return { id: '' }
  return { kind: match[1] as 'user' | 'team', id: match[2] }
}

function mappedLogin(
  map: readonly AssigneeMapping[],
  kind: 'user' | 'team',
  key: string
): string | undefined {
  const wanted = key.replace(/^#/u, '').toLowerCase()
  return map.find((m) => m.kind === kind && m.key === wanted)?.login
}

function isRefusal(error: unknown): boolean {
  return error instanceof SentryApiError && (error.status === 401 || error.status === 403)
}

/** The root cause (the selected cause, else the first) and the solution of a Seer run, if any. */
export function seerFinding(state: SentryAutofixState): SeerFinding | undefined {
  const steps = state.autofix?.steps ?? []
  const rootStep = steps.find(
    (s) =>
      (s.type === 'root_cause_analysis' || s.key === 'root_cause_analysis') &&
      (s.causes?.length ?? 0) > 0
  )
  const causes = rootStep?.causes ?? []
  const selected = rootStep?.selection?.cause_id
  const cause =
    causes.find((c) => selected != null && String(c.id) === String(selected)) ?? causes[0]
  if (!cause?.description?.trim()) return undefined
  const solutionStep = steps.find((s) => s.type === 'solution' || s.key === 'solution')
  const solutionSteps = (solutionStep?.solution ?? []).map((t) => t.title ?? '')
  const description = solutionStep?.description ?? ''
  return {
    kind: 'root-cause',
    rootCause: cause.description,
    steps: (cause.root_cause_reproduction ?? []).map((t) => t.title ?? ''),
    ...(solutionStep && (description.trim() !== '' || solutionSteps.some((t) => t !== ''))
      ? { solution: { description, steps: solutionSteps } }
      : {})
  }
}

/**
 * The logins to assign: with `owners: assign` and no Sentry assignee, the suggested owners that
 * assignee-map maps come first, then the others. Unique, at most 10.
 */
export function withOwnerAssignees(
  assignees: readonly string[],
  issue: Pick<SentryIssue, 'assignedTo'>,
  signals: IssueSignals | undefined,
  config: Pick<Config, 'signals'>
): string[] {
  if (config.signals.owners !== 'assign' || issue.assignedTo) return [...assignees]
  const out: string[] = []
  for (const login of [...(signals?.owners ?? []).map((o) => o.login), ...assignees]) {
    if (login !== undefined && !out.some((l) => l.toLowerCase() === login.toLowerCase())) {
      out.push(login)
    }
  }
  return out.slice(0, MAX_ASSIGNEES)
}

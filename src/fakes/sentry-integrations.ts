/**
 * The fake Sentry's integration side: repositories connected to the organization (what
 * `statusDetails.inCommit` needs), releases (what `inNextRelease` needs), and external issues
 * linked through an integration platform installation (`/api/0/sentry-app-installations/{uuid}/
 * external-issues/`). `FakeSentry` owns one and routes to it; tests reach it as `fake.links`.
 *
 * As Sentry does:
 * - `inCommit` is checked by `InCommitValidator`: the repository must be connected to the
 *   organization (`Repository` by name), else 400 `{"statusDetails": {"inCommit": {"repository":
 *   ["Unable to find the given repository."]}}}`; the commit must be one Sentry knows;
 * - `inNextRelease` needs a release in the issue's project, else 400 "No release data present in
 *   the system to form a basis for 'Next Release'";
 * - one external issue per Sentry issue and integration: a second POST updates the first (same
 *   id); `displayName` is `project#identifier`; an unknown installation answers 404;
 * - after a merge, the merged issue's links move to the survivor.
 *
 * Only for tests and the demo: product code must not import this module.
 */

/** An answer the fake sends as is. */
export interface IntegrationReply {
  status: number
  body: unknown
  /** Sent with no body (204). */
  empty?: boolean
}

export interface FakeExternalIssue {
  id: string
  issueId: string
  /** The integration's slug. */
  serviceType: string
  displayName: string
  webUrl: string
}

const NOT_FOUND = { detail: 'The requested resource does not exist' }
const NO_RELEASE = "No release data present in the system to form a basis for 'Next Release'"

const INSTALLATION_ROUTE =
  /^\/api\/0\/sentry-app-installations\/([^/]+)\/external-issues\/(?:([^/]+)\/)?$/
const ISSUE_LINKS_ROUTE = /^\/api\/0\/organizations\/([^/]+)\/issues\/([^/]+)\/external-issues\/$/

export class FakeSentryIntegrations {
  /**
   * Repositories connected to the organization, by name as Sentry shows them (`owner/name`).
   * Undefined (default): any repository name is taken as connected.
   */
  repositories: string[] | undefined = undefined
  /** Commits Sentry has not received (answered "Unable to find the given commit."). */
  unknownCommits: string[] = []
  /** Integration platform installations: UUID → the integration's slug. */
  installations = new Map<string, string>()
  /** Every external issue linked, in creation order. */
  externalIssues: FakeExternalIssue[] = []
  #nextId = 700_000

  /** Installs an internal integration; returns its installation UUID. */
  addInstallation(slug = 'github-issues-sync', uuid?: string): string {
    const id =
      uuid ??
      `7c4e0b2a-${String(this.installations.size + 1).padStart(4, '0')}-4f1e-9a3b-2d5c8e6f1a0b`
    this.installations.set(id, slug)
    return id
  }

  /** Whether the fake answers `path` here (the caller authenticated the request first). */
  matches(path: string): boolean {
    return INSTALLATION_ROUTE.test(path) || ISSUE_LINKS_ROUTE.test(path)
  }

  /**
   * Answers an external-issue request. `issueOf` finds an issue by id the way the single-issue
   * routes do (a merged id answers as the survivor), or undefined; `org` checks an organization.
   */
  handle(
    method: string,
    path: string,
    body: string,
    issueOf: (id: string) => { id: string } | undefined,
    knownOrg: (org: string) => boolean
  ): IntegrationReply {
    const listed = ISSUE_LINKS_ROUTE.exec(path)
    if (listed) {
      if (method !== 'GET')
        return { status: 405, body: { detail: `Method "${method}" not allowed.` } }
      const issue = knownOrg(decodeURIComponent(listed[1] ?? ''))
        ? issueOf(decodeURIComponent(listed[2] ?? ''))
        : undefined
      if (!issue) return { status: 404, body: NOT_FOUND }
      return { status: 200, body: this.externalIssues.filter((l) => l.issueId === issue.id) }
    }
    const match = INSTALLATION_ROUTE.exec(path)
    const uuid = decodeURIComponent(match?.[1] ?? '')
    const slug = this.installations.get(uuid)
    if (!match || slug === undefined) return { status: 404, body: NOT_FOUND }
    const linkId = match[2] === undefined ? undefined : decodeURIComponent(match[2])
    if (linkId !== undefined) {
      if (method !== 'DELETE')
        return { status: 405, body: { detail: `Method "${method}" not allowed.` } }
      const index = this.externalIssues.findIndex((l) => l.id === linkId && l.serviceType === slug)
      if (index < 0) return { status: 404, body: { detail: 'External issue not found' } }
      this.externalIssues.splice(index, 1)
      return { status: 204, body: null, empty: true }
    }
    if (method !== 'POST')
      return { status: 405, body: { detail: `Method "${method}" not allowed.` } }
    return this.#link(slug, body, issueOf)
  }

  #link(
    slug: string,
    raw: string,
    issueOf: (id: string) => { id: string } | undefined
  ): IntegrationReply {
    let body: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(raw)
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
      body = parsed as Record<string, unknown>
    } catch {
      return { status: 400, body: { detail: 'JSON parse error' } }
    }
    const missing = ['issueId', 'webUrl', 'project', 'identifier'].filter(
      (k) => body[k] === undefined || body[k] === null || body[k] === ''
    )
    if (missing.length > 0) {
      return {
        status: 400,
        body: Object.fromEntries(missing.map((k) => [k, ['This field is required.']]))
      }
    }
    const issue = issueOf(String(body['issueId']))
    if (!issue) return { status: 404, body: NOT_FOUND }
    const displayName = `${String(body['project'])}#${String(body['identifier'])}`
    const webUrl = String(body['webUrl'])
    // One link per issue and integration: a second post updates it.
    let link = this.externalIssues.find((l) => l.issueId === issue.id && l.serviceType === slug)
    if (link) {
      link.displayName = displayName
      link.webUrl = webUrl
    } else {
      link = {
        id: String(++this.#nextId),
        issueId: issue.id,
        serviceType: slug,
        displayName,
        webUrl
      }
      this.externalIssues.push(link)
    }
    return { status: 200, body: { ...link } }
  }

  /** Sentry's merge: the merged issue's links move to the survivor. */
  moveOnMerge(mergedId: string, survivorId: string): void {
    for (const link of this.externalIssues) if (link.issueId === mergedId) link.issueId = survivorId
  }

  /**
   * The `statusDetails` a resolve stores, or the 400 Sentry answers. `projectHasRelease` tells
   * whether the issue's project has a release.
   */
  resolution(
    details: unknown,
    projectHasRelease: boolean
  ): { statusDetails: Record<string, unknown> } | IntegrationReply {
    if (details === undefined || details === null) return { statusDetails: {} }
    if (typeof details !== 'object') {
      return { status: 400, body: { statusDetails: { non_field_errors: ['Invalid data.'] } } }
    }
    const d = details as Record<string, unknown>
    if (d['inCommit'] !== undefined) {
      const c = d['inCommit'] as Record<string, unknown> | null
      const repository = typeof c?.['repository'] === 'string' ? c['repository'] : ''
      const commit = typeof c?.['commit'] === 'string' ? c['commit'] : ''
      const problem: Record<string, string[]> = {}
      if (repository === '' || (this.repositories && !this.repositories.includes(repository))) {
        problem['repository'] = ['Unable to find the given repository.']
      } else if (commit === '' || this.unknownCommits.includes(commit)) {
        problem['commit'] = ['Unable to find the given commit.']
      }
      if (Object.keys(problem).length > 0) {
        return { status: 400, body: { statusDetails: { inCommit: problem } } }
      }
      return { statusDetails: { inCommit: { id: commit, repository: { name: repository } } } }
    }
    if (d['inNextRelease'] === true) {
      if (!projectHasRelease) {
        return { status: 400, body: { statusDetails: { inNextRelease: [NO_RELEASE] } } }
      }
      return { statusDetails: { inNextRelease: true } }
    }
    return { statusDetails: {} }
  }
}

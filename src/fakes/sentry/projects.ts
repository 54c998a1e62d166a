/**
 * Projects: the organization's list (`GET /api/0/organizations/{org}/projects/`, by slug, with
 * cursor pagination) and adding them, by hand or when an issue names a project not there yet.
 */
import {
  MAX_PAGE_SIZE,
  page,
  parseCursor,
  parseIntParam,
  pattern,
  titleCase,
  type Ctx,
  type Reply,
  type Route
} from './http.js'
import type { FakeSentryProject, SentryState } from './state.js'

export const projectRoutes: Route[] = [
  {
    match: pattern('/api/0/organizations/:org/projects/'),
    methods: ['GET'],
    list: true,
    handle: listProjects
  }
]

function listProjects(s: SentryState, ctx: Ctx): Reply {
  const perPage = parseIntParam(ctx.query.get('per_page'), 'per_page', 1, MAX_PAGE_SIZE)
  const cursor = parseCursor(ctx.query.get('cursor'))
  const sorted = [...s.projects].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
  const served = sorted.map((project) => ({
    ...project,
    dateCreated: '2024-01-15T09:30:00.000000Z',
    isBookmarked: false,
    isMember: true,
    hasAccess: true,
    features: [],
    firstEvent: '2024-01-15T10:00:00.000000Z',
    status: 'active'
  }))
  return page(served, ctx, cursor, perPage)
}

/** `FakeSentry.addProject`. */
export function addProject(
  s: SentryState,
  slug: string,
  opts: { id?: string; name?: string; platform?: string }
): FakeSentryProject {
  if (s.projects.some((p) => p.slug === slug)) {
    throw new Error(`Fake Sentry already has a project "${slug}"`)
  }
  const id = opts.id ?? String(s.nextProjectId++)
  const project = {
    id,
    slug,
    name: opts.name ?? titleCase(slug),
    platform: opts.platform ?? (/web|front|js|react|vue|ui/.test(slug) ? 'javascript' : 'python')
  }
  s.projects.push(project)
  return project
}

/** The project of this slug, added when there is none; no slug: the first (or a new `backend`). */
export function projectFor(s: SentryState, slug: string | undefined): FakeSentryProject {
  if (slug === undefined) return s.projects[0] ?? addProject(s, 'backend', {})
  return s.projects.find((p) => p.slug === slug) ?? addProject(s, slug, {})
}

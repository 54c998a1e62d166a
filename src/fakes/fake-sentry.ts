/**
 * An in-process fake of the parts of Sentry's REST API the action uses, served over real HTTP on
 * loopback (node:http, port 0). Tests and the demo point the real Sentry client at `fake.url`.
 *
 * It imitates sentry.io closely where the action's behaviour depends on it:
 * - Bearer authentication on every request (401 for a missing or unknown token, 403 for tokens
 *   listed in `forbiddenTokens`), 404 for an unknown organization or route, `{"detail": ...}` bodies;
 * - `GET /api/0/organizations/{org}/issues/` with `query`, `statsPeriod`/`start`/`end`, repeatable
 *   numeric `project` and `environment`, `sort`, `limit`, `cursor`, and the batch look-up by `group`;
 * - `GET /api/0/organizations/{org}/projects/`, `GET` and `PUT /api/0/organizations/{org}/issues/{id}/`;
 * - an issue's latest event, at `GET /api/0/organizations/{org}/issues/{id}/events/latest/` and at the
 *   older unscoped `GET /api/0/issues/{id}/events/latest/` (with `legacyEventsOnly`, the org-scoped
 *   route is unknown, as on an old self-hosted server: an empty 404 from Sentry's catch-all);
 * - resolving with `statusDetails` (`inCommit`, `inNextRelease`) and external issues linked through
 *   an integration installation (`links`, see `./sentry-integrations.ts`);
 * - reads of a set-up check: `GET /api/0/` (the token's scopes, `tokenScopes`), the organization
 *   (`GET /api/0/organizations/{org}/`) and its environments (`…/environments/`);
 * - cursor pagination with Sentry's exact `Link` header (both `previous` and `next`, always);
 * - the `X-Sentry-Rate-Limit-*` headers, and optional real per-second rate limiting answered with a
 *   429 that, like Sentry, carries no `Retry-After`.
 *
 * It also moves the way a real Sentry moves between runs:
 * - counts are windowed: list items serve `count`/`userCount` for the query window and `lifetime`
 *   with the totals; `addEvents` records new events at a given time, so counts slide with the clock;
 * - with no `project`, lists and look-ups cover only the token owner's projects (`memberProjects`);
 * - `mergeIssues` (the merged ids answer with the survivor), `deleteIssue`, `renameOrg` (the old
 *   slug is unknown; the numeric `orgId` keeps working) and `setStatus`.
 *
 * Faults (`injectFault`) simulate what proxies and networks do: error statuses and HTML pages,
 * connections reset mid-body, slow responses, malformed JSON, and a cursor that loops forever.
 *
 * Issues and events are built from the examples in Sentry's own OpenAPI description (extracted into
 * `data/sentry-spec.json` by `scripts/extract-sentry-spec.mjs`), so every required field is present.
 * `issues` and `projects` are plain public arrays: tests may read and mutate them freely; every
 * request sees their current state. Keys of an issue that start with `_` (such as `_environments`)
 * are hidden data the fake filters on and never serves.
 *
 * Only for tests and the demo: product code must not import this module.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import spec from './data/sentry-spec.json' with { type: 'json' }
import { FakeSentrySignals, matchSignalRoute, type SignalRoute } from './fake-sentry-signals.js'
import { FakeSentryIntegrations } from './sentry-integrations.js'
import { listenOnLoopback } from './listen.js'

// ---------------------------------------------------------------------------------------------
// Public types

export interface FakeSentryOptions {
  /** The token the fake accepts (default `sentry-test-token`). */
  token?: string
  /** The organization slug the fake serves (default `acme`). */
  org?: string
  /** A path prefix, as for a self-hosted Sentry served under e.g. `/sentry` (default none). */
  pathPrefix?: string
  /**
   * Send `X-Sentry-Rate-Limit-Limit/-Remaining/-Reset/-ConcurrentLimit/-ConcurrentRemaining` on
   * every normal response, as sentry.io does (default true). False imitates a self-hosted server.
   */
  rateLimitHeaders?: boolean
  /**
   * Real rate limiting: once this many requests arrived in the current one-second window, answer
   * 429 (without `Retry-After`, with `X-Sentry-Rate-Limit-Reset` = the window's end in epoch
   * seconds) until the window ends. Default: unlimited.
   */
  requestsPerWindow?: number
  /** Tokens that authenticate but lack the scopes to read (answered with 403). */
  forbiddenTokens?: string[]
  /** The clock that `statsPeriod` filtering and new issues' timestamps use (default: real time). */
  now?: () => Date
  /**
   * Imitate an old self-hosted server: the org-scoped latest-event route does not exist (answered
   * like any unknown route, an empty 404), only `/api/0/issues/{id}/events/latest/` does.
   */
  legacyEventsOnly?: boolean
  /** Fixed delay (real time) before every request is handled, for benchmarks. Default 0. */
  latencyMs?: number
  /**
   * Slugs of the projects on the token owner's teams ("my projects"). Sentry's issue index uses
   * only these when a request names no `project` (`project=-1` still means every project the
   * token can access; source: `OrganizationEndpoint.get_projects`). Undefined (default): the
   * token owner is on every project's team.
   */
  memberProjects?: string[]
  /** The organization's numeric id, which Sentry accepts in place of the slug (default `1`). */
  orgId?: string
  /**
   * When the organization was created (its `dateCreated`); with `orgId`, what tells one Sentry
   * installation from another. Default: the date of Sentry's own example organization.
   */
  orgCreated?: string
  /**
   * Sentry's own idea of its URL (self-hosted `system.url-prefix`): permalinks and organization
   * links use it, whatever host a request came in by. Default: the fake's own `url`.
   */
  urlPrefix?: string
}

export interface FakeSentryProject {
  id: string
  slug: string
  name: string
  platform: string
}

export interface FakeSentryRequest {
  method: string
  /** The request path without the `pathPrefix`, e.g. `/api/0/organizations/acme/issues/`. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
}

/**
 * A fault applies to the next request(s) that match: `times` requests (default 1; for
 * `loop-cursor` default forever), restricted to requests whose path (without the prefix) plus
 * query string contains `pathIncludes`. Faults are tried in the order they were injected; at most
 * one applies to a request.
 */
export type SentryFault = { times?: number; pathIncludes?: string } & (
  | {
      /** Answer with this status (and headers and body; default a JSON `{"detail": ...}`). */
      kind: 'status'
      status: number
      headers?: Record<string, string>
      body?: string
    }
  /** Send the headers and part of a 200 body, then destroy the socket. */
  | { kind: 'reset' }
  /** Handle the request normally, but only after `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /** Answer 200 with a truncated JSON document. */
  | { kind: 'malformed-json' }
  /** On list endpoints only: a `Link` whose `next` cursor points back to the current page. */
  | { kind: 'loop-cursor' }
)

/** An issue as the fake stores it: the API's fields plus hidden `_`-prefixed ones. */
export type FakeIssue = Record<string, unknown>

/** Fields to set on a new issue; anything not given gets a realistic default. */
export interface FakeIssueInput {
  /** Slug of the issue's project (default: the first project; one is created if there is none). */
  projectSlug?: string
  /** Environments the issue was seen in (stored hidden as `_environments`; default production). */
  environments?: string[]
  id?: string
  shortId?: string
  title?: string
  culprit?: string | null
  level?: string
  status?: string
  substatus?: string | null
  priority?: string | null
  /** Sentry serves `count` as a string; a number given here is stored as a string. */
  count?: string | number
  userCount?: number
  firstSeen?: string | null
  lastSeen?: string | null
  metadata?: Record<string, unknown>
  assignedTo?: Record<string, unknown> | null
  isUnhandled?: boolean
  [field: string]: unknown
}

/** An event as the fake stores and serves it (an `IssueEventDetailsResponse`). */
export type FakeEvent = Record<string, unknown>

/** One stack frame of a new event; missing fields get realistic defaults. */
export interface FakeFrameInput {
  filename: string
  absPath?: string | null
  module?: string | null
  function?: string | null
  lineNo?: number | null
  colNo?: number | null
  inApp?: boolean | null
  /** Source lines around `lineNo`, as Sentry serves them: `[lineNo, text]`. */
  context?: Array<[number, string]>
}

/** Fields to set on a new event; anything not given is derived from its issue. */
export interface FakeEventInput {
  /** JavaScript (browser) or Python (Django) shape; default from the issue's platform. */
  flavour?: 'javascript' | 'python'
  id?: string
  dateCreated?: string
  /** The raised exception's type and value (default: the issue's metadata). */
  type?: string
  value?: string
  mechanism?: { type: string; handled: boolean } | null
  /** Oldest call first, the raising frame last (default: realistic frames for the flavour). */
  frames?: FakeFrameInput[]
  /** Tags, as `{key: value}` or Sentry's `[{key, value}]` (default: realistic tags). */
  tags?: Record<string, string> | Array<{ key: string; value: string }>
  /** The release version; null for none. */
  release?: string | null
  environment?: string
  /** Any other field of the served event, set last. */
  [field: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// Constants

const DEFAULT_TOKEN = 'sentry-test-token'
const DEFAULT_ORG = 'acme'
/** Nominal per-second budget advertised when no real limit is configured. */
const NOMINAL_RATE_LIMIT = 1000
const CONCURRENT_LIMIT = 25
const MAX_PAGE_SIZE = 100
const DEFAULT_PERIOD_MS = 90 * 24 * 3600_000
const FIRST_ISSUE_ID = 6_000_000_000
const FIRST_PROJECT_ID = 4_500_000_000_000_000

const DETAIL_NOT_FOUND = 'The requested resource does not exist'
/** What current servers say on the org-scoped route when the issue has no event (in range). */
const DETAIL_NO_EVENT = 'Event not found'
/** What the older unscoped route says. */
const DETAIL_NO_EVENTS_LEGACY = 'No events found for group'
const DETAIL_INVALID_TOKEN = 'Invalid token'
const DETAIL_FORBIDDEN = 'You do not have permission to perform this action.'

const ISSUE_SORTS = new Set(['date', 'new', 'freq', 'user', 'trends', 'inbox', 'recommended'])
const IS_STATUSES: Record<string, string> = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  ignored: 'ignored',
  archived: 'ignored'
}
const PUT_STATUSES: Record<string, { status: string; substatus: string | null }> = {
  resolved: { status: 'resolved', substatus: null },
  resolvedInNextRelease: { status: 'resolved', substatus: null },
  unresolved: { status: 'unresolved', substatus: 'ongoing' },
  ignored: { status: 'ignored', substatus: 'archived_until_escalating' }
}
/** Substatuses by status, the default first (Sentry's `GroupSubStatus`). */
const SUBSTATUSES: Record<string, string[]> = {
  resolved: [],
  unresolved: ['ongoing', 'new', 'regressed', 'escalating'],
  ignored: ['archived_until_escalating', 'archived_until_condition_met', 'archived_forever']
}
const PERIOD_UNITS_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 86_400_000,
  w: 604_800_000
}

// ---------------------------------------------------------------------------------------------
// The spec's example issue

interface ExtractedSpec {
  operations: Record<
    string,
    { examples: Record<string, Record<string, { value: unknown }>> } | undefined
  >
}

const ISSUES_LIST_OPERATION = 'GET /api/0/organizations/{organization_id_or_slug}/issues/'

/** The first item of the issues-list example in Sentry's OpenAPI description. */
function specExampleIssue(): FakeIssue {
  const examples = (spec as unknown as ExtractedSpec).operations[ISSUES_LIST_OPERATION]?.examples
  const first = Object.values(examples?.['200'] ?? {})[0]?.value
  if (!Array.isArray(first) || typeof first[0] !== 'object' || first[0] === null) {
    throw new Error('data/sentry-spec.json has no issues-list example: re-run the extract script')
  }
  return first[0] as FakeIssue
}

const EXAMPLE_ISSUE = specExampleIssue()

/**
 * A fresh copy of the spec's example issue: every field Sentry's description requires, for
 * fixtures to start from and override.
 */
export function exampleIssueFromSpec(): FakeIssue {
  return structuredClone(EXAMPLE_ISSUE)
}

const ORGANIZATION_OPERATION = 'GET /api/0/organizations/{organization_id_or_slug}/'

/** The 200 example of an operation in Sentry's OpenAPI description, as an object. */
function specExample(operation: string): Record<string, unknown> {
  const examples = (spec as unknown as ExtractedSpec).operations[operation]?.examples
  const first = Object.values(examples?.['200'] ?? {})[0]?.value
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new Error(
      `data/sentry-spec.json has no example for ${operation}: re-run the extract script`
    )
  }
  return structuredClone(first as Record<string, unknown>)
}

const EVENT_DETAILS_OPERATION =
  'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/'

/** The example of `IssueEventDetailsResponse` in Sentry's OpenAPI description. */
function specExampleEvent(): FakeEvent {
  const examples = (spec as unknown as ExtractedSpec).operations[EVENT_DETAILS_OPERATION]?.examples
  const first = Object.values(examples?.['200'] ?? {})[0]?.value
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new Error('data/sentry-spec.json has no event example: re-run the extract script')
  }
  return first as FakeEvent
}

const EXAMPLE_EVENT = specExampleEvent()

// ---------------------------------------------------------------------------------------------
// Seed data

interface ErrorTemplate {
  type: string
  values: string[]
  filename: string
  function: string
  module: string
  /** The raising line of its latest events: number and source, with the lines around it. */
  lineNo: number
  code: [before: string, line: string, after: string]
}

const PYTHON_ERRORS: ErrorTemplate[] = [
  {
    type: 'KeyError',
    values: ["'user_id'", "'order_id'", "'tenant'", "'Authorization'"],
    filename: 'app/views/users.py',
    function: 'get_user',
    module: 'app.views.users',
    lineNo: 42,
    code: [
      '    def get_user(request):',
      "        user_id = request.session['user_id']",
      '        return User.objects.get(pk=user_id)'
    ]
  },
  {
    type: 'ValueError',
    values: ["invalid literal for int() with base 10: 'abc'", 'too many values to unpack'],
    filename: 'app/services/billing.py',
    function: 'parse_amount',
    module: 'app.services.billing',
    lineNo: 87,
    code: ["    raw_amount = payload.get('amount', '0')", '    return int(raw_amount)', '']
  },
  {
    type: 'AttributeError',
    values: ["'NoneType' object has no attribute 'id'", "'dict' object has no attribute 'email'"],
    filename: 'app/models/order.py',
    function: 'customer_email',
    module: 'app.models.order',
    lineNo: 133,
    code: ['    def customer_email(self):', '        return self.customer.profile.email', '']
  },
  {
    type: 'ZeroDivisionError',
    values: ['division by zero'],
    filename: 'app/reports/metrics.py',
    function: 'conversion_rate',
    module: 'app.reports.metrics',
    lineNo: 58,
    code: ['    visits = stats.visits(day)', '    return orders / visits', '']
  },
  {
    type: 'OperationalError',
    values: ['could not connect to server: Connection refused', 'server closed the connection'],
    filename: 'app/db/session.py',
    function: 'execute',
    module: 'app.db.session',
    lineNo: 21,
    code: [
      '    def execute(self, statement, params=None):',
      '        return self.connection.execute(statement, params)',
      ''
    ]
  },
  {
    type: 'TimeoutError',
    values: ['timed out after 30 seconds waiting for payments-api'],
    filename: 'app/clients/payments.py',
    function: 'charge',
    module: 'app.clients.payments',
    lineNo: 64,
    code: [
      "        payload = {'amount': amount, 'currency': currency}",
      '        response = self.session.post(self.url, json=payload, timeout=30)',
      '        response.raise_for_status()'
    ]
  }
]

const JAVASCRIPT_ERRORS: ErrorTemplate[] = [
  {
    type: 'TypeError',
    values: [
      "Cannot read properties of undefined (reading 'id')",
      "Cannot read properties of null (reading 'map')",
      'fetch failed'
    ],
    filename: 'src/components/UserCard.tsx',
    function: 'UserCard',
    module: 'src/components/UserCard',
    lineNo: 18,
    code: [
      'export function UserCard({ user }: Props) {',
      '  const initials = user.profile.name.slice(0, 2)',
      '  return <Avatar initials={initials} />'
    ]
  },
  {
    type: 'ReferenceError',
    values: ['process is not defined', 'analytics is not defined'],
    filename: 'src/lib/tracking.ts',
    function: 'track',
    module: 'src/lib/tracking',
    lineNo: 9,
    code: [
      'export function track(event: string, properties?: object) {',
      '  analytics.track(event, properties)',
      '}'
    ]
  },
  {
    type: 'RangeError',
    values: ['Maximum call stack size exceeded', 'Invalid time value'],
    filename: 'src/utils/date.ts',
    function: 'formatDate',
    module: 'src/utils/date',
    lineNo: 27,
    code: [
      "export function formatDate(value: string, locale = 'en-US') {",
      '  return new Intl.DateTimeFormat(locale).format(new Date(value))',
      '}'
    ]
  },
  {
    type: 'SyntaxError',
    values: ['Unexpected token < in JSON at position 0', 'Unexpected end of JSON input'],
    filename: 'src/api/client.ts',
    function: 'parseResponse',
    module: 'src/api/client',
    lineNo: 44,
    code: ['  const text = await response.text()', '  return JSON.parse(text)', '}']
  },
  {
    type: 'ChunkLoadError',
    values: ['Loading chunk 42 failed.', 'Loading chunk 7 failed.'],
    filename: 'webpack/runtime/jsonp chunk loading',
    function: 'loadChunk',
    module: 'webpack/runtime',
    lineNo: 1,
    code: ['', 'var loadChunk = function (chunkId) { return __webpack_require__.e(chunkId) }', '']
  },
  {
    type: 'Error',
    values: ['Request failed with status code 500', 'Network Error'],
    filename: 'src/api/orders.ts',
    function: 'fetchOrders',
    module: 'src/api/orders',
    lineNo: 12,
    code: [
      'export async function fetchOrders(page = 1) {',
      '  const response = await http.get(`/api/orders?page=${page}`)',
      '  return response.data'
    ]
  }
]

const PEOPLE = [
  { id: '101', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: '102', name: 'Grace Hopper', email: 'grace@example.com' },
  { id: '103', name: 'Alan Turing', email: 'alan@example.com' }
]
const TEAMS = [
  { id: '201', name: 'backend' },
  { id: '202', name: 'frontend' }
]

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

// ---------------------------------------------------------------------------------------------
// Events

/** Frames that call into the raising one, per flavour: framework first, then the app's own. */
export const CALLER_FRAMES: Readonly<Record<'javascript' | 'python', readonly FakeFrameInput[]>> = {
  javascript: [
    {
      filename: './node_modules/react-dom/cjs/react-dom.production.min.js',
      absPath: 'app:///node_modules/react-dom/cjs/react-dom.production.min.js',
      module: 'react-dom/cjs/react-dom.production.min',
      function: 'commitRoot',
      lineNo: 1,
      colNo: 118_402,
      inApp: false
    },
    {
      filename: './node_modules/react-dom/cjs/react-dom.production.min.js',
      absPath: 'app:///node_modules/react-dom/cjs/react-dom.production.min.js',
      module: 'react-dom/cjs/react-dom.production.min',
      function: 'renderWithHooks',
      lineNo: 1,
      colNo: 57_212,
      inApp: false
    },
    {
      filename: './src/pages/Dashboard.tsx',
      absPath: 'app:///src/pages/Dashboard.tsx',
      module: 'src/pages/Dashboard',
      function: 'Dashboard',
      lineNo: 57,
      colNo: 11,
      inApp: true,
      context: [
        [56, '    <section className="dashboard">'],
        [57, '      {items.map((item) => <UserCard key={item.id} user={item.user} />)}'],
        [58, '    </section>']
      ]
    }
  ],
  python: [
    {
      filename: 'django/core/handlers/exception.py',
      absPath: '/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py',
      module: 'django.core.handlers.exception',
      function: 'inner',
      lineNo: 55,
      inApp: false,
      context: [
        [54, '        try:'],
        [55, '            response = get_response(request)'],
        [56, '        except Exception as exc:']
      ]
    },
    {
      filename: 'django/core/handlers/base.py',
      absPath: '/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py',
      module: 'django.core.handlers.base',
      function: '_get_response',
      lineNo: 197,
      inApp: false,
      context: [
        [196, '            try:'],
        [
          197,
          '                response = wrapped_callback(request, *callback_args, **callback_kwargs)'
        ],
        [198, '            except Exception as e:']
      ]
    },
    {
      filename: 'app/api/dispatch.py',
      absPath: '/srv/app/app/api/dispatch.py',
      module: 'app.api.dispatch',
      function: 'dispatch',
      lineNo: 41,
      inApp: true,
      context: [
        [40, '    handler = ROUTES[request.resolver_match.url_name]'],
        [41, '    return handler(request, **kwargs)'],
        [42, '']
      ]
    }
  ]
}

const BROWSERS = [
  { name: 'Chrome', version: '124.0.6367' },
  { name: 'Firefox', version: '125.0' },
  { name: 'Safari', version: '17.4.1' },
  { name: 'Edge', version: '124.0.2478' }
]
const BROWSER_OSES = [
  { name: 'Windows', version: '10' },
  { name: 'Mac OS X', version: '10.15.7' },
  { name: 'iOS', version: '17.4.1' },
  { name: 'Android', version: '14' }
]
const JS_PAGES = ['/dashboard', '/orders', '/settings/profile', '/checkout']
const PY_ROUTES = [
  '/api/users/{user_id}',
  '/api/orders/{order_id}',
  '/api/reports/daily',
  '/api/payments'
]

/** The catalogue entry an issue was seeded from (by its metadata), if any. */
function templateFor(metadata: Record<string, unknown>): ErrorTemplate | undefined {
  return [...PYTHON_ERRORS, ...JAVASCRIPT_ERRORS].find(
    (t) => t.type === metadata['type'] && t.filename === metadata['filename']
  )
}

/** 32 lower-case hex digits from a number (event ids). */
function hexId(n: number): string {
  const random = prng(n)
  let out = ''
  while (out.length < 32)
    out += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0')
  return out.slice(0, 32)
}

/** A release version: semver for front ends, a commit SHA for back ends. */
function defaultRelease(
  flavour: 'javascript' | 'python',
  issue: FakeIssue,
  random: () => number
): string {
  const project = (issue['project'] as Record<string, unknown> | undefined) ?? {}
  if (flavour === 'javascript') {
    return `${scalarText(project['slug'], 'web')}@2.${14 + Math.floor(random() * 3)}.${Math.floor(random() * 10)}`
  }
  return hexId(Math.floor(random() * 1_000_000)).slice(0, 32) + hexId(7).slice(0, 8)
}

function isoPlus(iso: string, ms: number): string {
  const time = Date.parse(iso)
  return new Date((Number.isNaN(time) ? 0 : time) + ms).toISOString()
}

/** A frame as Sentry serves it: every field present, null where unknown. */
function serveFrame(frame: FakeFrameInput): Record<string, unknown> {
  return {
    absPath: frame.absPath ?? frame.filename,
    colNo: frame.colNo ?? null,
    context: frame.context ?? [],
    errors: null,
    filename: frame.filename,
    function: frame.function ?? null,
    inApp: frame.inApp ?? false,
    instructionAddr: null,
    lineNo: frame.lineNo ?? null,
    module: frame.module ?? null,
    package: null,
    platform: null,
    rawFunction: null,
    symbol: null,
    symbolAddr: null,
    trust: null,
    vars: null
  }
}

/** The raising frame of an issue's events, from its catalogue entry or its metadata. */
function raisingFrame(
  flavour: 'javascript' | 'python',
  metadata: Record<string, unknown>,
  colNo: number
): FakeFrameInput {
  const template = templateFor(metadata)
  const filename =
    template?.filename ??
    (typeof metadata['filename'] === 'string'
      ? metadata['filename']
      : flavour === 'python'
        ? 'app/main.py'
        : 'src/main.ts')
  const fn =
    template?.function ?? (typeof metadata['function'] === 'string' ? metadata['function'] : null)
  const lineNo = template?.lineNo ?? 1
  const [before, line, after] = template?.code ?? ['', fn === null ? 'main()' : `${fn}()`, '']
  const context: Array<[number, string]> = [
    ...(lineNo > 1 ? [[lineNo - 1, before] as [number, string]] : []),
    [lineNo, line],
    [lineNo + 1, after]
  ]
  if (flavour === 'python') {
    return {
      filename,
      absPath: `/srv/app/${filename}`,
      module: template?.module ?? filename.replace(/\.py$/, '').replaceAll('/', '.'),
      function: fn,
      lineNo,
      inApp: true,
      context
    }
  }
  const path = filename.replace(/^\.?\//, '')
  return {
    filename: `./${path}`,
    absPath: `app:///${path}`,
    module: template?.module ?? path.replace(/\.[a-z]+$/, ''),
    function: fn,
    lineNo,
    colNo,
    inApp: true,
    context
  }
}

/** Tags as Sentry serves them: `[{key, value}]`, sorted by key. */
function tagList(tags: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] ?? '' }))
}

interface EventBuild {
  issue: FakeIssue
  flavour: 'javascript' | 'python'
  eventId: string
  dateCreated: string
  type: string
  value: string
  mechanism: { type: string; handled: boolean } | null
  frames: FakeFrameInput[]
  tags: Array<{ key: string; value: string }>
  release: string | null
  contexts: Record<string, unknown>
}

/**
 * A complete `IssueEventDetailsResponse`: the spec's example (so every required field is there)
 * with the event's own exception, frames, tags, release and contexts.
 */
function buildEvent(b: EventBuild): FakeEvent {
  const project = (b.issue['project'] as Record<string, unknown> | undefined) ?? {}
  const platform = b.flavour
  const title = `${b.type}: ${b.value}`
  const raising = b.frames[b.frames.length - 1]
  const example = structuredClone(EXAMPLE_EVENT)
  const release =
    b.release === null
      ? null
      : {
          ...(example['release'] as Record<string, unknown>),
          version: b.release,
          shortVersion: /^[0-9a-f]{40}$/.test(b.release) ? b.release.slice(0, 12) : b.release,
          ref: null,
          url: null,
          dateCreated: isoPlus(b.dateCreated, -86_400_000),
          dateReleased: isoPlus(b.dateCreated, -82_800_000),
          lastCommit: null,
          lastDeploy: null
        }
  return {
    ...example,
    id: b.eventId,
    eventID: b.eventId,
    groupID: String(b.issue['id']),
    projectID: scalarText(project['id'], ''),
    title,
    message: '',
    culprit: b.issue['culprit'] ?? null,
    location: raising?.filename ?? null,
    platform,
    type: 'error',
    dateCreated: b.dateCreated,
    dateReceived: isoPlus(b.dateCreated, 412),
    metadata: { type: b.type, value: b.value, ...(raising ? { filename: raising.filename } : {}) },
    entries: [
      {
        type: 'exception',
        data: {
          excOmitted: null,
          hasSystemFrames: b.frames.some((f) => f.inApp !== true),
          values: [
            {
              type: b.type,
              value: b.value,
              module: platform === 'python' ? (raising?.module ?? null) : null,
              mechanism: b.mechanism,
              rawStacktrace: null,
              stacktrace: {
                frames: b.frames.map(serveFrame),
                framesOmitted: null,
                hasSystemFrames: b.frames.some((f) => f.inApp !== true),
                registers: null
              },
              threadId: null
            }
          ]
        }
      }
    ],
    tags: b.tags,
    release,
    contexts: b.contexts,
    context: {},
    sdk:
      platform === 'python'
        ? { name: 'sentry.python.django', version: '2.5.1' }
        : { name: 'sentry.javascript.react', version: '8.7.0' },
    user: { data: null, email: null, id: null, ip_address: null, name: null, username: null },
    fingerprints: [hexId(Number(b.issue['id']) || 1)],
    errors: [],
    nextEventID: null,
    previousEventID: null,
    occurrence: null,
    userReport: null,
    _meta: { ...(example['_meta'] as Record<string, unknown>) }
  }
}

/** Realistic tags and contexts for an event of the given flavour. */
function eventEnvironment(
  flavour: 'javascript' | 'python',
  random: () => number,
  opts: {
    environment: string
    release: string | null
    level: string
    handled: boolean
    mechanism: string
  }
): { tags: Record<string, string>; contexts: Record<string, unknown> } {
  const base: Record<string, string> = {
    environment: opts.environment,
    handled: opts.handled ? 'yes' : 'no',
    level: opts.level,
    mechanism: opts.mechanism,
    ...(opts.release === null ? {} : { release: opts.release })
  }
  if (flavour === 'javascript') {
    const browser = pick(random, BROWSERS)
    const os = pick(random, BROWSER_OSES)
    const page = pick(random, JS_PAGES)
    return {
      tags: {
        ...base,
        browser: `${browser.name} ${browser.version}`,
        'browser.name': browser.name,
        os: `${os.name} ${os.version}`,
        'os.name': os.name,
        transaction: page,
        url: `https://app.example.com${page}`
      },
      contexts: {
        browser: { name: browser.name, version: browser.version, type: 'browser' },
        os: { name: os.name, version: os.version, type: 'os' }
      }
    }
  }
  const route = pick(random, PY_ROUTES)
  const server = `web-${1 + Math.floor(random() * 4)}`
  return {
    tags: {
      ...base,
      runtime: 'CPython 3.12.3',
      'runtime.name': 'CPython',
      server_name: server,
      transaction: route,
      url: `https://api.example.com${route.replace(/\{[a-z_]+\}/g, '42')}`
    },
    contexts: {
      runtime: { name: 'CPython', version: '3.12.3', type: 'runtime' },
      os: { name: 'Linux', version: '6.1.0', type: 'os' }
    }
  }
}

/**
 * A complete event for `issue` (an issue as the fake stores it), as `addEvent` builds it; pure and
 * deterministic for a given `sequence` number. Exported for fixtures that need realistic events
 * without a server.
 */
export function createFakeEvent(
  issue: FakeIssue,
  input: FakeEventInput = {},
  sequence = 1,
  now: Date = new Date()
): FakeEvent {
  const number = sequence
  const {
    flavour: flavourInput,
    id,
    dateCreated,
    type,
    value,
    mechanism,
    frames,
    tags,
    release,
    environment,
    ...rest
  } = input
  const platform = scalarText(issue['platform'], '')
  const flavour =
    flavourInput ?? (/javascript|node|react|vue|angular/.test(platform) ? 'javascript' : 'python')
  const metadata = (issue['metadata'] as Record<string, unknown> | undefined) ?? {}
  const random = prng(number * 7919 + Number(String(issue['id']).slice(-6)))
  const releaseVersion = release !== undefined ? release : defaultRelease(flavour, issue, random)
  const level = scalarText(issue['level'], 'error')
  const handled = issue['isUnhandled'] === false
  const mechanismValue =
    mechanism !== undefined
      ? mechanism
      : {
          type: flavour === 'python' ? 'django' : handled ? 'generic' : 'onunhandledrejection',
          handled
        }
  const env = eventEnvironment(flavour, random, {
    environment:
      environment ??
      (Array.isArray(issue['_environments']) ? String(issue['_environments'][0]) : 'production'),
    release: releaseVersion,
    level,
    handled,
    mechanism: mechanismValue?.type ?? 'generic'
  })
  const event = buildEvent({
    issue,
    flavour,
    eventId: id ?? hexId(number),
    dateCreated:
      dateCreated ??
      (typeof issue['lastSeen'] === 'string' ? issue['lastSeen'] : now.toISOString()),
    type: type ?? (typeof metadata['type'] === 'string' ? metadata['type'] : 'Error'),
    value: value ?? (typeof metadata['value'] === 'string' ? metadata['value'] : ''),
    mechanism: mechanismValue,
    frames: frames ?? [
      ...CALLER_FRAMES[flavour],
      raisingFrame(flavour, metadata, 9 + Math.floor(random() * 40))
    ],
    tags: tags === undefined ? tagList(env.tags) : Array.isArray(tags) ? tags : tagList(tags),
    release: releaseVersion,
    contexts: env.contexts
  })
  Object.assign(event, rest)
  return event
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** An error answer (`{"detail": ...}`) thrown inside request handling. */
class HttpError extends Error {
  readonly status: number
  readonly detail: string

  constructor(status: number, detail: string) {
    super(detail)
    this.status = status
    this.detail = detail
  }
}

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
  /** Sent as is instead of `body` as JSON (an empty 404 from the catch-all route). */
  rawBody?: string
}

type Route =
  | { name: 'issues'; org: string }
  | { name: 'projects'; org: string }
  | { name: 'issue'; org: string; id: string }
  | { name: 'latest-event'; org: string; id: string }
  | { name: 'legacy-latest-event'; id: string }
  | { name: 'comments'; org: string; id: string }
  | { name: 'setup'; what: 'auth-info' } // GET /api/0/ (set-up checks)
  | { name: 'signals'; org: string; signal: SignalRoute } // see fake-sentry-signals.ts
  | { name: 'setup'; what: 'organization' | 'environments'; org: string }

const ROUTE_PATTERN = /^\/api\/0\/organizations\/([^/]+)\/(issues|projects)\/(?:([^/]+)\/)?$/

const LATEST_EVENT_PATTERN = /^\/api\/0\/organizations\/([^/]+)\/issues\/([^/]+)\/events\/latest\/$/
const LEGACY_LATEST_EVENT_PATTERN = /^\/api\/0\/issues\/([^/]+)\/events\/latest\/$/
const COMMENTS_PATTERN = /^\/api\/0\/organizations\/([^/]+)\/issues\/([^/]+)\/comments\/$/

/** The read-only routes of a set-up check: the token's scopes, the organization, environments. */
function matchSetupRoute(path: string): Route | undefined {
  if (path === '/api/0/') return { name: 'setup', what: 'auth-info' }
  const match = /^\/api\/0\/organizations\/([^/]+)\/(environments\/)?$/.exec(path)
  if (!match) return undefined
  const org = decodeURIComponent(match[1] ?? '')
  return { name: 'setup', what: match[2] ? 'environments' : 'organization', org }
}

function matchRoute(path: string): Route | undefined {
  const setup = matchSetupRoute(path)
  if (setup) return setup
  const signal = matchSignalRoute(path)
  if (signal) return { name: 'signals', org: signal.org, signal }
  const comments = COMMENTS_PATTERN.exec(path)
  if (comments) {
    return {
      name: 'comments',
      org: decodeURIComponent(comments[1] ?? ''),
      id: decodeURIComponent(comments[2] ?? '')
    }
  }
  const latest = LATEST_EVENT_PATTERN.exec(path)
  if (latest) {
    return {
      name: 'latest-event',
      org: decodeURIComponent(latest[1] ?? ''),
      id: decodeURIComponent(latest[2] ?? '')
    }
  }
  const legacy = LEGACY_LATEST_EVENT_PATTERN.exec(path)
  if (legacy) return { name: 'legacy-latest-event', id: decodeURIComponent(legacy[1] ?? '') }
  const match = ROUTE_PATTERN.exec(path)
  if (!match) return undefined
  const org = decodeURIComponent(match[1] ?? '')
  const id = match[3] === undefined ? undefined : decodeURIComponent(match[3])
  if (match[2] === 'projects') return id === undefined ? { name: 'projects', org } : undefined
  return id === undefined ? { name: 'issues', org } : { name: 'issue', org, id }
}

const ALLOWED_METHODS: Record<Route['name'], string[]> = {
  issues: ['GET'],
  projects: ['GET'],
  issue: ['GET', 'PUT'],
  'latest-event': ['GET'],
  'legacy-latest-event': ['GET'],
  comments: ['POST'],
  setup: ['GET'],
  signals: ['GET', 'POST']
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function titleCase(slug: string): string {
  return slug
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ')
}

/** Strips the hidden `_`-prefixed keys of an issue. */
function serveIssue(issue: FakeIssue): Record<string, unknown> {
  return Object.fromEntries(Object.entries(issue).filter(([key]) => !key.startsWith('_')))
}

/**
 * Events of an issue at one instant: how many, and how many users they affected. Stored hidden
 * as `_buckets`. The issue's own `count`/`userCount`/`lastSeen` fields are its lifetime totals;
 * whatever part of those totals the buckets do not account for (all of it for an issue that was
 * only added, or raised by a test writing `count` directly) counts as seen at `lastSeen`. So an
 * issue added with `count: 50` serves 50 in every window that covers its `lastSeen`, as before
 * events were modelled.
 */
interface EventBucket {
  at: number
  events: number
  users: number
}

function bucketsOf(issue: FakeIssue): EventBucket[] {
  const buckets = issue['_buckets']
  return Array.isArray(buckets) ? (buckets as EventBucket[]) : []
}

/**
 * The issue's buckets, stored, with the unbucketed part of its totals fixed as a bucket at the
 * current `lastSeen` (before a change moves `lastSeen`).
 */
function freezeBuckets(issue: FakeIssue): EventBucket[] {
  const rest = unbucketed(issue)
  const buckets = [...bucketsOf(issue)]
  if (rest !== undefined) {
    const same = buckets.find((b) => b.at === rest.at)
    if (same) {
      same.events += rest.events
      same.users += rest.users
    } else {
      buckets.push(rest)
    }
  }
  issue['_buckets'] = buckets
  return buckets
}

/** Lifetime totals, or undefined when the stored fields are not numbers (a deliberately broken fixture). */
function lifetimeTotals(issue: FakeIssue): { count: number; userCount: number } | undefined {
  const count = issue['count']
  const userCount = issue['userCount']
  if (typeof count !== 'string' || !/^\d+$/.test(count)) return undefined
  if (typeof userCount !== 'number' || !Number.isInteger(userCount)) return undefined
  return { count: Number(count), userCount }
}

/** The part of the lifetime totals the buckets do not account for, seen at `lastSeen`. */
function unbucketed(issue: FakeIssue): EventBucket | undefined {
  const totals = lifetimeTotals(issue)
  const lastSeen = toTime(issue['lastSeen'])
  if (totals === undefined || lastSeen === undefined) return undefined
  const buckets = bucketsOf(issue)
  const events = totals.count - buckets.reduce((sum, b) => sum + b.events, 0)
  const users = totals.userCount - buckets.reduce((sum, b) => sum + b.users, 0)
  return events === 0 && users === 0 ? undefined : { at: lastSeen, events, users }
}

/**
 * `count` and `userCount` within [from, to], as Sentry's `StreamGroupSerializerSnuba` computes
 * them for the issue index from the query window: the events in range and the distinct users
 * among them. The fake sums each bucket's users, an approximation (Sentry counts distinct users;
 * the sum can exceed that), so the result is capped at the lifetime user count. Undefined when
 * the stored totals are not numbers.
 */
function windowedSeen(
  issue: FakeIssue,
  [from, to]: [number, number]
): { count: string; userCount: number } | undefined {
  const totals = lifetimeTotals(issue)
  if (totals === undefined) return undefined
  const rest = unbucketed(issue)
  let events = 0
  let users = 0
  for (const bucket of rest === undefined ? bucketsOf(issue) : [...bucketsOf(issue), rest]) {
    if (bucket.at < from || bucket.at > to) continue
    events += bucket.events
    users += bucket.users
  }
  return {
    count: String(Math.min(totals.count, Math.max(0, events))),
    userCount: Math.min(totals.userCount, Math.max(0, users))
  }
}

/** The issue's totals as Sentry serves them in `lifetime`. */
function lifetimeOf(issue: FakeIssue): unknown {
  const stored = issue['lifetime']
  if (lifetimeTotals(issue) === undefined) return stored
  return {
    ...(typeof stored === 'object' && stored !== null ? stored : {}),
    count: issue['count'],
    userCount: issue['userCount'],
    firstSeen: issue['firstSeen'] ?? null,
    lastSeen: issue['lastSeen'] ?? null
  }
}

/**
 * An item of the issue index (`StreamGroupSerializerSnuba`): `count`/`userCount` within the
 * window (all time when there is none, as for the `group=` look-up), `lifetime` with the totals,
 * left out with `collapse=lifetime` (Sentry's serializer skips it then). A fixture whose stored
 * count is not a numeric string is served as stored, so tests can break the shape on purpose.
 */
function serveListItem(
  issue: FakeIssue,
  window: [number, number] | undefined,
  query: URLSearchParams
): Record<string, unknown> {
  const served = serveIssue(issue)
  const seen = windowedSeen(issue, window ?? [-Infinity, Infinity])
  if (seen !== undefined) {
    served['count'] = seen.count
    served['userCount'] = seen.userCount
  }
  served['lifetime'] = lifetimeOf(issue)
  if (query.getAll('collapse').includes('lifetime')) delete served['lifetime']
  return served
}

/**
 * A single issue (`GET`/`PUT …/issues/{id}/`). Sentry's `GroupDetailsEndpoint` serializes it with
 * `GroupSerializerSnuba` without a window and then sets `count` to the issue's global
 * `times_seen`: every figure is a total, and there is no `lifetime` key (only the index's stream
 * serializer adds that).
 */
function serveDetails(issue: FakeIssue): Record<string, unknown> {
  const served = serveIssue(issue)
  delete served['lifetime']
  return served
}

function toTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : 0
  }
  return 0
}

/** A string, number or boolean field as text; `fallback` when missing or of another type. */
function scalarText(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : fallback
}

function issueProjectId(issue: FakeIssue): string | undefined {
  const project = issue['project']
  if (typeof project !== 'object' || project === null) return undefined
  const id = (project as Record<string, unknown>)['id']
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

/** Splits a search query into tokens, keeping double-quoted phrases (and `key:"a b"`) whole. */
function tokenize(query: string): string[] {
  return query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value
}

/** The values of `key:value` or `key:[a,b]`. */
function listValues(value: string): string[] {
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  return inner
    .split(',')
    .map((v) => unquote(v.trim()))
    .filter((v) => v !== '')
}

function parseIntParam(value: string | null, name: string, min: number, max: number): number {
  if (value === null) return max
  if (!/^\d+$/.test(value)) throw new HttpError(400, `Invalid ${name} parameter: not an integer.`)
  const parsed = Number(value)
  if (parsed < min || parsed > max) {
    throw new HttpError(400, `Invalid ${name} parameter: must be between ${min} and ${max}.`)
  }
  return parsed
}

interface Cursor {
  value: string
  offset: number
  isPrev: boolean
}

function parseCursor(value: string | null): Cursor {
  if (value === null) return { value: '0', offset: 0, isPrev: false }
  const match = /^(-?\d+(?:\.\d+)?):(\d+):([01])$/.exec(value)
  if (!match) throw new HttpError(400, 'Invalid cursor parameter.')
  return { value: match[1] ?? '0', offset: Number(match[2]), isPrev: match[3] === '1' }
}

// ---------------------------------------------------------------------------------------------
// The server

interface QueuedFault {
  fault: SentryFault
  remaining: number
}

interface PendingDelay {
  timer: NodeJS.Timeout
  resolve: () => void
}

/** A fake Sentry server. Create one with `FakeSentry.start()`, and `close()` it when done. */
export class FakeSentry {
  /** The base URL a user would configure as `sentry-url` (includes the prefix, no trailing slash). */
  readonly url: string
  /** The organization slug the fake serves; change it with `renameOrg`. */
  org: string
  /**
   * The organization's numeric id. Sentry's routes take `organization_id_or_slug`, so requests
   * under the id keep working after a rename.
   */
  readonly orgId: string
  /** When the organization was created (`dateCreated` of the organization endpoint). */
  readonly orgCreated: string
  /** The URL permalinks and organization links name (`system.url-prefix`); see `setUrlPrefix`. */
  urlPrefix: string
  /** Slugs of the projects on the token owner's teams; undefined: every project (see options). */
  memberProjects: string[] | undefined
  readonly token: string
  readonly pathPrefix: string
  /** Tokens answered with 403 (the token is known but lacks the scopes). */
  forbiddenTokens: string[]
  /** Notes posted on issues (`POST …/comments/`). */
  notes: Array<{ issueId: string; text: string; at: number }> = []
  /** Refuse notes with 403, as Sentry does for organization tokens. */
  notesForbidden = false
  /** Owners, members, teams, Seer and tag details, with knobs to make each unavailable. */
  readonly signals = new FakeSentrySignals()
  /** Connected repositories, releases and external issues (see sentry-integrations.ts). */
  readonly links = new FakeSentryIntegrations()
  /** The clock for `statsPeriod` filtering and new issues' timestamps. */
  now: () => Date
  projects: FakeSentryProject[] = []
  issues: FakeIssue[] = []
  /**
   * Events by issue id, in the order they were added. The latest is the one with the greatest
   * `dateCreated` (the last added among equals). Tests may read and mutate this freely.
   */
  events = new Map<string, FakeEvent[]>()
  /** Every request received, in order (faulted ones included). */
  requests: FakeSentryRequest[] = []
  /** The token's scopes, as `GET /api/0/` lists them (`auth.scopes`). */
  tokenScopes: string[] = ['event:read', 'event:write', 'org:read', 'project:read']
  /** `GET /api/0/` answers `user: null`, as for an organization token. */
  tokenWithoutUser = false
  /**
   * The organization's environments; undefined: those the issues were seen in (`_environments`),
   * sorted.
   */
  environments: string[] | undefined

  readonly #server: Server
  readonly #rateLimitHeaders: boolean
  readonly #requestsPerWindow: number | undefined
  readonly #legacyEventsOnly: boolean
  readonly #latencyMs: number
  #nextEventNumber = 1
  #faults: QueuedFault[] = []
  #delays = new Set<PendingDelay>()
  #nextIssueId = FIRST_ISSUE_ID + 1
  #nextProjectId = FIRST_PROJECT_ID + 1
  #shortIdCounters = new Map<string, number>()
  #window = { second: 0, count: 0 }
  /** Merged-away issue id → the id of the issue it was merged into (Sentry's `GroupRedirect`). */
  #redirects = new Map<string, string>()
  #inFlight = 0
  #closed = false

  private constructor(server: Server, port: number, opts: FakeSentryOptions) {
    this.#server = server
    this.pathPrefix = normalizePrefix(opts.pathPrefix)
    this.url = `http://127.0.0.1:${port}${this.pathPrefix}`
    this.org = opts.org ?? DEFAULT_ORG
    this.orgId = opts.orgId ?? '1'
    this.orgCreated = opts.orgCreated ?? String(specExample(ORGANIZATION_OPERATION)['dateCreated'])
    this.urlPrefix = (opts.urlPrefix ?? this.url).replace(/\/+$/, '')
    this.memberProjects = opts.memberProjects === undefined ? undefined : [...opts.memberProjects]
    this.token = opts.token ?? DEFAULT_TOKEN
    this.forbiddenTokens = [...(opts.forbiddenTokens ?? [])]
    this.now = opts.now ?? (() => new Date())
    this.#rateLimitHeaders = opts.rateLimitHeaders ?? true
    this.#requestsPerWindow = opts.requestsPerWindow
    this.#legacyEventsOnly = opts.legacyEventsOnly ?? false
    this.#latencyMs = Math.max(0, opts.latencyMs ?? 0)
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(opts: FakeSentryOptions = {}): Promise<FakeSentry> {
    if (opts.requestsPerWindow !== undefined && !(opts.requestsPerWindow >= 1)) {
      throw new RangeError('requestsPerWindow must be at least 1')
    }
    const server = createServer()
    const fake = new FakeSentry(server, await listenOnLoopback(server), opts)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          fake.#send(res, { status: 500, body: { detail: `Fake Sentry failed: ${String(error)}` } })
        } else {
          res.destroy()
        }
      })
    })
    return fake
  }

  /**
   * Adds a project. Its id is a sequential numeric string unless given; its platform defaults to
   * `javascript` for slugs that look like a front end (web, frontend, js, react, ui), else `python`.
   */
  addProject(
    slug: string,
    opts: { id?: string; name?: string; platform?: string } = {}
  ): FakeSentryProject {
    if (this.projects.some((p) => p.slug === slug)) {
      throw new Error(`Fake Sentry already has a project "${slug}"`)
    }
    const id = opts.id ?? String(this.#nextProjectId++)
    const project = {
      id,
      slug,
      name: opts.name ?? titleCase(slug),
      platform: opts.platform ?? (/web|front|js|react|vue|ui/.test(slug) ? 'javascript' : 'python')
    }
    this.projects.push(project)
    return project
  }

  /**
   * Adds an issue built from the spec's example: every field of `OrganizationGroupIndexGetResponse`
   * items is present, with a sequential id, a per-project short id (`BACKEND-3`), a permalink on
   * this server, `count` as a string and timestamps of now. `overrides` replace any field.
   */
  addIssue(overrides: FakeIssueInput = {}): FakeIssue {
    const { projectSlug, environments, ...fields } = overrides
    const project = this.#projectFor(projectSlug)

    const id = fields.id ?? String(this.#nextIssueId++)
    if (/^\d+$/.test(id) && Number(id) >= this.#nextIssueId) this.#nextIssueId = Number(id) + 1
    const shortNumber = (this.#shortIdCounters.get(project.slug) ?? 0) + 1
    this.#shortIdCounters.set(project.slug, shortNumber)

    const now = this.now()
    const nowIso = now.toISOString()
    const level = fields.level ?? 'error'
    const metadata = fields.metadata ?? {
      type: 'TypeError',
      value: "Cannot read properties of undefined (reading 'id')",
      filename: 'src/components/UserCard.tsx',
      function: 'UserCard'
    }
    const defaultTitle =
      typeof metadata['type'] === 'string' && typeof metadata['value'] === 'string'
        ? `${metadata['type']}: ${metadata['value']}`
        : typeof metadata['title'] === 'string'
          ? metadata['title']
          : 'Example error'
    const status = fields.status ?? 'unresolved'
    const defaultSubstatus =
      status === 'resolved' ? null : status === 'ignored' ? 'archived_until_escalating' : 'new'
    const firstSeen = fields.firstSeen === undefined ? nowIso : fields.firstSeen
    const lastSeen = fields.lastSeen === undefined ? nowIso : fields.lastSeen
    const count = fields.count === undefined ? '1' : String(fields.count)
    const userCount = fields.userCount ?? 1
    const assignedTo = fields.assignedTo ?? null
    const hourStart = Math.floor(now.getTime() / 3600_000) * 3600

    const issue: FakeIssue = {
      ...structuredClone(EXAMPLE_ISSUE),
      id,
      shortId: `${project.slug.toUpperCase()}-${shortNumber}`,
      title: defaultTitle,
      culprit:
        typeof metadata['filename'] === 'string' && typeof metadata['function'] === 'string'
          ? `${metadata['filename']} in ${metadata['function']}`
          : null,
      permalink: `${this.urlPrefix}/organizations/${this.org}/issues/${id}/`,
      level,
      status,
      substatus: defaultSubstatus,
      statusDetails: {},
      priority: level === 'fatal' || level === 'error' ? 'high' : 'medium',
      platform: project.platform,
      type: 'error',
      issueCategory: 'error',
      issueType: 'error',
      isUnhandled: true,
      count,
      userCount,
      firstSeen,
      lastSeen,
      metadata,
      project: { ...project },
      assignedTo,
      shareId: null,
      hasSeen: false,
      numComments: 0,
      inbox: { date_added: firstSeen ?? nowIso, reason: 0, reason_details: null },
      lifetime: { count, userCount, firstSeen, lastSeen },
      stats: { '24h': Array.from({ length: 24 }, (_, i) => [hourStart - (23 - i) * 3600, 0]) },
      derivedData: {
        ...(EXAMPLE_ISSUE['derivedData'] ?? {}),
        isAssigned: assignedTo !== null
      },
      _environments: environments ?? ['production'],
      ...fields
    }
    if (fields.count !== undefined) issue['count'] = count
    this.issues.push(issue)
    return issue
  }

  /**
   * Adds an event to an issue (which must exist) and returns it as it will be served. It is built
   * from the spec's `IssueEventDetailsResponse` example, with a JavaScript (browser, React) or
   * Python (Django) shape chosen by the issue's platform: the exception of the issue's metadata,
   * a realistic stack (framework frames, then in-app frames, the raising frame last), tags,
   * release and contexts. `input` replaces any of it. Deterministic: no randomness but the
   * event's sequence number.
   */
  addEvent(issueId: string, input: FakeEventInput = {}): FakeEvent {
    const issue = this.issues.find((i) => String(i['id']) === issueId)
    if (!issue) throw new Error(`Fake Sentry has no issue ${issueId}`)
    const event = createFakeEvent(issue, input, this.#nextEventNumber++, this.now())
    const list = this.events.get(issueId) ?? []
    list.push(event)
    this.events.set(issueId, list)
    return event
  }

  /**
   * Records `events` new events of an issue (which must exist) at `opts.at` (default `now()`),
   * affecting `opts.users` users not seen before (default 0): the lifetime `count` and `userCount`
   * grow, `lastSeen` moves up to `at`, and lists count them in every window that covers `at`.
   * The issue's status stays as it is, even if it was resolved or archived: set it with
   * `setStatus` where the test wants Sentry's regression or escalation.
   */
  addEvents(issueId: string, events: number, opts: { users?: number; at?: Date } = {}): FakeIssue {
    const issue = this.issues.find((i) => String(i['id']) === issueId)
    if (!issue) throw new Error(`Fake Sentry has no issue ${issueId}`)
    const users = opts.users ?? 0
    if (!Number.isInteger(events) || events < 0 || !Number.isInteger(users) || users < 0) {
      throw new RangeError('addEvents: events and users must be whole numbers, 0 or more')
    }
    const totals = lifetimeTotals(issue)
    if (totals === undefined) {
      throw new Error(`Fake Sentry issue ${issueId} has a non-numeric count or userCount`)
    }
    const at = (opts.at ?? this.now()).getTime()
    const buckets = freezeBuckets(issue)
    const same = buckets.find((b) => b.at === at)
    if (same) {
      same.events += events
      same.users += users
    } else {
      buckets.push({ at, events, users })
    }
    issue['count'] = String(totals.count + events)
    issue['userCount'] = totals.userCount + users
    const iso = new Date(at).toISOString()
    if ((toTime(issue['lastSeen']) ?? -Infinity) < at) issue['lastSeen'] = iso
    if ((toTime(issue['firstSeen']) ?? Infinity) > at) issue['firstSeen'] = iso
    return issue
  }

  /**
   * Merges `mergedIds` into `survivorId`, as Sentry's merge does: the merged issues leave lists and
   * `group=` look-ups; their events and counts join the survivor (lifetime totals, first and last
   * seen); and each merged id keeps answering the single-issue routes (GET, PUT, notes, latest
   * event) with the survivor, through a redirect record like Sentry's `GroupRedirect`. Earlier
   * redirects to a merged issue move on to the survivor.
   */
  mergeIssues(survivorId: string, mergedIds: string[]): FakeIssue {
    const survivor = this.issues.find((i) => String(i['id']) === survivorId)
    if (!survivor) throw new Error(`Fake Sentry has no issue ${survivorId}`)
    const merged = mergedIds.map((id) => {
      const issue = this.issues.find((i) => String(i['id']) === id)
      if (!issue || issue === survivor) {
        throw new Error(`Fake Sentry cannot merge issue ${id} into ${survivorId}`)
      }
      return issue
    })
    const into = freezeBuckets(survivor)
    for (const issue of merged) {
      const id = String(issue['id'])
      for (const bucket of freezeBuckets(issue)) {
        const same = into.find((b) => b.at === bucket.at)
        if (same) {
          same.events += bucket.events
          same.users += bucket.users
        } else {
          into.push({ ...bucket })
        }
      }
      const totals = lifetimeTotals(issue) ?? { count: 0, userCount: 0 }
      const mine = lifetimeTotals(survivor) ?? { count: 0, userCount: 0 }
      survivor['count'] = String(mine.count + totals.count)
      survivor['userCount'] = mine.userCount + totals.userCount
      const first = toTime(issue['firstSeen'])
      const last = toTime(issue['lastSeen'])
      if (first !== undefined && first < (toTime(survivor['firstSeen']) ?? Infinity)) {
        survivor['firstSeen'] = issue['firstSeen']
      }
      if (last !== undefined && last > (toTime(survivor['lastSeen']) ?? -Infinity)) {
        survivor['lastSeen'] = issue['lastSeen']
      }
      const events = this.events.get(id) ?? []
      if (events.length > 0) {
        const moved = events.map((event) => ({ ...event, groupID: survivorId }))
        this.events.set(survivorId, [...(this.events.get(survivorId) ?? []), ...moved])
      }
      this.events.delete(id)
      for (const [from, to] of this.#redirects) {
        if (to === id) this.#redirects.set(from, survivorId)
      }
      this.#redirects.set(id, survivorId)
      this.links.moveOnMerge(id, survivorId)
    }
    this.issues = this.issues.filter((i) => !merged.includes(i))
    return survivor
  }

  /**
   * Deletes an issue: it leaves lists and look-ups, and its single-issue routes answer 404
   * `{"detail": "The requested resource does not exist"}`, as Sentry does once a group is gone.
   */
  deleteIssue(id: string): void {
    const index = this.issues.findIndex((i) => String(i['id']) === id)
    if (index < 0) throw new Error(`Fake Sentry has no issue ${id}`)
    this.issues.splice(index, 1)
    this.events.delete(id)
    for (const [from, to] of this.#redirects) {
      if (to === id) this.#redirects.delete(from)
    }
  }

  /**
   * Renames the organization: routes under the old slug answer 404 as for any unknown
   * organization (Sentry keeps no alias of an old slug), the numeric `orgId` keeps working, and
   * every issue's permalink uses the new slug.
   */
  /**
   * Moves Sentry to another URL (`system.url-prefix`, as after a domain migration): every issue's
   * permalink and the organization's links name the new one.
   */
  setUrlPrefix(prefix: string): void {
    const old = this.urlPrefix
    this.urlPrefix = prefix.replace(/\/+$/, '')
    for (const issue of this.issues) {
      const link = issue['permalink']
      if (typeof link === 'string' && link.startsWith(old)) {
        issue['permalink'] = this.urlPrefix + link.slice(old.length)
      }
    }
  }

  renameOrg(newSlug: string): void {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(newSlug)) {
      throw new Error(`renameOrg: "${newSlug}" is not a valid organization slug`)
    }
    this.org = newSlug
    for (const issue of this.issues) {
      issue['permalink'] =
        `${this.urlPrefix}/organizations/${newSlug}/issues/${String(issue['id'])}/`
    }
  }

  /**
   * Sets an issue's status and substatus as Sentry would show them: `resolved` (substatus null),
   * `unresolved` (default substatus `ongoing`; also `new`, `regressed`, `escalating`) or `ignored`
   * (default `archived_until_escalating`; also `archived_until_condition_met`, `archived_forever`).
   */
  setStatus(
    id: string,
    status: 'resolved' | 'unresolved' | 'ignored',
    substatus?: string
  ): FakeIssue {
    const issue = this.issues.find((i) => String(i['id']) === id)
    if (!issue) throw new Error(`Fake Sentry has no issue ${id}`)
    const allowed = SUBSTATUSES[status]
    if (allowed === undefined) throw new Error(`setStatus: unknown status "${String(status)}"`)
    const sub = substatus ?? allowed[0] ?? null
    if (substatus !== undefined && !allowed.includes(substatus)) {
      throw new Error(
        `setStatus: substatus "${substatus}" does not go with ${status}; allowed: ${allowed.join(', ') || 'none'}`
      )
    }
    issue['status'] = status
    issue['substatus'] = sub
    issue['statusDetails'] = {}
    return issue
  }

  /**
   * Adds `n` realistic, varied issues (error types and messages, levels, substatuses, counts,
   * users, assignees, ages and environments), deterministic for a given `seed` (default 1) and
   * clock. They are all unresolved and last seen within the past 20 hours, so they match the
   * action's defaults (`is:unresolved`, `24h`); set fields on them for other cases. Without a
   * `projectSlug` they are spread over the existing projects. Each gets one to three events (see
   * `addEvent`), the latest at its `lastSeen`, unless `events` is false.
   */
  seed(
    n: number,
    opts: { projectSlug?: string; seed?: number; events?: boolean } = {}
  ): FakeIssue[] {
    const random = prng(opts.seed ?? 1)
    const projects =
      opts.projectSlug !== undefined
        ? [this.#projectFor(opts.projectSlug)]
        : this.projects.length > 0
          ? [...this.projects]
          : [this.#projectFor(undefined)]
    const nowMs = this.now().getTime()
    const created: FakeIssue[] = []
    for (let i = 0; i < n; i++) {
      const project = pick(random, projects)
      const catalogue = /javascript|node|react|vue|angular/.test(project.platform)
        ? JAVASCRIPT_ERRORS
        : PYTHON_ERRORS
      const template = pick(random, catalogue)
      const value = pick(random, template.values)
      const levelRoll = random()
      const level =
        levelRoll < 0.75
          ? 'error'
          : levelRoll < 0.87
            ? 'warning'
            : levelRoll < 0.95
              ? 'fatal'
              : 'info'
      const substatus = pick(random, ['new', 'ongoing', 'ongoing', 'regressed', 'escalating'])
      const count = Math.max(1, Math.floor(Math.exp(random() * 10)))
      const userCount = Math.floor(count * random() * 0.6)
      // First seen up to 60 days ago; last seen within the last 20 hours.
      const lastSeenMs = nowMs - random() * 20 * 3600_000
      const firstSeenMs = lastSeenMs - random() * 60 * 86_400_000
      const envRoll = random()
      const environments =
        envRoll < 0.7 ? ['production'] : envRoll < 0.9 ? ['production', 'staging'] : ['staging']
      const assignRoll = random()
      const assignedTo =
        assignRoll < 0.2
          ? { type: 'user', ...pick(random, PEOPLE) }
          : assignRoll < 0.3
            ? { type: 'team', ...pick(random, TEAMS) }
            : null
      created.push(
        this.addIssue({
          projectSlug: project.slug,
          environments,
          title: `${template.type}: ${value}`,
          culprit: `${template.module} in ${template.function}`,
          metadata: {
            type: template.type,
            value,
            filename: template.filename,
            function: template.function
          },
          level,
          status: 'unresolved',
          substatus,
          priority: level === 'fatal' ? 'high' : level === 'error' ? 'medium' : 'low',
          count: String(count),
          userCount,
          firstSeen: new Date(firstSeenMs).toISOString(),
          lastSeen: new Date(lastSeenMs).toISOString(),
          isUnhandled: random() < 0.6,
          assignedTo
        })
      )
    }
    if (opts.events !== false) {
      // A separate generator, so the issues stay what they were before events existed.
      const eventRandom = prng((opts.seed ?? 1) * 104_729 + 17)
      for (const issue of created) {
        const id = String(issue['id'])
        const firstSeen = String(issue['firstSeen'])
        const lastSeen = String(issue['lastSeen'])
        const extra = Math.floor(eventRandom() * 3)
        const span = Math.max(0, Date.parse(lastSeen) - Date.parse(firstSeen))
        for (let e = 0; e < extra; e++) {
          this.addEvent(id, { dateCreated: isoPlus(firstSeen, Math.floor(eventRandom() * span)) })
        }
        this.addEvent(id, { dateCreated: lastSeen })
      }
    }
    return created
  }

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: SentryFault): void {
    const remaining = fault.times ?? (fault.kind === 'loop-cursor' ? Infinity : 1)
    if (remaining > 0) this.#faults.push({ fault, remaining })
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults = []
  }

  /** Stops the server, ends pending delays and destroys every open connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const delay of this.#delays) {
      clearTimeout(delay.timer)
      delay.resolve()
    }
    this.#delays.clear()
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeAllConnections()
    await closed
  }

  // -------------------------------------------------------------------------------------------
  // Request handling

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://fake.invalid')
    const method = (req.method ?? 'GET').toUpperCase()
    const rawPath = target.pathname
    const inPrefix =
      this.pathPrefix === '' ||
      rawPath === this.pathPrefix ||
      rawPath.startsWith(`${this.pathPrefix}/`)
    const path = inPrefix ? rawPath.slice(this.pathPrefix.length) || '/' : rawPath
    this.requests.push({ method, path, query: target.searchParams, headers: req.headers })

    const body = await readBody(req)
    if (this.#latencyMs > 0) await this.#delay(this.#latencyMs)
    const route = inPrefix ? matchRoute(path) : undefined
    const isList = route?.name === 'issues' || route?.name === 'projects'
    const fault = this.#takeFault(`${path}${target.search}`, isList)

    switch (fault?.kind) {
      case 'status':
        return this.#sendFaultStatus(res, fault)
      case 'reset':
        return this.#sendReset(res)
      case 'malformed-json':
        return this.#sendRaw(
          res,
          200,
          { 'content-type': 'application/json' },
          '[{"id": "1", "title": '
        )
      case 'delay':
        await this.#delay(fault.ms)
        if (this.#closed || res.destroyed || req.socket.destroyed) return
        break
      default:
        break
    }

    this.#inFlight++
    try {
      const rateHeaders = this.#countRequest()
      const reply = this.#dispatch(req, method, route, target, body, rateHeaders, {
        loopCursor: fault?.kind === 'loop-cursor'
      })
      this.#send(res, { ...reply, headers: { ...rateHeaders.headers, ...reply.headers } })
    } finally {
      this.#inFlight--
    }
  }

  #dispatch(
    req: IncomingMessage,
    method: string,
    route: Route | undefined,
    target: URL,
    body: string,
    rate: { limited: boolean },
    flags: { loopCursor: boolean }
  ): Reply {
    try {
      const path = target.pathname.slice(this.pathPrefix.length)
      if (!route && this.links.matches(path)) {
        if (rate.limited)
          throw new HttpError(429, 'You are attempting to use this endpoint too frequently.')
        this.#authenticate(req.headers.authorization)
        const reply = this.links.handle(
          method,
          path,
          body,
          (id) => {
            const issue = this.issues.find(
              (i) => String(i['id']) === (this.#redirects.get(id) ?? id)
            )
            return issue ? { id: String(issue['id']) } : undefined
          },
          (org) => org === this.org || org === this.orgId
        )
        return reply.empty ? { status: reply.status, body: null, rawBody: '' } : reply
      }
      if (!route) throw new HttpError(404, DETAIL_NOT_FOUND)
      // An old server does not know the org-scoped route: its catch-all answers an empty 404.
      if (route.name === 'latest-event' && this.#legacyEventsOnly) {
        return { status: 404, body: null, rawBody: '' }
      }
      if (rate.limited) {
        throw new HttpError(
          429,
          `You are attempting to use this endpoint too frequently. Limit is ` +
            `${this.#requestsPerWindow} requests in 1 seconds`
        )
      }
      this.#authenticate(req.headers.authorization)
      if (!ALLOWED_METHODS[route.name].includes(method)) {
        throw new HttpError(405, `Method "${method}" not allowed.`)
      }
      // Sentry looks the organization up by slug or id; an old slug after a rename is simply
      // unknown (the slug reservation moves with the rename), so it answers 404 like any other.
      if ('org' in route && route.org !== this.org && route.org !== this.orgId) {
        throw new HttpError(404, DETAIL_NOT_FOUND)
      }

      const base = this.#absoluteBase(req, target.pathname)
      switch (route.name) {
        case 'issues':
          return this.#listIssues(target.searchParams, base, flags.loopCursor)
        case 'projects':
          return this.#listProjects(target.searchParams, base, flags.loopCursor)
        case 'issue':
          return method === 'PUT'
            ? this.#updateIssue(route.id, body)
            : this.#getIssue(route.id, target.searchParams)
        case 'latest-event':
          return this.#latestEvent(route.id, target.searchParams, DETAIL_NO_EVENT)
        case 'legacy-latest-event':
          return this.#latestEvent(route.id, target.searchParams, DETAIL_NO_EVENTS_LEGACY)
        case 'comments':
          return this.#addNote(route.id, body)
        case 'setup':
          return this.#setupRead(route.what)
        case 'signals': {
          const issueId =
            'id' in route.signal ? String(this.#findIssue(route.signal.id)['id']) : undefined
          return this.signals.handle(route.signal, method, target.searchParams, body, issueId)
        }
      }
    } catch (error) {
      if (error instanceof HttpError)
        return { status: error.status, body: { detail: error.detail } }
      throw error
    }
  }

  #authenticate(header: string | undefined): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    const token = match?.[1]
    if (token !== undefined && this.forbiddenTokens.includes(token)) {
      throw new HttpError(403, DETAIL_FORBIDDEN)
    }
    if (token !== this.token) throw new HttpError(401, DETAIL_INVALID_TOKEN)
  }

  /** The absolute URL of the requested path, as Sentry builds it for `Link` (from the Host). */
  #absoluteBase(req: IncomingMessage, pathname: string): string {
    const host = req.headers.host ?? new URL(this.url).host
    return `http://${host}${pathname}`
  }

  // ---- GET /organizations/{org}/issues/

  #listIssues(query: URLSearchParams, base: string, loopCursor: boolean): Reply {
    const projectIds = this.#selectedProjects(query)
    const inProjects = (issue: FakeIssue): boolean =>
      projectIds === undefined || projectIds.has(issueProjectId(issue) ?? '')

    const groups = query.getAll('group')
    if (groups.length > 0) {
      if (!groups.every((g) => /^\d+$/.test(g))) {
        throw new HttpError(400, 'Invalid group parameter. Values must be numbers.')
      }
      const wanted = new Set(groups)
      // Like Sentry: the batch look-up ignores query and period, and is not paginated. Its
      // serializer gets no start/end, so `count`/`userCount` cover all time, like `lifetime`
      // (organization_group_index.py serializes these with `serializer()`, without the window).
      // Merged-away and deleted ids are not found: only existing issues are listed.
      return {
        status: 200,
        body: this.issues
          .filter((i) => wanted.has(String(i['id'])) && inProjects(i))
          .map((i) => serveListItem(i, undefined, query))
      }
    }

    const sort = query.get('sort') ?? 'date'
    if (!ISSUE_SORTS.has(sort)) throw new HttpError(400, `Invalid sort: ${sort}`)
    const limit = parseIntParam(query.get('limit'), 'limit', 1, MAX_PAGE_SIZE)
    const cursor = parseCursor(query.get('cursor'))
    const [from, to] = this.#period(query)
    const matchesQuery = this.#searchPredicate(query.get('query') ?? 'is:unresolved')
    const environments = query.getAll('environment')

    const window: [number, number] = [from, to]
    const matching = this.issues.filter((issue) => {
      const lastSeen = toTime(issue['lastSeen'])
      if (lastSeen === undefined || lastSeen < from || lastSeen > to) return false
      if (!inProjects(issue) || !matchesQuery(issue)) return false
      if (environments.length > 0) {
        const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
        if (!environments.some((env) => seenIn.includes(env))) return false
      }
      return true
    })
    sortIssues(matching, sort, window)
    const reply = this.#page(matching, query, base, cursor, limit, loopCursor)
    return {
      ...reply,
      body: (reply.body as FakeIssue[]).map((i) => serveListItem(i, window, query)),
      headers: { ...reply.headers, 'X-Hits': String(matching.length), 'X-Max-Hits': '1000' }
    }
  }

  /**
   * The numeric `project` ids requested, or undefined for all. None given: the token owner's
   * team projects (`memberProjects`), or all when that is undefined. `-1`: all.
   */
  #selectedProjects(query: URLSearchParams): Set<string> | undefined {
    const values = query.getAll('project')
    if (values.length === 0) {
      const mine = this.memberProjects
      if (mine === undefined) return undefined
      return new Set(this.projects.filter((p) => mine.includes(p.slug)).map((p) => p.id))
    }
    if (!values.every((v) => /^-?\d+$/.test(v))) {
      throw new HttpError(400, 'Invalid project parameter. Values must be numbers.')
    }
    if (values.includes('-1')) return undefined
    const known = new Set(this.projects.map((p) => p.id))
    // Sentry answers a project the token cannot see (or that does not exist) with 403.
    if (!values.every((v) => known.has(v))) throw new HttpError(403, DETAIL_FORBIDDEN)
    return new Set(values)
  }

  /** The [from, to] window in epoch ms from statsPeriod (wins) or start/end; default 90 days. */
  #period(query: URLSearchParams): [number, number] {
    const now = this.now().getTime()
    const statsPeriod = query.get('statsPeriod')
    if (statsPeriod !== null && statsPeriod !== '') {
      const match = /^(\d+)([smhdw])$/.exec(statsPeriod)
      const amount = Number(match?.[1] ?? 0)
      const unit = PERIOD_UNITS_MS[match?.[2] ?? '']
      if (!match || unit === undefined || amount <= 0) {
        throw new HttpError(400, `Invalid statsPeriod: ${statsPeriod}`)
      }
      return [now - amount * unit, now]
    }
    const start = query.get('start')
    const end = query.get('end')
    if (start !== null || end !== null) {
      const from = toTime(start)
      const to = toTime(end)
      if (from === undefined || to === undefined || from > to) {
        throw new HttpError(400, 'start and end are both required and must be ISO-8601 dates.')
      }
      return [from, to]
    }
    return [now - DEFAULT_PERIOD_MS, now]
  }

  /**
   * A predicate for Sentry's search syntax, within what the fake supports: `is:` (unresolved,
   * resolved, ignored, archived), `level:`, `priority:`/`issue.priority:` and `environment:`
   * (values or `[a,b]` lists), and free text matched case-insensitively against the title.
   * Every term must match. Anything else is a 400 (the fake says so rather than guess).
   */
  #searchPredicate(query: string): (issue: FakeIssue) => boolean {
    const tests: Array<(issue: FakeIssue) => boolean> = []
    const words: string[] = []
    for (const token of tokenize(query)) {
      const match = /^([A-Za-z_.]+):(.+)$/.exec(token)
      if (!match) {
        words.push(unquote(token))
        continue
      }
      const key = match[1] ?? ''
      const values = listValues(match[2] ?? '')
      if (key === 'is') {
        for (const value of values) {
          const status = IS_STATUSES[value]
          if (status === undefined) {
            throw new HttpError(
              400,
              `Invalid value for "is" search, valid values are ${Object.keys(IS_STATUSES).join(', ')}`
            )
          }
        }
        tests.push((issue) => values.some((v) => issue['status'] === IS_STATUSES[v]))
      } else if (key === 'level') {
        tests.push((issue) => values.includes(String(issue['level'])))
      } else if (key === 'priority' || key === 'issue.priority') {
        tests.push((issue) => values.includes(String(issue['priority'])))
      } else if (key === 'environment') {
        tests.push((issue) => {
          const seenIn = Array.isArray(issue['_environments']) ? issue['_environments'] : []
          return values.some((v) => seenIn.includes(v))
        })
      } else {
        throw new HttpError(400, `The fake Sentry does not support the search key "${key}".`)
      }
    }
    const text = words.join(' ').toLowerCase()
    if (text !== '') {
      tests.push((issue) => scalarText(issue['title'], '').toLowerCase().includes(text))
    }
    return (issue) => tests.every((test) => test(issue))
  }

  // ---- GET /organizations/{org}/projects/

  #listProjects(query: URLSearchParams, base: string, loopCursor: boolean): Reply {
    const perPage = parseIntParam(query.get('per_page'), 'per_page', 1, MAX_PAGE_SIZE)
    const cursor = parseCursor(query.get('cursor'))
    const sorted = [...this.projects].sort((a, b) =>
      a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0
    )
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
    return this.#page(served, query, base, cursor, perPage, loopCursor)
  }

  // ---- GET / PUT /organizations/{org}/issues/{id}/

  /**
   * The issue behind `id` for the single-issue routes. Like Sentry's `GroupEndpoint` (via
   * `get_group_with_redirect`), an id merged away resolves to the issue it was merged into, and
   * the route answers with that issue (200, its own `id`; no redirect status). Unknown or
   * deleted ids: 404.
   */
  #findIssue(id: string): FakeIssue {
    const target = this.#redirects.get(id) ?? id
    const issue = this.issues.find((i) => String(i['id']) === target)
    if (!issue) throw new HttpError(404, DETAIL_NOT_FOUND)
    return issue
  }

  #getIssue(id: string, query: URLSearchParams): Reply {
    const issue = serveDetails(this.#findIssue(id))
    if (!query.getAll('expand').includes('owners')) return { status: 200, body: issue }
    const owners = this.signals.ownersOf(String(issue['id']))
    if ('status' in owners) return owners
    return { status: 200, body: { ...issue, ...owners } }
  }

  // ---- GET …/issues/{id}/events/latest/

  #latestEvent(id: string, query: URLSearchParams, noEventDetail: string): Reply {
    const issueId = String(this.#findIssue(id)['id'])
    const environments = query.getAll('environment')
    const events = (this.events.get(issueId) ?? []).filter((event) => {
      if (environments.length === 0) return true
      const tags = Array.isArray(event['tags'])
        ? (event['tags'] as Array<Record<string, unknown>>)
        : []
      const env = tags.find((t) => t['key'] === 'environment')?.['value']
      return typeof env === 'string' && environments.includes(env)
    })
    let latest: FakeEvent | undefined
    let latestIndex = -1
    events.forEach((event, index) => {
      if (
        latest === undefined ||
        (toTime(event['dateCreated']) ?? 0) >= (toTime(latest['dateCreated']) ?? 0)
      ) {
        latest = event
        latestIndex = index
      }
    })
    if (latest === undefined) throw new HttpError(404, noEventDetail)
    const previous = latestIndex > 0 ? events[latestIndex - 1] : undefined
    return {
      status: 200,
      body: {
        ...latest,
        nextEventID: null,
        previousEventID: previous === undefined ? null : (previous['eventID'] ?? null)
      }
    }
  }

  /**
   * `POST …/issues/{id}/comments/` (a note; not in the public spec): refused for organization
   * tokens when `notesForbidden` is set, and for the same text on the same issue within an hour.
   */
  #addNote(id: string, body: string): Reply {
    if (this.notesForbidden) throw new HttpError(403, DETAIL_FORBIDDEN)
    const issueId = String(this.#findIssue(id)['id'])
    let text: unknown
    try {
      text = (JSON.parse(body) as { text?: unknown }).text
    } catch {
      throw new HttpError(400, 'Malformed request.')
    }
    if (typeof text !== 'string' || text.trim() === '')
      throw new HttpError(400, 'text: This field is required.')
    const now = this.now().getTime()
    if (
      this.notes.some((n) => n.issueId === issueId && n.text === text && now - n.at < 3_600_000)
    ) {
      throw new HttpError(400, 'You have already posted that comment.')
    }
    this.notes.push({ issueId, text, at: now })
    return { status: 201, body: { id: String(this.notes.length), data: { text }, type: 'note' } }
  }

  #updateIssue(id: string, body: string): Reply {
    const issue = this.#findIssue(id)
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      throw new HttpError(400, 'JSON parse error')
    }
    const status =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)['status']
        : undefined
    const change = typeof status === 'string' ? PUT_STATUSES[status] : undefined
    if (!change) {
      throw new HttpError(400, `"status" must be one of ${Object.keys(PUT_STATUSES).join(', ')}`)
    }
    const details =
      status === 'resolved'
        ? this.links.resolution(
            (parsed as Record<string, unknown>)['statusDetails'],
            this.#projectHasRelease(issue)
          )
        : { statusDetails: status === 'resolvedInNextRelease' ? { inNextRelease: true } : {} }
    if (!('statusDetails' in details)) return details
    issue['status'] = change.status
    issue['substatus'] = change.substatus
    issue['statusDetails'] = details.statusDetails
    return { status: 200, body: serveDetails(issue) }
  }

  /** Whether any event of the issue's project names a release. */
  #projectHasRelease(issue: FakeIssue): boolean {
    const project = issueProjectId(issue)
    return this.issues.some(
      (i) =>
        issueProjectId(i) === project &&
        (this.events.get(String(i['id'])) ?? []).some((e) => e['release'] != null)
    )
  }

  // ---- Set-up checks: GET /api/0/, GET /organizations/{org}/, GET …/environments/

  #setupRead(what: 'auth-info' | 'organization' | 'environments'): Reply {
    if (what === 'auth-info') {
      const user = this.tokenWithoutUser ? null : { id: '1', username: 'ada', name: 'Ada' }
      return { status: 200, body: { version: '0', auth: { scopes: this.tokenScopes }, user } }
    }
    if (what === 'environments') {
      const names =
        this.environments ??
        [...new Set(this.issues.flatMap((i) => (i['_environments'] as string[] | undefined) ?? []))]
          .filter((name) => typeof name === 'string')
          .sort()
      return { status: 200, body: names.map((name, i) => ({ id: String(i + 1), name })) }
    }
    const origin = new URL(this.urlPrefix).origin
    return {
      status: 200,
      body: {
        ...specExample(ORGANIZATION_OPERATION),
        id: this.orgId,
        dateCreated: this.orgCreated,
        slug: this.org,
        name: titleCase(this.org),
        links: { organizationUrl: origin, regionUrl: origin }
      }
    }
  }

  // ---- Pagination

  /** One page of `items`, with Sentry's `Link` header (offset cursors `0:OFFSET:IS_PREV`). */
  #page<T>(
    items: T[],
    query: URLSearchParams,
    base: string,
    cursor: Cursor,
    limit: number,
    loopCursor: boolean
  ): Reply {
    const offset = cursor.offset
    const page = items.slice(offset, offset + limit)
    const previous = `0:${Math.max(0, offset - limit)}:1`
    const next = loopCursor ? `${cursor.value}:${offset}:0` : `0:${offset + limit}:0`
    const hasNext = loopCursor || offset + limit < items.length
    const others = new URLSearchParams(query)
    others.delete('cursor')
    const qs = others.toString()
    const link = (name: string, value: string, results: boolean): string =>
      `<${base}?${qs === '' ? '' : `${qs}&`}cursor=${value}>; rel="${name}"; ` +
      `results="${results}"; cursor="${value}"`
    return {
      status: 200,
      body: page,
      headers: {
        Link: `${link('previous', previous, offset > 0)}, ${link('next', next, hasNext)}`
      }
    }
  }

  // ---- Rate limiting, faults and output

  /** Counts a request in the current one-second window; returns its headers and whether it is over. */
  #countRequest(): { limited: boolean; headers: Record<string, string> } {
    const nowMs = Date.now()
    const second = Math.floor(nowMs / 1000)
    if (this.#window.second !== second) this.#window = { second, count: 0 }
    this.#window.count++
    const limit = this.#requestsPerWindow ?? NOMINAL_RATE_LIMIT
    const limited = this.#requestsPerWindow !== undefined && this.#window.count > limit
    if (!this.#rateLimitHeaders) return { limited, headers: {} }
    return {
      limited,
      headers: {
        'X-Sentry-Rate-Limit-Limit': String(limit),
        'X-Sentry-Rate-Limit-Remaining': String(Math.max(0, limit - this.#window.count)),
        'X-Sentry-Rate-Limit-Reset': String(second + 1),
        'X-Sentry-Rate-Limit-ConcurrentLimit': String(CONCURRENT_LIMIT),
        'X-Sentry-Rate-Limit-ConcurrentRemaining': String(
          Math.max(0, CONCURRENT_LIMIT - this.#inFlight)
        )
      }
    }
  }

  #takeFault(target: string, isList: boolean): SentryFault | undefined {
    const index = this.#faults.findIndex(
      ({ fault }) =>
        (fault.pathIncludes === undefined || target.includes(fault.pathIncludes)) &&
        (fault.kind !== 'loop-cursor' || isList)
    )
    const queued = this.#faults[index]
    if (!queued) return undefined
    queued.remaining--
    if (queued.remaining <= 0) this.#faults.splice(index, 1)
    return queued.fault
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending: PendingDelay = {
        timer: setTimeout(() => {
          this.#delays.delete(pending)
          resolve()
        }, ms),
        resolve
      }
      this.#delays.add(pending)
    })
  }

  #send(res: ServerResponse, reply: Reply): void {
    if (reply.rawBody !== undefined) {
      this.#sendRaw(res, reply.status, { ...reply.headers }, reply.rawBody)
      return
    }
    this.#sendRaw(
      res,
      reply.status,
      { 'content-type': 'application/json', ...reply.headers },
      JSON.stringify(reply.body)
    )
  }

  #sendRaw(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string
  ): void {
    if (res.destroyed) return
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  }

  #sendFaultStatus(res: ServerResponse, fault: Extract<SentryFault, { kind: 'status' }>): void {
    const body = fault.body ?? JSON.stringify({ detail: `Fake Sentry fault: HTTP ${fault.status}` })
    const contentType = /^\s*</.test(body) ? 'text/html; charset=utf-8' : 'application/json'
    this.#sendRaw(res, fault.status, { 'content-type': contentType, ...fault.headers }, body)
  }

  /** Sends the headers and the first half of a JSON body, then destroys the connection. */
  #sendReset(res: ServerResponse): void {
    const body = JSON.stringify(this.issues.slice(0, 5).map(serveIssue))
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body) + 64)
    })
    res.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))), () => {
      setImmediate(() => res.socket?.destroy())
    })
  }

  #projectFor(slug: string | undefined): FakeSentryProject {
    if (slug === undefined) return this.projects[0] ?? this.addProject('backend')
    return this.projects.find((p) => p.slug === slug) ?? this.addProject(slug)
  }
}

/**
 * Orders issues as Sentry's `sort` does (ties broken by id, newest first, for stable pages);
 * `freq` and `user` order by the figures within the query window.
 */
function sortIssues(issues: FakeIssue[], sort: string, window: [number, number]): void {
  const key = (issue: FakeIssue): number => {
    switch (sort) {
      case 'new':
        return toTime(issue['firstSeen']) ?? 0
      case 'freq':
        return toNumber(windowedSeen(issue, window)?.count ?? issue['count'])
      case 'user':
        return toNumber(windowedSeen(issue, window)?.userCount ?? issue['userCount'])
      default:
        return toTime(issue['lastSeen']) ?? 0
    }
  }
  issues.sort((a, b) => key(b) - key(a) || toNumber(b['id']) - toNumber(a['id']))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > 1_000_000) throw new Error('request body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Realistic events: `createFakeEvent` builds a complete `IssueEventDetailsResponse` for an issue
 * from the spec's example, in a JavaScript (browser, React) or Python (Django) shape: the
 * exception of the issue's metadata, a stack of framework frames then in-app frames with the
 * raising frame last, tags, release and contexts. Pure and deterministic for a given sequence
 * number; `FakeSentry.addEvent` stores what it builds.
 */
import { prng, pick, templateFor } from './catalogue.js'
import { isoPlus, scalarText } from './http.js'
import { EXAMPLE_EVENT } from './spec.js'
import type { FakeEvent, FakeEventInput, FakeFrameInput, FakeIssue } from './state.js'

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

/** A frame as Sentry serves one it knows nothing of: every field present, null where unknown. */
export function emptyServedFrame(): Record<string, unknown> {
  return {
    absPath: null,
    colNo: null,
    context: [],
    errors: null,
    filename: null,
    function: null,
    inApp: false,
    instructionAddr: null,
    lineNo: null,
    module: null,
    package: null,
    platform: null,
    rawFunction: null,
    symbol: null,
    symbolAddr: null,
    trust: null,
    vars: null
  }
}

/** A frame as Sentry serves it: every field present, null where unknown. */
function serveFrame(frame: FakeFrameInput): Record<string, unknown> {
  return {
    ...emptyServedFrame(),
    absPath: frame.absPath ?? frame.filename,
    colNo: frame.colNo ?? null,
    context: frame.context ?? [],
    filename: frame.filename,
    function: frame.function ?? null,
    inApp: frame.inApp ?? false,
    lineNo: frame.lineNo ?? null,
    module: frame.module ?? null
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

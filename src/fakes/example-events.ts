import { parseCodeMappings } from '../inputs/formats/code-mappings.js'
import { DEFAULT_PRIORITY_LABELS, parsePriorityLabels } from '../inputs/formats/priority-labels.js'
import { createCodeLinker } from '../render/code-links.js'
import { renderIssue } from '../render/issue.js'
import { issueLabels } from '../render/labels.js'
import type { IssueSignals } from '../render/signals.js'
import type { SuspectCommit } from '../render/suspect.js'
import {
  sentryEventSchema,
  sentryIssueSchema,
  type SentryEvent,
  type SentryIssue
} from '../sentry/schemas.js'
import {
  CALLER_FRAMES,
  createFakeEvent,
  exampleIssueFromSpec,
  type FakeEvent,
  type FakeIssue
} from './fake-sentry.js'

/**
 * Two realistic Sentry issues with their latest events, one from a JavaScript (React) front end
 * and one from a Python (Django) back end, shaped like the `IssueEventDetailsResponse` example of
 * Sentry's OpenAPI description (the fake's event builder starts from it). Tests render them, and
 * `scripts/render-examples.mjs` writes what the action files for them to `docs/examples/`.
 *
 * Only for tests, docs and the demo: product code must not import this module.
 */

export interface Example {
  /** The issue as Sentry's issues list serves it. */
  rawIssue: FakeIssue
  /** The latest event as Sentry serves it. */
  rawEvent: FakeEvent
  issue: SentryIssue
  event: SentryEvent
}

const JS_ISSUE: FakeIssue = {
  ...exampleIssueFromSpec(),
  id: '6012345678',
  shortId: 'WEB-FRONTEND-1A2',
  title: "TypeError: Cannot read properties of undefined (reading 'name')",
  culprit: 'src/components/UserCard.tsx in UserCard',
  permalink: 'https://acme.sentry.io/issues/6012345678/',
  level: 'error',
  status: 'unresolved',
  substatus: 'escalating',
  priority: 'high',
  platform: 'javascript',
  type: 'error',
  isUnhandled: true,
  count: '1432',
  userCount: 318,
  firstSeen: '2026-11-12T08:14:03.512000Z',
  lastSeen: '2026-11-20T11:58:02.000000Z',
  metadata: {
    type: 'TypeError',
    value: "Cannot read properties of undefined (reading 'name')",
    filename: './src/components/UserCard.tsx',
    function: 'UserCard'
  },
  project: {
    id: '4500000000000001',
    slug: 'web-frontend',
    name: 'Web Frontend',
    platform: 'javascript'
  },
  assignedTo: null,
  _environments: ['production']
}

const JS_EVENT = createFakeEvent(
  JS_ISSUE,
  {
    id: 'c0a3f2e81b7d4b6e9a1f0d2c3b4a5968',
    dateCreated: '2026-11-20T11:58:02.000000Z',
    mechanism: { type: 'onunhandledrejection', handled: false },
    release: 'web-frontend@2.16.4',
    frames: [
      ...CALLER_FRAMES.javascript,
      {
        filename: './src/components/UserCard.tsx',
        absPath: 'app:///src/components/UserCard.tsx',
        module: 'src/components/UserCard',
        function: 'UserCard',
        lineNo: 18,
        colNo: 37,
        inApp: true,
        context: [
          [17, 'export function UserCard({ user }: Props) {'],
          [18, '  const initials = user.profile.name.slice(0, 2)'],
          [19, '  return <Avatar initials={initials} />']
        ]
      }
    ],
    tags: {
      browser: 'Chrome 124.0.6367',
      'browser.name': 'Chrome',
      environment: 'production',
      handled: 'no',
      level: 'error',
      mechanism: 'onunhandledrejection',
      os: 'Windows 10',
      'os.name': 'Windows',
      release: 'web-frontend@2.16.4',
      transaction: '/dashboard',
      url: 'https://app.example.com/dashboard'
    }
  },
  1
)

const PY_ISSUE: FakeIssue = {
  ...exampleIssueFromSpec(),
  id: '6012345999',
  shortId: 'API-7F',
  title: "KeyError: 'user_id'",
  culprit: 'app.views.users in get_user',
  permalink: 'https://acme.sentry.io/issues/6012345999/',
  level: 'error',
  status: 'unresolved',
  substatus: 'ongoing',
  priority: 'medium',
  platform: 'python',
  type: 'error',
  isUnhandled: true,
  count: '87',
  userCount: 12,
  firstSeen: '2026-11-18T22:41:10.004000Z',
  lastSeen: '2026-11-20T10:03:55.000000Z',
  metadata: {
    type: 'KeyError',
    value: "'user_id'",
    filename: 'app/views/users.py',
    function: 'get_user'
  },
  project: { id: '4500000000000002', slug: 'api', name: 'API', platform: 'python' },
  assignedTo: { type: 'team', id: '201', name: 'backend' },
  _environments: ['production']
}

const PY_EVENT = createFakeEvent(
  PY_ISSUE,
  {
    id: '9f1e2d3c4b5a69788796a5b4c3d2e1f0',
    dateCreated: '2026-11-20T10:03:55.000000Z',
    mechanism: { type: 'django', handled: false },
    release: '3f2c9e1d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e',
    frames: [
      ...CALLER_FRAMES.python,
      {
        filename: 'app/views/users.py',
        absPath: '/srv/app/app/views/users.py',
        module: 'app.views.users',
        function: 'get_user',
        lineNo: 42,
        inApp: true,
        context: [
          [41, 'def get_user(request):'],
          [42, '    user_id = request.session["user_id"]'],
          [43, '    return User.objects.get(pk=user_id)']
        ]
      }
    ],
    tags: {
      environment: 'production',
      handled: 'no',
      level: 'error',
      mechanism: 'django',
      release: '3f2c9e1d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e',
      runtime: 'CPython 3.12.3',
      'runtime.name': 'CPython',
      server_name: 'web-2',
      transaction: '/api/users/{user_id}',
      url: 'https://api.example.com/api/users/42'
    }
  },
  2
)

function example(rawIssue: FakeIssue, rawEvent: FakeEvent): Example {
  const served = Object.fromEntries(Object.entries(rawIssue).filter(([k]) => !k.startsWith('_')))
  // The examples' figures are the issue's totals, as a list answer's `lifetime` holds them.
  served['lifetime'] = {
    count: rawIssue['count'],
    userCount: rawIssue['userCount'],
    firstSeen: rawIssue['firstSeen'],
    lastSeen: rawIssue['lastSeen']
  }
  return {
    rawIssue,
    rawEvent,
    issue: sentryIssueSchema.parse(served),
    event: sentryEventSchema.parse(rawEvent)
  }
}

export const JAVASCRIPT_EXAMPLE: Example = example(JS_ISSUE, JS_EVENT)
export const PYTHON_EXAMPLE: Example = example(PY_ISSUE, PY_EVENT)

/** The repository and mappings the examples are rendered for. */
export const EXAMPLE_SETTINGS = {
  org: 'acme',
  serverUrl: 'https://github.com',
  owner: 'acme',
  repo: 'shop',
  codeMappings: 'app:///src/ => web/src/\n/srv/app/ => backend/',
  trackingLabel: 'sentry',
  labels: ['bug'],
  maxFrames: 20
} as const

/**
 * What the optional sections show for the JavaScript example, as the action would find them with
 * `code-mappings` (the suspect commit), `owners: show`, `seer: show` and `tag-breakdown`: fixed
 * data in the shapes GitHub's blame and Sentry's answers give.
 */
export const EXAMPLE_EXTRAS: {
  suspect: SuspectCommit
  signals: IssueSignals
} = {
  suspect: {
    sha: '9c1f4e2a7b3d5c6e8f0a1b2c3d4e5f60718293a4',
    title: 'Render the user card before the profile request resolves',
    login: 'ada-l',
    name: 'Ada L.',
    pull: 412,
    repositoryUrl: `${EXAMPLE_SETTINGS.serverUrl}/${EXAMPLE_SETTINGS.owner}/${EXAMPLE_SETTINGS.repo}`
  },
  signals: {
    owners: [
      { name: 'ada@example.com', reason: 'suspectCommit', login: 'ada-l' },
      { name: '#web-frontend', reason: 'ownershipRule', login: 'grace-h' }
    ],
    seer: {
      kind: 'root-cause',
      rootCause:
        'UserCard reads user.name while the profile request is still pending, when user is undefined.',
      steps: [
        'The dashboard mounts UserCard before useProfile() has resolved',
        'UserCard reads props.user.name on its first render'
      ],
      solution: {
        description: 'Render a placeholder until the profile is loaded.',
        steps: ['Return a skeleton from UserCard while user is undefined']
      }
    },
    tags: [
      {
        key: 'browser',
        total: 1432,
        values: [
          { value: 'Chrome 131', count: 902 },
          { value: 'Safari 18.1', count: 341 },
          { value: 'Firefox 133', count: 189 }
        ]
      },
      {
        key: 'environment',
        total: 1432,
        values: [{ value: 'production', count: 1432 }]
      }
    ]
  }
}

/** What the action files for each example (title, labels and body), as Markdown. */
export function renderExamples(): Record<'javascript' | 'python', string> {
  const s = EXAMPLE_SETTINGS
  const codeLinks = createCodeLinker({
    mappings: parseCodeMappings(s.codeMappings).mappings,
    serverUrl: s.serverUrl,
    owner: s.owner,
    repo: s.repo
  })
  const rules = parsePriorityLabels(DEFAULT_PRIORITY_LABELS).rules
  const render = ({ issue, event }: Example, extras?: typeof EXAMPLE_EXTRAS): string => {
    const labels = issueLabels(issue, event, {
      trackingLabel: s.trackingLabel,
      labels: s.labels,
      priorityRules: rules,
      sources: [],
      prefixes: {
        level: 'level',
        priority: 'sentry priority',
        environment: 'env',
        project: 'project'
      }
    })
    const rendered = renderIssue(issue, {
      org: s.org,
      trackingLabel: s.trackingLabel,
      labels: labels.slice(1),
      event,
      maxFrames: s.maxFrames,
      codeLinks,
      ...(extras ? { suspect: extras.suspect, signals: extras.signals } : {})
    })
    return [
      '<!-- Generated by scripts/render-examples.mjs from src/fakes/example-events.ts: do not edit. -->',
      '',
      `**Title:** ${rendered.title}`,
      '',
      `**Labels:** ${rendered.labels.join(', ')}`,
      '',
      '**Body:**',
      '',
      '---',
      '',
      rendered.body
    ].join('\n')
  }
  return {
    javascript: render(JAVASCRIPT_EXAMPLE, EXAMPLE_EXTRAS),
    python: render(PYTHON_EXAMPLE)
  }
}

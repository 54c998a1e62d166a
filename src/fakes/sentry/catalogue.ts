/**
 * The catalogue the fake's realistic data comes from: errors a Python (Django) back end and a
 * JavaScript (React) front end raise (type, messages, the raising function and its source lines),
 * people and teams to assign, and a small deterministic PRNG, so that the same seed always gives
 * the same issues and events.
 */

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

export const PYTHON_ERRORS: ErrorTemplate[] = [
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

export const JAVASCRIPT_ERRORS: ErrorTemplate[] = [
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

export const PEOPLE = [
  { id: '101', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: '102', name: 'Grace Hopper', email: 'grace@example.com' },
  { id: '103', name: 'Alan Turing', email: 'alan@example.com' }
]
export const TEAMS = [
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

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

/** The catalogue entry an issue was seeded from (by its metadata), if any. */
export function templateFor(metadata: Record<string, unknown>): ErrorTemplate | undefined {
  return [...PYTHON_ERRORS, ...JAVASCRIPT_ERRORS].find(
    (t) => t.type === metadata['type'] && t.filename === metadata['filename']
  )
}

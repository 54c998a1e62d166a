/**
 * The examples of Sentry's OpenAPI description (extracted into `../data/sentry-spec.json` by
 * `scripts/extract-sentry-spec.mjs`) the fake builds its answers from, so that every field the
 * description requires is present: an item of the issues list, an event, the organization.
 */
import spec from '../data/sentry-spec.json' with { type: 'json' }
import type { FakeEvent, FakeIssue } from './state.js'

interface ExtractedSpec {
  operations: Record<
    string,
    { examples: Record<string, Record<string, { value: unknown }>> } | undefined
  >
}

const ISSUES_LIST_OPERATION = 'GET /api/0/organizations/{organization_id_or_slug}/issues/'
const EVENT_DETAILS_OPERATION =
  'GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/'
export const ORGANIZATION_OPERATION = 'GET /api/0/organizations/{organization_id_or_slug}/'

/** The value of the first 200 example of an operation, as extracted (undefined when none). */
function firstExample(operation: string): unknown {
  const examples = (spec as unknown as ExtractedSpec).operations[operation]?.examples
  return Object.values(examples?.['200'] ?? {})[0]?.value
}

/** The first item of the issues-list example in Sentry's OpenAPI description. */
function specExampleIssue(): FakeIssue {
  const first = firstExample(ISSUES_LIST_OPERATION)
  if (!Array.isArray(first) || typeof first[0] !== 'object' || first[0] === null) {
    throw new Error('data/sentry-spec.json has no issues-list example: re-run the extract script')
  }
  return first[0] as FakeIssue
}

/** The spec's example issue; not to be changed (copy it first). */
export const EXAMPLE_ISSUE = specExampleIssue()

/**
 * A fresh copy of the spec's example issue: every field Sentry's description requires, for
 * fixtures to start from and override.
 */
export function exampleIssueFromSpec(): FakeIssue {
  return structuredClone(EXAMPLE_ISSUE)
}

/** The 200 example of an operation in Sentry's OpenAPI description, as an object. */
export function specExample(operation: string): Record<string, unknown> {
  const first = firstExample(operation)
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new Error(
      `data/sentry-spec.json has no example for ${operation}: re-run the extract script`
    )
  }
  return structuredClone(first as Record<string, unknown>)
}

/** The example of `IssueEventDetailsResponse` in Sentry's OpenAPI description. */
function specExampleEvent(): FakeEvent {
  const first = firstExample(EVENT_DETAILS_OPERATION)
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new Error('data/sentry-spec.json has no event example: re-run the extract script')
  }
  return first as FakeEvent
}

/** The spec's example event; not to be changed (copy it first). */
export const EXAMPLE_EVENT = specExampleEvent()

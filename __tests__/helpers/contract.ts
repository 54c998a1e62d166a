import {
  GitHubContractChecker,
  type ContractCheckerOptions,
  type ToleratedDeviation
} from '../../src/fakes/contract.js'
import type { FakeGitHub } from '../../src/fakes/fake-github.js'

/**
 * Differences between the fake GitHub and GitHub's OpenAPI description (@octokit/openapi, see
 * src/fakes/data/github-spec.json) that are known and tolerated. Each one is asserted to still
 * occur by __tests__/contract/github-contract.test.ts, so the list cannot silently go stale: once
 * the cause is fixed, that test fails and the entry must be removed.
 */
export const KNOWN_FAKE_DEVIATIONS: ToleratedDeviation[] = [
  {
    // The description is stricter than GitHub: search items are issue objects, and an issue's
    // `body` is documented as nullable everywhere else (GET/POST/PATCH issues, issue lists).
    operation: 'search/issues-and-pull-requests',
    problem:
      /^search\/issues-and-pull-requests \(GET \/search\/issues\): response 200 body \/items\/\d+\/body: must be string$/,
    reason:
      'the description types a search item `body` as a non-null string; GitHub (and the fake) send null for an issue without a body'
  }
]

/**
 * From now on, checks every request `fake` receives and every 2xx answer it gives against GitHub's
 * OpenAPI description (src/fakes/data/github-spec.json). Call `assertNoViolations()` on the result
 * when the test is done (after closing the fake); it throws naming each operation that broke it.
 */
export function watchGitHubContract(
  fake: FakeGitHub,
  options: ContractCheckerOptions = {}
): GitHubContractChecker {
  const checker = new GitHubContractChecker({ tolerate: KNOWN_FAKE_DEVIATIONS, ...options })
  fake.onExchange = checker.record
  return checker
}

import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { errorMessage, type Logger } from '../log.js'
import { coerceState, emptyState, type StateStore, type SyncState } from './store.js'

/**
 * State kept in the Actions cache. Cache keys are immutable, so every run saves under a fresh
 * key (`…-{run_id}-{run_attempt}`) and restores the newest entry by prefix. The prefix is scoped by
 * repository, Sentry organisation and tracking label, so unrelated syncs never share state.
 * Every failure is a warning: the cache is the last of three dedup layers, never a reason to fail.
 */

/**
 * Everything that makes one sync different from another syncing into the same repository: two
 * workflows with different projects, environments or queries keep their own state, so one's run
 * time cannot hide the other's closes.
 */
export interface CacheScope {
  repository: string
  org: string
  trackingLabel: string
  sentryUrl?: string
  projects?: readonly string[]
  environments?: readonly string[]
  query?: string
}

export interface CacheStoreOptions {
  scope: CacheScope
  log: Logger
  runId?: string
  runAttempt?: string
  /** Folder for the cached file; defaults to RUNNER_TEMP (or the OS temp folder). */
  directory?: string
  /** Restore but never save (dry runs read the state a real run would use). */
  readOnly?: boolean
}

export function cacheKeyPrefix(scope: CacheScope): string {
  return `${syncPrefix(scope)}${hash([scope.org]).slice(0, 8)}-`
}

/**
 * The prefix shared by every organisation slug of one sync (same repository, host, projects,
 * environments, query and label): restored when the org's own prefix finds nothing, so a renamed
 * organisation keeps its state (issue ids are unique on a Sentry host, so its keys still apply).
 */
export function syncPrefix(scope: CacheScope): string {
  const digest = hash([
    scope.repository.toLowerCase(),
    scope.trackingLabel.toLowerCase(),
    scope.sentryUrl ?? '',
    [...(scope.projects ?? [])].map((p) => p.toLowerCase()).sort(),
    [...(scope.environments ?? [])].sort(),
    scope.query ?? ''
  ]).slice(0, 16)
  return `sentry-issues-state-v2-${digest}-`
}

function hash(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

type CacheModule = typeof import('@actions/cache')
let cacheModule: Promise<CacheModule> | undefined

/**
 * @actions/cache, loaded on first use: it brings the Azure storage client with it, which a run
 * needs only once it reads the state, after its first requests (and a dry run's check never).
 * The bundle keeps it in a chunk of its own (dist/<n>.index.js), read and parsed only then.
 */
function loadCache(): Promise<CacheModule> {
  cacheModule ??= import('@actions/cache')
  return cacheModule
}

/** False when the loaded cache module has no isFeatureAvailable (see CacheStateStore.available). */
function featureCheckExists(cache: CacheModule): boolean {
  const check: unknown = (cache as Record<string, unknown>).isFeatureAvailable
  return typeof check === 'function'
}

/** Whether the Actions cache is available here (a stand-in without the check counts as yes). */
export async function actionsCacheAvailable(): Promise<boolean> {
  const cache = await loadCache()
  return !featureCheckExists(cache) || cache.isFeatureAvailable()
}

export class CacheStateStore implements StateStore {
  private readonly file: string
  private readonly prefix: string

  constructor(private readonly options: CacheStoreOptions) {
    const directory =
      options.directory ??
      path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'sentry-issues-action-state')
    this.file = path.join(directory, 'state.json')
    this.prefix = cacheKeyPrefix(options.scope)
  }

  /**
   * Whether to use the cache. A stand-in for @actions/cache may offer only restoreCache and
   * saveCache (@github/local-action's does): then both are tried, and their failures are warnings.
   */
  private available(cache: CacheModule): boolean {
    if (!featureCheckExists(cache) || cache.isFeatureAvailable()) return true
    this.options.log.warning(
      'The Actions cache is not available here, so the sync state is not kept between runs. Deduplication still works through the tracking label.'
    )
    return false
  }

  async load(): Promise<SyncState> {
    const cache = await loadCache()
    if (!this.available(cache)) return emptyState()
    try {
      const hit = await cache.restoreCache([this.file], this.prefix, [
        this.prefix,
        syncPrefix(this.options.scope)
      ])
      if (!hit) {
        this.options.log.info('No cached sync state yet.')
        return emptyState()
      }
      this.options.log.debug(`Restored sync state from cache entry ${hit}.`)
      return coerceState(JSON.parse(await readFile(this.file, 'utf8')))
    } catch (error) {
      this.options.log.warning(
        `Could not restore the sync state from the cache: ${errorMessage(error)}`
      )
      return emptyState()
    }
  }

  async save(state: SyncState): Promise<void> {
    if (this.options.readOnly) return
    const cache = await loadCache()
    if (featureCheckExists(cache) && !cache.isFeatureAvailable()) return
    const key = `${this.prefix}${this.options.runId ?? process.env.GITHUB_RUN_ID ?? Date.now()}-${this.options.runAttempt ?? process.env.GITHUB_RUN_ATTEMPT ?? '1'}`
    try {
      await mkdir(path.dirname(this.file), { recursive: true })
      await writeFile(this.file, JSON.stringify(state))
      // @actions/cache reports its own failures and answers -1; some only as an info line (a
      // refused reservation, which is also what an unreachable service ends in), so say it here.
      if ((await cache.saveCache([this.file], key)) === -1) {
        this.options.log.warning(
          `Could not save the sync state to the cache: the cache service did not take entry ${key} (see the lines above).`
        )
        return
      }
      this.options.log.debug(`Saved sync state to cache entry ${key}.`)
    } catch (error) {
      this.options.log.warning(`Could not save the sync state to the cache: ${errorMessage(error)}`)
    }
  }
}

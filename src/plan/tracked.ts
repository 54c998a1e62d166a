import type { MarkerState } from './marker.js'

/** A GitHub issue that carries a marker, as the index sees it. */
export interface TrackedIssue {
  /** GitHub's issue id (needed to mark another issue as its duplicate). */
  id: number
  number: number
  url: string
  state: 'open' | 'closed'
  stateReason?: string | null
  createdAt: string
  closedAt?: string | null
  /** When anything last changed on the issue (GitHub's `updated_at`): a reopen is no later. */
  updatedAt?: string
  /** The issue body as listed (the lifecycle reads and rewrites its stats block). */
  body?: string | null
  labels?: string[]
  locked?: boolean
  /** Logins of the people assigned, as listed (sync-assignees). */
  assignees?: string[]
  /** How many comments it has, as listed (sync-comments). */
  comments?: number
  /** Whether the body's marker line is the one the action writes today (see identify). */
  marker?: MarkerState
  /** Which dedup layer found it. */
  foundBy: 'label' | 'search' | 'cache'
}

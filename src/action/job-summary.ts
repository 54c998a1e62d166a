import * as core from '@actions/core'
import { errorMessage } from '../log.js'

/** Writes the step's job summary; a summary that cannot be written is a warning, not a failure. */
export async function writeJobSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
}

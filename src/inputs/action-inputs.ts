import * as core from '@actions/core'
import { INPUT_NAMES, parseConfig, type Config, type RawInputs } from './config.js'

/**
 * Reads the action's inputs (the only place that calls core.getInput), masks the secrets before
 * anything else can print them, and validates everything into a Config.
 */
export function readActionConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: RawInputs = {}
  for (const name of INPUT_NAMES) raw[name] = core.getInput(name)
  for (const secret of ['sentry-token', 'github-token']) {
    const value = raw[secret]?.trim()
    if (value) core.setSecret(value)
  }
  if (!raw.repository?.trim()) raw.repository = env.GITHUB_REPOSITORY ?? ''
  return parseConfig(raw, { apiUrl: env.GITHUB_API_URL, serverUrl: env.GITHUB_SERVER_URL })
}

import {
  cleanLabel,
  MAX_LABEL_LENGTH,
  type Comparison,
  type Condition,
  type Metric,
  type PriorityRule
} from '../../render/labels.js'

/**
 * The `priority-labels` input: rules over an issue's event and user counts, one a line (or `;`
 * between rules on one line), tried top to bottom; the first that matches gives the label, and a
 * last rule without a condition catches the rest. `none` turns priority labels off. The format is
 * described, with examples, in docs/configuration.md. Pure.
 */

export const DEFAULT_PRIORITY_LABELS = [
  'priority: critical if events > 100 or users > 50',
  'priority: high if events > 50 or users > 20',
  'priority: medium if events > 10 or users > 5',
  'priority: low'
].join('\n')

const CONDITION = /^(events|users)\s*(>=|<=|>|<|=)\s*(\d{1,15})$/u

/**
 * Parses `priority-labels`. Rules are separated by new lines (or `;` on one line); `none` (or
 * an empty value, when the caller passes one) means no priority labels.
 */
export function parsePriorityLabels(
  text: string,
  inputName = 'priority-labels'
): { rules: PriorityRule[]; problems: string[] } {
  const problems: string[] = []
  const rules: PriorityRule[] = []
  const trimmed = text.trim()
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return { rules, problems }
  const lines = trimmed
    .split(/\r\n|\r|\n|;/u)
    .map((l) => l.trim())
    .filter((l) => l !== '')
  const example =
    'for example "priority: high if events > 50 or users > 20", or "priority: low" last'
  const seen = new Set<string>()
  lines.forEach((line, index) => {
    const where = `${inputName} rule ${index + 1} (${JSON.stringify(line)})`
    const at = line.toLowerCase().lastIndexOf(' if ')
    const labelText = (at === -1 ? line : line.slice(0, at)).trim()
    const label = cleanLabel(labelText)
    if (label === '' || label !== labelText) {
      problems.push(
        `${where}: the label must be 1 to ${MAX_LABEL_LENGTH} characters without commas or control characters`
      )
      return
    }
    if (seen.has(label.toLowerCase())) {
      problems.push(`${where}: the label "${label}" has a rule already`)
      return
    }
    seen.add(label.toLowerCase())
    if (at === -1) {
      if (index !== lines.length - 1) {
        problems.push(`${where}: a rule without a condition catches everything, so it must be last`)
        return
      }
      rules.push({ label, conditions: [], join: 'or' })
      return
    }
    const conditionText = line.slice(at + 4).trim()
    const hasOr = /\sor\s/iu.test(` ${conditionText} `)
    const hasAnd = /\sand\s/iu.test(` ${conditionText} `)
    if (hasOr && hasAnd) {
      problems.push(
        `${where}: use either "or" or "and" between the conditions of one rule, not both`
      )
      return
    }
    const join = hasAnd ? 'and' : 'or'
    const conditions: Condition[] = []
    for (const part of conditionText.split(/\s+(?:or|and)\s+/iu)) {
      const match = CONDITION.exec(part.trim().toLowerCase())
      if (!match) {
        problems.push(
          `${where}: "${part.trim()}" is not a condition; write events or users, then >, >=, <, <= or =, then a whole number (${example})`
        )
        return
      }
      conditions.push({
        metric: match[1] as Metric,
        op: match[2] as Comparison,
        value: Number(match[3])
      })
    }
    rules.push({ label, conditions, join })
  })
  return { rules: problems.length > 0 ? [] : rules, problems }
}

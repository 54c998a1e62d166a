/**
 * A number as `toLocaleString('en-US')` writes it (1,234; 1,234.5; at most three decimals),
 * without Intl: the first use of Intl maps ICU's locale data into the process, about 8 MiB of
 * resident memory, for digit grouping only.
 */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const negative = n < 0 || Object.is(n, -0)
  const abs = Math.abs(n)
  // toFixed switches to exponent notation from 1e21; such numbers are whole anyway.
  const fixed = abs >= 1e21 ? BigInt(abs).toString() : abs.toFixed(3)
  const [whole = '0', decimals = ''] = fixed.split('.')
  const fraction = decimals.replace(/0+$/, '')
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',')
  const text = fraction === '' ? grouped : `${grouped}.${fraction}`
  return negative && text !== '0' ? `-${text}` : text
}

/** Organisation codes, GB 11714-1997: 8 body characters [0-9A-Z] and a check character. */

const WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

// 0–9 keep their value and A–Z count from 10, as the standard prescribes.
function valueOf(char: string): number {
  return Number.parseInt(char, 36);
}

/** The check character (0–9 or X) for an 8-character organisation code body. */
export function orgCodeCheckChar(first8: string): string {
  if (typeof first8 !== 'string' || !/^[0-9A-Z]{8}$/.test(first8)) {
    throw new RangeError('an organisation code body must be 8 characters from 0-9 and A-Z');
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += valueOf(first8[i] ?? '') * (WEIGHTS[i] ?? 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The full code in its printed form `XXXXXXXX-C`. */
export function completeOrgCode(first8: string): string {
  return `${first8}-${orgCodeCheckChar(first8)}`;
}

/** Whether `code` is a valid organisation code, printed (`XXXXXXXX-C`) or compact (`XXXXXXXXC`). */
export function isValidOrgCode(code: string): boolean {
  if (typeof code !== 'string') return false;
  const match = /^([0-9A-Z]{8})-?([0-9X])$/.exec(code);
  if (match === null) return false;
  const [, body, check] = match;
  return body !== undefined && orgCodeCheckChar(body) === check;
}

/**
 * Unified social credit codes, GB 32100-2015: registering authority (1), entity type (1),
 * division code (6, GB/T 2260), organisation code body and check (9, GB 11714), check (1).
 */

// The 31 characters of the standard: digits and capitals without I, O, Z, S and V.
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

const BODY = /^[0-9A-HJ-NPQRTUWXY]{17}$/;
const CODE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character for the first 17 characters of a credit code. */
export function usccCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || !BODY.test(first17)) {
    throw new RangeError('a credit code body must be 17 characters from the GB 32100 alphabet');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i] ?? '') * (WEIGHTS[i] ?? 0);
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] ?? '';
}

/** The full 18-character code for a 17-character body. */
export function completeUscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

/**
 * Whether `code` is a valid credit code: 18 upper-case characters from the alphabet, a numeric
 * division code in positions 3–8, and the right check character.
 */
export function isValidUscc(code: string): boolean {
  if (typeof code !== 'string' || !CODE.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

// Unified social credit code (统一社会信用代码, GB 32100-2015). Checked client-side so a typo
// is caught on the form; the server checks again and stays authoritative.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type UsccProblem = 'LENGTH' | 'CHARACTER' | 'CHECK';

/** The check character for the first 17 characters, or null if one is outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17.charAt(i));
    if (v < 0) return null;
    sum += v * (WEIGHTS[i] ?? 0);
  }
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** null when valid. Lower-case input is accepted because people type it that way. */
export function validateUscc(raw: string): UsccProblem | null {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) return 'LENGTH';
  for (const ch of code) if (!ALPHABET.includes(ch)) return 'CHARACTER';
  return usccCheckChar(code.slice(0, 17)) === code.charAt(17) ? null : 'CHECK';
}

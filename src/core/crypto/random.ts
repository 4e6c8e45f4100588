import { randomBytes } from 'node:crypto';

// A cap keeps a mistaken argument (say a byte count taken from user input) from exhausting memory.
const MAX_BYTES = 1024;

function checkedLength(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_BYTES) {
    throw new RangeError(`random length must be an integer from 1 to ${MAX_BYTES} bytes, got ${bytes}`);
  }
  return bytes;
}

/** A URL-safe random token (base64url, no padding) from the OS CSPRNG; 32 bytes = 256 bits by default. */
export function randomToken(bytes = 32): string {
  return randomBytes(checkedLength(bytes)).toString('base64url');
}

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  return randomBytes(checkedLength(bytes)).toString('hex');
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { toBytes, type BytesLike } from './bytes.js';

export type { BytesLike };

/** SM3 digest (GB/T 32905-2016), 32 bytes. */
export function sm3(data: BytesLike): Buffer {
  return createHash('sm3').update(toBytes(data)).digest();
}

/** SM3 digest as 64 lowercase hex characters. */
export function sm3Hex(data: BytesLike): string {
  return sm3(data).toString('hex');
}

/** HMAC (RFC 2104) over SM3, 32 bytes. */
export function hmacSm3(key: BytesLike, data: BytesLike): Buffer {
  return createHmac('sm3', toBytes(key)).update(toBytes(data)).digest();
}

/** HMAC-SM3 as 64 lowercase hex characters. */
export function hmacSm3Hex(key: BytesLike, data: BytesLike): string {
  return hmacSm3(key, data).toString('hex');
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Compares two hex strings (digests, MACs) in time that does not depend on where they differ.
 * Case is ignored because both spellings name the same bytes. Returns false instead of throwing on
 * different lengths, odd lengths, non-hex input or empty strings: an empty "MAC" must never match.
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (a.length !== b.length || !HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

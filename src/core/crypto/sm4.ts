import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { hmacSm3 } from './sm3.js';

const NODE_KEY_BYTES = 32;
const SM4_KEY_BYTES = 16;
const BLOCK_BYTES = 16;
const TAG_BYTES = 32;
const VERSION = 'v1';
const CORRUPT = 'sealed secret is corrupt or was sealed under another key';

function assertNodeKey(nodeKey: Buffer): void {
  // A key of the wrong size is a configuration bug, not a tampered secret, so it gets its own error.
  if (!Buffer.isBuffer(nodeKey) || nodeKey.length !== NODE_KEY_BYTES) {
    throw new RangeError(`node key must be ${NODE_KEY_BYTES} bytes`);
  }
}

// Separate keys for encryption and authentication, so neither use can leak into the other.
function deriveKeys(nodeKey: Buffer): { encKey: Buffer; macKey: Buffer } {
  return {
    encKey: hmacSm3(nodeKey, 'tianshu/sm4/enc').subarray(0, SM4_KEY_BYTES),
    macKey: hmacSm3(nodeKey, 'tianshu/sm4/mac'),
  };
}

// The IV has a fixed length, so "v1" ‖ iv ‖ ciphertext splits only one way: no ambiguity to exploit.
function tagOf(macKey: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  return createHmac('sm3', macKey).update(VERSION).update(iv).update(ciphertext).digest();
}

/**
 * SM4 in CTR mode (OpenSSL's 128-bit big-endian counter). Encryption and decryption are the same
 * operation. Exported so the mode can be proved against a published vector.
 */
export function sm4CtrXor(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  if (key.length !== SM4_KEY_BYTES || iv.length !== BLOCK_BYTES) {
    throw new RangeError('SM4-CTR needs a 16-byte key and a 16-byte IV');
  }
  const cipher = createCipheriv('sm4-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * Encrypts one 16-byte block with SM4 (GB/T 32907-2016) in ECB mode, `iterations` times over
 * (the standard's second example encrypts its own output 1,000,000 times). Only for proving the
 * cipher against known answers: never use ECB to protect data.
 */
export function sm4EcbEncryptBlock(key: Buffer, block: Buffer, iterations = 1): Buffer {
  if (key.length !== SM4_KEY_BYTES || block.length !== BLOCK_BYTES) {
    throw new RangeError('SM4 needs a 16-byte key and a 16-byte block');
  }
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError('iterations must be a positive integer');
  }
  const cipher = createCipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  let out = Buffer.from(block);
  // One cipher context for every round: creating a context per block would be ~10x slower.
  for (let i = 0; i < iterations; i++) out = cipher.update(out);
  return out;
}

/**
 * Seals a secret for storage at rest: SM4-CTR under a fresh random IV, then HMAC-SM3 over
 * version, IV and ciphertext (encrypt-then-MAC). Result: `v1.<iv>.<ciphertext>.<tag>`, base64url.
 */
export function sealSecret(nodeKey: Buffer, plaintext: string): string {
  assertNodeKey(nodeKey);
  const { encKey, macKey } = deriveKeys(nodeKey);
  const iv = randomBytes(BLOCK_BYTES);
  const ciphertext = sm4CtrXor(encKey, iv, Buffer.from(plaintext, 'utf8'));
  const tag = tagOf(macKey, iv, ciphertext);
  return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

// Node's base64url decoder skips characters it does not know and ignores spare trailing bits, so
// two different strings can decode to the same bytes. Requiring the canonical encoding makes any
// edit of the sealed text fail, not just the edits that happen to change the decoded bytes.
function decodeCanonical(part: string): Buffer | undefined {
  if (!B64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

/** Opens a value made by {@link sealSecret}; throws one plain error for every kind of failure. */
export function openSecret(nodeKey: Buffer, sealed: string): string {
  assertNodeKey(nodeKey);
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  const [version, ivPart, ctPart, tagPart] = parts;
  if (parts.length !== 4 || version !== VERSION || ivPart === undefined || ctPart === undefined || tagPart === undefined) {
    throw new Error(CORRUPT);
  }
  const iv = decodeCanonical(ivPart);
  const ciphertext = decodeCanonical(ctPart);
  const tag = decodeCanonical(tagPart);
  if (iv === undefined || ciphertext === undefined || tag === undefined || iv.length !== BLOCK_BYTES || tag.length !== TAG_BYTES) {
    throw new Error(CORRUPT);
  }
  const { encKey, macKey } = deriveKeys(nodeKey);
  // Check before decrypting, in constant time, so nothing about unauthenticated data is revealed.
  if (!timingSafeEqual(tagOf(macKey, iv, ciphertext), tag)) throw new Error(CORRUPT);
  return sm4CtrXor(encKey, iv, ciphertext).toString('utf8');
}

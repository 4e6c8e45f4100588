import { sm2 as lib } from 'sm-crypto-v2';

import { toBytes, type BytesLike } from './bytes.js';

/** The signer ID that GM/T 0009-2012 §10 fixes as the default when none is agreed. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** Order n of the base point of the SM2 recommended curve (GB/T 32918.5-2017). */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

const PRIVATE_KEY = /^[0-9a-fA-F]{64}$/;
const PUBLIC_KEY = /^(?:04[0-9a-fA-F]{128}|0[23][0-9a-fA-F]{64})$/;
const SIGNATURE = /^[0-9a-fA-F]{128}$/;
// Z_A carries the ID's length in bits in two bytes, so longer IDs cannot be represented.
const MAX_USER_ID_BYTES = 8191;

export interface Sm2KeyPair {
  /** 64 lowercase hex characters. */
  privateKey: string;
  /** Uncompressed point 04 ‖ x ‖ y: 130 lowercase hex characters. */
  publicKey: string;
}

/** The nonce of one signature: k and the x coordinate of [k]G. */
export interface Sm2Nonce {
  k: bigint;
  x1: bigint;
}

// SM2 signing divides by (1 + d), so d = n − 1 is unusable as well as 0 and values ≥ n.
function parsePrivateKey(privateKey: string): bigint {
  if (typeof privateKey !== 'string' || !PRIVATE_KEY.test(privateKey)) {
    throw new TypeError('SM2 private key must be 64 hex characters');
  }
  const d = BigInt(`0x${privateKey}`);
  if (d < 1n || d > N - 2n) throw new RangeError('SM2 private key is out of range [1, n-2]');
  return d;
}

function checkUserId(userId: string): void {
  if (typeof userId !== 'string' || Buffer.byteLength(userId, 'utf8') > MAX_USER_ID_BYTES) {
    throw new RangeError(`SM2 user ID must be a string of at most ${MAX_USER_ID_BYTES} UTF-8 bytes`);
  }
}

/** A fresh SM2 key pair from the OS CSPRNG. */
export function generateSm2KeyPair(): Sm2KeyPair {
  for (;;) {
    const pair = lib.generateKeyPairHex();
    const privateKey = pair.privateKey.toLowerCase();
    // The library draws d from [1, n−1]; n−1 cannot sign (see parsePrivateKey), so draw again.
    if (BigInt(`0x${privateKey}`) > N - 2n) continue;
    return { privateKey, publicKey: sm2PublicKeyFromPrivate(privateKey) };
  }
}

/** The uncompressed public key (04 ‖ x ‖ y, lowercase hex) of a private key. */
export function sm2PublicKeyFromPrivate(privateKey: string): string {
  parsePrivateKey(privateKey);
  const publicKey = lib.getPublicKeyFromPrivateKey(privateKey.toLowerCase()).toLowerCase();
  if (publicKey.length !== 130 || !publicKey.startsWith('04')) {
    throw new Error('unexpected SM2 public key encoding from sm-crypto-v2');
  }
  return publicKey;
}

function sign(privateKey: string, message: BytesLike, userId: string, nonce: Sm2Nonce | undefined): string {
  parsePrivateKey(privateKey);
  checkUserId(userId);
  const key = privateKey.toLowerCase();
  // `hash: true` is what makes this GB/T 32918.2: without it sm-crypto-v2 signs the raw message
  // bytes as the number e, with no SM3 and no Z_A. Passing the public key skips a re-derivation.
  const signature = lib.doSignature(toBytes(message), key, {
    hash: true,
    publicKey: sm2PublicKeyFromPrivate(key),
    userId,
    ...(nonce === undefined ? {} : { pointPool: [nonce] }),
  });
  return signature.toLowerCase();
}

/**
 * Signs per GB/T 32918.2 (e = SM3(Z_A ‖ M), Z_A over the signer ID and public key).
 * Returns raw r ‖ s, 128 lowercase hex characters (not DER).
 */
export function sm2Sign(privateKey: string, message: BytesLike, userId: string = SM2_DEFAULT_USER_ID): string {
  return sign(privateKey, message, userId, undefined);
}

/**
 * Signs with a caller-chosen nonce, only to reproduce the standard's worked example in tests.
 * Deliberately not re-exported from index.ts: a reused or guessable k reveals the private key.
 */
export function sm2SignWithFixedNonceForTest(
  privateKey: string,
  message: BytesLike,
  nonce: Sm2Nonce,
  userId: string = SM2_DEFAULT_USER_ID,
): string {
  return sign(privateKey, message, userId, { k: nonce.k, x1: nonce.x1 });
}

/**
 * Verifies a raw r ‖ s signature per GB/T 32918.2. Returns false, never throws, for any malformed
 * key, signature or ID.
 */
export function sm2Verify(
  publicKey: string,
  message: BytesLike,
  signature: string,
  userId: string = SM2_DEFAULT_USER_ID,
): boolean {
  try {
    if (typeof publicKey !== 'string' || !PUBLIC_KEY.test(publicKey)) return false;
    if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
    checkUserId(userId);
    // sm-crypto-v2 reduces r + s mod n without checking the ranges, which would accept (r, s + n);
    // the standard requires r, s ∈ [1, n−1], so enforce it here.
    const r = BigInt(`0x${signature.slice(0, 64)}`);
    const s = BigInt(`0x${signature.slice(64)}`);
    if (r < 1n || r >= N || s < 1n || s >= N) return false;
    const key = publicKey.toLowerCase();
    if (!lib.verifyPublicKey(key)) return false;
    return lib.doVerifySignature(toBytes(message), signature.toLowerCase(), key, { hash: true, userId });
  } catch {
    return false;
  }
}

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) of GB/T 32918.2 §5.5, as lowercase hex. */
export function sm2Za(publicKey: string, userId: string = SM2_DEFAULT_USER_ID): string {
  if (typeof publicKey !== 'string' || !PUBLIC_KEY.test(publicKey)) {
    throw new TypeError('SM2 public key must be 04 ‖ x ‖ y or a compressed point, in hex');
  }
  checkUserId(userId);
  return Buffer.from(lib.getZ(publicKey.toLowerCase(), userId)).toString('hex');
}

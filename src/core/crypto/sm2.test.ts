import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  generateSm2KeyPair,
  SM2_DEFAULT_USER_ID,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2SignWithFixedNonceForTest,
  sm2Verify,
  sm2Za,
} from './sm2.js';

// The worked signature example on the SM2 recommended curve: GB/T 32918.2-2016 / GM/T 0003.2 with the
// curve of GB/T 32918.5 (GM/T 0003.5-2012 Annex A). d, ID, M, k, r and s are copied from
// openssl/openssl test/sm2_internal_test.c (sm2_sig_test, "From Annex A in both GM/T0003.5-2012 and
// GB/T 32918.5-2016"); P, Z_A, e and x1 = x([k]G) are the example's intermediate values, found
// identical in several independent SM2 test suites (Go, C, Python, Elixir, Rust) in public code.
const D = '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8';
const P =
  '04' +
  '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020' +
  'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13';
const ZA = 'B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3';
const ID = '1234567812345678';
const M = 'message digest';
const K = 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n;
const X1 = 0x04ebfc718e8d1798620432268e77feb6415e2ede0e073c0f4f640ecd2e149a73n;
const R = 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3';
const S = 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA';
const SIG = (R + S).toLowerCase();
const N = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123';

function flipBit(hexString: string, bit: number): string {
  const bytes = Buffer.from(hexString, 'hex');
  bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return bytes.toString('hex');
}

test('uses the GM/T 0009 default signer ID', () => {
  assert.equal(SM2_DEFAULT_USER_ID, ID);
});

test('derives the published public key from the published private key', () => {
  assert.equal(sm2PublicKeyFromPrivate(D), P.toLowerCase());
  assert.equal(sm2PublicKeyFromPrivate(D.toLowerCase()), P.toLowerCase());
});

test('computes the published Z_A for the default ID', () => {
  assert.equal(sm2Za(P, ID), ZA.toLowerCase());
  assert.equal(sm2Za(P), ZA.toLowerCase());
});

test('computes a different Z_A for another ID', () => {
  assert.notEqual(sm2Za(P, 'ALICE123@YAHOO.COM'), ZA.toLowerCase());
});

test('verifies the published signature with the derived public key', () => {
  assert.equal(sm2Verify(sm2PublicKeyFromPrivate(D), M, SIG, ID), true);
  assert.equal(sm2Verify(P, M, SIG), true);
  assert.equal(sm2Verify(P, M, SIG.toUpperCase()), true);
  assert.equal(sm2Verify(P, Buffer.from(M, 'utf8'), SIG), true);
});

test('verifies the published signature with the compressed form of the public key', () => {
  // y ends in 0x13, so it is odd and the compressed prefix is 03.
  assert.equal(sm2Verify(`03${P.slice(2, 66)}`, M, SIG), true);
});

test('reproduces the published r and s exactly when k is fixed to the published nonce', () => {
  assert.equal(sm2SignWithFixedNonceForTest(D, M, { k: K, x1: X1 }, ID), SIG);
});

test('rejects the published signature with any single bit flipped in r or in s', () => {
  for (const bit of [0, 7, 100, 255, 256, 300, 511]) {
    assert.equal(sm2Verify(P, M, flipBit(SIG, bit)), false, `bit ${bit}`);
  }
});

test('rejects the published signature over another message', () => {
  assert.equal(sm2Verify(P, 'message digesT', SIG), false);
  assert.equal(sm2Verify(P, `${M} `, SIG), false);
  assert.equal(sm2Verify(P, '', SIG), false);
});

test('rejects the published signature under another signer ID', () => {
  assert.equal(sm2Verify(P, M, SIG, 'ALICE123@YAHOO.COM'), false);
  assert.equal(sm2Verify(P, M, SIG, ''), false);
});

test('rejects the published signature under another public key', () => {
  assert.equal(sm2Verify(generateSm2KeyPair().publicKey, M, SIG), false);
});

test('rejects r or s outside [1, n-1] without throwing', () => {
  const zero = '0'.repeat(64);
  assert.equal(sm2Verify(P, M, zero + S), false);
  assert.equal(sm2Verify(P, M, R + zero), false);
  assert.equal(sm2Verify(P, M, N + S), false);
  assert.equal(sm2Verify(P, M, R + N), false);
  assert.equal(sm2Verify(P, M, 'f'.repeat(128)), false);
});

test('returns false, never throws, for malformed keys, signatures and IDs', () => {
  const notOnCurve = P.slice(0, -2) + (P.endsWith('13') ? '14' : '13');
  const cases: Array<[string, unknown, string, string | undefined]> = [
    [P, M, SIG.slice(0, 126), undefined],
    [P, M, `${SIG}00`, undefined],
    [P, M, `0x${SIG.slice(2)}`, undefined],
    [P, M, `${SIG.slice(0, 127)}g`, undefined],
    [P, M, '', undefined],
    [notOnCurve, M, SIG, undefined],
    [P.slice(2), M, SIG, undefined],
    [`05${P.slice(2)}`, M, SIG, undefined],
    ['', M, SIG, undefined],
    ['04' + '0'.repeat(128), M, SIG, undefined],
    [P, M, SIG, 'x'.repeat(8192)],
    [P, 42, SIG, undefined],
    [undefined as unknown as string, M, SIG, undefined],
    [P, M, null as unknown as string, undefined],
  ];
  for (const [key, message, signature, id] of cases) {
    assert.equal(sm2Verify(key, message as string, signature, id), false, JSON.stringify([key, signature]));
  }
});

test('signs and verifies with a generated key pair', () => {
  const { privateKey, publicKey } = generateSm2KeyPair();
  assert.match(privateKey, /^[0-9a-f]{64}$/);
  assert.match(publicKey, /^04[0-9a-f]{128}$/);
  assert.equal(sm2PublicKeyFromPrivate(privateKey), publicKey);
  const signature = sm2Sign(privateKey, '天枢 ledger entry #1');
  assert.match(signature, /^[0-9a-f]{128}$/);
  assert.equal(sm2Verify(publicKey, '天枢 ledger entry #1', signature), true);
  assert.equal(sm2Verify(publicKey, Buffer.from('天枢 ledger entry #1', 'utf8'), signature), true);
  assert.equal(sm2Verify(publicKey, '天枢 ledger entry #2', signature), false);
});

test('signs with a custom signer ID that verification must repeat', () => {
  const { privateKey, publicKey } = generateSm2KeyPair();
  const bytes = new Uint8Array([0, 1, 2, 255]);
  const signature = sm2Sign(privateKey, bytes, 'node-630000@tianshu');
  assert.equal(sm2Verify(publicKey, bytes, signature, 'node-630000@tianshu'), true);
  assert.equal(sm2Verify(publicKey, bytes, signature), false);
});

test('uses a fresh nonce, so two signatures of one message differ and both verify', () => {
  const { privateKey, publicKey } = generateSm2KeyPair();
  const a = sm2Sign(privateKey, M);
  const b = sm2Sign(privateKey, M);
  assert.notEqual(a, b);
  assert.equal(sm2Verify(publicKey, M, a), true);
  assert.equal(sm2Verify(publicKey, M, b), true);
});

test('generates distinct key pairs', () => {
  assert.notEqual(generateSm2KeyPair().privateKey, generateSm2KeyPair().privateKey);
});

test('refuses private keys that are malformed or outside [1, n-2]', () => {
  const nMinus1 = (BigInt(`0x${N}`) - 1n).toString(16);
  for (const bad of ['', 'zz', D.slice(2), `${D}00`, '0'.repeat(64), N, nMinus1]) {
    assert.throws(() => sm2PublicKeyFromPrivate(bad), Error, bad);
    assert.throws(() => sm2Sign(bad, M), Error, bad);
  }
});

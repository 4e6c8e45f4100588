import { test } from 'node:test';
import assert from 'node:assert/strict';

import { hmacSm3, hmacSm3Hex, sm3, sm3Hex, timingSafeEqualHex } from './sm3.js';

// GB/T 32905-2016 Appendix A, examples 1 and 2 (also in openssl/openssl
// test/recipes/30-test_evp_data/evpmd_sm3.txt, from draft-shen-sm3-hash-01).
const ABC = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
const ABCD_X16 = 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732';

test('hashes "abc" to the GB/T 32905 example 1 digest', () => {
  assert.equal(sm3Hex('abc'), ABC);
  assert.equal(sm3('abc').toString('hex'), ABC);
});

test('hashes the 64-byte "abcd"×16 message to the GB/T 32905 example 2 digest', () => {
  assert.equal(sm3Hex('abcd'.repeat(16)), ABCD_X16);
});

test('hashes bytes and their UTF-8 string identically', () => {
  assert.equal(sm3Hex(new Uint8Array([0x61, 0x62, 0x63])), ABC);
});

test('hashes only the bytes a subarray views, not its whole backing buffer', () => {
  const view = Buffer.from('xxabcxx').subarray(2, 5);
  assert.equal(sm3Hex(view), ABC);
  assert.equal(sm3Hex(new Uint8Array(Buffer.from('--' + 'abcd'.repeat(16) + '--')).subarray(2, 66)), ABCD_X16);
});

test('returns 32 bytes and lowercase hex', () => {
  assert.equal(sm3('').length, 32);
  assert.match(sm3Hex('anything'), /^[0-9a-f]{64}$/);
});

// HMAC-SM3 known answers from openssl/openssl test/recipes/30-test_evp_data/evpmac_sm3.txt; the first
// two are GM/T 0042-2015 Appendix D.3 (the second also in intel/intel-ipsec-mb
// test/kat-app/hmac_sm3.json.c).
test('computes HMAC-SM3 as GM/T 0042-2015 Appendix D.3 with a 32-byte key', () => {
  const key = Buffer.from('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20', 'hex');
  const data = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'.repeat(2);
  assert.equal(hmacSm3Hex(key, data), 'ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a');
});

test('computes HMAC-SM3 as GM/T 0042-2015 Appendix D.3 with a 37-byte key and 50 bytes of 0xcd', () => {
  const key = Buffer.from('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425', 'hex');
  const data = Buffer.alloc(50, 0xcd);
  assert.equal(hmacSm3(key, data).toString('hex'), '220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae');
});

test('computes HMAC-SM3 of "Hi There" under thirty-two 0x0b bytes as published', () => {
  const key = Buffer.alloc(32, 0x0b);
  assert.equal(hmacSm3Hex(key, 'Hi There'), 'c0ba18c68b90c88bc07de794bfc7d2c8d19ec31ed8773bc2b390c9604e0be11e');
});

test('computes HMAC-SM3 with a string key as published', () => {
  assert.equal(
    hmacSm3Hex('Jefe Jeferson Jr', 'what do ya want for nothing?'),
    'ce791a34c59adef472997a249600f3f244d59e875be04055ba2ae12fc845e78c',
  );
});

test('treats equal hex strings as equal regardless of case', () => {
  assert.equal(timingSafeEqualHex(ABC, ABC), true);
  assert.equal(timingSafeEqualHex(ABC, ABC.toUpperCase()), true);
});

test('reports hex strings that differ in one digit as unequal', () => {
  const other = ABC.slice(0, -1) + (ABC.endsWith('0') ? '1' : '0');
  assert.equal(timingSafeEqualHex(ABC, other), false);
});

test('returns false instead of throwing for different lengths, odd lengths, non-hex and empty input', () => {
  assert.equal(timingSafeEqualHex(ABC, ABC.slice(0, 62)), false);
  assert.equal(timingSafeEqualHex('abc', 'abc'), false);
  assert.equal(timingSafeEqualHex('zz', 'zz'), false);
  assert.equal(timingSafeEqualHex('0x12', '0x12'), false);
  assert.equal(timingSafeEqualHex('', ''), false);
  assert.equal(timingSafeEqualHex(undefined as unknown as string, ABC), false);
});

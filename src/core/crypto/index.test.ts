import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as crypto from './index.js';

test('re-exports the public crypto API from one module', () => {
  for (const name of [
    'sm3', 'sm3Hex', 'hmacSm3', 'hmacSm3Hex', 'timingSafeEqualHex',
    'sealSecret', 'openSecret', 'sm4EcbEncryptBlock',
    'generateSm2KeyPair', 'sm2PublicKeyFromPrivate', 'sm2Sign', 'sm2Verify',
    'randomToken', 'randomHex',
  ]) {
    assert.equal(typeof (crypto as Record<string, unknown>)[name], 'function', name);
  }
});

test('keeps the fixed-nonce signing helper out of the public API', () => {
  assert.equal('sm2SignWithFixedNonceForTest' in crypto, false);
});

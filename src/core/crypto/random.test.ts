import { test } from 'node:test';
import assert from 'node:assert/strict';

import { randomHex, randomToken } from './random.js';

test('makes a 32-byte base64url token by default (43 characters, no padding)', () => {
  const token = randomToken();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(token, 'base64url').length, 32);
});

test('makes tokens of the requested byte length', () => {
  assert.equal(Buffer.from(randomToken(16), 'base64url').length, 16);
  assert.equal(Buffer.from(randomToken(1), 'base64url').length, 1);
});

test('makes lowercase hex of twice the requested byte length', () => {
  assert.match(randomHex(16), /^[0-9a-f]{32}$/);
  assert.match(randomHex(1), /^[0-9a-f]{2}$/);
});

test('does not repeat values across many draws', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(randomToken(16));
  assert.equal(seen.size, 1000);
  assert.notEqual(randomHex(16), randomHex(16));
});

test('refuses zero, negative, fractional and huge lengths', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, 1025]) {
    assert.throws(() => randomToken(bad), RangeError);
    assert.throws(() => randomHex(bad), RangeError);
  }
});

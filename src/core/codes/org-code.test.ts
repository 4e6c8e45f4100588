import { test } from 'node:test';
import assert from 'node:assert/strict';

import { completeOrgCode, isValidOrgCode, orgCodeCheckChar } from './org-code.js';

// Organisation codes carried in positions 9–17 of published credit codes (see uscc.test.ts):
// 60003734-1 (91110000600037341L), 19220382-1 (华为), 70846113-6 (腾讯), 42500613-3 (华东师范大学).

test('accepts the organisation code embedded in the DESIGN example credit code, printed and compact', () => {
  assert.equal(isValidOrgCode('60003734-1'), true);
  assert.equal(isValidOrgCode('600037341'), true);
});

test('computes the check characters of published organisation codes', () => {
  assert.equal(orgCodeCheckChar('60003734'), '1');
  assert.equal(orgCodeCheckChar('19220382'), '1');
  assert.equal(orgCodeCheckChar('70846113'), '6');
  assert.equal(completeOrgCode('42500613'), '42500613-3');
});

test('maps a check value of 10 to X and 11 to 0', () => {
  // Σ = 3·1 = 3 → 11 − 3 = 8; Σ = 3·4 = 12 → 11 − 1 = 10 → X; Σ = 3·0 = 0 → 11 → 0.
  assert.equal(orgCodeCheckChar('10000000'), '8');
  assert.equal(orgCodeCheckChar('40000000'), 'X');
  assert.equal(orgCodeCheckChar('00000000'), '0');
  assert.equal(isValidOrgCode('40000000-X'), true);
});

test('values letters from A = 10', () => {
  // Σ = 3·10 = 30 → 30 mod 11 = 8 → 3; Σ = 3·35 = 105 → 105 mod 11 = 6 → 5.
  assert.equal(orgCodeCheckChar('A0000000'), '3');
  assert.equal(orgCodeCheckChar('Z0000000'), '5');
});

test('rejects an organisation code with a wrong check character', () => {
  assert.equal(isValidOrgCode('60003734-2'), false);
  assert.equal(isValidOrgCode('60003734X'), false);
});

test('rejects malformed organisation codes', () => {
  for (const bad of ['', '6000373-1', '600037341-1', '60003734--1', '60003734 1', 'a0000000-3', '60003734-', '6000373A-Y']) {
    assert.equal(isValidOrgCode(bad), false, bad);
  }
  assert.equal(isValidOrgCode(null as unknown as string), false);
  assert.throws(() => orgCodeCheckChar('6000373'), RangeError);
  assert.throws(() => orgCodeCheckChar('6000373a'), RangeError);
});

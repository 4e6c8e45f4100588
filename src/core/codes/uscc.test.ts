import { test } from 'node:test';
import assert from 'node:assert/strict';

import { completeUscc, isValidUscc, usccCheckChar } from './uscc.js';
import { isValidOrgCode } from './org-code.js';

// Real codes as published in business registration records and reproduced in public code:
// the DESIGN §4 example; 华为技术有限公司; 腾讯科技（深圳）有限公司; 阿里巴巴（中国）网络技术有限公司;
// 北京百度网讯科技有限公司; 华东师范大学 (a public institution, type 12).
const REAL = [
  '91110000600037341L',
  '914403001922038216',
  '91440300708461136T',
  '91330100716105852F',
  '91110000802100433B',
  '12100000425006133D',
];

test('accepts real published credit codes', () => {
  for (const code of REAL) assert.equal(isValidUscc(code), true, code);
});

test('computes the check characters of real codes, digits and letters alike', () => {
  assert.equal(usccCheckChar('91110000600037341'), 'L');
  assert.equal(usccCheckChar('91440300708461136'), 'T');
  assert.equal(usccCheckChar('91440300192203821'), '6');
  assert.equal(completeUscc('12100000425006133'), '12100000425006133D');
});

test('rejects a credit code with a wrong check character', () => {
  assert.equal(isValidUscc('91110000600037341M'), false);
  assert.equal(isValidUscc('914403001922038217'), false);
});

test('rejects a credit code with one body character changed', () => {
  assert.equal(isValidUscc('91110000600037342L'), false);
  assert.equal(isValidUscc('92110000600037341L'), false);
});

test('rejects characters outside the GB 32100 alphabet (I, O, S, V, Z) even with a matching check', () => {
  for (const c of ['I', 'O', 'S', 'V', 'Z']) {
    assert.equal(isValidUscc(`9111000060003734${c}L`), false, c);
    assert.throws(() => usccCheckChar(`9111000060003734${c}`), RangeError);
  }
});

test('rejects lowercase, wrong lengths and letters in the division code', () => {
  assert.equal(isValidUscc('91110000600037341l'), false);
  assert.equal(isValidUscc('91110000600037341'), false);
  assert.equal(isValidUscc('91110000600037341LL'), false);
  assert.equal(isValidUscc(''), false);
  // A letter in positions 3–8 is refused even when the check character is recomputed to match.
  assert.equal(isValidUscc(completeUscc('911A0000600037341')), false);
  assert.equal(isValidUscc(undefined as unknown as string), false);
});

test('accepts letters in positions 1–2', () => {
  assert.equal(isValidUscc(completeUscc('Y1110000600037341')), true);
  assert.equal(isValidUscc(completeUscc('NA110000600037341')), true);
});

test('embeds a valid GB 11714 organisation code in positions 9–17 of real codes', () => {
  for (const code of REAL) assert.equal(isValidOrgCode(code.slice(8, 17)), true, code);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { completeResidentId, isValidResidentId, parseResidentId, residentIdCheckChar } from './resident-id.js';

// The two worked examples printed in GB 11643-1999 (北京市朝阳区 and 广东省汕头市); the second uses the
// retired county code 440524 and a birth date in 1880.
const BEIJING = '11010519491231002X';
const SHANTOU = '440524188001010014';

test('accepts the two examples printed in GB 11643', () => {
  assert.equal(isValidResidentId(BEIJING), true);
  assert.equal(isValidResidentId(SHANTOU), true);
});

test('computes the check characters of the GB 11643 examples, including X', () => {
  assert.equal(residentIdCheckChar(BEIJING.slice(0, 17)), 'X');
  assert.equal(residentIdCheckChar(SHANTOU.slice(0, 17)), '4');
  assert.equal(completeResidentId(SHANTOU.slice(0, 17)), SHANTOU);
});

test('accepts a lowercase x as check character', () => {
  assert.equal(isValidResidentId(BEIJING.toLowerCase()), true);
  assert.equal(parseResidentId(BEIJING.toLowerCase())?.divisionCode, '110105');
});

test('rejects a number with a wrong check character', () => {
  assert.equal(isValidResidentId('110105194912310021'), false);
  assert.equal(isValidResidentId('440524188001010015'), false);
});

test('rejects a number with one body digit changed', () => {
  assert.equal(isValidResidentId('11010519491231003X'), false);
  assert.equal(isValidResidentId('11020519491231002X'), false);
});

test('keeps numbers with retired county codes valid', () => {
  // 440524 no longer exists in GB/T 2260; only the province prefix is checked.
  assert.equal(parseResidentId(SHANTOU)?.divisionCode, '440524');
});

test('rejects a prefix that is not a province code', () => {
  // Bodies re-checked so that only the prefix is wrong.
  assert.equal(isValidResidentId(completeResidentId('00010519491231002')), false);
  assert.equal(isValidResidentId(completeResidentId('99010519491231002')), false);
  assert.equal(isValidResidentId(completeResidentId('16010519491231002')), false);
});

test('accepts Hong Kong, Macao and Taiwan prefixes', () => {
  assert.equal(isValidResidentId(completeResidentId('81000019900101001')), true);
  assert.equal(isValidResidentId(completeResidentId('83000019900101001')), true);
});

test('rejects birth dates that do not exist', () => {
  assert.equal(isValidResidentId(completeResidentId('11010519490230002')), false);
  assert.equal(isValidResidentId(completeResidentId('11010519491301002')), false);
  assert.equal(isValidResidentId(completeResidentId('11010519490100002')), false);
  assert.equal(isValidResidentId(completeResidentId('11010519010229002')), false);
  assert.equal(isValidResidentId(completeResidentId('11010500000101002')), false);
});

test('accepts 29 February in leap years, including 2000', () => {
  assert.equal(isValidResidentId(completeResidentId('11010520000229002')), true);
  assert.equal(isValidResidentId(completeResidentId('11010519960229002')), true);
});

test('rejects a birth date in the future, judged by the date in China', () => {
  // 2024-06-01 16:30 UTC is already 2024-06-02 in Beijing.
  const now = new Date('2024-06-01T16:30:00Z');
  assert.equal(isValidResidentId(completeResidentId('11010520240602001'), { now }), true);
  assert.equal(isValidResidentId(completeResidentId('11010520240603001'), { now }), false);
  assert.equal(isValidResidentId(completeResidentId('11010520240602001'), { now: new Date('2024-06-01T15:30:00Z') }), false);
});

test('rejects wrong lengths, letters and X anywhere but last', () => {
  for (const bad of ['', '11010519491231002', '11010519491231002X0', '1101051949123100X2', '11010519491231002Y', ` ${BEIJING}`]) {
    assert.equal(isValidResidentId(bad), false, bad);
  }
  assert.equal(isValidResidentId(42 as unknown as string), false);
});

test('parses division code, birth date and sex', () => {
  assert.deepEqual(parseResidentId(BEIJING), { divisionCode: '110105', birthDate: '1949-12-31', sex: 'female' });
  assert.deepEqual(parseResidentId(SHANTOU), { divisionCode: '440524', birthDate: '1880-01-01', sex: 'male' });
  assert.equal(parseResidentId('110105194912310021'), null);
});

test('works as an array filter callback without mistaking the index for a date', () => {
  assert.deepEqual([BEIJING, 'bad', SHANTOU].filter((id, i) => isValidResidentId(id, i as unknown as undefined)), [BEIJING, SHANTOU]);
});

test('refuses to compute a check character for a malformed body', () => {
  assert.throws(() => residentIdCheckChar('1101051949123100'), RangeError);
  assert.throws(() => residentIdCheckChar('1101051949123100A'), RangeError);
});

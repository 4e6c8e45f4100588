/// <reference types="node" />
// Run: node --import tsx --test web/src/lib/highlight.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlightSegments } from './highlight';

test('no ranges: the whole text, unmarked', () => {
  assert.deepEqual(highlightSegments('居民身份证', []), [{ text: '居民身份证', match: false }]);
  assert.deepEqual(highlightSegments('', undefined), [{ text: '', match: false }]);
});

test('marks ranges in Chinese text by UTF-16 offsets', () => {
  assert.deepEqual(highlightSegments('机动车驾驶证准驾车型', [[3, 6]]), [
    { text: '机动车', match: false },
    { text: '驾驶证', match: true },
    { text: '准驾车型', match: false },
  ]);
});

test('sorts, merges overlapping and adjacent ranges, and clamps ranges past the end', () => {
  assert.deepEqual(highlightSegments('abcdefgh', [[5, 20], [0, 2], [1, 3], [3, 4]]), [
    { text: 'abcd', match: true },
    { text: 'e', match: false },
    { text: 'fgh', match: true },
  ]);
});

test('ignores empty and inverted ranges', () => {
  assert.deepEqual(highlightSegments('abc', [[2, 2], [3, 1]]), [{ text: 'abc', match: false }]);
});

test('a match at the end leaves no empty trailing segment', () => {
  assert.deepEqual(highlightSegments('准驾车型', [[2, 4]]), [
    { text: '准驾', match: false },
    { text: '车型', match: true },
  ]);
});

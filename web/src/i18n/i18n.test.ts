/// <reference types="node" />
// Run: node --import tsx --test web/src/i18n/i18n.test.ts
// The Dict type already forces the same keys; this also catches placeholders that differ
// between languages (e.g. `{name}` in zh but `{user}` in en), which the type cannot see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zh } from './zh';
import { en } from './en';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('zh and en have the same keys and placeholders, and no empty strings', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), key);
    assert.ok(zh[key].trim() && en[key].trim(), key);
  }
});

/// <reference types="node" />
// Run: node --import tsx --test web/src/lib/uscc.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usccCheckChar, validateUscc } from './uscc';

test('DESIGN.md example is valid', () => {
  assert.equal(validateUscc('91110000600037341L'), null);
  assert.equal(validateUscc('91110000600037341l'), null);
  assert.equal(usccCheckChar('91110000600037341'), 'L');
});

test('problems are classified', () => {
  assert.equal(validateUscc('9111000060003734'), 'LENGTH');
  assert.equal(validateUscc('91110000600037341I'), 'CHARACTER'); // I is not in the alphabet
  assert.equal(validateUscc('91110000600037341M'), 'CHECK');
});

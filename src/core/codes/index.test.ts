import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as codes from './index.js';

test('re-exports every code check from one module', () => {
  for (const name of [
    'residentIdCheckChar', 'isValidResidentId', 'completeResidentId', 'parseResidentId',
    'usccCheckChar', 'isValidUscc', 'completeUscc',
    'orgCodeCheckChar', 'isValidOrgCode', 'completeOrgCode',
    'divisionLevel', 'findDivision', 'isValidDivisionCode', 'listDivisions',
  ]) {
    assert.equal(typeof (codes as Record<string, unknown>)[name], 'function', name);
  }
});

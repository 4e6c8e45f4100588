import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestDb } from '../../../test/helper.js';
import { NonceClaims } from './nonce-claims.js';

test('nonces are claimed once, in batches, whether the repeat is in the same batch, a later one or another process', async (t) => {
  const testDb = await openTestDb('empty');
  t.after(() => testDb.drop());
  const claims = new NonceClaims(() => testDb.db.kysely);
  const expires = new Date(Date.now() + 600_000);
  // Claims made together go in a few statements; a nonce repeated among them is fresh once.
  const results = await Promise.all([
    ...Array.from({ length: 50 }, (_, i) => claims.claim('app-a', `nonce-${i}`, expires)),
    claims.claim('app-a', 'nonce-7', expires),
    claims.claim('app-b', 'nonce-7', expires),
  ]);
  assert.equal(results.filter(Boolean).length, 51, 'fifty nonces of app-a and one of app-b');
  assert.equal(results[50], false, 'the repeat in the batch');
  assert.equal(results[51], true, 'the same nonce of another app is another nonce');
  // Later, and through another instance (another replica): a replay.
  assert.equal(await claims.claim('app-a', 'nonce-3', expires), false);
  assert.equal(await new NonceClaims(() => testDb.db.kysely).claim('app-a', 'nonce-49', expires), false);
  const { n } = await testDb.db.kysely.selectFrom('used_nonces').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(n), 51, 'each nonce stored once, durably');
});

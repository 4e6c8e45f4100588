import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDb, type TestDb } from '../../../../test/helper.js';
import type { Db } from '../../../core/db/db.js';
import { CallLog, MAX_BATCH, type CallRecord } from './call-log.js';

/**
 * The call log on its own: batches and their ledger entries, writing on a timer, and what happens
 * while the database is unreachable (the calls wait, in order; past the limit the oldest are dropped
 * and the ledger is told how many).
 */
let testDb: TestDb;
before(async () => {
  testDb = await openTestDb('empty');
});
after(() => testDb.drop());

const call = (i: number): CallRecord => ({
  at: new Date(Date.UTC(2026, 6, 1, 0, 0, 0, i)),
  appId: null,
  consumerOrgId: null,
  grantId: null,
  catalogEntryId: null,
  catalogCode: `CALL-LOG-${i}`,
  route: 'records',
  filterDigest: null,
  rowsReturned: i % 3,
  latencyMs: 2,
  outcome: 'ok',
  status: 200,
});

/** The test database, with transactions failing while `down` is set. */
function flaky(db: Db): { db: Db; down: boolean } {
  const state = { down: false, db: db };
  const kysely = new Proxy(db.kysely, {
    get(target, prop) {
      if (prop === 'transaction' && state.down) throw new Error('connection refused (test)');
      const value = Reflect.get(target, prop, target) as unknown;
      // Kysely keeps private fields: its methods must run on the real instance.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  state.db = { ...db, kysely } as Db;
  return state;
}

const codes = async (prefix: string) =>
  (await sql<{ catalog_code: string }>`select catalog_code from share_calls where catalog_code like ${`${prefix}%`} order by id`.execute(testDb.db.kysely)).rows.map((r) => r.catalog_code);
const ledgered = async () =>
  (await sql<{ payload: { count: number; dropped?: number } }>`select payload from ledger_pending where action = 'sharing.calls' order by id`.execute(testDb.db.kysely)).rows.map((r) => r.payload);

describe('the call log', () => {
  test('writes on its own within moments, in batches of at most MAX_BATCH, each with a ledger entry', async () => {
    const log = new CallLog(testDb.db);
    const before = (await ledgered()).length;
    for (let i = 0; i < MAX_BATCH + 20; i++) log.record(call(i));
    // Nobody flushes: a full batch goes at once, the rest after FLUSH_MS.
    for (let i = 0; i < 50 && log.pending > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await log.close();
    assert.equal((await codes('CALL-LOG-')).length, MAX_BATCH + 20);
    const batches = (await ledgered()).slice(before);
    assert.ok(batches.length >= 2 && batches.every((b) => b.count <= MAX_BATCH), JSON.stringify(batches));
    assert.equal(
      batches.reduce((n, b) => n + b.count, 0),
      MAX_BATCH + 20,
    );
  });

  test('while the database is down the calls wait, in order, and are written when it is back', async () => {
    const state = flaky(testDb.db);
    const log = new CallLog(state.db);
    state.down = true;
    for (let i = 0; i < 5; i++) log.record({ ...call(i), catalogCode: `WAIT-${i}` });
    await assert.rejects(log.flush(), /connection refused/);
    assert.equal(log.pending, 5);
    state.down = false;
    assert.equal(await log.flush(), 5);
    assert.deepEqual(await codes('WAIT-'), ['WAIT-0', 'WAIT-1', 'WAIT-2', 'WAIT-3', 'WAIT-4']);
    await log.close();
  });

  test('past the limit the oldest calls are dropped, and the next ledger entry says how many', async () => {
    const state = flaky(testDb.db);
    const log = new CallLog(state.db, undefined, { maxBuffered: 3 });
    state.down = true;
    for (let i = 0; i < 5; i++) log.record({ ...call(i), catalogCode: `DROP-${i}` });
    state.down = false;
    await log.flush();
    assert.deepEqual(await codes('DROP-'), ['DROP-2', 'DROP-3', 'DROP-4']);
    assert.equal((await ledgered()).at(-1)?.dropped, 2);
    await log.close();
  });

  test('after close, a call is written at once', async () => {
    const log = new CallLog(testDb.db);
    await log.close();
    log.record({ ...call(0), catalogCode: 'LATE-0' });
    for (let i = 0; i < 40 && (await codes('LATE-')).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(await codes('LATE-'), ['LATE-0']);
  });
});

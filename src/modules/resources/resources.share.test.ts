import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ENGINE, openTestDb, type TestDb } from '../../../test/helper.js';
import type { AppError } from '../../core/errors.js';
import type { ColumnSpec } from './ingest/values.js';
import * as repo from './resources.repository.js';
import { findShareSource, shareRecords, type ShareTable } from './resources.share.js';

/**
 * The gateway's system-level reader on its own, on both engines: lookups by a composite key, every
 * condition and value type, keyset pages over a composite key, cursors that cannot be read or moved
 * to another table, and the time limit on scans (PostgreSQL).
 */

let testDb: TestDb;
const nodeKey = crypto.randomBytes(32);
const deps = () => ({ db: testDb.db, nodeKey });

const COLUMNS: ColumnSpec[] = [
  { name: '区划', column: 'region', dataType: 'string', length: 6, isKey: true, piiKind: null },
  { name: '序号', column: 'seq', dataType: 'integer', length: null, isKey: true, piiKind: null },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, isKey: false, piiKind: 'name' },
  { name: '出生日期', column: 'born', dataType: 'date', length: null, isKey: false, piiKind: null },
  { name: '登记时间', column: 'registered_at', dataType: 'datetime', length: null, isKey: false, piiKind: null },
  { name: '金额', column: 'amount', dataType: 'decimal', length: null, isKey: false, piiKind: null },
  { name: '有效', column: 'valid', dataType: 'boolean', length: null, isKey: false, piiKind: null },
  { name: '照片', column: 'photo', dataType: 'binary', length: null, isKey: false, piiKind: null },
];
const table: ShareTable = { resourceId: crypto.randomUUID(), tableName: 'r_share_reader_test', columns: COLUMNS, keys: ['region', 'seq'], loaded: true };
const ALL = COLUMNS.map((c) => c.column);

const code = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (err) {
    return (err as AppError).code;
  }
  return undefined;
};

before(async () => {
  testDb = await openTestDb('empty');
  await sql`create table data.r_share_reader_test (
    region varchar(6) collate "C" not null, seq bigint not null, full_name varchar(50), born date, registered_at timestamptz,
    amount numeric, valid boolean, photo bytea, primary key (region, seq))`.execute(testDb.db.kysely);
  await sql`insert into data.r_share_reader_test values
    ('630102', 1, '张三', '1990-03-07', '2026-01-02T03:04:05Z', 12.50, true, '\\x0102'),
    ('630102', 2, '李四', '1985-05-12', '2026-02-01T00:00:00Z', 0, false, null),
    ('630102', 10, '马六', '1978-01-01', null, 100, true, null),
    ('630103', 1, '赵七', '1988-08-08', '2026-03-01T00:00:00Z', 5, true, null),
    ('63010%', 1, '百分', null, null, null, null, null),
    ('632801', 1, '王五', '1992-11-20', '2026-04-01T00:00:00Z', 7.25, false, null)`.execute(testDb.db.kysely);
});
after(() => testDb.drop());

describe('the share reader', () => {
  test('an entry’s resources by catalog code, the table once loaded', async () => {
    const entryId = crypto.randomUUID();
    const base = { catalog_entry_id: entryId, catalog_code: 'SHARE-READER-1', catalog_version: 1, provider_id: crypto.randomUUID(), created_by: crypto.randomUUID() };
    const t = await repo.insertResource(testDb.db.kysely, { ...base, id: crypto.randomUUID(), kind: 'table', name: '表', table_name: 'r_share_reader_other', columns: COLUMNS });
    const a = await repo.insertResource(testDb.db.kysely, { ...base, id: crypto.randomUUID(), kind: 'api', name: '接口', table_name: null, columns: null, api: { url: 'https://example.org/v1', method: 'GET', headers: {}, secretHeaderName: null, timeoutMs: 1000 } });
    const source = await findShareSource(testDb.db.kysely, 'SHARE-READER-1');
    assert.equal(source?.catalogEntryId, entryId);
    assert.deepEqual(source?.table && { id: source.table.resourceId, keys: source.table.keys, loaded: source.table.loaded }, { id: t.id, keys: ['region', 'seq'], loaded: false });
    assert.deepEqual(source?.apiResourceIds, [a.id]);
    await repo.recordLoaded(testDb.db.kysely, t.id, 0, 0);
    assert.equal((await findShareSource(testDb.db.kysely, 'SHARE-READER-1'))?.table?.loaded, true);
    assert.equal(await findShareSource(testDb.db.kysely, 'NO-SUCH-CODE'), undefined);
  });

  test('a composite key finds one row, values as the rows API gives them', async () => {
    const { rows, next } = await shareRecords(deps(), table, { key: ['630102', '1'], columns: ALL, limit: 1 });
    assert.equal(next, undefined);
    assert.deepEqual(rows, [
      { region: '630102', seq: 1, full_name: '张三', born: '1990-03-07', registered_at: '2026-01-02T03:04:05.000Z', amount: '12.50', valid: true, photo: Buffer.from([1, 2]).toString('base64') },
    ]);
    assert.deepEqual((await shareRecords(deps(), table, { key: ['630102', 3], columns: ['full_name'], limit: 1 })).rows, []);
    assert.equal(await code(shareRecords(deps(), table, { key: ['630102'], columns: ALL, limit: 1 })), 'KEY_INVALID');
    assert.equal(await code(shareRecords(deps(), table, { key: ['630102', 'one'], columns: ALL, limit: 1 })), 'KEY_INVALID');
  });

  test('a lookup by key (a prepared statement on PostgreSQL) survives its table being replaced', async () => {
    const lookup = () => shareRecords(deps(), table, { key: ['630102', '1'], columns: ['full_name', 'born'], limit: 1 });
    // Every connection of the pool prepares it.
    await Promise.all(Array.from({ length: 8 }, lookup));
    // A first load adopts its staging table: the same name, a new table (§23).
    await sql`create table data.r_share_reader_next (like data.r_share_reader_test including all)`.execute(testDb.db.kysely);
    await sql`insert into data.r_share_reader_next select region, seq, case when region = '630102' and seq = 1 then '张三丰' else full_name end, born, registered_at, amount, valid, photo from data.r_share_reader_test`.execute(testDb.db.kysely);
    await sql`alter table data.r_share_reader_test rename to r_share_reader_old`.execute(testDb.db.kysely);
    await sql`alter table data.r_share_reader_next rename to r_share_reader_test`.execute(testDb.db.kysely);
    await sql`drop table data.r_share_reader_old`.execute(testDb.db.kysely);
    for (const { rows } of await Promise.all(Array.from({ length: 8 }, lookup))) assert.deepEqual(rows, [{ full_name: '张三丰', born: '1990-03-07' }]);
    // Back as it was, for the tests that follow.
    await sql`update data.r_share_reader_test set full_name = '张三' where region = '630102' and seq = 1`.execute(testDb.db.kysely);
  });

  test('conditions of every kind, typed by their column', async () => {
    const names = async (conditions: Parameters<typeof shareRecords>[2]['conditions']) =>
      (await shareRecords(deps(), table, { conditions, columns: ['full_name'], limit: 100 })).rows.map((r) => r.full_name);
    assert.deepEqual(await names([{ column: 'born', op: 'gte', values: ['1988-01-01'] }]), ['张三', '赵七', '王五']);
    assert.deepEqual(await names([{ column: 'amount', op: 'lte', values: [7.25] }]), ['李四', '赵七', '王五']);
    assert.deepEqual(await names([{ column: 'seq', op: 'in', values: [2, '10'] }]), ['李四', '马六']);
    assert.deepEqual(await names([{ column: 'valid', op: 'eq', values: [false] }]), ['李四', '王五']);
    assert.deepEqual(await names([{ column: 'registered_at', op: 'gte', values: ['2026-03-01T08:00:00+08:00'] }]), ['赵七', '王五']);
    // A prefix is never a pattern: % and _ match themselves.
    assert.deepEqual(await names([{ column: 'region', op: 'prefix', values: ['6301'] }]), ['百分', '张三', '李四', '马六', '赵七']);
    assert.deepEqual(await names([{ column: 'region', op: 'prefix', values: ['63010%'] }]), ['百分']);
    assert.deepEqual(await names([{ column: 'region', op: 'prefix', values: ['63010_'] }]), []);
    // The grant's row filter narrows whatever the caller asks.
    const filtered = await shareRecords(deps(), table, { conditions: [{ column: 'valid', op: 'eq', values: [true] }], rowFilter: { column: 'region', op: 'eq', values: ['630103'] }, columns: ['full_name'], limit: 10 });
    assert.deepEqual(filtered.rows, [{ full_name: '赵七' }]);
    for (const bad of [
      { column: 'seq', op: 'prefix' as const, values: ['1'] },
      { column: 'seq', op: 'eq' as const, values: ['1.5'] },
      { column: 'born', op: 'eq' as const, values: [19900307] },
      { column: 'valid', op: 'eq' as const, values: ['yes'] },
      { column: 'photo', op: 'eq' as const, values: ['AQI='] },
      { column: 'registered_at', op: 'gte' as const, values: ['not a time'] },
      { column: 'no_such', op: 'eq' as const, values: ['x'] },
      { column: 'region', op: 'eq' as const, values: [] },
      { column: 'region', op: 'in' as const, values: Array.from({ length: 1001 }, (_, i) => String(i)) },
    ]) {
      assert.equal(await code(shareRecords(deps(), table, { conditions: [bad], columns: ALL, limit: 1 })), 'FILTER_INVALID', JSON.stringify(bad).slice(0, 80));
    }
  });

  test('pages in key order over a composite key, with sealed cursors bound to the table', async () => {
    const seen: unknown[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await shareRecords(deps(), table, { columns: ['region', 'seq'], limit: 4, after });
      seen.push(...page.rows.map((r) => `${String(r.region)}/${String(r.seq)}`));
      after = page.next;
      pages += 1;
      if (after) assert.ok(!after.includes('630'), 'the cursor does not show the key');
    } while (after);
    assert.equal(pages, 2);
    // Key order: region byte by byte ("C": % before the digits), then seq as a number (10 after 2).
    assert.deepEqual(seen, ['63010%/1', '630102/1', '630102/2', '630102/10', '630103/1', '632801/1']);

    const first = await shareRecords(deps(), table, { columns: ['seq'], limit: 1 });
    const elsewhere = { ...table, resourceId: crypto.randomUUID() };
    assert.equal(await code(shareRecords(deps(), elsewhere, { columns: ['seq'], limit: 1, after: first.next })), 'CURSOR_INVALID');
    assert.equal(await code(shareRecords(deps(), table, { columns: ['seq'], limit: 1, after: `${first.next!.slice(0, -2)}AA` })), 'CURSOR_INVALID');
    assert.equal(await code(shareRecords({ db: testDb.db, nodeKey: crypto.randomBytes(32) }, table, { columns: ['seq'], limit: 1, after: first.next })), 'CURSOR_INVALID');
  });

  test('a scan that runs too long is stopped with QUERY_TOO_EXPENSIVE (PostgreSQL)', { skip: ENGINE !== 'postgres' && 'PGlite runs one statement at a time, in process: no statement timeout' }, async () => {
    await sql`create table data.r_share_reader_big (k text collate "C" primary key, v text)`.execute(testDb.db.kysely);
    await sql`insert into data.r_share_reader_big select lpad(g::text, 8, '0'), md5(g::text) from generate_series(1, 300000) g`.execute(testDb.db.kysely);
    const big: ShareTable = {
      resourceId: crypto.randomUUID(),
      tableName: 'r_share_reader_big',
      keys: ['k'],
      loaded: true,
      columns: [
        { name: 'k', column: 'k', dataType: 'string', length: null, isKey: true, piiKind: null },
        { name: 'v', column: 'v', dataType: 'string', length: null, isKey: false, piiKind: null },
      ],
    };
    const query = { conditions: [{ column: 'v', op: 'eq' as const, values: ['no such value'] }], columns: ['k'], limit: 10 };
    assert.equal(await code(shareRecords({ ...deps(), timeoutMs: 1 }, big, query)), 'QUERY_TOO_EXPENSIVE');
    assert.deepEqual((await shareRecords(deps(), big, query)).rows, []);
  });
});

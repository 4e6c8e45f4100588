import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDb, type TestDb } from '../../../test/helper.js';
import { copyField, copyLine, copyStatement } from './copy.js';

describe('COPY text format', () => {
  test('escapes what COPY would read as structure, and nothing else', () => {
    assert.equal(copyField('西宁市城中区'), '西宁市城中区');
    assert.equal(copyField('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('\\N'), '\\\\N'); // the text "\N" stays text, not null
    assert.equal(copyLine(['1', null, 'x\ty']), '1\t\\N\tx\\ty\n');
  });

  test('refuses names that are not plain identifiers', () => {
    assert.equal(copyStatement({ schema: 'data', table: 't_1', columns: ['a', 'b'] }, 'STDIN'), 'COPY "data"."t_1" ("a", "b") FROM STDIN');
    assert.throws(() => copyStatement({ table: 't"; drop table x; --', columns: ['a'] }, 'STDIN'), /not a plain identifier/);
    assert.throws(() => copyStatement({ table: 't', columns: ['A'] }, 'STDIN'), /not a plain identifier/);
    assert.throws(() => copyStatement({ table: 't', columns: [] }, 'STDIN'), /at least one column/);
  });
});

describe('Db.copyFrom', () => {
  let testDb: TestDb;
  before(async () => {
    testDb = await openTestDb();
    await sql`create table copied (id integer primary key, name text, doc jsonb, seen boolean)`.execute(testDb.db.kysely);
  });
  after(() => testDb.drop());

  const target = { table: 'copied', columns: ['id', 'name', 'doc', 'seen'] };

  test('loads lines in the transaction, values round-trip, and a rollback leaves nothing', async () => {
    const tricky = 'tab\there, newline\nhere, backslash \\ and "quotes"';
    async function* lines(): AsyncGenerator<string> {
      for (let i = 1; i <= 3000; i++) {
        yield copyLine([String(i), i === 2 ? tricky : i === 3 ? null : `名称${i}`, JSON.stringify({ i, s: 'a\\b' }), i % 2 === 0 ? 't' : 'f']);
      }
    }
    const count = await testDb.db.kysely.transaction().execute((trx) => testDb.db.copyFrom(trx, target, lines()));
    assert.equal(count, 3000);
    const rows = await sql<{ id: number; name: string | null; doc: { i: number; s: string }; seen: boolean }>`
      select id, name, doc, seen from copied where id <= 3 order by id`.execute(testDb.db.kysely);
    assert.deepEqual(rows.rows, [
      { id: 1, name: '名称1', doc: { i: 1, s: 'a\\b' }, seen: false },
      { id: 2, name: tricky, doc: { i: 2, s: 'a\\b' }, seen: true },
      { id: 3, name: null, doc: { i: 3, s: 'a\\b' }, seen: false },
    ]);

    await assert.rejects(
      testDb.db.kysely.transaction().execute(async (trx) => {
        await testDb.db.copyFrom(trx, target, [copyLine(['5001', 'kept?', '{}', 't'])]);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const after = await sql<{ n: number }>`select count(*)::int as n from copied`.execute(testDb.db.kysely);
    assert.equal(after.rows[0]!.n, 3000);
  });

  test('text in pieces that cut rows anywhere is copied whole, however it is split into parts', async () => {
    // Over 16 M characters: PGlite copies it in more than one part.
    const text = Array.from({ length: 45_000 }, (_, i) => copyLine([String(100_000 + i), `名称${i}`.repeat(70), '{}', 't'])).join('');
    assert.ok(text.length > 16 * 1024 * 1024);
    // Pieces of 1,000 characters: most end inside a row, as a file read in chunks does.
    const pieces = Array.from({ length: Math.ceil(text.length / 1000) }, (_, i) => text.slice(i * 1000, (i + 1) * 1000));
    const count = await testDb.db.kysely.transaction().execute((trx) => testDb.db.copyFrom(trx, target, pieces));
    assert.equal(count, 45_000);
    const { rows } = await sql<{ n: number; bad: number }>`
      select count(*)::int as n, count(*) filter (where name <> repeat('名称' || (id - 100000)::text, 70))::int as bad from copied where id >= 100000`.execute(testDb.db.kysely);
    assert.deepEqual(rows[0], { n: 45_000, bad: 0 });
  });

  test('a bad value fails the COPY and the transaction, and the connection stays usable', async () => {
    await assert.rejects(
      testDb.db.kysely.transaction().execute((trx) => testDb.db.copyFrom(trx, target, [copyLine(['9001', 'a', '{}', 't']), copyLine(['9002', 'b', 'not json', 't'])])),
      /json/i,
    );
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from copied where id between 9000 and 9999`.execute(testDb.db.kysely);
    assert.equal(rows[0]!.n, 0);
  });

  test('a source that fails midway aborts the COPY', async () => {
    function* failing(): Generator<string> {
      yield copyLine(['9101', 'a', '{}', 't']);
      throw new Error('source broke');
    }
    await assert.rejects(testDb.db.kysely.transaction().execute((trx) => testDb.db.copyFrom(trx, target, failing())), /source broke/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from copied where id between 9100 and 9199`.execute(testDb.db.kysely);
    assert.equal(rows[0]!.n, 0);
  });
});

describe('Db.copyIn', () => {
  let testDb: TestDb;
  before(async () => {
    testDb = await openTestDb();
    await sql`create table streamed (id integer primary key, name text)`.execute(testDb.db.kysely);
  });
  after(() => testDb.drop());
  const target = { table: 'streamed', columns: ['id', 'name'] };
  const count = async (): Promise<number> => (await sql<{ n: number }>`select count(*)::integer as n from streamed`.execute(testDb.db.kysely)).rows[0]!.n;

  test('copies byte chunks outside any transaction, while other queries go on between them', async () => {
    let served = 0;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let c = 0; c < 40; c++) {
        let text = '';
        for (let i = 0; i < 5000; i++) text += copyLine([String(c * 5000 + i + 1), `第${c}批 名称\t${i}`]);
        yield Buffer.from(text);
        // The producer is not blocked by the copy, and neither is anybody else.
        await sql`select 1`.execute(testDb.db.kysely);
        served += 1;
      }
    }
    assert.equal(await testDb.db.copyIn(target, chunks()), 200_000);
    assert.equal(served, 40);
    assert.equal(await count(), 200_000);
    const { rows } = await sql<{ name: string }>`select name from streamed where id = 5002`.execute(testDb.db.kysely);
    assert.equal(rows[0]!.name, '第1批 名称\t1');
  });

  test('a bad row fails the copy with the database error, and the pool stays usable', async () => {
    await sql`truncate streamed`.execute(testDb.db.kysely);
    const bad = [Buffer.from(copyLine(['1', 'a']) + copyLine(['not a number', 'b']))];
    await assert.rejects(testDb.db.copyIn(target, bad), /invalid input syntax for type integer/);
    assert.equal(await count(), 0, 'one COPY statement: all or nothing');
    assert.equal(await testDb.db.copyIn(target, [Buffer.from(copyLine(['2', 'c']))]), 1);
  });
});

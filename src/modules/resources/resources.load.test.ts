import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { build, errorCode, signedHeaders, type TestNode } from '../../../test/helper.js';
import { completeResidentId } from '../../core/codes/index.js';
import { sm3Hex } from '../../core/crypto/index.js';
import type { CatalogEntry } from '../catalog/index.js';
import type { LoadResult, Resource } from './resources.service.js';
import * as repo from './resources.repository.js';
import * as tables from './resources.tables.js';
import { CHANGE_BATCH } from './resources.tables.js';

/**
 * The load pipeline's paths: a first load adopts its staging table (with and without duplicate
 * keys, with keys whose text differs but whose value is one), later loads merge, the change log in
 * batches read one change per key across batch boundaries, composite keys, the body size limit and
 * loads pushed by the provider's own system with a signed app request.
 */
let t: TestNode;
before(async () => {
  t = await build(undefined, { node: { housekeeping: false }, config: { maxLoadBytes: 64 * 1024 } });
});
after(() => t.close());

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(username: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }), ...(headers ? { headers } : {}) });
}

type Item = { name: string; column: string; dataType: string; length?: number; isKey?: boolean; piiKind?: string };

/** A published entry of the police with these items, and its table resource. */
async function tableResource(name: string, items: Item[]): Promise<Resource> {
  const created = await as('police.editor', 'POST', '/catalogs', {
    name,
    summary: '加载路径测试。',
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    items,
  });
  assert.equal(created.statusCode, 201, created.body);
  const entry = json<CatalogEntry>(created);
  assert.equal((await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`)).statusCode, 200);
  assert.equal((await as('authority', 'POST', `/catalogs/${entry.id}/approve`)).statusCode, 200);
  const res = await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' });
  assert.equal(res.statusCode, 201, res.body);
  return json<Resource>(res);
}

const person = (n: number): string => completeResidentId(`630102${1950 + (n % 50)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`);

async function load(resource: string, csv: string, query = '?mode=replace'): Promise<LightMyRequestResponse> {
  return as('police.editor', 'POST', `/resources/${resource}/data${query}`, csv, { 'content-type': 'text/csv' });
}

async function allChanges(resource: string, limit: number): Promise<Array<{ seq: number; op: string; key: Record<string, unknown> }>> {
  const out: Array<{ seq: number; op: string; key: Record<string, unknown> }> = [];
  for (let after = 0; ; ) {
    const page = json<{ items: typeof out; next: number }>(await as('police.editor', 'GET', `/resources/${resource}/changes?after=${after}&limit=${limit}`));
    out.push(...page.items);
    if (page.items.length === 0) return out;
    after = page.next;
  }
}

async function stagingTables(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::integer as n from pg_tables where schemaname = 'data' and tablename like 'l\\_%'`.execute(t.node.db.kysely);
  return rows[0]!.n;
}

describe('a first load', () => {
  let resource: Resource;
  before(async () => {
    resource = await tableResource('人员名单（首次加载）', [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '序号', column: 'n', dataType: 'integer' },
    ]);
  });

  test('with duplicate keys: the later rows are refused, the rest becomes the table and every insert is logged once', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `${person(i)},${i}`);
    rows.splice(1200, 0, `${person(7)},9999`); // row 1201 repeats row 8's key
    const res = await load(resource.id, `resident_id,n\n${rows.join('\n')}\n`);
    assert.equal(res.statusCode, 200, res.body);
    const result = json<LoadResult>(res);
    assert.deepEqual([result.inserted, result.rejected], [2500, 1]);
    assert.deepEqual(result.errors.map((e) => [e.row, e.code]), [[1201, 'DUPLICATE_KEY']]);
    const changes = await allChanges(resource.id, 700);
    assert.equal(changes.length, 2500);
    assert.deepEqual(changes.map((c) => c.seq), Array.from({ length: 2500 }, (_, i) => i + 1));
    assert.ok(changes.every((c) => c.op === 'insert'));
    // In file order, the refused row left out.
    assert.deepEqual(changes.slice(0, 3).map((c) => c.key.resident_id), [person(0), person(1), person(2)]);
    assert.equal(changes[1200]!.key.resident_id, person(1200));
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 2500);
    assert.equal(await stagingTables(), 0, 'the staging table became the table');
  });

  test('a later load merges: sequence numbers go on, a page can start inside a batch', async () => {
    const csv = `resident_id,n\n${person(0)},100\n${person(2600)},2600\n`;
    const result = json<LoadResult>(await load(resource.id, csv, '?mode=upsert'));
    assert.deepEqual([result.inserted, result.updated, result.unchanged], [1, 1, 0]);
    const tail = json<{ items: Array<{ seq: number; op: string; key: Record<string, unknown> }> }>(await as('police.editor', 'GET', `/resources/${resource.id}/changes?after=2499`)).items;
    assert.deepEqual(tail.map((c) => [c.seq, c.op, c.key.resident_id]), [[2500, 'insert', person(2499)], [2501, 'update', person(0)], [2502, 'insert', person(2600)]]);
    const middle = json<{ items: Array<{ seq: number }> }>(await as('police.editor', 'GET', `/resources/${resource.id}/changes?after=${CHANGE_BATCH + 17}&limit=2`)).items;
    assert.deepEqual(middle.map((c) => c.seq), [CHANGE_BATCH + 18, CHANGE_BATCH + 19]);
  });
});

test('timestamps spelled two ways are one key: the second row is refused, not a failed load', async () => {
  const resource = await tableResource('打卡记录', [
    { name: '打卡时间', column: 'punched_at', dataType: 'datetime', isKey: true },
    { name: '地点', column: 'place', dataType: 'string', length: 20 },
  ]);
  const res = await load(resource.id, 'punched_at,place\n2026-03-01T08:00:00+08:00,西宁\n2026-03-01T00:00:00Z,海东\n2026-03-02T08:00:00+08:00,格尔木\n');
  assert.equal(res.statusCode, 200, res.body);
  const result = json<LoadResult>(res);
  assert.deepEqual([result.inserted, result.rejected], [2, 1]);
  assert.deepEqual(result.errors.map((e) => [e.row, e.code]), [[2, 'DUPLICATE_KEY']]);
  assert.equal(await stagingTables(), 0);
});

test('a composite key is logged as an array of its values, in the order of the key items', async () => {
  const resource = await tableResource('证照持有', [
    { name: '证照类型', column: 'licence_type', dataType: 'string', length: 10, isKey: true },
    { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
    { name: '有效期至', column: 'valid_until', dataType: 'date' },
  ]);
  const first = json<LoadResult>(await load(resource.id, `licence_type,resident_id,valid_until\n驾驶证,${person(1)},2030-01-01\n护照,${person(1)},2031-05-01\n`));
  assert.equal(first.inserted, 2);
  const second = json<LoadResult>(await load(resource.id, `licence_type,resident_id,valid_until\n护照,${person(1)},2032-05-01\n`));
  assert.deepEqual([second.updated, second.deleted], [1, 1]);
  const changes = await allChanges(resource.id, 10);
  assert.deepEqual(
    changes.map((c) => [c.op, c.key.licence_type, c.key.resident_id]),
    [['insert', '驾驶证', person(1)], ['insert', '护照', person(1)], ['delete', '驾驶证', person(1)], ['update', '护照', person(1)]],
  );
});

test('a body over the node’s limit is refused with 413 LOAD_TOO_LARGE and leaves nothing behind', async () => {
  const resource = await tableResource('大文件', [{ name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' }]);
  const csv = `resident_id\n${Array.from({ length: 5000 }, (_, i) => person(i)).join('\n')}\n`;
  assert.ok(csv.length > 64 * 1024);
  const res = await load(resource.id, csv);
  assert.equal(res.statusCode, 413, res.body);
  assert.equal(errorCode(res), 'LOAD_TOO_LARGE');
  assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 0);
  const history = json<{ items: Array<{ status: string; resumable: boolean }> }>(await as('police.editor', 'GET', `/resources/${resource.id}/loads`)).items;
  assert.deepEqual(history.map((l) => [l.status, l.resumable]), [['aborted', false]]);
  assert.equal(await stagingTables(), 0);
});

describe('the push API', () => {
  let resource: Resource;
  let police: { appKey: string; secret: string };
  let market: { appKey: string; secret: string };
  before(async () => {
    resource = await tableResource('推送名单', [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '序号', column: 'n', dataType: 'integer' },
    ]);
    police = json(await as('police.editor', 'POST', '/apps', { name: '人口系统推送' }));
    market = json(await as('market.editor', 'POST', '/apps', { name: '市场系统' }));
  });
  /** Signed as DESIGN §6, the body's SM3 declared in X-Tianshu-Content-SM3 (`sent` replaces the bytes signed for). */
  const push = (app: { appKey: string; secret: string }, body: string, options: { sent?: string; digest?: false } = {}) => {
    const url = `/api/v1/resources/${resource.id}/push?mode=upsert`;
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', ...signedHeaders(app, 'POST', url, body) };
    if (options.digest !== false) headers['x-tianshu-content-sm3'] = sm3Hex(body);
    return t.request({ method: 'POST', url, payload: options.sent ?? body, headers });
  };

  test('the provider’s own system pushes NDJSON with a signed request; the load names the app', async () => {
    const body = `${JSON.stringify({ resident_id: person(1), n: 1 })}\n${JSON.stringify({ resident_id: person(2), n: 'two' })}\n`;
    const res = await push(police, body);
    assert.equal(res.statusCode, 200, res.body);
    const result = json<LoadResult>(res);
    assert.deepEqual([result.inserted, result.rejected], [1, 1]);
    assert.deepEqual(result.errors.map((e) => [e.row, e.column]), [[2, 'n']]);
    const history = json<{ items: Array<{ source: string; startedBy: string | null }> }>(await as('police.editor', 'GET', `/resources/${resource.id}/loads`)).items;
    assert.equal(history[0]!.source, `push:${police.appKey}`);
    assert.ok(history[0]!.startedBy);
  });

  test('bytes other than those signed for are refused before anything is kept; a push without the digest header is refused', async () => {
    const signed = `${JSON.stringify({ resident_id: person(4), n: 4 })}\n`;
    const tampered = await push(police, signed, { sent: `${JSON.stringify({ resident_id: person(4), n: 40 })}\n` });
    assert.equal(tampered.statusCode, 400, tampered.body);
    assert.equal(errorCode(tampered), 'CONTENT_DIGEST_MISMATCH');
    const undeclared = await push(police, signed, { digest: false });
    assert.equal(undeclared.statusCode, 401, undeclared.body);
    assert.equal(errorCode(undeclared), 'CONTENT_DIGEST_MISSING');
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 1);
    assert.equal(await stagingTables(), 0);
  });

  test('is refused to another organisation’s app, to a bad signature and to a signed-in person', async () => {
    const body = `${JSON.stringify({ resident_id: person(3), n: 3 })}\n`;
    const other = await push(market, body);
    assert.equal(other.statusCode, 403, other.body);
    assert.equal(errorCode(other), 'NOT_PROVIDER');
    const forged = await push({ ...police, secret: 'not-the-secret' }, body);
    assert.equal(forged.statusCode, 401, forged.body);
    const person_ = await as('police.editor', 'POST', `/resources/${resource.id}/push`, body, { 'content-type': 'application/x-ndjson' });
    assert.equal(person_.statusCode, 401, person_.body);
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 1);
  });
});

test('housekeeping gives up loads left unfinished: their staged rows are dropped, recent ones are kept', async () => {
  const resource = await tableResource('中断的加载', [{ name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' }]);
  const db = t.node.db.kysely;
  const columns = [{ name: '公民身份号码', column: 'resident_id', dataType: 'string' as const, length: 18, isKey: true, piiKind: 'resident_id' }];
  // Loads as a process that stopped would leave them: one reading, one validated, and a recent one.
  const staged = async (status: 'validating' | 'validated', hoursAgo: number) => {
    const load = await repo.insertLoad(db, { resource_id: resource.id, mode: 'replace', source: 'upload', format: 'csv', started_by: null });
    const staging = tables.stagingTableName(load.id);
    await tables.createStagingTable(db, staging, columns);
    await repo.updateLoad(db, load.id, { status, spool: staging, present: ['resident_id'] });
    await sql`update resource_loads set started_at = now() - make_interval(hours => ${hoursAgo}) where id = ${load.id}`.execute(db);
    return load.id;
  };
  // A process stopped before it made the staging table: nothing to drop, the load is closed all the same.
  const early = await repo.insertLoad(db, { resource_id: resource.id, mode: 'replace', source: 'upload', format: 'pending', started_by: null });
  await sql`update resource_loads set started_at = now() - interval '2 days' where id = ${early.id}`.execute(db);
  const reading = await staged('validating', 25);
  const waiting = await staged('validated', 8 * 24);
  const recent = await staged('validated', 1);
  assert.equal(await stagingTables(), 3);

  assert.equal(await t.node.resources.purgeStaleLoads(), 3);
  assert.equal((await db.selectFrom('resource_loads').select('status').where('id', '=', early.id).executeTakeFirstOrThrow()).status, 'aborted');
  const status = async (id: string) => (await db.selectFrom('resource_loads').select(['status', 'spool']).where('id', '=', id).executeTakeFirstOrThrow());
  assert.deepEqual(await status(reading), { status: 'aborted', spool: null });
  assert.deepEqual(await status(waiting), { status: 'aborted', spool: null });
  assert.equal((await status(recent)).status, 'validated');
  assert.equal(await stagingTables(), 1);
  // The recent one can still be merged.
  const resumed = json<LoadResult>(await as('police.editor', 'POST', `/resources/${resource.id}/loads/${recent}/resume`));
  assert.equal(resumed.status, 'succeeded');
  assert.equal(await stagingTables(), 0);
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { build, errorCode, signedHeaders, type TestNode } from '../../../../test/helper.js';
import { systemActor } from '../../../core/auth/actor.js';
import { completeResidentId } from '../../../core/codes/index.js';
import { DEFAULT_DEMO_PASSWORD } from '../../../core/config.js';
import type { CatalogEntry } from '../../catalog/index.js';
import type { Organisation } from '../../identity/index.js';
import type { Resource } from '../../resources/index.js';
import { openHttpSource, type HttpSource } from '../../../../test/fixtures/sources.js';
import type { Application, Grant } from '../sharing.types.js';
import { callsDigest, type StoredCall } from './call-log.js';
import { CACHE_MS, GatewayService, newCallContext } from './gateway.service.js';
import type { CallStats } from './gateway.stats.js';

/**
 * The gateway through HTTP, as consumers' systems use it: grants made through the sharing API
 * (apply → approve), app credentials made by the consumer, signed calls. A consumer reads masked
 * records by key and by query; every refusal code is reached; the row filter gives 西宁 its own rows;
 * an api resource is proxied and its answer restricted; every call is in share_calls and the ledger.
 */

let t: TestNode;
let upstream: HttpSource;
/** The node's clock (the gateway's and the sharing module's); signatures use the real one. */
let now = new Date();
const orgs: Record<string, Organisation> = {};

interface AppCredential {
  appKey: string;
  secret: string;
}
const apps: Record<string, AppCredential> = {};
const grants: Record<string, Grant> = {};

const UPSTREAM_SECRET = 'Bearer provider-upstream-secret-7a1f';
/** One year ahead: a validity applications accept. */
const VALID_UNTIL = new Date(Date.now() + 365 * 86400_000).toISOString().slice(0, 10);

const PEOPLE = [
  { resident_id: completeResidentId('63010219900307001'), full_name: '张三', phone: '13812345678', address: '青海省西宁市城东区八一路12号', division: '630102', income: '8000' },
  { resident_id: completeResidentId('63010319850512002'), full_name: '李四', phone: '0971-8123456', address: '青海省西宁市城中区南大街3号', division: '630103', income: '6000' },
  { resident_id: completeResidentId('63010519780101004'), full_name: '马六', phone: '13698765432', address: '青海省西宁市城北区朝阳东路9号', division: '630105', income: '7000' },
  { resident_id: completeResidentId('63022319880808005'), full_name: '赵七', phone: '13512341234', address: '青海省海东市互助土族自治县威远镇', division: '630223', income: '4000' },
  { resident_id: completeResidentId('63280119921120003'), full_name: '王五', phone: '13909876543', address: '青海省海西蒙古族藏族自治州格尔木市昆仑路5号', division: '632801', income: '5000' },
];
const [ZHANG, LI, MA, ZHAO, WANG] = PEOPLE as [(typeof PEOPLE)[number], (typeof PEOPLE)[number], (typeof PEOPLE)[number], (typeof PEOPLE)[number], (typeof PEOPLE)[number]];

const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '户籍地址', column: 'address', dataType: 'string', length: 200, piiKind: 'address' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
  { name: '月收入', column: 'income', dataType: 'integer' },
];
const GRANTED = ['resident_id', 'full_name', 'phone', 'address', 'division'];

let people: CatalogEntry;
let tableOnly: CatalogEntry;
let verify: CatalogEntry;

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;

async function as(username: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }), ...(headers ? { headers } : {}) });
}
async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return json<T>(r);
}

/** A signed gateway call, as a consumer's system makes it. */
async function signed(
  app: AppCredential,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  overrides: { timestamp?: string; nonce?: string; secret?: string } = {},
): Promise<LightMyRequestResponse> {
  const url = `/api/v1${path}`;
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers = signedHeaders({ appKey: app.appKey, secret: overrides.secret ?? app.secret }, method, url, payload, overrides);
  return t.request({ method, url, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload }) });
}

async function refused(res: Promise<LightMyRequestResponse>, status: number, code: string): Promise<LightMyRequestResponse> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  assert.equal(errorCode(r), code, r.body);
  const body = json<{ error: { message: string; messageZh: string } }>(r);
  assert.ok(body.error.message && body.error.messageZh, 'both languages');
  return r;
}

const records = (app: AppCredential, entry: CatalogEntry, query: string) => signed(app, 'GET', `/share/${encodeURIComponent(entry.code)}/records?${query}`);
const queryOf = (app: AppCredential, entry: CatalogEntry, body: unknown) => signed(app, 'POST', `/share/${encodeURIComponent(entry.code)}/query`, body);
const key = (id: string) => `key=${encodeURIComponent(id)}`;

async function publish(name: string, overrides: Record<string, unknown> = {}): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(
    as('police.editor', 'POST', '/catalogs', {
      name,
      summary: '共享网关测试用目录。',
      resourceType: 'department',
      category: '1-01-001',
      format: 'table',
      shareType: 'conditional',
      shareCondition: '用于政务服务身份核验',
      shareMethods: ['api', 'table'],
      openType: 'none',
      updateCycle: 'daily',
      securityGrade: 'general',
      items: ITEMS,
      ...overrides,
    }),
    201,
  );
  await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

/** Applies as `consumer` and has the police's approver approve with `terms`: the grant. */
async function grantOf(consumer: string, entry: CatalogEntry, application: Record<string, unknown>, terms?: Record<string, unknown>): Promise<Grant> {
  const app = await ok<Application>(
    as(consumer, 'POST', '/applications', {
      catalogId: entry.id,
      purpose: '政务服务办理中核验申请人身份',
      legalBasis: '《优化营商环境条例》第三十七条',
      scenario: '一网通办',
      methods: ['api'],
      validUntil: VALID_UNTIL,
      ...application,
    }),
    201,
  );
  const approved = await ok<Application>(as('police.approver', 'POST', `/applications/${app.id}/approve`, terms ? { grant: terms } : {}));
  assert.equal(approved.status, 'granted');
  return ok<Grant>(as(consumer, 'GET', `/grants/${approved.grantId}`));
}

before(async () => {
  upstream = await openHttpSource();
  upstream.handle((url, _req, res) => {
    const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (url.pathname === `/v1/persons/${ZHANG.resident_id}`) return send('application/json', JSON.stringify({ ...ZHANG, income: 8000 }));
    if (url.pathname === '/v1/persons') return send('application/json', JSON.stringify([ZHANG, LI]));
    if (url.pathname === '/v1/text') return send('text/plain; charset=utf-8', `${ZHANG.full_name} ${ZHANG.phone}`);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such person"}');
  });
  // The api resource's upstream is on loopback, which a node calls only when its host policy says so.
  t = await build(undefined, { config: { connectorHosts: ['127.0.0.1'] }, node: { now: () => now, housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  for (const [k, name] of Object.entries({ police: '青海省公安厅', market: '青海省市场监督管理局', hrss: '青海省人力资源和社会保障厅', xining: '西宁市人民政府' })) {
    orgs[k] = list.find((o) => o.name === name)!;
  }
  await t.node.identity.createUser(systemActor('test'), { username: 'xining.consumer', displayName: '西宁使用人员', organisationId: orgs.xining!.id, password: DEFAULT_DEMO_PASSWORD, roles: ['consumer'] });

  people = await publish('人口基本信息（网关测试）');
  tableOnly = await publish('人口变更记录（网关测试）');
  verify = await publish('身份核验接口（网关测试）', { format: 'api', shareMethods: ['api'] });

  const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${people.id}/resources`, { kind: 'table' }), 201);
  const csv = ['resident_id,full_name,phone,address,division,income', ...PEOPLE.map((p) => Object.values(p).join(','))].join('\r\n');
  await ok(as('police.editor', 'POST', `/resources/${table.id}/data`, csv, { 'content-type': 'text/csv; charset=utf-8' }));
  await ok(as('police.editor', 'POST', `/catalogs/${verify.id}/resources`, { kind: 'api', api: { url: `${upstream.url}/v1`, method: 'GET', secretHeader: { name: 'Authorization', value: UPSTREAM_SECRET } } }), 201);

  for (const [who, user] of Object.entries({ market: 'market.consumer', hrss: 'hrss.consumer', xining: 'xining.consumer', police: 'police.consumer' })) {
    apps[who] = await ok<AppCredential>(as(user, 'POST', '/apps', { name: `${who} 业务系统` }), 201);
  }
  grants.market = await grantOf('market.consumer', people, { items: GRANTED });
  grants.xining = await grantOf('xining.consumer', people, {}, { rowFilter: { column: 'division', op: 'prefix', value: '$consumerDivision' } });
  grants.hrss = await grantOf('hrss.consumer', people, { items: ['resident_id', 'full_name'] });
  grants.marketTable = await grantOf('market.consumer', tableOnly, { methods: ['table'] });
  grants.hrssTable = await grantOf('hrss.consumer', tableOnly, {});
  grants.verify = await grantOf('market.consumer', verify, { items: ['resident_id', 'full_name', 'phone'] });
});
after(async () => {
  await t?.close();
  await upstream?.close();
});

describe('reading granted data', () => {
  test('a record by key: granted items only, masked as granted', async () => {
    const res = await ok<{ items: Array<Record<string, unknown>> }>(records(apps.market!, people, key(ZHANG.resident_id)));
    assert.deepEqual(res.items, [
      { resident_id: `${ZHANG.resident_id.slice(0, 6)}********${ZHANG.resident_id.slice(-4)}`, full_name: '张*', phone: '138****5678', address: '青海省西宁市城东区', division: '630102' },
    ]);
    // No such key: no items.
    assert.deepEqual((await ok<{ items: unknown[] }>(records(apps.market!, people, key(completeResidentId('63010219990101999'))))).items, []);
    // Fields: some granted items, in the order asked.
    const some = await ok<{ items: unknown[] }>(records(apps.market!, people, `${key(LI.resident_id)}&fields=phone,full_name`));
    assert.deepEqual(some.items, [{ phone: '****-***3456', full_name: '李*' }]);
  });

  test('items, keys and filters outside the grant are refused', async () => {
    await refused(records(apps.market!, people, `${key(ZHANG.resident_id)}&fields=full_name,income`), 403, 'ITEM_NOT_GRANTED');
    await refused(queryOf(apps.market!, people, { filters: { income: { op: 'gte', value: 5000 } } }), 403, 'ITEM_NOT_GRANTED');
    await refused(queryOf(apps.market!, people, { fields: ['income'] }), 403, 'ITEM_NOT_GRANTED');
    // Probing a masked item through a filter would give its value away.
    await refused(queryOf(apps.market!, people, { filters: { full_name: '张三' } }), 403, 'FILTER_ON_MASKED_ITEM');
    await refused(queryOf(apps.market!, people, { filters: { resident_id: { op: 'prefix', value: '630102' } } }), 403, 'FILTER_ON_MASKED_ITEM');
    await refused(queryOf(apps.market!, people, { filters: { division: { op: 'like', value: '63%' } } }), 400, 'FILTER_INVALID');
    await refused(queryOf(apps.market!, people, { filters: ['division'] }), 400, 'FILTER_INVALID');
    await refused(records(apps.market!, people, `${key(ZHANG.resident_id)}&${key('second part')}`), 400, 'KEY_INVALID');
    await refused(queryOf(apps.market!, people, { after: 'v1.not.a.cursor' }), 400, 'CURSOR_INVALID');
  });

  test('a query pages through the rows in key order with an opaque cursor', async () => {
    const first = await ok<{ items: Array<Record<string, unknown>>; next?: string }>(queryOf(apps.market!, people, { filters: { division: { op: 'prefix', value: '6301' } }, fields: ['division', 'full_name'], limit: 2 }));
    assert.deepEqual(first.items, [
      { division: '630102', full_name: '张*' },
      { division: '630103', full_name: '李*' },
    ]);
    assert.ok(first.next);
    // The cursor holds the last key, which is masked: it must not be readable.
    assert.ok(!Buffer.from(first.next.replace(/\./g, ''), 'base64url').toString('latin1').includes(LI.resident_id.slice(6, 14)));
    assert.ok(!first.next.includes(LI.resident_id));
    const second = await ok<{ items: Array<Record<string, unknown>>; next?: string }>(queryOf(apps.market!, people, { filters: { division: { op: 'prefix', value: '6301' } }, fields: ['division'], limit: 2, after: first.next }));
    assert.deepEqual(second.items, [{ division: '630105' }]);
    assert.equal(second.next, undefined);
    const all = await ok<{ items: Array<Record<string, unknown>> }>(queryOf(apps.market!, people, { filters: { division: { op: 'in', values: ['630223', '632801'] } }, fields: ['full_name'] }));
    assert.deepEqual(all.items, [{ full_name: '赵*' }, { full_name: '王*' }]);
    // A prefix is a prefix, never a pattern.
    assert.deepEqual((await ok<{ items: unknown[] }>(queryOf(apps.market!, people, { filters: { division: { op: 'prefix', value: '6%' } } }))).items, []);
    assert.deepEqual((await ok<{ items: unknown[] }>(queryOf(apps.market!, people, { filters: { division: { op: 'prefix', value: '63010_' } } }))).items, []);
    const equal = await ok<{ items: unknown[] }>(queryOf(apps.market!, people, { filters: { division: '630105' }, fields: ['address'] }));
    assert.deepEqual(equal.items, [{ address: '青海省西宁市城北区' }]);
  });

  test('the row filter gives 西宁 (630100) the rows of its own area only (数据回流)', async () => {
    assert.equal((await ok<{ items: unknown[] }>(records(apps.xining!, people, key(ZHANG.resident_id)))).items.length, 1);
    assert.deepEqual((await ok<{ items: unknown[] }>(records(apps.xining!, people, key(WANG.resident_id)))).items, []);
    assert.deepEqual((await ok<{ items: unknown[] }>(records(apps.xining!, people, key(ZHAO.resident_id)))).items, []);
    const all = await ok<{ items: Array<Record<string, unknown>> }>(queryOf(apps.xining!, people, { fields: ['division', 'income'] }));
    assert.deepEqual(all.items, [
      { division: '630102', income: 8000 },
      { division: '630103', income: 6000 },
      { division: '630105', income: 7000 },
    ]);
    // The consumer's own filters come on top of the grant's, never instead of it.
    assert.deepEqual((await ok<{ items: unknown[] }>(queryOf(apps.xining!, people, { filters: { division: '632801' } }))).items, []);
  });
});

describe('refusals, each with its code', () => {
  test('an unknown code is 404; a known one without a grant 403', async () => {
    await refused(signed(apps.market!, 'GET', `/share/NO-SUCH-CODE/records?${key(ZHANG.resident_id)}`), 404, 'ENTRY_NOT_FOUND');
    await refused(records(apps.police!, people, key(ZHANG.resident_id)), 403, 'GRANT_MISSING');
  });

  test('signatures: missing, bad, old, replayed', async () => {
    const url = `/api/v1/share/${encodeURIComponent(people.code)}/records?${key(ZHANG.resident_id)}`;
    await refused(t.request({ method: 'GET', url }), 401, 'SIGNATURE_MISSING');
    await refused(records({ ...apps.market!, secret: 'not-the-secret' }, people, key(ZHANG.resident_id)), 401, 'SIGNATURE_INVALID');
    await refused(signed(apps.market!, 'GET', `/share/${encodeURIComponent(people.code)}/records?${key(ZHANG.resident_id)}`, undefined, { timestamp: String(Date.now() - 600_000) }), 401, 'TIMESTAMP_EXPIRED');
    const headers = signedHeaders(apps.market!, 'GET', url);
    assert.equal((await t.request({ method: 'GET', url, headers })).statusCode, 200);
    await refused(t.request({ method: 'GET', url, headers }), 401, 'NONCE_REUSED');
    // A signature over another key does not read this one.
    const other = signedHeaders(apps.market!, 'GET', url.replace(ZHANG.resident_id, LI.resident_id));
    await refused(t.request({ method: 'GET', url, headers: other }), 401, 'SIGNATURE_INVALID');
  });

  test('a method not granted, or no resource to read', async () => {
    await refused(records(apps.market!, tableOnly, key(ZHANG.resident_id)), 403, 'METHOD_NOT_GRANTED');
    await refused(records(apps.hrss!, tableOnly, key(ZHANG.resident_id)), 409, 'RESOURCE_NOT_AVAILABLE');
    await refused(signed(apps.hrss!, 'POST', `/share/${encodeURIComponent(tableOnly.code)}/invoke`, {}), 409, 'RESOURCE_NOT_AVAILABLE');
  });

  test('an address outside the allow-list is refused; the list applies as soon as it is changed', async () => {
    await ok(as('police.approver', 'PATCH', `/grants/${grants.market!.id}`, { ipAllow: ['10.9.0.0/16'] }));
    await refused(records(apps.market!, people, key(ZHANG.resident_id)), 403, 'IP_NOT_ALLOWED');
    await ok(as('police.approver', 'PATCH', `/grants/${grants.market!.id}`, { ipAllow: ['10.9.0.0/16', '127.0.0.1'] }));
    await ok(records(apps.market!, people, key(ZHANG.resident_id)));
  });

  test('over the rate limit: 429 with Retry-After', async () => {
    await ok(as('police.approver', 'PATCH', `/grants/${grants.hrss!.id}`, { rateLimitPerMinute: 2 }));
    await ok(records(apps.hrss!, people, key(ZHANG.resident_id)));
    await ok(records(apps.hrss!, people, key(LI.resident_id)));
    const res = await refused(records(apps.hrss!, people, key(MA.resident_id)), 429, 'RATE_LIMITED');
    assert.equal(res.headers['retry-after'], '30');
    assert.deepEqual(json<{ error: { details: unknown } }>(res).error.details, { perMinute: 2, retryAfterSeconds: 30 });
    await ok(as('police.approver', 'PATCH', `/grants/${grants.hrss!.id}`, { rateLimitPerMinute: 600 }));
  });

  test('a revocation takes effect on the very next call', async () => {
    // Read once more (the grant is now cached) …
    await ok(records(apps.hrss!, people, key(ZHANG.resident_id)));
    await ok(as('police.approver', 'POST', `/grants/${grants.hrss!.id}/revoke`, { reason: '业务已办结' }));
    // … and refused at once, not a cache lifetime later.
    await refused(records(apps.hrss!, people, key(ZHANG.resident_id)), 403, 'GRANT_REVOKED');
  });

  test('another replica’s revocation is seen within a second', async () => {
    // A gateway that does not hear this process's changes, as one on another replica would not.
    const sharing = { grantsFor: t.node.sharing.grantsFor.bind(t.node.sharing), onGrantChanged: () => undefined } as unknown as typeof t.node.sharing;
    const elsewhere = new GatewayService({ db: t.node.db, identity: t.node.identity, resources: t.node.resources, sharing, now: () => now });
    const actor = { type: 'app' as const, id: 'elsewhere', appKey: apps.xining!.appKey, organisationId: orgs.xining!.id };
    const read = () => elsewhere.records(actor, '127.0.0.1', people.code, { key: [ZHANG.resident_id] }, newCallContext('records', people.code));
    assert.equal((await read()).items.length, 1);
    await ok(as('police.approver', 'POST', `/grants/${grants.xining!.id}/revoke`, { reason: '测试跨副本撤销' }));
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    await assert.rejects(read(), { code: 'GRANT_REVOKED' });
    await elsewhere.close();
  });

  test('a row filter that cannot be applied refuses the call rather than showing every row', async () => {
    // Terms no approver could set through the API (a prefix on a number), as a changed entry could leave them.
    await sql`update share_grants set row_filter = ${JSON.stringify({ column: 'income', op: 'prefix', value: '8' })}::jsonb where id = ${grants.market!.id}`.execute(t.node.db.kysely);
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    await refused(records(apps.market!, people, key(ZHANG.resident_id)), 409, 'GRANT_TERMS_INVALID');
    await sql`update share_grants set row_filter = ${JSON.stringify({ column: 'no_such_column', op: 'eq', value: '8' })}::jsonb where id = ${grants.market!.id}`.execute(t.node.db.kysely);
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    await refused(queryOf(apps.market!, people, {}), 409, 'GRANT_TERMS_INVALID');
    await sql`update share_grants set row_filter = null where id = ${grants.market!.id}`.execute(t.node.db.kysely);
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    await ok(records(apps.market!, people, key(ZHANG.resident_id)));
  });
});

describe('api resources through the gateway', () => {
  test('the answer keeps granted items only, masked; the upstream gets the provider’s credential', async () => {
    const res = await ok<{ status: number; body: unknown }>(signed(apps.market!, 'POST', `/share/${encodeURIComponent(verify.code)}/invoke`, { path: `persons/${ZHANG.resident_id}` }));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { resident_id: `${ZHANG.resident_id.slice(0, 6)}********${ZHANG.resident_id.slice(-4)}`, full_name: '张*', phone: '138****5678' });
    assert.equal(upstream.requests.at(-1)?.headers.authorization, UPSTREAM_SECRET);
    const list = await ok<{ body: unknown }>(signed(apps.market!, 'POST', `/share/${encodeURIComponent(verify.code)}/invoke`, { path: 'persons' }));
    assert.deepEqual(list.body, [
      { resident_id: `${ZHANG.resident_id.slice(0, 6)}********${ZHANG.resident_id.slice(-4)}`, full_name: '张*', phone: '138****5678' },
      { resident_id: `${LI.resident_id.slice(0, 6)}********${LI.resident_id.slice(-4)}`, full_name: '李*', phone: '****-***3456' },
    ]);
    // The upstream's own refusal is relayed, its body restricted like any other.
    const missing = await ok<{ status: number; body: unknown }>(signed(apps.market!, 'POST', `/share/${encodeURIComponent(verify.code)}/invoke`, { path: 'persons/nobody' }));
    assert.deepEqual([missing.status, missing.body], [404, {}]);
  });

  test('an answer that cannot be restricted to items is not relayed', async () => {
    await refused(signed(apps.market!, 'POST', `/share/${encodeURIComponent(verify.code)}/invoke`, { path: 'text' }), 502, 'UPSTREAM_NOT_MASKABLE');
  });

  test('the same checks as records: no grant, another organisation', async () => {
    await refused(signed(apps.hrss!, 'POST', `/share/${encodeURIComponent(verify.code)}/invoke`, { path: 'persons' }), 403, 'GRANT_MISSING');
  });
});

describe('statistics', () => {
  test('a grant’s calls per day, for its parties and the responsible authority only', async () => {
    await t.node.gateway.flushCalls();
    const stats = await ok<CallStats>(as('market.consumer', 'GET', `/grants/${grants.market!.id}/calls/stats?days=7`));
    assert.equal(stats.perDay.length, 7);
    assert.equal(stats.to, stats.perDay.at(-1)!.date);
    assert.ok(stats.totals.ok > 5 && stats.totals.refused > 5, JSON.stringify(stats.totals));
    assert.equal(stats.totals.calls, stats.totals.ok + stats.totals.refused);
    assert.ok(stats.byOutcome.some((o) => o.outcome === 'ITEM_NOT_GRANTED'));
    assert.ok(stats.totals.rows >= 10);
    for (const user of ['police.approver', 'authority']) assert.deepEqual(await ok<CallStats>(as(user, 'GET', `/grants/${grants.market!.id}/calls/stats?days=7`)), stats);
    // Not a party: another consumer, and the provider's catalog editor (as for GET /grants/{id}).
    for (const user of ['hrss.consumer', 'xining.consumer', 'market.approver']) await refused(as(user, 'GET', `/grants/${grants.market!.id}/calls/stats`), 404, 'GRANT_NOT_FOUND');
    await refused(as('police.editor', 'GET', `/grants/${grants.market!.id}/calls/stats`), 403, 'FORBIDDEN');
  });

  test('an organisation’s calls as consumer and as provider', async () => {
    const market = await ok<{ organisationId: string; asConsumer: CallStats; asProvider: CallStats }>(as('market.consumer', 'GET', '/share/stats?days=30'));
    assert.equal(market.organisationId, orgs.market!.id);
    assert.ok(market.asConsumer.totals.calls > 10);
    assert.equal(market.asProvider.totals.calls, 0);
    const police = await ok<{ asConsumer: CallStats; asProvider: CallStats }>(as('police.approver', 'GET', '/share/stats'));
    assert.ok(police.asProvider.totals.calls >= market.asConsumer.totals.calls);
    // The authority responsible for the police looks at the police's; a consumer may not.
    const seen = await ok<{ asProvider: CallStats }>(as('authority', 'GET', `/share/stats?organisationId=${orgs.police!.id}`));
    assert.deepEqual(seen.asProvider, police.asProvider);
    await refused(as('market.consumer', 'GET', `/share/stats?organisationId=${orgs.police!.id}`), 403, 'FORBIDDEN');
  });
});

describe('the call log', () => {
  test('every call, allowed or refused, is recorded — never with the values it asked for', async () => {
    await t.node.gateway.flushCalls();
    const rows = (await sql<StoredCall & { ledgered: boolean }>`select * from share_calls order by id`.execute(t.node.db.kysely)).rows;
    const outcomes = new Set(rows.map((r) => r.outcome));
    for (const code of [
      'ok',
      'ENTRY_NOT_FOUND',
      'GRANT_MISSING',
      'GRANT_REVOKED',
      'METHOD_NOT_GRANTED',
      'IP_NOT_ALLOWED',
      'RATE_LIMITED',
      'RESOURCE_NOT_AVAILABLE',
      'ITEM_NOT_GRANTED',
      'FILTER_ON_MASKED_ITEM',
      'FILTER_INVALID',
      'SIGNATURE_MISSING',
      'SIGNATURE_INVALID',
      'TIMESTAMP_EXPIRED',
      'NONCE_REUSED',
      'UPSTREAM_NOT_MASKABLE',
      'GRANT_TERMS_INVALID',
      'KEY_INVALID',
      'CURSOR_INVALID',
    ]) {
      assert.ok(outcomes.has(code), `no call recorded with outcome ${code}`);
    }
    assert.ok(rows.every((r) => r.ledgered));
    const lookup = rows.find((r) => r.outcome === 'ok' && r.route === 'records' && r.grant_id === grants.market!.id)!;
    assert.equal(lookup.app_id !== null && lookup.consumer_org_id, orgs.market!.id);
    assert.equal(lookup.catalog_code, people.code);
    assert.equal(lookup.rows_returned, 1);
    assert.ok(lookup.latency_ms >= 0);
    assert.equal(lookup.status, 200);
    // The digest of the key, keyed with the node key: no ID number in the log, not even a plain hash of one.
    assert.equal(lookup.filter_digest, t.node.resources.shareDigest({ key: [ZHANG.resident_id] }));
    assert.ok(!JSON.stringify(rows).includes(ZHANG.resident_id));
    const unsigned = rows.find((r) => r.outcome === 'SIGNATURE_MISSING')!;
    assert.deepEqual([unsigned.app_id, unsigned.status, unsigned.catalog_code], [null, 401, people.code]);
    const revoked = rows.find((r) => r.outcome === 'GRANT_REVOKED' && r.route === 'records')!;
    assert.equal(revoked.grant_id, grants.hrss!.id, 'a refusal under a grant names it');
    assert.equal(rows.filter((r) => r.route === 'invoke' && r.outcome === 'ok').length, 3);
  });

  test('the ledger holds every call in batches whose digest matches the rows', async () => {
    await t.node.gateway.flushCalls();
    await t.node.ledger.flush();
    const rows = (await sql<StoredCall>`select * from share_calls order by id`.execute(t.node.db.kysely)).rows;
    const batches = (await t.node.ledger.entries({ action: 'sharing.calls' }, 1, 200)).items;
    assert.ok(batches.length >= 1);
    let counted = 0;
    for (const b of batches) {
      const payload = b.payload as { count: number; ranges: Array<[number, number]>; sm3: string };
      const inBatch = rows.filter((r) => payload.ranges.some(([from, to]) => r.id >= from && r.id <= to));
      assert.equal(inBatch.length, payload.count);
      assert.equal(callsDigest(inBatch), payload.sm3, `batch ${b.entry.subject.id}`);
      counted += payload.count;
    }
    assert.equal(counted, rows.length, 'every call in exactly one batch');
    // An edited row no longer matches its batch's digest.
    const first = batches.find((b) => (b.payload as { ranges: Array<[number, number]> }).ranges.some(([from, to]) => rows[0]!.id >= from && rows[0]!.id <= to))!;
    const ranges = (first.payload as { ranges: Array<[number, number]> }).ranges;
    const edited = rows.filter((r) => ranges.some(([from, to]) => r.id >= from && r.id <= to)).map((r) => (r.id === rows[0]!.id ? { ...r, rows_returned: r.rows_returned + 1 } : r));
    assert.notEqual(callsDigest(edited), (first.payload as { sm3: string }).sm3);
  });

  test('calls written by others without a ledger entry are swept into one', async () => {
    await sql`insert into share_calls (route, latency_ms, outcome, status) values ('feed', 3, 'ok', 200), ('export', 5, 'ok', 200)`.execute(t.node.db.kysely);
    assert.equal(await t.node.gateway.flushCalls(), 2);
    const left = await sql<{ n: number }>`select count(*)::int as n from share_calls where not ledgered`.execute(t.node.db.kysely);
    assert.equal(left.rows[0]!.n, 0);
  });

  test('nothing waiting is lost on close', async () => {
    const gateway = new GatewayService({ db: t.node.db, identity: t.node.identity, resources: t.node.resources, sharing: t.node.sharing, now: () => now });
    const before = (await sql<{ n: number }>`select count(*)::int as n from share_calls`.execute(t.node.db.kysely)).rows[0]!.n;
    for (let i = 0; i < 1234; i++) {
      gateway.recordCall(
        { route: 'records', catalogCode: 'CLOSE-TEST', catalogEntryId: null, grantId: null, filterDigest: null, rowsReturned: 0 },
        { actor: { type: 'anonymous' }, status: 401, outcome: 'SIGNATURE_MISSING', latencyMs: 1 },
      );
    }
    await gateway.close();
    const after_ = (await sql<{ n: number }>`select count(*)::int as n from share_calls`.execute(t.node.db.kysely)).rows[0]!.n;
    assert.equal(after_ - before, 1234);
  });
});

describe('expiry', () => {
  test('a grant past its expiry is refused as expired', async () => {
    now = new Date(Date.parse(`${VALID_UNTIL}T16:00:00Z`) + 1000);
    await refused(records(apps.market!, people, key(ZHANG.resident_id)), 403, 'GRANT_EXPIRED');
    now = new Date();
  });
});

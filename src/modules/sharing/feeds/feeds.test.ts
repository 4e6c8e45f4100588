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
import type { Application, Grant } from '../sharing.types.js';
import { dataTableName } from '../../resources/resources.tables.js';
import { openHttpSource, type HttpSource } from '../../../../test/fixtures/sources.js';
import type { FeedPage } from './feed-reader.js';
import type { Subscription } from './subscriptions.js';
import { createHostPolicy } from '../../connectors/index.js';
import { MAX_FAILURES, WebhookDispatcher, webhookSignature } from './webhooks.js';

/**
 * Change feeds through HTTP, as a consumer's system follows them: signed GET /feeds/{code}/changes
 * under grants with method `table`. Changes come in order with stable ids, granted items only and
 * masked; the row filter decides which changes a consumer learns of (deletes included); a long poll
 * answers as soon as a load commits; every refusal has its code.
 */

let t: TestNode;
const orgs: Record<string, Organisation> = {};
const apps: Record<string, { appKey: string; secret: string }> = {};
const grants: Record<string, Grant> = {};
let people: CatalogEntry;
let table: Resource;
let receiver: HttpSource;
const VALID_UNTIL = new Date(Date.now() + 365 * 86400_000).toISOString().slice(0, 10);

const person = (id: string, name: string, division: string, phone = '13812345678') => ({ resident_id: completeResidentId(id), full_name: name, phone, division });
const ZHANG = person('63010219900307001', '张三', '630102');
const LI = person('63010319850512002', '李四', '630103');
const WANG = person('63280119921120003', '王五', '632801');
const ZHAO = person('63022319880808005', '赵七', '630223');
const MA = person('63010519780101004', '马六', '630105');

const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
];

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(username: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }), ...(headers ? { headers } : {}) });
}
async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return json<T>(r);
}
async function refused(res: Promise<LightMyRequestResponse>, status: number, code: string): Promise<void> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  assert.equal(errorCode(r), code, r.body);
}

function changes(who: string, query: string, entry = people): Promise<LightMyRequestResponse> {
  const url = `/api/v1/feeds/${encodeURIComponent(entry.code)}/changes${query ? `?${query}` : ''}`;
  return t.request({ method: 'GET', url, headers: signedHeaders(apps[who]!, 'GET', url, '') });
}
const page = (who: string, query: string) => ok<FeedPage>(changes(who, query));

async function load(rows: Array<ReturnType<typeof person>>, mode: 'upsert' | 'replace'): Promise<void> {
  const csv = ['resident_id,full_name,phone,division', ...rows.map((p) => Object.values(p).join(','))].join('\r\n');
  await ok(as('police.editor', 'POST', `/resources/${table.id}/data?mode=${mode}`, csv, { 'content-type': 'text/csv; charset=utf-8' }));
}

const masked = (p: ReturnType<typeof person>) => `${p.resident_id.slice(0, 6)}********${p.resident_id.slice(-4)}`;

async function grantOf(consumer: string, methods: string[], terms?: Record<string, unknown>): Promise<Grant> {
  const app = await ok<Application>(
    as(consumer, 'POST', '/applications', { catalogId: people.id, purpose: '同步人口变更', legalBasis: '《优化营商环境条例》第三十七条', scenario: '一网通办', methods, validUntil: VALID_UNTIL }),
    201,
  );
  const approved = await ok<Application>(as('police.approver', 'POST', `/applications/${app.id}/approve`, terms ? { grant: terms } : {}));
  return ok<Grant>(as(consumer, 'GET', `/grants/${approved.grantId}`));
}

before(async () => {
  receiver = await openHttpSource();
  // Webhooks go to a receiver on loopback, which a node contacts only when its host policy says so.
  t = await build(undefined, { config: { connectorHosts: ['127.0.0.1'] }, node: { housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  orgs.xining = list.find((o) => o.name === '西宁市人民政府')!;
  await t.node.identity.createUser(systemActor('test'), { username: 'xining.consumer', displayName: '西宁使用人员', organisationId: orgs.xining.id, password: DEFAULT_DEMO_PASSWORD, roles: ['consumer'] });
  const entry = await ok<CatalogEntry>(
    as('police.editor', 'POST', '/catalogs', {
      name: '人口变更（订阅测试）',
      summary: '变更订阅测试用目录。',
      resourceType: 'department',
      category: '1-01-001',
      format: 'table',
      shareType: 'conditional',
      shareCondition: '用于政务服务',
      shareMethods: ['api', 'table'],
      openType: 'none',
      updateCycle: 'realtime',
      securityGrade: 'general',
      items: ITEMS,
    }),
    201,
  );
  await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/submit`));
  people = await ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
  table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${people.id}/resources`, { kind: 'table' }), 201);
  for (const [who, user] of Object.entries({ market: 'market.consumer', hrss: 'hrss.consumer', xining: 'xining.consumer', police: 'police.consumer' })) {
    apps[who] = await ok(as(user, 'POST', '/apps', { name: `${who} 同步程序` }), 201);
  }
  grants.market = await grantOf('market.consumer', ['table']);
  grants.xining = await grantOf('xining.consumer', ['table'], { rowFilter: { column: 'division', op: 'prefix', value: '$consumerDivision' } });
  grants.hrss = await grantOf('hrss.consumer', ['api']);
});
after(async () => {
  await t?.close();
  await receiver?.close();
});

describe('change feeds', () => {
  test('changes come in order, with stable ids, granted items only and masked, the row as it is now', async () => {
    // Before the first load: nothing yet, and latest is 0.
    assert.deepEqual(await page('market', ''), { items: [], next: '0' });
    await load([ZHANG, LI, WANG], 'upsert');
    const first = await page('market', '');
    assert.deepEqual(
      first.items.map((c) => [c.seq, c.op, c.key, c.record]),
      [
        [1, 'insert', { resident_id: masked(ZHANG) }, { resident_id: masked(ZHANG), full_name: '张*', phone: '138****5678', division: '630102' }],
        [2, 'insert', { resident_id: masked(LI) }, { resident_id: masked(LI), full_name: '李*', phone: '138****5678', division: '630103' }],
        [3, 'insert', { resident_id: masked(WANG) }, { resident_id: masked(WANG), full_name: '王*', phone: '138****5678', division: '632801' }],
      ],
    );
    assert.deepEqual(first.items.map((c) => c.id), [1, 2, 3].map((s) => `${table.id}:${s}`));
    // rowIds: one per row, 128-bit hex, distinct even where masked keys could collide.
    assert.equal(new Set(first.items.map((c) => c.rowId)).size, 3);
    assert.ok(first.items.every((c) => /^[0-9a-f]{32}$/.test(c.rowId)));
    assert.equal(first.next, '3');
    assert.ok(first.items.every((c) => !Number.isNaN(Date.parse(c.at))));
    // A page at a time: limit, then on from next; the same change keeps its id.
    const one = await page('market', 'limit=1&after=1');
    assert.deepEqual(one.items.map((c) => c.id), [`${table.id}:2`]);
    assert.equal(one.next, '2');
    // Caught up: no items, next stays.
    assert.deepEqual(await page('market', 'after=3'), { items: [], next: '3' });
    assert.deepEqual(await page('market', 'after=latest'), { items: [], next: '3' });

    // An upsert changes 李四 and adds 马六; a replace then drops 王五 (and 张三, 马六 stay).
    await load([{ ...LI, phone: '13900001111' }, MA], 'upsert');
    await load([ZHANG, { ...LI, phone: '13900001111' }, MA], 'replace');
    const next = await page('market', 'after=3');
    assert.deepEqual(
      next.items.map((c) => [c.seq, c.op, c.key.resident_id, c.record?.phone ?? null]),
      [
        [4, 'update', masked(LI), '139****1111'],
        [5, 'insert', masked(MA), '138****5678'],
        [6, 'delete', masked(WANG), null],
      ],
    );
    assert.equal(next.next, '6');
    // The same row keeps its rowId from change to change.
    assert.equal(next.items[0]!.rowId, first.items[1]!.rowId, '李四: insert and update');
    assert.equal(next.items[2]!.rowId, first.items[2]!.rowId, '王五: insert and delete');
  });

  test('the row filter decides which changes a consumer learns of, deletes included', async () => {
    // 西宁 (6301) sees 张三, 李四, 马六, never 王五 (格尔木) — not even his deletion.
    const all = await page('xining', '');
    // Another organisation gets other rowIds for the same rows: consumers cannot match theirs up.
    const market = await page('market', 'limit=1');
    assert.equal(all.items[0]!.key.resident_id, market.items[0]!.key.resident_id);
    assert.notEqual(all.items[0]!.rowId, market.items[0]!.rowId);
    assert.deepEqual(
      all.items.map((c) => [c.seq, c.op, c.key.resident_id]),
      [
        [1, 'insert', masked(ZHANG)],
        [2, 'insert', masked(LI)],
        [4, 'update', masked(LI)],
        [5, 'insert', masked(MA)],
      ],
    );
    assert.equal(all.next, '6');
    // Deleting a row of its own area is delivered; passed-over changes still move next on.
    await load([ZHANG, { ...LI, phone: '13900001111' }, ZHAO], 'replace'); // - 马六 (630105), + 赵七 (海东 630223)
    const more = await page('xining', 'after=6');
    assert.deepEqual(more.items.map((c) => [c.op, c.key.resident_id, c.record]), [['delete', masked(MA), null]]);
    assert.equal(more.next, '8');
    const filtered = await page('xining', 'after=7');
    assert.deepEqual(filtered, { items: [], next: '8' });
  });

  test('a long poll answers as soon as an upsert commits', async () => {
    const { next } = await page('market', 'after=latest');
    const started = performance.now();
    const waiting = page('market', `after=${next}&wait=20`);
    await new Promise((r) => setTimeout(r, 200));
    const loaded = performance.now();
    await load([{ ...ZHANG, full_name: '张三丰' }], 'upsert');
    const got = await waiting;
    const received = performance.now();
    assert.deepEqual(got.items.map((c) => [c.op, c.record?.full_name]), [['update', '张**']]);
    assert.ok(received - started >= 200, 'it waited for the load');
    assert.ok(received - loaded < 1000, `received ${Math.round(received - loaded)} ms after the load began`);
    // No change within the wait: an empty page when the wait is up.
    const idle = performance.now();
    assert.deepEqual(await page('market', `after=${got.next}&wait=1`), { items: [], next: got.next });
    assert.ok(performance.now() - idle >= 900);
  });

  test('refusals have their codes, and every call is recorded', async () => {
    await refused(changes('hrss', ''), 403, 'METHOD_NOT_GRANTED');
    await refused(changes('police', ''), 403, 'GRANT_MISSING');
    await refused(changes('market', 'after=-1'), 400, 'VALIDATION_FAILED');
    await refused(changes('market', 'after=999999'), 400, 'FEED_CURSOR_INVALID');
    await refused(changes('market', 'wait=31'), 400, 'VALIDATION_FAILED');
    // Changes past the retention: a consumer that has not read them must start again.
    await sql`delete from ${sql.table(`data.${dataTableName(table.id)}__changes`)} where seq <= 4`.execute(t.node.db.kysely);
    await refused(changes('market', 'after=2'), 409, 'FEED_CURSOR_EXPIRED');
    // Without after, a new consumer starts from the oldest change kept, not from a refusal.
    assert.deepEqual((await page('market', '')).items.map((c) => c.seq).slice(0, 2), [6, 7]);
    // From 4 on all is kept. 马六's insert (5) is passed over: his row is gone, and his delete follows.
    assert.deepEqual((await page('market', 'after=4')).items.map((c) => [c.seq, c.op]).slice(0, 2), [[6, 'delete'], [7, 'delete']]);
    // Revoked: refused at once.
    await ok(as('market.consumer', 'POST', `/grants/${grants.market!.id}/revoke`, { reason: '不再需要' }));
    await refused(changes('market', ''), 403, 'GRANT_REVOKED');
    await t.node.gateway.flushCalls();
    const calls = await t.node.db.kysely.selectFrom('share_calls').select(['route', 'outcome', 'rows_returned']).where('route', '=', 'feed').where('consumer_org_id', '=', grants.market!.consumerId).execute();
    assert.ok(calls.some((c) => c.outcome === 'ok' && c.rows_returned === 3));
    assert.ok(calls.some((c) => c.outcome === 'FEED_CURSOR_EXPIRED'));
    assert.ok(calls.some((c) => c.outcome === 'GRANT_REVOKED'));
  });
});

describe('webhook subscriptions', () => {
  interface Received {
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }
  const received: Received[] = [];
  let answer = 200;
  /** While set, the receiver answers only once it settles (a slow consumer). */
  let slow: Promise<void> | undefined;
  let subscription: Subscription;
  let secret: string;

  const subscribe = (user: string, grantId: string, body: unknown) => as(user, 'POST', `/grants/${grantId}/subscriptions`, body);
  const dispatch = () => t.node.webhooks.dispatchOnce();
  /** Makes the subscription due now (its backoff or idle recheck is not waited for in a test). */
  const due = () => t.node.db.kysely.updateTable('feed_subscriptions').set({ next_attempt_at: new Date(0) }).execute();

  before(() => {
    receiver.handle((_url, req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        void (slow ?? Promise.resolve()).then(() => res.writeHead(answer, { 'content-type': 'application/json' }).end('{}'));
      });
    });
  });

  test('a consumer subscribes; bad addresses and grants without the table method are refused', async () => {
    await refused(subscribe('hrss.consumer', grants.hrss!.id, { url: `${receiver.url}/hook` }), 403, 'METHOD_NOT_GRANTED');
    await refused(subscribe('xining.consumer', grants.xining!.id, { url: 'ftp://example.org/hook' }), 400, 'WEBHOOK_URL_INVALID');
    await refused(subscribe('xining.consumer', grants.xining!.id, { url: 'http://169.254.169.254/latest' }), 400, 'WEBHOOK_HOST_NOT_ALLOWED');
    // Another organisation's consumer, and the provider's approver, cannot subscribe to xining's grant.
    await refused(subscribe('market.consumer', grants.xining!.id, { url: `${receiver.url}/hook` }), 404, 'GRANT_NOT_FOUND');
    await refused(subscribe('police.approver', grants.xining!.id, { url: `${receiver.url}/hook` }), 403, 'FORBIDDEN');
    const made = await ok<{ subscription: Subscription; secret: string }>(subscribe('xining.consumer', grants.xining!.id, { url: `${receiver.url}/hook` }), 201);
    subscription = made.subscription;
    secret = made.secret;
    assert.equal(subscription.status, 'active');
    assert.ok(secret.length >= 40);
    // The provider's approver sees where its data goes; the secret is never shown again.
    const listed = await ok<{ items: Subscription[] }>(as('police.approver', 'GET', `/grants/${grants.xining!.id}/subscriptions`));
    assert.deepEqual(listed.items.map((s) => s.id), [subscription.id]);
    assert.ok(!JSON.stringify(listed).includes(secret));
    await refused(as('market.consumer', 'GET', `/subscriptions/${subscription.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
    await refused(as('police.approver', 'POST', `/subscriptions/${subscription.id}/pause`), 403, 'FORBIDDEN');
  });

  test('changes are pushed, signed; a failed delivery is retried with the same id, then the cursor moves on', async () => {
    // Nothing new: nothing sent.
    assert.equal(await dispatch(), 0);
    assert.equal(received.length, 0);
    // 李四 moves within 西宁 and 赵七 (海东) changes: xining's row filter passes only 李四.
    answer = 503;
    await load([{ ...LI, full_name: '李四海' }, { ...ZHAO, phone: '13700000000' }], 'upsert');
    await due();
    assert.equal(await dispatch(), 0);
    assert.equal(received.length, 1);
    const failed = await ok<Subscription>(as('xining.consumer', 'GET', `/subscriptions/${subscription.id}`));
    assert.equal(failed.failures, 1);
    assert.equal(failed.lastError?.code, 'HTTP_503');
    assert.ok(Date.parse(failed.nextAttemptAt!) > Date.now(), 'the retry waits');
    assert.deepEqual(failed.deliveries!.map((d) => [d.outcome, d.attempt, d.changes]), [['HTTP_503', 1, 1]]);

    answer = 200;
    await due();
    assert.equal(await dispatch(), 1);
    assert.equal(received.length, 2);
    const [first, retry] = received as [Received, Received];
    assert.equal(retry.headers['x-tianshu-delivery'], first.headers['x-tianshu-delivery'], 'a retry carries the same delivery id');
    const body = JSON.parse(retry.body) as { subscriptionId: string; items: Array<{ op: string; key: Record<string, unknown>; record: Record<string, unknown> }>; next: string };
    assert.equal(body.subscriptionId, subscription.id);
    assert.deepEqual(body.items.map((c) => [c.op, c.key.resident_id, c.record.full_name]), [['update', masked(LI), '李**']]);
    // The signature: HMAC-SM3 over timestamp, delivery id and body, with the secret shown at creation.
    const ts = String(retry.headers['x-tianshu-timestamp']);
    assert.equal(retry.headers['x-tianshu-signature'], webhookSignature(secret, ts, String(retry.headers['x-tianshu-delivery']), retry.body));
    assert.notEqual(retry.headers['x-tianshu-signature'], webhookSignature('whsec_wrong', ts, String(retry.headers['x-tianshu-delivery']), retry.body));
    const done = await ok<Subscription>(as('xining.consumer', 'GET', `/subscriptions/${subscription.id}`));
    assert.equal(done.failures, 0);
    assert.equal(done.cursor, body.next);
    assert.deepEqual(done.deliveries!.map((d) => d.outcome), ['delivered', 'HTTP_503']);
    // Delivered once: nothing more to send.
    await due();
    assert.equal(await dispatch(), 0);
    assert.equal(received.length, 2);
    // Deliveries are calls: in the call log as route webhook.
    await t.node.gateway.flushCalls();
    const calls = await t.node.db.kysely.selectFrom('share_calls').select(['outcome', 'rows_returned']).where('route', '=', 'webhook').orderBy('id').execute();
    assert.deepEqual(calls.map((c) => [c.outcome, c.rows_returned]), [['HTTP_503', 0], ['ok', 1]]);
  });

  test('a lease that ran out is taken over; the old holder neither moves the cursor nor sends on', async () => {
    const hosts = await createHostPolicy({ allow: ['127.0.0.1'] });
    const other = new WebhookDispatcher({ db: t.node.db, gateway: t.node.gateway, nodeKey: t.node.keys.nodeKey, hosts });
    const before = received.length;
    await load([{ ...LI, full_name: '李四甲' }], 'upsert');
    await due();
    // The first replica's delivery hangs until its lease has run out and the second has taken over.
    let release!: () => void;
    slow = new Promise<void>((r) => (release = r));
    const first = t.node.webhooks.dispatchOnce();
    while (received.length === before) await new Promise((r) => setTimeout(r, 10));
    slow = undefined;
    await t.node.db.kysely.updateTable('feed_subscriptions').set({ leased_until: new Date(Date.now() - 1000) }).where('id', '=', subscription.id).execute();
    assert.equal(await other.dispatchOnce(), 1, 'the second replica delivers');
    release();
    assert.equal(await first, 0, 'the first replica lost its lease: its delivery does not count');
    const deliveries = received.slice(before);
    assert.equal(deliveries.length, 2, 'at least once: the page went out twice');
    assert.equal(deliveries[0]!.headers['x-tianshu-delivery'], deliveries[1]!.headers['x-tianshu-delivery']);
    const after = await ok<Subscription>(as('xining.consumer', 'GET', `/subscriptions/${subscription.id}`));
    assert.equal(after.cursor, (JSON.parse(deliveries[1]!.body) as { next: string }).next);
    await due();
    assert.equal(await t.node.webhooks.dispatchOnce(), 0, 'nothing is sent again');
  });

  test('too many failures pause a subscription; the consumer pauses, resumes and ends it', async () => {
    answer = 500;
    await load([{ ...LI, full_name: '李四' }], 'upsert');
    for (let i = 0; i < MAX_FAILURES; i++) {
      await due();
      await dispatch();
    }
    const paused = await ok<Subscription>(as('xining.consumer', 'GET', `/subscriptions/${subscription.id}`));
    assert.equal(paused.status, 'paused');
    assert.equal(paused.pausedReason, 'failures');
    const sentWhilePaused = received.length;
    await due();
    await dispatch();
    assert.equal(received.length, sentWhilePaused, 'a paused subscription gets nothing');
    answer = 200;
    const resumed = await ok<Subscription>(as('xining.consumer', 'POST', `/subscriptions/${subscription.id}/resume`));
    assert.equal(resumed.status, 'active');
    assert.equal(resumed.failures, 0);
    assert.equal(await dispatch(), 1);
    assert.equal((await ok<Subscription>(as('xining.consumer', 'POST', `/subscriptions/${subscription.id}/pause`))).pausedReason, 'consumer');
    // Resuming from now skips what waited (a receiver that read the data afresh).
    await load([{ ...LI, full_name: '李四乙' }], 'upsert');
    const latest = (await page('xining', 'after=latest')).next;
    const fresh = await ok<Subscription>(as('xining.consumer', 'POST', `/subscriptions/${subscription.id}/resume?from=latest`));
    assert.equal(fresh.cursor, latest);
    assert.equal(await dispatch(), 0);
    const r = await as('xining.consumer', 'DELETE', `/subscriptions/${subscription.id}`);
    assert.equal(r.statusCode, 204);
    await refused(as('xining.consumer', 'GET', `/subscriptions/${subscription.id}`), 404, 'SUBSCRIPTION_NOT_FOUND');
    const ledger = await t.node.db.kysely.selectFrom('ledger_pending').select('action').where('subject_id', '=', subscription.id).execute();
    const actions = ledger.map((l) => l.action);
    assert.ok(['sharing.subscription.create', 'sharing.subscription.pause', 'sharing.subscription.resume', 'sharing.subscription.delete'].every((a) => actions.includes(a)), actions.join());
  });

  test('a revoked grant pauses its subscriptions', async () => {
    const made = await ok<{ subscription: Subscription }>(subscribe('xining.consumer', grants.xining!.id, { url: `${receiver.url}/hook2`, from: 'beginning' }), 201);
    await ok(as('police.approver', 'POST', `/grants/${grants.xining!.id}/revoke`, { reason: '停止共享' }));
    await due();
    await dispatch();
    const paused = await ok<Subscription>(as('xining.consumer', 'GET', `/subscriptions/${made.subscription.id}`));
    assert.equal(paused.status, 'paused');
    assert.equal(paused.pausedReason, 'GRANT_REVOKED');
  });
});

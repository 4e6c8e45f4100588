import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../core/auth/actor.js';
import { addCalendarDays } from '../../core/calendar/index.js';
import { DEFAULT_DEMO_PASSWORD } from '../../core/config.js';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { CatalogEntry } from '../catalog/index.js';
import type { Organisation } from '../identity/index.js';
import type { Notification } from '../notifications/index.js';
import type { Application, Grant } from './sharing.types.js';

/**
 * Applications, decisions and grants through HTTP, with an injected clock: the three paths
 * (unconditional granted at once; conditional approved by the provider; core and important data
 * countersigned by the authority), refusals with legal basis, every validation code, the cart,
 * withdrawal, who sees what (outsiders get 404), grant terms and revocation with the gateway's
 * listener, and the deadline sweep (reminder and escalation, each once).
 */
let t: TestNode;
let orgs: Record<string, Organisation>;
let now = at('2026-09-28');
/** 10:00 in China on the given date. */
function at(date: string): Date {
  return new Date(`${date}T02:00:00Z`);
}
const changed: Grant[] = [];

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
type Body = Record<string, unknown>;

async function as(username: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Body }) });
}
async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return json<T>(r);
}
async function refused(res: Promise<LightMyRequestResponse>, status: number, code: string): Promise<LightMyRequestResponse> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  assert.equal(errorCode(r), code, r.body);
  const body = json<{ error: { message: string; messageZh: string } }>(r);
  assert.ok(body.error.message && body.error.messageZh, 'both languages');
  return r;
}

const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
];

function entryBody(name: string, overrides: Body = {}): Body {
  return {
    name,
    summary: '共享测试用目录。',
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务',
    shareMethods: ['api', 'table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    items: ITEMS,
    ...overrides,
  };
}

/** A market (市场监管局) entry, published by the provincial authority. */
async function publish(name: string, overrides: Body = {}): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(as('market.editor', 'POST', '/catalogs', entryBody(name, overrides)), 201);
  await ok(as('market.editor', 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

function application(entry: CatalogEntry, overrides: Body = {}): Body {
  return {
    catalogId: entry.id,
    purpose: '办理企业开办业务时核验申请人身份',
    legalBasis: '《优化营商环境条例》第三十七条',
    scenario: '企业开办一网通办',
    methods: ['api'],
    validUntil: '2027-06-30',
    ...overrides,
  };
}

async function notificationsOf(username: string): Promise<Notification[]> {
  return (await ok<{ items: Notification[] }>(as(username, 'GET', '/notifications?pageSize=200'))).items;
}

async function ledgerActions(subjectId: string): Promise<string[]> {
  await t.node.ledger.flush();
  // Oldest first.
  return (await t.node.ledger.entries({ subjectId }, 1, 200)).items.sort((a, b) => a.seq - b.seq).map((e) => e.entry.action);
}

let unconditional: CatalogEntry;
let conditional: CatalogEntry;
let important: CatalogEntry;
let mixed: CatalogEntry;
let notShared: CatalogEntry;

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  const byName = (name: string) => list.find((o) => o.name === name)!;
  orgs = {
    police: byName('青海省公安厅'),
    market: byName('青海省市场监督管理局'),
    hrss: byName('青海省人力资源和社会保障厅'),
    authority: byName('青海省政务服务监督管理局'),
    xiningAuthority: byName('西宁市政务服务监督管理局'),
  };
  const user = (username: string, organisationId: string, roles: Array<'provider_approver' | 'consumer' | 'data_authority'>) =>
    t.node.identity.createUser(systemActor('test'), { username, displayName: username, organisationId, password: DEFAULT_DEMO_PASSWORD, roles });
  // A second approver at the provider; an approver who is also a consumer; a data authority not responsible for the provider.
  await user('market.approver2', orgs.market!.id, ['provider_approver']);
  await user('market.both', orgs.market!.id, ['provider_approver', 'consumer']);
  await user('xining.reviewer.test', orgs.xiningAuthority!.id, ['data_authority']);
  t.node.sharing.onGrantChanged((g) => changed.push(g));

  unconditional = await publish('企业登记基本信息', { shareType: 'unconditional', shareCondition: undefined });
  conditional = await publish('企业联系人信息');
  important = await publish('企业股东身份信息', { securityGrade: 'important' });
  mixed = await publish('个体工商户信息', {
    shareType: 'unconditional',
    shareCondition: undefined,
    items: [...ITEMS.slice(0, 2), { ...ITEMS[2], shareType: 'conditional' }, { ...ITEMS[3], shareType: 'none' }],
  });
  notShared = await publish('企业内部执法线索', { shareType: 'none', shareCondition: undefined, nonShareBasis: '《行政处罚法》第五十条', shareMethods: [] });
});
after(() => t.close());

describe('applying', () => {
  test('an unconditional entry is granted at once, with the default terms, and recorded', async () => {
    const before = changed.length;
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(unconditional, { items: ['resident_id', 'full_name'] })), 201);
    assert.equal(app.status, 'granted');
    assert.equal(app.dueDate, null);
    assert.equal(app.deadlineState, null);
    assert.equal(app.needsCountersignature, false);
    assert.deepEqual(app.decisions.map((d) => [d.step, d.outcome, d.actor]), [['auto', 'approved', null]]);
    assert.equal(app.applicant.organisationId, orgs.police!.id);
    assert.equal(app.applicant.organisationName, '青海省公安厅');
    assert.equal(app.providerName, '青海省市场监督管理局');
    assert.ok(app.grantId);

    const grant = await ok<Grant>(as('police.consumer', 'GET', `/grants/${app.grantId}`));
    assert.deepEqual(grant.items, ['resident_id', 'full_name']);
    assert.deepEqual(grant.masking, { resident_id: 'resident_id', full_name: 'name' });
    assert.equal(grant.rowFilter, null);
    assert.deepEqual(grant.methods, ['api']);
    assert.equal(grant.rateLimitPerMinute, 600);
    assert.deepEqual(grant.ipAllow, []);
    // The end of validUntil in Beijing time.
    assert.equal(grant.expiresAt, new Date('2027-06-30T23:59:59.999+08:00').toISOString());
    assert.equal(grant.status, 'active');

    const found = await t.node.sharing.grantsFor(orgs.police!.id, unconditional.code);
    assert.deepEqual(found.map((g) => g.id), [grant.id]);
    assert.deepEqual(await t.node.sharing.grantsFor(orgs.hrss!.id, unconditional.code), []);
    assert.equal(changed.length, before + 1, 'the gateway hears of a new grant');
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create']);
    assert.deepEqual(await ledgerActions(grant.id), ['sharing.grant.create']);
    assert.ok((await notificationsOf('police.consumer')).some((n) => n.kind === 'sharing.granted' && n.params.applicationId === app.id));
  });

  test('a conditional entry waits for the provider: 10 working days, the approvers told, then approved with terms', async () => {
    const app = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(conditional)), 201);
    assert.equal(app.status, 'pending');
    assert.equal(app.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 10));
    assert.equal(app.deadlineState, 'open');
    assert.deepEqual(app.items, ['resident_id', 'full_name', 'phone', 'division'], 'all items when none are named');
    assert.deepEqual(app.defaultMasking, { resident_id: 'resident_id', full_name: 'name', phone: 'phone', division: 'none' });
    assert.equal(app.grantId, null);
    const told = (await notificationsOf('market.approver')).find((n) => n.kind === 'sharing.submitted' && n.params.applicationId === app.id);
    assert.ok(told, 'the approver is told');
    assert.match(told.text.zh, /企业联系人信息/);

    const queue = await ok<{ items: Application[] }>(as('market.approver', 'GET', '/applications?scope=approval'));
    assert.ok(queue.items.some((a) => a.id === app.id));
    assert.ok(!(await ok<{ items: Application[] }>(as('police.approver', 'GET', '/applications?scope=approval'))).items.some((a) => a.id === app.id));

    const approved = await ok<Application>(
      as('market.approver', 'POST', `/applications/${app.id}/approve`, {
        comment: '同意',
        grant: { masking: { division: 'redact' }, rowFilter: { column: 'division', op: 'prefix', value: '$consumerDivision' }, rateLimitPerMinute: 120, ipAllow: ['10.0.0.0/8', '192.168.1.7'] },
      }),
    );
    assert.equal(approved.status, 'granted');
    assert.equal(approved.dueDate, null);
    assert.deepEqual(approved.decisions.map((d) => [d.step, d.outcome, d.actor?.displayName, d.comment]), [['provider', 'approved', '孙建华', '同意']]);
    const grant = await ok<Grant>(as('hrss.consumer', 'GET', `/grants/${approved.grantId}`));
    assert.deepEqual(grant.masking, { resident_id: 'resident_id', full_name: 'name', phone: 'phone', division: 'redact' });
    assert.deepEqual(grant.rowFilter, { column: 'division', op: 'prefix', value: '$consumerDivision' });
    assert.equal(grant.rateLimitPerMinute, 120);
    assert.deepEqual(grant.ipAllow, ['10.0.0.0/8', '192.168.1.7']);
    assert.ok((await notificationsOf('hrss.consumer')).some((n) => n.kind === 'sharing.granted' && n.params.applicationId === app.id));
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create', 'sharing.application.approve']);

    await refused(as('market.approver', 'POST', `/applications/${app.id}/approve`, {}), 409, 'APPLICATION_NOT_PENDING');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '晚了', legalBasis: '无' }), 409, 'APPLICATION_NOT_PENDING');
  });

  test('an item shared on condition makes an unconditional entry wait for approval', async () => {
    const plain = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(mixed, { items: ['resident_id', 'full_name'] })), 201);
    assert.equal(plain.status, 'granted');
    const withPhone = await ok<Application>(as('police.consumer', 'POST', '/applications', application(mixed)), 201);
    assert.equal(withPhone.status, 'pending');
    assert.deepEqual(withPhone.items, ['resident_id', 'full_name', 'phone'], 'the item not shared is left out when none are named');
  });

  test('core and important data are countersigned by the responsible authority, with the provider’s terms kept', async () => {
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(important, { items: ['resident_id', 'full_name'] })), 201);
    assert.equal(app.needsCountersignature, true);
    const mid = await ok<Application>(as('market.approver', 'POST', `/applications/${app.id}/approve`, { grant: { masking: { full_name: 'redact' }, rateLimitPerMinute: 30 } }));
    assert.equal(mid.status, 'countersigning');
    assert.equal(mid.dueDate, app.dueDate, 'the same due date');
    assert.equal(mid.grantId, null);
    assert.deepEqual(mid.proposedTerms, { masking: { full_name: 'redact' }, rateLimitPerMinute: 30 });
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'sharing.countersign' && n.params.applicationId === app.id));
    assert.ok((await ok<{ items: Application[] }>(as('authority', 'GET', '/applications?scope=countersign'))).items.some((a) => a.id === app.id));

    await refused(as('market.approver2', 'POST', `/applications/${app.id}/approve`, {}), 409, 'APPLICATION_NOT_PENDING');
    await refused(as('xining.reviewer.test', 'POST', `/applications/${app.id}/approve`, {}), 404, 'APPLICATION_NOT_FOUND');
    const done = await ok<Application>(as('authority', 'POST', `/applications/${app.id}/approve`, { comment: '会签同意', grant: { ipAllow: ['10.1.0.0/16'] } }));
    assert.equal(done.status, 'granted');
    assert.deepEqual(done.decisions.map((d) => [d.step, d.outcome]), [['provider', 'approved'], ['authority', 'approved']]);
    const grant = await ok<Grant>(as('police.consumer', 'GET', `/grants/${done.grantId}`));
    assert.deepEqual(grant.masking, { resident_id: 'resident_id', full_name: 'redact' });
    assert.equal(grant.rateLimitPerMinute, 30);
    assert.deepEqual(grant.ipAllow, ['10.1.0.0/16'], 'the countersignature may add terms');
  });

  test('a general-data application is not the authority’s to decide; the authority reads it', async () => {
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(conditional)), 201);
    await refused(as('authority', 'POST', `/applications/${app.id}/approve`, {}), 403, 'NOT_APPROVER');
    assert.equal((await ok<Application>(as('authority', 'GET', `/applications/${app.id}`))).id, app.id);
    // A party that decides nothing here and applies for nothing here.
    await refused(as('market.both', 'POST', `/applications/${app.id}/withdraw`, {}), 403, 'NOT_APPLICANT');
    await ok(as('police.consumer', 'POST', `/applications/${app.id}/withdraw`, {}));
  });

  test('a refusal needs its reason and legal basis (非因法定事由不得拒绝), and the applicant is told both', async () => {
    const app = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(important)), 201);
    await refused(as('market.approver', 'POST', `/applications/${app.id}/reject`, {}), 400, 'REJECTION_NEEDS_LEGAL_BASIS');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '  ', legalBasis: '《数据安全法》第二十一条' }), 400, 'REJECTION_NEEDS_LEGAL_BASIS');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '涉及重要数据' }), 400, 'REJECTION_NEEDS_LEGAL_BASIS');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '涉及重要数据', legalBasis: '法'.repeat(2001) }), 400, 'TEXT_TOO_LONG');
    assert.equal((await ok<Application>(as('hrss.consumer', 'GET', `/applications/${app.id}`))).status, 'pending', 'nothing changed');
    const rejected = await ok<Application>(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '涉及重要数据', legalBasis: '《数据安全法》第二十一条' }));
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(rejected.decisions.map((d) => [d.step, d.outcome, d.reason, d.legalBasis]), [['provider', 'rejected', '涉及重要数据', '《数据安全法》第二十一条']]);
    const told = (await notificationsOf('hrss.consumer')).find((n) => n.kind === 'sharing.rejected' && n.params.applicationId === app.id);
    assert.ok(told);
    assert.match(told.text.zh, /数据安全法/);
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create', 'sharing.application.reject']);
    // Refused: the organisation may apply again.
    await ok(as('hrss.consumer', 'POST', '/applications', application(important)), 201);
  });
});

describe('validation', () => {
  test('every rule has its code, and nothing is stored', async () => {
    const mine = async () => (await ok<{ total: number }>(as('police.consumer', 'GET', '/applications?scope=mine'))).total;
    const count = await mine();
    await refused(as('police.consumer', 'POST', '/applications', application(conditional, { catalogId: '00000000-0000-4000-8000-000000000000' })), 404, 'ENTRY_NOT_FOUND');
    const r = await refused(as('police.consumer', 'POST', '/applications', application(notShared)), 400, 'ENTRY_NOT_SHARED');
    assert.equal(json<{ error: { details: { nonShareBasis: string } } }>(r).error.details.nonShareBasis, '《行政处罚法》第五十条');
    await refused(as('market.consumer', 'POST', '/applications', application(conditional)), 400, 'APPLY_OWN_ENTRY');
    const unknown = await refused(as('police.consumer', 'POST', '/applications', application(conditional, { items: ['resident_id', 'salary', 'bonus'] })), 400, 'ITEM_UNKNOWN');
    assert.deepEqual(json<{ error: { details: { items: string[] } } }>(unknown).error.details.items, ['salary', 'bonus']);
    await refused(as('police.consumer', 'POST', '/applications', application(mixed, { items: ['division'] })), 400, 'ITEM_NOT_SHARED');
    await refused(as('police.consumer', 'POST', '/applications', application(conditional, { methods: ['file'] })), 400, 'METHOD_NOT_OFFERED');
    await refused(as('police.consumer', 'POST', '/applications', application(conditional, { methods: [] })), 400, 'METHOD_NOT_OFFERED');
    await refused(as('police.consumer', 'POST', '/applications', application(conditional, { purpose: '   ' })), 400, 'TEXT_REQUIRED');
    await refused(as('police.consumer', 'POST', '/applications', application(conditional, { scenario: '场'.repeat(2001) })), 400, 'TEXT_TOO_LONG');
    for (const validUntil of ['2026-09-28', '2029-09-29', '2027-02-30', 'tomorrow']) {
      await refused(as('police.consumer', 'POST', '/applications', application(conditional, { validUntil })), 400, 'VALID_UNTIL_INVALID');
    }
    await refused(as('police.consumer', 'POST', '/applications', { ...application(conditional), extra: 1 }), 400, 'VALIDATION_FAILED');
    await refused(as('police.approver', 'POST', '/applications', application(conditional)), 403, 'FORBIDDEN');
    assert.equal(await mine(), count);
  });

  test('the last day three years ahead is accepted', async () => {
    const entry = await publish('企业年报信息');
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(entry, { validUntil: '2029-09-28' })), 201);
    assert.equal(app.validUntil, '2029-09-28');
  });

  test('a second application while one is open, or while a grant is in force, is a duplicate', async () => {
    const entry = await publish('企业经营异常名录');
    const first = await ok<Application>(as('police.consumer', 'POST', '/applications', application(entry)), 201);
    const dup = await refused(as('police.consumer', 'POST', '/applications', application(entry)), 409, 'APPLICATION_DUPLICATE');
    assert.equal(json<{ error: { details: { applicationId: string } } }>(dup).error.details.applicationId, first.id);
    const again = await refused(as('police.consumer', 'POST', '/applications', application(unconditional)), 409, 'APPLICATION_DUPLICATE');
    assert.ok(json<{ error: { details: { grantId: string } } }>(again).error.details.grantId);
    // Two at once: exactly one gets through.
    const other = await publish('企业信用承诺信息');
    const results = await Promise.all([1, 2, 3].map(() => as('hrss.consumer', 'POST', '/applications', application(other))));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409]);
  });
});

describe('the cart', () => {
  test('several applications at once, with one batch id', async () => {
    const a = await publish('企业变更登记信息');
    const b = await publish('企业注销登记信息', { shareType: 'unconditional', shareCondition: undefined });
    const res = await ok<{ batchId: string; items: Application[] }>(
      as('hrss.consumer', 'POST', '/applications/batch', { applications: [application(a), application(b, { methods: ['table'] })] }),
      201,
    );
    assert.deepEqual(res.items.map((i) => i.status), ['pending', 'granted']);
    assert.ok(res.items.every((i) => i.batchId === res.batchId));
  });

  test('one problem anywhere and nothing is stored; every problem is named by its index', async () => {
    const a = await publish('企业抽查检查结果');
    const b = await publish('企业行政许可信息');
    const count = (await ok<{ total: number }>(as('police.consumer', 'GET', '/applications?scope=mine'))).total;
    const r = await refused(
      as('police.consumer', 'POST', '/applications/batch', {
        applications: [application(a), application(b, { methods: ['file'], purpose: '' }), application(a), application(notShared)],
      }),
      400,
      'APPLICATION_BATCH_INVALID',
    );
    const details = json<{ error: { details: Array<{ index: number; code: string }> } }>(r).error.details;
    assert.deepEqual(
      details.map((d) => [d.index, d.code]),
      [
        [1, 'METHOD_NOT_OFFERED'],
        [1, 'TEXT_REQUIRED'],
        [2, 'APPLICATION_DUPLICATE'],
        [3, 'ENTRY_NOT_SHARED'],
      ],
    );
    assert.equal((await ok<{ total: number }>(as('police.consumer', 'GET', '/applications?scope=mine'))).total, count);
    // An open application elsewhere also stops the batch.
    await ok(as('police.consumer', 'POST', '/applications', application(b)), 201);
    const dup = await refused(as('police.consumer', 'POST', '/applications/batch', { applications: [application(a), application(b)] }), 400, 'APPLICATION_BATCH_INVALID');
    assert.deepEqual(json<{ error: { details: Array<{ index: number; code: string }> } }>(dup).error.details.map((d) => [d.index, d.code]), [[1, 'APPLICATION_DUPLICATE']]);
    await refused(as('police.consumer', 'POST', '/applications/batch', { applications: [] }), 400, 'BATCH_SIZE_INVALID');
    const many = Array.from({ length: 51 }, () => application(a));
    await refused(as('police.consumer', 'POST', '/applications/batch', { applications: many }), 400, 'BATCH_SIZE_INVALID');
  });
});

describe('withdrawal and who sees what', () => {
  test('the applicant withdraws an open application; nobody else may', async () => {
    const entry = await publish('企业广告登记信息');
    const app = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(entry)), 201);
    await refused(as('market.approver', 'POST', `/applications/${app.id}/withdraw`, {}), 403, 'FORBIDDEN');
    await refused(as('police.consumer', 'POST', `/applications/${app.id}/withdraw`, {}), 404, 'APPLICATION_NOT_FOUND');
    const withdrawn = await ok<Application>(as('hrss.consumer', 'POST', `/applications/${app.id}/withdraw`, { reason: '业务调整' }));
    assert.equal(withdrawn.status, 'withdrawn');
    assert.deepEqual(withdrawn.decisions.map((d) => [d.step, d.outcome, d.reason]), [['applicant', 'withdrawn', '业务调整']]);
    await refused(as('hrss.consumer', 'POST', `/applications/${app.id}/withdraw`, {}), 409, 'APPLICATION_NOT_PENDING');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/approve`, {}), 409, 'APPLICATION_NOT_PENDING');
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'sharing.withdrawn' && n.params.applicationId === app.id));
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create', 'sharing.application.withdraw']);
  });

  test('outsiders get 404, whatever their role; parties read', async () => {
    const app = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(await publish('企业商标质押信息'))), 201);
    for (const u of ['police.consumer', 'police.approver', 'xining.reviewer.test']) {
      await refused(as(u, 'GET', `/applications/${app.id}`), 404, 'APPLICATION_NOT_FOUND');
      await refused(as(u, 'POST', `/applications/${app.id}/reject`, { reason: '不同意', legalBasis: '无' }), u === 'police.consumer' ? 403 : 404, u === 'police.consumer' ? 'FORBIDDEN' : 'APPLICATION_NOT_FOUND');
    }
    await refused(as('market.editor', 'GET', `/applications/${app.id}`), 403, 'FORBIDDEN');
    for (const u of ['hrss.consumer', 'market.approver', 'authority']) assert.equal((await ok<Application>(as(u, 'GET', `/applications/${app.id}`))).id, app.id);
    assert.ok(!(await ok<{ items: Application[] }>(as('police.consumer', 'GET', '/applications?pageSize=200'))).items.some((a) => a.id === app.id));
    await refused(as('police.consumer', 'GET', '/applications?scope=approval'), 403, 'FORBIDDEN');
    await refused(as('market.approver', 'GET', '/applications?scope=countersign'), 403, 'FORBIDDEN');
  });
});

describe('grants', () => {
  let grant: Grant;
  let entry: CatalogEntry;
  before(async () => {
    entry = await publish('企业食品经营许可信息', { shareType: 'unconditional', shareCondition: undefined });
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(entry, { methods: ['api', 'table'] })), 201);
    grant = await ok<Grant>(as('police.consumer', 'GET', `/grants/${app.grantId}`));
  });

  test('lists by side: consumer, provider, and the authority for its providers', async () => {
    const has = async (u: string, q: string) => (await ok<{ items: Grant[] }>(as(u, 'GET', `/grants?pageSize=200${q}`))).items.some((g) => g.id === grant.id);
    assert.equal(await has('police.consumer', '&as=consumer'), true);
    assert.equal(await has('police.consumer', ''), true);
    assert.equal(await has('market.approver', '&as=provider'), true);
    assert.equal(await has('authority', '&as=provider'), true);
    assert.equal(await has('hrss.consumer', ''), false);
    assert.equal(await has('police.approver', '&as=provider'), false);
    assert.equal(await has('police.consumer', `&catalogCode=${grant.catalog.code}&status=active`), true);
    assert.equal(await has('police.consumer', '&status=revoked'), false);
    await refused(as('police.consumer', 'GET', '/grants?as=provider'), 403, 'FORBIDDEN');
    await refused(as('hrss.consumer', 'GET', `/grants/${grant.id}`), 404, 'GRANT_NOT_FOUND');
    await refused(as('police.approver', 'GET', `/grants/${grant.id}`), 404, 'GRANT_NOT_FOUND');
  });

  test('the provider changes the terms; every rule has its code; the ledger keeps both versions', async () => {
    const patch = (body: Body) => as('market.approver', 'PATCH', `/grants/${grant.id}`, body);
    await refused(patch({ masking: { salary: 'none' } }), 400, 'ITEM_NOT_GRANTED');
    await refused(patch({ masking: { phone: 'hash' } }), 400, 'VALIDATION_FAILED');
    await refused(patch({ rowFilter: { column: 'salary', op: 'eq', value: '1' } }), 400, 'ROW_FILTER_INVALID');
    await refused(patch({ rowFilter: { column: 'division', op: 'eq', value: '$division' } }), 400, 'ROW_FILTER_INVALID');
    await refused(patch({ rowFilter: { column: 'division', op: 'in', value: '630100' } }), 400, 'ROW_FILTER_INVALID');
    await refused(patch({ rowFilter: { column: 'division', op: 'eq' } }), 400, 'ROW_FILTER_INVALID');
    await refused(patch({ ipAllow: ['10.0.0.0/33'] }), 400, 'IP_ALLOW_INVALID');
    await refused(patch({ ipAllow: ['example.org'] }), 400, 'IP_ALLOW_INVALID');
    await refused(patch({ rateLimitPerMinute: 0 }), 400, 'VALIDATION_FAILED');
    await refused(patch({ expiresAt: '2027-07-01T00:00:00+08:00' }), 400, 'EXPIRES_AT_INVALID');
    await refused(patch({ expiresAt: '2026-09-01T00:00:00+08:00' }), 400, 'EXPIRES_AT_INVALID');
    await refused(as('police.consumer', 'PATCH', `/grants/${grant.id}`, { rateLimitPerMinute: 5 }), 403, 'FORBIDDEN');
    await refused(as('police.approver', 'PATCH', `/grants/${grant.id}`, { rateLimitPerMinute: 5 }), 404, 'GRANT_NOT_FOUND');

    const heard = changed.length;
    const updated = await ok<Grant>(
      patch({ masking: { phone: 'redact' }, rowFilter: { column: 'division', op: 'in', values: ['630100', '$consumerDivision'] }, rateLimitPerMinute: 60, ipAllow: ['::1', '2001:db8::/32'], expiresAt: '2027-06-30T23:59:59.999+08:00' }),
    );
    assert.equal(updated.masking.phone, 'redact');
    assert.equal(updated.masking.full_name, 'name', 'other items keep their rule');
    assert.deepEqual(updated.rowFilter, { column: 'division', op: 'in', values: ['630100', '$consumerDivision'] });
    assert.equal(updated.rateLimitPerMinute, 60);
    assert.equal(changed.length, heard + 1);
    assert.equal(changed.at(-1)?.rateLimitPerMinute, 60);
    await t.node.ledger.flush();
    const entries = (await t.node.ledger.entries({ subjectId: grant.id }, 1, 50)).items;
    const update = entries.find((e) => e.entry.action === 'sharing.grant.update');
    assert.ok(update);
    const payload = update.payload as { before: { rateLimitPerMinute: number }; after: { rateLimitPerMinute: number } };
    assert.deepEqual([payload.before.rateLimitPerMinute, payload.after.rateLimitPerMinute], [600, 60]);
    assert.ok((await notificationsOf('police.consumer')).some((n) => n.kind === 'sharing.terms_changed' && n.params.grantId === grant.id));
    // The same terms again change nothing and record nothing.
    await ok(patch({ rateLimitPerMinute: 60 }));
    assert.equal(changed.length, heard + 1);
  });

  test('revocation takes effect at once, needs a reason, and happens once', async () => {
    await refused(as('police.consumer', 'POST', `/grants/${grant.id}/revoke`, {}), 400, 'REVOKE_NEEDS_REASON');
    await refused(as('hrss.consumer', 'POST', `/grants/${grant.id}/revoke`, { reason: '试试' }), 404, 'GRANT_NOT_FOUND');
    const heard = changed.length;
    const revoked = await ok<Grant>(as('police.consumer', 'POST', `/grants/${grant.id}/revoke`, { reason: '业务已停办' }));
    assert.equal(revoked.status, 'revoked');
    assert.equal(revoked.revokeReason, '业务已停办');
    assert.equal(changed.length, heard + 1);
    assert.equal(changed.at(-1)?.status, 'revoked');
    assert.equal((await t.node.sharing.grantsFor(orgs.police!.id, grant.catalog.code))[0]?.status, 'revoked');
    await refused(as('market.approver', 'POST', `/grants/${grant.id}/revoke`, { reason: '再撤' }), 409, 'GRANT_NOT_ACTIVE');
    await refused(as('market.approver', 'PATCH', `/grants/${grant.id}`, { rateLimitPerMinute: 5 }), 409, 'GRANT_NOT_ACTIVE');
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'sharing.revoked' && n.params.grantId === grant.id));
    assert.ok((await ledgerActions(grant.id)).includes('sharing.grant.revoke'));
    // Given up: the organisation may apply again, and the new grant is the newest.
    const again = await ok<Application>(as('police.consumer', 'POST', '/applications', application(entry)), 201);
    const grants = await t.node.sharing.grantsFor(orgs.police!.id, grant.catalog.code);
    assert.deepEqual(grants.map((g) => g.status), ['active', 'revoked']);
    assert.equal(grants[0]!.id, again.grantId);
  });

  test('the responsible authority may revoke; a grant past its expiry reads expired', async () => {
    const expiring = await publish('企业特种设备信息', { shareType: 'unconditional', shareCondition: undefined });
    const app = await ok<Application>(as('hrss.consumer', 'POST', '/applications', application(expiring, { validUntil: '2026-10-31' })), 201);
    const other = await ok<Application>(as('police.consumer', 'POST', '/applications', application(expiring, { validUntil: '2026-10-31' })), 201);
    await ok(as('authority', 'POST', `/grants/${app.grantId}/revoke`, { reason: '数据安全检查发现违规使用' }));
    now = at('2026-11-02');
    try {
      const g = await ok<Grant>(as('police.consumer', 'GET', `/grants/${other.grantId}`));
      assert.equal(g.status, 'expired');
      assert.ok((await ok<{ items: Grant[] }>(as('police.consumer', 'GET', '/grants?status=expired&pageSize=200'))).items.some((x) => x.id === other.grantId));
      await refused(as('police.consumer', 'POST', `/grants/${other.grantId}/revoke`, { reason: '过期了' }), 409, 'GRANT_NOT_ACTIVE');
      // Expired: a new application is no duplicate.
      await ok(as('police.consumer', 'POST', '/applications', application(expiring, { validUntil: '2027-10-31' })), 201);
    } finally {
      now = at('2026-09-28');
    }
  });
});

describe('deadlines', () => {
  test('the holder is reminded once within 2 working days, and the authority told once after the due date', async () => {
    const start = '2026-09-28';
    now = at(start);
    const entry = await publish('企业质量抽检信息');
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(entry)), 201);
    const cal = await t.node.calendar.calendar();
    const due = app.dueDate!;
    const threeLeft = cal.addWorkingDays(start, 7);
    const twoLeft = cal.addWorkingDays(start, 8);
    const overdue = addCalendarDays(due, 1);
    const state = async (): Promise<Application['deadlineState']> => (await ok<Application>(as('police.consumer', 'GET', `/applications/${app.id}`))).deadlineState;
    const reminded = async () => (await notificationsOf('market.approver')).filter((n) => n.kind === 'sharing.reminder' && n.params.applicationId === app.id).length;
    const escalated = async (u: string) => (await notificationsOf(u)).filter((n) => n.kind === 'sharing.escalated' && n.params.applicationId === app.id).length;

    await t.node.sharing.sweepDeadlines(threeLeft);
    assert.equal(await reminded(), 0);
    now = at(threeLeft);
    assert.equal(await state(), 'open');
    now = at(twoLeft);
    assert.equal(await state(), 'due_soon');
    await t.node.sharing.sweepDeadlines(twoLeft);
    await Promise.all([t.node.sharing.sweepDeadlines(twoLeft), t.node.sharing.sweepDeadlines(twoLeft)]);
    assert.equal(await reminded(), 1, 'once, however often it runs');
    const reminder = (await notificationsOf('market.approver')).find((n) => n.kind === 'sharing.reminder' && n.params.applicationId === app.id)!;
    assert.equal(reminder.params.workingDaysLeft, 2);

    now = at(overdue);
    assert.equal(await state(), 'overdue');
    await Promise.all([t.node.sharing.sweepDeadlines(overdue), t.node.sharing.sweepDeadlines(overdue)]);
    await t.node.sharing.sweepDeadlines(overdue);
    assert.equal(await escalated('authority'), 1);
    assert.equal(await escalated('market.approver'), 1);
    const read = await ok<Application>(as('authority', 'GET', `/applications/${app.id}`));
    assert.ok(read.escalatedAt);
    assert.ok((await ok<{ items: Application[] }>(as('authority', 'GET', '/applications?scope=countersign&pageSize=200'))).items.some((a) => a.id === app.id), 'escalated ones are in the authority’s queue');
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create', 'sharing.application.remind', 'sharing.application.escalate']);
    // Still decidable after the due date (and the body is optional).
    assert.equal((await ok<Application>(as('market.approver', 'POST', `/applications/${app.id}/approve`))).status, 'granted');
    now = at(start);
  });

  test('while countersigning, the reminder goes to the authority', async () => {
    const start = '2026-09-28';
    now = at(start);
    const app = await ok<Application>(as('police.consumer', 'POST', '/applications', application(await publish('企业股权出质信息', { securityGrade: 'core' }))), 201);
    const cal = await t.node.calendar.calendar();
    const twoLeft = cal.addWorkingDays(start, 8);
    await t.node.sharing.sweepDeadlines(twoLeft);
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'sharing.reminder' && n.params.applicationId === app.id));
    await ok(as('market.approver', 'POST', `/applications/${app.id}/approve`, {}));
    await t.node.sharing.sweepDeadlines(twoLeft);
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'sharing.reminder' && n.params.applicationId === app.id && n.params.status === 'countersigning'));
  });
});

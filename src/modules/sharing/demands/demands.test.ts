import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../../core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../../../core/config.js';
import { build, errorCode, type TestNode } from '../../../../test/helper.js';
import type { CatalogEntry } from '../../catalog/index.js';
import type { Organisation } from '../../identity/index.js';
import type { Notification } from '../../notifications/index.js';
import type { Demand } from './demands.types.js';

/**
 * Demands (数据需求) through HTTP with an injected clock: filing and its checks, routing by the
 * authority responsible for the requester (10 working days), the three answers, routing again after
 * "not held", withdrawal, who sees what (outsiders get 404), the timeline, the ledger, and the
 * deadline sweep (reminder and escalation, each once).
 */
let t: TestNode;
let orgs: Record<string, Organisation>;
const now = new Date('2026-09-28T02:00:00Z');

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(username: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
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
  const body = json<{ error: { message: string; messageZh: string } }>(r);
  assert.ok(body.error.message && body.error.messageZh, 'both languages');
}
async function notificationsOf(username: string): Promise<Notification[]> {
  return (await ok<{ items: Notification[] }>(as(username, 'GET', '/notifications?pageSize=200'))).items;
}
async function ledgerActions(subjectId: string): Promise<string[]> {
  await t.node.ledger.flush();
  return (await t.node.ledger.entries({ subjectId }, 1, 200)).items.sort((a, b) => a.seq - b.seq).map((e) => e.entry.action);
}

const demand = (overrides: Record<string, unknown> = {}) => ({
  title: '企业用水用电数据',
  description: '核定企业开办补贴时需要企业近一年的用水用电量。',
  items: ['统一社会信用代码', '月用水量', '月用电量', ' 月用水量 ', ''],
  purpose: '企业开办补贴核定',
  legalBasis: '《优化营商环境条例》',
  expectedBy: '2026-12-31',
  ...overrides,
});

async function publish(editor: string, name: string, overrides: Record<string, unknown> = {}): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(
    as(editor, 'POST', '/catalogs', {
      name,
      summary: '需求测试用目录。',
      resourceType: 'department',
      category: '1-01-001',
      format: 'table',
      shareType: 'conditional',
      shareCondition: '用于政务服务',
      shareMethods: ['api'],
      openType: 'none',
      updateCycle: 'daily',
      securityGrade: 'general',
      items: [{ name: '统一社会信用代码', column: 'uscc', dataType: 'string', length: 18, isKey: true }],
      ...overrides,
    }),
    201,
  );
  await ok(as(editor, 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

let marketEntry: CatalogEntry;
let policeEntry: CatalogEntry;
let notShared: CatalogEntry;

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  const byName = (name: string) => list.find((o) => o.name === name)!;
  orgs = {
    police: byName('青海省公安厅'),
    market: byName('青海省市场监督管理局'),
    hrss: byName('青海省人力资源和社会保障厅'),
    xiningAuthority: byName('西宁市政务服务监督管理局'),
  };
  const user = (username: string, organisationId: string, roles: Array<'provider_approver' | 'consumer' | 'data_authority'>) =>
    t.node.identity.createUser(systemActor('test'), { username, displayName: username, organisationId, password: DEFAULT_DEMO_PASSWORD, roles });
  await user('hrss.approver.test', orgs.hrss!.id, ['provider_approver']);
  await user('xining.reviewer.test', orgs.xiningAuthority!.id, ['data_authority']);
  marketEntry = await publish('market.editor', '企业用能信息');
  policeEntry = await publish('police.editor', '户籍人口信息');
  notShared = await publish('market.editor', '企业执法线索', { shareType: 'none', shareCondition: undefined, nonShareBasis: '《行政处罚法》', shareMethods: [] });
});
after(() => t.close());

describe('filing', () => {
  test('a consumer files a demand: submitted, items cleaned, the responsible authority told, recorded', async () => {
    const d = await ok<Demand>(as('police.consumer', 'POST', '/demands', demand()), 201);
    assert.equal(d.status, 'submitted');
    assert.deepEqual(d.items, ['统一社会信用代码', '月用水量', '月用电量']);
    assert.equal(d.requester.organisationName, '青海省公安厅');
    assert.equal(d.requester.displayName, '刘洋');
    assert.equal(d.provider, null);
    assert.equal(d.dueDate, null);
    assert.equal(d.expectedBy, '2026-12-31');
    assert.deepEqual(d.can, { route: false, answer: false, withdraw: true });
    assert.deepEqual(d.timeline?.map((s) => s.step), ['submitted']);
    const told = (await notificationsOf('authority')).find((n) => n.kind === 'demand.submitted' && n.params.demandId === d.id);
    assert.ok(told);
    assert.match(told.text.zh, /企业用水用电数据/);
    assert.equal(told.link, `/sharing/demands/${d.id}`);
    assert.deepEqual(await ledgerActions(d.id), ['sharing.demand.create']);
  });

  test('its checks: texts, expected date, items; only consumers file', async () => {
    await refused(as('police.consumer', 'POST', '/demands', demand({ title: '  ' })), 400, 'TEXT_REQUIRED');
    await refused(as('police.consumer', 'POST', '/demands', demand({ description: 'x'.repeat(2001) })), 400, 'TEXT_TOO_LONG');
    await refused(as('police.consumer', 'POST', '/demands', demand({ expectedBy: '2026-09-28' })), 400, 'EXPECTED_BY_INVALID');
    await refused(as('police.consumer', 'POST', '/demands', demand({ expectedBy: '2026-02-30' })), 400, 'EXPECTED_BY_INVALID');
    await refused(as('police.consumer', 'POST', '/demands', demand({ items: Array.from({ length: 101 }, (_, i) => `项${i}`) })), 400, 'DEMAND_ITEMS_INVALID');
    await refused(as('police.approver', 'POST', '/demands', demand()), 403, 'FORBIDDEN');
    const minimal = await ok<Demand>(as('hrss.consumer', 'POST', '/demands', { title: '最低限度', description: '只填必填项', purpose: '测试' }), 201);
    assert.deepEqual([minimal.items, minimal.legalBasis, minimal.expectedBy], [[], null, null]);
  });
});

describe('routing and answering', () => {
  test('the authority routes: 10 working days, the provider told; outsiders see nothing', async () => {
    const d = await ok<Demand>(as('police.consumer', 'POST', '/demands', demand({ title: '企业用能数据（路由）' })), 201);
    // Before routing the provider is not a party; another authority never is.
    await refused(as('market.approver', 'GET', `/demands/${d.id}`), 404, 'DEMAND_NOT_FOUND');
    await refused(as('xining.reviewer.test', 'GET', `/demands/${d.id}`), 404, 'DEMAND_NOT_FOUND');
    await refused(as('market.consumer', 'GET', `/demands/${d.id}`), 404, 'DEMAND_NOT_FOUND');
    await refused(as('xining.reviewer.test', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }), 404, 'DEMAND_NOT_FOUND');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }), 403, 'FORBIDDEN');
    const queue = await ok<{ items: Demand[] }>(as('authority', 'GET', '/demands?scope=routing&pageSize=200'));
    assert.ok(queue.items.some((x) => x.id === d.id && x.can.route));
    assert.equal((await ok<Demand>(as('authority', 'GET', `/demands/${d.id}`))).can.route, true);

    await refused(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.police!.id }), 400, 'DEMAND_PROVIDER_INVALID');
    await refused(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: '00000000-0000-4000-8000-000000000000' }), 400, 'DEMAND_PROVIDER_INVALID');
    // Only to an organisation this authority is responsible for (Xining's authority answers for its own).
    await refused(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.xiningAuthority!.id }), 400, 'DEMAND_PROVIDER_INVALID');
    const routed = await ok<Demand>(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id, comment: '请市场监管局答复' }));
    assert.equal(routed.status, 'routed');
    assert.deepEqual(routed.provider, { organisationId: orgs.market!.id, name: '青海省市场监督管理局' });
    assert.equal(routed.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 10));
    assert.equal(routed.deadlineState, 'open');
    assert.equal(routed.can.route, false);
    assert.deepEqual(routed.timeline?.map((s) => s.step), ['submitted', 'routed']);
    assert.equal(routed.timeline?.[1]?.details.comment, '请市场监管局答复');
    await refused(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.hrss!.id }), 409, 'DEMAND_NOT_ROUTABLE');

    const told = (await notificationsOf('market.approver')).find((n) => n.kind === 'demand.routed' && n.params.demandId === d.id);
    assert.ok(told, 'the provider is told');
    const mine = await ok<{ items: Demand[] }>(as('market.approver', 'GET', '/demands?scope=assigned'));
    assert.ok(mine.items.some((x) => x.id === d.id && x.can.answer));
    await refused(as('police.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '无' }), 404, 'DEMAND_NOT_FOUND');
  });

  test('"not held" needs a reason; the authority routes again; the first provider still reads it but no longer answers', async () => {
    const d = await ok<Demand>(as('police.consumer', 'POST', '/demands', demand({ title: '企业社保缴纳数据' })), 201);
    await ok(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }));
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held' }), 400, 'TEXT_REQUIRED');
    const answered = await ok<Demand>(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '社保缴纳数据由人社厅掌握' }));
    assert.equal(answered.status, 'answered');
    assert.deepEqual([answered.answer?.kind, answered.answer?.text, answered.dueDate], ['not_held', '社保缴纳数据由人社厅掌握', null]);
    assert.ok((await notificationsOf('police.consumer')).some((n) => n.kind === 'demand.answered' && n.params.demandId === d.id));
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'demand.answered' && n.params.demandId === d.id));
    assert.equal((await ok<Demand>(as('authority', 'GET', `/demands/${d.id}`))).can.route, true);
    assert.equal((await ok<Demand>(as('police.consumer', 'GET', `/demands/${d.id}`))).can.withdraw, true, 'still open: it may be routed again');

    const again = await ok<Demand>(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.hrss!.id }));
    assert.equal(again.status, 'routed');
    assert.equal(again.provider?.name, '青海省人力资源和社会保障厅');
    const before = await ok<Demand>(as('market.approver', 'GET', `/demands/${d.id}`));
    assert.equal(before.can.answer, false);
    // The past provider reads its own part only: not where it went next, nor others' answers.
    assert.deepEqual([before.provider, before.dueDate, before.answer], [null, null, null]);
    assert.deepEqual(before.timeline?.map((s) => [s.step, s.organisationId ?? null]), [['submitted', orgs.police!.id], ['routed', before.authorityId], ['answered', orgs.market!.id]]);
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '再答' }), 403, 'NOT_DEMAND_PROVIDER');
    const planned = await ok<Demand>(as('hrss.approver.test', 'POST', `/demands/${d.id}/answer`, { kind: 'planned', plannedDate: '2026-12-15', comment: '年底前编目' }));
    assert.deepEqual([planned.answer?.kind, planned.answer?.plannedDate, planned.answer?.text], ['planned', '2026-12-15', '年底前编目']);
    assert.deepEqual(planned.timeline?.map((s) => s.step), ['submitted', 'routed', 'answered', 'routed', 'answered']);
    const past = await ok<Demand>(as('market.approver', 'GET', `/demands/${d.id}`));
    assert.deepEqual([past.answer, past.timeline?.length], [null, 3], 'the second answer is not the first provider’s to read');
    assert.equal(planned.can.withdraw, false);
    await refused(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }), 409, 'DEMAND_NOT_ROUTABLE');
    await refused(as('police.consumer', 'POST', `/demands/${d.id}/withdraw`, {}), 409, 'DEMAND_CLOSED');
    assert.deepEqual(await ledgerActions(d.id), ['sharing.demand.create', 'sharing.demand.route', 'sharing.demand.answer', 'sharing.demand.route', 'sharing.demand.answer']);
  });

  test('an entry answer names a published entry of the provider, which can be shared', async () => {
    const d = await ok<Demand>(as('police.consumer', 'POST', '/demands', demand({ title: '企业用能目录' })), 201);
    await ok(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }));
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'entry' }), 400, 'DEMAND_ANSWER_INCOMPLETE');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'entry', catalogId: policeEntry.id }), 400, 'DEMAND_ENTRY_NOT_PROVIDERS');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'entry', catalogId: notShared.id }), 400, 'ENTRY_NOT_SHARED');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'planned', plannedDate: '2026-09-28', comment: 'x' }), 400, 'PLANNED_DATE_INVALID');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'planned', plannedDate: '2028-01-01', comment: 'x' }), 400, 'PLANNED_DATE_INVALID');
    const answered = await ok<Demand>(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'entry', catalogId: marketEntry.code }));
    assert.deepEqual(answered.answer?.catalog, { id: marketEntry.id, code: marketEntry.code, name: '企业用能信息' });
    const told = (await notificationsOf('police.consumer')).find((n) => n.kind === 'demand.answered' && n.params.demandId === d.id);
    assert.match(told!.text.zh, /企业用能信息/);
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '改口' }), 409, 'DEMAND_NOT_ROUTED');
    // The requester can now apply for it.
    await ok(as('police.consumer', 'POST', '/applications', { catalogId: marketEntry.id, purpose: '补贴核定', legalBasis: '条例', scenario: '企业开办', methods: ['api'], validUntil: '2027-06-30' }), 201);
  });

  test('the requester withdraws while open; others cannot', async () => {
    const d = await ok<Demand>(as('police.consumer', 'POST', '/demands', demand({ title: '待撤回需求' })), 201);
    await ok(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }));
    await refused(as('market.consumer', 'POST', `/demands/${d.id}/withdraw`, {}), 404, 'DEMAND_NOT_FOUND');
    const withdrawn = await ok<Demand>(t.request({ method: 'POST', url: `/api/v1/demands/${d.id}/withdraw`, token: await t.login('police.consumer') }));
    assert.equal(withdrawn.status, 'withdrawn');
    assert.equal(withdrawn.dueDate, null);
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'demand.withdrawn' && n.params.demandId === d.id), 'the holder is told');
    await refused(as('police.consumer', 'POST', `/demands/${d.id}/withdraw`, {}), 409, 'DEMAND_CLOSED');
    await refused(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '无' }), 409, 'DEMAND_NOT_ROUTED');
  });

  test('lists: each scope for its role only', async () => {
    const mine = await ok<{ items: Demand[]; total: number }>(as('police.consumer', 'GET', '/demands'));
    assert.ok(mine.total >= 4 && mine.items.every((d) => d.requester.organisationId === orgs.police!.id));
    assert.ok(mine.items.every((d) => d.timeline === undefined), 'lists carry no timeline');
    const withdrawn = await ok<{ items: Demand[] }>(as('police.consumer', 'GET', '/demands?status=withdrawn'));
    assert.ok(withdrawn.items.length >= 1 && withdrawn.items.every((d) => d.status === 'withdrawn'));
    await refused(as('police.consumer', 'GET', '/demands?scope=routing'), 403, 'FORBIDDEN');
    await refused(as('authority', 'GET', '/demands?scope=mine'), 403, 'FORBIDDEN');
    assert.equal((await ok<{ total: number }>(as('xining.reviewer.test', 'GET', '/demands'))).total, 0);
    assert.equal((await ok<{ total: number }>(as('market.consumer', 'GET', '/demands'))).total, 0);
  });
});

describe('deadlines', () => {
  test('reminded once when two working days are left, escalated once after the due date', async () => {
    const d = await ok<Demand>(as('hrss.consumer', 'POST', '/demands', demand({ title: '超期需求' })), 201);
    const routed = await ok<Demand>(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.market!.id }));
    const calendar = await t.node.calendar.calendar();
    const due = routed.dueDate!;
    // Sweeps before routing-age reminders do nothing for it; earlier tests' demands may be swept too.
    const early = await t.node.demands.sweep('2026-09-29');
    assert.equal(early.escalated, 0);
    assert.equal(early.reminded, 0);
    assert.deepEqual((await ok<Demand>(as('authority', 'GET', `/demands/${d.id}`))).timeline?.map((s) => s.step), ['submitted', 'routed'], 'not this one either');
    let dayBefore = due;
    while (calendar.workingDaysBetween(dayBefore, due) < 2) dayBefore = new Date(Date.parse(`${dayBefore}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const reminded = await t.node.demands.sweep(dayBefore);
    assert.ok(reminded.reminded >= 1);
    assert.deepEqual((await ok<Demand>(as('authority', 'GET', `/demands/${d.id}`))).timeline?.map((s) => s.step), ['submitted', 'routed', 'reminded'], 'this one was reminded');
    assert.equal((await t.node.demands.sweep(dayBefore)).reminded, 0, 'once');
    const reminder = (await notificationsOf('market.approver')).find((n) => n.kind === 'demand.reminder' && n.params.demandId === d.id);
    assert.equal(reminder?.params.workingDaysLeft, 2);
    const after = calendar.addWorkingDays(due, 1);
    assert.ok((await t.node.demands.sweep(after)).escalated >= 1);
    assert.deepEqual(await ledgerActions(d.id), ['sharing.demand.create', 'sharing.demand.route', 'sharing.demand.remind', 'sharing.demand.escalate'], 'this one was escalated');
    assert.equal((await t.node.demands.sweep(after)).escalated, 0, 'once');
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'demand.escalated' && n.params.demandId === d.id));
    const read = await ok<Demand>(as('authority', 'GET', `/demands/${d.id}`));
    assert.deepEqual(read.timeline?.map((s) => s.step), ['submitted', 'routed', 'reminded', 'escalated']);
    assert.ok(read.escalatedAt);
    const actions = await ledgerActions(d.id);
    assert.deepEqual(actions, ['sharing.demand.create', 'sharing.demand.route', 'sharing.demand.remind', 'sharing.demand.escalate']);
    // Routed again later, the reminders start over.
    await ok(as('market.approver', 'POST', `/demands/${d.id}/answer`, { kind: 'not_held', reason: '不掌握' }));
    const again = await ok<Demand>(as('authority', 'POST', `/demands/${d.id}/route`, { providerOrgId: orgs.police!.id }));
    assert.equal(again.escalatedAt, null);
  });
});

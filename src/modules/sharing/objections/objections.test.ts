import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../../core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../../../core/config.js';
import { build, errorCode, type TestNode } from '../../../../test/helper.js';
import type { CatalogEntry } from '../../catalog/index.js';
import type { Organisation } from '../../identity/index.js';
import type { Notification } from '../../notifications/index.js';
import type { Application, Grant } from '../sharing.types.js';
import type { Objection } from './objections.types.js';

/**
 * Objections (数据异议) through HTTP with an injected clock: to data received under a grant (the
 * provider resolves within 5 working days) and to a refusal (the responsible authority arbitrates;
 * overturning reopens the application, which the provider then decides again), one per
 * application, who sees what, the ledger, and the deadline sweep.
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

async function publish(name: string, shareType: 'conditional' | 'unconditional', securityGrade = 'general'): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(
    as('market.editor', 'POST', '/catalogs', {
      name,
      summary: '异议测试用目录。',
      resourceType: 'department',
      category: '1-01-001',
      format: 'table',
      shareType,
      ...(shareType === 'conditional' ? { shareCondition: '用于政务服务' } : {}),
      shareMethods: ['api'],
      openType: 'none',
      updateCycle: 'daily',
      securityGrade,
      items: [
        { name: '统一社会信用代码', column: 'uscc', dataType: 'string', length: 18, isKey: true },
        { name: '企业名称', column: 'company_name', dataType: 'string', length: 100 },
      ],
    }),
    201,
  );
  await ok(as('market.editor', 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}
const applyFor = (entry: CatalogEntry, username = 'police.consumer') =>
  ok<Application>(as(username, 'POST', '/applications', { catalogId: entry.id, purpose: '企业核验', legalBasis: '条例', scenario: '企业开办', methods: ['api'], validUntil: '2027-06-30' }), 201);
/** Sets columns of a row directly: the past (a refusal long ago, an ended grant) without moving the clock. */
async function backdate(table: 'share_applications' | 'share_grants', id: string, set: Record<string, unknown>): Promise<void> {
  await t.node.db.kysely.updateTable(table).set(set as never).where('id', '=', id).execute();
}
const daysBefore = (days: number): Date => new Date(now.getTime() - days * 86_400_000);
async function rejected(name: string): Promise<Application> {
  const app = await applyFor(await publish(name, 'conditional'));
  return ok<Application>(as('market.approver', 'POST', `/applications/${app.id}/reject`, { reason: '用途与共享条件不符', legalBasis: '《政务信息资源共享管理暂行办法》第九条' }));
}

let grant: Grant;

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  const byName = (name: string) => list.find((o) => o.name === name)!;
  orgs = { police: byName('青海省公安厅'), market: byName('青海省市场监督管理局'), xiningAuthority: byName('西宁市政务服务监督管理局') };
  orgs.authority = (await t.node.identity.responsibleAuthority(orgs.market!.id))!;
  const user = (username: string, organisationId: string, roles: Array<'provider_approver' | 'consumer' | 'data_authority'>) =>
    t.node.identity.createUser(systemActor('test'), { username, displayName: username, organisationId, password: DEFAULT_DEMO_PASSWORD, roles });
  await user('xining.reviewer.test', orgs.xiningAuthority!.id, ['data_authority']);
  // A second reviewer of the provincial authority, and one who also approves for it as a provider.
  await user('authority.second.test', orgs.authority.id, ['data_authority']);
  await user('authority.dual.test', orgs.authority.id, ['provider_approver', 'data_authority']);
  const app = await applyFor(await publish('企业登记信息（异议）', 'unconditional'));
  grant = await ok<Grant>(as('police.consumer', 'GET', `/grants/${app.grantId}`));
});
after(() => t.close());

describe('objections to data', () => {
  test("the grant's consumer files one: open, due in 5 working days, the provider told, recorded", async () => {
    const o = await ok<Objection>(
      as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id, recordKey: ['91630000MA7XYQ12A', ''], items: ['company_name'], description: '企业名称与营业执照不一致' }),
      201,
    );
    assert.equal(o.kind, 'data');
    assert.equal(o.status, 'open');
    assert.deepEqual([o.recordKeys, o.items], [['91630000MA7XYQ12A'], ['company_name']]);
    assert.equal(o.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 5));
    assert.equal(o.providerName, '青海省市场监督管理局');
    assert.deepEqual(o.catalog, grant.catalog);
    assert.deepEqual(o.can, { resolve: false, arbitrate: false, withdraw: true });
    const told = (await notificationsOf('market.approver')).find((n) => n.kind === 'objection.filed' && n.params.objectionId === o.id);
    assert.ok(told);
    assert.match(told.text.zh, /异议/);
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create']);

    // Parties read it (the authority too); nobody else.
    assert.equal((await ok<Objection>(as('market.approver', 'GET', `/objections/${o.id}`))).can.resolve, true);
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o.id}`))).can.arbitrate, false);
    for (const outsider of ['hrss.consumer', 'market.consumer', 'police.approver', 'xining.reviewer.test']) {
      await refused(as(outsider, 'GET', `/objections/${o.id}`), 404, 'OBJECTION_NOT_FOUND');
    }

    await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '错' }), 403, 'OBJECTION_WRONG_KIND');
    await refused(as('police.approver', 'POST', `/objections/${o.id}/resolve`, { outcome: 'corrected', comment: '改' }), 404, 'OBJECTION_NOT_FOUND');
    await refused(as('market.approver', 'POST', `/objections/${o.id}/resolve`, { outcome: 'corrected' }), 400, 'TEXT_REQUIRED');
    const resolved = await ok<Objection>(as('market.approver', 'POST', `/objections/${o.id}/resolve`, { outcome: 'corrected', comment: '已按营业执照更正' }));
    assert.deepEqual([resolved.status, resolved.outcome, resolved.outcomeComment, resolved.decidedBy?.displayName, resolved.dueDate], ['resolved', 'corrected', '已按营业执照更正', '孙建华', null]);
    assert.ok((await notificationsOf('police.consumer')).some((n) => n.kind === 'objection.resolved' && n.params.objectionId === o.id));
    await refused(as('market.approver', 'POST', `/objections/${o.id}/resolve`, { outcome: 'rejected', comment: '再改' }), 409, 'OBJECTION_NOT_OPEN');
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.resolve']);
  });

  test('its checks: the grant is the caller’s, items are granted, a description is given', async () => {
    await refused(as('hrss.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id, description: '错' }), 404, 'GRANT_NOT_FOUND');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id, items: ['no_such'], description: '错' }), 400, 'ITEM_NOT_GRANTED');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id }), 400, 'TEXT_REQUIRED');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'data', description: '错' }), 400, 'OBJECTION_INPUT_INVALID');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id, recordKey: Array.from({ length: 101 }, (_, i) => `k${i}`), description: '错' }), 400, 'RECORD_KEYS_INVALID');
    await refused(as('market.approver', 'POST', '/objections', { kind: 'data', grantId: grant.id, description: '错' }), 403, 'FORBIDDEN');
  });
});

describe('objections to refusals', () => {
  test('the applicant objects; the authority overturns; the provider decides again', async () => {
    const pending = await applyFor(await publish('企业年报信息（异议）', 'conditional'));
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: pending.id, reason: '不服' }), 409, 'APPLICATION_NOT_REJECTED');
    const app = await ok<Application>(as('market.approver', 'POST', `/applications/${pending.id}/reject`, { reason: '用途不符', legalBasis: '暂行办法第九条' }));
    assert.equal(app.status, 'rejected');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id }), 400, 'TEXT_REQUIRED');
    await refused(as('hrss.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '不服' }), 404, 'APPLICATION_NOT_FOUND');

    const o = await ok<Objection>(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '核验企业身份属法定职责，拒绝理由不成立' }), 201);
    assert.deepEqual([o.kind, o.status, o.applicationId, o.authorityId], ['refusal', 'open', app.id, (await t.node.identity.responsibleAuthority(orgs.market!.id))!.id]);
    assert.equal(o.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 10));
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '再议' }), 409, 'OBJECTION_DUPLICATE');
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'objection.filed' && n.params.objectionId === o.id), 'the authority is told');
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'objection.filed' && n.params.objectionId === o.id), 'the provider is told');
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o.id}`))).can.arbitrate, true);
    assert.equal((await ok<Objection>(as('market.approver', 'GET', `/objections/${o.id}`))).can.resolve, false);
    await refused(as('market.approver', 'POST', `/objections/${o.id}/resolve`, { outcome: 'corrected', comment: '改' }), 403, 'OBJECTION_WRONG_KIND');
    await refused(as('xining.reviewer.test', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 404, 'OBJECTION_NOT_FOUND');

    const arbitrated = await ok<Objection>(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '拒绝理由不成立，请重新审批' }));
    assert.deepEqual([arbitrated.status, arbitrated.outcome, arbitrated.decidedBy?.displayName], ['arbitrated', 'overturned', '韩静（数据资源处）']);
    const reopened = await ok<Application>(as('police.consumer', 'GET', `/applications/${app.id}`));
    assert.equal(reopened.status, 'pending');
    assert.equal(reopened.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 10));
    assert.equal(reopened.decidedAt, null);
    assert.deepEqual(reopened.decisions.map((d) => [d.step, d.outcome]), [['provider', 'rejected'], ['arbitration', 'reopened']]);
    assert.equal(reopened.decisions[1]?.comment, '拒绝理由不成立，请重新审批');
    const providerTold = (await notificationsOf('market.approver')).find((n) => n.kind === 'objection.arbitrated' && n.params.objectionId === o.id);
    assert.equal(providerTold?.link, `/sharing/applications/${app.id}`);
    assert.ok((await notificationsOf('police.consumer')).some((n) => n.kind === 'objection.arbitrated' && n.params.objectionId === o.id));
    await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'upheld', comment: '改判' }), 409, 'OBJECTION_NOT_OPEN');

    const approved = await ok<Application>(as('market.approver', 'POST', `/applications/${app.id}/approve`, { comment: '同意' }));
    assert.equal(approved.status, 'granted');
    assert.deepEqual(await ledgerActions(app.id), ['sharing.application.create', 'sharing.application.reject', 'sharing.application.reopen', 'sharing.application.approve']);
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.arbitrate']);
    // One objection per application, even after it was decided again.
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '再议' }), 409, 'APPLICATION_NOT_REJECTED');
  });

  test('upheld keeps the refusal', async () => {
    const app = await rejected('企业变更信息（异议）');
    const o = await ok<Objection>(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '不服' }), 201);
    const upheld = await ok<Objection>(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'upheld', comment: '拒绝有法定依据' }));
    assert.equal(upheld.outcome, 'upheld');
    assert.equal((await ok<Application>(as('police.consumer', 'GET', `/applications/${app.id}`))).status, 'rejected');
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '再议' }), 409, 'OBJECTION_DUPLICATE');
  });

  test('an applicant that applied again objects to the new decision instead', async () => {
    const app = await rejected('企业注销信息（异议）');
    const entry = { id: app.catalog.id, shareMethods: ['api'] } as CatalogEntry;
    const again = await applyFor(entry);
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '不服' }), 409, 'OBJECTION_SUPERSEDED');
    // Filed before applying again: the authority cannot reopen it while the new one is open.
    await ok(as('police.consumer', 'POST', `/applications/${again.id}/withdraw`, {}));
    const o = await ok<Objection>(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '不服' }), 201);
    await applyFor(entry);
    await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 409, 'OBJECTION_SUPERSEDED');
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o.id}`))).status, 'open', 'nothing changed');
    // It need not stay open: the objector withdraws it (or the arbitrator records it superseded, below).
    assert.equal((await ok<Objection>(as('police.consumer', 'POST', `/objections/${o.id}/withdraw`, {}))).status, 'withdrawn');
  });
});

describe('after review: who arbitrates, what an overturn checks, how an objection ends', () => {
  const fileRefusal = (applicationId: string) => ok<Objection>(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId, reason: '拒绝理由不成立' }), 201);

  test("a refusal at the countersignature: its signer does not arbitrate; overturned, it is countersigned again with the provider's approval and terms", async () => {
    const app = await applyFor(await publish('企业股东信息（异议）', 'conditional', 'important'));
    await ok(as('market.approver', 'POST', `/applications/${app.id}/approve`, { grant: { rateLimitPerMinute: 30 } }));
    assert.equal((await ok<Application>(as('authority', 'POST', `/applications/${app.id}/reject`, { reason: '涉及重要数据', legalBasis: '《数据安全法》第二十一条' }))).status, 'rejected');
    const o = await fileRefusal(app.id);
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o.id}`))).can.arbitrate, false, 'the signer of the refusal');
    assert.equal((await ok<Objection>(as('authority.second.test', 'GET', `/objections/${o.id}`))).can.arbitrate, true);
    for (const outcome of ['overturned', 'upheld']) {
      await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome, comment: '自行仲裁' }), 403, 'ARBITRATOR_DECIDED_REFUSAL');
    }
    await ok(as('authority.second.test', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '会签拒绝理由不足' }));
    const reopened = await ok<Application>(as('market.approver', 'GET', `/applications/${app.id}`));
    assert.equal(reopened.status, 'countersigning', 'back to the step that refused');
    assert.deepEqual(reopened.proposedTerms, { rateLimitPerMinute: 30 }, "the provider's terms stand");
    assert.equal(reopened.dueDate, await t.node.calendar.addWorkingDays('2026-09-28', 10));
    assert.deepEqual(reopened.decisions.map((d) => [d.step, d.outcome]), [['provider', 'approved'], ['authority', 'rejected'], ['arbitration', 'reopened']]);
    const told = (await notificationsOf('authority')).find((n) => n.kind === 'objection.arbitrated' && n.params.objectionId === o.id && n.link === `/sharing/applications/${app.id}`);
    assert.match(told?.text.zh ?? '', /会签/, 'the countersigners decide again');
    await refused(as('market.approver', 'POST', `/applications/${app.id}/approve`, {}), 409, 'APPLICATION_NOT_PENDING');
    const granted = await ok<Application>(as('authority', 'POST', `/applications/${app.id}/approve`, { comment: '会签同意' }));
    assert.equal(granted.status, 'granted');
    assert.equal((await ok<Grant>(as('police.consumer', 'GET', `/grants/${granted.grantId}`))).rateLimitPerMinute, 30);
  });

  test('an overturn re-checks the validity asked for and the entry; a refusal is objected to within 30 days', async () => {
    const expired = await rejected('企业经营异常名录（异议）');
    const o1 = await fileRefusal(expired.id);
    await backdate('share_applications', expired.id, { valid_until: '2026-09-27' });
    await refused(as('authority', 'POST', `/objections/${o1.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 409, 'APPLICATION_EXPIRED');
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o1.id}`))).status, 'open', 'nothing changed');
    assert.equal((await ok<Application>(as('police.consumer', 'GET', `/applications/${expired.id}`))).status, 'rejected');
    assert.equal((await ok<Objection>(as('authority', 'POST', `/objections/${o1.id}/arbitrate`, { outcome: 'upheld', comment: '期限已过' }))).outcome, 'upheld');

    const retired = await rejected('企业抽查结果（异议）');
    const o2 = await fileRefusal(retired.id);
    await ok(as('market.editor', 'POST', `/catalogs/${retired.catalog.id}/retire`, { reason: '停止维护' }));
    await refused(as('authority', 'POST', `/objections/${o2.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 409, 'ENTRY_NOT_SHARED');
    assert.equal((await ok<Application>(as('police.consumer', 'GET', `/applications/${retired.id}`))).status, 'rejected');

    const late = await rejected('企业行政许可（异议）');
    await backdate('share_applications', late.id, { decided_at: daysBefore(31) });
    await refused(as('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: late.id, reason: '不服' }), 409, 'OBJECTION_TOO_LATE');
    await backdate('share_applications', late.id, { decided_at: daysBefore(30) });
    await fileRefusal(late.id);
  });

  test('the objector withdraws an open objection; one the applicant superseded is closed as such', async () => {
    const app = await rejected('企业信用修复（异议）');
    const o = await fileRefusal(app.id);
    await refused(as('market.approver', 'POST', `/objections/${o.id}/withdraw`, {}), 403, 'FORBIDDEN');
    await refused(as('hrss.consumer', 'POST', `/objections/${o.id}/withdraw`, {}), 404, 'OBJECTION_NOT_FOUND');
    await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'superseded', comment: '已重新申请' }), 409, 'OBJECTION_NOT_SUPERSEDED');
    const w = await ok<Objection>(as('police.consumer', 'POST', `/objections/${o.id}/withdraw`, { reason: '已与提供部门沟通' }));
    assert.deepEqual([w.status, w.outcome, w.outcomeComment, w.dueDate, w.decidedBy?.displayName], ['withdrawn', null, '已与提供部门沟通', null, '刘洋']);
    assert.deepEqual(w.can, { resolve: false, arbitrate: false, withdraw: false });
    for (const username of ['authority', 'market.approver']) {
      assert.ok((await notificationsOf(username)).some((n) => n.kind === 'objection.withdrawn' && n.params.objectionId === o.id), username);
    }
    await refused(as('police.consumer', 'POST', `/objections/${o.id}/withdraw`, {}), 409, 'OBJECTION_NOT_OPEN');
    await refused(as('authority', 'POST', `/objections/${o.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 409, 'OBJECTION_NOT_OPEN');
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.withdraw']);

    const app2 = await rejected('企业信用承诺（异议）');
    const o2 = await fileRefusal(app2.id);
    await applyFor({ id: app2.catalog.id } as CatalogEntry);
    await refused(as('authority', 'POST', `/objections/${o2.id}/arbitrate`, { outcome: 'overturned', comment: '撤销' }), 409, 'OBJECTION_SUPERSEDED');
    const closed = await ok<Objection>(as('authority', 'POST', `/objections/${o2.id}/arbitrate`, { outcome: 'superseded', comment: '已重新申请，以新申请为准' }));
    assert.deepEqual([closed.status, closed.outcome], ['arbitrated', 'superseded']);
    assert.equal((await ok<Application>(as('police.consumer', 'GET', `/applications/${app2.id}`))).status, 'rejected');
    const told = (await notificationsOf('police.consumer')).find((n) => n.kind === 'objection.arbitrated' && n.params.objectionId === o2.id);
    assert.match(told?.text.zh ?? '', /重新申请/);
    assert.deepEqual(await ledgerActions(o2.id), ['sharing.objection.create', 'sharing.objection.arbitrate']);
  });

  test('a user who both approves for a provider and arbitrates for an authority sees both queues', async () => {
    const queue = await ok<{ items: Objection[] }>(as('authority.dual.test', 'GET', '/objections?scope=arbitration&kind=refusal&pageSize=200'));
    assert.ok(queue.items.length >= 1 && queue.items.every((o) => o.kind === 'refusal' && o.authorityId === orgs.authority!.id));
    assert.ok(queue.items.some((o) => o.can.arbitrate));
    const assigned = await ok<{ items: Objection[]; total: number }>(as('authority.dual.test', 'GET', '/objections?pageSize=200'));
    assert.equal(assigned.total, 0, 'by default its provider tickets: none about the authority’s own data');
    await refused(as('market.approver', 'GET', '/objections?scope=arbitration'), 403, 'FORBIDDEN');
    await refused(as('authority', 'GET', '/objections?scope=assigned'), 403, 'FORBIDDEN');
  });

  test('data objections: one open per grant and set of records; an ended grant for 30 days; the authority found when the grant has none', async () => {
    const app = await applyFor(await publish('企业年检信息（异议）', 'unconditional'));
    const grantId = app.grantId!;
    const file = (recordKey: string[]) => as('police.consumer', 'POST', '/objections', { kind: 'data', grantId, recordKey, description: '数据有误' });
    const first = await ok<Objection>(file(['A', 'B']), 201);
    await refused(file(['B', 'A', '']), 409, 'OBJECTION_DUPLICATE');
    await ok(file(['A']), 201);
    await ok(as('market.approver', 'POST', `/objections/${first.id}/resolve`, { outcome: 'corrected', comment: '已更正' }));
    await ok(file(['A', 'B']), 201);

    await ok(as('police.consumer', 'POST', `/grants/${grantId}/revoke`, { reason: '不再使用' }));
    await ok(file(['C']), 201);
    await backdate('share_grants', grantId, { revoked_at: daysBefore(31) });
    await refused(file(['D']), 409, 'OBJECTION_TOO_LATE');

    const other = await applyFor(await publish('企业分支机构信息（异议）', 'unconditional'));
    const fileOther = (recordKey: string[]) => as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: other.grantId, recordKey, description: '数据有误' });
    await backdate('share_grants', other.grantId!, { expires_at: daysBefore(31) });
    await refused(fileOther(['E']), 409, 'OBJECTION_TOO_LATE');
    await backdate('share_grants', other.grantId!, { expires_at: daysBefore(5), authority_org_id: null });
    const o = await ok<Objection>(fileOther(['E']), 201);
    assert.equal(o.authorityId, orgs.authority!.id, 'the authority responsible for the provider');
    assert.equal((await ok<Objection>(as('authority', 'GET', `/objections/${o.id}`))).id, o.id);
  });
});

describe('lists and deadlines', () => {
  test('mine for the objector, assigned for the provider (its refusals read-only), arbitration for the authority', async () => {
    const mine = await ok<{ items: Objection[] }>(as('police.consumer', 'GET', '/objections?pageSize=200'));
    assert.ok(mine.items.length >= 4 && mine.items.every((o) => o.objector.organisationId === orgs.police!.id));
    const provider = await ok<{ items: Objection[] }>(as('market.approver', 'GET', '/objections?pageSize=200'));
    assert.ok(provider.items.length >= 1 && provider.items.every((o) => o.providerId === orgs.market!.id));
    const refusals = provider.items.filter((o) => o.kind === 'refusal');
    assert.ok(refusals.length >= 1, 'objections to its refusals too');
    assert.ok(refusals.every((o) => !o.can.resolve && !o.can.arbitrate), 'read-only');
    const authority = await ok<{ items: Objection[] }>(as('authority', 'GET', '/objections?scope=arbitration&kind=refusal&pageSize=200'));
    assert.ok(authority.items.length >= 3 && authority.items.every((o) => o.kind === 'refusal'));
    assert.equal(authority.items[0]?.status, 'open', 'open ones first');
    assert.deepEqual((await ok<{ items: Objection[] }>(as('authority', 'GET', '/objections?pageSize=200'))).items.map((o) => o.id), (await ok<{ items: Objection[] }>(as('authority', 'GET', '/objections?scope=arbitration&pageSize=200'))).items.map((o) => o.id), 'arbitration is its default');
    await refused(as('authority', 'GET', '/objections?scope=mine'), 403, 'FORBIDDEN');
    // Others' lists hold none of these: another consumer's objection is its own, another authority has none.
    const hrssGrant = (await applyFor(await publish('企业登记信息（人社异议）', 'unconditional'), 'hrss.consumer')).grantId;
    const hrssObjection = await ok<Objection>(as('hrss.consumer', 'POST', '/objections', { kind: 'data', grantId: hrssGrant, description: '人社厅异议' }), 201);
    assert.deepEqual((await ok<{ items: Objection[] }>(as('hrss.consumer', 'GET', '/objections?pageSize=200'))).items.map((o) => o.id), [hrssObjection.id]);
    assert.ok(!(await ok<{ items: Objection[] }>(as('police.consumer', 'GET', '/objections?pageSize=200'))).items.some((o) => o.id === hrssObjection.id));
    assert.ok((await ok<{ items: Objection[] }>(as('market.approver', 'GET', '/objections?pageSize=200'))).items.some((o) => o.id === hrssObjection.id));
    assert.equal((await ok<{ total: number }>(as('xining.reviewer.test', 'GET', '/objections?scope=arbitration'))).total, 0, 'the provincial queue is not Xining’s');
  });

  test('a data objection: reminded once, escalated once to the authority', async () => {
    const o = await ok<Objection>(as('police.consumer', 'POST', '/objections', { kind: 'data', grantId: grant.id, description: '数据滞后' }), 201);
    const calendar = await t.node.calendar.calendar();
    const due = o.dueDate!;
    let dayBefore = due;
    while (calendar.workingDaysBetween(dayBefore, due) < 2) dayBefore = new Date(Date.parse(`${dayBefore}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    assert.ok((await t.node.objections.sweep(dayBefore)).reminded >= 1);
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.remind'], 'this one was reminded');
    assert.equal((await t.node.objections.sweep(dayBefore)).reminded, 0);
    assert.ok((await notificationsOf('market.approver')).some((n) => n.kind === 'objection.reminder' && n.params.objectionId === o.id));
    const after = calendar.addWorkingDays(due, 1);
    assert.ok((await t.node.objections.sweep(after)).escalated >= 1);
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.remind', 'sharing.objection.escalate'], 'this one was escalated');
    assert.equal((await t.node.objections.sweep(after)).escalated, 0);
    assert.ok((await notificationsOf('authority')).some((n) => n.kind === 'objection.escalated' && n.params.objectionId === o.id));
    // Overdue, it joins the authority's list.
    const listed = await ok<{ items: Objection[] }>(as('authority', 'GET', '/objections?scope=arbitration&kind=data&pageSize=200'));
    assert.ok(listed.items.some((x) => x.id === o.id && x.escalatedAt));
    assert.deepEqual(await ledgerActions(o.id), ['sharing.objection.create', 'sharing.objection.remind', 'sharing.objection.escalate']);
  });
});

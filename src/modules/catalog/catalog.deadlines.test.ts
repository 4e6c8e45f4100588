import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../../core/config.js';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { Organisation } from '../identity/index.js';
import type { Notification } from '../notifications/index.js';
import type { Deadline, LinkedResource } from './catalog.deadlines.js';
import type { CatalogEntry } from './catalog.service.js';

/**
 * Deadlines of the Guideline 四(二)3 through HTTP, with an injected clock: dates across the National
 * Day holiday, every state, lists per organisation and for the authority, refusals, the notifications
 * each transition sends, and reminders sent once however often (and from however many replicas) the
 * sweep runs.
 */
let t: TestNode;
let organisations: Organisation[];
// 10:00 in China on the given date (02:00 UTC).
let now = at('2026-09-28');
function at(date: string): Date {
  return new Date(`${date}T02:00:00Z`);
}
const setToday = (date: string): void => {
  now = at(date);
};

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  const res = await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token: await t.login('authority') });
  organisations = json<{ items: Organisation[] }>(res).items;
  // A data authority that does not review provincial departments.
  await t.node.identity.createUser(systemActor('test'), {
    username: 'xining.authority2',
    displayName: '西宁审核员',
    organisationId: organisations.find((o) => o.name === '西宁市政务服务监督管理局')!.id,
    password: DEFAULT_DEMO_PASSWORD,
    roles: ['data_authority'],
  });
});
after(() => t.close());

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
}

type Body = Record<string, unknown>;

function entryBody(overrides: Body = {}): Body {
  return {
    name: '机动车登记信息',
    summary: '全省机动车登记、转移、抵押登记信息。',
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    items: [
      { name: '号牌号码', column: 'plate_no', dataType: 'string', length: 16, isKey: true },
      { name: '登记日期', column: 'registered_on', dataType: 'date' },
    ],
    ...overrides,
  };
}

async function as(username: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Body }) });
}

async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r.statusCode === 204 ? (undefined as T) : json<T>(r);
}

async function submitted(body: Body = entryBody(), editor = 'police.editor'): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(as(editor, 'POST', '/catalogs', body), 201);
  await ok(as(editor, 'POST', `/catalogs/${entry.id}/submit`));
  return entry;
}

async function published(body: Body = entryBody(), editor = 'police.editor'): Promise<CatalogEntry> {
  const entry = await submitted(body, editor);
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

async function deadlinesOf(entryId: string, username = 'police.editor'): Promise<Deadline[]> {
  return (await ok<{ items: Deadline[] }>(as(username, 'GET', `/catalogs/${entryId}/deadlines`))).items;
}

async function onlyDeadline(entryId: string): Promise<Deadline> {
  const items = await deadlinesOf(entryId);
  assert.equal(items.length, 1, JSON.stringify(items));
  return items[0]!;
}

async function notificationsOf(username: string, subjectId: string): Promise<Notification[]> {
  const { items } = await ok<{ items: Notification[] }>(as(username, 'GET', '/notifications?pageSize=200'));
  return items.filter((n) => n.subject?.id === subjectId);
}

async function ledgerActions(subjectIds: readonly string[]): Promise<string[]> {
  await t.node.ledger.flush();
  const { items } = await t.node.ledger.entries({}, 1, 100_000);
  return items.filter((e) => subjectIds.includes(e.entry.subject.id)).sort((a, b) => a.seq - b.seq).map((e) => e.entry.action);
}

const link = (entryId: string, name = '机动车登记库表') =>
  t.node.catalog.linkResource(systemActor('resources'), entryId, { resourceId: crypto.randomUUID(), kind: 'table', name });

describe('link_resource deadlines', () => {
  test('approving a table entry on 2026-09-28 gives 2026-10-30: the 20th working day, across the National Day holiday', async () => {
    setToday('2026-09-28');
    const entry = await published();
    const d = await onlyDeadline(entry.id);
    assert.equal(d.kind, 'link_resource');
    assert.equal(d.startedOn, '2026-09-28');
    // 9-29, 9-30, then 10-1..10-7 off, 10-8, 10-9, 10-10 (调休 Saturday), 10-12 … 10-30.
    assert.equal(d.dueOn, '2026-10-30');
    assert.equal(d.state, 'open');
    assert.equal(d.workingDaysLeft, 20);
    assert.deepEqual(d.entry, { id: entry.id, code: entry.code, name: '机动车登记信息' });
    assert.equal(d.provider.id, entry.provider.id);
    assert.equal(d.closedAt, null);
    // The reviewing authority sees it too.
    assert.equal((await deadlinesOf(entry.id, 'authority')).length, 1);
    assert.deepEqual(await ledgerActions([d.id]), ['catalog.deadline.open']);
  });

  test('a file entry owes no resource; an api entry does', async () => {
    setToday('2026-09-28');
    const file = await published(entryBody({ name: '年度统计公报', format: 'file', shareMethods: ['file'] }));
    assert.deepEqual(await deadlinesOf(file.id), []);
    const api = await published(entryBody({ name: '车辆核验接口', format: 'api', shareMethods: ['api'] }));
    assert.equal((await onlyDeadline(api.id)).kind, 'link_resource');
  });

  test('states follow the clock: open → due_soon within 5 working days → overdue, and linking late is missed', async () => {
    setToday('2026-09-28');
    const entry = await published();
    const expectations: Array<[string, Deadline['state'], number]> = [
      ['2026-10-22', 'open', 6],
      ['2026-10-23', 'due_soon', 5],
      ['2026-10-25', 'due_soon', 5], // a Sunday: still five working days left
      ['2026-10-30', 'due_soon', 0],
      ['2026-10-31', 'overdue', -1], // a Saturday: late, though no working day has passed
      ['2026-11-03', 'overdue', -2],
    ];
    for (const [date, state, left] of expectations) {
      setToday(date);
      const d = await onlyDeadline(entry.id);
      assert.deepEqual([date, d.state, d.workingDaysLeft], [date, state, left]);
    }
    const resources = await link(entry.id);
    assert.equal(resources.length, 1);
    const d = await onlyDeadline(entry.id);
    assert.equal(d.state, 'missed');
    assert.equal(d.closedReason, 'resource_linked');
    assert.equal(d.closedAt, at('2026-11-03').toISOString());
    assert.equal(d.workingDaysLeft, -2);
    const listed = await ok<{ items: LinkedResource[] }>(as('police.editor', 'GET', `/catalogs/${entry.id}/resources`));
    assert.deepEqual(listed.items, resources);
    assert.deepEqual(await ledgerActions([d.id]), ['catalog.deadline.open', 'catalog.deadline.close']);
    assert.deepEqual((await ledgerActions([entry.id])).slice(-1), ['catalog.resource.link']);
  });

  test('linking in time is met; a new version of a linked entry opens nothing; unlinking the last resource starts a new deadline', async () => {
    setToday('2026-09-28');
    const entry = await published();
    setToday('2026-10-30');
    const [resource] = await link(entry.id);
    const met = await onlyDeadline(entry.id);
    assert.equal(met.state, 'met');
    assert.equal(met.workingDaysLeft, 0);

    await ok(as('police.editor', 'PUT', `/catalogs/${entry.id}`, entryBody({ summary: '全省机动车登记信息（含转移登记）。' })));
    await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/submit`));
    await ok(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
    assert.equal((await deadlinesOf(entry.id)).length, 1);

    setToday('2026-11-02');
    assert.deepEqual(await t.node.catalog.unlinkResource(systemActor('resources'), entry.id, resource!.resourceId), []);
    const again = (await deadlinesOf(entry.id)).find((d) => d.closedAt === null);
    assert.ok(again);
    assert.equal(again.startedOn, '2026-11-02');
    await assert.rejects(t.node.catalog.unlinkResource(systemActor('resources'), entry.id, resource!.resourceId), { code: 'RESOURCE_NOT_LINKED' });
    await assert.rejects(
      t.node.catalog.linkResource(systemActor('resources'), entry.id, { resourceId: 'not-a-uuid', kind: 'table', name: 'x' }),
      { code: 'RESOURCE_LINK_INVALID' },
    );
    // Another organisation cannot link to this entry.
    const market = organisations.find((o) => o.name === '青海省市场监督管理局')!;
    await assert.rejects(
      t.node.catalog.linkResource({ type: 'app', id: crypto.randomUUID(), appKey: 'k', organisationId: market.id }, entry.id, { resourceId: crypto.randomUUID(), kind: 'api', name: 'x' }),
      { code: 'NOT_PROVIDER' },
    );
  });

  test('retiring closes the running deadline', async () => {
    setToday('2026-09-28');
    const entry = await published();
    setToday('2026-10-09');
    await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/retire`, { reason: '数据已并入新目录' }));
    const d = await onlyDeadline(entry.id);
    assert.equal(d.closedReason, 'retired');
    assert.equal(d.state, 'met');
    await assert.rejects(link(entry.id), { code: 'INVALID_TRANSITION' });
  });
});

describe('resubmit deadlines and the notifications of the review', () => {
  test('return → resubmit deadline and the editors are told; resubmission closes it and the authority is told', async () => {
    setToday('2026-09-28');
    const entry = await submitted();
    const toAuthority = await notificationsOf('authority', entry.id);
    assert.equal(toAuthority.length, 1);
    assert.equal(toAuthority[0]!.kind, 'catalog.submitted');
    assert.match(toAuthority[0]!.text.zh, /青海省公安厅提交了目录“机动车登记信息”/);
    assert.match(toAuthority[0]!.text.en, /submitted the catalog entry "机动车登记信息"/);
    assert.equal(toAuthority[0]!.link, `/catalog/entries/${entry.id}`);
    // Only the authority's reviewers: not the provider, not other departments, not the authority's admins.
    for (const user of ['police.editor', 'police.consumer', 'market.editor', 'admin', 'xining.authority2']) {
      assert.deepEqual(await notificationsOf(user, entry.id), [], user);
    }

    await ok(as('authority', 'POST', `/catalogs/${entry.id}/return`, { reasons: [{ field: 'summary', message: '摘要过简' }, { message: '请补充数据元' }] }));
    const d = await onlyDeadline(entry.id);
    assert.deepEqual([d.kind, d.startedOn, d.dueOn, d.state], ['resubmit', '2026-09-28', '2026-10-30', 'open']);
    const returned = (await notificationsOf('police.editor', entry.id)).filter((n) => n.kind === 'catalog.returned');
    assert.equal(returned.length, 1);
    assert.equal(returned[0]!.params.reasons, 2);
    assert.equal(returned[0]!.params.dueOn, '2026-10-30');
    assert.match(returned[0]!.text.zh, /共 2 条意见，请于 2026-10-30 前修改并重新提交/);
    assert.deepEqual(await notificationsOf('police.consumer', entry.id), []);
    assert.deepEqual(await notificationsOf('market.editor', entry.id), []);

    setToday('2026-10-12');
    await ok(as('police.editor', 'PUT', `/catalogs/${entry.id}`, entryBody({ summary: '全省机动车登记、转移、抵押登记信息，每日更新。' })));
    await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/submit`));
    const closed = await onlyDeadline(entry.id);
    assert.deepEqual([closed.state, closed.closedReason], ['met', 'resubmitted']);
    assert.equal((await notificationsOf('authority', entry.id)).filter((n) => n.kind === 'catalog.submitted').length, 2);

    await ok(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
    const publishedNote = (await notificationsOf('police.editor', entry.id)).filter((n) => n.kind === 'catalog.published');
    assert.equal(publishedNote.length, 1);
    assert.equal(publishedNote[0]!.params.linkDueOn, (await deadlinesOf(entry.id)).find((x) => x.kind === 'link_resource')!.dueOn);
    assert.match(publishedNote[0]!.text.zh, /已审核发布，请于 \d{4}-\d{2}-\d{2} 前关联数据资源/);
  });
});

describe('lists and refusals', () => {
  test('GET /catalogs/deadlines is not taken for an entry id; mine lists the own organisation only, for any of its users', async () => {
    setToday('2026-09-28');
    const police = await published(entryBody({ name: '驾驶人信息' }));
    const market = await published(entryBody({ name: '食品经营许可信息' }), 'market.editor');
    for (const user of ['police.editor', 'police.consumer']) {
      const res = await as(user, 'GET', '/catalogs/deadlines?pageSize=200');
      const body = json<{ items: Deadline[]; total: number; summary: { open: number } }>(res);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(body.items.some((d) => d.entry.id === police.id), user);
      assert.ok(!body.items.some((d) => d.entry.id === market.id), user);
      assert.ok(body.items.every((d) => d.provider.id === police.provider.id));
    }
    const marketList = await ok<{ items: Deadline[] }>(as('market.editor', 'GET', '/catalogs/deadlines?scope=mine&pageSize=200'));
    assert.ok(marketList.items.some((d) => d.entry.id === market.id));
    assert.ok(!marketList.items.some((d) => d.entry.id === police.id));
  });

  test('scope=authority lists the entries the organisation reviews; filters by state and kind; the summary counts the scope', async () => {
    setToday('2026-09-28');
    const early = await published(entryBody({ name: '道路交通事故信息' }));
    setToday('2026-10-26');
    const late = await published(entryBody({ name: '交通违法信息' }));
    const all = await ok<{ items: Deadline[]; total: number; summary: { open: number; dueSoon: number; overdue: number } }>(
      as('authority', 'GET', '/catalogs/deadlines?scope=authority&pageSize=200'),
    );
    assert.ok(all.items.some((d) => d.entry.id === early.id) && all.items.some((d) => d.entry.id === late.id));
    const open = all.items.filter((d) => d.closedAt === null);
    assert.equal(all.summary.open, open.length);
    assert.equal(all.summary.dueSoon, open.filter((d) => d.state === 'due_soon').length);
    assert.equal(all.summary.overdue, open.filter((d) => d.state === 'overdue').length);
    // Open ones first, the most urgent first.
    const dues = open.map((d) => d.dueOn);
    assert.deepEqual(dues, [...dues].sort());
    assert.ok(all.items.slice(0, open.length).every((d) => d.closedAt === null));

    const dueSoon = await ok<{ items: Deadline[]; total: number }>(as('authority', 'GET', '/catalogs/deadlines?scope=authority&state=due_soon&pageSize=200'));
    assert.ok(dueSoon.items.every((d) => d.state === 'due_soon'));
    assert.ok(dueSoon.items.some((d) => d.entry.id === early.id));
    assert.ok(!dueSoon.items.some((d) => d.entry.id === late.id));
    assert.equal(dueSoon.total, all.summary.dueSoon);
    const closed = await ok<{ items: Deadline[] }>(as('authority', 'GET', '/catalogs/deadlines?scope=authority&state=closed&kind=link_resource&pageSize=200'));
    assert.ok(closed.items.every((d) => d.closedAt !== null && d.kind === 'link_resource' && (d.state === 'met' || d.state === 'missed')));
    const paged = await ok<{ items: Deadline[]; total: number; page: number; pageSize: number }>(as('authority', 'GET', '/catalogs/deadlines?scope=authority&page=2&pageSize=1'));
    assert.equal(paged.total, all.total);
    assert.equal(paged.items.length, 1);
    assert.equal(paged.items[0]!.id, all.items[1]!.id);

    // Another authority reviews other organisations.
    const xining = await ok<{ items: Deadline[] }>(as('xining.authority2', 'GET', '/catalogs/deadlines?scope=authority&pageSize=200'));
    assert.ok(!xining.items.some((d) => d.entry.id === early.id));
  });

  test('refusals: scope=authority needs data_authority; deadlines are for the provider and reviewer only', async () => {
    expectError(await as('police.consumer', 'GET', '/catalogs/deadlines?scope=authority'), 403, 'FORBIDDEN');
    expectError(await as('police.editor', 'GET', '/catalogs/deadlines?scope=authority'), 403, 'FORBIDDEN');
    expectError(await as('police.editor', 'GET', '/catalogs/deadlines?scope=everyone'), 400, 'VALIDATION_FAILED');
    expectError(await t.request({ method: 'GET', url: '/api/v1/catalogs/deadlines' }), 401, 'UNAUTHENTICATED');

    setToday('2026-09-28');
    const entry = await submitted(entryBody({ name: '非机动车登记信息' }));
    await ok(as('authority', 'POST', `/catalogs/${entry.id}/return`, { reasons: [{ message: '请补充' }] }));
    // Never published: it does not exist for another organisation.
    expectError(await as('hrss.consumer', 'GET', `/catalogs/${entry.id}/deadlines`), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('market.editor', 'GET', `/catalogs/${entry.id}/resources`), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('police.editor', 'GET', `/catalogs/${crypto.randomUUID()}/deadlines`), 404, 'CATALOG_NOT_FOUND');

    // Published: others may read the entry and its linked resources, not its deadlines.
    const pub = await published(entryBody({ name: '机动车检验信息' }));
    expectError(await as('hrss.consumer', 'GET', `/catalogs/${pub.id}/deadlines`), 403, 'NOT_PROVIDER_OR_REVIEWER');
    expectError(await as('xining.authority2', 'GET', `/catalogs/${pub.id}/deadlines`), 403, 'NOT_PROVIDER_OR_REVIEWER');
    await link(pub.id);
    assert.equal((await ok<{ items: LinkedResource[] }>(as('hrss.consumer', 'GET', `/catalogs/${pub.id}/resources`))).items.length, 1);
    // Another organisation's list never shows it.
    const hrss = await ok<{ items: Deadline[] }>(as('hrss.consumer', 'GET', '/catalogs/deadlines?pageSize=200'));
    assert.ok(!hrss.items.some((d) => d.entry.id === pub.id || d.entry.id === entry.id));
  });
});

describe('reminders', () => {
  test('due soon once to the editors, overdue once to the editors and the authority, however often the sweep runs', async () => {
    setToday('2026-09-28');
    const entry = await published(entryBody({ name: '机动车抵押登记信息' }));
    setToday('2026-10-22');
    await t.node.catalog.sweepDeadlines('2026-10-22');
    assert.deepEqual((await notificationsOf('police.editor', entry.id)).map((n) => n.kind), ['catalog.published']);

    setToday('2026-10-23');
    // Two replicas at once, then again: one reminder.
    await Promise.all([t.node.catalog.sweepDeadlines('2026-10-23'), t.node.catalog.sweepDeadlines('2026-10-23')]);
    await t.node.catalog.sweepDeadlines('2026-10-26');
    const soon = (await notificationsOf('police.editor', entry.id)).filter((n) => n.kind === 'catalog.deadline.due_soon');
    assert.equal(soon.length, 1);
    assert.equal(soon[0]!.params.workingDaysLeft, 5);
    assert.match(soon[0]!.text.zh, /须于 2026-10-30 前关联并注册数据资源，剩余 5 个工作日/);
    assert.match(soon[0]!.text.en, /by 2026-10-30, 5 working day\(s\) left/);
    assert.deepEqual((await notificationsOf('authority', entry.id)).filter((n) => n.kind.startsWith('catalog.deadline')), []);

    setToday('2026-11-02');
    const first = await t.node.catalog.sweepDeadlines('2026-11-02');
    assert.ok(first.overdue >= 1);
    const second = await Promise.all([t.node.catalog.sweepDeadlines('2026-11-03'), t.node.catalog.sweepDeadlines('2026-11-03')]);
    assert.deepEqual(second.map((s) => s.overdue), [0, 0]);
    for (const user of ['police.editor', 'authority']) {
      const overdue = (await notificationsOf(user, entry.id)).filter((n) => n.kind === 'catalog.deadline.overdue');
      assert.equal(overdue.length, 1, user);
      assert.match(overdue[0]!.text.zh, /青海省公安厅的目录“机动车抵押登记信息”.*已逾期（期限 2026-10-30）/);
    }
    for (const user of ['police.consumer', 'market.editor', 'xining.authority2']) {
      assert.deepEqual((await notificationsOf(user, entry.id)).filter((n) => n.kind.startsWith('catalog.deadline')), [], user);
    }
    const deadline = await onlyDeadline(entry.id);
    assert.deepEqual(await ledgerActions([deadline.id]), ['catalog.deadline.open', 'catalog.deadline.remind', 'catalog.deadline.remind']);
  });
});

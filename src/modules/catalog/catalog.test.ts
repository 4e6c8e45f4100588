import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../../core/config.js';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { Organisation } from '../identity/index.js';
import type { CatalogDiff, CatalogEntry, CatalogVersion, InformationSystem } from './catalog.service.js';

/**
 * The catalog through HTTP with the demo region: the review path of the "Done when", each
 * refusal, each validation rule with its code, versions and diffs, and the ledger.
 */
let t: TestNode;
let organisations: Organisation[];
before(async () => {
  t = await build();
  const res = await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token: await t.login('authority') });
  organisations = json<{ items: Organisation[] }>(res).items;
  // A data authority that is not responsible for provincial departments.
  await t.node.identity.createUser(systemActor('test'), {
    username: 'xining.authority',
    displayName: '西宁审核员',
    organisationId: org('西宁市政务服务监督管理局').id,
    password: DEFAULT_DEMO_PASSWORD,
    roles: ['data_authority'],
  });
});
after(() => t.close());

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
const org = (name: string): Organisation => {
  const found = organisations.find((o) => o.name === name);
  assert.ok(found, name);
  return found;
};

interface Problem {
  code: string;
  field: string;
  message: string;
  messageZh: string;
}

function expectError(res: LightMyRequestResponse, status: number, code: string): { details?: unknown } {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
  return json<{ error: { details?: unknown } }>(res).error;
}

type Body = Record<string, unknown> & { items: Array<Record<string, unknown>> };

function entryBody(overrides: Partial<Body> = {}): Body {
  return {
    name: '居民身份证信息',
    summary: '全省常住人口居民身份证登记信息，用于身份核验。',
    resourceType: 'basic',
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务身份核验，须经公安厅审批',
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    sensitivityLevel: 3,
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '出生日期', column: 'birth_date', dataType: 'date' },
    ],
    ...overrides,
  };
}

async function as(username: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

async function createEntry(username = 'police.editor', body: Body = entryBody()): Promise<CatalogEntry> {
  const res = await as(username, 'POST', '/catalogs', body);
  assert.equal(res.statusCode, 201, res.body);
  return json<CatalogEntry>(res);
}

async function publish(body: Body = entryBody()): Promise<CatalogEntry> {
  const entry = await createEntry('police.editor', body);
  assert.equal((await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`)).statusCode, 200);
  const res = await as('authority', 'POST', `/catalogs/${entry.id}/approve`);
  assert.equal(res.statusCode, 200, res.body);
  return json<CatalogEntry>(res);
}

async function ledgerActions(subjectId: string): Promise<string[]> {
  await t.node.ledger.flush();
  const { items } = await t.node.ledger.entries({}, 1, 100_000);
  return items
    .filter((e) => e.entry.subject.id === subjectId)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => e.entry.action);
}

describe('the review path (issue 3, Done when)', () => {
  test('register → returned with reasons → fixed and resubmitted → published → read by another department', async () => {
    const system = json<InformationSystem>(await as('police.editor', 'POST', '/information-systems', { name: '人口信息管理系统', description: '全省人口库' }));
    const created = await createEntry('police.editor', entryBody({ sourceSystemIds: [system.id] }));
    assert.equal(created.status, 'draft');
    assert.equal(created.version, 1);
    assert.equal(created.provider.name, '青海省公安厅');
    assert.match(created.code, new RegExp(`^101001000-${created.provider.code}-\\d{6}$`));
    assert.deepEqual(created.sourceSystemIds, [system.id]);

    // Another department cannot see the draft.
    expectError(await as('hrss.consumer', 'GET', `/catalogs/${created.id}`), 404, 'CATALOG_NOT_FOUND');

    const submitted = json<CatalogEntry>(await as('police.editor', 'POST', `/catalogs/${created.id}/submit`));
    assert.equal(submitted.status, 'submitted');
    assert.equal(submitted.reviewerOrganisationId, org('青海省政务服务监督管理局').id);

    // The authority sees it and returns it with reasons per field.
    assert.equal((await as('authority', 'GET', `/catalogs/${created.code}`)).statusCode, 200);
    const returned = json<CatalogEntry>(
      await as('authority', 'POST', `/catalogs/${created.id}/return`, { reasons: [{ field: 'summary', message: '摘要应说明数据范围' }, { message: '请补充更新时间' }] }),
    );
    assert.equal(returned.status, 'returned');
    assert.deepEqual(returned.returnReasons, [{ field: 'summary', message: '摘要应说明数据范围' }, { message: '请补充更新时间' }]);
    expectError(await as('police.editor', 'POST', `/catalogs/${created.id}/submit`), 409, 'INVALID_TRANSITION');

    const fixed = json<CatalogEntry>(await as('police.editor', 'PUT', `/catalogs/${created.id}`, entryBody({ summary: '全省常住人口居民身份证登记信息（含历史），用于身份核验。', sourceSystemIds: [system.id] })));
    assert.equal(fixed.status, 'draft');
    assert.equal(fixed.version, 2, 'the returned version is kept as reviewed');
    assert.equal(fixed.code, created.code, 'the code never changes');
    assert.equal(json<CatalogEntry>(await as('police.editor', 'POST', `/catalogs/${created.id}/submit`)).status, 'submitted');
    const published = json<CatalogEntry>(await as('authority', 'POST', `/catalogs/${created.id}/approve`));
    assert.equal(published.status, 'published');
    assert.equal(published.publishedVersion, 2);

    // A user of another department reads it, by id and by code, and finds it in the list.
    const read = json<CatalogEntry>(await as('hrss.consumer', 'GET', `/catalogs/${created.code}`));
    assert.equal(read.id, created.id);
    assert.equal(read.summary, '全省常住人口居民身份证登记信息（含历史），用于身份核验。');
    const list = json<{ items: CatalogEntry[]; total: number; facets: Record<string, Array<{ value: string; count: number }>> }>(
      await as('hrss.consumer', 'GET', `/catalogs?q=${encodeURIComponent('居民身份证')}&provider=${created.provider.id}`),
    );
    assert.ok(list.items.some((e) => e.id === created.id));
    assert.ok(list.facets.status!.some((f) => f.value === 'published'));
    assert.ok(list.facets.provider!.some((f) => f.value === created.provider.id));

    const versions = json<{ items: CatalogVersion[] }>(await as('police.editor', 'GET', `/catalogs/${created.id}/versions`)).items;
    assert.deepEqual(versions.map((v) => [v.version, v.status]), [[1, 'returned'], [2, 'published']]);
    assert.equal(versions[0]!.returnReasons?.length, 2);

    assert.deepEqual(await ledgerActions(created.id), [
      'catalog.entry.create',
      'catalog.entry.submit',
      'catalog.entry.return',
      'catalog.entry.update',
      'catalog.entry.submit',
      'catalog.entry.approve',
    ]);
    assert.deepEqual(await ledgerActions(system.id), ['catalog.system.create']);
  });
});

describe('changes of a published entry', () => {
  test('PUT makes a new draft version; the published one stays in force until approved; diff shows the change', async () => {
    const entry = await publish();
    const body = entryBody({ name: '居民身份证信息（2026版）', updateCycle: 'realtime' });
    body.items = [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 100, piiKind: 'name' },
      { name: '住址', column: 'home_address', dataType: 'string', length: 200, piiKind: 'address' },
    ];
    const draft = json<CatalogEntry>(await as('police.editor', 'PUT', `/catalogs/${entry.id}`, body));
    assert.equal(draft.version, 2);
    assert.equal(draft.status, 'draft');
    assert.equal(draft.publishedVersion, 1);

    const outside = json<CatalogEntry>(await as('market.editor', 'GET', `/catalogs/${entry.id}`));
    assert.equal(outside.version, 1, 'others still see the version in force');
    assert.equal(outside.status, 'published');
    assert.equal(outside.name, '居民身份证信息');
    const outsideVersions = json<{ items: CatalogVersion[] }>(await as('market.editor', 'GET', `/catalogs/${entry.id}/versions`)).items;
    assert.deepEqual(outsideVersions.map((v) => v.version), [1], 'drafts are not shown to others');

    await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
    await as('authority', 'POST', `/catalogs/${entry.id}/approve`);
    const now = json<CatalogEntry>(await as('market.editor', 'GET', `/catalogs/${entry.id}`));
    assert.equal(now.version, 2);
    const versions = json<{ items: CatalogVersion[] }>(await as('market.editor', 'GET', `/catalogs/${entry.id}/versions`)).items;
    assert.deepEqual(versions.map((v) => [v.version, v.status]), [[1, 'superseded'], [2, 'published']]);

    const diff = json<CatalogDiff>(await as('hrss.consumer', 'GET', `/catalogs/${entry.id}/diff?from=1&to=2`));
    assert.deepEqual(diff.fields, [
      { field: 'name', before: '居民身份证信息', after: '居民身份证信息（2026版）' },
      { field: 'updateCycle', before: 'daily', after: 'realtime' },
    ]);
    assert.deepEqual(diff.items.added.map((i) => i.column), ['home_address']);
    assert.deepEqual(diff.items.removed.map((i) => i.column), ['birth_date']);
    assert.deepEqual(diff.items.changed, [{ column: 'full_name', changes: [{ field: 'length', before: 50, after: 100 }] }]);
    expectError(await as('hrss.consumer', 'GET', `/catalogs/${entry.id}/diff?from=1&to=9`), 404, 'CATALOG_VERSION_NOT_FOUND');
  });

  test('retire needs a published entry and a reason; then everyone sees it retired', async () => {
    const draft = await createEntry();
    expectError(await as('police.editor', 'POST', `/catalogs/${draft.id}/retire`, { reason: '停用' }), 409, 'INVALID_TRANSITION');
    const entry = await publish();
    expectError(await as('market.editor', 'POST', `/catalogs/${entry.id}/retire`, { reason: '停用' }), 403, 'NOT_PROVIDER');
    expectError(await as('xining.authority', 'POST', `/catalogs/${entry.id}/retire`, { reason: '停用' }), 403, 'NOT_REVIEWER');
    expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/retire`, {}), 400, 'VALIDATION_FAILED');
    const retired = json<CatalogEntry>(await as('authority', 'POST', `/catalogs/${entry.id}/retire`, { reason: '系统已停用' }));
    assert.equal(retired.status, 'retired');
    assert.equal(retired.retiredReason, '系统已停用');
    assert.equal(json<CatalogEntry>(await as('hrss.consumer', 'GET', `/catalogs/${entry.id}`)).status, 'retired');
    expectError(await as('police.editor', 'PUT', `/catalogs/${entry.id}`, entryBody()), 409, 'INVALID_TRANSITION');
    assert.deepEqual((await ledgerActions(entry.id)).at(-1), 'catalog.entry.retire');
  });
});

describe('refusals', () => {
  test('roles: a consumer cannot register, an editor cannot approve', async () => {
    expectError(await as('hrss.consumer', 'POST', '/catalogs', entryBody()), 403, 'FORBIDDEN');
    const entry = await createEntry();
    await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
    expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/approve`), 403, 'FORBIDDEN');
    expectError(await as('hrss.consumer', 'POST', '/information-systems', { name: 'x' }), 403, 'FORBIDDEN');
  });

  test("another organisation's draft does not exist for an editor (404); a published one cannot be changed (403)", async () => {
    const entry = await createEntry();
    expectError(await as('market.editor', 'GET', `/catalogs/${entry.id}`), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('market.editor', 'PUT', `/catalogs/${entry.id}`, entryBody()), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('market.editor', 'POST', `/catalogs/${entry.id}/submit`), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('market.editor', 'GET', `/catalogs/${entry.id}/versions`), 404, 'CATALOG_NOT_FOUND');
    const list = json<{ items: CatalogEntry[] }>(await as('market.editor', 'GET', `/catalogs?provider=${entry.provider.id}&status=draft`));
    assert.equal(list.items.length, 0);
    const published = await publish();
    expectError(await as('market.editor', 'PUT', `/catalogs/${published.id}`, entryBody()), 403, 'NOT_PROVIDER');
  });

  test('an authority that is not responsible for the provider cannot review (NOT_REVIEWER)', async () => {
    const entry = await createEntry();
    await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
    expectError(await as('xining.authority', 'POST', `/catalogs/${entry.id}/approve`), 403, 'NOT_REVIEWER');
    expectError(await as('xining.authority', 'POST', `/catalogs/${entry.id}/return`, { reasons: [{ message: '不通过' }] }), 403, 'NOT_REVIEWER');
    expectError(await as('xining.authority', 'GET', `/catalogs/${entry.id}`), 404, 'CATALOG_NOT_FOUND');
  });

  test('transitions from the wrong state are 409 INVALID_TRANSITION with the current status', async () => {
    const entry = await createEntry();
    const err = expectError(await as('authority', 'POST', `/catalogs/${entry.id}/approve`), 409, 'INVALID_TRANSITION');
    assert.deepEqual(err.details, { status: 'draft', action: 'approve' });
    await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
    expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`), 409, 'INVALID_TRANSITION');
    expectError(await as('police.editor', 'PUT', `/catalogs/${entry.id}`, entryBody()), 409, 'INVALID_TRANSITION');
    await as('authority', 'POST', `/catalogs/${entry.id}/approve`);
    expectError(await as('authority', 'POST', `/catalogs/${entry.id}/return`, { reasons: [{ message: '晚了' }] }), 409, 'INVALID_TRANSITION');
  });

  test('an unknown entry is 404 by id and by code', async () => {
    expectError(await as('hrss.consumer', 'GET', '/catalogs/00000000-0000-4000-8000-000000000000'), 404, 'CATALOG_NOT_FOUND');
    expectError(await as('hrss.consumer', 'GET', '/catalogs/101001000-X-000001'), 404, 'CATALOG_NOT_FOUND');
  });
});

describe('validation: every problem, each with its code and field', () => {
  async function problems(body: Body, username = 'police.editor'): Promise<Array<[string, string]>> {
    const err = expectError(await as(username, 'POST', '/catalogs', body), 400, 'CATALOG_ENTRY_INVALID');
    return (err.details as Problem[]).map((p) => {
      assert.ok(p.message && p.messageZh);
      return [p.code, p.field];
    });
  }

  test('share type rules', async () => {
    assert.deepEqual(await problems(entryBody({ shareType: 'none', shareMethods: [], shareCondition: undefined })), [['NON_SHARE_BASIS_REQUIRED', 'nonShareBasis']]);
    assert.deepEqual(await problems(entryBody({ shareCondition: '  ' })), [['SHARE_CONDITION_REQUIRED', 'shareCondition']]);
    assert.deepEqual(await problems(entryBody({ shareType: 'unconditional', shareMethods: [] })), [['SHARE_METHODS_REQUIRED', 'shareMethods']]);
    const none = await createEntry('police.editor', entryBody({ shareType: 'none', shareMethods: [], nonShareBasis: '《中华人民共和国居民身份证法》第十九条', items: entryBody().items.map((i) => ({ ...i })) }));
    assert.equal(none.shareType, 'none');
  });

  test('all problems at once: columns, key item, lengths, PII kinds, item share type, grade, category', async () => {
    const body = entryBody({
      category: '1-1-1',
      securityGrade: 'important',
      sensitivityLevel: 2,
      shareType: 'conditional',
      items: [
        { name: '编号', column: 'Bad-Name', dataType: 'integer' },
        { name: '选择', column: 'select', dataType: 'string', length: 10 },
        { name: '姓名', column: 'full_name', dataType: 'string' },
        { name: '姓名2', column: 'full_name', dataType: 'string', length: 4001 },
        { name: '金额', column: 'amount', dataType: 'decimal' },
        { name: '日期', column: 'day', dataType: 'date', length: 8 },
        { name: '宗教', column: 'religion', dataType: 'string', length: 10, piiKind: 'religion', shareType: 'unconditional' },
      ],
    });
    assert.deepEqual(await problems(body), [
      ['CATEGORY_INVALID', 'category'],
      ['SENSITIVITY_LEVEL_NOT_ALLOWED', 'sensitivityLevel'],
      ['KEY_ITEM_REQUIRED', 'items'],
      ['COLUMN_NAME_INVALID', 'items[0].column'],
      ['COLUMN_NAME_RESERVED', 'items[1].column'],
      ['LENGTH_REQUIRED', 'items[2].length'],
      ['COLUMN_NAME_DUPLICATE', 'items[3].column'],
      ['LENGTH_INVALID', 'items[3].length'],
      ['LENGTH_REQUIRED', 'items[4].length'],
      ['LENGTH_NOT_ALLOWED', 'items[5].length'],
      ['PII_KIND_UNKNOWN', 'items[6].piiKind'],
      ['ITEM_SHARE_TOO_OPEN', 'items[6].shareType'],
    ]);
  });

  test('data elements (数据元) and item grades: kept, checked, never above the entry', async () => {
    const items = [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id', dataElement: ' DE00001 ', securityGrade: 'general' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, dataElement: '' },
    ];
    const entry = await createEntry('police.editor', entryBody({ items }));
    assert.deepEqual(
      entry.items.map((i) => [i.dataElement, i.securityGrade]),
      [['DE00001', 'general'], [null, null]],
    );
    assert.deepEqual(
      await problems(entryBody({ items: [{ ...items[0]!, dataElement: '数据元一', securityGrade: 'core' }] })),
      [['ITEM_GRADE_ABOVE_ENTRY', 'items[0].securityGrade'], ['DATA_ELEMENT_INVALID', 'items[0].dataElement']],
    );
  });

  test('item count, sensitivity range and source systems', async () => {
    assert.deepEqual(await problems(entryBody({ items: [] })), [['ITEM_COUNT_INVALID', 'items']]);
    const many = Array.from({ length: 501 }, (_, i) => ({ name: `项${i}`, column: `c${i}`, dataType: 'integer', isKey: i === 0 }));
    assert.deepEqual(await problems(entryBody({ items: many })), [['ITEM_COUNT_INVALID', 'items']]);
    assert.deepEqual(await problems(entryBody({ sensitivityLevel: 5 })), [['SENSITIVITY_LEVEL_INVALID', 'sensitivityLevel']]);
    const marketSystem = json<InformationSystem>(await as('market.editor', 'POST', '/information-systems', { name: '企业登记系统' }));
    assert.deepEqual(await problems(entryBody({ sourceSystemIds: [marketSystem.id] })), [['SOURCE_SYSTEM_UNKNOWN', 'sourceSystemIds[0]']]);
  });

  test('the body shape is checked by the schema (unknown fields, wrong enums)', async () => {
    expectError(await as('police.editor', 'POST', '/catalogs', { ...entryBody(), extra: 1 }), 400, 'VALIDATION_FAILED');
    expectError(await as('police.editor', 'POST', '/catalogs', entryBody({ format: 'csv' })), 400, 'VALIDATION_FAILED');
  });

  test('a file or api entry needs no key item; codes count up per provider', async () => {
    const a = await createEntry('market.editor', entryBody({ format: 'file', items: [{ name: '许可证', column: 'licence', dataType: 'binary' }] }));
    const b = await createEntry('market.editor', entryBody({ format: 'api', category: '2-03-004-005', items: [{ name: '企业名称', column: 'name', dataType: 'string', length: 200 }] }));
    const seq = (code: string) => Number(code.split('-').at(-1));
    assert.equal(seq(b.code), seq(a.code) + 1);
    assert.match(b.code, /^203004005-/);
  });
});

describe('information systems', () => {
  test('registered by an editor for their organisation, listed for everyone, names unique per organisation', async () => {
    const created = await as('police.editor', 'POST', '/information-systems', { name: '交通违法处理系统' });
    assert.equal(created.statusCode, 201, created.body);
    const system = json<InformationSystem>(created);
    assert.equal(system.organisationId, org('青海省公安厅').id);
    expectError(await as('police.editor', 'POST', '/information-systems', { name: '交通违法处理系统' }), 409, 'SYSTEM_NAME_TAKEN');
    const list = json<{ items: InformationSystem[]; total: number }>(await as('hrss.consumer', 'GET', `/information-systems?organisationId=${system.organisationId}`));
    assert.ok(list.items.some((s) => s.id === system.id));
    assert.ok(list.items.every((s) => s.organisationId === system.organisationId));
  });
});

describe('information systems: change and delete', () => {
  test('the owner renames and deletes; names stay unique; a system in use cannot go; others are refused', async () => {
    const a = json<InformationSystem>(await as('police.editor', 'POST', '/information-systems', { name: '出入境管理系统' }));
    const b = json<InformationSystem>(await as('police.editor', 'POST', '/information-systems', { name: '户籍管理系统' }));
    const renamed = await as('police.editor', 'PUT', `/information-systems/${a.id}`, { name: '出入境证件管理系统', description: '护照与通行证' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(json<InformationSystem>(renamed).description, '护照与通行证');
    const read = json<InformationSystem>(await as('hrss.consumer', 'GET', `/information-systems/${a.id}`));
    assert.equal(read.name, '出入境证件管理系统');
    expectError(await as('police.editor', 'PUT', `/information-systems/${a.id}`, { name: '户籍管理系统' }), 409, 'SYSTEM_NAME_TAKEN');
    expectError(await as('market.editor', 'PUT', `/information-systems/${a.id}`, { name: '别人的系统' }), 403, 'NOT_PROVIDER');
    expectError(await as('market.editor', 'DELETE', `/information-systems/${a.id}`), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'DELETE', `/information-systems/${a.id}`), 403, 'FORBIDDEN');

    const entry = await createEntry('police.editor', entryBody({ sourceSystemIds: [b.id] }));
    const inUse = expectError(await as('police.editor', 'DELETE', `/information-systems/${b.id}`), 409, 'SYSTEM_IN_USE');
    assert.deepEqual(inUse.details, { codes: [entry.code] });

    assert.equal((await as('police.editor', 'DELETE', `/information-systems/${a.id}`)).statusCode, 204);
    expectError(await as('police.editor', 'GET', `/information-systems/${a.id}`), 404, 'SYSTEM_NOT_FOUND');
    expectError(await as('police.editor', 'DELETE', `/information-systems/${a.id}`), 404, 'SYSTEM_NOT_FOUND');
    assert.deepEqual(await ledgerActions(a.id), ['catalog.system.create', 'catalog.system.update', 'catalog.system.delete']);
  });
});

describe('identity.responsibleAuthority', () => {
  test('the most specific data authority covering the division, falling back to the province', async () => {
    const province = org('青海省政务服务监督管理局');
    assert.equal((await t.node.identity.responsibleAuthority(org('青海省公安厅').id))?.id, province.id);
    assert.equal((await t.node.identity.responsibleAuthority(org('西宁市城东区人民政府').id))?.id, org('西宁市政务服务监督管理局').id);
    assert.equal((await t.node.identity.responsibleAuthority(org('海东市人民政府').id))?.id, province.id);
    assert.equal(await t.node.identity.responsibleAuthority('00000000-0000-4000-8000-000000000000'), undefined);
  });
});

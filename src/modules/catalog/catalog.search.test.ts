import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { systemActor } from '../../core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../../core/config.js';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { Organisation } from '../identity/index.js';
import type { FacetName, Facets } from './catalog.repository.js';
import type { Highlight } from './catalog.search.js';
import type { CatalogEntry } from './catalog.service.js';

/**
 * Catalog search through HTTP, on the demo region (which has a published catalog of its own):
 * Chinese phrases, visibility of drafts, facets, filters, sort orders, highlights and bad input.
 */
let t: TestNode;
let organisations: Organisation[];
before(async () => {
  t = await build();
  const res = await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token: await t.login('authority') });
  organisations = (res.json() as { items: Organisation[] }).items;
  await t.node.identity.createUser(systemActor('test'), {
    username: 'xining.reviewer',
    displayName: '西宁审核员',
    organisationId: organisations.find((o) => o.name === '西宁市政务服务监督管理局')!.id,
    password: DEFAULT_DEMO_PASSWORD,
    roles: ['data_authority'],
  });
  // A user of an organisation that provides nothing: sees exactly the entries in force.
  await t.node.identity.createUser(systemActor('test'), {
    username: 'haidong.consumer',
    displayName: '海东用户',
    organisationId: organisations.find((o) => o.name === '海东市人民政府')!.id,
    password: DEFAULT_DEMO_PASSWORD,
    roles: ['consumer'],
  });
});
after(() => t.close());

type Hit = CatalogEntry & { highlights: Highlight[] };
interface SearchResult {
  items: Hit[];
  total: number;
  approximate: boolean;
  page: number;
  pageSize: number;
  facets: Facets;
}

async function as(username: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

async function search(username: string, query: Record<string, string | number>): Promise<SearchResult> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await as(username, 'GET', `/catalogs?${qs}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as SearchResult;
}

type Body = Record<string, unknown> & { items: Array<Record<string, unknown>> };

function body(overrides: Partial<Body> = {}): Body {
  return {
    name: '药品零售企业许可信息',
    summary: '全省药品零售企业许可证核发、变更和注销信息，用于药品经营监管和许可查验。',
    resourceType: 'department',
    category: '3-02-010',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['api'],
    openType: 'unconditional',
    updateCycle: 'weekly',
    securityGrade: 'general',
    items: [
      { name: '药品经营许可证编号', column: 'licence_no', dataType: 'string', length: 50, isKey: true },
      { name: '企业名称', column: 'enterprise_name', dataType: 'string', length: 200 },
      { name: '执业药师注册证编号', column: 'pharmacist_cert_no', dataType: 'string', length: 50 },
      { name: '发证日期', column: 'issued_on', dataType: 'date' },
    ],
    ...overrides,
  };
}

async function create(username: string, b: Body): Promise<CatalogEntry> {
  const res = await as(username, 'POST', '/catalogs', b);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as CatalogEntry;
}

async function publish(username: string, b: Body): Promise<CatalogEntry> {
  const entry = await create(username, b);
  assert.equal((await as(username, 'POST', `/catalogs/${entry.id}/submit`)).statusCode, 200);
  const res = await as('authority', 'POST', `/catalogs/${entry.id}/approve`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as CatalogEntry;
}

const ids = (r: SearchResult): string[] => r.items.map((e) => e.id);

function assertHighlightsMatch(hit: Hit, words: readonly string[]): void {
  assert.ok(hit.highlights.length > 0, `highlights for ${hit.name}`);
  for (const h of hit.highlights) {
    assert.ok(h.ranges.length > 0);
    for (const [start, end] of h.ranges) {
      assert.ok(start >= 0 && end > start && end <= h.text.length, `range [${start}, ${end}) inside ${h.text}`);
      const marked = h.text.slice(start, end);
      assert.ok(words.some((w) => marked.includes(w) || w.includes(marked)), `${marked} (in ${h.field} ${h.text}) is one of ${words.join(', ')}`);
    }
  }
}

describe('finding entries by a Chinese phrase', () => {
  test('a phrase from an info item finds the entry for another department, once it is published', async () => {
    const entry = await create('market.editor', body());
    const before = await search('hrss.consumer', { q: '执业药师' });
    assert.ok(!ids(before).includes(entry.id), 'a draft is not found by other departments');
    await as('market.editor', 'POST', `/catalogs/${entry.id}/submit`);
    assert.ok(!ids(await search('hrss.consumer', { q: '执业药师' })).includes(entry.id), 'nor once submitted');
    assert.equal((await as('authority', 'POST', `/catalogs/${entry.id}/approve`)).statusCode, 200);

    const found = await search('hrss.consumer', { q: '执业药师注册证' });
    const hit = found.items.find((e) => e.id === entry.id);
    assert.ok(hit, 'found once published');
    assert.equal(hit.status, 'published');
    const item = hit.highlights.find((h) => h.field === 'item');
    assert.deepEqual(item, { field: 'item', text: '执业药师注册证编号', ranges: [[0, 7]] });
    assertHighlightsMatch(hit, ['执业', '药师', '注册', '注册证']);
  });

  test('the summary is highlighted within a window around the first match', async () => {
    const long = `${'本数据资源'.repeat(40)}记录高原湿地候鸟迁徙观测结果${'并按季度更新'.repeat(30)}`;
    const entry = await publish('market.editor', body({ name: '湿地观测信息', summary: long, items: [{ name: '观测编号', column: 'obs_no', dataType: 'string', length: 20, isKey: true }] }));
    const hit = (await search('police.consumer', { q: '候鸟迁徙' })).items.find((e) => e.id === entry.id);
    assert.ok(hit);
    const summary = hit.highlights.find((h) => h.field === 'summary');
    assert.ok(summary);
    assert.ok(summary.text.length <= 160);
    assert.ok(long.includes(summary.text));
    assert.deepEqual(summary.ranges.map(([s, e]) => summary.text.slice(s, e)), ['候鸟迁徙']);
  });

  test('a name match ranks above an item match; relevance is the default order with q', async () => {
    const inName = await publish('market.editor', body({ name: '冰川冻土监测站点信息', items: [{ name: '站点编号', column: 'site_no', dataType: 'string', length: 20, isKey: true }] }));
    const inItem = await publish('market.editor', body({ name: '高原气象观测信息', items: [{ name: '站点编号', column: 'site_no', dataType: 'string', length: 20, isKey: true }, { name: '冰川冻土类型', column: 'glacier_kind', dataType: 'string', length: 20 }] }));
    const result = await search('hrss.consumer', { q: '冰川冻土' });
    const order = ids(result).filter((id) => id === inName.id || id === inItem.id);
    assert.deepEqual(order, [inName.id, inItem.id]);
    assertHighlightsMatch(result.items[0]!, ['冰川', '冻土']);
  });

  test('an exact code still finds its entry; a query of punctuation only finds nothing', async () => {
    const entry = await publish('market.editor', body({ name: '计量器具强制检定信息' }));
    const byCode = await search('hrss.consumer', { q: entry.code });
    assert.deepEqual(ids(byCode), [entry.id]);
    const none = await search('hrss.consumer', { q: '，。！' });
    assert.equal(none.total, 0);
  });

  test('the demo catalog is searchable: 公民身份号码 finds published entries of several departments', async () => {
    const result = await search('analyst', { q: '公民身份号码', pageSize: 50 });
    assert.ok(result.total >= 5, `total ${result.total}`);
    assert.ok(new Set(result.items.map((e) => e.provider.id)).size >= 3);
    for (const hit of result.items) {
      assert.equal(hit.status, 'published');
      assertHighlightsMatch(hit, ['公民', '身份', '号码']);
    }
  });
});

describe('visibility', () => {
  test('a draft is found by its provider organisation and its reviewing authority only', async () => {
    const draft = await create('police.editor', body({ name: '警用无人机飞行记录信息', category: '3-01-009' }));
    for (const username of ['police.editor', 'police.consumer', 'authority']) {
      const hit = (await search(username, { q: '无人机飞行' })).items.find((e) => e.id === draft.id);
      assert.ok(hit, `${username} finds the draft`);
      assert.equal(hit.status, 'draft');
    }
    for (const username of ['market.editor', 'hrss.consumer', 'xining.reviewer']) {
      assert.ok(!ids(await search(username, { q: '无人机飞行' })).includes(draft.id), `${username} does not`);
      assert.ok(!ids(await search(username, { status: 'draft', pageSize: 200 })).includes(draft.id));
    }
  });

  test('scope=reviewing is the review queue (others\' entries this authority reviews); scope=own is the caller\'s organisation\'s', async () => {
    const submitted = await create('police.editor', body({ name: '出入境证件签发信息', category: '3-01-010' }));
    assert.equal((await as('police.editor', 'POST', `/catalogs/${submitted.id}/submit`)).statusCode, 200);
    const queue = await search('authority', { scope: 'reviewing', status: 'submitted', pageSize: 200 });
    assert.ok(ids(queue).includes(submitted.id));
    assert.equal(queue.total, queue.items.length);
    const authorityOrg = queue.items[0]!.reviewerOrganisationId;
    assert.ok(queue.items.every((e) => e.status === 'submitted' && e.reviewerOrganisationId === authorityOrg && e.provider.id !== authorityOrg));
    const own = await search('police.editor', { scope: 'own', pageSize: 200 });
    assert.ok(ids(own).includes(submitted.id));
    assert.ok(own.items.every((e) => e.provider.id === submitted.provider.id));
    assert.equal((await search('market.editor', { scope: 'reviewing' })).total, 0, 'a department reviews nobody');
    assert.ok(!ids(await search('market.editor', { scope: 'own', pageSize: 200 })).includes(submitted.id));
  });

  test('while a new version is in review, others find the version in force and the provider the new one', async () => {
    const entry = await publish('police.editor', body({ name: '犬只登记信息', category: '3-01-010' }));
    const res = await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
    assert.equal(res.statusCode, 409); // published: a change is a new version, by PUT
    const changed = await t.request({ method: 'PUT', url: `/api/v1/catalogs/${entry.id}`, token: await t.login('police.editor'), payload: body({ name: '养犬登记信息', category: '3-01-010' }) });
    assert.equal(changed.statusCode, 200, changed.body);

    const outside = await search('hrss.consumer', { q: '犬只登记' });
    assert.equal(outside.items.find((e) => e.id === entry.id)?.version, 1);
    assert.ok(!ids(await search('hrss.consumer', { q: '养犬' })).includes(entry.id), 'the draft name is not visible outside');
    const inside = (await search('police.editor', { q: '养犬' })).items.find((e) => e.id === entry.id);
    assert.equal(inside?.version, 2);
    assert.equal(inside?.status, 'draft');
    assert.equal((await search('police.editor', { q: '犬只登记' })).items.filter((e) => e.id === entry.id).length, 0, 'one row per entry for insiders');
  });
});

describe('facets and filters', () => {
  const FACETS: FacetName[] = ['status', 'provider', 'resourceType', 'shareType', 'openType', 'updateCycle', 'securityGrade', 'category', 'format'];

  test('every facet is present with counts over the filtered set; providers are labelled', async () => {
    const result = await search('haidong.consumer', {});
    assert.ok(result.total >= 40, `total ${result.total}`);
    assert.equal(result.approximate, false, 'exact up to 1,000 matches');
    assert.deepEqual(Object.keys(result.facets).sort(), [...FACETS].sort());
    for (const name of FACETS) {
      const counts = result.facets[name];
      assert.ok(counts.length > 0, `${name} has values`);
      assert.ok(counts.every((c) => c.count > 0));
      assert.ok(counts.every((c, i) => i === 0 || counts[i - 1]!.count >= c.count), `${name} most frequent first`);
      if (name !== 'provider') assert.equal(counts.reduce((n, c) => n + c.count, 0), result.total, `${name} sums to the total`);
    }
    for (const p of result.facets.provider) assert.equal(p.label, organisations.find((o) => o.id === p.value)?.name);
    assert.ok(result.facets.category.every((c) => /^[1-9]$/.test(c.value)));
    assert.ok(result.facets.status.every((f) => f.value === 'published' || f.value === 'retired'), 'outsiders see only entries in force');
  });

  test('each filter narrows the set and the facets follow it', async () => {
    const all = await search('haidong.consumer', { pageSize: 200 });
    const cases: Array<[string, string, (e: CatalogEntry) => boolean]> = [
      ['shareType', 'conditional', (e) => e.shareType === 'conditional'],
      ['openType', 'none', (e) => e.openType === 'none'],
      ['resourceType', 'basic', (e) => e.resourceType === 'basic'],
      ['format', 'table', (e) => e.format === 'table'],
      ['updateCycle', 'daily', (e) => e.updateCycle === 'daily'],
      ['securityGrade', 'general', (e) => e.securityGrade === 'general'],
      ['category', '1', (e) => e.category.startsWith('1-')],
      ['category', '3-01', (e) => e.category.startsWith('3-01-')],
      ['provider', organisations.find((o) => o.name === '青海省公安厅')!.id, (e) => e.provider.name === '青海省公安厅'],
    ];
    for (const [key, value, holds] of cases) {
      const result = await search('haidong.consumer', { [key]: value, pageSize: 200 });
      assert.ok(result.total > 0, `${key}=${value} finds something`);
      assert.equal(result.total, all.items.filter(holds).length, `${key}=${value} total`);
      assert.ok(result.items.every(holds), `${key}=${value} items`);
      assert.equal(result.facets.status.reduce((n, c) => n + c.count, 0), result.total);
    }
    const combined = await search('haidong.consumer', { q: '信息', shareType: 'conditional', format: 'table', pageSize: 200 });
    assert.ok(combined.items.every((e) => e.shareType === 'conditional' && e.format === 'table'));
    assert.deepEqual(combined.facets.shareType.map((f) => f.value), ['conditional']);
  });

  test('sort orders: recent by default, name, relevance; pages do not overlap', async () => {
    const recent = await search('haidong.consumer', { pageSize: 200 });
    const times = recent.items.map((e) => Date.parse(e.updatedAt));
    assert.ok(times.every((x, i) => i === 0 || times[i - 1]! >= x), 'newest first');
    const byName = await search('haidong.consumer', { sort: 'name', pageSize: 200 });
    const names = byName.items.map((e) => e.name);
    assert.equal(names.length, recent.items.length);
    assert.notDeepEqual(names, recent.items.map((e) => e.name));
    assert.deepEqual(new Set(names), new Set(recent.items.map((e) => e.name)));
    const first = await search('haidong.consumer', { sort: 'name', pageSize: 10, page: 1 });
    const second = await search('haidong.consumer', { sort: 'name', pageSize: 10, page: 2 });
    assert.deepEqual([...ids(first), ...ids(second)], ids(byName).slice(0, 20));
    const recentWithQ = await search('haidong.consumer', { q: '信息', sort: 'recent', pageSize: 200 });
    const qTimes = recentWithQ.items.map((e) => Date.parse(e.updatedAt));
    assert.ok(qTimes.every((x, i) => i === 0 || qTimes[i - 1]! >= x));
    assert.ok((await search('haidong.consumer', {})).items.every((e) => (e as Hit).highlights.length === 0), 'no highlights without q');
  });
});

describe('bad input', () => {
  test('refused with 400 VALIDATION_FAILED: q too long, unknown enum, unknown sort, malformed category or provider', async () => {
    for (const query of [`q=${'数'.repeat(201)}`, 'shareType=public', 'sort=popular', 'category=1-1', 'category=1-01%25', 'provider=x', 'updateCycle=hourly', 'securityGrade=secret', 'pageSize=500', 'scope=all']) {
      const res = await as('hrss.consumer', 'GET', `/catalogs?${query.replace(/^q=(.*)$/, (_, v: string) => `q=${encodeURIComponent(v)}`)}`);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(errorCode(res), 'VALIDATION_FAILED', query);
    }
    const res = await t.request({ method: 'GET', url: '/api/v1/catalogs?q=%E4%BF%A1%E6%81%AF' });
    assert.equal(res.statusCode, 401);
  });

  test('quotes, backslashes and tsquery operators in q are plain text', async () => {
    for (const q of ["'", '\\', '!&|()<->:*', "身份' | '证", 'a & b']) {
      const result = await search('hrss.consumer', { q });
      assert.ok(result.total >= 0);
    }
  });
});

describe('past 1,000 matches', () => {
  test('the total and facets are estimated (approximate: true) and a page is still ranked and highlighted', async () => {
    const stats = organisations.find((o) => o.name === '青海省统计局')!;
    const db = t.node.db.kysely;
    // Bulk rows straight into the tables: the triggers keep catalog_search in step as for any writer.
    await sql`
      insert into catalog_entries (code, provider_id, provider_name, provider_code, seq, version, status, published_version)
      select 'bulk-' || i, ${stats.id}, ${stats.name}, ${stats.code}, 100000 + i, 1, 'published', 1 from generate_series(1, 4000) i`.execute(db);
    await sql`
      insert into catalog_versions (entry_id, version, status, content, name, summary, resource_type, format, share_type, open_type,
        update_cycle, security_grade, category, search_vector)
      select e.id, 1, 'published',
        jsonb_build_object('name', '抽样调查样本' || e.seq, 'summary', '全省抽样调查样本数据', 'resourceType', 'thematic', 'category', '2-17-002',
          'format', 'file', 'shareType', 'unconditional', 'shareCondition', null, 'nonShareBasis', null, 'shareMethods', jsonb_build_array('file'),
          'openType', 'unconditional', 'updateCycle', 'yearly', 'securityGrade', 'general', 'sensitivityLevel', null,
          'sourceSystemIds', jsonb_build_array(), 'items', jsonb_build_array()),
        '抽样调查样本' || e.seq, '全省抽样调查样本数据', 'thematic', 'file', 'unconditional', 'unconditional', 'yearly', 'general', '2-17-002',
        '''抽样'':1A ''调查'':2A ''样本'':3A ''全省'':5C'::tsvector
      from catalog_entries e where e.code like 'bulk-%'`.execute(db);
    // The estimate reads a sample sized by the planner's row count (a table smaller than the sample is counted whole).
    await sql`analyze catalog_search`.execute(db);
    const result = await search('haidong.consumer', { q: '抽样调查' });
    assert.equal(result.approximate, true);
    assert.ok(result.total > 3400 && result.total < 4600, `total ${result.total}`);
    assert.equal(result.items.length, 20);
    assert.ok(result.facets.provider.some((p) => p.value === stats.id && p.count > 3400));
    for (const hit of result.items) assertHighlightsMatch(hit, ['抽样', '调查']);
    const exact = await t.node.catalog.list(
      { type: 'user', id: stats.id, username: 'x', organisationId: organisations.find((o) => o.name === '海东市人民政府')!.id, roles: ['consumer'], sessionId: 'x' },
      { q: '抽样调查', exact: true },
      { page: 1, pageSize: 20, offset: 0, limit: 20 },
    );
    assert.equal(exact.approximate, false);
    assert.ok(exact.total >= 4000);

    // Dense matches are found by walking the order's index: the same pages as the exact plan.
    const consumer = { type: 'user' as const, id: stats.id, username: 'x', organisationId: organisations.find((o) => o.name === '海东市人民政府')!.id, roles: ['consumer' as const], sessionId: 'x' };
    for (const sort of ['recent', 'name'] as const) {
      for (const pageNo of [1, 3]) {
        const paging = { page: pageNo, pageSize: 20, offset: (pageNo - 1) * 20, limit: 20 };
        const walked = await t.node.catalog.list(consumer, { q: '抽样调查', sort }, paging);
        const counted = await t.node.catalog.list(consumer, { q: '抽样调查', sort, exact: true }, paging);
        assert.equal(walked.approximate, true);
        assert.deepEqual(walked.items.map((e) => e.id), counted.items.map((e) => e.id), `sort=${sort} page ${pageNo}`);
      }
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import type { Access } from '../src/core/auth/access.js';
import type { Role } from '../src/core/auth/roles.js';
import { completeResidentId, completeUscc } from '../src/core/codes/index.js';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { sm3Hex } from '../src/core/crypto/index.js';
import { DEMO_ORGANISATIONS, DEMO_USERS } from '../src/demo/qinghai.js';
import type { CatalogEntry, InformationSystem } from '../src/modules/catalog/index.js';
import type { Connector } from '../src/modules/connectors/index.js';
import type { Organisation } from '../src/modules/identity/index.js';
import type { Notification } from '../src/modules/notifications/index.js';
import type { LoadResult, Resource } from '../src/modules/resources/index.js';
import type { Application, Grant } from '../src/modules/sharing/index.js';
import type { Demand, Objection } from '../src/modules/sharing/index.js';
import type { Export } from '../src/modules/sharing/exports/index.js';
import { openHttpSource, json as sendJson, type HttpSource } from './fixtures/sources.js';
import { build, errorCode, signedHeaders, type TestNode } from './helper.js';

/**
 * The third dimension of test/routes.test.ts: a signed-in user of ANOTHER organisation, holding a
 * role the route allows, calls the route with the id of an object the police (公安厅) owns. Without
 * a grant that is refused — 403 or 404 with a stable code — and nothing changes. Where a route shows
 * or changes another organisation's object on purpose, it is in ALLOWED below with its reason, and
 * the allowlisted calls are made and must succeed, so the list cannot rot.
 *
 * Every route is covered from the route table: a path parameter names an object by the segment
 * before it (`catalogs/:id`, `loads/:loadId`), and FIXTURES holds a police-owned object for each. A
 * new route with a parameter no fixture covers fails here until one is added; a new route that takes
 * a body fails until REQUESTS holds a valid one (a 400 from validation proves no ownership check).
 *
 * Who calls: every demo user outside the police, the platform-wide ones included, and a data
 * authority that is not responsible for the police (西宁). Roles that see across organisations by
 * design (DESIGN §3, DECISIONS 6, 13, 14, 20–22) do so only for the duties listed in ALLOWED:
 * - data_authority: reviews and reads the data of the organisations it is *responsible* for
 *   (identity.responsibleAuthority) — any other data authority is an outsider like the rest;
 * - platform_admin: keeps organisations, accounts and the node's working-day calendar;
 * - security_admin: grants roles, unlocks accounts, sees and revokes every app credential;
 * - audit_admin: reads accounts and the whole ledger.
 * None of them reads catalog drafts, data, connectors or notifications of another organisation.
 */
const OWNER = 'police';

let t: TestNode;
let upstream: HttpSource;

// ---------------------------------------------------------------- who calls

interface Caller {
  username: string;
  organisation: string;
  roles: readonly Role[];
}

/** A data authority, but of 西宁: the police (provincial) are reviewed by the provincial authority, not by it. */
const XINING_REVIEWER: Caller = { username: 'xining.reviewer', organisation: 'xining.authority', roles: ['data_authority'] };
const CALLERS: readonly Caller[] = [...DEMO_USERS.filter((u) => u.organisation !== OWNER), XINING_REVIEWER];

const mayCall = (caller: Caller, access: Access): boolean =>
  'user' in access || ('roles' in access && access.roles.some((r) => caller.roles.includes(r)));

interface Callers {
  label: string;
  match(caller: Caller): boolean;
}
const EVERYONE: Callers = { label: 'every signed-in user', match: () => true };
/** The provincial authority (checked in `before` to be the one identity names for the police). */
const RESPONSIBLE_AUTHORITY: Callers = {
  label: "the police's responsible data authority",
  match: (c) => c.organisation === 'authority' && c.roles.includes('data_authority'),
};
const holding = (...roles: Role[]): Callers => ({ label: roles.join(' or '), match: (c) => c.roles.some((r) => roles.includes(r)) });
/** The users of one organisation holding a role (a party to an application or grant). */
const member = (organisation: string, role: Role): Callers => ({ label: `${role} of ${organisation}`, match: (c) => c.organisation === organisation && c.roles.includes(role) });
const MARKET_APPROVER = member('market', 'provider_approver');
const MARKET_CONSUMER = member('market', 'consumer');

// ---------------------------------------------------------------- the police's world

const ID1 = completeResidentId('63010219900307001');
const USCC = completeUscc('91630000MA7XYQ12A');
const DRAFT_NAME = '矩阵测试草稿目录';
const PENDING_NAME = '矩阵测试未发布修订';
const ROW_NAME = '矩阵甲某';
const FILE_TEXT = '公安厅内部文件正文（矩阵测试）';
const API_SECRET = 'Bearer police-upstream-secret-5d1c';
const CONNECTOR_SECRET = 'police-connector-secret-93be';
const CLERK_NAME = '矩阵测试警员';
const POLICE_WEBHOOK = 'https://police-receiver.example/matrix-hook';
let policeSubscriptionId: string;
const OVERRIDE_DATE = '2026-10-09';

interface World {
  police: Organisation;
  system: InformationSystem;
  draft: CatalogEntry;
  published: CatalogEntry;
  apiEntry: CatalogEntry;
  fileEntry: CatalogEntry;
  toApprove: CatalogEntry;
  toReturn: CatalogEntry;
  toRetire: CatalogEntry;
  table: Resource;
  api: Resource;
  file: Resource;
  loadId: string;
  connector: Connector;
  notification: Notification;
  app: { id: string; appKey: string; secret: string };
  marketApp: { id: string; appKey: string; secret: string };
  clerk: { id: string };
  seq: number;
  sharing: SharingWorld;
  demandsObjections: DemandsObjectionsWorld;
}

/**
 * Applications and grants (共享申请与授权) with the police on either side: as applicant/consumer of
 * market (市场监管局) entries, and as provider to market. The probes are the objects the allowed
 * changes are made on, so that the fixtures stay as they were.
 */
interface SharingWorld {
  /** police → market, pending (general data). */
  policeApplication: Application;
  /** market → police, pending. */
  applicationToPolice: Application;
  /** police consumes a market entry. */
  policeGrant: Grant;
  /** market consumes a police entry. */
  grantOfPoliceData: Grant;
  probes: {
    approve: Application;
    reject: Application;
    countersign: Application;
    withdraw: Application;
    patch: Grant;
    revokeByProvider: Grant;
    revokeByAuthority: Grant;
    revokeByConsumer: Grant;
    /** market consumes a police entry with a table: it may subscribe to the feed. */
    subscribe: Grant;
  };
}
let w: World;
/** The police's objects as they read before any outsider called (see snapshot). */
let original: Record<string, unknown>;

/** What no outsider may ever see in a successful answer: police's unpublished content, its data, its ids. */
let privateMarkers: Record<string, string>;
/** What nobody but its owner may see, whatever their duties: credentials. */
const secrets = (): Record<string, string> => ({ 'api resource credential': API_SECRET, 'connector secret': CONNECTOR_SECRET, 'police app secret': w.app.secret });

const entryBody = (name: string, format: 'table' | 'api' | 'file', extra: Record<string, unknown> = {}) => ({
  name,
  summary: '跨部门拒绝矩阵使用的测试目录。',
  resourceType: 'department',
  category: '1-01-001',
  format,
  shareType: 'conditional',
  shareCondition: '用于政务服务身份核验',
  shareMethods: [format],
  openType: 'none',
  updateCycle: 'daily',
  securityGrade: 'general',
  items: [
    { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
    { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  ],
  ...extra,
});
const connectorBody = (name: string, secret?: string) => ({
  name,
  kind: 'http',
  config: { url: `${upstream.url}/people`, itemsPath: 'items', ...(secret ? { secretHeader: 'X-Api-Key' } : {}) },
  ...(secret ? { secret } : {}),
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(username: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>) {
  return t.request({
    method,
    url: `/api/v1${url}`,
    token: await t.login(username),
    ...(payload === undefined ? {} : { payload: payload as string }),
    ...(headers ? { headers } : {}),
  });
}
async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return (r.body === '' ? undefined : r.json()) as T;
}
async function publish(name: string, format: 'table' | 'api' | 'file', extra: Record<string, unknown> = {}, editor = 'police.editor'): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(as(editor, 'POST', '/catalogs', entryBody(name, format, extra)), 201);
  await ok(as(editor, 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

const POLICE_PURPOSE = '矩阵测试公安厅申请用途';
const UNCONDITIONAL = { shareType: 'unconditional', shareCondition: undefined };

/** The police and market applying to each other's entries, and the grants that come of it. */
async function sharingWorld(): Promise<SharingWorld> {
  const validUntil = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const apply = (username: string, entry: CatalogEntry, purpose: string) =>
    ok<Application>(as(username, 'POST', '/applications', { catalogId: entry.id, purpose, legalBasis: '矩阵测试依据', scenario: '矩阵测试场景', methods: [entry.shareMethods[0]], validUntil }), 201);
  const grantOf = (app: Application, username: string) => ok<Grant>(as(username, 'GET', `/grants/${app.grantId}`));
  const market = (name: string, extra: Record<string, unknown> = {}) => publish(name, 'table', extra, 'market.editor');
  const police = (name: string, extra: Record<string, unknown> = {}) => publish(name, 'table', extra);
  const byPolice = (entry: CatalogEntry) => apply('police.consumer', entry, POLICE_PURPOSE);
  const byMarket = (entry: CatalogEntry) => apply('market.consumer', entry, '矩阵测试市场监管局申请用途');

  const countersign = await byPolice(await market('矩阵测试市场重要数据', { securityGrade: 'important' }));
  await ok(as('market.approver', 'POST', `/applications/${countersign.id}/approve`, {}));
  return {
    policeApplication: await byPolice(await market('矩阵测试市场有条件目录')),
    applicationToPolice: await byMarket(await police('矩阵测试公安有条件目录')),
    policeGrant: await grantOf(await byPolice(await market('矩阵测试市场无条件目录', UNCONDITIONAL)), 'police.consumer'),
    grantOfPoliceData: await grantOf(await byMarket(await police('矩阵测试公安无条件目录', UNCONDITIONAL)), 'market.consumer'),
    probes: {
      approve: await byPolice(await market('矩阵测试待同意目录')),
      reject: await byPolice(await market('矩阵测试待拒绝目录')),
      countersign,
      withdraw: await byMarket(await police('矩阵测试待撤回申请目录')),
      patch: await grantOf(await byPolice(await market('矩阵测试待改授权目录', UNCONDITIONAL)), 'police.consumer'),
      revokeByProvider: await grantOf(await byPolice(await market('矩阵测试提供方撤销目录', UNCONDITIONAL)), 'police.consumer'),
      revokeByAuthority: await grantOf(await byPolice(await market('矩阵测试主管部门撤销目录', UNCONDITIONAL)), 'police.consumer'),
      revokeByConsumer: await grantOf(await byMarket(await police('矩阵测试使用方放弃目录', UNCONDITIONAL)), 'market.consumer'),
      subscribe: await (async () => {
        const entry = await police('矩阵测试订阅目录', UNCONDITIONAL);
        await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' }), 201);
        return grantOf(await byMarket(entry), 'market.consumer');
      })(),
    },
  };
}

/**
 * Exports (文件共享), both ready: the police's export of a market entry it holds a file grant for, and
 * market's export of a police entry. Kept apart from World so that the sharing fixtures stay as they were.
 */
interface ExportWorld {
  policeExport: Export;
  exportOfPoliceData: Export;
}
let ex: ExportWorld;

async function exportWorld(): Promise<ExportWorld> {
  const validUntil = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const fileEntry = async (name: string, editor: string): Promise<CatalogEntry> => {
    const entry = await publish(name, 'table', { ...UNCONDITIONAL, shareMethods: ['file'] }, editor);
    const table = await ok<Resource>(as(editor, 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' }), 201);
    await ok(as(editor, 'POST', `/resources/${table.id}/data`, `resident_id,full_name\r\n${completeResidentId('63010219850512002')},${name}\r\n`, { 'content-type': 'text/csv; charset=utf-8' }));
    return entry;
  };
  const exportAs = async (username: string, entry: CatalogEntry): Promise<Export> => {
    const app = await ok<Application>(
      as(username, 'POST', '/applications', { catalogId: entry.id, purpose: '矩阵测试导出用途', legalBasis: '矩阵测试依据', scenario: '矩阵测试场景', methods: ['file'], validUntil }),
      201,
    );
    return ok<Export>(as(username, 'POST', '/exports', { grantId: app.grantId, format: 'csv' }), 202);
  };
  const policeExport = await exportAs('police.consumer', await fileEntry('矩阵测试市场导出目录', 'market.editor'));
  const exportOfPoliceData = await exportAs('market.consumer', await fileEntry('矩阵测试公安导出目录', 'police.editor'));
  await t.node.jobs.tick();
  assert.equal((await ok<Export>(as('police.consumer', 'GET', `/exports/${policeExport.id}`))).status, 'ready');
  return { policeExport, exportOfPoliceData };
}

/**
 * Demands and objections (数据需求、异议) with the police on either side: a police demand routed to
 * market and a market demand routed to the police; objections by the police to market's data and
 * refusal, and by market to the police's. The probes are the objects the allowed changes are made on.
 */
interface DemandsObjectionsWorld {
  marketOrgId: string;
  policeDemand: Demand;
  demandToPolice: Demand;
  policeDataObjection: Objection;
  objectionToPoliceData: Objection;
  policeRefusalObjection: Objection;
  objectionToPoliceRefusal: Objection;
  probes: { route: Demand; answer: Demand; withdraw: Demand; resolve: Objection; arbitrate: Objection; withdrawObjection: Objection };
}
const POLICE_DEMAND_TITLE = '矩阵测试公安厅数据需求';

async function demandsObjectionsWorld(sharing: SharingWorld, policeOrgId: string, marketOrgId: string): Promise<DemandsObjectionsWorld> {
  const file = (username: string, title: string) => ok<Demand>(as(username, 'POST', '/demands', { title, description: '矩阵测试需求描述', purpose: '矩阵测试需求用途' }), 201);
  const routed = async (username: string, title: string, providerOrgId: string) =>
    ok<Demand>(as('authority', 'POST', `/demands/${(await file(username, title)).id}/route`, { providerOrgId }));
  // One open objection per grant and set of record keys: each its own key.
  const dataObjection = (username: string, grant: Grant, recordKey = '矩阵测试记录键') =>
    ok<Objection>(as(username, 'POST', '/objections', { kind: 'data', grantId: grant.id, recordKey: [recordKey], items: ['full_name'], description: '矩阵测试数据异议' }), 201);
  const validUntil = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  /** An application refused by the provider, objected to by the applicant. */
  const refusalObjection = async (consumer: string, approver: string, entry: CatalogEntry) => {
    const app = await ok<Application>(
      as(consumer, 'POST', '/applications', { catalogId: entry.id, purpose: '矩阵测试被拒申请', legalBasis: '矩阵测试依据', scenario: '矩阵测试场景', methods: ['table'], validUntil }),
      201,
    );
    await ok(as(approver, 'POST', `/applications/${app.id}/reject`, { reason: '矩阵测试拒绝', legalBasis: '矩阵测试依据' }));
    return ok<Objection>(as(consumer, 'POST', '/objections', { kind: 'refusal', applicationId: app.id, reason: '矩阵测试拒绝异议' }), 201);
  };
  const byPolice = async (name: string) => refusalObjection('police.consumer', 'market.approver', await publish(name, 'table', {}, 'market.editor'));
  return {
    marketOrgId,
    policeDemand: await routed('police.consumer', POLICE_DEMAND_TITLE, marketOrgId),
    demandToPolice: await routed('market.consumer', '矩阵测试市场监管局数据需求', policeOrgId),
    policeDataObjection: await dataObjection('police.consumer', sharing.policeGrant),
    objectionToPoliceData: await dataObjection('market.consumer', sharing.grantOfPoliceData),
    policeRefusalObjection: await byPolice('矩阵测试市场拒绝目录'),
    objectionToPoliceRefusal: await refusalObjection('market.consumer', 'police.approver', await publish('矩阵测试公安拒绝目录', 'table')),
    probes: {
      route: await file('police.consumer', '矩阵测试待分派需求'),
      answer: await routed('police.consumer', '矩阵测试待答复需求', marketOrgId),
      withdraw: await routed('market.consumer', '矩阵测试待撤回需求', policeOrgId),
      resolve: await dataObjection('police.consumer', sharing.policeGrant, '矩阵测试待处理记录键'),
      withdrawObjection: await dataObjection('market.consumer', sharing.grantOfPoliceData, '矩阵测试待撤回记录键'),
      arbitrate: await byPolice('矩阵测试待仲裁拒绝目录'),
    },
  };
}

before(async () => {
  upstream = await openHttpSource();
  upstream.handle((_url, _req, res) => sendJson(res, { items: [] }));
  // Connectors and api resources may reach the local upstream (as in the connector tests).
  t = await build(undefined, { config: { connectorHosts: ['127.0.0.1'] }, node: { housekeeping: false } });

  const organisations = (await ok<{ items: Organisation[] }>(as('police.editor', 'GET', '/organisations?pageSize=200'))).items;
  const org = (key: string) => organisations.find((o) => o.name === DEMO_ORGANISATIONS.find((d) => d.key === key)!.name)!;
  const police = org(OWNER);
  assert.equal((await t.node.identity.responsibleAuthority(police.id))?.id, org('authority').id, 'the provincial authority reviews the police');
  assert.notEqual((await t.node.identity.responsibleAuthority(police.id))?.id, org('xining.authority').id);

  // Accounts, made as administrators make them: a 西宁 reviewer, and a police account to act on.
  const reviewer = await ok<{ id: string }>(
    as('admin', 'POST', '/users', { username: XINING_REVIEWER.username, displayName: '西宁审核员', organisationId: org('xining.authority').id, password: DEFAULT_DEMO_PASSWORD }),
    201,
  );
  await ok(as('secadmin', 'PUT', `/users/${reviewer.id}/roles`, { roles: ['data_authority'] }));
  const clerk = await ok<{ id: string }>(as('admin', 'POST', '/users', { username: 'police.clerk', displayName: CLERK_NAME, organisationId: police.id, password: DEFAULT_DEMO_PASSWORD }), 201);
  await ok(as('secadmin', 'PUT', `/users/${clerk.id}/roles`, { roles: ['consumer'] }));
  // Each caller signs in once (scrypt is the slow part, and runs off the main thread).
  await Promise.all(['police.editor', ...CALLERS.map((c) => c.username)].map((u) => t.login(u)));

  // The police's catalog: a source system, a draft, entries published (one with a pending new draft),
  // entries waiting for review, and their resources.
  const system = await ok<InformationSystem>(as('police.editor', 'POST', '/information-systems', { name: '矩阵测试人口系统', description: '测试用' }), 201);
  const draft = await ok<CatalogEntry>(as('police.editor', 'POST', '/catalogs', entryBody(DRAFT_NAME, 'table', { sourceSystemIds: [system.id] })), 201);
  const published = await publish('矩阵测试人口台账', 'table');
  const apiEntry = await publish('矩阵测试核验接口', 'api');
  const fileEntry = await publish('矩阵测试统计文件', 'file');
  const toRetire = await publish('矩阵测试待撤销目录', 'file');
  const toApprove = await ok<CatalogEntry>(as('police.editor', 'POST', '/catalogs', entryBody('矩阵测试待审目录', 'file')), 201);
  await ok(as('police.editor', 'POST', `/catalogs/${toApprove.id}/submit`));
  const toReturn = await ok<CatalogEntry>(as('police.editor', 'POST', '/catalogs', entryBody('矩阵测试待退回目录', 'file')), 201);
  await ok(as('police.editor', 'POST', `/catalogs/${toReturn.id}/submit`));

  const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${published.id}/resources`, { kind: 'table' }), 201);
  const api = await ok<Resource>(
    as('police.editor', 'POST', `/catalogs/${apiEntry.id}/resources`, { kind: 'api', api: { url: `${upstream.url}/v1`, method: 'GET', secretHeader: { name: 'Authorization', value: API_SECRET } } }),
    201,
  );
  const file = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${fileEntry.id}/resources`, { kind: 'file' }), 201);
  await ok(as('police.editor', 'POST', `/resources/${file.id}/files?name=${encodeURIComponent('矩阵.txt')}`, FILE_TEXT, { 'content-type': 'text/plain; charset=utf-8' }), 201);
  const loaded = await ok<LoadResult>(
    as('police.editor', 'POST', `/resources/${table.id}/data`, `resident_id,full_name\r\n${ID1},${ROW_NAME}\r\n`, { 'content-type': 'text/csv; charset=utf-8' }),
  );
  assert.equal(loaded.inserted, 1);
  const connector = await ok<Connector>(as('police.editor', 'POST', `/resources/${table.id}/connectors`, connectorBody('矩阵测试连接器', CONNECTOR_SECRET)), 201);
  // Published, then changed: version 2 is a draft that only the police and its reviewer see.
  await ok(as('police.editor', 'PUT', `/catalogs/${published.id}`, entryBody(PENDING_NAME, 'table')));

  const notification = (await ok<{ items: Notification[] }>(as('police.editor', 'GET', '/notifications?pageSize=200'))).items[0]!;
  assert.ok(notification, 'publishing told the police editor');
  const app = await ok<World['app']>(as('police.editor', 'POST', '/apps', { name: '矩阵测试推送' }), 201);
  const marketApp = await ok<World['marketApp']>(as('market.editor', 'POST', '/apps', { name: '市场系统（矩阵测试）' }), 201);
  const sharing = await sharingWorld();
  const demandsObjections = await demandsObjectionsWorld(sharing, police.id, org('market').id);
  ex = await exportWorld();
  // A webhook subscription of the police's (its grant is on market's data, which has no table to feed
  // yet, so it is written as the service would write it).
  policeSubscriptionId = (
    await t.node.db.kysely
      .insertInto('feed_subscriptions')
      .values({
        grant_id: sharing.policeGrant.id,
        consumer_org_id: police.id,
        provider_org_id: sharing.policeGrant.providerId,
        authority_org_id: (await t.node.db.kysely.selectFrom('share_grants').select('authority_org_id').where('id', '=', sharing.policeGrant.id).executeTakeFirstOrThrow()).authority_org_id,
        catalog_code: sharing.policeGrant.catalog.code,
        url: POLICE_WEBHOOK,
        secret: 'sealed',
        status: 'active',
        cursor: 0,
        created_by: clerk.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

  await t.node.ledger.flush();
  const seq = (await t.node.ledger.entries({ subjectId: draft.id }, 1, 10)).items.find((e) => e.entry.action === 'catalog.entry.create')!.seq;

  w = { police, system, draft, published, apiEntry, fileEntry, toApprove, toReturn, toRetire, table, api, file, loadId: loaded.loadId!, connector, notification, app, marketApp, clerk, seq, sharing, demandsObjections };
  privateMarkers = {
    'draft entry id': draft.id,
    'draft entry code': draft.code,
    'draft entry name': DRAFT_NAME,
    'pending version name': PENDING_NAME,
    'submitted entry id': toApprove.id,
    'returned-to-be entry id': toReturn.id,
    'table row': ROW_NAME,
    'file content': FILE_TEXT,
    'load id': w.loadId,
    'connector id': connector.id,
    'notification id': notification.id,
    'police app id': app.id,
    'police app key': app.appKey,
    'police application id': sharing.policeApplication.id,
    'police application purpose': POLICE_PURPOSE,
    'police grant id': sharing.policeGrant.id,
    'police demand id': demandsObjections.policeDemand.id,
    'police demand title': POLICE_DEMAND_TITLE,
    'police data objection id': demandsObjections.policeDataObjection.id,
    'police export id': ex.policeExport.id,
    'police webhook address': POLICE_WEBHOOK,
    ...secrets(),
  };
  original = await snapshot();
});
after(async () => {
  await t?.close();
  await upstream?.close();
});

// ---------------------------------------------------------------- objects and requests, per route

interface Variant {
  name: string;
  value: () => string;
}

/**
 * The police-owned object a path parameter names, by the segment before it. `:id` means a catalog
 * entry under /catalogs and a connector under /connectors; a new kind of object needs a line here.
 */
const FIXTURES: Record<string, Variant[]> = {
  'catalogs/:id': [
    { name: 'draft entry', value: () => w.draft.id },
    { name: 'draft entry (by code)', value: () => w.draft.code },
    { name: 'published entry', value: () => w.published.id },
  ],
  'resources/:id': [
    { name: 'table resource', value: () => w.table.id },
    { name: 'api resource', value: () => w.api.id },
    { name: 'file resource', value: () => w.file.id },
  ],
  'loads/:loadId': [{ name: 'load', value: () => w.loadId }],
  'files/:version': [{ name: 'file version 1', value: () => '1' }],
  'connectors/:id': [{ name: 'connector', value: () => w.connector.id }],
  'information-systems/:id': [{ name: 'information system', value: () => w.system.id }],
  'notifications/:id': [{ name: "the police editor's notification", value: () => w.notification.id }],
  'apps/:id': [{ name: 'police app credential', value: () => w.app.id }],
  'users/:id': [{ name: 'police account', value: () => w.clerk.id }],
  'organisations/:id': [{ name: 'the police', value: () => w.police.id }],
  'person/:idNumber': [{ name: "a resident in the police's table", value: () => ID1 }],
  'enterprise/:uscc': [{ name: 'an enterprise', value: () => USCC }],
  // The working-day calendar is the node's: no organisation owns a date.
  'overrides/:date': [{ name: 'a date', value: () => OVERRIDE_DATE }],
  'entries/:seq': [{ name: "the ledger entry of the police's draft", value: () => String(w.seq) }],
  // The police as applicant (to market), and as provider (market applies): each has three parties.
  'applications/:id': [
    { name: 'police application', value: () => w.sharing.policeApplication.id },
    { name: 'application to the police', value: () => w.sharing.applicationToPolice.id },
  ],
  'grants/:id': [
    { name: 'police grant', value: () => w.sharing.policeGrant.id },
    { name: 'grant of police data', value: () => w.sharing.grantOfPoliceData.id },
  ],
  // The police's export of market data (the police asked), and market's export of police data.
  'exports/:id': [
    { name: 'police export', value: () => ex.policeExport.id },
    { name: 'export of police data', value: () => ex.exportOfPoliceData.id },
  ],
  // ---- the sharing gateway (/share/{catalogCode}, signed): police entries by catalog code, on which
  // market's app holds no grant (its grant is for another police entry) ----
  'subscriptions/:id': [{ name: 'police subscription', value: () => policeSubscriptionId }],
  'feeds/:catalogCode': [{ name: 'police table entry (by code)', value: () => w.published.code }],
  // The police as requester (routed to market) and as the organisation a demand is routed to.
  'demands/:id': [
    { name: 'police demand', value: () => w.demandsObjections.policeDemand.id },
    { name: 'demand routed to the police', value: () => w.demandsObjections.demandToPolice.id },
  ],
  // The police objecting (to market's data, to market's refusal), and objected to by market.
  'objections/:id': [
    { name: 'police data objection', value: () => w.demandsObjections.policeDataObjection.id },
    { name: 'objection to police data', value: () => w.demandsObjections.objectionToPoliceData.id },
    { name: 'police refusal objection', value: () => w.demandsObjections.policeRefusalObjection.id },
    { name: 'objection to a police refusal', value: () => w.demandsObjections.objectionToPoliceRefusal.id },
  ],
  'share/:catalogCode': [
    { name: 'police table entry (by code)', value: () => w.published.code },
    { name: 'police api entry (by code)', value: () => w.apiEntry.code },
  ],
};

/** Routes about one kind of resource take only that kind (another kind would answer 409 for its owner too). */
const RESOURCE_KIND: Array<[RegExp, string]> = [
  [/^\/api\/v1\/resources\/:id\/(data|push|loads|rows|changes|connectors)(\/|$)/, 'table resource'],
  [/^\/api\/v1\/resources\/:id\/(api|invoke)$/, 'api resource'],
  [/^\/api\/v1\/resources\/:id\/files(\/|$)/, 'file resource'],
];

interface Bound {
  name: string;
  values: Record<string, string>;
}

function paramKeys(url: string): Array<{ param: string; key: string }> {
  const segments = url.split('/');
  return segments.flatMap((s, i) => (s.startsWith(':') ? [{ param: s.slice(1), key: `${segments[i - 1]}/${s}` }] : []));
}

/** Every combination of fixtures for the route's parameters; throws naming what is missing. */
function variantsOf(url: string): Bound[] {
  let bound: Bound[] = [{ name: '', values: {} }];
  for (const { param, key } of paramKeys(url)) {
    let options = FIXTURES[key];
    if (!options) throw new Error(`${url}: no police-owned fixture for ${key}; add one to FIXTURES in test/cross-org.test.ts`);
    const kind = key === 'resources/:id' ? RESOURCE_KIND.find(([re]) => re.test(url))?.[1] : undefined;
    if (kind) options = options.filter((o) => o.name === kind);
    bound = bound.flatMap((b) => options.map((o) => ({ name: b.name ? `${b.name} + ${o.name}` : o.name, values: { ...b.values, [param]: o.value() } })));
  }
  return bound;
}

interface RequestSpec {
  query?: string;
  payload?: string | Buffer | Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * A valid request for every route that takes a body or a required query, so that a refusal comes
 * from the ownership check and not from validation. Bodies that would change something do the
 * most damage they can (mode=replace, disable), so that a missing check cannot go unseen.
 */
const REQUESTS: Record<string, () => RequestSpec> = {
  'PUT /api/v1/calendar/overrides/:date': () => ({ payload: { isWorkingDay: false, note: '矩阵测试调休' } }),
  'PATCH /api/v1/organisations/:id': () => ({ payload: { name: w.police.name } }),
  'PATCH /api/v1/users/:id': () => ({ payload: { displayName: CLERK_NAME } }),
  'POST /api/v1/users/:id/password': () => ({ payload: { password: 'Matrix#Passw0rd-2026' } }),
  'PUT /api/v1/users/:id/roles': () => ({ payload: { roles: ['consumer'] } }),
  'PUT /api/v1/information-systems/:id': () => ({ payload: { name: '外部改名的系统', description: '外部改写' } }),
  'PUT /api/v1/catalogs/:id': () => ({ payload: entryBody('外部改写的目录', 'table') }),
  'POST /api/v1/catalogs/:id/return': () => ({ payload: { reasons: [{ message: '矩阵测试退回' }] } }),
  'POST /api/v1/catalogs/:id/retire': () => ({ payload: { reason: '矩阵测试撤销' } }),
  'GET /api/v1/catalogs/:id/diff': () => ({ query: 'from=1&to=2' }),
  'POST /api/v1/catalogs/:id/resources': () => ({ payload: { kind: 'table' } }),
  'POST /api/v1/resources/:id/data': () => ({ query: 'mode=replace', payload: `resident_id,full_name\r\n${ID1},外部改写\r\n`, headers: { 'content-type': 'text/csv; charset=utf-8' } }),
  'POST /api/v1/resources/:id/push': () => ({ query: 'mode=replace', payload: `${JSON.stringify({ resident_id: ID1, full_name: '外部推送' })}\n`, headers: { 'content-type': 'application/x-ndjson' } }),
  'PATCH /api/v1/resources/:id/api': () => ({ payload: { url: 'https://example.org/elsewhere', secretHeader: null } }),
  'POST /api/v1/resources/:id/invoke': () => ({ payload: { path: 'people' } }),
  'POST /api/v1/resources/:id/files': () => ({ query: 'name=outsider.txt', payload: '外部上传', headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  'POST /api/v1/resources/:id/connectors': () => ({ payload: connectorBody('外部连接器') }),
  'PATCH /api/v1/connectors/:id': () => ({ payload: { name: '外部改名', enabled: false, secret: null } }),
  'POST /api/v1/applications/:id/approve': () => ({ payload: { comment: '矩阵测试同意', grant: { rateLimitPerMinute: 100000, ipAllow: [] } } }),
  'POST /api/v1/applications/:id/reject': () => ({ payload: { reason: '矩阵测试拒绝', legalBasis: '矩阵测试依据' } }),
  'POST /api/v1/applications/:id/withdraw': () => ({ payload: { reason: '矩阵测试撤回' } }),
  'PATCH /api/v1/grants/:id': () => ({ payload: { masking: { resident_id: 'none', full_name: 'none' }, rowFilter: null, rateLimitPerMinute: 100000, ipAllow: [] } }),
  'POST /api/v1/grants/:id/revoke': () => ({ payload: { reason: '矩阵测试撤销' } }),
  'POST /api/v1/exports/:id/link': () => ({ payload: { ttlMinutes: 60 } }),
  'POST /api/v1/grants/:id/subscriptions': () => ({ payload: { url: 'https://outsider.example/hook', from: 'beginning' } }),
  // ---- the sharing gateway ----
  'GET /api/v1/share/:catalogCode/records': () => ({ query: `key=${ID1}` }),
  'POST /api/v1/share/:catalogCode/query': () => ({ payload: { filters: { resident_id: ID1 }, limit: 1000 }, headers: { 'content-type': 'application/json' } }),
  'POST /api/v1/demands/:id/route': () => ({ payload: { providerOrgId: w.demandsObjections.marketOrgId, comment: '矩阵测试分派' } }),
  'POST /api/v1/demands/:id/answer': () => ({ payload: { kind: 'not_held', reason: '矩阵测试未掌握' } }),
  'POST /api/v1/demands/:id/withdraw': () => ({ payload: { reason: '矩阵测试撤回' } }),
  'POST /api/v1/objections/:id/resolve': () => ({ payload: { outcome: 'rejected', comment: '矩阵测试不予采纳' } }),
  'POST /api/v1/objections/:id/arbitrate': () => ({ payload: { outcome: 'overturned', comment: '矩阵测试撤销拒绝' } }),
  'POST /api/v1/objections/:id/withdraw': () => ({ payload: { reason: '矩阵测试撤回异议' } }),
  'POST /api/v1/share/:catalogCode/invoke': () => ({ payload: { path: 'people' }, headers: { 'content-type': 'application/json' } }),
};

const routeKey = (r: { method: string; url: string }): string => `${r.method} ${r.url}`;
const needsUser = (a: Access): boolean => !('public' in a) && !('app' in a);
const hasParams = (url: string): boolean => url.includes('/:');

function specOf(route: { method: string; url: string; schema?: unknown }): RequestSpec {
  const spec = REQUESTS[routeKey(route)]?.();
  const schema = (route.schema ?? {}) as { body?: unknown; querystring?: { required?: string[] } };
  if (!spec && (schema.body || (schema.querystring?.required ?? []).length > 0)) {
    throw new Error(`${routeKey(route)} takes a body or a required query: add a valid one to REQUESTS in test/cross-org.test.ts`);
  }
  return spec ?? {};
}

function urlOf(route: { url: string }, values: Record<string, string>, query?: string): string {
  const path = route.url.replace(/:([A-Za-z]+)/g, (_m, p: string) => encodeURIComponent(values[p]!));
  return query ? `${path}?${query}` : path;
}

async function callAs(caller: Caller, route: { method: string; url: string; schema?: unknown }, values: Record<string, string>): Promise<LightMyRequestResponse> {
  const spec = specOf(route);
  return t.request({
    method: route.method as 'GET',
    url: urlOf(route, values, spec.query),
    token: await t.login(caller.username),
    ...(spec.payload === undefined ? {} : { payload: spec.payload as string }),
    ...(spec.headers ? { headers: spec.headers } : {}),
  });
}

// ---------------------------------------------------------------- what is allowed on purpose

interface Allowed {
  route: string;
  callers: Callers;
  /** Which fixtures (by name) it applies to; default every one. */
  variants?: readonly string[];
  reason: string;
  /** The caller may see the police's private content by duty: only credentials are looked for. */
  seesPrivate?: boolean;
  /** For a change the duty is about (a review), the object to show it on instead of the fixtures. */
  probe?: () => Record<string, string>;
  check?(res: LightMyRequestResponse): void;
}

const noDraftVersions = (res: LightMyRequestResponse): void => {
  const items = json<{ items: Array<{ status: string }> }>(res).items;
  assert.ok(items.length > 0 && items.every((v) => ['published', 'superseded', 'retired'].includes(v.status)), res.body);
};
const policeSections = (res: LightMyRequestResponse): number =>
  json<{ sections: Array<{ resource: { providerId: string } }> }>(res).sections.filter((s) => s.resource.providerId === w.police.id).length;

/**
 * First match wins (a caller/route/object takes the first entry that names it), so duties come
 * before what everyone may do.
 */
const ALLOWED: Allowed[] = [
  // ---- the data authority responsible for the police (DESIGN §3 主管部门审核) ----
  ...['GET /api/v1/catalogs/:id', 'GET /api/v1/catalogs/:id/versions', 'GET /api/v1/catalogs/:id/deadlines', 'GET /api/v1/catalogs/:id/resources'].map(
    (route): Allowed => ({
      route,
      callers: RESPONSIBLE_AUTHORITY,
      seesPrivate: true,
      reason: 'The reviewer sees what it reviews: the latest version, drafts included, and the deadlines (DECISIONS 13, 15).',
    }),
  ),
  {
    route: 'GET /api/v1/catalogs/:id/diff',
    // A draft has one version: on it, version 2 is 404 for the reviewer as for its owner.
    variants: ['published entry'],
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    reason: 'The reviewer compares the pending version with the one in force (DECISIONS 13).',
    check: (res) => assert.equal(json<{ fields: Array<{ after: unknown }> }>(res).fields[0]?.after, PENDING_NAME),
  },
  ...(
    [
      ['approve', () => w.toApprove.id, 'Approving submitted entries is its duty (DECISIONS 13).'],
      ['return', () => w.toReturn.id, 'Returning submitted entries is its duty (DECISIONS 13).'],
      ['retire', () => w.toRetire.id, 'The responsible authority may retire a published entry (catalog.service retire).'],
    ] as const
  ).map(
    ([action, id, reason]): Allowed => ({ route: `POST /api/v1/catalogs/:id/${action}`, callers: RESPONSIBLE_AUTHORITY, seesPrivate: true, probe: () => ({ id: id() }), reason }),
  ),
  ...[
    'GET /api/v1/resources/:id/loads',
    'GET /api/v1/resources/:id/rows',
    'GET /api/v1/resources/:id/changes',
    'GET /api/v1/resources/:id/files',
    'GET /api/v1/resources/:id/files/:version',
    'POST /api/v1/resources/:id/invoke',
  ].map(
    (route): Allowed => ({
      route,
      callers: RESPONSIBLE_AUTHORITY,
      seesPrivate: true,
      reason: 'A resource’s data is read by the providing organisation and the data authority responsible for it (DECISIONS 20, 22).',
    }),
  ),
  ...['GET /api/v1/connectors/:id', 'GET /api/v1/connectors/:id/runs', 'GET /api/v1/connectors'].map(
    (route): Allowed => ({
      route,
      callers: RESPONSIBLE_AUTHORITY,
      seesPrivate: true,
      reason: 'The provider’s people and its data authority read connectors and runs (DECISIONS 21); the secret is never shown.',
    }),
  ),
  ...['GET /api/v1/catalogs', 'GET /api/v1/catalogs/export.xlsx', 'GET /api/v1/catalogs/deadlines'].map(
    (route): Allowed => ({ route, callers: RESPONSIBLE_AUTHORITY, seesPrivate: true, reason: 'Its review queue lists the entries it reviews, drafts included (DECISIONS 13, 15).' }),
  ),
  {
    route: 'GET /api/v1/profiles/person/:idNumber',
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    reason: 'A profile gathers the records the caller may read (DECISIONS 20): the authority reads the police’s.',
    check: (res) => assert.equal(policeSections(res), 1, res.body),
  },
  { route: 'GET /api/v1/notifications', callers: RESPONSIBLE_AUTHORITY, seesPrivate: true, reason: 'Its reviewers are told of the police’s submissions (catalog.submitted, DECISIONS 15).' },

  // ---- supply and demand (共享申请与授权): the parties of an application or grant (sharing.policy.ts) ----
  ...(
    [
      ['GET /api/v1/applications/:id', 'police application', MARKET_APPROVER, 'The provider’s approvers read the applications for their entries: they decide them.'],
      ['GET /api/v1/applications/:id', 'application to the police', MARKET_CONSUMER, 'The applicant organisation’s consumers read their own application to the police.'],
      ['GET /api/v1/grants/:id', 'police grant', MARKET_APPROVER, 'The provider’s approvers read the grants of their data: they set and change its terms.'],
      ['GET /api/v1/grants/:id', 'grant of police data', MARKET_CONSUMER, 'The consumer organisation reads the grant it holds for the police’s data.'],
    ] as const
  ).map(([route, variant, callers, reason]): Allowed => ({ route, variants: [variant], callers, seesPrivate: true, reason })),
  ...['GET /api/v1/applications/:id', 'GET /api/v1/grants/:id'].map(
    (route): Allowed => ({
      route,
      callers: RESPONSIBLE_AUTHORITY,
      seesPrivate: true,
      reason: 'The data authority responsible for the provider (market’s, and the police’s) reads its providers’ applications and grants: it countersigns, is told of overdue ones, and may revoke.',
    }),
  ),
  {
    route: 'POST /api/v1/applications/:id/approve',
    variants: ['police application'],
    callers: MARKET_APPROVER,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.approve.id }),
    reason: 'The provider’s approver decides the applications for its entries (DESIGN §5: answered within 10 working days).',
    check: (res) => assert.equal(json<Application>(res).status, 'granted'),
  },
  {
    route: 'POST /api/v1/applications/:id/approve',
    variants: ['police application'],
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.countersign.id }),
    reason: 'The responsible authority countersigns applications for core and important data once the provider approved them.',
    check: (res) => assert.equal(json<Application>(res).status, 'granted'),
  },
  {
    route: 'POST /api/v1/applications/:id/reject',
    variants: ['police application'],
    callers: MARKET_APPROVER,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.reject.id }),
    reason: 'The provider’s approver may refuse an application for its entries, with the reason and its legal basis.',
    check: (res) => assert.equal(json<Application>(res).status, 'rejected'),
  },
  {
    route: 'POST /api/v1/applications/:id/withdraw',
    variants: ['application to the police'],
    callers: MARKET_CONSUMER,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.withdraw.id }),
    reason: 'The applicant organisation’s consumer withdraws its own application while it waits.',
    check: (res) => assert.equal(json<Application>(res).status, 'withdrawn'),
  },
  {
    route: 'PATCH /api/v1/grants/:id',
    variants: ['police grant'],
    callers: MARKET_APPROVER,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.patch.id }),
    reason: 'The provider’s approver changes the terms (masking, row filter, rate, addresses, expiry) of grants of its data.',
    check: (res) => assert.equal(json<Grant>(res).rateLimitPerMinute, 100000),
  },
  ...(
    [
      [['police grant'], MARKET_APPROVER, () => w.sharing.probes.revokeByProvider.id, 'The provider’s approver revokes a grant of its data, at once.'],
      [undefined, RESPONSIBLE_AUTHORITY, () => w.sharing.probes.revokeByAuthority.id, 'The data authority responsible for the provider may revoke a grant of its providers’ data (数据安全监管).'],
      [['grant of police data'], MARKET_CONSUMER, () => w.sharing.probes.revokeByConsumer.id, 'The consumer organisation may give up a grant it holds.'],
    ] as const
  ).map(
    ([variants, callers, id, reason]): Allowed => ({
      route: 'POST /api/v1/grants/:id/revoke',
      ...(variants ? { variants } : {}),
      callers,
      seesPrivate: true,
      probe: () => ({ id: id() }),
      reason,
      check: (res) => assert.equal(json<Grant>(res).status, 'revoked'),
    }),
  ),
  {
    route: 'POST /api/v1/grants/:id/subscriptions',
    variants: ['grant of police data'],
    callers: MARKET_CONSUMER,
    seesPrivate: true,
    probe: () => ({ id: w.sharing.probes.subscribe.id }),
    reason: 'The consumer organisation subscribes its own system to the changes of a grant it holds on the police’s data (method table).',
    check: (res) => assert.equal(json<{ subscription: { status: string } }>(res).subscription.status, 'active'),
  },
  // Webhook subscriptions: seen by the grant's parties (where the provider's data goes), changed by its consumers only.
  ...(
    [
      ['GET /api/v1/grants/:id/subscriptions', ['police grant'], MARKET_APPROVER, 'The provider’s approvers see where the data they granted is pushed.'],
      ['GET /api/v1/grants/:id/subscriptions', ['grant of police data'], MARKET_CONSUMER, 'The consumer organisation lists the subscriptions of the grant it holds.'],
      ['GET /api/v1/grants/:id/subscriptions', ['police grant', 'grant of police data'], RESPONSIBLE_AUTHORITY, 'The responsible authority sees where its providers’ granted data is pushed.'],
      ['GET /api/v1/subscriptions/:id', ['police subscription'], MARKET_APPROVER, 'The provider’s approvers see where the data they granted is pushed.'],
      ['GET /api/v1/subscriptions/:id', ['police subscription'], RESPONSIBLE_AUTHORITY, 'The responsible authority sees where its providers’ granted data is pushed.'],
    ] as const
  ).map(([route, variants, callers, reason]): Allowed => ({ route, variants, callers, seesPrivate: true, reason })),
  ...[MARKET_APPROVER, RESPONSIBLE_AUTHORITY].flatMap((callers): Allowed[] => [
    { route: 'GET /api/v1/applications', callers, seesPrivate: true, reason: 'Its queue (approval, or countersignature) lists the police’s applications for the entries it decides.' },
    { route: 'GET /api/v1/grants', callers, seesPrivate: true, reason: 'It lists the grants of its (or its providers’) data, the police’s among them.' },
  ]),
  {
    route: 'GET /api/v1/notifications',
    callers: MARKET_APPROVER,
    seesPrivate: true,
    reason: 'The provider’s approvers are told of applications for their entries (sharing.submitted), the police’s among them.',
  },

  // ---- exports (文件共享): the parties of the grant an export was made under (exports.service) ----
  ...(
    [
      ['police export', MARKET_APPROVER, 'The provider’s approvers see the exports made of their data (who took which rows, when), never the file.'],
      ['export of police data', MARKET_CONSUMER, 'The consumer organisation reads the exports it made of the police’s data.'],
    ] as const
  ).map(([variant, callers, reason]): Allowed => ({ route: 'GET /api/v1/exports/:id', variants: [variant], callers, seesPrivate: true, reason })),
  {
    route: 'GET /api/v1/exports/:id',
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    reason: 'The data authority responsible for the provider oversees the exports of its providers’ data (数据安全监管).',
  },
  {
    route: 'POST /api/v1/exports/:id/link',
    variants: ['export of police data'],
    callers: MARKET_CONSUMER,
    seesPrivate: true,
    reason: 'The consumer who made an export of the police’s data (market.consumer) makes its one-time download links.',
    check: (res) => assert.match(json<{ url: string }>(res).url, /^\/api\/v1\/exports\/download\/[A-Za-z0-9_-]{43}$/),
  },
  ...[MARKET_APPROVER, RESPONSIBLE_AUTHORITY].map(
    (callers): Allowed => ({ route: 'GET /api/v1/exports', callers, seesPrivate: true, reason: 'It lists the exports made of its (or its providers’) data, the police’s among them.' }),
  ),

  // ---- demands and objections (数据需求、异议): their parties (demands.service, objections.service) ----
  ...(
    [
      ['GET /api/v1/demands/:id', 'police demand', MARKET_APPROVER, 'The organisation a demand is routed to reads it: it answers it.'],
      ['GET /api/v1/demands/:id', 'demand routed to the police', MARKET_CONSUMER, 'The requesting organisation’s consumers read their own demand, routed to the police.'],
      ['GET /api/v1/objections/:id', 'police data objection', MARKET_APPROVER, 'The provider’s approvers read objections to their data: they resolve them.'],
      ['GET /api/v1/objections/:id', 'police refusal objection', MARKET_APPROVER, 'The provider’s approvers read the objection to their own refusal (the authority arbitrates it).'],
      ['GET /api/v1/objections/:id', 'objection to police data', MARKET_CONSUMER, 'The objecting organisation’s consumers read their own objection to the police’s data.'],
      ['GET /api/v1/objections/:id', 'objection to a police refusal', MARKET_CONSUMER, 'The applicant organisation’s consumers read their own objection to the police’s refusal.'],
    ] as const
  ).map(([route, variant, callers, reason]): Allowed => ({ route, variants: [variant], callers, seesPrivate: true, reason })),
  ...['GET /api/v1/demands/:id', 'GET /api/v1/objections/:id'].map(
    (route): Allowed => ({
      route,
      callers: RESPONSIBLE_AUTHORITY,
      seesPrivate: true,
      reason: 'The authority responsible for the requester routes its demands; the one responsible for the provider reads objections to its data and arbitrates its refusals (here the provincial authority is both).',
    }),
  ),
  {
    route: 'POST /api/v1/demands/:id/route',
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.route.id }),
    reason: 'The data authority responsible for the requester routes its demands to the organisation that holds the data (供需对接).',
    check: (res) => assert.equal(json<Demand>(res).status, 'routed'),
  },
  {
    route: 'POST /api/v1/demands/:id/answer',
    variants: ['police demand'],
    callers: MARKET_APPROVER,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.answer.id }),
    reason: 'The organisation a demand is routed to answers it within 10 working days.',
    check: (res) => assert.equal(json<Demand>(res).answer?.kind, 'not_held'),
  },
  {
    route: 'POST /api/v1/demands/:id/withdraw',
    variants: ['demand routed to the police'],
    callers: MARKET_CONSUMER,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.withdraw.id }),
    reason: 'The requesting organisation’s consumer withdraws its own open demand.',
    check: (res) => assert.equal(json<Demand>(res).status, 'withdrawn'),
  },
  {
    route: 'POST /api/v1/objections/:id/resolve',
    variants: ['police data objection'],
    callers: MARKET_APPROVER,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.resolve.id }),
    reason: 'The provider’s approver answers an objection to its data (corrected, confirmed or rejected) within 5 working days.',
    check: (res) => assert.equal(json<Objection>(res).status, 'resolved'),
  },
  {
    route: 'POST /api/v1/objections/:id/arbitrate',
    callers: RESPONSIBLE_AUTHORITY,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.arbitrate.id }),
    reason: 'The data authority responsible for the provider arbitrates an objection to the provider’s refusal (非因法定事由不得拒绝).',
    check: (res) => assert.equal(json<Objection>(res).outcome, 'overturned'),
  },
  {
    route: 'POST /api/v1/objections/:id/withdraw',
    variants: ['objection to police data', 'objection to a police refusal'],
    callers: MARKET_CONSUMER,
    seesPrivate: true,
    probe: () => ({ id: w.demandsObjections.probes.withdrawObjection.id }),
    reason: 'The objecting organisation’s consumer withdraws its own open objection.',
    check: (res) => assert.equal(json<Objection>(res).status, 'withdrawn'),
  },
  ...[MARKET_APPROVER, RESPONSIBLE_AUTHORITY].flatMap((callers): Allowed[] => [
    { route: 'GET /api/v1/demands', callers, seesPrivate: true, reason: 'Its queue (demands routed to it, or those it routes) lists the police’s demand.' },
    { route: 'GET /api/v1/objections', callers, seesPrivate: true, reason: 'Its queue (objections to its data, or refusals it arbitrates) lists the police’s objections.' },
  ]),

  // ---- platform-wide administrators, within their duties only (三员分立, DECISIONS 6, 14) ----
  { route: 'PATCH /api/v1/organisations/:id', callers: holding('platform_admin'), reason: 'The platform administrator keeps the organisations of the node.' },
  { route: 'GET /api/v1/users/:id', callers: holding('platform_admin', 'security_admin', 'audit_admin'), reason: 'Accounts are read by the three administrators (identity policy user.read).' },
  { route: 'PATCH /api/v1/users/:id', callers: holding('platform_admin'), reason: 'The platform administrator keeps accounts.' },
  { route: 'POST /api/v1/users/:id/password', callers: holding('platform_admin'), reason: 'The platform administrator resets passwords.' },
  { route: 'PUT /api/v1/users/:id/roles', callers: holding('security_admin'), reason: 'The security administrator grants business roles.' },
  { route: 'POST /api/v1/users/:id/unlock', callers: holding('security_admin'), reason: 'The security administrator unlocks accounts.' },
  { route: 'GET /api/v1/users', callers: holding('platform_admin', 'security_admin', 'audit_admin'), reason: 'Accounts are read by the three administrators.' },
  { route: 'GET /api/v1/apps', callers: holding('security_admin'), seesPrivate: true, reason: 'The security administrator sees every app credential (identity policy app.readAll).' },
  // Made by the last test, when nothing needs the police's credential any more.
  { route: 'POST /api/v1/apps/:id/revoke', callers: holding('security_admin'), seesPrivate: true, reason: 'The security administrator revokes any credential, e.g. a leaked one (app.revokeAny).' },
  // In this order (the allowlist runs top to bottom): the override is set, then removed.
  { route: 'PUT /api/v1/calendar/overrides/:date', callers: holding('platform_admin'), reason: 'The working-day calendar is the node’s, owned by no organisation.' },
  { route: 'DELETE /api/v1/calendar/overrides/:date', callers: holding('platform_admin'), reason: 'The working-day calendar is the node’s, owned by no organisation.' },
  { route: 'GET /api/v1/ledger/entries/:seq', callers: holding('audit_admin'), seesPrivate: true, reason: 'The audit administrator alone reads the whole ledger: it records everyone’s actions (DECISIONS 14).' },
  { route: 'GET /api/v1/ledger/entries', callers: holding('audit_admin'), seesPrivate: true, reason: 'The audit administrator alone reads the whole ledger (DECISIONS 14).' },

  // ---- shared reading: every signed-in user ----
  { route: 'GET /api/v1/organisations/:id', callers: EVERYONE, reason: 'The organisation directory is shared reading (identity policy organisation.read: any user).' },
  {
    route: 'GET /api/v1/information-systems/:id',
    callers: EVERYONE,
    reason: 'The register of information systems is shared reading: published entries name their source systems (数据—系统), and GET /information-systems lists every organisation’s.',
  },
  {
    route: 'GET /api/v1/catalogs/:id',
    variants: ['published entry'],
    callers: EVERYONE,
    reason: 'A published entry is the shared catalog (一本账); outsiders see the version in force, never the pending draft (DECISIONS 13).',
    check: (res) => assert.equal(json<CatalogEntry>(res).version, 1),
  },
  {
    route: 'GET /api/v1/catalogs/:id/versions',
    variants: ['published entry'],
    callers: EVERYONE,
    reason: 'Outsiders see the published, superseded and retired versions of a published entry (DECISIONS 13).',
    check: noDraftVersions,
  },
  { route: 'GET /api/v1/catalogs/:id/resources', variants: ['published entry'], callers: EVERYONE, reason: 'Linked resources are part of the entry and follow its visibility (DECISIONS 15).' },
  {
    route: 'GET /api/v1/resources/:id',
    callers: EVERYONE,
    reason: 'Resource metadata is read by every signed-in user, like the entry in force (DECISIONS 20); its data is not, and an api resource’s credential never shows (DECISIONS 22).',
  },
  ...['GET /api/v1/profiles/person/:idNumber', 'GET /api/v1/profiles/enterprise/:uscc'].map(
    (route): Allowed => ({
      route,
      callers: EVERYONE,
      reason: 'A profile gathers only the records the caller may read (DECISIONS 20): none of the police’s for another organisation.',
      check: (res) => assert.equal(policeSections(res), 0, res.body),
    }),
  ),

  // ---- the sharing gateway's call statistics: a grant's parties, as for GET /grants/:id ----
  ...(
    [
      ['police grant', MARKET_APPROVER],
      ['grant of police data', MARKET_CONSUMER],
    ] as const
  ).map(
    ([variant, callers]): Allowed => ({
      route: 'GET /api/v1/grants/:id/calls/stats',
      variants: [variant],
      callers,
      reason: 'A grant’s call statistics are read by its parties, like the grant itself (gateway grantStats uses sharing.policy partiesOf).',
    }),
  ),
  {
    route: 'GET /api/v1/grants/:id/calls/stats',
    callers: RESPONSIBLE_AUTHORITY,
    reason: 'The data authority responsible for the provider reads the calls made under its providers’ grants (数据安全监管).',
  },
];

/** The entry that allows this call, if any (first match). */
function allowance(route: string, variant: string, caller: Caller): Allowed | undefined {
  return ALLOWED.find((a) => a.route === route && a.callers.match(caller) && (!a.variants || a.variants.includes(variant)));
}

// ---------------------------------------------------------------- what answers must not contain

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The text of a response; of a workbook, every part of the zip (cells live in sharedStrings and the sheets). */
function textOf(res: LightMyRequestResponse): string {
  if (!String(res.headers['content-type'] ?? '').startsWith(XLSX)) return res.body;
  const buf = res.rawPayload;
  const parts: string[] = [];
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let off = buf.readUInt32LE(eocd + 16);
  for (let i = buf.readUInt16LE(eocd + 10); i > 0; i -= 1) {
    const method = buf.readUInt16LE(off + 10);
    const size = buf.readUInt32LE(off + 20);
    const nameLength = buf.readUInt16LE(off + 28);
    const local = buf.readUInt32LE(off + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    parts.push((method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8'));
    off += 46 + nameLength + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return parts.join('\n');
}

/** The names of the markers a successful answer shows. */
function leaks(res: LightMyRequestResponse, seesPrivate: boolean): string[] {
  const text = textOf(res);
  return Object.entries(seesPrivate ? secrets() : privateMarkers)
    .filter(([, marker]) => text.includes(marker))
    .map(([name]) => name);
}

const STABLE_CODE = /^[A-Z][A-Z0-9_]+$/;

// ---------------------------------------------------------------- what the police see of their own

/** The police's objects as their owner reads them (and their account as its administrator does). */
async function snapshot(): Promise<Record<string, unknown>> {
  const reads: Array<[string, string]> = [
    ...[w.draft, w.published, w.toApprove, w.toReturn, w.toRetire].flatMap((e): Array<[string, string]> => [
      ['police.editor', `/catalogs/${e.id}`],
      ['police.editor', `/catalogs/${e.id}/versions`],
      ['police.editor', `/catalogs/${e.id}/resources`],
      ['police.editor', `/catalogs/${e.id}/deadlines`],
    ]),
    ['police.editor', `/information-systems/${w.system.id}`],
    ...[w.table, w.api, w.file].map((r): [string, string] => ['police.editor', `/resources/${r.id}`]),
    ['police.editor', `/resources/${w.table.id}/rows?pageSize=200`],
    ['police.editor', `/resources/${w.table.id}/loads?pageSize=200`],
    ['police.editor', `/resources/${w.table.id}/changes`],
    ['police.editor', `/resources/${w.file.id}/files`],
    ['police.editor', `/connectors?resourceId=${w.table.id}`],
    ['police.editor', `/connectors/${w.connector.id}/runs`],
    ['police.editor', '/notifications?pageSize=200'],
    ['police.editor', '/apps?pageSize=200'],
    ['police.editor', `/organisations/${w.police.id}`],
    ['police.editor', '/calendar/overrides'],
    ['admin', `/users/${w.clerk.id}`],
    ['police.consumer', `/applications/${w.sharing.policeApplication.id}`],
    ['police.approver', `/applications/${w.sharing.applicationToPolice.id}`],
    ['police.consumer', `/grants/${w.sharing.policeGrant.id}`],
    ['police.approver', `/grants/${w.sharing.grantOfPoliceData.id}`],
    ['police.consumer', `/subscriptions/${policeSubscriptionId}`],
    ['police.consumer', `/demands/${w.demandsObjections.policeDemand.id}`],
    ['police.approver', `/demands/${w.demandsObjections.demandToPolice.id}`],
    ['police.consumer', `/objections/${w.demandsObjections.policeDataObjection.id}`],
    ['police.approver', `/objections/${w.demandsObjections.objectionToPoliceData.id}`],
    ['police.consumer', `/objections/${w.demandsObjections.policeRefusalObjection.id}`],
    ['police.approver', `/objections/${w.demandsObjections.objectionToPoliceRefusal.id}`],
    ['police.consumer', `/exports/${ex.policeExport.id}`],
  ];
  const out: Record<string, unknown> = {};
  for (const [username, url] of reads) out[url] = await ok(as(username, 'GET', url));
  // The api resource's credential, which no read shows: still the police's.
  out['api credential works'] = json<{ status: number }>(await as('police.editor', 'POST', `/resources/${w.api.id}/invoke`, {})).status;
  out['upstream saw the credential'] = upstream.requests.at(-1)?.headers.authorization;
  return out;
}

// ---------------------------------------------------------------- the tests

describe('cross-organisation refusals', () => {
  const userRoutes = () => t.app.routeAccessTable.filter((r) => needsUser(r.access) && hasParams(r.url));

  test('every path parameter has a police-owned fixture, and every route a valid request', () => {
    const problems: string[] = [];
    for (const r of t.app.routeAccessTable.filter((x) => !('public' in x.access) && hasParams(x.url))) {
      try {
        assert.ok(variantsOf(r.url).length > 0, `${routeKey(r)}: no fixture left after narrowing`);
        specOf(r);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    assert.deepEqual(problems, []);
    for (const key of Object.keys(REQUESTS)) assert.ok(t.app.routeAccessTable.some((r) => routeKey(r) === key), `REQUESTS names no route: ${key}`);
  });

  test('the allowlist names real routes and fixtures', () => {
    for (const a of ALLOWED) {
      const route = t.app.routeAccessTable.find((r) => routeKey(r) === a.route);
      assert.ok(route, `ALLOWED names no route: ${a.route}`);
      assert.ok(needsUser(route.access), `${a.route} is ${JSON.stringify(route.access)}: nothing to allow`);
      const names = variantsOf(route.url).map((v) => v.name);
      for (const v of a.variants ?? []) assert.ok(names.includes(v), `${a.route}: no fixture named ${v} (${names.join(', ')})`);
      assert.ok(CALLERS.some((c) => a.callers.match(c) && mayCall(c, route.access)), `${a.route}: none of ${a.callers.label} may call it`);
      assert.ok(a.reason.length > 20, `${a.route}: say why`);
    }
  });

  test("a user of another organisation gets 403 or 404 for the police's objects, on every route", async (ctx) => {
    const failures: string[] = [];
    let refused = 0;
    for (const r of userRoutes()) {
      for (const caller of CALLERS) {
        if (!mayCall(caller, r.access)) continue;
        for (const v of variantsOf(r.url)) {
          if (allowance(routeKey(r), v.name, caller)) continue;
          const res = await callAs(caller, r, v.values);
          const code = errorCode(res);
          if ((res.statusCode !== 403 && res.statusCode !== 404) || !STABLE_CODE.test(code ?? '')) {
            failures.push(`${routeKey(r)} [${v.name}] as ${caller.username} → ${res.statusCode} ${res.body.slice(0, 300)}`);
          } else refused += 1;
        }
      }
    }
    assert.deepEqual(failures, [], `cross-organisation calls not refused:\n${failures.join('\n')}`);
    assert.ok(refused >= 200, `only ${refused} refusals checked`);
    ctx.diagnostic(`${refused} refusals over ${userRoutes().length} routes and ${CALLERS.length} callers`);
  });

  test("an app credential of another organisation is refused on every signed route with the police's objects", async () => {
    let checked = 0;
    for (const r of t.app.routeAccessTable.filter((x) => 'app' in x.access && hasParams(x.url))) {
      const spec = specOf(r);
      for (const v of variantsOf(r.url)) {
        const url = urlOf(r, v.values, spec.query);
        const body = typeof spec.payload === 'string' ? spec.payload : spec.payload === undefined ? '' : JSON.stringify(spec.payload);
        const headers = { ...spec.headers, ...signedHeaders(w.marketApp, r.method, url, body), 'x-tianshu-content-sm3': sm3Hex(body) };
        const res = await t.request({ method: r.method as 'POST', url, payload: body, headers });
        assert.ok(res.statusCode === 403 || res.statusCode === 404, `${routeKey(r)} [${v.name}] with market's app → ${res.statusCode} ${res.body}`);
        assert.match(errorCode(res) ?? '', STABLE_CODE);
        checked += 1;
      }
    }
    assert.ok(checked >= 1, 'the push API is checked');
  });

  test("lists and searches show another organisation nothing private of the police's", async (ctx) => {
    const queries: Record<string, string[]> = {
      'GET /api/v1/calendar/days': ['from=2026-10-01&to=2026-10-31'],
      'GET /api/v1/calendar/working-days': ['from=2026-10-01&days=5'],
      'GET /api/v1/ledger/proof': [`seq=${w.seq}`],
      'GET /api/v1/catalogs': [
        `provider=${w.police.id}&pageSize=200`,
        `provider=${w.police.id}&status=draft&pageSize=200`,
        `q=${encodeURIComponent(DRAFT_NAME)}`,
        `q=${encodeURIComponent(PENDING_NAME)}`,
        `q=${w.draft.code}`,
        'scope=reviewing&pageSize=200',
      ],
      'GET /api/v1/catalogs/export.xlsx': [`provider=${w.police.id}`, `q=${encodeURIComponent(DRAFT_NAME)}`],
      'GET /api/v1/catalogs/deadlines': ['pageSize=200', 'scope=authority&pageSize=200'],
      'GET /api/v1/resources': [`provider=${w.police.id}&pageSize=200`],
      'GET /api/v1/connectors': ['pageSize=200', `resourceId=${w.table.id}`],
      'GET /api/v1/information-systems': [`organisationId=${w.police.id}&pageSize=200`],
      'GET /api/v1/notifications': ['pageSize=200'],
      'GET /api/v1/apps': ['pageSize=200'],
      'GET /api/v1/users': [`organisationId=${w.police.id}&pageSize=200`],
      'GET /api/v1/ledger/entries': [`subjectId=${w.draft.id}`, 'pageSize=200'],
      'GET /api/v1/organisations': ['pageSize=200'],
      // Without a scope each caller gets the queue of its role (see sharing.service listApplications).
      'GET /api/v1/applications': ['pageSize=200', 'status=pending&pageSize=200'],
      'GET /api/v1/grants': ['pageSize=200', 'status=active&pageSize=200'],
      'GET /api/v1/demands': ['pageSize=200', 'status=routed&pageSize=200'],
      'GET /api/v1/objections': ['pageSize=200', 'status=open&pageSize=200'],
      'GET /api/v1/exports': ['pageSize=200', 'status=ready&pageSize=200'],
    };
    const failures: string[] = [];
    let scanned = 0;
    // Only reads: POST routes without an id (create, import, logout) act for the caller's own organisation.
    for (const r of t.app.routeAccessTable.filter((x) => x.method === 'GET' && needsUser(x.access) && !hasParams(x.url))) {
      for (const query of queries[routeKey(r)] ?? ['']) {
        for (const caller of CALLERS) {
          if (!mayCall(caller, r.access)) continue;
          const res = await t.request({ method: 'GET', url: query ? `${r.url}?${query}` : r.url, token: await t.login(caller.username) });
          const allowed = allowance(routeKey(r), '', caller);
          const where = `GET ${r.url}?${query} as ${caller.username}`;
          scanned += 1;
          if (res.statusCode >= 200 && res.statusCode < 300) {
            const shown = leaks(res, allowed?.seesPrivate ?? false);
            if (shown.length > 0) failures.push(`${where} shows ${shown.join(', ')}`);
          } else if (allowed || !((res.statusCode === 403 || res.statusCode === 404) && STABLE_CODE.test(errorCode(res) ?? ''))) {
            failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 300)}`);
          }
        }
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
    ctx.diagnostic(`${scanned} list and search answers scanned`);
  });

  test('nothing the refused calls tried has changed', async () => {
    assert.deepEqual(await snapshot(), original);
  });

  test('what is allowed on purpose really succeeds, and shows no more than it should', async (ctx) => {
    const failures: string[] = [];
    let allowedCalls = 0;
    for (const a of ALLOWED) {
      const route = t.app.routeAccessTable.find((r) => routeKey(r) === a.route)!;
      let made = 0;
      for (const caller of CALLERS) {
        if (!mayCall(caller, route.access) || !a.callers.match(caller)) continue;
        const variants: Bound[] = a.probe
          ? [{ name: 'probe', values: a.probe() }]
          : hasParams(route.url)
            ? variantsOf(route.url).filter((v) => allowance(a.route, v.name, caller) === a)
            : [{ name: '', values: {} }];
        for (const v of variants) {
          if (!a.probe && !hasParams(route.url) && allowance(a.route, '', caller) !== a) continue;
          const res = await callAs(caller, route, v.values);
          made += 1;
          const where = `${a.route} [${v.name}] as ${caller.username}`;
          if (res.statusCode < 200 || res.statusCode >= 300) {
            failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 300)}`);
            continue;
          }
          const shown = leaks(res, a.seesPrivate ?? false);
          if (shown.length > 0) failures.push(`${where} shows ${shown.join(', ')}`);
          try {
            a.check?.(res);
          } catch (err) {
            failures.push(`${where}: ${(err as Error).message}`);
          }
        }
      }
      if (made === 0) failures.push(`${a.route} for ${a.callers.label}: never the first match, remove it or order it earlier`);
      allowedCalls += made;
    }
    assert.deepEqual(failures, [], failures.join('\n'));
    assert.ok(allowedCalls >= ALLOWED.length);
    ctx.diagnostic(`${allowedCalls} allowed calls for ${ALLOWED.length} allowlist entries`);

    // The reviews really happened, and the revoked credential is revoked.
    assert.equal((await ok<CatalogEntry>(as('police.editor', 'GET', `/catalogs/${w.toApprove.id}`))).status, 'published');
    assert.equal((await ok<CatalogEntry>(as('police.editor', 'GET', `/catalogs/${w.toReturn.id}`))).status, 'returned');
    assert.equal((await ok<CatalogEntry>(as('police.editor', 'GET', `/catalogs/${w.toRetire.id}`))).status, 'retired');
    const apps = (await ok<{ items: Array<{ id: string; status: string }> }>(as('police.editor', 'GET', '/apps?pageSize=200'))).items;
    assert.equal(apps.find((x) => x.id === w.app.id)?.status, 'revoked');
  });
});

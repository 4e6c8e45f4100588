import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import { buildApp } from '../../app.js';
import { sm3Hex } from '../../core/crypto/index.js';
import type { CatalogEntry } from '../catalog/index.js';
import { ResourceService, defaultSpoolDir, type FileVersion, type InvokeResult, type Resource } from './index.js';

/**
 * `api` and `file` resources through HTTP. Two apps share one database: the node as configured by
 * default (which refuses loopback upstreams and takes files up to 1 GiB), and one whose resource
 * service may call any host, takes files up to 3 MiB and logs to memory — so a local upstream can
 * be called, the size limit reached with a small body, and the logs searched for the credential.
 */
const SECRET = 'Bearer s3cr3t-of-the-provider-8f2a';
const MAX_FILE = 3 * 1024 * 1024;

let t: TestNode;
let relaxed: FastifyInstance;
const logs: string[] = [];
let upstream: http.Server;
let base: string;
/** What the upstream received, newest last. */
const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

before(async () => {
  t = await build(undefined, { node: { housekeeping: false } });
  const resources = new ResourceService({
    db: t.node.db,
    identity: t.node.identity,
    catalog: t.node.catalog,
    nodeKey: t.node.keys.nodeKey,
    spoolDir: defaultSpoolDir(t.node.config.dataDir),
    // Any host (TIANSHU_CONNECTOR_HOSTS=*), the local upstream included.
    hosts: { allows: async () => true, lookup: dns.lookup as LookupFunction },
    maxFileBytes: MAX_FILE,
  });
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  relaxed = await buildApp({ ...t.node, resources }, { logger });
  await relaxed.ready();

  upstream = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const url = new URL(request.url!, 'http://upstream');
      const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': type, ...headers });
        response.end(body);
      };
      switch (url.pathname) {
        case '/v1/people/slow':
          setTimeout(() => send(200, 'application/json', '{}'), 1500);
          return;
        case '/v1/people/big':
          return send(200, 'text/plain', Buffer.alloc(1024 * 1024 + 1, 'a'));
        case '/v1/people/big-gzip':
          // Small on the wire, too large once decompressed.
          return send(200, 'text/plain', zlib.gzipSync(Buffer.alloc(2 * 1024 * 1024, 'a')), { 'content-encoding': 'gzip' });
        case '/v1/people/gzip':
          return send(200, 'application/json; charset=utf-8', zlib.gzipSync(JSON.stringify({ name: '张三' })), { 'content-encoding': 'gzip' });
        case '/v1/people/gbk':
          return send(200, 'text/plain; charset=gbk', Buffer.from('d5c5c8fd', 'hex'));
        case '/v1/people/moved':
          return send(302, 'text/plain', 'elsewhere', { location: 'http://169.254.169.254/latest/meta-data/' });
        case '/v1/people/echo-key':
          // An upstream that quotes the credential it was sent in its error.
          return send(401, 'application/json', JSON.stringify({ error: `invalid key: ${request.headers.authorization}` }));
        case '/v1/people/broken':
          return send(500, 'application/json', '{"error":"upstream failed"}');
        default:
          return send(200, 'application/json', JSON.stringify({ path: url.pathname, query: Object.fromEntries(url.searchParams), body: Buffer.concat(chunks).toString() || null }));
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(async () => {
  await relaxed?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  await t?.close();
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
}

type Method = 'GET' | 'POST' | 'PATCH';
async function call(app: FastifyInstance, username: string, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${await t.login(username)}`, ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });
}
/** The node as configured by default. */
const as = (username: string, method: Method, url: string, payload?: unknown, headers?: Record<string, string>) => call(t.app, username, method, url, payload, headers);
/** The node that may call the local upstream and takes files up to 3 MiB. */
const viaRelaxed = (username: string, method: Method, url: string, payload?: unknown, headers?: Record<string, string>) => call(relaxed, username, method, url, payload, headers);

/** A published entry of the police of the given format. */
async function publishedEntry(name: string, format: 'api' | 'file'): Promise<CatalogEntry> {
  const created = await as('police.editor', 'POST', '/catalogs', {
    name,
    summary: format === 'api' ? '人口信息核验接口。' : '人口统计公报文件。',
    resourceType: 'department',
    category: '1-01-001',
    format,
    shareType: 'conditional',
    shareCondition: '用于政务服务',
    shareMethods: [format],
    openType: 'none',
    updateCycle: 'monthly',
    securityGrade: 'general',
    items: [{ name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' }],
  });
  assert.equal(created.statusCode, 201, created.body);
  const entry = json<CatalogEntry>(created);
  assert.equal((await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`)).statusCode, 200);
  assert.equal((await as('authority', 'POST', `/catalogs/${entry.id}/approve`)).statusCode, 200);
  return entry;
}

/** Every ledger entry's payload, sequenced or waiting, as text. */
async function ledgerText(): Promise<string> {
  const { rows } = await sql<{ text: string }>`
    select action || ' ' || payload::text as text from ledger_pending
    union all select action || ' ' || payload::text from ledger_entries`.execute(t.node.db.kysely);
  return rows.map((r) => r.text).join('\n');
}

describe('an api resource', () => {
  let entry: CatalogEntry;
  let resource: Resource;

  test('is attached with its upstream, meets the link deadline, and never shows its credential', async () => {
    entry = await publishedEntry('人口信息核验接口（测试）', 'api');
    const before = json<{ items: Array<{ kind: string; state: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/deadlines`)).items;
    assert.ok(before.some((d) => d.kind === 'link_resource' && d.state !== 'met'));

    const res = await viaRelaxed('police.editor', 'POST', `/catalogs/${entry.id}/resources`, {
      kind: 'api',
      api: { url: `${base}/v1/people?format=json`, method: 'GET', headers: { 'X-Channel': 'tianshu' }, secretHeader: { name: 'Authorization', value: SECRET }, timeoutMs: 1000 },
    });
    assert.equal(res.statusCode, 201, res.body);
    resource = json<Resource>(res);
    assert.equal(resource.kind, 'api');
    assert.deepEqual(resource.api, {
      url: `${base}/v1/people?format=json`,
      method: 'GET',
      headers: { 'x-channel': 'tianshu' },
      secretHeaderName: 'authorization',
      hasSecret: true,
      timeoutMs: 1000,
    });
    assert.equal(resource.columns, null);
    assert.equal(resource.rowCount, 0);
    assert.ok(!res.body.includes(SECRET));

    const linked = json<{ items: Array<{ resourceId: string; kind: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/resources`)).items;
    assert.ok(linked.some((l) => l.resourceId === resource.id && l.kind === 'api'));
    const after = json<{ items: Array<{ kind: string; state: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/deadlines`)).items;
    assert.ok(after.filter((d) => d.kind === 'link_resource').every((d) => d.state === 'met'));

    for (const url of [`/resources/${resource.id}`, `/resources?catalogId=${entry.id}`]) {
      const read = await as('police.consumer', 'GET', url);
      assert.equal(read.statusCode, 200, read.body);
      assert.ok(read.body.includes('"hasSecret":true') && !read.body.includes(SECRET) && !read.body.includes('s3cr3t'));
    }
    // Several api resources may serve one entry (say, two versions of an API).
    const second = await viaRelaxed('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', name: '核验接口 v2', api: { url: `${base}/v2/people`, method: 'POST' } });
    assert.equal(second.statusCode, 201, second.body);
    assert.equal(json<Resource>(second).api!.hasSecret, false);
  });

  test('is refused with bad configuration, on an entry of another format, and to other organisations', async () => {
    const attach = (api: unknown, kind = 'api') => viaRelaxed('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind, api });
    expectError(await attach(undefined), 400, 'API_CONFIG_REQUIRED');
    expectError(await attach({ url: 'ftp://example.org/x', method: 'GET' }), 400, 'API_URL_INVALID');
    expectError(await attach({ url: 'not a url', method: 'GET' }), 400, 'API_URL_INVALID');
    expectError(await attach({ url: 'http://user:pw@example.org/', method: 'GET' }), 400, 'API_URL_INVALID');
    expectError(await attach({ url: 'http://example.org/', method: 'GET', headers: { Authorization: 'Basic eDp5' } }), 400, 'API_HEADER_RESERVED');
    expectError(await attach({ url: 'http://example.org/', method: 'GET', headers: { Host: 'internal' } }), 400, 'API_HEADER_RESERVED');
    expectError(await attach({ url: 'http://example.org/', method: 'GET', headers: { 'X-Note': 'line\r\nX-Injected: 1' } }), 400, 'API_HEADER_INVALID');
    expectError(await attach({ url: 'http://example.org/', method: 'GET', headers: { 'x-key': 'a' }, secretHeader: { name: 'X-Key', value: 'b' } }), 400, 'API_HEADER_DUPLICATE');
    expectError(await attach({ url: 'http://example.org/', method: 'DELETE' }), 400, 'VALIDATION_FAILED');
    expectError(await attach({ url: 'http://example.org/', method: 'GET' }, 'file'), 400, 'RESOURCE_KIND_MISMATCH');
    expectError(await attach({ url: 'http://example.org/', method: 'GET' }, 'table'), 400, 'RESOURCE_KIND_MISMATCH');
    // The node as configured by default does not call itself or cloud metadata.
    for (const url of ['http://127.0.0.1:8080/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://100.100.100.200/latest/meta-data/']) {
      expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', api: { url, method: 'GET' } }), 400, 'API_HOST_NOT_ALLOWED');
    }
    expectError(await as('market.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', api: { url: 'http://example.org/', method: 'GET' } }), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', api: { url: 'http://example.org/', method: 'GET' } }), 403, 'FORBIDDEN');
  });

  test('a call reaches the upstream with the credential added, under the registered path and query', async () => {
    const res = await viaRelaxed('police.consumer', 'POST', `/resources/${resource.id}/invoke`, { path: 'persons/630102199003070011', query: { fields: 'name', page: 2 } });
    assert.equal(res.statusCode, 200, res.body);
    const result = json<InvokeResult>(res);
    assert.equal(result.status, 200);
    assert.deepEqual(result.headers, { 'content-type': 'application/json' });
    assert.deepEqual(result.body, { path: '/v1/people/persons/630102199003070011', query: { format: 'json', fields: 'name', page: '2' }, body: null });
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
    const seen = received.at(-1)!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers.authorization, SECRET);
    assert.equal(seen.headers['x-channel'], 'tianshu');
    // The caller's own token never reaches the upstream.
    const token = await t.login('police.consumer');
    assert.ok(!Object.values(seen.headers).some((v) => String(v).includes(token)));
    assert.ok(!res.body.includes(SECRET));
  });

  test('the answer is relayed as JSON or text: gzip decoded, GBK text decoded, upstream errors and redirects passed through, not followed', async () => {
    const invoke = async (path: string) => json<InvokeResult>(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path }));
    assert.deepEqual((await invoke('gzip')).body, { name: '张三' });
    assert.equal((await invoke('gbk')).body, '张三');
    const broken = await invoke('broken');
    assert.equal(broken.status, 500);
    assert.deepEqual(broken.body, { error: 'upstream failed' });
    const moved = await invoke('moved');
    assert.equal(moved.status, 302);
    assert.equal(moved.body, 'elsewhere');
    assert.equal(received.at(-1)!.url, '/v1/people/moved?format=json');
  });

  test('upstream failures map to 502/504 with stable codes', async () => {
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'big' }), 502, 'UPSTREAM_TOO_LARGE');
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'big-gzip' }), 502, 'UPSTREAM_TOO_LARGE');
    const started = Date.now();
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'slow' }), 504, 'UPSTREAM_TIMEOUT');
    assert.ok(Date.now() - started < 1450, 'the call gave up at its timeout (1000 ms)');

    // A port nobody listens on.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const gone = json<Resource>(await viaRelaxed('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', name: '已下线接口', api: { url: `http://127.0.0.1:${port}/`, method: 'GET' } }));
    const res = await viaRelaxed('police.editor', 'POST', `/resources/${gone.id}/invoke`, {});
    expectError(res, 502, 'UPSTREAM_UNREACHABLE');
    assert.equal(json<{ error: { details: { reason: string } } }>(res).error.details.reason, 'ECONNREFUSED');
  });

  test('a host name that resolves to a refused address is refused when the call connects', async () => {
    // Registered by name (not an address), so the default check can only refuse it at connect time.
    const byName = await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'api', name: '本机接口', api: { url: `http://localhost:${new URL(base).port}/v1/people`, method: 'GET' } });
    assert.equal(byName.statusCode, 201, byName.body);
    const count = received.length;
    expectError(await as('police.editor', 'POST', `/resources/${json<Resource>(byName).id}/invoke`, {}), 403, 'UPSTREAM_HOST_BLOCKED');
    assert.equal(received.length, count, 'nothing reached the upstream');
  });

  test('paths that would leave the registered URL, reserved query names and bodies for GET are refused before any call', async () => {
    const count = received.length;
    for (const path of ['../admin', 'a/../../admin', '%2e%2e/admin', 'a%2fb', '..%2fadmin', 'http://evil.example/', '//evil.example/x', 'a\\b', 'a?x=1', 'a#b', 'a/./b']) {
      expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path }), 400, 'API_PATH_INVALID');
    }
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { query: { format: 'xml' } }), 400, 'API_QUERY_RESERVED');
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { body: { a: 1 } }), 400, 'API_BODY_NOT_ALLOWED');
    assert.equal(received.length, count);
  });

  test('is called by the provider and its data authority only', async () => {
    expectError(await viaRelaxed('market.consumer', 'POST', `/resources/${resource.id}/invoke`, {}), 403, 'FORBIDDEN');
    expectError(await viaRelaxed('market.editor', 'POST', `/resources/${resource.id}/invoke`, {}), 403, 'FORBIDDEN');
    const byAuthority = await viaRelaxed('authority', 'POST', `/resources/${resource.id}/invoke`, {});
    assert.equal(byAuthority.statusCode, 200, byAuthority.body);
    const anonymous = await relaxed.inject({ method: 'POST', url: `/api/v1/resources/${resource.id}/invoke`, payload: {} });
    expectError(anonymous, 401, 'UNAUTHENTICATED');
  });

  test("the upstream's address and headers are shown to the provider and its authority only", async () => {
    for (const username of ['police.consumer', 'authority']) {
      assert.equal(json<Resource>(await viaRelaxed(username, 'GET', `/resources/${resource.id}`)).api!.url, `${base}/v1/people?format=json`, username);
    }
    const outsider = await viaRelaxed('market.consumer', 'GET', `/resources/${resource.id}`);
    assert.equal(outsider.statusCode, 200, outsider.body);
    assert.equal(json<Resource>(outsider).api, undefined);
    assert.ok(!outsider.body.includes('127.0.0.1'));
    const listed = json<{ items: Resource[] }>(await viaRelaxed('market.consumer', 'GET', `/resources?pageSize=200`));
    assert.ok(listed.items.some((r) => r.id === resource.id));
    assert.ok(listed.items.every((r) => r.api === undefined));
  });

  test('an upstream that echoes the credential does not show it to the caller', async () => {
    const res = await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'echo-key' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json<InvokeResult>(res).status, 401);
    assert.deepEqual(json<InvokeResult>(res).body, { error: 'invalid key: [REDACTED]' });
    assert.ok(!res.body.includes(SECRET));
  });

  test('the credential does not follow the upstream to another server: a new origin needs it given again', async () => {
    // Same server, another path: the credential stays.
    const moved = await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { url: `${base}/v1/people?format=json&v=2` });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(json<Resource>(moved).api!.hasSecret, true);
    // Another port (or host, or scheme) is another server.
    const elsewhere = `http://127.0.0.1:${new URL(base).port === '1' ? 2 : 1}/v1/people`;
    expectError(await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { url: elsewhere }), 400, 'API_SECRET_REQUIRED');
    const kept = json<Resource>(await viaRelaxed('police.editor', 'GET', `/resources/${resource.id}`));
    assert.equal(kept.api!.url, `${base}/v1/people?format=json&v=2`, 'nothing changed');
    const back = await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { url: `${base}/v1/people?format=json` });
    assert.equal(back.statusCode, 200, back.body);
  });

  test('its upstream is changed by the provider: POST with a body, the credential replaced and removed', async () => {
    expectError(await viaRelaxed('market.editor', 'PATCH', `/resources/${resource.id}/api`, { method: 'POST' }), 403, 'NOT_PROVIDER');
    const NEW_SECRET = 'key-2-9c1d';
    const patched = await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { method: 'POST', secretHeader: { name: 'X-Api-Key', value: NEW_SECRET } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(json<Resource>(patched).api!.secretHeaderName, 'x-api-key');
    assert.equal(json<Resource>(patched).api!.url, `${base}/v1/people?format=json`, 'fields not sent stay');
    assert.ok(!patched.body.includes(NEW_SECRET));

    const res = await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'lookup', body: { idNumber: '630102199003070011' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json<InvokeResult>(res).body, { path: '/v1/people/lookup', query: { format: 'json' }, body: '{"idNumber":"630102199003070011"}' });
    const seen = received.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['x-api-key'], NEW_SECRET);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['content-type'], 'application/json');

    const cleared = await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { secretHeader: null });
    assert.equal(json<Resource>(cleared).api!.hasSecret, false);
    assert.equal(json<Resource>(cleared).api!.secretHeaderName, null);
    await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/invoke`, { path: 'lookup', body: {} });
    assert.equal(received.at(-1)!.headers['x-api-key'], undefined);
    // A change is checked as a whole, against the node's own rule for hosts.
    expectError(await as('police.editor', 'PATCH', `/resources/${resource.id}/api`, { url: 'http://127.0.0.1/' }), 400, 'API_HOST_NOT_ALLOWED');
    expectError(await viaRelaxed('police.editor', 'PATCH', `/resources/${resource.id}/api`, { headers: { Cookie: 'a=b' } }), 400, 'API_HEADER_RESERVED');
  });

  test('the credential is sealed at rest and appears in no response, log line or ledger entry', async () => {
    const { rows } = await sql<{ api: unknown; api_secret: string | null }>`select api, api_secret from resources where kind = 'api'`.execute(t.node.db.kysely);
    for (const row of rows) {
      assert.ok(!JSON.stringify(row.api).includes('s3cr3t'));
      assert.ok(row.api_secret === null || /^v1\./.test(row.api_secret));
    }
    const ledger = await ledgerText();
    assert.match(ledger, /resource\.api\.invoke/);
    // A path holding an ID number is kept as a keyed digest only.
    assert.match(ledger, /pathDigest/);
    assert.ok(!ledger.includes('630102199003070011'));
    assert.match(ledger, /resource\.api\.update .*"secret": "replaced"/);
    assert.ok(!ledger.includes('s3cr3t') && !ledger.includes('key-2-9c1d'));
    assert.ok(logs.length > 0);
    const log = logs.join('\n');
    assert.match(log, /UPSTREAM_TIMEOUT/, 'failures were logged');
    assert.ok(!log.includes('s3cr3t') && !log.includes('key-2-9c1d'));
  });
});

describe('a file resource', () => {
  let entry: CatalogEntry;
  let resource: Resource;
  const v1 = crypto.randomBytes(2 * 1024 * 1024 + 12_345); // three parts
  const v2 = Buffer.from('年份,人口\n2024,5940000\n');

  test('is attached to a file entry; several per entry', async () => {
    entry = await publishedEntry('人口统计公报（测试）', 'file');
    const res = await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'file', name: '人口统计公报' });
    assert.equal(res.statusCode, 201, res.body);
    resource = json<Resource>(res);
    assert.equal(resource.kind, 'file');
    assert.equal(resource.fileCount, 0);
    assert.equal(resource.latestFile, null);
    assert.equal(resource.api, undefined);
    const linked = json<{ items: Array<{ resourceId: string; kind: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/resources`)).items;
    assert.ok(linked.some((l) => l.resourceId === resource.id && l.kind === 'file'));
    assert.equal((await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'file', name: '历年公报' })).statusCode, 201);
    expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'file', api: { url: 'http://example.org/', method: 'GET' } }), 400, 'API_CONFIG_NOT_ALLOWED');
  });

  test('an upload becomes version 1 with its SM3, streamed in and back out byte for byte under its Chinese name', async () => {
    const name = '2024年人口统计公报.pdf';
    const res = await as('police.editor', 'POST', `/resources/${resource.id}/files?name=${encodeURIComponent(name)}&note=${encodeURIComponent('年度公报')}`, v1, { 'content-type': 'application/pdf' });
    assert.equal(res.statusCode, 201, res.body);
    const file = json<FileVersion>(res);
    assert.equal(file.version, 1);
    assert.equal(file.fileName, name);
    assert.equal(file.mediaType, 'application/pdf');
    assert.equal(file.size, v1.length);
    assert.equal(file.sm3, sm3Hex(v1));
    assert.equal(file.note, '年度公报');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from resource_file_chunks c join resource_files f on f.id = c.file_id where f.resource_id = ${resource.id}`.execute(t.node.db.kysely);
    assert.equal(rows[0]!.n, 3, 'stored as 1 MiB parts');

    const download = await as('police.editor', 'GET', `/resources/${resource.id}/files/1`);
    assert.equal(download.statusCode, 200);
    assert.ok(download.rawPayload.equals(v1));
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.equal(download.headers['content-length'], String(v1.length));
    assert.equal(download.headers['x-content-sm3'], sm3Hex(v1));
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal(download.headers['content-disposition'], `attachment; filename="2024_______.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`);
    assert.match(await ledgerText(), new RegExp(`resource\\.file\\.upload .*"sm3": "${sm3Hex(v1)}"`));
  });

  test('versions increase; the resource shows the newest; uploads may stream without a length', async () => {
    const res = await as('police.editor', 'POST', `/resources/${resource.id}/files?name=${encodeURIComponent('人口.csv')}`, Readable.from([v2.subarray(0, 7), v2.subarray(7)]), { 'content-type': 'text/csv; charset=UTF-8; header=present' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json<FileVersion>(res).version, 2);
    assert.equal(json<FileVersion>(res).mediaType, 'text/csv; charset=utf-8');
    const shown = json<Resource>(await as('market.consumer', 'GET', `/resources/${resource.id}`));
    assert.equal(shown.fileCount, 2);
    assert.equal(shown.latestFile!.version, 2);
    assert.equal(shown.latestFile!.sm3, sm3Hex(v2));
    assert.equal(shown.rowCount, 0);
    assert.ok(shown.lastLoadedAt !== null);
    const listed = json<{ items: Resource[] }>(await as('police.editor', 'GET', `/resources?catalogId=${entry.id}&kind=file`)).items.find((r) => r.id === resource.id)!;
    assert.equal(listed.latestFile!.version, 2);

    const versions = json<{ items: FileVersion[]; total: number }>(await as('authority', 'GET', `/resources/${resource.id}/files`));
    assert.equal(versions.total, 2);
    assert.deepEqual(versions.items.map((v) => v.version), [2, 1]);
    const csv = await as('authority', 'GET', `/resources/${resource.id}/files/2`);
    assert.equal(csv.body, v2.toString());
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    expectError(await as('police.editor', 'GET', `/resources/${resource.id}/files/3`), 404, 'FILE_VERSION_NOT_FOUND');
  });

  test('two uploads at once get consecutive versions', async () => {
    const [a, b] = await Promise.all(
      ['a.txt', 'b.txt'].map((name) => as('police.editor', 'POST', `/resources/${resource.id}/files?name=${name}`, Buffer.from(name.repeat(1000)), { 'content-type': 'text/plain' })),
    );
    assert.deepEqual([json<FileVersion>(a!).version, json<FileVersion>(b!).version].sort(), [3, 4]);
  });

  test('a file over the limit is refused with 413 and leaves nothing behind; so are empty and badly named files', async () => {
    const count = async () => {
      const { rows } = await sql<{ files: number; chunks: number }>`
        select (select count(*)::int from resource_files where resource_id = ${resource.id}) as files,
               (select count(*)::int from resource_file_chunks c join resource_files f on f.id = c.file_id where f.resource_id = ${resource.id}) as chunks`.execute(t.node.db.kysely);
      return rows[0]!;
    };
    const before = await count();
    // Streamed without a length: refused once the bytes pass the limit, the parts already written dropped.
    const tooBig = Readable.from((function* () {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(1024 * 1024, i);
    })());
    const refused = await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/files?name=big.bin`, tooBig, { 'content-type': 'application/octet-stream' });
    expectError(refused, 413, 'FILE_TOO_LARGE');
    assert.equal(refused.headers.connection, 'close', 'the rest of the body is not read');
    // With a length: refused before reading.
    expectError(await viaRelaxed('police.editor', 'POST', `/resources/${resource.id}/files?name=big.bin`, Buffer.alloc(MAX_FILE + 1)), 413, 'FILE_TOO_LARGE');
    assert.deepEqual(await count(), before);

    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/files?name=empty.txt`, ''), 400, 'FILE_EMPTY');
    for (const name of ['..', '../etc/passwd', 'a\\b.txt', 'a\tb']) {
      expectError(await as('police.editor', 'POST', `/resources/${resource.id}/files?name=${encodeURIComponent(name)}`, 'x', { 'content-type': 'text/plain' }), 400, 'FILE_NAME_INVALID');
    }
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/files`, 'x', { 'content-type': 'text/plain' }), 400, 'VALIDATION_FAILED');
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/files?name=x.bin`, 'x', { 'content-type': 'not a type' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/files?name=x.bin`, 'x', { 'content-type': `application/${'x'.repeat(200)}` }), 415, 'FILE_MEDIA_TYPE_INVALID');
    assert.deepEqual(await count(), before);
  });

  test('is uploaded by the provider’s editors and read by the provider and its data authority only', async () => {
    expectError(await as('market.editor', 'POST', `/resources/${resource.id}/files?name=x.txt`, 'x', { 'content-type': 'text/plain' }), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'POST', `/resources/${resource.id}/files?name=x.txt`, 'x', { 'content-type': 'text/plain' }), 403, 'FORBIDDEN');
    expectError(await as('market.consumer', 'GET', `/resources/${resource.id}/files`), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'GET', `/resources/${resource.id}/files/1`), 403, 'FORBIDDEN');
    assert.equal((await as('police.consumer', 'GET', `/resources/${resource.id}/files/1`)).statusCode, 200);
    assert.match(await ledgerText(), /resource\.file\.download/);
  });

  test('files and invocations go to their own kinds only; table loads refuse other kinds', async () => {
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/invoke`, {}), 409, 'RESOURCE_NOT_API');
    expectError(await as('police.editor', 'PATCH', `/resources/${resource.id}/api`, { method: 'GET' }), 409, 'RESOURCE_NOT_API');
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/data`, 'a\n1\n', { 'content-type': 'text/csv' }), 409, 'RESOURCE_NOT_TABLE');
  });

  test('an upload a stopped process left unfinished is purged after a day', async () => {
    const { rows } = await sql<{ id: string }>`
      insert into resource_files (resource_id, file_name, media_type, started_at) values (${resource.id}, 'lost.bin', 'application/octet-stream', now() - interval '25 hours') returning id`.execute(t.node.db.kysely);
    await sql`insert into resource_file_chunks (file_id, seq, data) values (${rows[0]!.id}, 0, '\\x00')`.execute(t.node.db.kysely);
    assert.equal(await t.node.resources.purgeAbandonedUploads(), 1);
    const left = await sql<{ n: number }>`select count(*)::int as n from resource_file_chunks where file_id = ${rows[0]!.id}`.execute(t.node.db.kysely);
    assert.equal(left.rows[0]!.n, 0);
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).fileCount, 4, 'versions are untouched');
  });
});

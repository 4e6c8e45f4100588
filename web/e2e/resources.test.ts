import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestNode } from '../../test/helper.js';
import { completeResidentId } from '../../src/core/codes/index.js';
import { startPortal, type Portal } from './support.js';

/**
 * Issue 4's "Done when", in the browser: an editor of 青海省公安厅 attaches a table resource to a
 * published entry, uploads a GBK CSV with bad rows, sees exactly which rows failed and why (row,
 * column, code, message), loads the good ones, fixes the bad rows and re-uploads them as an upsert,
 * and finds them in the data preview. Then api resources (the secret header never reaches the
 * browser) and file resources (versions with SM3, downloaded byte for byte).
 * Debian's Chromium (never `playwright install`).
 */

const ENTRY_NAME = '常住人口基本信息（门户加载测试）';

const ZHANG = completeResidentId('63010219900307001');
const LI = completeResidentId('63010219851120002');
const WANG = completeResidentId('63012119720815003');
const ZHAO = completeResidentId('63010219660101004');
/** LI with a wrong check digit. */
const LI_BAD = `${LI.slice(0, 17)}${LI[17] === '0' ? '1' : '0'}`;

/**
 * GBK bytes, as Excel and WPS write "CSV" on Chinese Windows. Node encodes only UTF-8, so the table
 * comes from the platform's GBK decoder: every two-byte sequence decoded once, inverted.
 */
let gbkTable: Map<string, Buffer> | undefined;
function gbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead += 1) {
      for (let trail = 0x40; trail <= 0xfe; trail += 1) {
        if (trail === 0x7f) continue;
        let ch: string;
        try {
          ch = decoder.decode(Uint8Array.of(lead, trail));
        } catch {
          continue;
        }
        if (ch.length === 1 && !gbkTable.has(ch)) gbkTable.set(ch, Buffer.from([lead, trail]));
      }
    }
  }
  return Buffer.concat(
    [...text].map((ch) => {
      if (ch.charCodeAt(0) < 0x80) return Buffer.from(ch, 'latin1');
      const bytes = gbkTable!.get(ch);
      assert.ok(bytes, `${ch} is in GBK`);
      return bytes;
    }),
  );
}

const HEADER = '公民身份号码,姓名,出生日期,联系电话';
/** Four rows: the 2nd has a bad check digit, the 3rd an impossible date and a short phone number. */
const FIRST_FILE = [
  HEADER,
  `${ZHANG},张三,1990-03-07,13897000001`,
  `${LI_BAD},李四,1985-11-20,13897000002`,
  `${WANG},王五,1972-13-45,12345`,
  `${ZHAO},赵六,1966-01-01,13897000004`,
].join('\r\n');
/** The two rows fixed, and 张三's new phone number: an upsert inserts two and updates one. */
const FIXED_FILE = [
  HEADER,
  `${LI},李四,1985-11-20,13897000002`,
  `${WANG},王五,1972-08-15,13897000003`,
  `${ZHANG},张三,1990-03-07,13897009999`,
].join('\r\n');

let portal: Portal;
let t: TestNode;
let browser: Browser;
let baseUrl: string;
let shots: string;

before(async () => {
  // The upstreams of these tests listen on loopback, which a node refuses unless it is told (SSRF).
  portal = await startPortal('resources', { connectorHosts: ['127.0.0.1'] });
  ({ t, browser, baseUrl, shots } = portal);
  // A serving node runs the job worker (connector runs and schedules); test nodes start it by hand.
  t.node.jobs.start();
});

after(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (username: string): Promise<Page> => portal.signIn(username);

const step = <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => portal.step(page, name, fn);

const api = <T>(username: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> => portal.api<T>(username, method, url, payload);

const statistic = async (scope: Locator, testId: string): Promise<string> =>
  ((await scope.getByTestId(testId).locator('.ant-statistic-content-value').textContent()) ?? '').trim();

/** The rows of a LoadErrorsTable as [row, column, code, message]. */
async function reportRows(scope: Locator, testId: string): Promise<string[][]> {
  const rows = scope.locator(`tr[data-testid^="${testId}-"]`);
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    out.push((await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim()));
  }
  return out;
}

async function chooseFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByTestId('resource-upload').locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: bytes });
  await page.getByTestId('resource-upload').getByText(name).waitFor();
}

/** A published entry of the police, of the given format. */
async function publishedEntry(name: string, format: 'table' | 'api' | 'file'): Promise<string> {
  const entry = await api<{ id: string }>('police.editor', 'POST', '/catalogs', {
    name,
    summary: '常住人口登记的基本信息，供政务服务身份核验。',
    resourceType: 'basic',
    category: '1-01-001',
    format,
    shareType: 'conditional',
    shareCondition: '用于政务服务身份核验',
    shareMethods: [format],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'important',
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '出生日期', column: 'birth_date', dataType: 'date' },
      { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
    ],
  });
  await api('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
  await api('authority', 'POST', `/catalogs/${entry.id}/approve`);
  return entry.id;
}

/** The entry's page, its resources tab, the attach button for its format → the new resource's page. */
async function attach(page: Page, entryId: string, kind: 'table' | 'api' | 'file', name: string, fill?: () => Promise<void>): Promise<string> {
  await page.goto(`${baseUrl}/catalog/entries/${entryId}`);
  await page.getByTestId('page-catalog-entry').waitFor();
  await page.getByTestId('entry-tab-resources').click();
  await page.getByTestId(`entry-attach-${kind}`).click();
  await page.getByTestId('attach-name').fill(name);
  await fill?.();
  await page.getByTestId('attach-submit').click();
  await page.waitForURL(/\/resources\/[0-9a-f-]{36}$/);
  await page.getByTestId('page-resource').waitFor();
  assert.equal(await page.getByTestId('resource-name').textContent(), name);
  return new URL(page.url()).pathname.split('/').pop() ?? '';
}

describe('loading a table resource in the portal', () => {
  let entryId = '';
  let resourceId = '';

  before(async () => {
    entryId = await publishedEntry(ENTRY_NAME, 'table');
  });

  test('the editor attaches a table resource to the published entry', async () => {
    const page = await signIn('police.editor');
    await step(page, 'attach', async () => {
      resourceId = await attach(page, entryId, 'table', '常住人口库（门户测试）');
      await page.getByTestId('resource-column-resident_id').waitFor();
      assert.equal((await page.getByTestId('resource-rowCount').textContent())?.trim(), '0');
    });
    await page.context().close();
  });

  test('a GBK CSV with bad rows: the report names each failed row, column and code; the good rows load', async () => {
    assert.ok(resourceId, 'the resource was attached');
    const page = await signIn('police.editor');
    await step(page, 'check', async () => {
      await page.goto(`${baseUrl}/resources/${resourceId}`);
      await page.getByTestId('resource-tab-upload').click();
      await chooseFile(page, '常住人口.csv', gbk(FIRST_FILE));
      // Encoding left on "detect": the server finds GBK (read as its superset GB18030).
      await page.getByTestId('upload-check').click();
      const report = page.getByTestId('upload-check-report');
      await report.waitFor();
      assert.equal((await report.getByTestId('upload-check-report-encoding').textContent())?.trim(), 'gb18030');
      assert.match((await report.getByTestId('upload-check-report-status').textContent()) ?? '', /2 行未通过校验/);
      assert.equal(await statistic(report, 'upload-check-report-counts-rowsRead'), '4');
      assert.equal(await statistic(report, 'upload-check-report-counts-rejected'), '2');
      // The preview shows the Chinese text decoded from GBK.
      await report.getByTestId('upload-check-report-preview').getByText('赵六').waitFor();
      const rows = await reportRows(report, 'upload-check-report-errors');
      assert.deepEqual(
        rows.map((r) => r.slice(0, 3)),
        [
          ['2', 'resident_id', 'RESIDENT_ID_INVALID'],
          ['3', 'birth_date', 'DATE_INVALID'],
          ['3', 'phone', 'PHONE_INVALID'],
        ],
      );
      for (const r of rows) assert.match(r[3] ?? '', /[\u4e00-\u9fff]/, `a Chinese explanation for row ${r[0]} ${r[1]}: ${r[3]}`);
      await page.screenshot({ path: path.join(shots, 'check-report.png'), fullPage: true });
    });

    await step(page, 'load', async () => {
      await page.getByTestId('upload-mode-upsert').click();
      await page.getByTestId('upload-load').click();
      const report = page.getByTestId('upload-load-report');
      await report.waitFor();
      assert.match((await report.getByTestId('upload-load-report-status').textContent()) ?? '', /加载完成，2 行被拒绝/);
      assert.equal(await statistic(report, 'upload-load-report-counts-inserted'), '2');
      assert.equal(await statistic(report, 'upload-load-report-counts-rejected'), '2');
      assert.deepEqual(
        (await reportRows(report, 'upload-load-report-errors')).map((r) => r.slice(0, 3)),
        [
          ['2', 'resident_id', 'RESIDENT_ID_INVALID'],
          ['3', 'birth_date', 'DATE_INVALID'],
          ['3', 'phone', 'PHONE_INVALID'],
        ],
      );
      await page.getByTestId('resource-rowCount').getByText('2', { exact: true }).waitFor();

      await page.getByTestId('resource-tab-rows').click();
      const table = page.getByTestId('resource-rows-table');
      await table.getByTestId(`resource-rows-table-row-${ZHANG}`).getByText('张三').waitFor();
      await table.getByTestId(`resource-rows-table-row-${ZHAO}`).getByText('赵六').waitFor();
      assert.equal(await table.locator('tr[data-testid^="resource-rows-table-row-"]').count(), 2, 'only the good rows were loaded');
    });
    await page.context().close();
  });

  test('the fixed rows re-uploaded as an upsert: two inserted, one updated, all in the data preview', async () => {
    assert.ok(resourceId, 'the resource was attached');
    const page = await signIn('police.editor');
    await step(page, 'fix', async () => {
      await page.goto(`${baseUrl}/resources/${resourceId}`);
      await page.getByTestId('resource-tab-upload').click();
      await chooseFile(page, '常住人口（更正）.csv', gbk(FIXED_FILE));
      // This time the encoding is declared.
      await page.getByTestId('upload-charset').click();
      await page.locator('.ant-select-item-option[title="GBK"]').click();
      await page.getByTestId('upload-mode-upsert').click();
      await page.getByTestId('upload-check').click();
      const check = page.getByTestId('upload-check-report');
      await check.waitFor();
      assert.match((await check.getByTestId('upload-check-report-status').textContent()) ?? '', /校验通过/);
      assert.equal(await statistic(check, 'upload-check-report-counts-rowsRead'), '3');
      assert.equal(await statistic(check, 'upload-check-report-counts-rejected'), '0');
      assert.equal(await check.getByTestId('upload-check-report-errors').count(), 0);

      await page.getByTestId('upload-load').click();
      const report = page.getByTestId('upload-load-report');
      await report.waitFor();
      assert.match((await report.getByTestId('upload-load-report-status').textContent()) ?? '', /加载完成/);
      assert.equal(await statistic(report, 'upload-load-report-counts-inserted'), '2');
      assert.equal(await statistic(report, 'upload-load-report-counts-updated'), '1');
      assert.equal(await statistic(report, 'upload-load-report-counts-deleted'), '0');
      assert.equal(await statistic(report, 'upload-load-report-counts-rejected'), '0');
      await page.getByTestId('resource-rowCount').getByText('4', { exact: true }).waitFor();
    });

    await step(page, 'preview', async () => {
      await page.getByTestId('resource-tab-rows').click();
      const table = page.getByTestId('resource-rows-table');
      const li = table.getByTestId(`resource-rows-table-row-${LI}`);
      await li.getByText('李四').waitFor();
      assert.deepEqual((await li.locator('td').allTextContents()).map((s) => s.trim()), [LI, '李四', '1985-11-20', '13897000002']);
      const wang = table.getByTestId(`resource-rows-table-row-${WANG}`);
      assert.deepEqual((await wang.locator('td').allTextContents()).map((s) => s.trim()), [WANG, '王五', '1972-08-15', '13897000003']);
      const zhang = table.getByTestId(`resource-rows-table-row-${ZHANG}`);
      assert.deepEqual((await zhang.locator('td').allTextContents()).map((s) => s.trim()), [ZHANG, '张三', '1990-03-07', '13897009999']);
      assert.equal(await table.locator('tr[data-testid^="resource-rows-table-row-"]').count(), 4);
      assert.equal(await table.getByTestId(`resource-rows-table-row-${LI_BAD}`).count(), 0, 'the refused row never landed');
      await page.screenshot({ path: path.join(shots, 'rows.png'), fullPage: true });
    });

    await step(page, 'history', async () => {
      await page.getByTestId('resource-tab-loads').click();
      const loads = page.getByTestId('resource-loads').locator('tr[data-testid^="load-row-"]');
      await loads.nth(1).waitFor();
      assert.equal(await loads.count(), 2);
    });
    await page.context().close();

    // What the portal showed is what the node holds.
    const rows = await api<{ items: Array<Record<string, unknown>>; total: number }>('police.editor', 'GET', `/resources/${resourceId}/rows?pageSize=50`);
    assert.equal(rows.total, 4);
    assert.deepEqual(
      rows.items.map((r) => r.full_name).sort(),
      ['张三', '李四', '王五', '赵六'].sort(),
    );
  });
});

describe('api and file resources in the portal', () => {
  const SECRET = 'sk-qh-police-7f3a9c2e51';

  test('an api resource: attached with a secret header that never reaches the browser; "try it" calls the upstream with it', async (ctx) => {
    // The upstream: answers what it was sent.
    const address = '127.0.0.1';
    const upstream = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ path: req.url, keyMatches: req.headers['x-api-key'] === SECRET, region: req.headers['x-region'] ?? null, data: { holder: '张三', status: '正常' } }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    ctx.after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const url = `http://${address}:${(upstream.address() as { port: number }).port}/api/v1/licences`;

    const entryId = await publishedEntry('驾驶证核验接口（门户测试）', 'api');
    const page = await signIn('police.editor');
    const secretSeen: string[] = [];
    page.on('response', (r) => {
      if (!r.url().includes('/api/v1/')) return;
      void r.text().then((body) => body.includes(SECRET) && secretSeen.push(r.url())).catch(() => undefined);
    });
    let resourceId = '';
    await step(page, 'api-attach', async () => {
      resourceId = await attach(page, entryId, 'api', '驾驶证核验接口', async () => {
        await page.getByTestId('api-form-url').fill(url);
        await page.getByTestId('api-form-headers-add').click();
        await page.getByTestId('api-form-headers-key-0').fill('X-Region');
        await page.getByTestId('api-form-headers-value-0').fill('630000');
        await page.getByTestId('api-form-secret-name').fill('X-Api-Key');
        await page.getByTestId('api-form-secret-value').fill(SECRET);
      });
      const config = page.getByTestId('api-config');
      assert.equal((await config.getByTestId('api-config-url').textContent())?.trim(), url);
      assert.equal((await config.getByTestId('api-config-method').textContent())?.trim(), 'GET');
      await config.getByTestId('api-config-headers').getByText('630000').waitFor();
      await config.getByTestId('api-config-has-secret').waitFor();
      assert.match((await config.getByTestId('api-config-secret').textContent()) ?? '', /x-api-key/i);
      assert.ok(!(await page.content()).includes(SECRET), 'the secret is not on the page');
    });

    await step(page, 'api-try', async () => {
      await page.getByTestId('resource-tab-try').click();
      await page.getByTestId('api-invoke-path').fill('630102199003070011');
      await page.getByTestId('api-invoke-query-add').click();
      await page.getByTestId('api-invoke-query-key-0').fill('fields');
      await page.getByTestId('api-invoke-query-value-0').fill('status');
      await page.getByTestId('api-invoke-send').click();
      await page.getByTestId('api-invoke-result').waitFor();
      assert.equal((await page.getByTestId('api-invoke-status').textContent())?.trim(), '200');
      const answer = JSON.parse((await page.getByTestId('api-invoke-body-result').textContent()) ?? '') as { path: string; keyMatches: boolean; region: string; data: { holder: string } };
      assert.deepEqual(answer, { path: '/api/v1/licences/630102199003070011?fields=status', keyMatches: true, region: '630000', data: { holder: '张三', status: '正常' } });
      // "../" would leave the registered URL: refused in the browser before any call.
      await page.getByTestId('api-invoke-path').fill('../admin');
      await page.getByTestId('api-invoke-send').click();
      await page.getByText('路径须位于登记的地址之下', { exact: false }).waitFor();
    });

    await step(page, 'api-edit', async () => {
      // Moved to a host that does not exist (.invalid never resolves), the secret cleared: the call fails, and says why.
      await page.getByTestId('api-edit').click();
      await page.getByTestId('api-form-url').fill('https://jg.gongan.invalid/api/v1/licences');
      await page.getByTestId('api-form-secret-clear').click();
      await page.getByTestId('api-edit-submit').click();
      await page.getByTestId('api-config-no-secret').waitFor();
      await page.getByTestId('api-invoke-path').fill('630102199003070011');
      const called = page.waitForResponse((r) => r.url().endsWith(`/resources/${resourceId}/invoke`));
      await page.getByTestId('api-invoke-send').click();
      const res = await called;
      assert.ok(res.status() >= 500, `the upstream cannot be reached: ${res.status()}`);
      const code = ((await res.json()) as { error: { code: string } }).error.code;
      assert.match(code, /^UPSTREAM_/);
      assert.equal((await page.getByTestId('api-invoke-error-code').textContent())?.trim(), code);
    });
    await page.context().close();
    assert.deepEqual(secretSeen, [], 'no answer of the API carried the secret');
  });

  test('a file resource: versions uploaded with their SM3, listed newest first, downloaded byte for byte', async () => {
    const entryId = await publishedEntry('人口统计公报（门户测试）', 'file');
    const v1 = Buffer.from('%PDF-1.4\n青海省2025年人口统计公报（第一版）\n', 'utf8');
    const v2 = Buffer.concat([Buffer.from('%PDF-1.4\n青海省2025年人口统计公报（更正版）\n', 'utf8'), crypto.randomBytes(3000)]);
    const sm3 = (b: Buffer) => crypto.createHash('sm3').update(b).digest('hex');
    const page = await signIn('police.editor');
    let resourceId = '';
    await step(page, 'file-attach', async () => {
      resourceId = await attach(page, entryId, 'file', '人口统计公报');
      await page.getByTestId('resource-latestFile').getByText('尚无文件版本').waitFor();
    });

    await step(page, 'file-upload', async () => {
      const upload = async (name: string, bytes: Buffer, note: string, version: number) => {
        await page.getByTestId('file-upload').locator('input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });
        await page.getByTestId('file-upload-note').fill(note);
        await page.getByTestId('file-upload-submit').click();
        await page.getByTestId(`file-row-${version}`).waitFor();
      };
      await upload('2025年人口统计公报.pdf', v1, '首次发布', 1);
      assert.equal(await page.getByTestId('file-sm3-1').getAttribute('data-sm3'), sm3(v1));
      assert.equal(await page.getByTestId('file-name-1').textContent(), '2025年人口统计公报.pdf');
      await upload('2025年人口统计公报（更正）.pdf', v2, '更正第三页数据', 2);
      assert.equal(await page.getByTestId('file-sm3-2').getAttribute('data-sm3'), sm3(v2));
      const order = await page.locator('tr[data-testid^="file-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
      assert.deepEqual(order, ['file-row-2', 'file-row-1'], 'newest first');
      await page.getByTestId('resource-latestFile').getByText('v2', { exact: false }).waitFor();
      await page.screenshot({ path: path.join(shots, 'file-versions.png'), fullPage: true });
    });

    await step(page, 'file-download', async () => {
      const downloading = page.waitForEvent('download');
      await page.getByTestId('file-download-1').click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), '2025年人口统计公报.pdf');
      const file = path.join(shots, 'v1.pdf');
      await download.saveAs(file);
      assert.ok(fs.readFileSync(file).equals(v1), 'version 1 comes back byte for byte');
    });
    await page.context().close();

    const files = await api<{ items: Array<{ version: number; sm3: string; size: number }> }>('police.editor', 'GET', `/resources/${resourceId}/files`);
    assert.deepEqual(files.items.map((f) => [f.version, f.sm3, f.size]), [[2, sm3(v2), v2.length], [1, sm3(v1), v1.length]]);
  });
});

describe('connectors in the portal', () => {
  const KEY = 'qh-gongan-connector-key-5521';
  const PEOPLE: Array<[string, string]> = [
    [ZHANG, '张三'],
    [LI, '李四'],
    [LI_BAD, '李四（错号）'],
    [WANG, '王五'],
    [ZHAO, '赵六'],
  ];
  let base = '';
  let upstream: http.Server | undefined;

  before(async () => {
    // A paged JSON API of the provider (page/pageSize, items under data.list) that wants its key.
    const address = '127.0.0.1';
    upstream = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (url.pathname === '/broken') {
        res.statusCode = 503;
        res.end('{"message":"维护中"}');
        return;
      }
      if (req.headers['x-api-key'] !== KEY) {
        res.statusCode = 401;
        res.end('{"message":"no key"}');
        return;
      }
      const page = Number(url.searchParams.get('page') ?? 1);
      const size = Number(url.searchParams.get('pageSize') ?? 100);
      const list = PEOPLE.slice((page - 1) * size, page * size).map(([id, name]) => ({ sfzh: id, xm: name }));
      res.end(JSON.stringify({ code: 0, data: { list } }));
    });
    await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve));
    base = `http://${address}:${(upstream.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve())));

  test('the provider sets up an http connector, tests it, runs it and follows the run into the data', async () => {
    const entryId = await publishedEntry('常住人口接口同步（门户测试）', 'table');
    const resource = await api<{ id: string }>('police.editor', 'POST', `/catalogs/${entryId}/resources`, { kind: 'table' });
    const page = await signIn('police.editor');
    let connectorId = '';
    await step(page, 'connector-create', async () => {
      await page.goto(`${baseUrl}/resources/${resource.id}?tab=connectors`);
      await page.getByTestId('resource-connectors').waitFor();
      await page.getByTestId('connector-create').click();
      await page.getByTestId('connector-form-name').fill('人口库接口同步');
      await page.getByTestId('connector-form-kind-http').click();
      await page.getByTestId('connector-form-url').fill(`${base}/persons`);
      await page.getByTestId('connector-form-secret-name').fill('X-Api-Key');
      await page.getByTestId('connector-form-secret-value').fill(KEY);
      await page.getByTestId('connector-form-items-path').fill('data.list');
      // Chosen until it shows: under load an option click can land while the dropdown still animates.
      for (let attempt = 0; !(await page.getByTestId('connector-form-page-size').isVisible()); attempt++) {
        assert.ok(attempt < 5, 'paging by page number could be chosen');
        await page.getByTestId('connector-form-paging').click();
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '按页码' }).last().click({ timeout: 5000 }).catch(() => undefined);
        await page.getByTestId('connector-form-page-size').waitFor({ timeout: 3000 }).catch(() => undefined);
      }
      await page.getByTestId('connector-form-page-size').fill('2');
      // The source's names are not the resource's: sfzh → resident_id, xm → full_name.
      for (const [i, from, to] of [[0, 'sfzh', 'resident_id'], [1, 'xm', 'full_name']] as const) {
        await page.getByTestId('connector-form-columns-add').click();
        await page.getByTestId(`connector-form-columns-key-${i}`).fill(from);
        // Typed into the searchable select and chosen with Enter: clicking an option raced the
        // previous row's dropdown closing under CI load.
        const select = page.getByTestId(`connector-form-columns-value-${i}`);
        await select.click();
        await page.keyboard.type(to);
        await page.keyboard.press('Enter');
        await select.getByText(to).waitFor();
      }
      await page.getByTestId('connector-form-scheduled').click(); // by hand only, for now
      const created = page.waitForResponse((r) => r.url().endsWith(`/resources/${resource.id}/connectors`) && r.request().method() === 'POST');
      await page.getByTestId('connector-form-submit').click();
      const res = await created;
      assert.equal(res.status(), 201, await res.text());
      connectorId = ((await res.json()) as { id: string }).id;
      await page.getByTestId(`connector-row-${connectorId}`).waitFor();
      await page.getByTestId(`connector-has-secret-${connectorId}`).waitFor();
      assert.equal((await page.getByTestId(`connector-schedule-${connectorId}`).textContent())?.trim(), '仅手动运行');
      assert.ok(!(await page.content()).includes(KEY), 'the key is not on the page');
    });

    await step(page, 'connector-test', async () => {
      await page.getByTestId(`connector-test-${connectorId}`).click();
      const result = page.getByTestId('connector-test-result');
      await result.waitFor();
      assert.equal(await result.getAttribute('data-ok'), 'true');
      await result.getByTestId('connector-test-columns').getByText('sfzh').waitFor();
      await result.getByTestId('connector-test-sample').getByText('张三').waitFor();
      await page.keyboard.press('Escape');
      await result.waitFor({ state: 'hidden' });
    });

    await step(page, 'connector-run', async () => {
      await page.getByTestId(`connector-run-${connectorId}`).click();
      await page.getByTestId(`connector-runs-${connectorId}`).waitFor();
      // The page follows the run by itself: no reload until it has finished.
      await page.waitForFunction(
        (id) => document.querySelector(`[data-testid="connector-last-status-${id}"]`)?.getAttribute('data-status') === 'succeeded',
        connectorId,
        { timeout: 60_000 },
      );
      const runs = (await api<{ items: Array<{ id: string; loadId: string; rowsRead: number; inserted: number; rejected: number }> }>('police.editor', 'GET', `/connectors/${connectorId}/runs`)).items;
      assert.equal(runs.length, 1);
      assert.deepEqual([runs[0]!.rowsRead, runs[0]!.inserted, runs[0]!.rejected], [5, 4, 1]);
      const row = page.getByTestId(`run-row-${runs[0]!.id}`);
      await row.getByTestId(`run-status-${runs[0]!.id}`).waitFor();
      await page.getByTestId('resource-rowCount').getByText('4', { exact: true }).waitFor();
      await page.screenshot({ path: path.join(shots, 'connector-run.png'), fullPage: true });
      // The run's load, with the row the source got wrong.
      await row.getByTestId(`run-load-${runs[0]!.loadId}`).click();
      await page.getByTestId(`load-row-${runs[0]!.loadId}`).waitFor();
      await page.getByTestId(`load-errors-${runs[0]!.loadId}`).getByText('RESIDENT_ID_INVALID').waitFor();
      await page.getByTestId('resource-tab-rows').click();
      await page.getByTestId(`resource-rows-table-row-${WANG}`).getByText('王五').waitFor();
      assert.equal(await page.locator('tr[data-testid^="resource-rows-table-row-"]').count(), 4);
    });

    await step(page, 'connector-schedule', async () => {
      await page.getByTestId('resource-tab-connectors').click();
      await page.getByTestId(`connector-schedule-edit-${connectorId}`).click();
      await page.getByTestId('connector-schedule-on').click();
      await page.getByTestId('connector-schedule-interval').fill('15');
      await page.getByTestId('connector-schedule-submit').click();
      await page.getByTestId(`connector-schedule-${connectorId}`).getByText('每 15 分钟').waitFor();
      const disabled = page.waitForResponse((r) => r.url().endsWith(`/connectors/${connectorId}`) && r.request().method() === 'PATCH');
      await page.getByTestId(`connector-enabled-${connectorId}`).click();
      assert.equal((await disabled).status(), 200);
      const saved = await api<{ intervalMinutes: number | null; enabled: boolean; hasSecret: boolean; config: Record<string, unknown> }>('police.editor', 'GET', `/connectors/${connectorId}`);
      assert.deepEqual([saved.intervalMinutes, saved.enabled, saved.hasSecret], [15, false, true]);
      assert.deepEqual(saved.config.columns, { sfzh: 'resident_id', xm: 'full_name' });
    });
    await page.context().close();
  });

  test('a failing source: the run waits to retry, and says why in the current language; the connector is deleted', async () => {
    const entryId = await publishedEntry('常住人口接口同步（故障测试）', 'table');
    const resource = await api<{ id: string }>('police.editor', 'POST', `/catalogs/${entryId}/resources`, { kind: 'table' });
    const broken = await api<{ id: string }>('police.editor', 'POST', `/resources/${resource.id}/connectors`, {
      name: '维护中的接口',
      kind: 'http',
      config: { url: `${base}/broken`, itemsPath: 'data.list' },
      maxAttempts: 3,
    });
    const page = await signIn('police.editor');
    await step(page, 'connector-retry', async () => {
      await page.goto(`${baseUrl}/resources/${resource.id}?tab=connectors`);
      await page.getByTestId(`connector-run-${broken.id}`).click();
      await page.waitForFunction(
        (id) => ['retrying', 'failed'].includes(document.querySelector(`[data-testid="connector-last-status-${id}"]`)?.getAttribute('data-status') ?? ''),
        broken.id,
        { timeout: 60_000 },
      );
      const run = (await api<{ items: Array<{ id: string; status: string; error: { code: string; messageZh: string } | null; nextRetryAt: string | null }> }>('police.editor', 'GET', `/connectors/${broken.id}/runs`)).items[0]!;
      assert.equal(run.status, 'retrying');
      assert.ok(run.error && run.nextRetryAt);
      const error = page.getByTestId(`run-error-${run.id}`);
      await error.getByText(run.error.messageZh, { exact: false }).waitFor();
      await error.getByText(run.error.code).waitFor();
      await page.getByTestId(`run-retry-${run.id}`).getByText('重试', { exact: false }).waitFor();
      await page.screenshot({ path: path.join(shots, 'connector-retrying.png'), fullPage: true });
    });

    await step(page, 'connector-delete', async () => {
      await page.getByTestId(`connector-delete-${broken.id}`).click();
      await page.getByTestId(`connector-delete-confirm-${broken.id}`).click();
      await page.getByTestId(`connector-row-${broken.id}`).waitFor({ state: 'detached' });
      const res = await t.request({ method: 'GET', url: `/api/v1/connectors/${broken.id}`, token: await t.login('police.editor') });
      assert.equal(res.statusCode, 404);
    });
    await page.context().close();
  });
});

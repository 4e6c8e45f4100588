import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { completeResidentId } from '../../src/core/codes/index.js';
import { startPortal, type Portal } from './support.js';

/**
 * File sharing (文件共享) in the portal: a consumer of 青海省市场监督管理局 holds a grant with the
 * file method on a police entry, opens 数据导出 from the grant (?grantId=), exports CSV, watches the
 * export go from queued to ready (the node's job worker runs it), downloads it once through its
 * one-time link and finds the granted items masked in the file; the police's approver sees the export
 * of its data but may not download it. Debian's Chromium (never `playwright install`).
 */

const ENTRY = '人口统计摘要（导出测试）';
const ROWS = [
  [completeResidentId('63010219900307001'), '张三', '630102'],
  [completeResidentId('63010319850512002'), '李四', '630103'],
];
const masked = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

const OTHER = '备注信息（导出测试）';

let portal: Portal;
let grantId = '';
/** A second file grant of the consumer, whose items differ (note, which the first does not grant). */
let otherGrantId = '';

before(async () => {
  portal = await startPortal('exports');
  // Exports run on the job queue: a serving node runs its worker (tests' nodes do not by default).
  portal.t.node.jobs.start();

  const entry = await portal.api<{ id: string }>('police.editor', 'POST', '/catalogs', {
    name: ENTRY,
    summary: `${ENTRY}，按月导出用于统计分析。`,
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['api', 'file'],
    openType: 'none',
    updateCycle: 'monthly',
    securityGrade: 'general',
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
    ],
  });
  await portal.api('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
  await portal.api('authority', 'POST', `/catalogs/${entry.id}/approve`);
  const table = await portal.api<{ id: string }>('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' });
  const csv = ['resident_id,full_name,division', ...ROWS.map((r) => r.join(','))].join('\r\n');
  const loaded = await portal.t.request({
    method: 'POST',
    url: `/api/v1/resources/${table.id}/data`,
    token: await portal.t.login('police.editor'),
    payload: csv,
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });
  assert.equal(loaded.statusCode, 200, loaded.body);
  const validUntil = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const app = await portal.api<{ status: string; grantId: string }>('market.consumer', 'POST', '/applications', {
    catalogId: entry.id,
    purpose: '市场主体登记时核对经营者身份的统计',
    legalBasis: '《市场主体登记管理条例》第十七条',
    scenario: '月度统计',
    methods: ['file'],
    validUntil,
  });
  assert.equal(app.status, 'granted');
  grantId = app.grantId;

  const other = await portal.api<{ id: string }>('police.editor', 'POST', '/catalogs', {
    name: OTHER,
    summary: `${OTHER}，切换授权时的信息项测试。`,
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['file'],
    openType: 'none',
    updateCycle: 'monthly',
    securityGrade: 'general',
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '备注', column: 'note', dataType: 'string', length: 200 },
    ],
  });
  await portal.api('police.editor', 'POST', `/catalogs/${other.id}/submit`);
  await portal.api('authority', 'POST', `/catalogs/${other.id}/approve`);
  const otherApp = await portal.api<{ status: string; grantId: string }>('market.consumer', 'POST', '/applications', {
    catalogId: other.id,
    purpose: '市场主体登记时核对备注信息',
    legalBasis: '《市场主体登记管理条例》第十七条',
    scenario: '月度统计',
    methods: ['file'],
    validUntil,
  });
  assert.equal(otherApp.status, 'granted');
  otherGrantId = otherApp.grantId;
});

after(async () => {
  await portal?.close();
});

const step = <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => portal.step(page, name, fn);

describe('file sharing in the portal', () => {
  let exportId = '';

  test('the consumer exports a grant’s data as CSV and downloads it once', async () => {
    const page = await portal.signIn('market.consumer');
    await step(page, 'menu', async () => {
      await page.getByTestId('menu-sharing-exports').click();
      await page.getByTestId('page-sharing-exports').waitFor();
      await page.getByTestId('exports-tab-consumer').waitFor();
    });

    await step(page, 'new-export', async () => {
      // From a grant: the dialog opens with the grant chosen.
      await page.goto(`${portal.baseUrl}/sharing/exports?grantId=${grantId}`);
      await page.getByTestId('export-grant').getByText(ENTRY, { exact: false }).waitFor();
      await page.getByTestId('export-format').getByText('CSV', { exact: false }).click();
      await page.getByTestId('export-field-full_name').waitFor();
      const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
      await page.getByTestId('export-submit').click();
      const res = await sent;
      assert.equal(res.status(), 202, await res.text());
      exportId = ((await res.json()) as { id: string }).id;
    });

    await step(page, 'ready', async () => {
      // The list looks again while the export is queued or running.
      await page.getByTestId(`export-status-${exportId}`).and(page.locator('[data-status="ready"]')).waitFor();
      await page.getByTestId(`export-row-${exportId}`).getByTestId('export-rows').getByText('2').waitFor();
      await page.screenshot({ path: path.join(portal.shots, 'exports-ready.png'), fullPage: true });
    });

    await step(page, 'download', async () => {
      const downloading = page.waitForEvent('download');
      await page.getByTestId(`export-download-${exportId}`).click();
      const download = await downloading;
      assert.match(download.suggestedFilename(), /\.csv$/);
      const file = await download.path();
      const bytes = fs.readFileSync(file);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
      const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
      assert.deepEqual(lines, ['resident_id,full_name,division', `${masked(ROWS[0]![0]!)},张*,630102`, `${masked(ROWS[1]![0]!)},李*,630103`]);
      await page.getByTestId(`export-row-${exportId}`).getByText('已下载 1 次').waitFor();
    });

    const shown = await portal.api<{ status: string; downloads: number; links: number; sm3: string }>('market.consumer', 'GET', `/exports/${exportId}`);
    assert.equal(shown.status, 'ready');
    assert.equal(shown.downloads, 1);
    assert.equal(shown.links, 1);
  });

  test('choosing another grant clears the items ticked for the previous one', async () => {
    const page = await portal.signIn('market.consumer');
    await step(page, 'switch-grant', async () => {
      await page.goto(`${portal.baseUrl}/sharing/exports?grantId=${otherGrantId}`);
      await page.getByTestId('export-grant').getByText(OTHER, { exact: false }).waitFor();
      await page.getByTestId('export-field-note').click();
      // To the first grant, which does not grant note.
      await page.getByTestId('export-grant').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: ENTRY }).click();
      await page.getByTestId('export-field-full_name').waitFor();
      assert.equal(await page.getByTestId('export-field-note').count(), 0);
      assert.equal(await page.locator('.ant-checkbox-wrapper-checked').count(), 0, 'no item ticked');
      await page.getByTestId('export-format').getByText('CSV', { exact: false }).click();
      const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/exports') && r.request().method() === 'POST');
      await page.getByTestId('export-submit').click();
      const res = await sent;
      assert.equal(res.status(), 202, await res.text());
      const body = res.request().postDataJSON() as { grantId: string; fields?: string[] };
      assert.equal(body.grantId, grantId);
      assert.equal(body.fields, undefined, 'the previous grant’s items are not sent');
    });
  });

  test('the provider’s approver sees the export of its data, without a download', async () => {
    const page = await portal.newPage();
    await step(page, 'provider-sign-in', async () => {
      await page.goto(`${portal.baseUrl}/login`);
      await page.getByTestId('login-username').fill('police.approver');
      await page.getByTestId('login-password').fill('Tianshu@2026');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('page-home').waitFor();
    });
    await step(page, 'provider-list', async () => {
      await page.getByTestId('menu-sharing-exports').click();
      await page.getByTestId('exports-tab-provider').waitFor();
      const row = page.getByTestId(`export-row-${exportId}`);
      await row.getByText('青海省市场监督管理局').waitFor();
      assert.equal(await page.getByTestId('export-new').count(), 0, 'an approver exports nothing');
      assert.equal(await page.getByTestId(`export-download-${exportId}`).count(), 0, 'only the person who exported downloads');
      await row.locator('button[disabled]').waitFor();
    });
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestNode } from '../../test/helper.js';
import { startPortal, type Portal } from './support.js';

/**
 * Issue 3's "Done when", in the browser: an editor of 青海省公安厅 registers an entry with info
 * items, the data authority returns it with a reason, the editor fixes and resubmits it, the
 * authority publishes it, and a user of another department finds it by a phrase from an info item,
 * while a draft of the police stays invisible to them. Debian's Chromium (never `playwright install`).
 */

const ENTRY_NAME = '机动车驾驶人信息（门户测试）';
const ITEM_PHRASE = '准驾车型';
const ITEM_NAME = `机动车驾驶证${ITEM_PHRASE}`;
const RETURN_REASON = '准驾车型长度不足，请按 GA/T 标准改为 20 位';

let portal: Portal;
let t: TestNode;
let browser: Browser;
let baseUrl: string;
let shots: string;

before(async () => {
  portal = await startPortal('catalog');
  ({ t, browser, baseUrl, shots } = portal);
});

after(async () => {
  await browser?.close();
  await t?.close();
});

const newPage = (): Promise<Page> => portal.newPage();

const signIn = (username: string): Promise<Page> => portal.signIn(username);

const step = <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => portal.step(page, name, fn);

const entryStatus = (page: Page, text: string) => page.getByTestId('entry-status').getByText(text).waitFor();

/** The review queue → the entry's page, as the authority would get there. */
async function openFromReviewQueue(page: Page, id: string): Promise<void> {
  await page.getByTestId('menu-catalog-review').click();
  await page.getByTestId('page-catalog-review').waitFor();
  await page.getByTestId(`review-open-${id}`).click();
  await page.getByTestId('page-catalog-entry').waitFor();
}

describe('catalog in the portal', () => {
  let entryId = '';
  let draftId = '';

  before(async () => {
    // A draft of the police whose name holds the phrase: nobody outside the police and its
    // reviewer may find it.
    const token = await t.login('police.editor');
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/catalogs',
      token,
      payload: {
        name: `驾驶证${ITEM_PHRASE}核验（草稿）`,
        summary: `${ITEM_PHRASE}核验草稿，尚未提交`,
        resourceType: 'department',
        category: '1-01-001',
        format: 'api',
        shareType: 'unconditional',
        shareMethods: ['api'],
        openType: 'none',
        updateCycle: 'daily',
        securityGrade: 'general',
        items: [{ name: `${ITEM_PHRASE}代码`, column: 'class_code', dataType: 'string', length: 10 }],
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    draftId = (res.json() as { id: string }).id;
  });

  test('the editor registers an entry with info items; bad input is shown next to the item', async () => {
    const page = await signIn('police.editor');
    await step(page, 'register', async () => {
      await page.getByTestId('menu-catalog').click();
      await page.getByTestId('page-catalog').waitFor();
      await page.getByTestId('catalog-new').click();
      await page.getByTestId('page-catalog-editor').waitFor();
      await page.getByTestId('editor-name').fill(ENTRY_NAME);
      await page.getByTestId('editor-category').fill('1-01-001');
      await page.getByTestId('editor-summary').fill('全省机动车驾驶人基本信息，含驾驶证状态与准驾车型，供交通、保险等部门核验。');
      await page.getByTestId('editor-shareType-conditional').click();
      await page.getByTestId('editor-shareCondition').fill('仅限依法履职需要，按次核验');

      await page.getByTestId('item-name-0').fill('公民身份号码');
      await page.getByTestId('item-column-0').fill('id_no');
      await page.getByTestId('item-length-0').fill('18');
      await page.getByTestId('item-isKey-0').click();
      await page.getByTestId('item-add').click();
      await page.getByTestId('item-name-1').fill(ITEM_NAME);
      // Not a valid column name: the server's problem must land on this row's column cell.
      await page.getByTestId('item-column-1').fill('Driving-Class');
      await page.getByTestId('item-length-1').fill('2');

      const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/catalogs') && r.request().method() === 'POST');
      await page.getByTestId('editor-save').click();
      assert.equal((await refused).status(), 400);
      await page.getByTestId('editor-problems').waitFor();
      await page.getByTestId('item-row-1').getByText('字段名 Driving-Class 须以小写字母开头', { exact: false }).waitFor();
      await page.screenshot({ path: path.join(shots, 'editor-invalid.png'), fullPage: true });

      await page.getByTestId('item-column-1').fill('driving_class');
      await page.getByTestId('editor-save-submit').click();
      await page.waitForURL(/\/catalog\/entries\/[0-9a-f-]{36}$/);
      entryId = new URL(page.url()).pathname.split('/').pop() ?? '';
      await entryStatus(page, '待审核');
      await page.getByTestId(`entry-item-driving_class`).getByText(ITEM_NAME).waitFor();
    });
    await page.context().close();

    const token = await t.login('police.editor');
    const res = await t.request({ method: 'GET', url: `/api/v1/catalogs/${entryId}`, token });
    const entry = res.json() as { status: string; shareCondition: string; items: Array<{ column: string; isKey: boolean }> };
    assert.equal(entry.status, 'submitted');
    assert.equal(entry.shareCondition, '仅限依法履职需要，按次核验');
    assert.deepEqual(entry.items.map((i) => [i.column, i.isKey]), [['id_no', true], ['driving_class', false]]);
  });

  test('the authority returns it from the review queue with a reason on the info item', async () => {
    assert.ok(entryId, 'the entry was registered');
    const page = await signIn('authority');
    await step(page, 'return', async () => {
      await openFromReviewQueue(page, entryId);
      await page.getByTestId('entry-return').click();
      await page.getByTestId('return-field-0').click();
      await page.keyboard.type(ITEM_PHRASE);
      await page.getByTestId('return-field-option-items[1]').click();
      await page.getByTestId('return-message-0').fill(RETURN_REASON);
      await page.getByTestId('return-submit').click();
      await entryStatus(page, '已退回');
      await page.getByTestId('entry-return-reasons').getByText(RETURN_REASON, { exact: false }).waitFor();
    });
    await page.context().close();
  });

  test('the editor sees the reason, fixes the item and resubmits', async () => {
    const page = await signIn('police.editor');
    await step(page, 'resubmit', async () => {
      await page.getByTestId('menu-catalog').click();
      await page.getByTestId('page-catalog').waitFor();
      const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/catalogs?') && r.url().includes('status=returned'));
      await page.getByTestId('facet-status-returned').click();
      await filtered;
      await page.getByTestId(`catalog-result-${entryId}`).getByTestId('catalog-result-title').click();
      const reasons = page.getByTestId('entry-return-reasons');
      await reasons.getByText(RETURN_REASON, { exact: false }).waitFor();
      assert.match((await reasons.textContent()) ?? '', new RegExp(`第 2 个信息项（${ITEM_NAME}）`));

      await page.getByTestId('entry-edit').click();
      await page.getByTestId('editor-return-reasons').waitFor();
      await page.getByTestId('item-length-1').fill('20');
      await page.getByTestId('editor-save-submit').click();
      await page.waitForURL(new RegExp(`/catalog/entries/${entryId}$`));
      await entryStatus(page, '待审核');
    });
    await page.context().close();
  });

  test('the authority approves; the entry is published with both versions compared', async () => {
    const page = await signIn('authority');
    await step(page, 'approve', async () => {
      await openFromReviewQueue(page, entryId);
      await page.getByTestId('entry-approve').click();
      await page.getByTestId('approve-confirm').click();
      await entryStatus(page, '已发布');
      await page.getByTestId('entry-tab-versions').click();
      await page.getByTestId('version-row-2').waitFor();
      await page.getByTestId('versions-compare').click();
      await page.getByTestId('diff-items-changed').getByText('driving_class').waitFor();
      await page.screenshot({ path: path.join(shots, 'entry-published.png'), fullPage: true });
    });
    await page.context().close();
  });

  test('a user of another department finds it by a phrase from an info item, but not the police draft', async () => {
    const page = await signIn('market.consumer');
    await step(page, 'search', async () => {
      await page.getByTestId('menu-catalog').click();
      await page.getByTestId('page-catalog').waitFor();
      assert.equal(await page.getByTestId('catalog-new').count(), 0, 'a consumer registers nothing');
      // antd puts the test id on the search box's wrapper, around the input and its button.
      const box = page.getByTestId('catalog-search').locator('input');
      await box.fill(ITEM_PHRASE);
      const searched = page.waitForResponse((r) => r.url().includes('/api/v1/catalogs?') && r.url().includes(`q=${encodeURIComponent(ITEM_PHRASE)}`));
      await box.press('Enter');
      const body = (await (await searched).json()) as { items: Array<{ id: string }> };
      await page.waitForFunction(() => document.querySelector('[data-testid="catalog-results"]')?.getAttribute('data-loading') === 'false');
      await page.screenshot({ path: path.join(shots, 'search.png'), fullPage: true });
      assert.ok(!body.items.some((e) => e.id === draftId), 'the police draft is not in the answer');
      assert.equal(await page.getByTestId(`catalog-result-${draftId}`).count(), 0, 'the police draft is not shown');
      assert.ok(body.items.some((e) => e.id === entryId), `the published entry is found by ${ITEM_PHRASE} (an info-item phrase)`);
      const result = page.getByTestId(`catalog-result-${entryId}`);
      await result.waitFor();
      assert.ok((await result.locator('mark').count()) > 0, 'the match is highlighted');
    });

    await step(page, 'refusals', async () => {
      // The draft's own page does not exist for another department, and the editor is not for consumers.
      await page.goto(`${baseUrl}/catalog/entries/${draftId}`);
      await page.getByTestId('load-error').waitFor();
      await page.goto(`${baseUrl}/catalog/new`);
      await page.getByTestId('page-403').waitFor();
    });
    await page.context().close();
  });
  test('the editor follows a notification, registers a system, sees the deadline, and re-imports an export', async () => {
    const page = await signIn('police.editor');
    await step(page, 'notification', async () => {
      // catalog.returned and catalog.published went to the police editors.
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="notifications-count"]')?.getAttribute('data-count') ?? 0) > 0);
      await page.getByTestId('notifications-bell').click();
      await page.getByTestId('notifications-panel').waitFor();
      await page.locator('[data-testid^="notification-"]').first().click();
      await page.waitForURL(new RegExp(`/catalog/entries/${entryId}$`));
      await page.getByTestId('page-catalog-entry').waitFor();
    });

    await step(page, 'system', async () => {
      await page.getByTestId('menu-catalog-systems').click();
      await page.getByTestId('page-catalog-systems').waitFor();
      await page.getByTestId('system-create').click();
      await page.getByTestId('system-form-name').fill('交通管理综合应用平台');
      await page.getByTestId('system-form-description').fill('机动车、驾驶人业务办理');
      await page.getByTestId('system-form-submit').click();
      await page.getByTestId('system-row-交通管理综合应用平台').waitFor();
    });

    await step(page, 'deadlines', async () => {
      // A published table entry with no linked resource has 20 working days to get one.
      await page.getByTestId('menu-catalog-deadlines').click();
      await page.getByTestId('page-catalog-deadlines').waitFor();
      await page.locator('[data-testid^="deadline-row-"]').filter({ hasText: ENTRY_NAME }).first().waitFor();
      assert.ok(Number(await page.getByTestId('deadlines-summary-open').locator('.ant-statistic-content-value').textContent()) >= 1);
    });

    await step(page, 'export-import', async () => {
      await page.getByTestId('menu-catalog').click();
      await page.getByTestId('page-catalog').waitFor();
      const police = (await (await t.request({ method: 'GET', url: `/api/v1/catalogs/${entryId}`, token: await t.login('police.editor') })).json()) as { provider: { id: string } };
      const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/catalogs?') && r.url().includes(`provider=${police.provider.id}`));
      await page.getByTestId(`facet-provider-${police.provider.id}`).click();
      await filtered;
      const downloading = page.waitForEvent('download');
      await page.getByTestId('catalog-export').click();
      const file = path.join(shots, 'export.xlsx');
      await (await downloading).saveAs(file);
      assert.ok(fs.statSync(file).size > 0);

      await page.getByTestId('menu-catalog-import').click();
      await page.getByTestId('page-catalog-import').waitFor();
      await page.locator('input[type=file]').setInputFiles(file);
      await page.getByTestId('import-run').click();
      await page.getByTestId('import-result').waitFor();
      await page.screenshot({ path: path.join(shots, 'import.png'), fullPage: true });
      const errors = page.getByTestId('import-errors');
      assert.equal(await errors.count(), 0, `an export of the own organisation re-imports cleanly: ${(await errors.count()) ? await errors.textContent() : ''}`);
      await page.getByTestId('import-ok').waitFor();
      assert.equal((await page.getByTestId('import-created').locator('.ant-statistic-content-value').textContent())?.trim(), '0');
    });
    await page.context().close();
  });
});

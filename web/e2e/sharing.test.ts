import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signedHeaders, type TestNode } from '../../test/helper.js';
import { startPortal, type Portal } from './support.js';

/**
 * Issue 5's "Done when", in the portal: a consumer of 青海省市场监督管理局 finds a conditional
 * entry of 青海省公安厅, applies; the police's approver approves in the portal with terms of its own;
 * the consumer sees the grant, its masking and how to call the gateway. On the way: the cart applies
 * for several entries at once and shows a refused line next to its row, menus follow the roles, and
 * the grant's page reads in English too, and a signed call shows in the call statistics (the gateway's
 * answers themselves are tested in the API tests). Then the provider changes the grant's terms and
 * revokes it, and the data authority countersigns an application for important data.
 * Debian's Chromium (never `playwright install`).
 */

const CONDITIONAL = '驾驶人交通违法记录（共享测试）';
const UNCONDITIONAL = '机动车登记摘要（共享测试）';
const PURPOSE = '办理食品经营许可时核验申请人身份与违法记录';
const LEGAL_BASIS = '《中华人民共和国行政许可法》第三十一条；《优化营商环境条例》第三十七条';
const SCENARIO = '市场监管综合业务系统，许可受理环节按件查询，日均约 200 次';
const NON_SHARE = '涉密人员管理信息（共享测试）';
const NON_SHARE_BASIS = '《中华人民共和国保守国家秘密法》第二十八条';
const IMPORTANT = '重点人员出入境记录（共享测试）';

let portal: Portal;
let t: TestNode;
let browser: Browser;
let baseUrl: string;
let shots: string;

before(async () => {
  portal = await startPortal('sharing');
  ({ t, browser, baseUrl, shots } = portal);
});

after(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (username: string): Promise<Page> => portal.signIn(username);

const step = <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => portal.step(page, name, fn);

const api = <T>(username: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> => portal.api<T>(username, method, url, payload);

/** A published entry of the police (general grade unless said: the provider's approval alone grants it). */
async function policeEntry(
  name: string,
  shareType: 'conditional' | 'unconditional' | 'none',
  items: unknown[],
  securityGrade: 'general' | 'important' = 'general',
): Promise<{ id: string; code: string }> {
  const entry = await api<{ id: string; code: string }>('police.editor', 'POST', '/catalogs', {
    name,
    summary: `${name}，供相关部门依法履职时核验。`,
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType,
    ...(shareType === 'conditional' ? { shareCondition: '仅限依法履职需要，按件核验' } : {}),
    ...(shareType === 'none' ? { nonShareBasis: NON_SHARE_BASIS } : {}),
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade,
    items,
  });
  await api('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
  await api('authority', 'POST', `/catalogs/${entry.id}/approve`);
  return entry;
}

interface AppView {
  id: string;
  status: string;
  catalog: { id: string };
  grantId: string | null;
}

describe('supply and demand in the portal', () => {
  let conditional = { id: '', code: '' };
  let unconditional = { id: '', code: '' };
  let notShared = { id: '', code: '' };
  let important = { id: '', code: '' };
  let applicationId = '';

  before(async () => {
    conditional = await policeEntry(CONDITIONAL, 'conditional', [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
      { name: '违法行为', column: 'offence', dataType: 'string', length: 200 },
    ]);
    unconditional = await policeEntry(UNCONDITIONAL, 'unconditional', [
      { name: '号牌号码', column: 'plate_no', dataType: 'string', length: 10, isKey: true },
      { name: '车辆类型', column: 'vehicle_type', dataType: 'string', length: 20 },
    ]);
    notShared = await policeEntry(NON_SHARE, 'none', [{ name: '人员编号', column: 'person_no', dataType: 'string', length: 20, isKey: true }]);
    important = await policeEntry(IMPORTANT, 'conditional', [{ name: '证件号码', column: 'doc_no', dataType: 'string', length: 20, isKey: true }], 'important');
  });

  test('the consumer finds the police entry, puts it in the cart and applies for it', async () => {
    const page = await signIn('market.consumer');
    await step(page, 'menus', async () => {
      await page.getByTestId('menu-sharing-cart').waitFor();
      assert.equal(await page.getByTestId('menu-sharing-approvals').count(), 0, 'a consumer approves nothing');
      await page.goto(`${baseUrl}/sharing/approvals`);
      await page.getByTestId('page-403').waitFor();
    });

    await step(page, 'find', async () => {
      await page.getByTestId('menu-catalog').click();
      await page.getByTestId('page-catalog').waitFor();
      const box = page.getByTestId('catalog-search').locator('input');
      await box.fill(CONDITIONAL);
      await box.press('Enter');
      await page.getByTestId(`catalog-result-${conditional.id}`).getByTestId('catalog-result-title').click();
      await page.getByTestId('page-catalog-entry').waitFor();
      await page.getByTestId('entry-apply-banner').waitFor();
      await page.screenshot({ path: path.join(shots, 'entry.png'), fullPage: true });
    });

    await step(page, 'not-shared', async () => {
      // 不予共享: the basis instead of the buttons.
      await page.goto(`${baseUrl}/catalog/entries/${notShared.id}`);
      await page.getByTestId('entry-not-shared').getByText(NON_SHARE_BASIS).waitFor();
      assert.equal(await page.getByTestId('entry-apply').count(), 0);
      await page.goBack();
      await page.getByTestId('entry-apply-banner').waitFor();
    });

    await step(page, 'cart', async () => {
      await page.getByTestId('entry-add-cart').click();
      await page.getByTestId('entry-add-cart').and(page.locator('[disabled]')).waitFor();
    });

    await step(page, 'apply', async () => {
      await page.getByTestId('entry-apply').click();
      // Every shared item is asked for unless unticked; the phone number is not needed.
      await page.getByTestId('apply-items-phone').click();
      await page.getByTestId('apply-purpose').fill(PURPOSE);
      await page.getByTestId('apply-legalBasis').fill(LEGAL_BASIS);
      // The scenario is left blank first: the form says so before anything is sent.
      await page.getByTestId('apply-submit').click();
      await page.getByText('请填写应用场景').waitFor();
      await page.getByTestId('apply-scenario').fill(SCENARIO);
      const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications') && r.request().method() === 'POST');
      await page.getByTestId('apply-submit').click();
      const res = await sent;
      assert.equal(res.status(), 201, await res.text());
      await page.waitForURL(/\/sharing\/applications\/[0-9a-f-]{36}$/);
      applicationId = new URL(page.url()).pathname.split('/').pop() ?? '';
      await page.getByTestId('page-sharing-application').waitFor();
      await page.getByTestId('application-status').getByText('待审批').waitFor();
      await page.getByTestId('timeline-waiting').getByText('青海省公安厅', { exact: false }).waitFor();
      await page.screenshot({ path: path.join(shots, 'application.png'), fullPage: true });
    });

    const app = await api<AppView & { items: string[] }>('market.consumer', 'GET', `/applications/${applicationId}`);
    assert.equal(app.status, 'pending');
    assert.deepEqual([...app.items].sort(), ['full_name', 'offence', 'resident_id']);

    await step(page, 'batch', async () => {
      // The unconditional entry joins the cart; the conditional one is still there, already applied for.
      await page.goto(`${baseUrl}/catalog/entries/${unconditional.id}`);
      await page.getByTestId('entry-add-cart').click();
      await page.getByTestId('menu-sharing-cart').click();
      await page.getByTestId('page-sharing-cart').waitFor();
      await page.getByTestId(`cart-row-${conditional.id}`).waitFor();
      await page.getByTestId(`cart-row-${unconditional.id}`).waitFor();
      await page.getByTestId('cart-purpose').fill(PURPOSE);
      await page.getByTestId('cart-legalBasis').fill(LEGAL_BASIS);
      await page.getByTestId('cart-scenario').fill(SCENARIO);

      const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications/batch'));
      await page.getByTestId('cart-submit').click();
      assert.equal((await refused).status(), 400);
      await page.getByTestId('cart-error').waitFor();
      // The refusal lands on the line it is about, and only there.
      await page.getByTestId(`cart-problem-${conditional.id}`).getByText('APPLICATION_DUPLICATE', { exact: false }).waitFor();
      assert.equal(await page.getByTestId(`cart-problem-${unconditional.id}`).count(), 0);
      await page.screenshot({ path: path.join(shots, 'cart-refused.png'), fullPage: true });

      await page.getByTestId(`cart-remove-${conditional.id}`).click();
      await page.getByTestId(`cart-row-${conditional.id}`).waitFor({ state: 'detached' });
      const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/applications/batch'));
      await page.getByTestId('cart-submit').click();
      assert.equal((await sent).status(), 201);
      await page.getByTestId('page-sharing-mine').waitFor();
      const rows = page.locator('[data-testid^="application-row-"]');
      await rows.filter({ hasText: UNCONDITIONAL }).getByText('已授权').waitFor();
      await rows.filter({ hasText: CONDITIONAL }).getByText('待审批').waitFor();
      // Sent applications leave the cart.
      await page.getByTestId('menu-sharing-cart').click();
      await page.getByTestId('cart-empty').waitFor();
    });
    await page.context().close();
  });

  test("the police's approver approves in the portal, with terms of its own", async () => {
    assert.ok(applicationId, 'the consumer applied');
    const page = await signIn('police.approver');
    await step(page, 'queue', async () => {
      assert.equal(await page.getByTestId('menu-sharing-cart').count(), 0, 'an approver has no cart');
      await page.getByTestId('menu-sharing-approvals').click();
      await page.getByTestId('page-sharing-approval').waitFor();
      const row = page.getByTestId(`application-row-${applicationId}`);
      await row.getByText('青海省市场监督管理局', { exact: false }).waitFor();
      await row.getByText('进行中').waitFor(); // the deadline's state, ten working days ahead
      await page.screenshot({ path: path.join(shots, 'approvals.png'), fullPage: true });
    });

    await step(page, 'approve', async () => {
      await page.getByTestId(`application-open-${applicationId}`).click();
      await page.getByTestId('page-sharing-application').waitFor();
      await page.getByTestId(`application-approve-${applicationId}`).click();
      await page.getByTestId('approve-set-terms').click();
      // Masking is preset from each item's PII kind.
      await page.getByTestId('terms-mask-full_name').getByText('姓名（张*）').waitFor();
      await page.getByTestId('terms-mask-resident_id').getByText('身份证号', { exact: false }).waitFor();
      await page.getByTestId('terms-rate-limit').fill('120');
      await page.getByTestId('approve-comment').fill('同意，按件核验');
      await page.screenshot({ path: path.join(shots, 'approve-dialog.png'), fullPage: true });
      const sent = page.waitForResponse((r) => r.url().endsWith(`/applications/${applicationId}/approve`));
      await page.getByTestId('approve-submit').click();
      const res = await sent;
      assert.equal(res.status(), 200, await res.text());
      await page.getByTestId('application-status').getByText('已授权').waitFor();
      await page.getByTestId('timeline-decision-0').getByText('同意，按件核验', { exact: false }).waitFor();
      await page.getByTestId('application-grant-link').waitFor();
    });
    await page.context().close();
  });

  test('the consumer sees the grant, its masking and how to call the gateway, in both languages', async () => {
    const granted = await api<AppView>('market.consumer', 'GET', `/applications/${applicationId}`);
    assert.equal(granted.status, 'granted');
    assert.ok(granted.grantId);
    // One signed call from outside the portal: the entry has no data yet, so it is refused, and recorded.
    const credential = await api<{ appKey: string; secret: string }>('market.consumer', 'POST', '/apps', { name: '许可审批系统' });
    const call = `/api/v1/share/${conditional.code}/records?key=630102199003070011`;
    const answer = await fetch(`${baseUrl}${call}`, { headers: signedHeaders(credential, 'GET', call) });
    assert.equal(answer.status, 409, await answer.text());
    await t.node.gateway.flushCalls();

    const page = await signIn('market.consumer');
    await step(page, 'grants', async () => {
      await page.getByTestId('menu-sharing-grants').click();
      await page.getByTestId('page-sharing-grants').waitFor();
      const row = page.getByTestId(`grant-row-${granted.grantId}`);
      await row.getByText('有效').waitFor();
      await page.getByTestId(`grant-open-${granted.grantId}`).click();
      await page.getByTestId('page-sharing-grant').waitFor();
      assert.equal((await page.getByTestId('grant-rate-limit').textContent())?.trim(), '120');
      await page.getByTestId('grant-item-full_name').getByText('姓名（张*）').waitFor();
      await page.getByTestId('grant-item-offence').getByText('不脱敏').waitFor();
      assert.equal(await page.getByTestId('grant-item-phone').count(), 0, 'an item not asked for is not granted');
      assert.equal((await page.getByTestId('gateway-code').textContent())?.trim(), conditional.code);
      assert.match((await page.getByTestId('gateway-curl').textContent()) ?? '', new RegExp(`/api/v1/share/${conditional.code}/records\\?key=<resident_id>`));
      // The consumer may give the grant up, but has nothing to edit.
      await page.getByTestId('grant-revoke').getByText('放弃授权').waitFor();
      assert.equal(await page.getByTestId('grant-edit').count(), 0);
      await page.getByTestId('grant-calls-daily').locator('canvas').first().waitFor();
      assert.equal((await page.getByTestId('grant-calls-calls').locator('.ant-statistic-content-value').textContent())?.trim(), '1');
      assert.equal((await page.getByTestId('grant-calls-refused').locator('.ant-statistic-content-value').textContent())?.trim(), '1');
      await page.screenshot({ path: path.join(shots, 'grant.png'), fullPage: true });
    });

    await step(page, 'organisation-stats', async () => {
      await page.getByTestId('menu-sharing-stats').click();
      await page.getByTestId('page-sharing-stats').waitFor();
      await page.getByTestId('stats-consumer-daily').locator('canvas').first().waitFor();
      assert.equal((await page.getByTestId('stats-consumer-calls').locator('.ant-statistic-content-value').textContent())?.trim(), '1');
      await page.getByTestId('stats-provider-empty').waitFor();
      await page.goBack();
      await page.getByTestId('page-sharing-grant').waitFor();
    });

    await step(page, 'english', async () => {
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('grant-status').getByText('Active').waitFor();
      await page.getByTestId('grant-item-full_name').getByText('Name (张*)').waitFor();
      await page.getByTestId('menu-sharing-grants').getByText('Grants').waitFor();
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('grant-status').getByText('有效').waitFor();
    });
    await page.context().close();
  });

  test('the provider changes the terms and revokes the grant, effective at once', async () => {
    const { grantId } = await api<AppView>('police.approver', 'GET', `/applications/${applicationId}`);
    assert.ok(grantId);
    const page = await signIn('police.approver');
    await step(page, 'terms', async () => {
      await page.getByTestId('menu-sharing-grants').click();
      await page.getByTestId('grants-tab-provider').waitFor();
      await page.getByTestId(`grant-open-${grantId}`).click();
      await page.getByTestId('page-sharing-grant').waitFor();
      assert.equal(await page.getByTestId('gateway-help').count(), 0, 'how to call is for the consumer');
      await page.getByTestId('grant-edit').click();
      await page.getByTestId('terms-rate-limit').fill('60');
      await page.getByTestId('terms-row-filter-on').click();
      // Typed and chosen with Enter: an option click can land while the dropdown still animates.
      await page.getByTestId('terms-row-filter-column').click();
      await page.keyboard.type('offence');
      await page.keyboard.press('Enter');
      await page.getByTestId('terms-row-filter-column').getByText('offence', { exact: false }).waitFor();
      await page.getByTestId('terms-row-filter-value').fill('超速');
      const sent = page.waitForResponse((r) => r.url().endsWith(`/grants/${grantId}`) && r.request().method() === 'PATCH');
      await page.getByTestId('terms-submit').click();
      assert.equal((await sent).status(), 200);
      await page.getByTestId('terms-submit').waitFor({ state: 'detached' });
      assert.equal((await page.getByTestId('grant-rate-limit').textContent())?.trim(), '60');
      await page.getByTestId('grant-row-filter').getByText('超速', { exact: false }).waitFor();
    });

    await step(page, 'revoke', async () => {
      await page.getByTestId('grant-revoke').click();
      await page.getByTestId('revoke-submit').click();
      await page.getByText('请填写撤销原因').waitFor();
      await page.getByTestId('revoke-reason').fill('使用单位业务系统下线');
      await page.getByTestId('revoke-submit').click();
      await page.getByTestId('grant-status').getByText('已撤销').waitFor();
      assert.equal(await page.getByTestId('grant-edit').count(), 0, 'a revoked grant has nothing to change');
    });
    await page.context().close();
    const grant = await api<{ status: string; rateLimitPerMinute: number; rowFilter: unknown }>('market.consumer', 'GET', `/grants/${grantId}`);
    assert.equal(grant.status, 'revoked');
    assert.equal(grant.rateLimitPerMinute, 60);
    assert.deepEqual(grant.rowFilter, { column: 'offence', op: 'prefix', value: '超速' });
  });

  test('important data: the provider approves, the data authority countersigns in the portal', async () => {
    const applied = await api<AppView>('market.consumer', 'POST', '/applications', {
      catalogId: important.id,
      purpose: PURPOSE,
      legalBasis: LEGAL_BASIS,
      scenario: SCENARIO,
      methods: ['api'],
      validUntil: (await api<AppView & { validUntil: string }>('market.consumer', 'GET', `/applications/${applicationId}`)).validUntil,
    });
    const approved = await api<AppView>('police.approver', 'POST', `/applications/${applied.id}/approve`, { comment: '同意，报主管部门会签' });
    assert.equal(approved.status, 'countersigning');

    const page = await signIn('authority');
    await step(page, 'countersign', async () => {
      await page.getByTestId('menu-sharing-countersign').click();
      await page.getByTestId('page-sharing-countersign').waitFor();
      await page.getByTestId(`application-row-${applied.id}`).getByText('待会签').waitFor();
      // A refusal needs both its reason and its legal basis before anything is sent.
      await page.getByTestId(`application-reject-${applied.id}`).click();
      await page.getByTestId('reject-submit').click();
      await page.getByText('请填写理由').waitFor();
      await page.getByText('请填写法定依据').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('reject-submit').waitFor({ state: 'detached' });

      await page.getByTestId(`application-approve-${applied.id}`).click();
      const sent = page.waitForResponse((r) => r.url().endsWith(`/applications/${applied.id}/approve`));
      await page.getByTestId('approve-submit').click();
      assert.equal((await sent).status(), 200);
      await page.getByTestId(`application-row-${applied.id}`).waitFor({ state: 'detached' });
    });
    await page.context().close();
    const done = await api<AppView>('market.consumer', 'GET', `/applications/${applied.id}`);
    assert.equal(done.status, 'granted');
  });
});

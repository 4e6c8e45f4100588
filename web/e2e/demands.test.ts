import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startPortal, type Portal } from './support.js';

/**
 * Demands and objections (数据需求、异议) in the portal. A consumer of 青海省公安厅 asks for data no
 * entry describes; the provincial data authority routes the demand to 青海省市场监督管理局, which
 * answers "not held"; routed again, it answers with an entry of its own, which the requester sees
 * with a link to apply. Then the same consumer objects to data received under a grant (market
 * corrects it) and to a refusal (the authority overturns it, and the application waits for
 * market's approver again). Debian's Chromium (never `playwright install`).
 */

const DEMAND = '企业用水用电数据（需求测试）';
const ENTRY = '企业用能信息（需求测试）';
const GRANTED = '企业登记摘要（异议测试）';
const REFUSED = '企业年报信息（异议测试）';
const WITHDRAWN = '企业变更信息（异议撤回测试）';

let portal: Portal;

before(async () => {
  portal = await startPortal('demands');
});
after(async () => {
  await portal?.close();
});

const step = <T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> => portal.step(page, name, fn);
const api = <T>(username: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> => portal.api<T>(username, method, url, payload);

async function marketEntry(name: string, shareType: 'conditional' | 'unconditional'): Promise<{ id: string; code: string }> {
  const entry = await api<{ id: string; code: string }>('market.editor', 'POST', '/catalogs', {
    name,
    summary: `${name}，供相关部门依法履职时核验。`,
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType,
    ...(shareType === 'conditional' ? { shareCondition: '仅限依法履职需要' } : {}),
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    items: [
      { name: '统一社会信用代码', column: 'uscc', dataType: 'string', length: 18, isKey: true },
      { name: '企业名称', column: 'company_name', dataType: 'string', length: 100 },
    ],
  });
  await api('market.editor', 'POST', `/catalogs/${entry.id}/submit`);
  await api('authority', 'POST', `/catalogs/${entry.id}/approve`);
  return entry;
}

/** Opens the row's link in a list page, reloading until the row is there. */
async function openFromList(page: Page, menu: string, pageId: string, open: string): Promise<void> {
  await page.getByTestId(menu).click();
  await page.getByTestId(pageId).waitFor();
  await page.getByTestId(open).click();
}

/** The authority routes the demand to market through the organisation search. */
async function routeToMarket(page: Page, demandId: string, marketId: string): Promise<void> {
  await page.getByTestId(`demand-route-${demandId}`).first().click();
  await page.getByTestId('demand-route-provider').click();
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/organisations?') && r.url().includes(encodeURIComponent('市场监督')));
  await page.keyboard.type('市场监督');
  await searched;
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="org-option-"]').length === 1);
  await page.getByTestId(`org-option-${marketId}`).click();
  await page.getByTestId('demand-route-provider').getByText('青海省市场监督管理局').waitFor();
  await page.getByTestId('demand-route-comment').fill('请核实是否掌握企业用能数据');
  const sent = page.waitForResponse((r) => r.url().endsWith(`/demands/${demandId}/route`));
  await page.getByTestId('demand-route-submit').click();
  assert.equal((await sent).status(), 200);
  await page.getByTestId('demand-route-submit').waitFor({ state: 'detached' });
}

describe('demands and objections in the portal', () => {
  let entry = { id: '', code: '' };
  let demandId = '';
  let marketId = '';

  before(async () => {
    entry = await marketEntry(ENTRY, 'conditional');
    const orgs = await api<{ items: Array<{ id: string; name: string }> }>('authority', 'GET', '/organisations?pageSize=200');
    marketId = orgs.items.find((o) => o.name === '青海省市场监督管理局')!.id;
  });

  test('a consumer files a demand; the authority routes it; the provider answers "not held", then with an entry', async () => {
    const consumer = await portal.signIn('police.consumer');
    await step(consumer, 'file', async () => {
      await consumer.getByTestId('menu-sharing-demands').click();
      await consumer.getByTestId('page-sharing-demands').waitFor();
      await consumer.getByTestId('demand-new').click();
      await consumer.getByTestId('page-sharing-demand-new').waitFor();
      // Required fields first: the form says what is missing.
      await consumer.getByTestId('demand-submit').click();
      await consumer.getByText('请填写需求名称').waitFor();
      await consumer.getByTestId('demand-title').fill(DEMAND);
      await consumer.getByTestId('demand-description').fill('核查企业违规用能线索时需要企业近一年的月度用水用电量。');
      await consumer.getByTestId('demand-items').click();
      for (const item of ['统一社会信用代码', '月用水量', '月用电量']) {
        await consumer.keyboard.type(item);
        await consumer.keyboard.press('Enter');
      }
      await consumer.getByTestId('demand-purpose').fill('违规用能线索核查');
      await consumer.getByTestId('demand-expected-by').fill('2030-12-31');
      const sent = consumer.waitForResponse((r) => r.url().endsWith('/api/v1/demands') && r.request().method() === 'POST');
      await consumer.getByTestId('demand-submit').click();
      const created = await sent;
      assert.equal(created.status(), 201);
      demandId = ((await created.json()) as { id: string }).id;
      await consumer.getByTestId('page-sharing-demand').waitFor();
      assert.equal(await consumer.getByTestId('demand-status').getAttribute('data-status'), 'submitted');
      assert.equal(await consumer.getByTestId('demand-items').locator('.ant-tag').count(), 3);
      await consumer.getByTestId('demand-waiting').getByText('等待数据主管部门分派').waitFor();
    });

    const authority = await portal.signIn('authority');
    await step(authority, 'route', async () => {
      await openFromList(authority, 'menu-sharing-demands', 'page-sharing-demands', `demand-open-${demandId}`);
      await authority.getByTestId('page-sharing-demand').waitFor();
      await routeToMarket(authority, demandId, marketId);
      await authority.getByTestId('demand-status').and(authority.locator('[data-status="routed"]')).waitFor();
      await authority.getByTestId('demand-provider').getByText('青海省市场监督管理局').waitFor();
    });

    const approver = await portal.signIn('market.approver');
    await step(approver, 'not-held', async () => {
      await openFromList(approver, 'menu-sharing-demands', 'page-sharing-demands', `demand-open-${demandId}`);
      await approver.getByTestId('page-sharing-demand').waitFor();
      await approver.getByTestId(`demand-answer-${demandId}`).click();
      await approver.getByTestId('demand-answer-kind-not_held').click();
      await approver.getByTestId('demand-answer-submit').click();
      await approver.getByText('请填写理由').waitFor();
      await approver.getByTestId('demand-answer-reason').fill('本局未采集企业用水用电数据，由供水供电企业掌握');
      const sent = approver.waitForResponse((r) => r.url().endsWith(`/demands/${demandId}/answer`));
      await approver.getByTestId('demand-answer-submit').click();
      assert.equal((await sent).status(), 200);
      await approver.getByTestId('demand-status').getByText('未掌握，待再分派').waitFor();
      assert.equal(await approver.getByTestId(`demand-answer-${demandId}`).count(), 0, 'answered: nothing more to do');
    });

    await step(authority, 'route-again', async () => {
      await authority.reload();
      await authority.getByTestId('page-sharing-demand').waitFor();
      await routeToMarket(authority, demandId, marketId);
      await authority.getByTestId('demand-status').and(authority.locator('[data-status="routed"]')).waitFor();
      const steps = await authority.getByTestId('demand-timeline').locator('[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
      assert.deepEqual(steps, ['submitted', 'routed', 'answered', 'routed']);
    });

    await step(approver, 'entry', async () => {
      await approver.reload();
      await approver.getByTestId('page-sharing-demand').waitFor();
      await approver.getByTestId(`demand-answer-${demandId}`).click();
      // The entry is chosen from the organisation's own published entries.
      await approver.getByTestId('demand-answer-catalog').click();
      await approver.keyboard.type(ENTRY);
      await approver.keyboard.press('Enter');
      await approver.getByTestId('demand-answer-catalog').getByText(ENTRY, { exact: false }).waitFor();
      await approver.getByTestId('demand-answer-comment').fill('请通过共享申请获取');
      const sent = approver.waitForResponse((r) => r.url().endsWith(`/demands/${demandId}/answer`));
      await approver.getByTestId('demand-answer-submit').click();
      assert.equal((await sent).status(), 200);
      await approver.getByTestId('demand-status').and(approver.locator('[data-status="answered"]')).waitFor();
    });

    await step(consumer, 'answered', async () => {
      await consumer.reload();
      await consumer.getByTestId('demand-answer').waitFor();
      await consumer.getByTestId('demand-answer-entry').getByText(ENTRY, { exact: false }).waitFor();
      await consumer.screenshot({ path: path.join(portal.shots, 'demand.png'), fullPage: true });
      await consumer.getByTestId('demand-answer-entry').click();
      await consumer.getByTestId('page-catalog-entry').waitFor();
      assert.ok(consumer.url().endsWith(`/catalog/entries/${entry.id}`));
      await consumer.getByTestId('entry-apply-banner').waitFor();
    });
    await Promise.all([consumer, authority, approver].map((p) => p.context().close()));
  });

  test('objections: to data under a grant (the provider corrects it), to a refusal (the authority overturns it)', async () => {
    const granted = await marketEntry(GRANTED, 'unconditional');
    const refused = await marketEntry(REFUSED, 'conditional');
    const apply = (catalogId: string) =>
      api<{ id: string; grantId: string | null }>('police.consumer', 'POST', '/applications', {
        catalogId,
        purpose: '企业登记信息核验',
        legalBasis: '《优化营商环境条例》',
        scenario: '企业开办',
        methods: ['api'],
        validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
      });
    const grantId = (await apply(granted.id)).grantId!;
    const application = await apply(refused.id);
    await api('market.approver', 'POST', `/applications/${application.id}/reject`, { reason: '申请用途与共享条件不符', legalBasis: '《政务信息资源共享管理暂行办法》第九条' });

    const consumer = await portal.signIn('police.consumer');
    let dataObjection = '';
    await step(consumer, 'file-data', async () => {
      await consumer.getByTestId('menu-sharing-objections').click();
      await consumer.getByTestId('page-sharing-objections').waitFor();
      await consumer.getByTestId('objection-new').click();
      await consumer.getByTestId('page-sharing-objection-new').waitFor();
      await consumer.getByTestId('objection-grant').click();
      await consumer.keyboard.type(GRANTED);
      await consumer.keyboard.press('Enter');
      await consumer.getByTestId('objection-grant').getByText(GRANTED, { exact: false }).waitFor();
      await consumer.getByTestId('objection-items').click();
      await consumer.keyboard.type('company_name');
      await consumer.keyboard.press('Enter');
      await consumer.keyboard.press('Escape');
      await consumer.getByTestId('objection-record-keys').click();
      await consumer.keyboard.type('91630000MA7XYQ12A');
      await consumer.keyboard.press('Enter');
      await consumer.getByTestId('objection-description').fill('企业名称与营业执照记载不一致');
      const sent = consumer.waitForResponse((r) => r.url().endsWith('/api/v1/objections') && r.request().method() === 'POST');
      await consumer.getByTestId('objection-submit').click();
      const created = await sent;
      assert.equal(created.status(), 201, await created.text());
      dataObjection = ((await created.json()) as { id: string }).id;
      await consumer.getByTestId('page-sharing-objection').waitFor();
      assert.equal(await consumer.getByTestId('objection-status').getAttribute('data-status'), 'open');
      await consumer.getByTestId('objection-items-shown').getByText('company_name').waitFor();
      await consumer.getByTestId('objection-keys-shown').getByText('91630000MA7XYQ12A').waitFor();
    });

    const approver = await portal.signIn('market.approver');
    await step(approver, 'resolve', async () => {
      await openFromList(approver, 'menu-sharing-objections', 'page-sharing-objections', `objection-open-${dataObjection}`);
      await approver.getByTestId('page-sharing-objection').waitFor();
      await approver.getByTestId(`objection-resolve-${dataObjection}`).click();
      await approver.getByTestId('objection-outcome-corrected').click();
      await approver.getByTestId('objection-resolve-comment').fill('已按营业执照更正企业名称');
      const sent = approver.waitForResponse((r) => r.url().endsWith(`/objections/${dataObjection}/resolve`));
      await approver.getByTestId('objection-resolve-submit').click();
      assert.equal((await sent).status(), 200);
      await approver.getByTestId('objection-outcome').and(approver.locator('[data-outcome="corrected"]')).waitFor();
      assert.equal(await approver.getByTestId('objection-status').getAttribute('data-status'), 'resolved');
    });

    let refusalObjection = '';
    await step(consumer, 'file-refusal', async () => {
      // As a link from the rejected application would open it: the application is preselected.
      await consumer.goto(`${portal.baseUrl}/sharing/objections/new?applicationId=${application.id}`);
      await consumer.getByTestId('page-sharing-objection-new').waitFor();
      await consumer.getByTestId('objection-application').getByText(REFUSED, { exact: false }).waitFor();
      await consumer.getByTestId('objection-reason').fill('核验企业年报信息属本厅法定职责，拒绝理由不成立');
      const sent = consumer.waitForResponse((r) => r.url().endsWith('/api/v1/objections') && r.request().method() === 'POST');
      await consumer.getByTestId('objection-submit').click();
      const created = await sent;
      assert.equal(created.status(), 201, await created.text());
      refusalObjection = ((await created.json()) as { id: string }).id;
      await consumer.getByTestId('page-sharing-objection').waitFor();
    });

    const authority = await portal.signIn('authority');
    await step(authority, 'arbitrate', async () => {
      await openFromList(authority, 'menu-sharing-objections', 'page-sharing-objections', `objection-open-${refusalObjection}`);
      await authority.getByTestId('page-sharing-objection').waitFor();
      await authority.getByTestId(`objection-arbitrate-${refusalObjection}`).click();
      await authority.getByTestId('objection-outcome-overturned').click();
      await authority.getByTestId('objection-arbitrate-submit').click();
      await authority.getByText('请填写意见').waitFor();
      await authority.getByTestId('objection-arbitrate-comment').fill('拒绝理由缺乏法定依据，请重新审批');
      const sent = authority.waitForResponse((r) => r.url().endsWith(`/objections/${refusalObjection}/arbitrate`));
      await authority.getByTestId('objection-arbitrate-submit').click();
      assert.equal((await sent).status(), 200);
      await authority.getByTestId('objection-outcome').and(authority.locator('[data-outcome="overturned"]')).waitFor();
      await authority.screenshot({ path: path.join(portal.shots, 'objection.png'), fullPage: true });
    });

    await step(approver, 'decide-again', async () => {
      // The application is back in market's approval queue, with the arbitration in its timeline.
      await approver.goto(`${portal.baseUrl}/sharing/applications/${application.id}`);
      await approver.getByTestId('page-sharing-application').waitFor();
      await approver.getByTestId('application-status').and(approver.locator('[data-status="pending"]')).waitFor();
      await approver.getByTestId('application-timeline').getByText('主管部门仲裁', { exact: false }).waitFor();
      await approver.getByTestId(`application-approve-${application.id}`).waitFor();
    });
    const reopened = await api<{ status: string; dueDate: string | null }>('police.consumer', 'GET', `/applications/${application.id}`);
    assert.equal(reopened.status, 'pending');
    assert.ok(reopened.dueDate);

    // The objector withdraws an open objection; the arbitration queue no longer offers it.
    const other = await apply((await marketEntry(WITHDRAWN, 'conditional')).id);
    await api('market.approver', 'POST', `/applications/${other.id}/reject`, { reason: '申请用途与共享条件不符', legalBasis: '《政务信息资源共享管理暂行办法》第九条' });
    const toWithdraw = (await api<{ id: string }>('police.consumer', 'POST', '/objections', { kind: 'refusal', applicationId: other.id, reason: '拒绝理由不成立' })).id;
    await step(consumer, 'withdraw', async () => {
      await consumer.goto(`${portal.baseUrl}/sharing/objections/${toWithdraw}`);
      await consumer.getByTestId('page-sharing-objection').waitFor();
      await consumer.getByTestId(`objection-withdraw-${toWithdraw}`).click();
      await consumer.getByTestId('objection-withdraw-reason').fill('已与提供部门沟通一致');
      const sent = consumer.waitForResponse((r) => r.url().endsWith(`/objections/${toWithdraw}/withdraw`));
      await consumer.getByTestId('objection-withdraw-submit').click();
      assert.equal((await sent).status(), 200);
      await consumer.getByTestId('objection-status').and(consumer.locator('[data-status="withdrawn"]')).waitFor();
    });
    await Promise.all([consumer, authority, approver].map((p) => p.context().close()));
  });
});

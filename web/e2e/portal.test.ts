import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestNode } from '../../test/helper.js';
import { startPortal } from './support.js';

/**
 * The real portal, built by Vite and served by a real node, driven in Debian's Chromium
 * (apt-get install chromium) through playwright-core. Never `playwright install`.
 */

let t: TestNode;
let browser: Browser;
let baseUrl: string;
let shots: string;

before(async () => {
  ({ t, browser, baseUrl, shots } = await startPortal('portal'));
});

after(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(page: Page, username: string, password = 'Tianshu@2026'): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('page-home').waitFor();
}

async function policeOrganisationId(): Promise<string> {
  const admin = await t.login('admin');
  const res = await t.request({ method: 'GET', url: `/api/v1/organisations?q=${encodeURIComponent('青海省公安厅')}`, token: admin });
  const org = (res.json() as { items: Array<{ id: string; name: string }> }).items.find((o) => o.name === '青海省公安厅');
  assert.ok(org, 'the demo region has 青海省公安厅');
  return org.id;
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

describe('portal', () => {
  test('a wrong password shows the API message in Chinese', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await assert.doesNotReject(page.getByTestId('login-error').getByText('用户名或密码错误').waitFor());
    await page.context().close();
  });

  test('the platform administrator signs in and creates a user; the security administrator grants a role; the user signs in', async () => {
    const admin = await newPage();
    await signIn(admin, 'admin');
    await admin.getByTestId('menu-users').click();
    await admin.getByTestId('page-users').waitFor();
    await admin.getByTestId('user-create').click();
    await admin.getByTestId('user-form-username').fill('e2e.clerk');
    await admin.getByTestId('user-form-displayName').fill('卓玛（测试）');
    const police = await policeOrganisationId();
    await admin.getByTestId('user-form-organisation').click();
    // The option list follows the typing after a debounce: wait for the search's answer, so the
    // click does not land on a list that is being replaced.
    const searched = admin.waitForResponse((r) => r.url().includes('/api/v1/organisations?') && r.url().includes(encodeURIComponent('公安厅')));
    await admin.keyboard.type('公安厅');
    await searched;
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid^="org-option-"]').length === 1);
    await admin.getByTestId(`org-option-${police}`).click();
    await admin.getByTestId('user-form-organisation').getByText('青海省公安厅').waitFor();
    await admin.getByTestId('user-form-password').fill('Clerk#2026x');
    await admin.getByTestId('user-form-submit').click();
    await admin.getByTestId('user-row-e2e.clerk').waitFor().catch(async (err: unknown) => {
      await admin.screenshot({ path: path.join(shots, 'create-user-failed.png'), fullPage: true });
      throw err;
    });
    assert.match((await admin.getByTestId('user-row-e2e.clerk').textContent()) ?? '', /青海省公安厅/);
    // 三员分立: the platform administrator has no way to grant roles.
    assert.equal(await admin.getByTestId('user-roles-e2e.clerk').count(), 0);
    await admin.screenshot({ path: path.join(shots, 'users.png'), fullPage: true });
    await admin.context().close();

    const created = await t.node.identity.findUserByUsername('e2e.clerk');
    assert.equal(created?.organisation.name, '青海省公安厅');
    assert.deepEqual(created?.roles, []);

    const sec = await newPage();
    await signIn(sec, 'secadmin');
    await sec.getByTestId('menu-users').click();
    await sec.getByTestId('user-roles-e2e.clerk').click();
    await sec.getByTestId('roles-form-consumer').click();
    await sec.getByTestId('roles-form-submit').click();
    await sec.getByTestId('user-row-e2e.clerk').getByText(/数据使用/).waitFor();
    await sec.context().close();

    const clerk = await newPage();
    await signIn(clerk, 'e2e.clerk', 'Clerk#2026x');
    await clerk.getByTestId('menu-apps').click();
    await clerk.getByTestId('app-create').click();
    await clerk.getByTestId('app-form-name').fill('人口核验系统');
    await clerk.getByTestId('app-form-submit').click();
    const secret = (await clerk.getByTestId('app-secret-secret').textContent())?.trim() ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{40,}$/);
    await clerk.getByTestId('app-secret-ack').click();
    assert.equal(await clerk.getByText(secret).count(), 0, 'the secret is not shown again');
    assert.equal(await clerk.getByTestId('menu-users').count(), 0, 'no menu entry without the role');
    await clerk.context().close();
  });

  test('the auditor checks an inclusion proof in the browser', async () => {
    await t.node.ledger.flush();
    const page = await newPage();
    await signIn(page, 'auditor');
    await page.getByTestId('menu-ledger').click();
    await page.getByTestId('ledger-head-signature-ok').waitFor();
    // The newest entry: the role grant made through the portal in the test above.
    await page.locator('[data-testid^="ledger-row-"]').first().click();
    await page.getByTestId('ledger-verify').click();
    await page.getByTestId('ledger-verify-ok').waitFor();
    await page.screenshot({ path: path.join(shots, 'ledger.png'), fullPage: true });
    await page.context().close();
  });

  test('the portal switches to English', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('menu-users').getByText('Users').waitFor();
    await page.context().close();
  });
});

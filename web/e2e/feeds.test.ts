import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { completeResidentId } from '../../src/core/codes/index.js';
import { webhookSignature } from '../../src/modules/sharing/feeds/webhooks.js';
import type { TestNode } from '../../test/helper.js';
import { startPortal, type Portal } from './support.js';

/**
 * Change feeds in the portal (issue 5, 库表交换): the consumer of a grant with method table reads how
 * to follow the feed, subscribes its system to pushes, is shown the signing secret once, and sees the
 * deliveries; a change the provider loads reaches its receiver signed with that secret, masked. The
 * provider's approver sees the subscription — where its data goes — but cannot change it.
 * Debian's Chromium (never `playwright install`).
 */

const ENTRY = '机动车驾驶人变更（订阅测试）';
let portal: Portal;
let t: TestNode;
let receiver: http.Server;
let receiverUrl: string;
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tianshu/changes`;
  // The receiver is on loopback, which a node contacts only when its host policy says so.
  portal = await startPortal('feeds', { connectorHosts: ['127.0.0.1'] });
  t = portal.t;
});

after(async () => {
  await portal?.browser.close();
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

test('a consumer subscribes its system to a grant’s changes and sees them delivered', async () => {
  const api = portal.api.bind(portal);
  const entry = await api<{ id: string; code: string }>('police.editor', 'POST', '/catalogs', {
    name: ENTRY,
    summary: `${ENTRY}，供相关部门同步驾驶人信息变更。`,
    resourceType: 'department',
    category: '1-01-001',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['table'],
    openType: 'none',
    updateCycle: 'realtime',
    securityGrade: 'general',
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '准驾车型', column: 'licence_class', dataType: 'string', length: 10 },
    ],
  });
  await api('police.editor', 'POST', `/catalogs/${entry.id}/submit`);
  await api('authority', 'POST', `/catalogs/${entry.id}/approve`);
  const resource = await api<{ id: string }>('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' });
  const validUntil = new Date(Date.now() + 300 * 86400_000).toISOString().slice(0, 10);
  const application = await api<{ status: string; grantId: string }>('market.consumer', 'POST', '/applications', {
    catalogId: entry.id,
    purpose: '同步驾驶人准驾信息，用于道路运输从业资格审查',
    legalBasis: '《道路运输条例》第二十二条',
    scenario: '道路运输管理系统实时同步',
    methods: ['table'],
    validUntil,
  });
  assert.equal(application.status, 'granted', 'an unconditional entry is granted at once');

  const page = await portal.signIn('market.consumer');
  let secret = '';
  await portal.step(page, 'grant-feed', async () => {
    await page.goto(`${portal.baseUrl}/sharing/grants/${application.grantId}`);
    await page.getByTestId('page-sharing-grant').waitFor();
    assert.match((await page.getByTestId('gateway-feed-curl').textContent()) ?? '', new RegExp(`/api/v1/feeds/${entry.code}/changes\\?after=<next>`));
    await page.getByTestId('feed-subscriptions').getByText('尚无订阅').waitFor();
  });

  await portal.step(page, 'subscribe', async () => {
    await page.getByTestId('feed-subscribe').click();
    await page.getByTestId('feed-url').fill('ftp://bad.example/hook');
    await page.getByTestId('feed-subscribe-submit').click();
    await page.getByText('请填写完整的 http(s) 网址').waitFor();
    // An address the node's host policy refuses is refused by the server, and said so in the dialog.
    await page.getByTestId('feed-url').fill('http://169.254.169.254/latest/meta-data');
    await page.getByTestId('feed-subscribe-submit').click();
    await page.getByText('不能向 169.254.169.254 推送', { exact: false }).waitFor();
    await page.getByTestId('feed-url').fill(receiverUrl);
    const sent = page.waitForResponse((r) => r.url().endsWith(`/grants/${application.grantId}/subscriptions`) && r.request().method() === 'POST');
    await page.getByTestId('feed-subscribe-submit').click();
    assert.equal((await sent).status(), 201);
    secret = ((await page.getByTestId('feed-secret').textContent()) ?? '').trim();
    assert.match(secret, /^whsec_/);
    await page.screenshot({ path: path.join(portal.shots, 'feed-secret.png'), fullPage: true });
    await page.getByTestId('feed-secret-ack').click();
    await page.getByTestId('feed-subscriptions').getByText('推送中').waitFor();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
  });

  // The provider loads data; the node pushes the change to the receiver (here on demand).
  const loaded = await t.request({
    method: 'POST',
    url: `/api/v1/resources/${resource.id}/data?mode=upsert`,
    token: await t.login('police.editor'),
    headers: { 'content-type': 'text/csv; charset=utf-8' },
    payload: `resident_id,full_name,licence_class\r\n${completeResidentId('63010219900307001')},张三,C1\r\n`,
  });
  assert.equal(loaded.statusCode, 200, loaded.body);
  assert.equal(await t.node.webhooks.dispatchOnce(), 1);
  assert.equal(received.length, 1);
  const [push] = received as [{ headers: http.IncomingHttpHeaders; body: string }];
  const delivery = String(push.headers['x-tianshu-delivery']);
  assert.equal(push.headers['x-tianshu-signature'], webhookSignature(secret, String(push.headers['x-tianshu-timestamp']), delivery, push.body), 'signed with the secret the portal showed');
  const body = JSON.parse(push.body) as { items: Array<{ op: string; record: Record<string, string> }> };
  assert.deepEqual(body.items.map((c) => [c.op, c.record.full_name, c.record.licence_class]), [['insert', '张*', 'C1']]);

  await portal.step(page, 'deliveries', async () => {
    await page.reload();
    await page.getByTestId('page-sharing-grant').waitFor();
    await page.getByTestId('feed-subscriptions').getByText(receiverUrl).click();
    await page.getByTestId('feed-deliveries').getByText('delivered').waitFor();
    await page.screenshot({ path: path.join(portal.shots, 'feed-deliveries.png'), fullPage: true });
    await page.getByTestId('feed-deliveries').locator('.ant-drawer-close').click();
    await page.getByTestId('feed-pause').click();
    await page.getByTestId('feed-paused-reason').getByText('使用方暂停', { exact: false }).waitFor();
  });
  await page.context().close();

  // The provider's approver sees where its data goes, and may change nothing.
  const provider = await portal.signIn('police.approver');
  await portal.step(provider, 'provider-view', async () => {
    await provider.goto(`${portal.baseUrl}/sharing/grants/${application.grantId}`);
    await provider.getByTestId('feed-subscriptions').getByText(receiverUrl).waitFor();
    assert.equal(await provider.getByTestId('feed-subscribe').count(), 0);
    assert.equal(await provider.getByTestId('feed-resume').count(), 0);
  });
  await provider.context().close();
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { Organisation } from '../identity/index.js';
import type { Notification } from './notifications.service.js';

/**
 * Notifications through HTTP: each user reads and marks only their own; recipients are resolved from
 * organisation and role when sent; a notification commits or rolls back with the caller's change;
 * read ones are purged after the retention period.
 */
let t: TestNode;
let police: Organisation;
let now = new Date('2026-03-02T02:00:00Z');

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  t.node.notifications.registerKinds({
    'test.hello': (p) => ({ zh: `你好，${String(p.who)}`, en: `Hello, ${String(p.who)}` }),
  });
  const res = await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token: await t.login('authority') });
  police = (res.json() as { items: Organisation[] }).items.find((o) => o.name === '青海省公安厅')!;
});
after(() => t.close());

type Page = { items: Notification[]; total: number; page: number; pageSize: number; unread: number };

async function as(username: string, method: 'GET' | 'POST', url: string): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username) });
}

async function list(username: string, query = ''): Promise<Page> {
  const res = await as(username, 'GET', `/notifications${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Page;
}

/** Sends `test.hello` to the police consumers, inside a transaction of its own. */
async function hello(who: string): Promise<number> {
  return t.node.db.kysely.transaction().execute((trx) =>
    t.node.notifications.notify(trx, {
      kind: 'test.hello',
      params: { who },
      link: '/catalog',
      subject: { type: 'test', id: who },
      to: [{ organisationId: police.id, role: 'consumer' }],
    }),
  );
}

describe('notifications', () => {
  test('go to the users of the organisation holding the role, with the text in both languages', async () => {
    assert.equal(await hello('刘洋'), 1);
    const page = await list('police.consumer');
    const mine = page.items.filter((n) => n.kind === 'test.hello');
    assert.equal(mine.length, 1);
    assert.deepEqual(mine[0]!.text, { zh: '你好，刘洋', en: 'Hello, 刘洋' });
    assert.deepEqual(mine[0]!.params, { who: '刘洋' });
    assert.deepEqual(mine[0]!.subject, { type: 'test', id: '刘洋' });
    assert.equal(mine[0]!.link, '/catalog');
    assert.equal(mine[0]!.readAt, null);
    assert.equal(mine[0]!.createdAt, now.toISOString());
    assert.ok(page.unread >= 1);
    for (const other of ['police.editor', 'market.consumer', 'hrss.consumer']) {
      assert.ok(!(await list(other)).items.some((n) => n.kind === 'test.hello'), other);
    }
  });

  test('commit or roll back with the change they announce', async () => {
    const before = (await list('police.consumer')).total;
    await assert.rejects(
      t.node.db.kysely.transaction().execute(async (trx) => {
        await t.node.notifications.notify(trx, { kind: 'test.hello', params: { who: 'rolled back' }, to: [{ organisationId: police.id, role: 'consumer' }] });
        throw new Error('the business change failed');
      }),
      /business change failed/,
    );
    assert.equal((await list('police.consumer')).total, before);
    await assert.rejects(
      t.node.db.kysely.transaction().execute((trx) => t.node.notifications.notify(trx, { kind: 'no.such.kind', to: [] })),
      /unknown notification kind/,
    );
  });

  test('a user marks their own read, once or all at once; unread filters; others get 404', async () => {
    await hello('a');
    await hello('b');
    await hello('c');
    const all = await list('police.consumer', '?pageSize=200');
    const unread = all.items.filter((n) => n.readAt === null);
    assert.equal(all.unread, unread.length);
    assert.ok(unread.length >= 3);
    // Newest first.
    const times = all.items.map((n) => n.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());

    const target = unread[0]!;
    // Someone else's notification does not exist for them.
    const foreign = await as('police.editor', 'POST', `/notifications/${target.id}/read`);
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal(errorCode(foreign), 'NOTIFICATION_NOT_FOUND');
    const missing = await as('police.consumer', 'POST', '/notifications/00000000-0000-4000-8000-000000000000/read');
    assert.equal(errorCode(missing), 'NOTIFICATION_NOT_FOUND');

    const readAt = now.toISOString();
    assert.equal((await as('police.consumer', 'POST', `/notifications/${target.id}/read`)).statusCode, 204);
    now = new Date(now.getTime() + 60_000);
    // Reading again keeps the first time.
    assert.equal((await as('police.consumer', 'POST', `/notifications/${target.id}/read`)).statusCode, 204);
    const after = await list('police.consumer', '?pageSize=200');
    assert.equal(after.items.find((n) => n.id === target.id)!.readAt, readAt);
    assert.equal(after.unread, all.unread - 1);

    const onlyUnread = await list('police.consumer', '?unread=true&pageSize=1');
    assert.equal(onlyUnread.total, after.unread);
    assert.equal(onlyUnread.items.length, 1);
    assert.equal(onlyUnread.items[0]!.readAt, null);

    const res = await as('police.consumer', 'POST', '/notifications/read-all');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { updated: after.unread });
    assert.equal((await list('police.consumer')).unread, 0);
    assert.deepEqual((await as('police.consumer', 'POST', '/notifications/read-all')).json(), { updated: 0 });
  });

  test('read notifications are purged after 180 days; unread ones stay', async () => {
    await hello('kept unread');
    const start = await list('police.consumer', '?pageSize=200');
    const read = start.items.filter((n) => n.readAt !== null).length;
    assert.ok(read > 0);
    now = new Date(now.getTime() + 179 * 86_400_000);
    assert.equal(await t.node.notifications.purgeRead(), 0);
    now = new Date(now.getTime() + 2 * 86_400_000);
    assert.ok((await t.node.notifications.purgeRead()) >= read);
    const left = await list('police.consumer', '?pageSize=200');
    assert.equal(left.total, start.total - read);
    assert.ok(left.items.every((n) => n.readAt === null));
    const count = await sql<{ n: number }>`select count(*)::int as n from notifications where read_at is not null and read_at < ${new Date(now.getTime() - 180 * 86_400_000)}`.execute(t.node.db.kysely);
    assert.equal(count.rows[0]!.n, 0);
  });

  test('anonymous callers are refused', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/notifications' });
    assert.equal(res.statusCode, 401);
    assert.equal(errorCode(res), 'UNAUTHENTICATED');
  });
});

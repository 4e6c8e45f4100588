import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build, ENGINE, errorCode, type TestNode } from '../../../test/helper.js';

let t: TestNode;
before(async () => {
  t = await build();
});
after(() => t.close());

describe('node', () => {
  test('health reports the node and the database engine, without signing in', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', node: { code: '630000', level: 'region' }, database: ENGINE });
  });

  test('node info publishes the tree-head signing key', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/node' });
    const body = res.json() as { code: string; name: string; publicKey: string };
    assert.equal(body.code, '630000');
    assert.equal(body.publicKey, t.node.keys.ledgerPublicKey);
    assert.match(body.publicKey, /^04[0-9a-f]{128}$/);
  });
});

describe('working-day calendar', () => {
  test('the 20th working day after 2026-09-28 is 2026-10-30', async () => {
    const token = await t.login('police.editor');
    const res = await t.request({ method: 'GET', url: '/api/v1/calendar/working-days?from=2026-09-28&days=20', token });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { from: '2026-09-28', days: 20, date: '2026-10-30' });
  });

  test('lists official holidays and 调休 working days', async () => {
    const token = await t.login('police.editor');
    const res = await t.request({ method: 'GET', url: '/api/v1/calendar/days?from=2026-10-01&to=2026-10-11', token });
    const body = res.json() as { items: Array<{ date: string; kind: string; isWorkingDay: boolean }>; uncoveredYears: number[] };
    assert.deepEqual(body.uncoveredYears, []);
    const days = body.items;
    assert.equal(days.length, 11);
    assert.equal(days.find((d) => d.date === '2026-10-01')?.kind, 'holiday');
    assert.equal(days.find((d) => d.date === '2026-10-10')?.kind, 'adjusted_workday');
    assert.equal(days.find((d) => d.date === '2026-10-11')?.kind, 'weekend');
  });

  test('years without the official schedule are reported, so administrators can enter it', async () => {
    const token = await t.login('admin');
    const res = await t.request({ method: 'GET', url: '/api/v1/calendar/days?from=2026-12-01&to=2027-01-31', token });
    const body = res.json() as { items: Array<{ date: string; isWorkingDay: boolean }>; uncoveredYears: number[] };
    assert.deepEqual(body.uncoveredYears, [2027]);
    assert.equal(body.items.length, 62);
  });

  test("an administrator's override moves deadlines and is in the ledger", async () => {
    const admin = await t.login('admin');
    const put = await t.request({
      method: 'PUT',
      url: '/api/v1/calendar/overrides/2026-10-20',
      token: admin,
      payload: { isWorkingDay: false, note: '暴雪停工' },
    });
    assert.equal(put.statusCode, 200, put.body);
    const editor = await t.login('police.editor');
    const moved = await t.request({ method: 'GET', url: '/api/v1/calendar/working-days?from=2026-09-28&days=20', token: editor });
    assert.equal((moved.json() as { date: string }).date, '2026-11-02');
    const list = await t.request({ method: 'GET', url: '/api/v1/calendar/overrides', token: editor });
    assert.deepEqual((list.json() as { items: unknown[] }).items, [{ date: '2026-10-20', isWorkingDay: false, note: '暴雪停工' }]);
    await t.node.ledger.flush();
    const entries = await t.node.ledger.entries({ action: 'platform.calendar.override' }, 1, 10);
    assert.equal(entries.items[0]?.entry.subject.id, '2026-10-20');
    const del = await t.request({ method: 'DELETE', url: '/api/v1/calendar/overrides/2026-10-20', token: admin });
    assert.equal(del.statusCode, 204);
    const back = await t.request({ method: 'GET', url: '/api/v1/calendar/working-days?from=2026-09-28&days=20', token: editor });
    assert.equal((back.json() as { date: string }).date, '2026-10-30');
  });

  test('impossible dates and ranges are refused with stable codes', async () => {
    const token = await t.login('admin');
    const bad = await t.request({ method: 'PUT', url: '/api/v1/calendar/overrides/2026-02-30', token, payload: { isWorkingDay: true, note: 'x' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorCode(bad), 'DATE_INVALID');
    const reversed = await t.request({ method: 'GET', url: '/api/v1/calendar/days?from=2026-10-11&to=2026-10-01', token });
    assert.equal(errorCode(reversed), 'DATE_RANGE_INVALID');
    const long = await t.request({ method: 'GET', url: '/api/v1/calendar/days?from=2026-01-01&to=2027-06-01', token });
    assert.equal(errorCode(long), 'DATE_RANGE_TOO_LONG');
    const missing = await t.request({ method: 'DELETE', url: '/api/v1/calendar/overrides/2026-01-05', token });
    assert.equal(missing.statusCode, 404);
    assert.equal(errorCode(missing), 'OVERRIDE_NOT_FOUND');
  });
});

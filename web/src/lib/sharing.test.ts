/// <reference types="node" />
// Run: node --import tsx --test web/src/lib/sharing.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addYears, batchProblems, curlExample, defaultMaskRule, defaultTermsForm, endOfShanghaiDay, fillDays, grantTermsForm, normaliseOrgStats, normaliseStats, shanghaiDate, termsFromForm, validUntilAllowed, validUntilBounds } from './sharing';
import { addToCart, methodsFor, readCart, removeFromCart, shareableItems, type CartEntry } from './cart';

test('dates are Shanghai calendar days', () => {
  assert.equal(shanghaiDate('2026-03-01T16:30:00Z'), '2026-03-02');
  assert.equal(shanghaiDate('2026-03-01T15:59:59Z'), '2026-03-01');
  assert.equal(endOfShanghaiDay('2026-12-31'), '2026-12-31T23:59:59.999+08:00');
  assert.equal(addYears('2024-02-29', 1), '2025-02-28');
  assert.equal(addYears('2026-05-10', 3), '2029-05-10');
});

test('validUntil: after today, at most three years ahead', () => {
  const now = Date.parse('2026-03-01T02:00:00Z'); // 10:00 in Shanghai
  assert.deepEqual(validUntilBounds(now), { today: '2026-03-01', max: '2029-03-01', proposed: '2027-03-01' });
  assert.equal(validUntilAllowed('2026-03-01', now), false);
  assert.equal(validUntilAllowed('2026-03-02', now), true);
  assert.equal(validUntilAllowed('2029-03-01', now), true);
  assert.equal(validUntilAllowed('2029-03-02', now), false);
});

test('masking defaults follow the PII kind, as on the server', () => {
  assert.equal(defaultMaskRule('name'), 'name');
  assert.equal(defaultMaskRule('resident_id'), 'resident_id');
  assert.equal(defaultMaskRule('health'), 'redact');
  assert.equal(defaultMaskRule('licence_plate'), 'none');
  assert.equal(defaultMaskRule(null), 'none');
});

test("a refused batch's problems by index, whatever wraps them", () => {
  const list = [
    { index: 2, code: 'ITEM_UNKNOWN', message: 'Unknown', messageZh: '未知信息项' },
    { index: '0', code: 'APPLICATION_DUPLICATE' },
    { code: 'NO_INDEX' },
    'junk',
  ];
  const expected = [{ index: 0, code: 'APPLICATION_DUPLICATE' }, { index: 2, code: 'ITEM_UNKNOWN', message: 'Unknown', messageZh: '未知信息项' }];
  assert.deepEqual(batchProblems(list), expected);
  assert.deepEqual(batchProblems({ problems: list }), expected);
  assert.deepEqual(batchProblems(undefined), []);
  assert.deepEqual(batchProblems({ max: 50 }), []);
});

test('grant terms: presets, round trip through the form, blanks dropped', () => {
  const form = defaultTermsForm([{ column: 'full_name', piiKind: 'name' }, { column: 'offence' }], '2027-03-01');
  assert.deepEqual(form.masking, { full_name: 'name', offence: 'none' });
  assert.deepEqual(termsFromForm(form), { masking: { full_name: 'name', offence: 'none' }, rowFilter: null, rateLimitPerMinute: 600, ipAllow: [], expiresAt: '2027-03-01T23:59:59.999+08:00' });
  const withFilter = termsFromForm({ ...form, rowFilterOn: true, rowFilterColumn: 'division', rowFilterOp: 'prefix', rowFilterValue: ' $consumerDivision ', ipAllow: [' 10.0.0.0/8', ''] });
  assert.deepEqual(withFilter.rowFilter, { column: 'division', op: 'prefix', value: '$consumerDivision' });
  assert.deepEqual(withFilter.ipAllow, ['10.0.0.0/8']);
  const inFilter = termsFromForm({ ...form, rowFilterOn: true, rowFilterColumn: 'division', rowFilterOp: 'in', rowFilterValues: ['630100', ' ', '630200'] });
  assert.deepEqual(inFilter.rowFilter, { column: 'division', op: 'in', values: ['630100', '630200'] });
  const back = grantTermsForm({ items: ['division'], masking: {}, rowFilter: { column: 'division', op: 'in', values: ['630100'] }, rateLimitPerMinute: 10, ipAllow: [], expiresAt: '2027-03-01T15:59:59.999Z' });
  assert.equal(back.expiresOn, '2027-03-01');
  assert.deepEqual(back.masking, { division: 'none' });
  assert.deepEqual(back.rowFilterValues, ['630100']);
});

test("the gateway's statistics in one shape, days filled", () => {
  const raw = {
    days: 30,
    from: '2026-02-28',
    to: '2026-03-01',
    perDay: [
      { date: '2026-03-01', calls: 5, ok: 4, refused: 1, rows: 9 },
      { date: '2026-02-28', calls: '2', ok: 2, rows: 3 },
    ],
    byOutcome: [{ outcome: 'GRANT_MISSING', calls: 1 }, { outcome: 'ok', calls: 6 }],
  };
  const stats = normaliseStats(raw);
  assert.deepEqual(stats.days.map((d) => [d.day, d.calls, d.ok, d.refused, d.rows]), [['2026-02-28', 2, 2, 0, 3], ['2026-03-01', 5, 4, 1, 9]]);
  assert.deepEqual(stats.byOutcome, [{ outcome: 'ok', calls: 6 }, { outcome: 'GRANT_MISSING', calls: 1 }]);
  assert.deepEqual(normaliseStats({ byOutcome: { ok: 3 } }).byOutcome, [{ outcome: 'ok', calls: 3 }]);
  const filled = fillDays(stats.days, 3, Date.parse('2026-03-01T02:00:00Z'));
  assert.deepEqual(filled.map((d) => [d.day, d.calls]), [['2026-02-27', 0], ['2026-02-28', 2], ['2026-03-01', 5]]);
  const org = normaliseOrgStats({ asConsumer: raw, provider: { perDay: [] } });
  assert.equal(org.asConsumer.days.length, 2);
  assert.deepEqual(org.asProvider, { days: [], byOutcome: [] });
  assert.deepEqual(normaliseStats(null), { days: [], byOutcome: [] });
});

test('the curl example names the key columns in order', () => {
  const text = curlExample('https://node.example', 'QH-01', ['plate_no', 'plate_type']);
  assert.match(text, /\/api\/v1\/share\/QH-01\/records\?key=<plate_no>&key=<plate_type>/);
  assert.match(text, /X-Tianshu-Signature/);
});

test('the cart: one line per entry, per user, bounded', () => {
  const data = new Map<string, string>();
  const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  const line = (id: string): CartEntry => ({ catalogId: id, code: id, name: id, providerName: 'p', shareType: 'conditional', shareMethods: ['api', 'file'], items: [], selected: [], addedAt: '' });
  assert.ok(addToCart('u1', line('a'), store));
  assert.ok(addToCart('u1', { ...line('a'), name: 'again' }, store));
  assert.ok(addToCart('u2', line('b'), store));
  assert.deepEqual(readCart('u1', store).map((e) => e.name), ['again']);
  for (let i = 1; i < 50; i += 1) assert.ok(addToCart('u1', line(`x${i}`), store));
  assert.equal(addToCart('u1', line('one-too-many'), store), false);
  removeFromCart('u1', ['a'], store);
  assert.equal(readCart('u1', store).length, 49);
  data.set('tianshu.cart.u3', '{not json');
  assert.deepEqual(readCart('u3', store), []);
  assert.deepEqual(methodsFor(line('a'), ['api', 'table']), ['api']);
  assert.deepEqual(shareableItems([{ shareType: null }, { shareType: 'none' as const }, { shareType: 'conditional' as const }]).length, 2);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { validityBounds } from './sharing.apply.js';
import { applyTerms, checkTerms, endOfDayInShanghai, grantTerms, isAddressOrBlock, mergeTerms } from './sharing.terms.js';
import type { GrantTerms } from './sharing.types.js';

/** Grant terms and validity windows: the pure rules, without a database. */

const NOW = new Date('2026-09-28T02:00:00Z');
const GRANT = { items: ['resident_id', 'full_name', 'division'], validUntil: '2027-06-30' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
}

describe('validity', () => {
  test('runs from tomorrow to the same day three years on; 29 February ends on the 28th', () => {
    assert.deepEqual(validityBounds('2026-09-28'), { earliest: '2026-09-29', latest: '2029-09-28' });
    assert.deepEqual(validityBounds('2028-02-29'), { earliest: '2028-03-01', latest: '2031-02-28' });
    assert.deepEqual(validityBounds('2026-12-31'), { earliest: '2027-01-01', latest: '2029-12-31' });
  });

  test('a grant ends at the last millisecond of its day in Beijing time', () => {
    assert.equal(endOfDayInShanghai('2027-06-30').toISOString(), '2027-06-30T15:59:59.999Z');
  });
});

describe('addresses', () => {
  test('IPv4 and IPv6 addresses and CIDR blocks, nothing else', () => {
    for (const ok of ['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24', '::1', '2001:db8::/32', '::ffff:10.0.0.1', '10.0.0.0/32']) assert.ok(isAddressOrBlock(ok), ok);
    for (const bad of ['', '10.0.0.0/33', '10.0.0/8', '2001:db8::/129', 'example.org', '10.0.0.1/', '10.0.0.1/8/8', '10.0.0.1/-1', '10.0.0.1/ 8', '256.1.1.1']) {
      assert.ok(!isAddressOrBlock(bad), bad);
    }
  });
});

describe('checking terms', () => {
  test('each problem has its code', () => {
    const check = (t: GrantTerms) => codeOf(() => checkTerms(t, GRANT, NOW));
    assert.equal(check({ masking: { phone: 'none' } }), 'ITEM_NOT_GRANTED');
    assert.equal(check({ masking: { full_name: 'hash' as never } }), 'MASK_RULE_INVALID');
    assert.equal(check({ rowFilter: { column: 'phone', op: 'eq', value: '1' } }), 'ROW_FILTER_INVALID');
    assert.equal(check({ rowFilter: { column: 'division', op: 'like' as never, value: '1' } }), 'ROW_FILTER_INVALID');
    assert.equal(check({ rowFilter: { column: 'division', op: 'in', values: [] } }), 'ROW_FILTER_INVALID');
    assert.equal(check({ rowFilter: { column: 'division', op: 'prefix', value: ' ' } }), 'ROW_FILTER_INVALID');
    assert.equal(check({ rowFilter: { column: 'division', op: 'eq', value: '$consumerDistrict' } }), 'ROW_FILTER_INVALID');
    assert.equal(check({ rateLimitPerMinute: 100_001 }), 'RATE_LIMIT_INVALID');
    assert.equal(check({ rateLimitPerMinute: 1.5 }), 'RATE_LIMIT_INVALID');
    assert.equal(check({ ipAllow: ['10.0.0.0/8', 'intranet'] }), 'IP_ALLOW_INVALID');
    assert.equal(check({ expiresAt: '2027-07-01T00:00:00+08:00' }), 'EXPIRES_AT_INVALID');
    assert.equal(check({ expiresAt: NOW.toISOString() }), 'EXPIRES_AT_INVALID');
    assert.equal(check({ expiresAt: 'soon' }), 'EXPIRES_AT_INVALID');
  });

  test('good terms come back cleaned', () => {
    const t = checkTerms(
      { rowFilter: { column: 'division', op: 'in', values: [' 630100', '630100', '$consumerDivision'] }, ipAllow: [' 10.0.0.0/8', '10.0.0.0/8'], expiresAt: '2027-06-30T23:59:59.999+08:00' },
      GRANT,
      NOW,
    );
    assert.deepEqual(t.rowFilter, { column: 'division', op: 'in', values: ['630100', '$consumerDivision'] });
    assert.deepEqual(t.ipAllow, ['10.0.0.0/8']);
    assert.equal(t.expiresAt, '2027-06-30T15:59:59.999Z');
    assert.deepEqual(checkTerms({ rowFilter: null }, GRANT, NOW), { rowFilter: null });
  });
});

describe('resolving terms', () => {
  test('a new grant starts from the defaults, the approver’s terms on top, masking per item', () => {
    const t = grantTerms({ resident_id: 'resident_id', full_name: 'name', division: 'none' }, '2027-06-30', { masking: { division: 'redact' }, rateLimitPerMinute: 60 });
    assert.deepEqual(t.masking, { resident_id: 'resident_id', full_name: 'name', division: 'redact' });
    assert.equal(t.rateLimitPerMinute, 60);
    assert.equal(t.rowFilter, null);
    assert.deepEqual(t.ipAllow, []);
    assert.equal(t.expiresAt.toISOString(), '2027-06-30T15:59:59.999Z');
  });

  test('a change keeps what it does not name; null clears the row filter', () => {
    const base = grantTerms({ full_name: 'name' }, '2027-06-30', { rowFilter: { column: 'full_name', op: 'eq', value: 'x' } });
    assert.deepEqual(applyTerms(base, { ipAllow: ['::1'] }).rowFilter, { column: 'full_name', op: 'eq', value: 'x' });
    assert.equal(applyTerms(base, { rowFilter: null }).rowFilter, null);
  });

  test('the countersignature’s terms go on top of the provider’s', () => {
    assert.deepEqual(mergeTerms({ masking: { a: 'name' }, rateLimitPerMinute: 5 }, { masking: { b: 'redact' }, ipAllow: ['::1'] }), {
      masking: { a: 'name', b: 'redact' },
      rateLimitPerMinute: 5,
      ipAllow: ['::1'],
    });
    assert.equal(mergeTerms(null, null), null);
  });
});

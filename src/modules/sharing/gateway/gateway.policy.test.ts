import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppError } from '../../../core/errors.js';
import type { Grant } from '../sharing.types.js';
import { AddressLists, currentGrant, outputColumns, parseFilters, restrictAnswer } from './gateway.policy.js';
import { RateLimiter } from './rate-limit.js';
import { divisionPrefix, resolveRowFilter } from './row-filter.js';

/** The pure parts of the gateway: which grant governs, what it allows, the rate limit, the row filter. */

const NOW = new Date('2026-07-01T04:00:00Z');
const grant = (over: Partial<Grant> = {}): Grant => ({
  id: 'g1',
  applicationId: null,
  consumerId: 'c',
  consumerName: '市场监管局',
  providerId: 'p',
  providerName: '公安厅',
  catalog: { id: 'e', code: 'CODE', name: '人口' },
  items: ['resident_id', 'full_name', 'phone', 'division'],
  masking: { resident_id: 'resident_id', full_name: 'name', phone: 'phone', division: 'none' },
  rowFilter: null,
  methods: ['api'],
  rateLimitPerMinute: 600,
  ipAllow: [],
  validFrom: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  status: 'active',
  revokedAt: null,
  revokeReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as AppError).code;
  }
  return undefined;
};

describe('the governing grant', () => {
  test('the newest live grant governs; without one the newest says why', () => {
    assert.equal(currentGrant([grant({ id: 'new' }), grant({ id: 'old' })], 'CODE', NOW).id, 'new');
    assert.equal(currentGrant([grant({ id: 'revoked', status: 'revoked' }), grant({ id: 'old' })], 'CODE', NOW).id, 'old');
    assert.equal(code(() => currentGrant([], 'CODE', NOW)), 'GRANT_MISSING');
    assert.equal(code(() => currentGrant([grant({ status: 'revoked', revokedAt: '2026-06-01T00:00:00Z' })], 'CODE', NOW)), 'GRANT_REVOKED');
    assert.equal(code(() => currentGrant([grant({ status: 'expired', expiresAt: '2026-06-01T00:00:00Z' })], 'CODE', NOW)), 'GRANT_EXPIRED');
    // Read as active a moment ago (a cached read), but past its expiry now.
    assert.equal(code(() => currentGrant([grant({ expiresAt: '2026-07-01T03:59:59Z' })], 'CODE', NOW)), 'GRANT_EXPIRED');
  });

  test('an address list admits its addresses and networks only', () => {
    const lists = new AddressLists();
    const g = grant({ ipAllow: ['10.1.0.0/16', '192.0.2.7', '2001:db8::/32'] });
    lists.require(g, '10.1.200.3');
    lists.require(g, '::ffff:192.0.2.7');
    lists.require(g, '2001:db8::1');
    assert.equal(code(() => lists.require(g, '10.2.0.1')), 'IP_NOT_ALLOWED');
    assert.equal(code(() => lists.require(g, '127.0.0.1')), 'IP_NOT_ALLOWED');
    lists.require(grant({ ipAllow: [] }), '203.0.113.9');
    // A changed list applies at once.
    assert.equal(code(() => lists.require(grant({ ipAllow: ['192.0.2.8'] }), '192.0.2.7')), 'IP_NOT_ALLOWED');
  });
});

describe('items and filters', () => {
  const table = {
    resourceId: 'r',
    tableName: 'r_x',
    keys: ['resident_id'],
    loaded: true,
    columns: ['resident_id', 'full_name', 'phone', 'division', 'income'].map((column) => ({ name: column, column, dataType: 'string' as const, length: null, isKey: column === 'resident_id', piiKind: null })),
  };

  test('the output is the granted items in table order, or the requested granted ones', () => {
    assert.deepEqual(outputColumns(grant(), table, undefined), ['resident_id', 'full_name', 'phone', 'division']);
    assert.deepEqual(outputColumns(grant(), table, ['phone', 'full_name', 'phone']), ['phone', 'full_name']);
    assert.equal(code(() => outputColumns(grant(), table, ['income'])), 'ITEM_NOT_GRANTED');
    assert.equal(code(() => outputColumns(grant(), table, ['no_such'])), 'ITEM_NOT_GRANTED');
  });

  test('filters take both shapes, on granted unmasked items only', () => {
    assert.deepEqual(parseFilters({ division: '630102' }, grant()), [{ column: 'division', op: 'eq', values: ['630102'] }]);
    assert.deepEqual(parseFilters({ division: { op: 'in', values: ['630102', '630103'] } }, grant()), [{ column: 'division', op: 'in', values: ['630102', '630103'] }]);
    assert.deepEqual(parseFilters({ division: { op: 'prefix', value: '6301' } }, grant()), [{ column: 'division', op: 'prefix', values: ['6301'] }]);
    assert.deepEqual(parseFilters(undefined, grant()), []);
    for (const bad of [[1], 'x', { division: { op: 'like', value: '6%' } }, { division: { op: 'in', value: '1' } }, { division: { op: 'eq' } }, { division: { op: 'eq', value: 1, extra: 2 } }, { division: null }]) {
      assert.equal(code(() => parseFilters(bad, grant())), 'FILTER_INVALID', JSON.stringify(bad));
    }
    assert.equal(code(() => parseFilters({ income: 1 }, grant())), 'ITEM_NOT_GRANTED');
    assert.equal(code(() => parseFilters({ full_name: { op: 'prefix', value: '张' } }, grant())), 'FILTER_ON_MASKED_ITEM');
  });

  test('an api answer keeps granted items, masked; what cannot be restricted is refused', () => {
    assert.deepEqual(restrictAnswer({ full_name: '张三', income: 9000 }, grant()), { full_name: '张*' });
    assert.deepEqual(restrictAnswer([{ phone: '13812345678' }, { resident_id: '630102199003070011' }], grant()), [{ phone: '138****5678' }, { resident_id: '630102********0011' }]);
    assert.deepEqual(restrictAnswer({ code: 0, data: { full_name: '张三' } }, grant()), {});
    assert.equal(restrictAnswer('', grant()), '');
    assert.equal(code(() => restrictAnswer('张三 13812345678', grant())), 'UPSTREAM_NOT_MASKABLE');
    assert.equal(code(() => restrictAnswer(['张三'], grant())), 'UPSTREAM_NOT_MASKABLE');
  });
});

describe('the rate limit', () => {
  test('a minute’s allowance at once, then the granted pace, with the wait in whole seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('g', 3), 0);
    assert.equal(limiter.take('g', 3), 20, 'one call every 20 s');
    now += 19_000;
    assert.equal(limiter.take('g', 3), 1);
    now += 1_000;
    assert.equal(limiter.take('g', 3), 0);
    // Grants do not share buckets.
    assert.equal(limiter.take('other', 3), 0);
    // A lowered limit caps what was saved up.
    now += 60_000;
    assert.equal(limiter.take('g', 1), 0);
    assert.ok(limiter.take('g', 1) > 0);
    // A raised one is usable at once.
    assert.equal(limiter.take('g', 100), 0);
  });
});

describe('the row filter', () => {
  test('$consumerDivision is the consumer’s division without its trailing zero pairs', () => {
    assert.equal(divisionPrefix('630100'), '6301');
    assert.equal(divisionPrefix('630102'), '630102');
    assert.equal(divisionPrefix('630000'), '63');
    assert.equal(divisionPrefix('000000'), '');
    assert.deepEqual(resolveRowFilter({ column: 'division', op: 'prefix', value: '$consumerDivision' }, '630100'), { column: 'division', op: 'prefix', values: ['6301'] });
    assert.deepEqual(resolveRowFilter({ column: 'division', op: 'in', values: ['$consumerDivision', '639900'] }, '630102'), { column: 'division', op: 'in', values: ['630102', '639900'] });
    assert.equal(resolveRowFilter(null, undefined), null);
  });

  test('a filter that cannot be applied refuses the call rather than admitting every row', () => {
    assert.equal(code(() => resolveRowFilter({ column: 'division', op: 'prefix', value: '$consumerDivision' }, undefined)), 'GRANT_TERMS_INVALID');
    assert.equal(code(() => resolveRowFilter({ column: 'division', op: 'in', values: [] }, '630100')), 'GRANT_TERMS_INVALID');
    assert.equal(code(() => resolveRowFilter({ column: 'division', op: 'like' as 'eq', value: 'x' }, '630100')), 'GRANT_TERMS_INVALID');
  });
});

import net from 'node:net';
import { sharingErrors as E } from './sharing.errors.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, MASK_RULES, type GrantTerms, type MaskRule, type RowFilter } from './sharing.types.js';

/**
 * Grant terms (授权条件): checking what an approver or the provider sets, and the terms a new grant
 * gets. Pure functions: the service calls them before its transaction opens.
 */

export const RATE_LIMIT_MIN = 1;
export const RATE_LIMIT_MAX = 100_000;
export const IP_ALLOW_MAX = 100;
export const ROW_FILTER_VALUES_MAX = 1000;
/** The one placeholder a row filter may hold: the consumer organisation's division (数据回流). */
export const CONSUMER_DIVISION = '$consumerDivision';

/** The terms a grant holds, all of them set. */
export interface ResolvedTerms {
  masking: Record<string, MaskRule>;
  rowFilter: RowFilter | null;
  rateLimitPerMinute: number;
  ipAllow: string[];
  expiresAt: Date;
}

/** The last instant of a China date: a grant valid until 2027-06-30 ends at 23:59:59.999 that day in Beijing time. */
export function endOfDayInShanghai(date: string): Date {
  return new Date(`${date}T23:59:59.999+08:00`);
}

/**
 * Checks terms against the grant they are for (its items and the application's validity) and
 * returns them cleaned: blank-trimmed, without duplicates. Only what is given is checked; the first
 * problem is thrown with its own code.
 */
export function checkTerms(terms: GrantTerms, grant: { items: readonly string[]; validUntil: string }, now: Date): GrantTerms {
  const out: GrantTerms = {};
  if (terms.masking !== undefined) {
    const unknown = Object.keys(terms.masking).filter((c) => !grant.items.includes(c));
    if (unknown.length > 0) throw E.itemNotGranted(unknown);
    for (const [column, rule] of Object.entries(terms.masking)) {
      if (!(MASK_RULES as readonly string[]).includes(rule)) throw E.maskRuleInvalid(column, String(rule), MASK_RULES);
    }
    out.masking = { ...terms.masking };
  }
  if (terms.rowFilter !== undefined) out.rowFilter = terms.rowFilter === null ? null : checkRowFilter(terms.rowFilter, grant.items);
  if (terms.rateLimitPerMinute !== undefined) {
    const n = terms.rateLimitPerMinute;
    if (!Number.isInteger(n) || n < RATE_LIMIT_MIN || n > RATE_LIMIT_MAX) throw E.rateLimitInvalid(RATE_LIMIT_MIN, RATE_LIMIT_MAX);
    out.rateLimitPerMinute = n;
  }
  if (terms.ipAllow !== undefined) out.ipAllow = checkIpAllow(terms.ipAllow);
  if (terms.expiresAt !== undefined) {
    const latest = endOfDayInShanghai(grant.validUntil);
    const at = new Date(terms.expiresAt);
    if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime() || at.getTime() > latest.getTime()) throw E.expiresAtInvalid(latest.toISOString());
    out.expiresAt = at.toISOString();
  }
  return out;
}

function checkRowFilter(filter: RowFilter, items: readonly string[]): RowFilter {
  const bad = (en: string, zh: string) => E.rowFilterInvalid(en, zh);
  if (typeof filter !== 'object' || filter === null) throw bad('not an object', '格式不正确');
  if (!items.includes(filter.column)) throw bad(`column ${String(filter.column)} is not a granted item`, `列 ${String(filter.column)} 不在授权信息项中`);
  const checkValue = (v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > 200) throw bad('each value must be a non-blank string of at most 200 characters', '每个取值须为不超过 200 个字符的非空字符串');
    // A `$` names a placeholder; only one exists, and a typo must not silently match nothing.
    if (v.startsWith('$') && v !== CONSUMER_DIVISION) throw bad(`unknown placeholder ${v} (only ${CONSUMER_DIVISION})`, `未知的占位符 ${v}（仅支持 ${CONSUMER_DIVISION}）`);
    return v.trim();
  };
  switch (filter.op) {
    case 'eq':
    case 'prefix':
      if (filter.values !== undefined) throw bad(`${filter.op} takes value, not values`, `${filter.op} 使用 value，而不是 values`);
      return { column: filter.column, op: filter.op, value: checkValue(filter.value) };
    case 'in': {
      if (filter.value !== undefined) throw bad('in takes values, not value', 'in 使用 values，而不是 value');
      if (!Array.isArray(filter.values) || filter.values.length === 0 || filter.values.length > ROW_FILTER_VALUES_MAX) {
        throw bad(`in takes 1 to ${ROW_FILTER_VALUES_MAX} values`, `in 需要 1 至 ${ROW_FILTER_VALUES_MAX} 个取值`);
      }
      return { column: filter.column, op: 'in', values: [...new Set(filter.values.map(checkValue))] };
    }
    default:
      throw bad(`op must be eq, prefix or in`, '运算符须为 eq、prefix 或 in');
  }
}

/** Addresses and CIDR blocks as node:net's BlockList takes them (what the gateway will match with). */
function checkIpAllow(values: readonly string[]): string[] {
  if (values.length > IP_ALLOW_MAX) throw E.ipAllowInvalid([`more than ${IP_ALLOW_MAX} entries`]);
  const cleaned = [...new Set(values.map((v) => (typeof v === 'string' ? v.trim() : String(v))))];
  const invalid = cleaned.filter((v) => !isAddressOrBlock(v));
  if (invalid.length > 0) throw E.ipAllowInvalid(invalid);
  return cleaned;
}

export function isAddressOrBlock(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !address) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (bits > (family === 4 ? 32 : 128)) return false;
  try {
    new net.BlockList().addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

/**
 * A new grant's terms: the defaults (masking by PII kind, the default rate limit, any address,
 * until the end of the application's validity) with the approver's terms on top. Masking merges per
 * item; everything else the approver gave replaces the default.
 */
export function grantTerms(defaultMasking: Readonly<Record<string, MaskRule>>, validUntil: string, given: GrantTerms | null): ResolvedTerms {
  return applyTerms(
    { masking: { ...defaultMasking }, rowFilter: null, rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE, ipAllow: [], expiresAt: endOfDayInShanghai(validUntil) },
    given ?? {},
  );
}

/** `change` (checked) on top of `current`: masking merges per item, the other terms replace. */
export function applyTerms(current: ResolvedTerms, change: GrantTerms): ResolvedTerms {
  return {
    masking: { ...current.masking, ...(change.masking ?? {}) },
    rowFilter: change.rowFilter === undefined ? current.rowFilter : change.rowFilter,
    rateLimitPerMinute: change.rateLimitPerMinute ?? current.rateLimitPerMinute,
    ipAllow: change.ipAllow ?? current.ipAllow,
    expiresAt: change.expiresAt === undefined ? current.expiresAt : new Date(change.expiresAt),
  };
}

/** Two checked term sets as one (the authority's countersignature on top of the provider's approval). */
export function mergeTerms(first: GrantTerms | null, second: GrantTerms | null): GrantTerms | null {
  if (!first) return second;
  if (!second) return first;
  const merged: GrantTerms = { ...first, ...second };
  if (first.masking || second.masking) merged.masking = { ...(first.masking ?? {}), ...(second.masking ?? {}) };
  return merged;
}

/** The terms as the ledger records them (JSON, times as ISO text). */
export function termsForLedger(t: ResolvedTerms): Record<string, unknown> {
  return { masking: t.masking, rowFilter: t.rowFilter, rateLimitPerMinute: t.rateLimitPerMinute, ipAllow: t.ipAllow, expiresAt: t.expiresAt.toISOString() };
}

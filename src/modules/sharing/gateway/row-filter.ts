import type { RowFilter } from '../sharing.types.js';
import { grantTermsInvalid } from './gateway.errors.js';

/**
 * A grant's row filter (行级授权) made concrete for one consumer: `$consumerDivision` becomes the
 * consumer organisation's division code with its trailing zero pairs cut, so that a `prefix` filter
 * on a division column gives 西宁 (630100 → 6301) the rows of its own area — how data returns to
 * localities (数据回流). The filter is applied by the database next to the caller's own conditions.
 */

export const CONSUMER_DIVISION = '$consumerDivision';

export interface ResolvedRowFilter {
  column: string;
  op: 'eq' | 'prefix' | 'in';
  values: string[];
}

/**
 * 630100 → 6301, 630102 → 630102, 630000 → 63; the national code 000000 → '' (a prefix filter then
 * admits every row, an equality none).
 */
export function divisionPrefix(code: string): string {
  let c = code.trim();
  while (c.endsWith('00')) c = c.slice(0, -2);
  return c;
}

/** True when the filter needs the consumer's division. */
export function usesConsumerDivision(filter: RowFilter | null): boolean {
  return filter !== null && (filter.value === CONSUMER_DIVISION || (filter.values ?? []).includes(CONSUMER_DIVISION));
}

/**
 * The filter with `$consumerDivision` replaced, or null for a grant without one. A filter that cannot
 * be applied as written (an unknown operator, no value, the consumer's division unknown) refuses the
 * call: a grant restricted to some rows must never fall back to all of them.
 */
export function resolveRowFilter(filter: RowFilter | null, consumerDivision: string | undefined): ResolvedRowFilter | null {
  if (filter === null) return null;
  if (filter.op !== 'eq' && filter.op !== 'prefix' && filter.op !== 'in') throw grantTermsInvalid(`unknown operator ${String(filter.op)}`, `未知的运算符 ${String(filter.op)}`);
  const raw = filter.op === 'in' ? (filter.values ?? []) : filter.value === undefined ? [] : [filter.value];
  if (raw.length === 0 || raw.some((v) => typeof v !== 'string')) throw grantTermsInvalid('no value', '缺少取值');
  const values = raw.map((v) => {
    if (v !== CONSUMER_DIVISION) return v;
    if (consumerDivision === undefined) throw grantTermsInvalid("the consumer organisation's division is unknown", '使用部门的行政区划未知');
    return divisionPrefix(consumerDivision);
  });
  return { column: filter.column, op: filter.op, values };
}

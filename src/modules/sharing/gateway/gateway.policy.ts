import net from 'node:net';
import type { ShareCondition, ShareOp, ShareTable } from '../../resources/resources.share.js';
import type { Grant, MaskRule, ShareMethod } from '../sharing.types.js';
import * as E from './gateway.errors.js';
import { maskValue } from './masking.js';

/**
 * What a grant allows, checked in the order the refusals are documented (issue 5): the grant itself
 * (missing, revoked, expired), the method, the caller's address; then, per request, the items it may
 * see and the filters it may use. Pure functions of the grant and the request: no database.
 */

/**
 * The grant that governs a call: the newest active one not past its expiry. Without one, the newest
 * grant says why: revoked, or expired (a grant past expiresAt reads `active` until someone looks).
 */
export function currentGrant(grants: readonly Grant[], catalogCode: string, now: Date): Grant {
  const live = grants.find((g) => g.status === 'active' && Date.parse(g.expiresAt) > now.getTime());
  if (live) return live;
  const newest = grants[0];
  if (!newest) throw E.grantMissing(catalogCode);
  if (newest.status === 'revoked') throw E.grantRevoked(catalogCode, newest.revokedAt);
  throw E.grantExpired(catalogCode, newest.expiresAt);
}

export function requireMethod(grant: Grant, method: ShareMethod): void {
  if (!grant.methods.includes(method)) throw E.methodNotGranted(method, grant.methods);
}

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1, how a dual-stack socket reports it) is the IPv4 address. */
function plainAddress(ip: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
}

function blockListOf(ipAllow: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of ipAllow) {
    const [address = '', bits] = entry.trim().split('/');
    const family = net.isIP(address);
    if (family === 0) continue; // checked when the grant was set; an entry that is not an address matches nothing
    const type = family === 4 ? 'ipv4' : 'ipv6';
    try {
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(bits), type);
    } catch {
      // A prefix length out of range: matches nothing, as above.
    }
  }
  return list;
}

/** The grants' address lists, parsed once per grant and list. */
export class AddressLists {
  readonly #lists = new Map<string, { key: string; list: net.BlockList }>();

  /** Refuses a caller outside a non-empty allow-list (an empty one allows any address). */
  require(grant: Grant, ip: string): void {
    if (grant.ipAllow.length === 0) return;
    const key = grant.ipAllow.join(',');
    let cached = this.#lists.get(grant.id);
    if (!cached || cached.key !== key) {
      if (this.#lists.size > 10_000) this.#lists.clear();
      cached = { key, list: blockListOf(grant.ipAllow) };
      this.#lists.set(grant.id, cached);
    }
    const address = plainAddress(ip);
    const family = net.isIP(address);
    if (family === 0 || !cached.list.check(address, family === 4 ? 'ipv4' : 'ipv6')) throw E.ipNotAllowed(ip);
  }
}

/**
 * The columns a call returns: the requested `fields` (each must be granted), or every granted item,
 * in the table's order. Granted items the table lacks (the entry changed since) are left out.
 */
export function outputColumns(grant: Grant, table: ShareTable, fields: readonly string[] | undefined): string[] {
  const granted = new Set(grant.items);
  const inTable = new Set(table.columns.map((c) => c.column));
  if (fields === undefined || fields.length === 0) return table.columns.map((c) => c.column).filter((c) => granted.has(c));
  const wanted = [...new Set(fields)];
  const refused = wanted.filter((f) => !granted.has(f));
  if (refused.length > 0) throw E.itemNotGranted(refused);
  return wanted.filter((f) => inTable.has(f));
}

const OPS: readonly ShareOp[] = ['eq', 'in', 'prefix', 'gte', 'lte'];
const MAX_FILTERS = 20;
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * A query's filters — `{ column: value }` or `{ column: { op, value | values } }` — as conditions.
 * Bad shapes: 400 FILTER_INVALID. Columns must be granted items (403 ITEM_NOT_GRANTED) that are not
 * masked (403 FILTER_ON_MASKED_ITEM): a filter compares stored values, so filtering on a masked item
 * would let a consumer find its hidden value by probing (`name prefix 张三`).
 */
export function parseFilters(filters: unknown, grant: Grant): ShareCondition[] {
  if (filters === undefined || filters === null) return [];
  if (typeof filters !== 'object' || Array.isArray(filters)) throw E.filterInvalid('filters is an object: { column: value } or { column: { op, value } }', 'filters 须为对象：{ 字段: 值 } 或 { 字段: { op, value } }');
  const entries = Object.entries(filters as Record<string, unknown>);
  if (entries.length > MAX_FILTERS) throw E.filterInvalid(`At most ${MAX_FILTERS} filters`, `筛选条件不能超过 ${MAX_FILTERS} 个`);
  const conditions = entries.map(([column, spec]): ShareCondition => {
    if (isScalar(spec)) return { column, op: 'eq', values: [spec] };
    const bad = () => E.filterInvalid(`${column}: a value, or { op: eq|in|prefix|gte|lte, value | values }`, `${column}：须为取值，或 { op: eq|in|prefix|gte|lte, value | values }`, { column });
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw bad();
    const { op, value, values, ...rest } = spec as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !OPS.includes(op as ShareOp)) throw bad();
    if (op === 'in') {
      if (value !== undefined || !Array.isArray(values) || values.length === 0 || !values.every(isScalar)) throw bad();
      return { column, op, values };
    }
    if (values !== undefined || !isScalar(value)) throw bad();
    return { column, op: op as ShareOp, values: [value] };
  });
  const granted = new Set(grant.items);
  const notGranted = conditions.filter((c) => !granted.has(c.column)).map((c) => c.column);
  if (notGranted.length > 0) throw E.itemNotGranted(notGranted);
  const masked = conditions.filter((c) => (grant.masking[c.column] ?? 'redact') !== 'none').map((c) => c.column);
  if (masked.length > 0) throw E.filterOnMaskedItem(masked);
  return conditions;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An api resource's answer as a grant shows it. A JSON object, or an array of objects, keyed by item
 * column names: keys that are not granted items are removed (an envelope such as { code, data } keeps
 * nothing), granted ones masked. Any other answer (text, an array of scalars) cannot be restricted to
 * items and is refused (502 UPSTREAM_NOT_MASKABLE): the gateway never relays what it could not
 * check. An empty answer has nothing to check.
 */
export function restrictAnswer(body: unknown, grant: Grant): unknown {
  const granted = new Set(grant.items);
  const restrict = (record: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (granted.has(k)) out[k] = maskValue((grant.masking[k] ?? 'redact') as MaskRule, v);
    return out;
  };
  if (isRecord(body)) return restrict(body);
  if (Array.isArray(body) && body.every(isRecord)) return body.map(restrict);
  if (body === '' || body === null) return body;
  throw E.upstreamNotMaskable();
}

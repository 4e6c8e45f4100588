// Pure helpers of the sharing pages (applications, grants, call statistics): dates in Asia/Shanghai,
// grant terms between the form and the API, a refused cart's problems, and the gateway's statistics.
import type { BatchProblem, CallDay, CallOutcome, CallStats, Grant, GrantTerms, MaskRule, OrganisationCallStats, RowFilterOp } from '../api/types';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, MASK_RULES } from '../api/types';

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The server's defaultMaskRule (sharing.types.ts): the rule an item of this PII kind gets by default. */
export function defaultMaskRule(piiKind: string | null | undefined): MaskRule {
  switch (piiKind) {
    case 'name':
    case 'resident_id':
    case 'phone':
    case 'bank_card':
    case 'email':
    case 'address':
      return piiKind;
    case 'passport':
    case 'biometric':
    case 'health':
      return 'redact';
    default:
      return 'none';
  }
}

export const isMaskRule = (v: unknown): v is MaskRule => typeof v === 'string' && (MASK_RULES as readonly string[]).includes(v);

/** YYYY-MM-DD of an instant in Asia/Shanghai (deadlines and validity are Shanghai calendar days). */
export function shanghaiDate(at: string | number | Date): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last instant of a Shanghai calendar day, as the server stores a grant's expiry. */
export function endOfShanghaiDay(date: string): string {
  return `${date}T23:59:59.999+08:00`;
}

/** A calendar date `years` later (29 Feb → 28 Feb in a common year). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

/**
 * The days an application's validUntil may take: after today and at most three years ahead
 * (the server's VALID_UNTIL_INVALID), and the one the form proposes (a year ahead).
 */
export function validUntilBounds(now: number = Date.now()): { today: string; max: string; proposed: string } {
  const today = shanghaiDate(now);
  return { today, max: addYears(today, 3), proposed: addYears(today, 1) };
}

export function validUntilAllowed(date: string, now: number = Date.now()): boolean {
  const { today, max } = validUntilBounds(now);
  return date > today && date <= max;
}

/**
 * The problems of a refused batch (`error.details`), by the index of the application in the cart.
 * Accepts the list itself or an object holding it (problems / items / errors), so the page keeps
 * working whichever the server settles on.
 */
export function batchProblems(details: unknown): BatchProblem[] {
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object'
      ? ((details as Record<string, unknown>).problems ?? (details as Record<string, unknown>).items ?? (details as Record<string, unknown>).errors)
      : undefined;
  if (!Array.isArray(list)) return [];
  const out: BatchProblem[] = [];
  for (const p of list) {
    if (!p || typeof p !== 'object') continue;
    const r = p as Record<string, unknown>;
    const index = typeof r.index === 'number' ? r.index : typeof r.index === 'string' && /^\d+$/.test(r.index) ? Number(r.index) : NaN;
    if (!Number.isInteger(index) || typeof r.code !== 'string') continue;
    out.push({
      index,
      code: r.code,
      ...(typeof r.message === 'string' ? { message: r.message } : {}),
      ...(typeof r.messageZh === 'string' ? { messageZh: r.messageZh } : {}),
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

// ---- grant terms in a form ----

export interface TermsFormValues {
  masking: Record<string, MaskRule>;
  rowFilterOn: boolean;
  rowFilterColumn?: string | undefined;
  rowFilterOp: RowFilterOp;
  /** eq / prefix */
  rowFilterValue?: string | undefined;
  /** in */
  rowFilterValues?: string[] | undefined;
  rateLimitPerMinute: number;
  ipAllow: string[];
  /** YYYY-MM-DD, the last day (Shanghai) the grant is good for. */
  expiresOn: string;
}

export interface TermItem {
  column: string;
  piiKind?: string | null | undefined;
}

/** The form for a new grant: masking preset from the items' PII kinds, the defaults of the server. */
export function defaultTermsForm(items: readonly TermItem[], validUntil: string): TermsFormValues {
  return {
    masking: Object.fromEntries(items.map((i) => [i.column, defaultMaskRule(i.piiKind)])),
    rowFilterOn: false,
    rowFilterOp: 'prefix',
    rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
    ipAllow: [],
    expiresOn: validUntil,
  };
}

/** The form for an existing grant's terms. */
export function grantTermsForm(grant: Pick<Grant, 'items' | 'masking' | 'rowFilter' | 'rateLimitPerMinute' | 'ipAllow' | 'expiresAt'>): TermsFormValues {
  const f = grant.rowFilter;
  return {
    masking: Object.fromEntries(grant.items.map((c) => [c, grant.masking[c] ?? 'none'])),
    rowFilterOn: !!f,
    rowFilterColumn: f?.column,
    rowFilterOp: f?.op ?? 'prefix',
    rowFilterValue: f && f.op !== 'in' ? f.value : undefined,
    rowFilterValues: f && f.op === 'in' ? f.values : undefined,
    rateLimitPerMinute: grant.rateLimitPerMinute,
    ipAllow: [...grant.ipAllow],
    expiresOn: shanghaiDate(grant.expiresAt),
  };
}

/** The API's GrantTerms from the form: blanks dropped, the expiry at the end of its day. */
export function termsFromForm(v: TermsFormValues): GrantTerms {
  const values = (v.rowFilterValues ?? []).map((s) => s.trim()).filter(Boolean);
  const rowFilter =
    v.rowFilterOn && v.rowFilterColumn
      ? v.rowFilterOp === 'in'
        ? { column: v.rowFilterColumn, op: v.rowFilterOp, values }
        : { column: v.rowFilterColumn, op: v.rowFilterOp, value: (v.rowFilterValue ?? '').trim() }
      : null;
  return {
    masking: { ...v.masking },
    rowFilter,
    rateLimitPerMinute: v.rateLimitPerMinute,
    ipAllow: v.ipAllow.map((s) => s.trim()).filter(Boolean),
    expiresAt: endOfShanghaiDay(v.expiresOn),
  };
}

// ---- call statistics ----

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);

function firstArray(o: Record<string, unknown>, keys: string[]): unknown[] | undefined {
  for (const k of keys) if (Array.isArray(o[k])) return o[k] as unknown[];
  return undefined;
}

/**
 * The gateway's statistics in one shape: per day (calls, ok, refused, rows) and per outcome. Lenient
 * about names (day/date, rows/rowsReturned, byOutcome as a list or a map) so a small change on the
 * server does not blank the charts.
 */
export function normaliseStats(raw: unknown): CallStats {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const dayList = firstArray(o, ['days', 'daily', 'perDay', 'byDay', 'items']) ?? [];
  const days: CallDay[] = [];
  for (const d of dayList) {
    if (!d || typeof d !== 'object') continue;
    const r = d as Record<string, unknown>;
    const day = typeof r.day === 'string' ? r.day : typeof r.date === 'string' ? r.date : undefined;
    if (!day) continue;
    const calls = num(r.calls ?? r.total ?? r.count);
    const ok = num(r.ok);
    days.push({ day: day.slice(0, 10), calls, ok, refused: r.refused !== undefined ? num(r.refused) : Math.max(0, calls - ok), rows: num(r.rows ?? r.rowsReturned) });
  }
  days.sort((a, b) => a.day.localeCompare(b.day));
  const rawOutcomes = o.byOutcome ?? o.outcomes;
  let byOutcome: CallOutcome[] = [];
  if (Array.isArray(rawOutcomes)) {
    byOutcome = rawOutcomes.flatMap((x) => {
      if (!x || typeof x !== 'object') return [];
      const r = x as Record<string, unknown>;
      const outcome = typeof r.outcome === 'string' ? r.outcome : typeof r.code === 'string' ? r.code : undefined;
      return outcome ? [{ outcome, calls: num(r.calls ?? r.count) }] : [];
    });
  } else if (rawOutcomes && typeof rawOutcomes === 'object') {
    byOutcome = Object.entries(rawOutcomes as Record<string, unknown>).map(([outcome, calls]) => ({ outcome, calls: num(calls) }));
  }
  byOutcome.sort((a, b) => b.calls - a.calls || a.outcome.localeCompare(b.outcome));
  return { days, byOutcome };
}

export function normaliseOrgStats(raw: unknown): OrganisationCallStats {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return { asConsumer: normaliseStats(o.asConsumer ?? o.consumer), asProvider: normaliseStats(o.asProvider ?? o.provider) };
}

/** Every day of the last `n` (Shanghai) days, with zeros where the server sent nothing. */
export function fillDays(days: readonly CallDay[], n: number, now: number = Date.now()): CallDay[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out: CallDay[] = [];
  for (let i = n - 1; i >= 0; i -= 1) {
    const day = shanghaiDate(now - i * 86_400_000);
    out.push(byDay.get(day) ?? { day, calls: 0, ok: 0, refused: 0, rows: 0 });
  }
  return out;
}

export function totals(days: readonly CallDay[]): Omit<CallDay, 'day'> {
  return days.reduce((s, d) => ({ calls: s.calls + d.calls, ok: s.ok + d.ok, refused: s.refused + d.refused, rows: s.rows + d.rows }), { calls: 0, ok: 0, refused: 0, rows: 0 });
}

// ---- how to call the gateway ----

/** A curl command for the records route, with the signing headers left for the caller to fill. */
export function curlExample(origin: string, catalogCode: string, keyColumns: readonly string[]): string {
  const key = keyColumns.length > 1 ? keyColumns.map((c) => `key=<${c}>`).join('&') : `key=<${keyColumns[0] ?? 'key'}>`;
  return [
    `curl '${origin}/api/v1/share/${encodeURIComponent(catalogCode)}/records?${key}' \\`,
    `  -H 'X-Tianshu-App: <appKey>' \\`,
    `  -H 'X-Tianshu-Timestamp: <ms since epoch>' \\`,
    `  -H 'X-Tianshu-Nonce: <random, used once>' \\`,
    `  -H 'X-Tianshu-Signature: <hex HMAC-SM3(secret, "GET\\n/api/v1/share/${catalogCode}/records?${key}\\n" + timestamp + "\\n" + nonce + "\\n" + hex(SM3("")))>'`,
  ].join('\n');
}

/** A long poll of the change feed from `after` (latest: from now on). */
export function curlFeedExample(origin: string, catalogCode: string): string {
  const path = `/api/v1/feeds/${catalogCode}/changes?after=<next>&limit=500&wait=30`;
  return [
    `curl '${origin}/api/v1/feeds/${encodeURIComponent(catalogCode)}/changes?after=<next>&limit=500&wait=30' \\`,
    `  -H 'X-Tianshu-App: <appKey>' -H 'X-Tianshu-Timestamp: <ms>' -H 'X-Tianshu-Nonce: <nonce>' \\`,
    `  -H 'X-Tianshu-Signature: <hex HMAC-SM3(secret, "GET\\n${path}\\n" + timestamp + "\\n" + nonce + "\\n" + hex(SM3("")))>'`,
  ].join('\n');
}

export function curlQueryExample(origin: string, catalogCode: string, column: string | undefined): string {
  const body = JSON.stringify({ filters: column ? { [column]: '<value>' } : {}, limit: 100 });
  return [
    `curl -X POST '${origin}/api/v1/share/${encodeURIComponent(catalogCode)}/query' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H 'X-Tianshu-App: <appKey>' -H 'X-Tianshu-Timestamp: <ms>' -H 'X-Tianshu-Nonce: <nonce>' \\`,
    `  -H 'X-Tianshu-Signature: <hex HMAC-SM3(secret, "POST\\n/api/v1/share/${catalogCode}/query\\n" + timestamp + "\\n" + nonce + "\\n" + hex(SM3(body)))>' \\`,
    `  -d '${body}'`,
  ].join('\n');
}

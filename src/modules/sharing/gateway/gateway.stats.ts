import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../../core/db/database.js';

/**
 * Call statistics for the portal's charts (调用统计): per day (Asia/Shanghai calendar days, the
 * platform's), the calls, how many were answered and refused, and the rows returned; and the calls by
 * outcome. Read from share_calls, so calls of the last moment (still buffered, ≤ 200 ms) are not in yet.
 */

export interface DayStats {
  date: string;
  calls: number;
  ok: number;
  refused: number;
  rows: number;
}

export interface CallStats {
  days: number;
  /** First and last day counted (YYYY-MM-DD, Asia/Shanghai). */
  from: string;
  to: string;
  totals: Omit<DayStats, 'date'>;
  /** Every day from `from` to `to`, days without calls included (zeros). */
  perDay: DayStats[];
  /** Outcomes ('ok' or an error code), the most frequent first. */
  byOutcome: Array<{ outcome: string; calls: number }>;
}

/** Which calls: one grant's, an organisation's as consumer, or those under the grants an organisation provides. */
export type CallScope = { grantId: string } | { consumerOrgId: string } | { providerOrgId: string };

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** YYYY-MM-DD of an instant in Asia/Shanghai (UTC+8 all year). */
const shanghaiDate = (at: Date): string => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function scopeSql(scope: CallScope): RawBuilder<unknown> {
  if ('grantId' in scope) return sql`c.grant_id = ${scope.grantId}`;
  if ('consumerOrgId' in scope) return sql`c.consumer_org_id = ${scope.consumerOrgId}`;
  // Refusals before a grant was found (no grant at all) belong to the caller, not to a provider.
  return sql`c.grant_id in (select g.id from share_grants g where g.provider_org_id = ${scope.providerOrgId})`;
}

export async function callStats(db: Executor, scope: CallScope, days: number, now: Date): Promise<CallStats> {
  const to = shanghaiDate(now);
  const from = addDays(to, -(days - 1));
  const since = new Date(`${from}T00:00:00+08:00`);
  const where = sql`${scopeSql(scope)} and c.at >= ${since}`;
  // The day is computed from the UTC instant plus eight hours: the same on every engine and time zone setting.
  const { rows: perDayRows } = await sql<{ day: string; calls: number; ok: number; rows: number }>`
    select to_char(c.at at time zone 'UTC' + interval '8 hours', 'YYYY-MM-DD') as day,
           count(*)::bigint as calls,
           count(*) filter (where c.outcome = 'ok')::bigint as ok,
           coalesce(sum(c.rows_returned), 0)::bigint as rows
    from share_calls c where ${where}
    group by 1`.execute(db);
  const { rows: outcomeRows } = await sql<{ outcome: string; calls: number }>`
    select c.outcome, count(*)::bigint as calls from share_calls c where ${where}
    group by c.outcome order by 2 desc, 1`.execute(db);

  const byDay = new Map(perDayRows.map((r) => [r.day, r]));
  const perDay: DayStats[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const r = byDay.get(date);
    const calls = Number(r?.calls ?? 0);
    const ok = Number(r?.ok ?? 0);
    perDay.push({ date, calls, ok, refused: calls - ok, rows: Number(r?.rows ?? 0) });
  }
  const totals = perDay.reduce((t, d) => ({ calls: t.calls + d.calls, ok: t.ok + d.ok, refused: t.refused + d.refused, rows: t.rows + d.rows }), { calls: 0, ok: 0, refused: 0, rows: 0 });
  return { days, from, to, totals, perDay, byOutcome: outcomeRows.map((r) => ({ outcome: r.outcome, calls: Number(r.calls) })) };
}

/** The parties of a grant, for deciding who may see its statistics. */
export async function grantParties(db: Executor, grantId: string): Promise<{ consumerOrgId: string; providerOrgId: string; authorityOrgId: string | null } | undefined> {
  const row = await db.selectFrom('share_grants').select(['consumer_org_id', 'provider_org_id', 'authority_org_id']).where('id', '=', grantId).executeTakeFirst();
  return row && { consumerOrgId: row.consumer_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id };
}

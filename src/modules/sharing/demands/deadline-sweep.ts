import { sql } from 'kysely';
import type { Executor } from '../../../core/db/database.js';

/**
 * The claim step of a deadline sweep shared by demands and objections (the same rule as
 * applications', sharing.repository claimDeadlines): up to `limit` open rows due soon (reminder) or
 * overdue (escalation) are marked in one statement inside the caller's transaction. SKIP LOCKED
 * leaves rows another replica is claiming and the outer condition is checked again on the row's
 * latest version, so each reminder and escalation is sent once; a rollback undoes the claim.
 */
export async function claimDue(
  db: Executor,
  table: 'share_demands' | 'share_objections',
  openStatus: string,
  stage: 'reminder' | 'escalation',
  bounds: { today: string; soonLimit: string },
  at: Date,
  limit: number,
): Promise<string[]> {
  const due =
    stage === 'escalation'
      ? sql`due_date < ${bounds.today}::date and escalated_at is null`
      : sql`due_date >= ${bounds.today}::date and due_date < ${bounds.soonLimit}::date and reminded_at is null`;
  const column = stage === 'escalation' ? sql.ref('escalated_at') : sql.ref('reminded_at');
  const result = await sql<{ id: string }>`
    update ${sql.table(table)} set ${column} = ${at}, updated_at = ${at}
    where id in (
      select id from ${sql.table(table)}
      where status = ${openStatus} and due_date is not null and ${due}
      order by due_date, id
      limit ${limit}
      for update skip locked
    ) and status = ${openStatus} and ${due}
    returning id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** A list of short free texts (data items, record keys): trimmed, blanks and repeats dropped. */
export function cleanList(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.trim()).filter((v) => v !== ''))];
}

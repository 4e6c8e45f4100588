import { sql } from 'kysely';
import { isValidDate } from '../../../core/calendar/index.js';
import type { Db } from '../../../core/db/db.js';
import type { Executor, Trx } from '../../../core/db/database.js';
import type { DeadlineClock, SharingDeadlines } from '../sharing.deadlines.js';

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

/** Rows claimed per transaction. */
const SWEEP_BATCH = 200;

/**
 * A whole sweep: escalations first, then reminders, in batches of SWEEP_BATCH, each batch's claim and
 * notices in one transaction. `load` reads the claimed rows; `send` notifies and ledgers one of them.
 */
export async function sweepDue<R>(options: {
  db: Db;
  deadlines: SharingDeadlines;
  today?: string | undefined;
  table: 'share_demands' | 'share_objections';
  openStatus: string;
  load: (trx: Trx, ids: string[]) => Promise<R[]>;
  send: (trx: Trx, stage: 'reminder' | 'escalation', row: R, clock: DeadlineClock, day: string) => Promise<void>;
}): Promise<{ reminded: number; escalated: number }> {
  const clock = await options.deadlines.clock();
  const day = options.today ?? clock.today;
  if (!isValidDate(day)) throw new RangeError(`not a date: ${day}`);
  const bounds = options.deadlines.bounds(clock.calendar, day);
  const sent = { reminded: 0, escalated: 0 };
  for (const stage of ['escalation', 'reminder'] as const) {
    for (;;) {
      const claimed = await options.db.kysely.transaction().execute(async (trx) => {
        const ids = await claimDue(trx, options.table, options.openStatus, stage, bounds, clock.now, SWEEP_BATCH);
        for (const row of await options.load(trx, ids)) await options.send(trx, stage, row, clock, day);
        return ids.length;
      });
      if (stage === 'escalation') sent.escalated += claimed;
      else sent.reminded += claimed;
      if (claimed < SWEEP_BATCH) break;
    }
  }
  return sent;
}

/** A list of short free texts (data items, record keys): trimmed, blanks and repeats dropped. */
export function cleanList(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.trim()).filter((v) => v !== ''))];
}

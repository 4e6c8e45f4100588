import { sql, type Generated, type Selectable, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Database, Executor } from '../db/database.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead';

/** What a person is shown about a failed attempt: a stable code and both languages, never a stack. */
export interface JobError {
  code: string;
  message: string;
  messageZh: string;
}

declare module '../db/database.js' {
  interface Database {
    jobs: {
      id: Generated<string>;
      kind: string;
      payload: unknown;
      status: Generated<JobStatus>;
      run_at: Date;
      attempts: Generated<number>;
      max_attempts: Generated<number>;
      locked_by: string | null;
      locked_until: Date | null;
      last_error: JobError | null;
      dedupe_key: string | null;
      created_at: Date;
      finished_at: Date | null;
    };
  }
}

export type JobRow = Selectable<Database['jobs']>;

/** Statuses of a job that is not finished: the dedupe key is unique among these. */
const UNFINISHED = sql`('queued', 'running', 'failed')`;

/**
 * Inserts a job; with a dedupe key that an unfinished job already holds, inserts nothing and
 * returns undefined (the partial unique index decides, so two replicas cannot both insert).
 */
export async function insertJob(
  db: Executor,
  job: { kind: string; payload: unknown; run_at: Date; max_attempts: number; dedupe_key: string | null; created_at: Date },
): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    insert into jobs (kind, payload, run_at, max_attempts, dedupe_key, created_at)
    values (${job.kind}, ${JSON.stringify(job.payload)}::jsonb, ${job.run_at}, ${job.max_attempts}, ${job.dedupe_key}, ${job.created_at})
    on conflict (dedupe_key) where dedupe_key is not null and status in ${UNFINISHED} do nothing
    returning id`.execute(db);
  return rows[0]?.id;
}

/**
 * One claim of a job: the worker that holds it and the attempt it counts as. Renewing, completing,
 * failing and giving back match both, so an attempt whose lease was taken over — by another worker
 * or by a later claim of the same one — can change nothing (fencing).
 */
export interface Claim {
  id: string;
  worker: string;
  attempt: number;
}

/**
 * Claims up to `limit` jobs of these kinds that are due — waiting with run_at reached, or running
 * with a lease that ran out (the worker died) and attempts left — for `worker`, in one statement:
 * rows another replica is claiming are skipped (SKIP LOCKED), so each job goes to one worker. The
 * claim counts as an attempt. `leases` gives each kind's lease in seconds. `running` are the jobs
 * this worker is still running: never claimed again by it, even when their lease ran out.
 */
export async function claimDue(
  db: Executor,
  kinds: readonly string[],
  leases: Readonly<Record<string, number>>,
  worker: string,
  now: Date,
  limit: number,
  running: readonly string[] = [],
): Promise<JobRow[]> {
  if (kinds.length === 0 || limit < 1) return [];
  const { rows } = await sql<JobRow>`
    with due as (
      select id from jobs
      where kind in (${sql.join(kinds)})
        and ((status in ('queued', 'failed') and run_at <= ${now})
          or (status = 'running' and locked_until <= ${now} and attempts < max_attempts))
        and id <> all(${toUuidArray(running)}::uuid[])
      order by run_at, id
      limit ${limit}
      for update skip locked
    )
    update jobs j
    set status = 'running',
        attempts = j.attempts + 1,
        locked_by = ${worker},
        locked_until = ${now}::timestamptz + make_interval(secs => (${JSON.stringify(leases)}::jsonb ->> j.kind)::int)
    from due
    where j.id = due.id
    returning j.*`.execute(db);
  return rows.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || a.id.localeCompare(b.id));
}

/** A uuid[] literal: the PGlite driver and pg both take it as text. */
const toUuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

/**
 * Running jobs whose lease ran out with no attempt left: their last worker died mid-attempt. Marked
 * dead (inside the caller's transaction, so the owning module records the outcome beside it). Jobs
 * in `running` are the calling worker's own, still under way: not dead.
 */
export async function reapExpired(db: Executor, kinds: readonly string[], now: Date, error: JobError, limit: number, running: readonly string[] = []): Promise<JobRow[]> {
  if (kinds.length === 0) return [];
  const { rows } = await sql<JobRow>`
    update jobs set status = 'dead', finished_at = ${now}, last_error = ${JSON.stringify(error)}::jsonb, locked_by = null, locked_until = null
    where id in (
      select id from jobs
      where kind in (${sql.join(kinds)}) and status = 'running' and locked_until <= ${now} and attempts >= max_attempts
        and id <> all(${toUuidArray(running)}::uuid[])
      order by locked_until, id
      limit ${limit}
      for update skip locked
    )
    returning *`.execute(db);
  return rows;
}

/** Extends the lease of a claim; false when the job is no longer held by it. */
export async function renewLease(db: Executor, claim: Claim, until: Date): Promise<boolean> {
  const result = await held(db.updateTable('jobs').set({ locked_until: until }), claim).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks the job of a claim succeeded; false when the claim no longer holds it (the lease was lost). */
export async function markSucceeded(db: Executor, claim: Claim, now: Date): Promise<boolean> {
  const result = await held(
    db.updateTable('jobs').set({ status: 'succeeded', finished_at: now, locked_by: null, locked_until: null, last_error: null }),
    claim,
  ).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records the failed attempt of a claim: `failed` to run again at `retryAt`, or `dead`. Returns
 * false when the claim no longer holds the job.
 */
export async function markFailed(db: Executor, claim: Claim, now: Date, error: JobError, retryAt: Date | null): Promise<boolean> {
  const result = await held(
    db.updateTable('jobs').set({
      status: retryAt ? 'failed' : 'dead',
      run_at: retryAt ?? now,
      finished_at: retryAt ? null : now,
      last_error: JSON.stringify(error) as unknown as JobError,
      locked_by: null,
      locked_until: null,
    }),
    claim,
  ).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Gives the attempt of a claim back (the node is stopping): the job waits again from now and the
 * attempt is not counted, since nothing failed.
 */
export async function release(db: Executor, claim: Claim, now: Date): Promise<boolean> {
  const result = await sql`
    update jobs set status = case when attempts > 1 then 'failed' else 'queued' end, attempts = attempts - 1,
      run_at = ${now}, locked_by = null, locked_until = null
    where id = ${claim.id} and locked_by = ${claim.worker} and attempts = ${claim.attempt} and status = 'running'`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** An update of the job a claim still holds: its worker, and the attempt it claimed. */
function held(query: UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>, claim: Claim): UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult> {
  return query.where('id', '=', claim.id).where('locked_by', '=', claim.worker).where('attempts', '=', claim.attempt).where('status', '=', 'running');
}

/** Cancels the unfinished job holding a dedupe key unless it is running; returns its id. */
export async function cancelWaiting(db: Executor, dedupeKey: string, now: Date, error: JobError): Promise<string | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({ status: 'dead', finished_at: now, last_error: JSON.stringify(error) as unknown as JobError })
    .where('dedupe_key', '=', dedupeKey)
    .where('status', 'in', ['queued', 'failed'])
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function findJob(db: Executor, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finished jobs before `before`, in batches (housekeeping). */
export async function purgeFinished(db: Executor, before: Date, limit: number): Promise<number> {
  const result = await sql`
    delete from jobs where id in (
      select id from jobs where status in ('succeeded', 'dead') and finished_at < ${before} limit ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

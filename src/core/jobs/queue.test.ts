import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openTestDb, type TestDb } from '../../../test/helper.js';
import { InputError } from '../errors.js';
import { migrate } from '../db/migrations.js';
import { retryDelayMs } from './backoff.js';
import { claimDue, findJob, markSucceeded, renewLease } from './jobs.repository.js';
import { jobMigrations, JobLeaseLostError, JobQueue, type AttemptFailure, type JobHandler } from './index.js';

/**
 * The job queue on the real engine: due jobs run once, failures come back after a backoff with
 * jitter until they are dead, a dead worker's job is taken over when its lease runs out, concurrent
 * workers never run a job twice, and a stopping node gives its attempts back.
 */
let testDb: TestDb;
let now: Date;
const clock = (): Date => now;
const at = (seconds: number): Date => new Date(Date.parse('2026-03-02T08:00:00Z') + seconds * 1000);
/** Two transactions at once: PostgreSQL only (PGlite runs one statement at a time, under a mutex). */
const onPostgres = Boolean(process.env.DATABASE_URL);

before(async () => {
  testDb = await openTestDb();
  await migrate(testDb.db, [jobMigrations]);
  await sql`create table job_effects (job_id uuid, attempt integer, note text)`.execute(testDb.db.kysely);
});
after(() => testDb.drop());
beforeEach(async () => {
  now = at(0);
  await sql`delete from jobs`.execute(testDb.db.kysely);
  await sql`delete from job_effects`.execute(testDb.db.kysely);
});

const k = () => testDb.db.kysely;
const queue = (options: { random?: () => number; concurrency?: number } = {}) => new JobQueue({ db: testDb.db, now: clock, random: options.random ?? (() => 0), concurrency: options.concurrency });
const enqueue = (q: JobQueue, input: Parameters<JobQueue['enqueue']>[1]) => q.enqueue(k(), input);
const job = async (id: string) => (await findJob(k(), id))!;

describe('retryDelayMs', () => {
  test('doubles per failure up to the cap, with half of each step random', () => {
    const policy = { baseSeconds: 30, maxSeconds: 3600 };
    assert.equal(retryDelayMs(1, policy, () => 0), 15_000);
    assert.equal(retryDelayMs(1, policy, () => 1), 30_000);
    assert.equal(retryDelayMs(3, policy, () => 0), 60_000);
    assert.equal(retryDelayMs(20, policy, () => 1), 3_600_000);
    assert.equal(retryDelayMs(20, policy, () => 0), 1_800_000);
  });
});

describe('the job queue', () => {
  test('runs a due job once, with its payload, and not before its time', async () => {
    const q = queue();
    const seen: unknown[] = [];
    q.register<{ n: number }>({ kind: 'test.echo', run: async (j) => void seen.push(j.payload) });
    const later = (await enqueue(q, { kind: 'test.echo', payload: { n: 2 }, runAt: at(60) }))!;
    const id = (await enqueue(q, { kind: 'test.echo', payload: { n: 1 } }))!;
    assert.deepEqual(await q.runDue(), { succeeded: 1, failed: 0, dead: 0 });
    assert.deepEqual(seen, [{ n: 1 }]);
    assert.equal((await job(id)).status, 'succeeded');
    assert.equal((await job(later)).status, 'queued');
    assert.deepEqual(await q.runDue(), { succeeded: 0, failed: 0, dead: 0 });
    now = at(61);
    await q.runDue();
    assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
  });

  test('a dedupe key holds one unfinished job; once it finished, the key is free again', async () => {
    const q = queue();
    q.register({ kind: 'test.noop', run: async () => undefined });
    const first = await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'thing:1' });
    assert.ok(first);
    assert.equal(await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'thing:1' }), undefined);
    assert.ok(await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'thing:2' }));
    await q.runDue();
    assert.ok(await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'thing:1' }));
  });

  test('a failed attempt comes back after an exponential backoff with jitter, until no attempt is left', async () => {
    const q = queue({ random: () => 0.5 });
    const failures: AttemptFailure[] = [];
    q.register({
      kind: 'test.flaky',
      backoff: { baseSeconds: 10, maxSeconds: 600 },
      run: async () => {
        throw new InputError('SOURCE_DOWN', 'The source is down', '数据源不可用');
      },
      onFailure: async (trx, j, failure) => {
        failures.push(failure);
        await sql`insert into job_effects values (${j.id}, ${failure.attempt}, 'failed')`.execute(trx);
      },
    });
    const id = (await enqueue(q, { kind: 'test.flaky', payload: {}, maxAttempts: 3 }))!;
    assert.deepEqual(await q.runDue(), { succeeded: 0, failed: 1, dead: 0 });
    let row = await job(id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1);
    // 10 s step: 5 s fixed + half of the other 5 s.
    assert.equal(row.run_at.getTime(), at(7.5).getTime());
    assert.deepEqual(row.last_error, { code: 'SOURCE_DOWN', message: 'The source is down', messageZh: '数据源不可用' });

    now = at(7);
    assert.deepEqual(await q.runDue(), { succeeded: 0, failed: 0, dead: 0 }, 'not before the backoff');
    now = at(8);
    await q.runDue();
    row = await job(id);
    assert.equal(row.attempts, 2);
    assert.equal(row.run_at.getTime(), at(8 + 15).getTime(), 'the second wait doubles: 10 s + half of 10 s');

    now = at(60);
    assert.deepEqual(await q.runDue(), { succeeded: 0, failed: 0, dead: 1 });
    row = await job(id);
    assert.equal(row.status, 'dead');
    assert.equal(row.finished_at?.getTime(), at(60).getTime());
    assert.deepEqual(failures.map((f) => [f.attempt, f.retryAt?.getTime() ?? null]), [
      [1, at(7.5).getTime()],
      [2, at(23).getTime()],
      [3, null],
    ]);
    const effects = await sql<{ attempt: number }>`select attempt from job_effects order by attempt`.execute(k());
    assert.deepEqual(effects.rows.map((r) => r.attempt), [1, 2, 3], 'onFailure writes commit with the attempt');
  });

  test('an error the handler calls permanent ends the job at once, and an unexpected error is not shown', async () => {
    const q = queue();
    q.register({
      kind: 'test.permanent',
      retryable: (err) => !(err instanceof InputError),
      run: async () => {
        throw new InputError('CONFIG_BAD', 'The configuration is wrong', '配置错误');
      },
    });
    q.register({
      kind: 'test.bug',
      run: async () => {
        throw new Error('password=hunter2 in a driver message');
      },
    });
    const permanent = (await enqueue(q, { kind: 'test.permanent', payload: {}, maxAttempts: 5 }))!;
    const bug = (await enqueue(q, { kind: 'test.bug', payload: {}, maxAttempts: 1 }))!;
    await q.runDue();
    assert.equal((await job(permanent)).status, 'dead');
    assert.equal((await job(permanent)).attempts, 1);
    const error = (await job(bug)).last_error!;
    assert.equal(error.code, 'JOB_FAILED');
    assert.doesNotMatch(JSON.stringify(error), /hunter2/);
  });

  test('a job whose worker died is taken over when its lease runs out, or marked dead without attempts left', async () => {
    const q = queue();
    const runs: number[] = [];
    const failures: AttemptFailure[] = [];
    q.register({ kind: 'test.lease', leaseSeconds: 60, run: async (j) => void runs.push(j.attempt), onFailure: async (_trx, _j, f) => void failures.push(f) });
    const retried = (await enqueue(q, { kind: 'test.lease', payload: {}, maxAttempts: 2 }))!;
    const exhausted = (await enqueue(q, { kind: 'test.lease', payload: {}, maxAttempts: 1 }))!;
    // Another process claims both and is killed before it finishes.
    const claimed = await k().transaction().execute((trx) => claimDue(trx, ['test.lease'], { 'test.lease': 60 }, 'killed-worker', now, 10));
    assert.equal(claimed.length, 2);

    now = at(59);
    await q.runDue();
    assert.deepEqual(runs, [], 'the lease still holds');
    now = at(61);
    await q.runDue();
    assert.deepEqual(runs, [2]);
    assert.equal((await job(retried)).status, 'succeeded');
    const dead = await job(exhausted);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.last_error?.code, 'JOB_LEASE_EXPIRED');
    assert.deepEqual(failures.map((f) => [f.error.code, f.retryAt]), [['JOB_LEASE_EXPIRED', null]]);
  });

  test('complete() commits the handler\'s work with the job, and refuses once another worker holds it', async () => {
    const q = queue();
    q.register<{ steal: boolean }>({
      kind: 'test.complete',
      run: async (j, ctx) => {
        if (j.payload.steal) await sql`update jobs set locked_by = 'other-worker' where id = ${j.id}`.execute(k());
        await k().transaction().execute(async (trx) => {
          await sql`insert into job_effects values (${j.id}, ${j.attempt}, 'done')`.execute(trx);
          await ctx.complete(trx);
        });
      },
    });
    const kept = (await enqueue(q, { kind: 'test.complete', payload: { steal: false } }))!;
    const stolen = (await enqueue(q, { kind: 'test.complete', payload: { steal: true } }))!;
    await q.runDue();
    assert.equal((await job(kept)).status, 'succeeded');
    assert.equal((await job(stolen)).status, 'running', 'the other worker owns it now');
    const effects = await sql<{ job_id: string }>`select job_id from job_effects`.execute(k());
    assert.deepEqual(effects.rows.map((r) => r.job_id), [kept], 'the work of a lost attempt rolled back');
    assert.ok(new JobLeaseLostError('x') instanceof Error);
  });

  // On PGlite every statement runs under one mutex, so the two workers' claims cannot interleave
  // and this test cannot fail there. It means something on PostgreSQL (CI runs the suite there with
  // DATABASE_URL): the workers claim over separate pooled connections at once, both take jobs, and
  // SKIP LOCKED alone keeps them from taking the same one. The next test holds two claims open.
  test('two workers claiming at once never run a job twice', async () => {
    const runs = new Map<string, number>();
    const handler: JobHandler = {
      kind: 'test.count',
      run: async (j) => {
        runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
        await sleep(20);
      },
    };
    const a = queue({ concurrency: 3 });
    const b = queue({ concurrency: 3 });
    a.register(handler);
    b.register(handler);
    for (let i = 0; i < 24; i++) await enqueue(a, { kind: 'test.count', payload: { i } });
    const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
    assert.equal(ra.succeeded + rb.succeeded, 24);
    assert.equal(runs.size, 24);
    assert.ok([...runs.values()].every((n) => n === 1));
    if (onPostgres) assert.ok(ra.succeeded > 0 && rb.succeeded > 0, `both workers ran jobs (${ra.succeeded} + ${rb.succeeded})`);
  });

  test('a claim skips the jobs another open claim holds', { skip: onPostgres ? false : 'needs two transactions at once (PostgreSQL)' }, async () => {
    for (let i = 0; i < 6; i++) await k().insertInto('jobs').values({ kind: 'test.held', payload: '{}', run_at: now, created_at: now }).execute();
    let claimedA!: () => void;
    const aClaimed = new Promise<void>((resolve) => (claimedA = resolve));
    let releaseA!: () => void;
    const aReleased = new Promise<void>((resolve) => (releaseA = resolve));
    const first = k().transaction().execute(async (trx) => {
      const rows = await claimDue(trx, ['test.held'], { 'test.held': 60 }, 'worker-a', now, 4);
      claimedA();
      await aReleased;
      return rows;
    });
    await aClaimed;
    const second = await k().transaction().execute((trx) => claimDue(trx, ['test.held'], { 'test.held': 60 }, 'worker-b', now, 4));
    releaseA();
    const a = (await first).map((r) => r.id);
    const b = second.map((r) => r.id);
    assert.equal(a.length, 4);
    assert.equal(b.length, 2, 'only the jobs the open claim does not hold');
    assert.ok(b.every((id) => !a.includes(id)));
  });

  test('a job still running in this worker is not claimed or reaped by it again when its lease runs out', async () => {
    const q = queue({ concurrency: 2 });
    const attempts: Array<[string, number]> = [];
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    q.register({
      kind: 'test.slow',
      leaseSeconds: 60,
      run: async (j) => {
        attempts.push([j.id, j.attempt]);
        most = Math.max(most, ++running);
        await gate;
        running -= 1;
      },
    });
    const retried = (await enqueue(q, { kind: 'test.slow', payload: {}, maxAttempts: 3 }))!;
    const last = (await enqueue(q, { kind: 'test.slow', payload: {}, maxAttempts: 1 }))!;
    const first = q.runDue();
    while (attempts.length < 2) await sleep(10);
    // Its renewals have not got through (the heartbeat is a third of the lease away) and the clock
    // has passed the lease: the rows look like a dead worker's.
    now = at(61);
    try {
      assert.deepEqual(await q.runDue(), { succeeded: 0, failed: 0, dead: 0 });
      assert.equal((await job(retried)).attempts, 1, 'not claimed a second time');
      assert.equal((await job(last)).status, 'running', 'not reaped while it runs');
    } finally {
      release();
    }
    assert.deepEqual(await first, { succeeded: 2, failed: 0, dead: 0 });
    assert.deepEqual(attempts.map(([, attempt]) => attempt), [1, 1]);
    assert.equal(most, 2);
    assert.equal((await job(retried)).status, 'succeeded');
  });

  test('an attempt taken over by a later claim of the same worker renews and completes nothing', async () => {
    const id = (await enqueue(queue(), { kind: 'test.fenced', payload: {} }))!;
    const [first] = await k().transaction().execute((trx) => claimDue(trx, ['test.fenced'], { 'test.fenced': 60 }, 'worker-a', now, 1));
    now = at(61);
    const [second] = await k().transaction().execute((trx) => claimDue(trx, ['test.fenced'], { 'test.fenced': 60 }, 'worker-a', now, 1));
    assert.deepEqual([first!.attempts, second!.attempts], [1, 2]);
    const stale = { id, worker: 'worker-a', attempt: 1 };
    assert.equal(await renewLease(k(), stale, at(200)), false);
    assert.equal(await markSucceeded(k(), stale, now), false);
    assert.equal((await job(id)).status, 'running');
    assert.equal(await markSucceeded(k(), { id, worker: 'worker-a', attempt: 2 }, now), true);
  });

  test('a handler whose lease cannot be renewed for two thirds of it is aborted', async () => {
    const q = queue();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let reason: unknown;
    let abortedAfter = Number.NaN;
    q.register({
      kind: 'test.cut-off',
      leaseSeconds: 3,
      run: async (_j, ctx) => {
        const t0 = performance.now();
        started();
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => resolve());
          // Before the fix renewals failed in the log only: give up waiting after the lease.
          setTimeout(resolve, 5000).unref();
        });
        reason = ctx.signal.reason;
        abortedAfter = performance.now() - t0;
        throw ctx.signal.reason ?? new Error('not aborted');
      },
    });
    const id = (await enqueue(q, { kind: 'test.cut-off', payload: {} }))!;
    const done = q.runDue();
    await running;
    // The database refuses every change of the jobs table from now on (a lost connection, a failover).
    await sql`create function refuse_job_updates() returns trigger language plpgsql as $$ begin raise exception 'jobs are read-only now'; end $$`.execute(k());
    await sql`create trigger refuse_job_updates before update on jobs for each row execute function refuse_job_updates()`.execute(k());
    try {
      assert.deepEqual(await done, { succeeded: 0, failed: 0, dead: 0 });
    } finally {
      await sql`drop trigger refuse_job_updates on jobs`.execute(k());
      await sql`drop function refuse_job_updates()`.execute(k());
    }
    assert.ok(reason instanceof JobLeaseLostError, String(reason));
    // Heartbeats every second; the second failure is two seconds (two thirds of 3 s) after the claim.
    assert.ok(abortedAfter >= 1500 && abortedAfter < 3500, `aborted after ${Math.round(abortedAfter)} ms`);
    const row = await job(id);
    assert.deepEqual([row.status, row.attempts], ['running', 1], 'left to its lease: another claim takes it when that runs out');
  });

  test('tick steps run before the claim, so what they enqueue runs in the same tick', async () => {
    const q = queue();
    let ran = 0;
    q.register({ kind: 'test.scheduled', run: async () => void (ran += 1) });
    q.onTick('test schedule', () => enqueue(q, { kind: 'test.scheduled', payload: {}, dedupeKey: 'schedule:slot' }));
    assert.deepEqual(await q.tick(), { succeeded: 1, failed: 0, dead: 0 });
    assert.equal(ran, 1);
  });

  test('a running job renews its lease, and a stopping node gives the attempt back', async () => {
    const q = queue();
    const failures: AttemptFailure[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    q.register({
      kind: 'test.long',
      leaseSeconds: 1,
      run: async (_j, ctx) => {
        started();
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
      onFailure: async (_trx, _j, f) => void failures.push(f),
    });
    const id = (await enqueue(q, { kind: 'test.long', payload: {} }))!;
    const done = q.runDue();
    await running;
    now = at(100);
    await sleep(1200); // one heartbeat (a third of the lease, at least a second)
    assert.equal((await job(id)).locked_until?.getTime(), at(101).getTime(), 'renewed from the clock of the heartbeat');
    await q.stop();
    await done;
    const row = await job(id);
    assert.equal(row.status, 'queued');
    assert.equal(row.attempts, 0, 'an interrupted attempt is not counted');
    assert.deepEqual(failures.map((f) => f.error.code), ['JOB_INTERRUPTED']);
  });

  test('cancel ends a waiting job and frees its key; finished jobs are purged after their retention', async () => {
    const q = queue();
    q.register({ kind: 'test.noop', run: async () => undefined });
    const id = (await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'c:1' }))!;
    assert.equal(await q.cancel(k(), 'c:1'), id);
    assert.equal((await job(id)).status, 'dead');
    assert.ok(await enqueue(q, { kind: 'test.noop', payload: {}, dedupeKey: 'c:1' }));
    await q.runDue();
    now = at(31 * 86_400);
    assert.equal(await q.purgeFinished(30), 2);
  });
});

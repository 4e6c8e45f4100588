import crypto from 'node:crypto';
import os from 'node:os';
import type { Db } from '../db/db.js';
import type { Executor, Trx } from '../db/database.js';
import { AppError } from '../errors.js';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.js';
import * as repo from './jobs.repository.js';
import type { JobError } from './jobs.repository.js';

/** One attempt of a job, as its handler sees it. */
export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  createdAt: Date;
}

export interface JobContext {
  /**
   * Aborted when the node stops, another worker took the job over, or the lease could not be renewed
   * for two thirds of its time: stop at the next step and throw (the reason says which).
   */
  signal: AbortSignal;
  /**
   * Marks the job succeeded inside the handler's own transaction, so that the work's result and the
   * job's completion commit together or not at all. Throws {@link JobLeaseLostError} (rolling the
   * transaction back) when the job is no longer this worker's. A handler that does not call it has
   * its job marked succeeded when `run` returns.
   */
  complete(trx: Trx): Promise<void>;
}

export interface AttemptFailure {
  error: JobError;
  /** The attempt that failed. */
  attempt: number;
  /** When the next attempt runs; null when there is none (the job is dead). */
  retryAt: Date | null;
}

/** What a module registers for a kind of job (STYLE 2: registered, not wired in). */
export interface JobHandler<P = unknown> {
  kind: string;
  run(job: Job<P>, context: JobContext): Promise<void>;
  /** Whether an attempt that threw this may be tried again (default: any error). */
  retryable?(error: unknown): boolean;
  /**
   * Called inside the transaction that records a failed attempt (or a job found dead), so the module
   * records the outcome of its own work beside it.
   */
  onFailure?(trx: Trx, job: Job<P>, failure: AttemptFailure): Promise<void>;
  /** How long a claim holds before another worker may take the job (default 300 s); renewed every third of it while the handler runs. */
  leaseSeconds?: number;
  backoff?: BackoffPolicy;
}

export interface EnqueueInput {
  kind: string;
  payload: unknown;
  /** Not before (default: now). */
  runAt?: Date;
  /** At most one unfinished job per key: a second enqueue with the key returns undefined. */
  dedupeKey?: string;
  /** Attempts before the job is dead (default 3). */
  maxAttempts?: number;
}

export interface TickResult {
  succeeded: number;
  failed: number;
  dead: number;
}

export interface JobQueueOptions {
  db: Db;
  now?: (() => Date) | undefined;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;
  /** Jobs one worker runs at once (default 2). */
  concurrency?: number;
  /** How often the background worker looks for due jobs (default 5 s). */
  pollMs?: number;
  /** Jitter source for the backoff (tests). */
  random?: () => number;
}

/**
 * Thrown by {@link JobContext.complete}, and the reason of the handler's signal, when this attempt no
 * longer holds the job: another claim took it over, or its lease could not be renewed in time.
 */
export class JobLeaseLostError extends Error {
  constructor(id: string) {
    super(`job ${id} is no longer held by this worker`);
    this.name = 'JobLeaseLostError';
  }
}

const DEFAULT_LEASE_SECONDS = 300;
const REAP_BATCH = 100;
const TICK_ROUNDS = 100;
const LEASE_EXPIRED: JobError = {
  code: 'JOB_LEASE_EXPIRED',
  message: 'The node running this job stopped answering, and no attempt is left',
  messageZh: '执行该任务的节点无响应，且已无重试次数',
};
const INTERRUPTED: JobError = {
  code: 'JOB_INTERRUPTED',
  message: 'The node stopped during this attempt; it runs again',
  messageZh: '节点停止，本次执行中断，将重新执行',
};
const UNEXPECTED: JobError = {
  code: 'JOB_FAILED',
  message: 'The job failed unexpectedly; the node log has the details',
  messageZh: '任务执行异常，详情见节点日志',
};
const CANCELLED: JobError = { code: 'JOB_CANCELLED', message: 'The job was cancelled', messageZh: '任务已取消' };

/**
 * A job queue in the database (DESIGN §2 "Jobs"): no server besides PostgreSQL. Modules register a
 * handler per kind and enqueue jobs inside their own transactions; every replica's worker claims due
 * jobs with `FOR UPDATE SKIP LOCKED`, runs them under a renewed lease, retries failures with
 * exponential backoff and jitter, and takes over jobs whose worker died once their lease runs out.
 * Delivery is at least once: a handler either completes the job in its own transaction
 * (`context.complete`) or is idempotent.
 *
 * @example
 * queue.register({ kind: 'export.build', run: async (job, ctx) => { ...; await db.transaction().execute((trx) => ctx.complete(trx)); } });
 * await db.kysely.transaction().execute((trx) => queue.enqueue(trx, { kind: 'export.build', payload: { exportId } }));
 * queue.wake(); // after the commit, so the worker sees the job
 */
export class JobQueue {
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #log: JobQueueOptions['log'];
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #random: () => number;
  readonly #handlers = new Map<string, JobHandler<never>>();
  readonly #producers: Array<{ name: string; run: () => Promise<unknown> }> = [];
  /** Attempts under way in this worker, by claim (`id#attempt`): two claims never share an entry. */
  readonly #running = new Map<string, { id: string; controller: AbortController; done: Promise<unknown> }>();
  /** Identifies this process's claims; a lease is renewed and completed only by its holder. */
  readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  #started = false;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #pollAgain = false;

  constructor(options: JobQueueOptions) {
    this.#db = options.db;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log;
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
    this.#pollMs = Math.max(100, options.pollMs ?? 5000);
    this.#random = options.random ?? Math.random;
  }

  register<P>(handler: JobHandler<P>): void {
    if (this.#handlers.has(handler.kind)) throw new Error(`a handler for jobs of kind ${handler.kind} is already registered`);
    const lease = handler.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    if (!Number.isInteger(lease) || lease < 1) throw new RangeError(`lease of ${handler.kind} must be a whole number of seconds ≥ 1`);
    this.#handlers.set(handler.kind, handler as JobHandler<never>);
  }

  /**
   * Adds a step the worker runs at the start of every tick, before claiming jobs: where a module
   * enqueues what its own schedule says is due. Every replica runs it, so it must enqueue with a
   * dedupe key or claim its rows (SKIP LOCKED).
   */
  onTick(name: string, run: () => Promise<unknown>): void {
    this.#producers.push({ name, run });
  }

  /** Enqueues a job inside the caller's transaction; undefined when the dedupe key is taken. */
  async enqueue(db: Executor, input: EnqueueInput): Promise<string | undefined> {
    const maxAttempts = input.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new RangeError('maxAttempts must be a whole number from 1 to 100');
    const now = this.#now();
    return repo.insertJob(db, {
      kind: input.kind,
      payload: input.payload,
      run_at: input.runAt ?? now,
      max_attempts: maxAttempts,
      dedupe_key: input.dedupeKey ?? null,
      created_at: now,
    });
  }

  /** Cancels the waiting (not running) job that holds `dedupeKey`; returns its id. */
  async cancel(db: Executor, dedupeKey: string): Promise<string | undefined> {
    return repo.cancelWaiting(db, dedupeKey, this.#now(), CANCELLED);
  }

  /**
   * Runs the tick steps, then every due job, and waits for them (tests and one-off runs; the
   * background worker does the same without waiting).
   */
  async tick(): Promise<TickResult> {
    await this.#produce();
    return this.runDue();
  }

  /** Runs due jobs until none is left that is due now, waiting for each; no tick steps. */
  async runDue(): Promise<TickResult> {
    const result: TickResult = { succeeded: 0, failed: 0, dead: 0 };
    await this.#reap();
    for (let round = 0; round < TICK_ROUNDS && !this.#stopping; round++) {
      const claimed = await this.#claim(this.#concurrency);
      if (claimed.length === 0) break;
      const outcomes = await Promise.all(claimed.map((row) => this.#spawn(row)));
      for (const outcome of outcomes) if (outcome in result) result[outcome as keyof TickResult] += 1;
    }
    return result;
  }

  /** Starts the background worker: a tick every poll interval, at most `concurrency` jobs at once. */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Looks for due jobs now rather than at the next poll (after enqueueing: "run now"). */
  wake(): void {
    if (!this.#started || this.#stopping) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#schedule(0);
  }

  /**
   * Stops the worker: no new claims; running handlers are aborted and their attempts given back
   * (another replica, or this node's next start, runs them again). Resolves when they have ended.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#polling;
    for (const { controller } of this.#running.values()) controller.abort(new Error('the node is stopping'));
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }

  /** Housekeeping: finished jobs older than `days`. */
  async purgeFinished(days = 30): Promise<number> {
    const before = new Date(this.#now().getTime() - days * 86_400_000);
    let purged = 0;
    for (;;) {
      const n = await repo.purgeFinished(this.#db.kysely, before, 1000);
      purged += n;
      if (n < 1000) return purged;
    }
  }

  // ---------------------------------------------------------------- the worker

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => void this.#poll(), delay);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopping) return;
    this.#polling = (async () => {
      do {
        this.#pollAgain = false;
        try {
          await this.#produce();
          await this.#reap();
          const free = this.#concurrency - this.#running.size;
          // Not awaited: a long pull must not keep the other slot from taking the next job.
          if (free > 0) for (const row of await this.#claim(free)) void this.#spawn(row);
        } catch (err) {
          this.#log?.warn({ err }, 'job worker tick failed');
        }
      } while (this.#pollAgain && !this.#stopping);
    })();
    await this.#polling;
    this.#polling = undefined;
    if (!this.#stopping) this.#schedule(this.#pollMs);
  }

  async #produce(): Promise<void> {
    for (const producer of this.#producers) {
      try {
        await producer.run();
      } catch (err) {
        this.#log?.warn({ err, step: producer.name }, 'job schedule step failed');
      }
    }
  }

  async #claim(limit: number): Promise<repo.JobRow[]> {
    if (this.#stopping) return [];
    const kinds = [...this.#handlers.keys()];
    const leases = Object.fromEntries(kinds.map((k) => [k, this.#handlers.get(k)!.leaseSeconds ?? DEFAULT_LEASE_SECONDS]));
    // A job still running here is not claimed again, even when its lease ran out: a second attempt
    // would run beside the first in this very process.
    return this.#db.kysely.transaction().execute((trx) => repo.claimDue(trx, kinds, leases, this.workerId, this.#now(), limit, this.#runningIds()));
  }

  #runningIds(): string[] {
    return [...new Set([...this.#running.values()].map((r) => r.id))];
  }

  /** Jobs whose worker died on their last attempt: dead, and their modules told. */
  async #reap(): Promise<void> {
    const kinds = [...this.#handlers.keys()];
    await this.#db.kysely.transaction().execute(async (trx) => {
      for (const row of await repo.reapExpired(trx, kinds, this.#now(), LEASE_EXPIRED, REAP_BATCH, this.#runningIds())) {
        await this.#handlers.get(row.kind)!.onFailure?.(trx, toJob(row) as Job<never>, { error: LEASE_EXPIRED, attempt: row.attempts, retryAt: null });
      }
    });
  }

  #spawn(row: repo.JobRow): Promise<keyof TickResult | 'lost' | 'released'> {
    const controller = new AbortController();
    const key = `${row.id}#${row.attempts}`;
    const done = this.#execute(row, controller).finally(() => {
      this.#running.delete(key);
      // A slot is free: take the next due job without waiting for the poll interval.
      this.wake();
    });
    this.#running.set(key, { id: row.id, controller, done });
    return done;
  }

  async #execute(row: repo.JobRow, controller: AbortController): Promise<keyof TickResult | 'lost' | 'released'> {
    const handler = this.#handlers.get(row.kind)!;
    const job = toJob(row) as Job<never>;
    const claim: repo.Claim = { id: row.id, worker: this.workerId, attempt: row.attempts };
    const leaseMs = (handler.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
    let lost = false;
    const lose = (): void => {
      if (lost) return;
      lost = true;
      controller.abort(new JobLeaseLostError(row.id));
    };
    // When renewals have failed (or hung) for two thirds of the lease, the handler is stopped: the
    // lease may run out before the next renewal gets through, and another worker would then run the
    // job beside this attempt. Measured on the monotonic clock, from when the last renewal that got
    // through was sent.
    const giveUpMs = (leaseMs * 2) / 3;
    let heldSince = performance.now();
    let renewing = false;
    const heartbeat = setInterval(() => {
      if (lost) return;
      if (renewing) {
        if (performance.now() - heldSince >= giveUpMs) lose();
        return;
      }
      renewing = true;
      const sent = performance.now();
      repo
        .renewLease(this.#db.kysely, claim, new Date(this.#now().getTime() + leaseMs))
        .then(
          (held) => {
            if (held) heldSince = sent;
            else lose();
          },
          (err: unknown) => {
            this.#log?.warn({ err, jobId: row.id }, 'renewing a job lease failed');
            if (performance.now() - heldSince >= giveUpMs) lose();
          },
        )
        .finally(() => (renewing = false));
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    let completed = false;
    try {
      await handler.run(job, {
        signal: controller.signal,
        complete: async (trx) => {
          // Fenced on the claim: an attempt that was taken over cannot complete, one that merely could
          // not renew for a while still can.
          if (!(await repo.markSucceeded(trx, claim, this.#now()))) throw new JobLeaseLostError(row.id);
          completed = true;
        },
      });
      if (!completed && !(await repo.markSucceeded(this.#db.kysely, claim, this.#now()))) return 'lost';
      return 'succeeded';
    } catch (err) {
      if (lost || err instanceof JobLeaseLostError) return 'lost';
      if (this.#stopping && controller.signal.aborted) return this.#giveBack(handler, job, claim);
      return this.#fail(handler, job, claim, err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #fail(handler: JobHandler<never>, job: Job<never>, claim: repo.Claim, err: unknown): Promise<'failed' | 'dead' | 'lost'> {
    const error = this.#describe(err, job);
    const retry = job.attempt < job.maxAttempts && (handler.retryable?.(err) ?? true);
    const now = this.#now();
    const retryAt = retry ? new Date(now.getTime() + retryDelayMs(job.attempt, handler.backoff ?? DEFAULT_BACKOFF, this.#random)) : null;
    try {
      const held = await this.#db.kysely.transaction().execute(async (trx) => {
        if (!(await repo.markFailed(trx, claim, now, error, retryAt))) return false;
        await handler.onFailure?.(trx, job, { error, attempt: job.attempt, retryAt });
        return true;
      });
      if (!held) return 'lost';
    } catch (recordErr) {
      // The job stays claimed; its lease runs out and the attempt is taken again.
      this.#log?.error({ err: recordErr, jobId: job.id, kind: job.kind }, 'recording a failed job attempt failed');
      return 'lost';
    }
    return retryAt ? 'failed' : 'dead';
  }

  async #giveBack(handler: JobHandler<never>, job: Job<never>, claim: repo.Claim): Promise<'released'> {
    const now = this.#now();
    await this.#db.kysely
      .transaction()
      .execute(async (trx) => {
        if (await repo.release(trx, claim, now)) await handler.onFailure?.(trx, job, { error: INTERRUPTED, attempt: job.attempt, retryAt: now });
      })
      .catch((err: unknown) => this.#log?.warn({ err, jobId: job.id }, 'giving a job back failed; its lease will run out'));
    return 'released';
  }

  /** The failure as people are shown it: a module's AppError says what happened; anything else is logged, not shown. */
  #describe(err: unknown, job: Job<never>): JobError {
    if (err instanceof AppError) return { code: err.code, message: err.message, messageZh: err.messageZh };
    this.#log?.error({ err, jobId: job.id, kind: job.kind }, 'job failed');
    return UNEXPECTED;
  }
}

function toJob(row: repo.JobRow): Job {
  return { id: row.id, kind: row.kind, payload: row.payload, attempt: row.attempts, maxAttempts: row.max_attempts, createdAt: row.created_at };
}

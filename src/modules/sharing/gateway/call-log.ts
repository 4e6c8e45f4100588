import type { FastifyBaseLogger } from 'fastify';
import { sql, type Generated } from 'kysely';
import { systemActor } from '../../../core/auth/actor.js';
import { canonicalJson } from '../../../core/canonical-json.js';
import { sm3Hex } from '../../../core/crypto/index.js';
import type { Db } from '../../../core/db/db.js';
import type { Trx } from '../../../core/db/database.js';
import { appendLedger } from '../../../core/ledger/ledger.js';

/**
 * The gateway's call log (事中留痕): every call, allowed or refused, becomes a row of share_calls and,
 * in batches, a ledger entry `sharing.calls` naming the rows (id ranges) and the SM3 of their
 * canonical form — so the log cannot be edited afterwards without the ledger showing it, while the
 * ledger grows by a few entries a second rather than one per call.
 *
 * Calls wait in memory and are written every FLUSH_MS, or as soon as MAX_BATCH have gathered, in one
 * transaction with their ledger entry. `flush()` and `close()` write what waits; a process that dies
 * loses at most the calls of the last FLUSH_MS (they were answered, but not recorded). If the
 * database is unreachable the calls stay in memory (up to MAX_BUFFERED, then the oldest are dropped
 * and the count of dropped calls goes into the next ledger entry) and are written when it is back.
 */

export type ShareRoute = 'records' | 'query' | 'invoke' | 'feed' | 'webhook' | 'export';

export interface CallRecord {
  at: Date;
  appId: string | null;
  consumerOrgId: string | null;
  grantId: string | null;
  catalogEntryId: string | null;
  catalogCode: string | null;
  route: ShareRoute;
  /** Keyed digest of the key or filters, never the values. */
  filterDigest: string | null;
  rowsReturned: number;
  latencyMs: number;
  /** 'ok', or the error code the caller got. */
  outcome: string;
  status: number;
}

declare module '../../../core/db/database.js' {
  interface Database {
    share_calls: {
      id: Generated<number>;
      at: Generated<Date>;
      app_id: string | null;
      consumer_org_id: string | null;
      grant_id: string | null;
      catalog_entry_id: string | null;
      catalog_code: string | null;
      route: string;
      filter_digest: string | null;
      rows_returned: Generated<number>;
      latency_ms: number;
      outcome: string;
      status: number;
      ledgered: Generated<boolean>;
    };
  }
}

export const FLUSH_MS = 200;
export const MAX_BATCH = 500;
export const MAX_BUFFERED = 100_000;
/** Rows taken at a time when ledgering rows written by others (feeds, exports) or left unledgered. */
const SWEEP_BATCH = 1000;

export interface StoredCall {
  id: number;
  at: Date;
  app_id: string | null;
  consumer_org_id: string | null;
  grant_id: string | null;
  catalog_entry_id: string | null;
  catalog_code: string | null;
  route: string;
  filter_digest: string | null;
  rows_returned: number;
  latency_ms: number;
  outcome: string;
  status: number;
}

const STORED_COLUMNS = sql`id, at, app_id, consumer_org_id, grant_id, catalog_entry_id, catalog_code, route, filter_digest, rows_returned, latency_ms, outcome, status`;

/**
 * The SM3 a `sharing.calls` ledger entry holds: of the canonical JSON (RFC 8785) of the batch's rows
 * in id order, each with every column but `ledgered`. An auditor recomputes it from share_calls.
 */
export function callsDigest(rows: readonly StoredCall[]): string {
  const canonical = [...rows]
    .sort((a, b) => a.id - b.id)
    .map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      appId: r.app_id,
      consumerOrgId: r.consumer_org_id,
      grantId: r.grant_id,
      catalogEntryId: r.catalog_entry_id,
      catalogCode: r.catalog_code,
      route: r.route,
      filterDigest: r.filter_digest,
      rowsReturned: Number(r.rows_returned),
      latencyMs: Number(r.latency_ms),
      outcome: r.outcome,
      status: Number(r.status),
    }));
  return sm3Hex(canonicalJson(canonical));
}

/** Ids as runs: [1,2,3,7,8] → [[1,3],[7,8]] (one run, unless replicas wrote at the same time). */
function idRanges(ids: readonly number[]): Array<[number, number]> {
  const sorted = [...ids].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

async function ledgerBatch(trx: Trx, rows: readonly StoredCall[], dropped: number): Promise<void> {
  const ranges = idRanges(rows.map((r) => Number(r.id)));
  await appendLedger(trx, {
    actor: systemActor('gateway call log'),
    action: 'sharing.calls',
    subject: { type: 'share_calls', id: `${ranges[0]![0]}-${ranges[ranges.length - 1]![1]}` },
    payload: { count: rows.length, ranges, sm3: callsDigest(rows), ...(dropped > 0 ? { dropped } : {}) },
  });
}

/** Writes calls and their ledger entry in one transaction (one statement for the rows, whatever their number). */
async function writeBatch(db: Db, calls: readonly CallRecord[], dropped: number): Promise<void> {
  const json = JSON.stringify(
    calls.map((c, n) => ({
      n,
      at: c.at.toISOString(),
      app_id: c.appId,
      consumer_org_id: c.consumerOrgId,
      grant_id: c.grantId,
      catalog_entry_id: c.catalogEntryId,
      catalog_code: c.catalogCode,
      route: c.route,
      filter_digest: c.filterDigest,
      rows_returned: c.rowsReturned,
      latency_ms: c.latencyMs,
      outcome: c.outcome,
      status: c.status,
    })),
  );
  await db.kysely.transaction().execute(async (trx) => {
    const { rows } = await sql<StoredCall>`
      insert into share_calls (at, app_id, consumer_org_id, grant_id, catalog_entry_id, catalog_code, route, filter_digest, rows_returned, latency_ms, outcome, status, ledgered)
      select at, app_id, consumer_org_id, grant_id, catalog_entry_id, catalog_code, route, filter_digest, rows_returned, latency_ms, outcome, status, true
      from jsonb_to_recordset(${json}::jsonb) as x(n int, at timestamptz, app_id uuid, consumer_org_id uuid, grant_id uuid, catalog_entry_id uuid,
        catalog_code text, route text, filter_digest text, rows_returned int, latency_ms int, outcome text, status int)
      order by n
      returning ${STORED_COLUMNS}`.execute(trx);
    await ledgerBatch(trx, rows, dropped);
  });
}

/**
 * Puts rows that reached share_calls without a ledger entry into the ledger: rows other writers
 * (feeds, exports) insert with ledgered = false. Claimed with SKIP LOCKED, so replicas share the work.
 */
async function sweepUnledgered(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.kysely.transaction().execute(async (trx) => {
      const { rows } = await sql<StoredCall>`
        update share_calls set ledgered = true
        where id in (select id from share_calls where not ledgered order by id limit ${SWEEP_BATCH} for update skip locked)
        returning ${STORED_COLUMNS}`.execute(trx);
      if (rows.length > 0) await ledgerBatch(trx, rows, 0);
      return rows.length;
    });
    total += n;
    if (n < SWEEP_BATCH) return total;
  }
}

export class CallLog {
  readonly #db: Db;
  readonly #log: FastifyBaseLogger | undefined;
  #buffer: CallRecord[] = [];
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The write under way; writes run one after another. */
  #writing: Promise<number> = Promise.resolve(0);
  #failures = 0;
  #closed = false;

  readonly #maxBuffered: number;

  constructor(db: Db, log?: FastifyBaseLogger, options: { maxBuffered?: number } = {}) {
    this.#db = db;
    this.#log = log;
    this.#maxBuffered = options.maxBuffered ?? MAX_BUFFERED;
  }

  /** Keeps a call to be written shortly (never waits, never throws: the answer is not held up by the log). */
  record(call: CallRecord): void {
    if (this.#buffer.length >= this.#maxBuffered) {
      this.#buffer.shift();
      this.#dropped += 1;
    }
    this.#buffer.push(call);
    if (this.#buffer.length >= MAX_BATCH || this.#closed) this.#drainSoon(0);
    else this.#drainSoon(FLUSH_MS);
  }

  #drainSoon(delayMs: number): void {
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain().catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }

  /** Writes everything waiting, batch by batch, after any write under way. Resolves to the calls written. */
  #drain(): Promise<number> {
    this.#writing = this.#writing.then(
      () => this.#writeAll(),
      () => this.#writeAll(),
    );
    return this.#writing;
  }

  async #writeAll(): Promise<number> {
    let written = 0;
    // What waited when this write began; calls recorded meanwhile wait for their own timer, so that
    // under load the log writes a batch every FLUSH_MS rather than one after another without pause.
    let due = this.#buffer.length;
    while (due > 0 && this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, Math.min(MAX_BATCH, due));
      due -= batch.length;
      const dropped = this.#dropped;
      try {
        await writeBatch(this.#db, batch, dropped);
        this.#dropped -= dropped;
        this.#failures = 0;
        written += batch.length;
      } catch (err) {
        // Back in front, in order; tried again later (sooner on close or flush).
        this.#buffer.unshift(...batch);
        this.#failures += 1;
        this.#log?.warn({ err, waiting: this.#buffer.length }, 'gateway calls could not be recorded; will retry');
        if (!this.#closed) this.#drainSoon(Math.min(30_000, FLUSH_MS * 2 ** this.#failures));
        throw err;
      }
    }
    return written;
  }

  /** Writes what waits and ledgers rows others left unledgered (housekeeping, tests). Returns the calls handled. */
  async flush(): Promise<number> {
    const written = await this.#drain();
    return written + (await sweepUnledgered(this.#db));
  }

  /** Writes everything still waiting; after close, each new call is written at once. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#drain();
    } catch (err) {
      this.#log?.error({ err, lost: this.#buffer.length }, 'gateway calls could not be recorded before closing');
    }
  }

  /** Calls waiting to be written (tests, metrics). */
  get pending(): number {
    return this.#buffer.length;
  }
}

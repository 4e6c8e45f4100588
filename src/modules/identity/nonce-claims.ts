import { sql } from 'kysely';
import type { Executor } from '../../core/db/database.js';

/**
 * Claims signed requests' nonces (DESIGN §6: a nonce is used once) in batches: the claims that
 * arrive while earlier ones are being written go to the database together, in one statement, and
 * each request still waits for its own row to be committed — a replay is refused on every replica,
 * and nothing is kept only in memory. Under load a gateway call then shares its nonce's round trip
 * with the others in flight instead of paying one of its own.
 */

interface Claim {
  appKey: string;
  nonce: string;
  expiresAt: Date;
  resolve: (fresh: boolean) => void;
  reject: (err: unknown) => void;
}

/** Statements in flight at once; claims arriving meanwhile wait and go together. */
const IN_FLIGHT = 1;
const MAX_BATCH = 500;

export class NonceClaims {
  readonly #db: () => Executor;
  #queue: Claim[] = [];
  #inFlight = 0;

  constructor(db: () => Executor) {
    this.#db = db;
  }

  /** True when the nonce was unused (and is now recorded); false on replay. */
  claim(appKey: string, nonce: string, expiresAt: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ appKey, nonce, expiresAt, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#inFlight >= IN_FLIGHT || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, MAX_BATCH);
    this.#inFlight++;
    void this.#write(batch).finally(() => {
      this.#inFlight--;
      this.#next();
    });
  }

  async #write(batch: Claim[]): Promise<void> {
    // A nonce twice in one batch: the first claim wins, as it would one statement apart.
    const first = new Map<string, Claim>();
    const repeated: Claim[] = [];
    for (const c of batch) {
      const key = `${c.appKey}\n${c.nonce}`;
      if (first.has(key)) repeated.push(c);
      else first.set(key, c);
    }
    try {
      const rows = [...first.values()].map((c) => ({ a: c.appKey, n: c.nonce, e: c.expiresAt.toISOString() }));
      const { rows: inserted } = await sql<{ app_key: string; nonce: string }>`
        insert into used_nonces (app_key, nonce, expires_at)
        select a, n, e from json_to_recordset(${JSON.stringify(rows)}::json) as x(a text, n text, e timestamptz)
        on conflict do nothing
        returning app_key, nonce`.execute(this.#db());
      const fresh = new Set(inserted.map((r) => `${r.app_key}\n${r.nonce}`));
      for (const [key, c] of first) c.resolve(fresh.has(key));
      for (const c of repeated) c.resolve(false);
    } catch (err) {
      for (const c of batch) c.reject(err);
    }
  }
}

import type { Db } from '../../core/db/db.js';
import { appendLedgerBatch, type LedgerEvent, type LedgerRecorder } from '../../core/ledger/ledger.js';

interface Waiting {
  event: LedgerEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for ledger events outside business transactions. While one commit is in flight,
 * new events queue; the next commit takes them all. Under load a batch grows to the arrival rate
 * times the commit time, so throughput is no longer bounded by one fsync per event.
 */
export class GroupCommitter implements LedgerRecorder {
  readonly #db: Db;
  readonly #maxBatch: number;
  #queue: Waiting[] = [];
  #flushing: Promise<void> | undefined;

  constructor(db: Db, maxBatch = 5000) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  record(event: LedgerEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      this.#flushing ??= this.#drain();
    });
  }

  /** Resolves when everything recorded so far is committed. */
  async settle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #drain(): Promise<void> {
    // Let the events of the current tick join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          await this.#db.kysely.transaction().execute((trx) => appendLedgerBatch(trx, batch.map((w) => w.event)));
          for (const w of batch) w.resolve();
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}

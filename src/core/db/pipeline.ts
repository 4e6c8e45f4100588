import type { CompiledQuery } from 'kysely';
import type { Executor } from './database.js';

/**
 * Runs a sequence of statements on one connection (usually a transaction) while the caller prepares
 * the next one: `run` waits for the previous statement, then sends this one and returns at once. On
 * PostgreSQL the server executes statement k while this process builds statement k + 1 (search text,
 * JSON), so a bulk write costs about max(build, execute) instead of their sum. Order is kept, and the
 * first failure is thrown by the next `run` or by `done`.
 *
 * @example
 * const pipe = new StatementPipeline(trx);
 * for (const query of insertsInChunks(rows)) await pipe.run(query); // the generator builds lazily
 * await pipe.done();
 */
export class StatementPipeline {
  #inflight: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Executor) {}

  async run(query: CompiledQuery): Promise<void> {
    await this.#inflight;
    const sent = this.db.executeQuery(query);
    // Awaited by the next run or by done(); without this, a failure while the caller is still
    // building the next statement would surface as an unhandled rejection.
    sent.catch(() => undefined);
    this.#inflight = sent;
  }

  async done(): Promise<void> {
    await this.#inflight;
  }
}

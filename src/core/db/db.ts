import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Database, Engine, Trx } from './database.js';
import { copyStatement, type CopyTarget } from './copy.js';
import { PGliteDialect } from './pglite-dialect.js';

/**
 * The database handle every module receives. `kysely` is for typed queries; `execScript` runs a
 * multi-statement SQL text (migrations) inside an open transaction.
 */
export interface Db {
  readonly engine: Engine;
  readonly kysely: Kysely<Database>;
  execScript(trx: Trx, script: string): Promise<void>;
  /**
   * Bulk load inside the caller's transaction: `lines` in COPY text format (copy.ts), each ending
   * in a newline. Returns the number of rows. Memory stays bounded whatever the size: PostgreSQL
   * streams the lines; PGlite, which takes a COPY's data as one blob, copies in parts.
   */
  copyFrom(trx: Trx, target: CopyTarget, lines: Iterable<string> | AsyncIterable<string>): Promise<number>;
  /**
   * Bulk load outside any transaction, as it arrives: `chunks` of COPY text in bytes, each ending at
   * a line break. PostgreSQL takes them as one COPY statement on a connection of its own, so the
   * caller can go on producing while the server stores (a load's staging table). PGlite copies each
   * part of about 16 MB as a statement of its own, taking its single connection only for that long,
   * so other requests are served between parts. Returns the number of rows.
   */
  copyIn(target: CopyTarget, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number>;
  /**
   * A read run very often with the same text (the gateway's lookup by key): on PostgreSQL a named
   * prepared statement, parsed and planned once per connection; on PGlite an ordinary query. `name`
   * must identify `text` (the same name never for another text).
   */
  queryPrepared<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]>;
  /** PGlite only: the whole data directory as a tarball (backups, test templates). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL URL; absent means PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; absent means in memory (tests). */
  dataDir?: string | undefined;
  /** PGlite: start from this dumped data directory instead of an empty one. */
  loadDataDir?: Blob | undefined;
  /** pg pool size. */
  poolSize?: number;
}

// Both engines return the same JS types: int8 and counts as numbers (our ids and counters stay far
// below 2^53), dates as 'YYYY-MM-DD' strings (a JS Date would shift them by the time zone), and
// timestamptz as Date.
const INT8 = 20;
const DATE = 1082;
const parseInt8 = (v: string): number => Number(v);
const parseDate = (v: string): string => v;

/** Lines are sent in parts of about this many characters: one message or blob per part, not per row. */
const PG_COPY_PART = 256 * 1024;
const PGLITE_COPY_PART = 16 * 1024 * 1024;

/**
 * The text in parts of at least `size` characters, each ending at a line break: PGlite copies each
 * part as its own statement, so a part must not end inside a row. (The input may be lines or any
 * pieces of the text, such as a file read in chunks.)
 */
async function* joined(lines: Iterable<string> | AsyncIterable<string>, size: number): AsyncGenerator<string> {
  let part = '';
  for await (const line of lines) {
    part += line;
    if (part.length >= size) {
      const end = part.lastIndexOf('\n') + 1;
      if (end === 0) continue;
      yield part.slice(0, end);
      part = part.slice(end);
    }
  }
  if (part !== '') yield part;
}

/** Byte chunks (each ending at a line break) gathered into parts of at least `size` bytes. */
async function* gathered(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array[]> {
  let part: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    part.push(chunk);
    length += chunk.length;
    if (length >= size) {
      yield part;
      part = [];
      length = 0;
    }
  }
  if (length > 0) yield part;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPGlite(options.dataDir, options.loadDataDir);
}

async function openPGlite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(path.resolve(dataDir)) : () => {};
  const pglite = await PGlite.create(dataDir ? path.resolve(dataDir) : undefined, {
    parsers: { [INT8]: parseInt8, [DATE]: parseDate },
    ...(loadDataDir ? { loadDataDir } : {}),
  }).catch((err: unknown) => {
    unlock();
    throw err;
  });
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    engine: 'pglite',
    kysely,
    async queryPrepared<R>(_name: string, text: string, params: readonly unknown[]): Promise<R[]> {
      return (await kysely.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows;
    },
    async execScript(trx, script) {
      // PGlite's extended protocol takes one statement at a time; `exec` takes a script. The
      // caller's executor already holds the single connection, so this runs inside its transaction.
      void trx;
      await pglite.exec(script);
    },
    async copyFrom(trx, target, lines) {
      void trx; // as in execScript: the transaction already holds the only connection
      const statement = copyStatement(target, "'/dev/blob'");
      let rows = 0;
      for await (const part of joined(lines, PGLITE_COPY_PART)) {
        const result = await pglite.query(statement, [], { blob: new Blob([part]) });
        rows += result.affectedRows ?? 0;
      }
      return rows;
    },
    async copyIn(target, chunks) {
      const statement = copyStatement(target, "'/dev/blob'");
      let rows = 0;
      for await (const part of gathered(chunks, PGLITE_COPY_PART)) {
        // Kysely's connection is the lock on PGlite's single connection: held for one part only.
        const result = await kysely.connection().execute(() => pglite.query(statement, [], { blob: new Blob(part) }));
        rows += result.affectedRows ?? 0;
      }
      return rows;
    },
    async dumpDataDir() {
      // Through Kysely's connection, so no transaction is open while the files are read.
      return kysely.connection().execute(() => pglite.dumpDataDir('none'));
    },
    async close() {
      await kysely.destroy();
      await pglite.close();
      unlock();
    },
  };
}

/**
 * PGlite is embedded: a second process opening the same directory would not see the first one's
 * writes and could corrupt the files. A lock file with the owner's pid keeps it to one process;
 * a lock left by a process that died is taken over.
 */
function lockDataDir(dir: string): () => void {
  const file = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || isAlive(owner))) {
        throw new Error(
          `another Tianshu process (pid ${owner}) is using the database in ${dir}; stop it first (the CLI cannot change a running embedded node), or run the nodes on PostgreSQL (DATABASE_URL)`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return parseInt8;
        if (oid === DATE) return parseDate;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A server restart or a killed backend must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // COPY needs the pg client of the caller's transaction, which Kysely does not expose: the
  // transaction tells its backend's pid, and the pool's clients are known by theirs.
  const clients = new Map<number, pg.PoolClient>();
  const pidOf = (client: pg.PoolClient): number => (client as unknown as { processID: number }).processID;
  pool.on('connect', (client) => clients.set(pidOf(client), client));
  pool.on('remove', (client) => clients.delete(pidOf(client as pg.PoolClient)));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(kysely);
  return {
    engine: 'postgres',
    kysely,
    async queryPrepared<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]> {
      try {
        return (await pool.query({ name, text, values: [...params] })).rows as R[];
      } catch (err) {
        // The table behind the statement was replaced by one of another shape: run it unprepared
        // (the connection's cached plan is dropped with this error).
        if ((err as { code?: string }).code !== '0A000') throw err;
        return (await pool.query(text, [...params])).rows as R[];
      }
    },
    async execScript(trx, script) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await sql.raw(script).execute(trx);
    },
    async copyFrom(trx, target, lines) {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      const client = clients.get(rows[0]!.pid);
      if (!client) throw new Error('the transaction\'s connection is not one of the pool\'s');
      const copy = client.query(copyStreams.from(copyStatement(target, 'STDIN')));
      await pipeline(Readable.from(joined(lines, PG_COPY_PART)), copy);
      return copy.rowCount;
    },
    async copyIn(target, chunks) {
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        const copy = client.query(copyStreams.from(copyStatement(target, 'STDIN')));
        await pipeline(Readable.from(chunks, { objectMode: false }), copy);
        return copy.rowCount;
      } catch (err) {
        failure = err as Error;
        throw err;
      } finally {
        // A COPY cut off half way leaves the connection in an unknown state: it is closed, not reused.
        client.release(failure);
      }
    },
    async close() {
      await kysely.destroy();
    },
  };
}

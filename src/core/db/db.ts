import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, Engine, Trx } from './database.js';
import { PGliteDialect } from './pglite-dialect.js';

/**
 * The database handle every module receives. `kysely` is for typed queries; `execScript` runs a
 * multi-statement SQL text (migrations) inside an open transaction.
 */
export interface Db {
  readonly engine: Engine;
  readonly kysely: Kysely<Database>;
  execScript(trx: Trx, script: string): Promise<void>;
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
    async execScript(trx, script) {
      // PGlite's extended protocol takes one statement at a time; `exec` takes a script. The
      // caller's executor already holds the single connection, so this runs inside its transaction.
      void trx;
      await pglite.exec(script);
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
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(kysely);
  return {
    engine: 'postgres',
    kysely,
    async execScript(trx, script) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await sql.raw(script).execute(trx);
    },
    async close() {
      await kysely.destroy();
    },
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from './db.js';

/** A module's migrations: `NNN_name.sql` files in `dir`, applied in order, each in a transaction. */
export interface MigrationSource {
  module: string;
  dir: string;
}

export interface AppliedMigration {
  module: string;
  version: number;
  name: string;
}

interface MigrationFile {
  version: number;
  name: string;
  script: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function readMigrationFiles(dir: string): MigrationFile[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, i) => {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new Error(`migration file name ${file} in ${dir} must look like 001_name.sql`);
    const version = Number(match[1]);
    if (version !== i + 1) throw new Error(`migrations in ${dir} must be numbered 001, 002, … without gaps`);
    const script = fs.readFileSync(path.join(dir, file), 'utf8');
    return { version, name: match[2]!, script, checksum: crypto.createHash('sha256').update(script).digest('hex') };
  });
}

/**
 * Applies pending migrations. Several replicas may start at once: each migration runs under a
 * transaction-scoped advisory lock and re-checks what is applied, so each is applied exactly once.
 * A migration that changed after it was applied stops the start-up: migrations are frozen in time.
 */
export async function migrate(db: Db, sources: readonly MigrationSource[]): Promise<AppliedMigration[]> {
  // Under the same lock as the migrations: two replicas creating the table at once would collide.
  await db.kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('tianshu_migrations'))`.execute(trx);
    await sql`
      create table if not exists tianshu_migrations (
        module text not null,
        version integer not null,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (module, version)
      )`.execute(trx);
  });
  const applied: AppliedMigration[] = [];
  for (const source of sources) {
    for (const file of readMigrationFiles(source.dir)) {
      const done = await db.kysely.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext('tianshu_migrations'))`.execute(trx);
        const existing = await sql<{ checksum: string }>`
          select checksum from tianshu_migrations where module = ${source.module} and version = ${file.version}`.execute(trx);
        const row = existing.rows[0];
        if (row) {
          if (row.checksum !== file.checksum) {
            throw new Error(
              `migration ${source.module}/${file.version}_${file.name} was changed after it was applied; add a new migration instead`,
            );
          }
          return false;
        }
        await db.execScript(trx, file.script);
        await sql`
          insert into tianshu_migrations (module, version, name, checksum)
          values (${source.module}, ${file.version}, ${file.name}, ${file.checksum})`.execute(trx);
        return true;
      });
      if (done) applied.push({ module: source.module, version: file.version, name: file.name });
    }
  }
  return applied;
}

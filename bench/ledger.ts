/**
 * ledger-append: entries appended by concurrent writers on PostgreSQL, counted once they are
 * sequenced (in the Merkle tree, under a signed head). Two ways of appending are measured:
 * - group commit (`ledger.record`): each writer waits until its entry is durably committed, and the
 *   entries that arrive while one commit is in flight are committed together — the ledger's own
 *   path for events outside business transactions;
 * - in-transaction (`appendLedger(trx, …)`): one business transaction per entry, so the figure is
 *   bounded by the server's commit rate like any one-row transaction.
 *
 * Baseline, in the same run and database: the same writers committing the same rows into a plain
 * table with no index and no ledger, so the ratio is what the ledger costs over a bare insert.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { UserActor } from '../src/core/auth/actor.js';
import { openDb, type Db } from '../src/core/db/db.js';
import type { Trx } from '../src/core/db/database.js';
import { appendLedger, ledgerActor, type LedgerEvent } from '../src/core/ledger/ledger.js';
import { openNode, type Node } from '../src/node.js';
import { testConfig } from '../test/helper.js';
import { grouped, ratio, within } from './format.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WRITERS = 32;
const POOL_SIZE = 20;
/** Entries (and baseline rows) per round; the two are measured in alternating rounds so that
 *  a machine whose load drifts during the run does not favour one of them. */
const ROUNDS = 2;
const PER_ROUND = 50_000;
/** A round stops writing after this long and reports what it did, so the run stays bounded. */
const ROUND_LIMIT_MS = 22_000;
/** Verification reads back the whole ledger; bounded too, so the benchmark stays under 3 minutes. */
const VERIFY_LIMIT_MS = 40_000;
const WARMUP = 2_000;
/** Entries left pending to measure the sequencer on its own. */
const BACKLOG = 20_000;

const ACTORS: UserActor[] = Array.from({ length: 50 }, (_, i) => ({
  type: 'user',
  id: crypto.randomUUID(),
  username: `clerk${String(i).padStart(3, '0')}`,
  organisationId: crypto.randomUUID(),
  roles: ['consumer'],
  sessionId: crypto.randomUUID(),
}));
const ACTIONS = ['sharing.resource.read', 'catalog.entry.update', 'sharing.application.approve', 'governance.ticket.close'];
const PURPOSES = ['不动产登记业务核验', '社会救助资格审核', '企业开办一网通办', '医保异地结算'];

/** A business-like event: who read or changed what, with a payload of about 200 bytes. */
function event(i: number): LedgerEvent {
  return {
    actor: ACTORS[i % ACTORS.length]!,
    action: ACTIONS[i % ACTIONS.length]!,
    subject: { type: 'resource', id: `630000-${String(1_000_000 + (i % 9_973))}` },
    payload: {
      request: `req-${i.toString(36)}-${(i * 2_654_435_761) % 1_000_000}`,
      rows: 1 + (i % 500),
      fields: ['xm', 'sfzh', 'zz', 'lxdh'].slice(0, 1 + (i % 4)),
      purpose: PURPOSES[i % PURPOSES.length]!,
      grant: `g-${(i % 613).toString().padStart(4, '0')}`,
      ip: `10.${i % 255}.${(i >> 8) % 255}.${(i >> 16) % 255}`,
    },
  };
}

/** The baseline's row: the same columns as a pending ledger entry, into a table with no index. */
async function insertBaseline(trx: Trx, e: LedgerEvent): Promise<void> {
  await sql`
    insert into bench_baseline (actor, action, subject_type, subject_id, payload)
    values (${JSON.stringify(ledgerActor(e.actor))}::jsonb, ${e.action}, ${e.subject.type}, ${e.subject.id},
            ${JSON.stringify(e.payload ?? {})}::jsonb)`.execute(trx);
}

/** `WRITERS` loops, each committing one transaction per row, until `count` rows or the time limit. */
async function write(db: Db, count: number, first: number, insert: (trx: Trx, e: LedgerEvent) => Promise<void>): Promise<number> {
  let next = 0;
  const deadline = performance.now() + ROUND_LIMIT_MS;
  const writer = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const i = first + next++;
      await db.kysely.transaction().execute((trx) => insert(trx, event(i)));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return Math.min(next, count);
}

/** `WRITERS` loops, each awaiting the durable commit of one entry at a time through group commit. */
async function record(node: Node, count: number, first: number): Promise<number> {
  let next = 0;
  const deadline = performance.now() + ROUND_LIMIT_MS;
  const writer = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const i = first + next++;
      await node.ledger.record(event(i));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return Math.min(next, count);
}

export async function run(): Promise<void> {
  const name = `tianshu_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: url.toString(), poolSize: POOL_SIZE });
    const node = await openNode(testConfig(), { db, seedDemo: false, sequencer: true });
    try {
      await sql`create table bench_baseline (
        time timestamptz not null default clock_timestamp(), actor jsonb not null, action text not null,
        subject_type text not null, subject_id text not null, payload jsonb not null)`.execute(db.kysely);

      // Warm both paths (connections, plans, caches) before anything is timed.
      await write(db, WARMUP, 0, insertBaseline);
      await write(db, WARMUP, 0, appendLedger);
      await node.ledger.flush();

      let recorded = 0;
      let recordMs = 0;
      let baselineRows = 0;
      let baselineMs = 0;
      let appended = 0;
      let ledgerMs = 0;
      let writtenMs = 0;
      let first = WARMUP;
      for (let round = 0; round < ROUNDS; round++) {
        await sql`checkpoint`.execute(db.kysely);
        let t0 = performance.now();
        baselineRows += await write(db, PER_ROUND, first, insertBaseline);
        baselineMs += performance.now() - t0;

        await sql`checkpoint`.execute(db.kysely);
        t0 = performance.now();
        const n = await write(db, PER_ROUND, first, appendLedger);
        writtenMs += performance.now() - t0;
        // Counted only once sequenced: in the tree, under a signed head.
        await within(ROUND_LIMIT_MS, 'sequencing the appended entries', node.ledger.flush());
        ledgerMs += performance.now() - t0;
        appended += n;
        first += PER_ROUND;

        await sql`checkpoint`.execute(db.kysely);
        t0 = performance.now();
        const r = await record(node, PER_ROUND, first);
        await within(ROUND_LIMIT_MS, 'sequencing the recorded entries', node.ledger.flush());
        recordMs += performance.now() - t0;
        recorded += r;
        first += PER_ROUND;
      }
      const recordPerSec = recorded / (recordMs / 1000);
      const baselinePerSec = baselineRows / (baselineMs / 1000);
      const ledgerPerSec = appended / (ledgerMs / 1000);

      // The sequencer's own ceiling: a backlog committed while it is stopped, then sequenced alone.
      await node.ledger.stop();
      let next = 0;
      const backlogDeadline = performance.now() + ROUND_LIMIT_MS;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < BACKLOG && performance.now() < backlogDeadline) {
            const from = next;
            next += 200;
            await node.db.kysely.transaction().execute(async (trx) => {
              for (let i = from; i < Math.min(from + 200, BACKLOG); i++) await appendLedger(trx, event(first + i));
            });
          }
        }),
      );
      await sql`checkpoint`.execute(db.kysely);
      const t0 = performance.now();
      const sequenced = await within(ROUND_LIMIT_MS, 'sequencing the backlog', node.ledger.flush());
      const sequencerPerSec = sequenced / ((performance.now() - t0) / 1000);

      const head = await node.ledger.head();
      const report = await within(VERIFY_LIMIT_MS, 'ledger verify', node.ledger.verify());
      const expected = WARMUP + appended + recorded + sequenced;
      if (!report.ok || report.entries !== expected || head.treeSize !== expected) {
        throw new Error(`the ledger does not verify after the benchmark: ${JSON.stringify({ expected, head: head.treeSize, ...report })}`);
      }
      console.log(
        `ledger-append: ${grouped(recordPerSec)} entries/s (group commit); baseline-insert: ${grouped(baselinePerSec)} rows/s; ratio ${ratio(recordPerSec, baselinePerSec)}`,
      );
      console.log(
        `ledger-append-in-transaction: ${grouped(ledgerPerSec)} entries/s (one business transaction each); ratio ${ratio(ledgerPerSec, baselinePerSec)}`,
      );
      console.log(`ledger-sequencer: ${grouped(sequencerPerSec)} entries/s (a backlog of ${grouped(sequenced)} pending entries, sequenced alone)`);
      console.log(
        `  ${grouped(appended)} entries from ${WRITERS} writers on a pool of ${POOL_SIZE} in ${ROUNDS} rounds: committed in ${grouped(writtenMs)} ms, ` +
          `sequenced and signed by ${grouped(ledgerMs)} ms; ${grouped(baselineRows)} baseline rows in ${grouped(baselineMs)} ms; ` +
          `verify ok: ${grouped(report.entries)} entries, ${grouped(report.headsChecked)} signed heads`,
      );
    } finally {
      await node.close();
    }
  } finally {
    await db?.close().catch(() => undefined);
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

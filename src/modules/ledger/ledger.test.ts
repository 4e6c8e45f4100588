import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { systemActor } from '../../core/auth/actor.js';
import { sm2Verify } from '../../core/crypto/index.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import { openNode } from '../../node.js';
import { build, ENGINE, errorCode, openTestDb, testConfig, type TestNode } from '../../../test/helper.js';

const run = promisify(execFile);

/** SM3 straight from OpenSSL, independent of the code under test. */
const sm3 = (...parts: Buffer[]): Buffer => crypto.createHash('sm3').update(Buffer.concat(parts)).digest();

/**
 * RFC 9162 §2.1.3.2, transcribed step by step: an inclusion-proof verifier that shares no code with
 * the ledger, so a proof it accepts is a proof any RFC 9162 client would accept.
 */
function rfc9162VerifyInclusion(leafIndex: number, treeSize: number, leafHash: Buffer, path: Buffer[], root: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sm3(Buffer.from([1]), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sm3(Buffer.from([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

let t: TestNode;
let auditor: string;
before(async () => {
  t = await build();
  auditor = await t.login('auditor');
});
after(() => t.close());

async function appendMany(n: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      t.node.db.kysely.transaction().execute((trx) =>
        appendLedger(trx, { actor: systemActor('test'), action: 'test.append', subject: { type: 'test', id: `${tag}-${i}` }, payload: { i, tag } }),
      ),
    ),
  );
  await t.node.ledger.flush();
}

describe('ledger', () => {
  test('demo seeding left every change in the ledger, signed', async () => {
    await t.node.ledger.flush();
    const res = await t.request({ method: 'GET', url: '/api/v1/ledger/head', token: auditor });
    assert.equal(res.statusCode, 200);
    const head = res.json() as { treeSize: number; rootHash: string; signature: string; signedPayload: string; publicKey: string };
    assert.ok(head.treeSize >= 26 + 12, `tree of ${head.treeSize}`);
    assert.ok(sm2Verify(head.publicKey, head.signedPayload, head.signature), 'head signature verifies');
    const signed = JSON.parse(head.signedPayload) as { treeSize: number; rootHash: string };
    assert.equal(signed.treeSize, head.treeSize);
    assert.equal(signed.rootHash, head.rootHash);
    const node = (await t.request({ method: 'GET', url: '/api/v1/node' })).json() as { publicKey: string };
    assert.equal(node.publicKey, head.publicKey);
  });

  test('a change that rolls back leaves no ledger entry', async () => {
    const before = (await t.node.ledger.head()).treeSize;
    await assert.rejects(
      t.node.db.kysely.transaction().execute(async (trx) => {
        await appendLedger(trx, { actor: systemActor('test'), action: 'test.rollback', subject: { type: 'test', id: 'x' } });
        throw new Error('abort');
      }),
    );
    await t.node.ledger.flush();
    assert.equal((await t.node.ledger.head()).treeSize, before);
  });

  test('concurrent appends get contiguous sequence numbers and a verifying tree', async () => {
    const before = (await t.node.ledger.head()).treeSize;
    await appendMany(120, 'concurrent');
    const head = await t.node.ledger.head();
    assert.equal(head.treeSize, before + 120);
    const report = await t.node.ledger.verify();
    assert.deepEqual(report.problems, []);
    assert.equal(report.rootHash, head.rootHash);
  });

  test('group commit: concurrent records resolve once durable and all reach the tree', async () => {
    const before = (await t.node.ledger.head()).treeSize;
    const events = Array.from({ length: 300 }, (_, i) => ({
      actor: systemActor('test'),
      action: 'test.record',
      subject: { type: 'test', id: `record-${i}` },
      payload: { i },
    }));
    await Promise.all(events.map((e) => t.node.ledger.record(e)));
    const pending = await t.node.db.kysely.selectFrom('ledger_pending').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.ok(Number(pending.n) >= 1, 'committed (pending sequencing) when record() resolves');
    await t.node.ledger.flush();
    assert.equal((await t.node.ledger.head()).treeSize, before + 300);
    const page = await t.node.ledger.entries({ action: 'test.record' }, 1, 200);
    assert.equal(page.total, 300);
    assert.deepEqual((await t.node.ledger.verify()).problems, []);
  });

  test('group commit: a batch that cannot be stored rejects its callers and stores nothing of it', async () => {
    const before = (await t.node.ledger.head()).treeSize;
    // PostgreSQL's jsonb refuses the NUL character, so this whole batch fails to commit.
    const results = await Promise.allSettled([
      t.node.ledger.record({ actor: systemActor('test'), action: 'test.bad', subject: { type: 'test', id: 'a' }, payload: { s: 'ok' } }),
      t.node.ledger.record({ actor: systemActor('test'), action: 'test.bad', subject: { type: 'test', id: 'b' }, payload: { s: 'nul\u0000' } }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    await t.node.ledger.record({ actor: systemActor('test'), action: 'test.good', subject: { type: 'test', id: 'c' } });
    await t.node.ledger.flush();
    assert.equal((await t.node.ledger.head()).treeSize, before + 1, 'later records still work');
  });

  test('every proof fetched over HTTP verifies with an independent RFC 9162 verifier', async () => {
    const head = (await t.request({ method: 'GET', url: '/api/v1/ledger/head', token: auditor })).json() as { treeSize: number; rootHash: string };
    const sizes = [1, 2, 3, 7, 8, 13, head.treeSize];
    for (const treeSize of sizes) {
      for (let seq = 1; seq <= treeSize; seq += Math.max(1, Math.floor(treeSize / 9))) {
        const entryRes = await t.request({ method: 'GET', url: `/api/v1/ledger/entries/${seq}`, token: auditor });
        assert.equal(entryRes.statusCode, 200);
        const { canonical, leafHash, entry } = entryRes.json() as { canonical: string; leafHash: string; entry: { seq: number } };
        assert.equal(entry.seq, seq);
        const leaf = sm3(Buffer.from([0]), Buffer.from(canonical, 'utf8'));
        assert.equal(leaf.toString('hex'), leafHash, 'leaf hash = SM3(0x00 ‖ entry)');
        const proofRes = await t.request({ method: 'GET', url: `/api/v1/ledger/proof?seq=${seq}&treeSize=${treeSize}`, token: auditor });
        assert.equal(proofRes.statusCode, 200, proofRes.body);
        const proof = proofRes.json() as { leafIndex: number; treeSize: number; rootHash: string; path: string[] };
        assert.equal(proof.leafIndex, seq - 1);
        const path = proof.path.map((h) => Buffer.from(h, 'hex'));
        assert.ok(rfc9162VerifyInclusion(proof.leafIndex, treeSize, leaf, path, Buffer.from(proof.rootHash, 'hex')), `seq ${seq} in ${treeSize}`);
        if (treeSize === head.treeSize) assert.equal(proof.rootHash, head.rootHash, 'the proof is against the signed head');
        if (path.length > 0) {
          const bad = [...path];
          bad[0] = Buffer.from(bad[0]!);
          bad[0][0]! ^= 1;
          assert.equal(rfc9162VerifyInclusion(proof.leafIndex, treeSize, leaf, bad, Buffer.from(proof.rootHash, 'hex')), false);
        }
      }
    }
  });

  test('proofs for sizes beyond the tree are refused with a stable code', async () => {
    const head = await t.node.ledger.head();
    const res = await t.request({ method: 'GET', url: `/api/v1/ledger/proof?seq=1&treeSize=${head.treeSize + 10}`, token: auditor });
    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'TREE_SIZE_UNKNOWN');
    const res2 = await t.request({ method: 'GET', url: `/api/v1/ledger/proof?seq=${head.treeSize + 1}`, token: auditor });
    assert.equal(errorCode(res2), 'SEQ_OUT_OF_RANGE');
    const res3 = await t.request({ method: 'GET', url: `/api/v1/ledger/entries/${head.treeSize + 1}`, token: auditor });
    assert.equal(res3.statusCode, 404);
  });

  test('entries can be filtered by action and actor, newest first', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/ledger/entries?action=identity.user&pageSize=5', token: auditor });
    const page = res.json() as { items: Array<{ seq: number; entry: { action: string } }>; total: number };
    assert.equal(page.total, 12);
    assert.equal(page.items.length, 5);
    assert.ok(page.items.every((i) => i.entry.action.startsWith('identity.user')));
    assert.ok(page.items[0]!.seq > page.items[1]!.seq);
  });

  test('other administrators cannot read the ledger (三员分立)', async () => {
    for (const who of ['admin', 'secadmin']) {
      const res = await t.request({ method: 'GET', url: '/api/v1/ledger/head', token: await t.login(who) });
      assert.equal(res.statusCode, 403);
    }
  });
});

describe('tamper detection', () => {
  type Kysely = TestNode['node']['db']['kysely'];
  const tamperings: Array<{ name: string; expect: RegExp; sql: (k: Kysely) => Promise<unknown> }> = [
    {
      name: 'an edited entry',
      expect: /entry 5: stored leaf hash differs/,
      sql: (k) => sql`update ledger_entries set canonical = replace(canonical, 'demo data', 'demo dada') where seq = 5`.execute(k),
    },
    {
      name: 'an edited entry with its leaf hash recomputed',
      expect: /tree node|root does not match/,
      sql: async (k) => {
        const row = await k.selectFrom('ledger_entries').select('canonical').where('seq', '=', 5).executeTakeFirstOrThrow();
        const forged = row.canonical.replace('demo data', 'demo dada');
        await k
          .updateTable('ledger_entries')
          .set({ canonical: forged, leaf_hash: sm3(Buffer.from([0]), Buffer.from(forged)) })
          .where('seq', '=', 5)
          .execute();
      },
    },
    { name: 'a deleted entry', expect: /entries 7\.\.7 are missing/, sql: (k) => sql`delete from ledger_entries where seq = 7`.execute(k) },
    {
      name: 'two reordered entries',
      expect: /entry 3: says it is entry 4|entry 4: says it is entry 3/,
      sql: async (k) => {
          await sql`update ledger_entries set seq = 1000000 where seq = 3`.execute(k);
        await sql`update ledger_entries set seq = 3 where seq = 4`.execute(k);
        await sql`update ledger_entries set seq = 4 where seq = 1000000`.execute(k);
      },
    },
    {
      name: 'a relabelled entry (the searchable copy of its action)',
      expect: /entry 8: the searchable copies/,
      sql: (k) => sql`update ledger_entries set action = 'test.innocent' where seq = 8`.execute(k),
    },
    {
      name: 'an edited payload',
      expect: /entry 6: payload does not match its digest/,
      sql: (k) => sql`update ledger_entries set payload = '{"forged": true}'::jsonb where seq = 6`.execute(k),
    },
    {
      name: 'a forged tree head',
      expect: /signed head \d+: (root does not match|signature does not verify)/,
      sql: (k) => sql`update ledger_heads set root_hash = repeat('ab', 32) where tree_size = (select max(tree_size) from ledger_heads)`.execute(k),
    },
  ];

  // Each tampering runs inside a transaction that is rolled back, so one node serves them all.
  const ROLLBACK = new Error('rollback');
  for (const tamper of tamperings) {
    test(`ledger verify detects ${tamper.name}`, async () => {
      await t.node.ledger.flush();
      assert.equal((await t.node.ledger.verify()).ok, true, 'clean before tampering');
      let report: Awaited<ReturnType<typeof t.node.ledger.verify>> | undefined;
      await t.node.db.kysely
        .transaction()
        .execute(async (trx) => {
          await tamper.sql(trx);
          report = await t.node.ledger.verify({ executor: trx });
          throw ROLLBACK;
        })
        .catch((err: unknown) => {
          if (err !== ROLLBACK) throw err;
        });
      assert.ok(report, 'verify ran');
      assert.equal(report.ok, false, 'tampering is detected');
      assert.ok(report.problems.some((p) => tamper.expect.test(p)), report.problems.join('\n'));
      assert.equal((await t.node.ledger.verify()).ok, true, 'clean again after the rollback');
    });
  }

  test('`tianshu ledger verify` exits 0 on an intact ledger and non-zero after tampering', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tianshu-ledger-cli-'));
    const testDb = ENGINE === 'postgres' ? await openTestDb() : undefined;
    const config = testConfig({ dataDir, databaseUrl: testDb?.url, nodeKeyHex: undefined, ledgerKeyHex: undefined });
    try {
      if (testDb) await testDb.db.close();
      const node = await openNode(config, { seedDemo: true, sequencer: false });
      await node.ledger.flush();
      await node.close();
      const env = { ...process.env, TIANSHU_DATA_DIR: dataDir, DATABASE_URL: testDb?.url ?? '' };
      const ok = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'ledger', 'verify'], { env });
      assert.match(ok.stdout, /ledger OK: \d+ entries/);
      const again = await openNode(config, { seedDemo: false, sequencer: false });
      await sql`update ledger_entries set canonical = replace(canonical, 'demo data', 'forged') where seq = 2`.execute(again.db.kysely);
      await again.close();
      const failed = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'ledger', 'verify'], { env }).then(
        () => assert.fail('verify should fail'),
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal(failed.code, 3);
      assert.match(failed.stderr, /ledger TAMPERED/);
      assert.match(failed.stderr, /entry 2:/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (testDb) await testDb.drop().catch(() => undefined);
    }
  });
});

import type { FastifyBaseLogger } from 'fastify';
import { canonicalJson } from '../../core/canonical-json.js';
import { sm2Sign, sm2Verify, sm3Hex } from '../../core/crypto/index.js';
import type { Db } from '../../core/db/db.js';
import type { Executor } from '../../core/db/database.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import {
  buildInclusionProof,
  frontierNodeRefs,
  inclusionProofRefs,
  leafHash,
  MerkleFrontier,
  nodesCompletedByAppend,
  rangeNodeRefs,
  rootOfSize,
  type NodeRef,
} from './merkle.js';
import type { LedgerEvent, LedgerRecorder } from '../../core/ledger/ledger.js';
import { GroupCommitter } from './group-commit.js';
import * as repo from './ledger.repository.js';

/** What is hashed: one RFC 8785 text per entry. The payload is bound by its digest. */
export interface LedgerEntry {
  seq: number;
  time: string;
  node: string;
  actor: Record<string, unknown>;
  action: string;
  subject: { type: string; id: string };
  payloadDigest: string;
}

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  signedPayload: string;
  signature: string;
  publicKey: string;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  path: string[];
}

export interface EntryView {
  seq: number;
  entry: LedgerEntry;
  canonical: string;
  leafHash: string;
  payload: unknown;
}

export interface LedgerServiceOptions {
  db: Db;
  nodeCode: string;
  signingKey: { privateKey: string; publicKey: string };
  log?: FastifyBaseLogger | undefined;
  /** Largest batch one sequencer transaction takes. */
  batchSize?: number;
  /** How often the sequencer looks for entries committed by any replica. */
  pollMs?: number;
}

/** SM2 signatures use the standard's default user ID unless configured otherwise. */
export const SIGNER_ID = '1234567812345678';

/**
 * The ledger's sequencer and reader. Appends happen in business transactions (core/ledger); here
 * pending entries get their sequence numbers, leaf hashes, Merkle nodes and a signed tree head, a
 * batch per transaction. A batch holds an advisory lock, so replicas never sequence concurrently.
 */
export class LedgerService implements LedgerRecorder {
  readonly #db: Db;
  readonly #recorder: GroupCommitter;
  readonly #node: string;
  readonly #key: { privateKey: string; publicKey: string };
  readonly #log: FastifyBaseLogger | undefined;
  readonly #batchSize: number;
  readonly #pollMs: number;
  /** In-memory frontier of the last tree this process sequenced; rebuilt when another replica moved on. */
  #frontier: MerkleFrontier | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(options: LedgerServiceOptions) {
    this.#db = options.db;
    this.#node = options.nodeCode;
    this.#key = options.signingKey;
    this.#log = options.log;
    this.#batchSize = options.batchSize ?? 5000;
    this.#pollMs = options.pollMs ?? 100;
    this.#recorder = new GroupCommitter(options.db);
  }

  /** Records an event outside any business transaction, committed together with concurrent ones. */
  record(event: LedgerEvent): Promise<void> {
    return this.#recorder.record(event);
  }

  get publicKey(): string {
    return this.#key.publicKey;
  }

  /** Starts sequencing in the background. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops the background loop after sequencing what is already committed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#recorder.settle();
    await this.flush();
  }

  /** Sequences everything committed so far; resolves with the number of entries sequenced. */
  async flush(): Promise<number> {
    await this.#recorder.settle();
    // Only what is committed now: under steady writes from other replicas the table never empties.
    const mark = await repo.maxPendingId(this.#db.kysely);
    let total = 0;
    while (await repo.pendingUpTo(this.#db.kysely, mark)) {
      const n = await this.sequenceBatch();
      total += n;
      if (n === 0) await new Promise((r) => setTimeout(r, 10)); // another replica holds the lock
    }
    return total;
  }


  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.sequenceBatch()
        .catch((err: unknown) => {
          this.#log?.error({ err }, 'ledger sequencing failed; will retry');
          return 0;
        })
        .then((n) => {
          // A full batch means more is waiting: go again at once.
          this.#schedule(n >= this.#batchSize ? 0 : this.#pollMs);
          return n;
        });
    }, delay);
    this.#timer.unref();
  }

  /** One group commit: take pending entries, place them in the tree, sign the new head. */
  async sequenceBatch(): Promise<number> {
    try {
      return await this.#db.kysely.transaction().execute(async (trx) => {
        if (!(await repo.tryLockSequencer(trx))) return 0;
        const pending = await repo.takePending(trx, this.#batchSize);
        if (pending.length === 0) return 0;
        const frontier = await this.#currentFrontier(trx);
        const entries: repo.SequencedEntry[] = [];
        const nodes: Array<NodeRef & { hash: Buffer }> = [];
        for (const p of pending) {
          const seq = frontier.size + 1;
          const payloadDigest = sm3Hex(canonicalJson(p.payload));
          const entry: LedgerEntry = {
            seq,
            time: p.time.toISOString(),
            node: this.#node,
            actor: p.actor,
            action: p.action,
            subject: { type: p.subject_type, id: p.subject_id },
            payloadDigest,
          };
          const canonical = canonicalJson(entry);
          const leaf = leafHash(canonical);
          nodes.push({ level: 0, index: seq - 1, hash: leaf });
          nodes.push(...frontier.append(leaf).completed);
          entries.push({ pendingId: p.id, seq, time: entry.time, canonical, leafHash: leaf });
        }
        const moved = await repo.movePending(trx, entries);
        // Cannot happen while the advisory lock is held; if it ever did, roll back rather than leave a gap.
        if (moved !== entries.length) throw new Error(`ledger sequencing moved ${moved} of ${entries.length} pending entries`);
        await repo.insertNodes(trx, nodes);
        await repo.insertHead(trx, this.#signHead(frontier.size, frontier.root().toString('hex')));
        return pending.length;
      });
    } catch (err) {
      // The transaction rolled back: the frontier may have moved past what is stored.
      this.#frontier = undefined;
      throw err;
    }
  }

  async #currentFrontier(trx: Executor): Promise<MerkleFrontier> {
    const head = await repo.latestHead(trx);
    const size = head?.tree_size ?? 0;
    if (this.#frontier?.size === size) return this.#frontier;
    const refs = frontierNodeRefs(size);
    const found = await repo.loadNodes(trx, refs);
    const peaks = refs.map((ref) => {
      const hash = found.get(repo.nodeKey(ref));
      if (!hash) throw new Error(`ledger node ${repo.nodeKey(ref)} is missing; run \`tianshu ledger verify\``);
      return hash;
    });
    this.#frontier = new MerkleFrontier(size, peaks);
    return this.#frontier;
  }

  #signHead(treeSize: number, rootHash: string): repo.HeadRow {
    const signedAt = new Date();
    const signedPayload = canonicalJson({ node: this.#node, rootHash, timestamp: signedAt.toISOString(), treeSize });
    return {
      tree_size: treeSize,
      root_hash: rootHash,
      signed_at: signedAt,
      signed_payload: signedPayload,
      signature: sm2Sign(this.#key.privateKey, signedPayload, SIGNER_ID),
    };
  }

  async head(): Promise<TreeHead> {
    const head = await repo.latestHead(this.#db.kysely);
    if (!head) {
      // The empty tree is signed on the fly: its root is SM3 of nothing (RFC 9162).
      const empty = this.#signHead(0, rootOfSize(0, () => Buffer.alloc(0)).toString('hex'));
      return toHead(empty, this.#key.publicKey);
    }
    return toHead(head, this.#key.publicKey);
  }

  async entry(seq: number): Promise<EntryView> {
    const row = await repo.entryBySeq(this.#db.kysely, seq);
    if (!row) throw new NotFoundError('LEDGER_ENTRY_NOT_FOUND', `Ledger entry ${seq} does not exist`, `存证记录 ${seq} 不存在`);
    return toView(row);
  }

  async entries(filter: repo.EntryFilter, page: number, pageSize: number): Promise<{ items: EntryView[]; total: number }> {
    const { rows, total } = await repo.listEntries(this.#db.kysely, filter, { offset: (page - 1) * pageSize, limit: pageSize });
    return { items: rows.map(toView), total };
  }

  /** RFC 9162 inclusion proof of entry `seq` in the tree of `treeSize` (default: the latest head). */
  async proof(seq: number, treeSize?: number): Promise<InclusionProof> {
    const head = await repo.latestHead(this.#db.kysely);
    const headSize = head?.tree_size ?? 0;
    const size = treeSize ?? headSize;
    if (size > headSize) {
      throw new InputError('TREE_SIZE_UNKNOWN', `The ledger has ${headSize} entries, not ${size}`, `存证账本仅有 ${headSize} 条记录`, {
        treeSize: headSize,
      });
    }
    if (seq > size) {
      throw new InputError('SEQ_OUT_OF_RANGE', `Entry ${seq} is not in a tree of ${size} entries`, `记录 ${seq} 不在规模为 ${size} 的树中`);
    }
    const leafIndex = seq - 1;
    const refs = [...inclusionProofRefs(leafIndex, size), ...rangeNodeRefs(0, size)];
    const nodes = await repo.loadNodes(this.#db.kysely, refs);
    const lookup = (ref: NodeRef): Buffer => {
      const hash = nodes.get(repo.nodeKey(ref));
      if (!hash) throw new Error(`ledger node ${repo.nodeKey(ref)} is missing; run \`tianshu ledger verify\``);
      return hash;
    };
    return {
      leafIndex,
      treeSize: size,
      rootHash: rootOfSize(size, lookup).toString('hex'),
      path: buildInclusionProof(leafIndex, size, lookup).map((h) => h.toString('hex')),
    };
  }

  /**
   * Recomputes the whole tree from the stored entry texts and checks every link: sequence numbers
   * without gaps, each entry's own `seq`, canonical form, payload digests, stored leaf and interior
   * nodes, and every signed head's root and signature. Reports the first problems found.
   */
  async verify(options: { executor?: Executor; onProgress?: (checked: number) => void } = {}): Promise<VerifyReport> {
    const db = options.executor ?? this.#db.kysely;
    const onProgress = options.onProgress;
    const problems: string[] = [];
    const report = (p: string): void => {
      if (problems.length < 50) problems.push(p);
    };
    const frontier = new MerkleFrontier();
    const pageSize = 5000;
    let lastSeq = 0;
    let expectedNodes = 0;
    let heads = await repo.headsUpTo(db, 0, 1000);
    let headsChecked = 0;
    const checkHeadsAt = (size: number): void => {
      while (heads.length > 0 && heads[0]!.tree_size <= size) {
        const head = heads.shift()!;
        if (head.tree_size === size) {
          headsChecked += 1;
          if (head.root_hash !== frontier.root().toString('hex')) report(`signed head ${size}: root does not match the entries`);
          if (!sm2Verify(this.#key.publicKey, head.signed_payload, head.signature, SIGNER_ID)) {
            report(`signed head ${size}: signature does not verify`);
          }
          const signed = safeParse(head.signed_payload);
          if (signed?.rootHash !== head.root_hash || signed?.treeSize !== head.tree_size) {
            report(`signed head ${size}: signed payload does not match the head`);
          }
        } else {
          report(`signed head ${head.tree_size}: no such tree size in the entries`);
        }
      }
    };
    for (;;) {
      const page = await repo.entriesAfter(db, lastSeq, pageSize);
      if (page.length === 0) break;
      const completedRefs: Array<NodeRef & { hash: Buffer }> = [];
      for (const row of page) {
        if (row.seq !== lastSeq + 1) report(`entries ${lastSeq + 1}..${row.seq - 1} are missing`);
        lastSeq = row.seq;
        const entry = safeParse(row.canonical);
        if (!entry) {
          report(`entry ${row.seq}: not valid JSON`);
        } else {
          if (entry.seq !== row.seq) report(`entry ${row.seq}: says it is entry ${String(entry.seq)} (moved or reordered)`);
          if (canonicalJson(entry) !== row.canonical) report(`entry ${row.seq}: not in canonical form`);
          if (entry.payloadDigest !== sm3Hex(canonicalJson(row.payload))) report(`entry ${row.seq}: payload does not match its digest`);
          const actor = entry.actor as { id?: unknown } | undefined;
          const subject = entry.subject as { type?: unknown; id?: unknown } | undefined;
          if (
            entry.action !== row.action ||
            (actor?.id ?? null) !== row.actor_id ||
            subject?.type !== row.subject_type ||
            subject?.id !== row.subject_id
          ) {
            report(`entry ${row.seq}: the searchable copies (action, actor, subject) differ from the entry`);
          }
        }
        const leaf = leafHash(row.canonical);
        if (!leaf.equals(Buffer.from(row.leaf_hash))) report(`entry ${row.seq}: stored leaf hash differs from the entry`);
        completedRefs.push({ level: 0, index: frontier.size, hash: leaf });
        expectedNodes += 1 + nodesCompletedByAppend(frontier.size).length;
        completedRefs.push(...frontier.append(leaf).completed);
        checkHeadsAt(frontier.size);
        if (heads.length === 0) heads = await repo.headsUpTo(db, frontier.size, 1000);
      }
      const stored = await repo.loadNodes(db, completedRefs);
      for (const node of completedRefs) {
        const hash = stored.get(repo.nodeKey(node));
        if (!hash) report(`tree node ${repo.nodeKey(node)} is missing`);
        else if (!hash.equals(node.hash)) report(`tree node ${repo.nodeKey(node)} differs from the entries`);
      }
      onProgress?.(lastSeq);
    }
    checkHeadsAt(Number.MAX_SAFE_INTEGER);
    const storedNodes = await repo.countNodes(db);
    if (storedNodes !== expectedNodes) report(`the tree has ${storedNodes} stored nodes, expected ${expectedNodes}`);
    const latest = await repo.latestHead(db);
    if ((latest?.tree_size ?? 0) !== frontier.size) {
      report(`the latest signed head covers ${latest?.tree_size ?? 0} entries but ${frontier.size} are stored`);
    }
    return {
      ok: problems.length === 0,
      entries: frontier.size,
      headsChecked,
      rootHash: frontier.root().toString('hex'),
      problems,
    };
  }
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  headsChecked: number;
  rootHash: string;
  problems: string[];
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toHead(row: repo.HeadRow, publicKey: string): TreeHead {
  // The time that was signed, not the column beside it.
  const signed = safeParse(row.signed_payload);
  return {
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    timestamp: typeof signed?.timestamp === 'string' ? signed.timestamp : row.signed_at.toISOString(),
    signedPayload: row.signed_payload,
    signature: row.signature,
    publicKey,
  };
}

function toView(row: repo.EntryRow): EntryView {
  return {
    seq: row.seq,
    entry: JSON.parse(row.canonical) as LedgerEntry,
    canonical: row.canonical,
    leafHash: Buffer.from(row.leaf_hash).toString('hex'),
    payload: row.payload,
  };
}

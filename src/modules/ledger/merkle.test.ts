import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  MerkleFrontier,
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofPlan,
  createMerkle,
  emptyRoot,
  frontierNodeRefs,
  inclusionProofPlan,
  inclusionProofRefs,
  leafHash,
  nodeHash,
  nodesCompletedByAppend,
  rangeHash,
  rangeNodeRefs,
  rootOfSize,
  verifyConsistency,
  verifyInclusion,
  type Merkle,
  type NodeLookup,
  type NodeRef,
} from './merkle.js';

// ---------------------------------------------------------------------------
// Reference implementation, straight from RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1
// (recursive, over arrays of entries; shares nothing with merkle.ts).
// ---------------------------------------------------------------------------

type Digest = (data: Buffer) => Buffer;
const sm3: Digest = (d) => createHash('sm3').update(d).digest();
const sha256: Digest = (d) => createHash('sha256').update(d).digest();

function reference(h: Digest) {
  const leaf = (e: Buffer): Buffer => h(Buffer.concat([Buffer.from([0]), e]));
  const node = (l: Buffer, r: Buffer): Buffer => h(Buffer.concat([Buffer.from([1]), l, r]));
  const k = (n: number): number => {
    let p = 1;
    while (p * 2 < n) p *= 2;
    return p;
  };
  function MTH(D: Buffer[]): Buffer {
    if (D.length === 0) return h(Buffer.alloc(0));
    if (D.length === 1) return leaf(D[0] as Buffer);
    const s = k(D.length);
    return node(MTH(D.slice(0, s)), MTH(D.slice(s)));
  }
  function PATH(m: number, D: Buffer[]): Buffer[] {
    if (D.length <= 1) return [];
    const s = k(D.length);
    return m < s ? [...PATH(m, D.slice(0, s)), MTH(D.slice(s))] : [...PATH(m - s, D.slice(s)), MTH(D.slice(0, s))];
  }
  function SUBPROOF(m: number, D: Buffer[], b: boolean): Buffer[] {
    if (m === D.length) return b ? [] : [MTH(D)];
    const s = k(D.length);
    return m <= s
      ? [...SUBPROOF(m, D.slice(0, s), b), MTH(D.slice(s))]
      : [...SUBPROOF(m - s, D.slice(s), false), MTH(D.slice(0, s))];
  }
  const PROOF = (m: number, D: Buffer[]): Buffer[] => SUBPROOF(m, D, true);
  return { leaf, node, MTH, PATH, PROOF };
}

const ref = reference(sm3);

// ---------------------------------------------------------------------------
// A "database" of perfect aligned nodes, built from scratch (level by level),
// with a lookup that refuses nodes not complete in a tree of the given size.
// ---------------------------------------------------------------------------

const key = (r: NodeRef): string => `${r.level}/${r.index}`;

function buildStore(leafHashes: Buffer[], node: (l: Buffer, r: Buffer) => Buffer): Map<string, Buffer> {
  const store = new Map<string, Buffer>();
  let level = leafHashes;
  for (let l = 0; level.length > 0; l++) {
    level.forEach((h, i) => store.set(key({ level: l, index: i }), h));
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(node(level[i] as Buffer, level[i + 1] as Buffer));
    level = next;
  }
  return store;
}

function lookupFor(store: Map<string, Buffer>, treeSize: number): NodeLookup {
  return (r) => {
    assert.ok((r.index + 1) * 2 ** r.level <= treeSize, `node ${key(r)} is not complete at size ${treeSize}`);
    const h = store.get(key(r));
    assert.ok(h, `node ${key(r)} not stored`);
    return h;
  };
}

const entries = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ seq: i, payload: 'x'.repeat(i % 7) })));

const flipBit = (proof: Buffer[], i: number): Buffer[] =>
  proof.map((p, j) => {
    if (j !== i) return p;
    const c = Buffer.from(p);
    c[c.length - 1] = (c[c.length - 1] as number) ^ 0x01;
    return c;
  });

// ---------------------------------------------------------------------------
// 1. Property tests against the reference, SM3
// ---------------------------------------------------------------------------

const MAX = 70;
const D = entries(MAX);
const leafHashes = D.map((e) => leafHash(e));
const store = buildStore(leafHashes, nodeHash);
const roots = [emptyRoot(), ...Array.from({ length: MAX }, (_, i) => ref.MTH(D.slice(0, i + 1)))];

test('basic hashes match the RFC definitions', () => {
  assert.deepEqual(emptyRoot(), sm3(Buffer.alloc(0)));
  assert.deepEqual(leafHash('{"a":1}'), sm3(Buffer.from('\x00{"a":1}')));
  assert.deepEqual(leafHash(new Uint8Array([1, 2, 3])), ref.leaf(Buffer.from([1, 2, 3])));
  const a = leafHash('a');
  const b = leafHash('b');
  assert.deepEqual(nodeHash(a, b), sm3(Buffer.concat([Buffer.from([1]), a, b])));
  assert.equal(a.length, 32);
  assert.deepEqual(rootOfSize(0, lookupFor(store, 0)), emptyRoot());
});

test('roots from stored nodes equal MTH for sizes 1..70', () => {
  for (let n = 1; n <= MAX; n++) {
    assert.deepEqual(rootOfSize(n, lookupFor(store, n)), roots[n], `size ${n}`);
  }
});

test('rangeNodeRefs: perfect aligned pieces, largest first', () => {
  assert.deepEqual(rangeNodeRefs(0, 7), [
    { level: 2, index: 0 },
    { level: 1, index: 2 },
    { level: 0, index: 6 },
  ]);
  assert.deepEqual(rangeNodeRefs(8, 13), [
    { level: 2, index: 2 },
    { level: 0, index: 12 },
  ]);
  assert.deepEqual(rangeNodeRefs(5, 5), []);
  assert.throws(() => rangeNodeRefs(1, 4), RangeError); // not aligned: MTH(D[1:4]) isn't stored
  assert.throws(() => rangeNodeRefs(4, 3), RangeError);
  // every range MTH of an arbitrary aligned range agrees with the reference
  for (let start = 0; start < MAX; start++) {
    for (let end = start + 1; end <= MAX; end++) {
      let refs: NodeRef[];
      try {
        refs = rangeNodeRefs(start, end);
      } catch {
        continue;
      }
      assert.deepEqual(rangeHash(refs, lookupFor(store, end)), ref.MTH(D.slice(start, end)), `[${start},${end})`);
    }
  }
});

test('inclusion proofs: all leaves of all sizes 1..70 match PATH and verify; corruptions fail', () => {
  for (let n = 1; n <= MAX; n++) {
    const root = roots[n] as Buffer;
    const lookup = lookupFor(store, n);
    for (let m = 0; m < n; m++) {
      const leaf = leafHashes[m] as Buffer;
      const expected = ref.PATH(m, D.slice(0, n));
      const proof = buildInclusionProof(m, n, lookup);
      assert.deepEqual(proof, expected, `PATH(${m}, D[${n}])`);
      assert.equal(inclusionProofPlan(m, n).length, proof.length);
      // the dedup'd ref list is exactly what building the proof reads
      const read: string[] = [];
      buildInclusionProof(m, n, (r) => (read.push(key(r)), lookup(r)));
      assert.deepEqual(new Set(read), new Set(inclusionProofRefs(m, n).map(key)));

      assert.ok(verifyInclusion(m, n, leaf, proof, root), `verify ${m}/${n}`);

      for (let i = 0; i < proof.length; i++) {
        assert.ok(!verifyInclusion(m, n, leaf, flipBit(proof, i), root), `flipped path[${i}] ${m}/${n}`);
      }
      assert.ok(!verifyInclusion(m, n, flipBit([leaf], 0)[0] as Buffer, proof, root), 'flipped leaf');
      assert.ok(!verifyInclusion(m, n, leaf, proof, flipBit([root], 0)[0] as Buffer), 'flipped root');
      if (proof.length > 0) {
        assert.ok(!verifyInclusion(m, n, leaf, proof.slice(0, -1), root), `truncated ${m}/${n}`);
        assert.ok(!verifyInclusion(m, n, leaf, proof.slice(1), root), `front-truncated ${m}/${n}`);
      }
      assert.ok(!verifyInclusion(m, n, leaf, [...proof, root], root), `extended ${m}/${n}`);
      assert.ok(!verifyInclusion(m, n, leaf, [root, ...proof], root), `prefixed ${m}/${n}`);
      for (const wrong of [m - 1, m + 1, m ^ 2, n]) {
        if (wrong >= 0 && wrong !== m) {
          assert.ok(!verifyInclusion(wrong, n, leaf, proof, root), `wrong index ${wrong} for ${m}/${n}`);
        }
      }
      // A proof for size n must not prove inclusion in the tree of another size.
      for (const wrongSize of [n - 1, n + 1, 2 * n]) {
        if (wrongSize > m && wrongSize <= MAX && wrongSize !== n) {
          assert.ok(
            !verifyInclusion(m, wrongSize, leaf, proof, roots[wrongSize] as Buffer),
            `wrong size ${wrongSize} for ${m}/${n}`,
          );
        }
      }
    }
  }
});

test('consistency proofs: all pairs 0 ≤ first ≤ second ≤ 70 match PROOF and verify; corruptions fail', () => {
  for (let second = 1; second <= MAX; second++) {
    const lookup = lookupFor(store, second);
    const r2 = roots[second] as Buffer;
    for (let first = 0; first <= second; first++) {
      const r1 = roots[first] as Buffer;
      const proof = buildConsistencyProof(first, second, lookup);
      const expected = first === 0 ? [] : ref.PROOF(first, D.slice(0, second));
      assert.deepEqual(proof, expected, `PROOF(${first}, D[${second}])`);
      assert.equal(consistencyProofPlan(first, second).length, proof.length);
      assert.ok(verifyConsistency(first, second, r1, r2, proof), `verify ${first}->${second}`);

      if (first === 0 || first === second) {
        assert.ok(!verifyConsistency(first, second, r1, r2, [r1]), 'trivial proof must be empty');
        assert.ok(!verifyConsistency(first, second, flipBit([r1], 0)[0] as Buffer, r2, []), 'trivial: wrong first root');
        continue;
      }
      for (let i = 0; i < proof.length; i++) {
        assert.ok(!verifyConsistency(first, second, r1, r2, flipBit(proof, i)), `flip [${i}] ${first}->${second}`);
      }
      assert.ok(!verifyConsistency(first, second, r1, r2, proof.slice(0, -1)), `truncated ${first}->${second}`);
      assert.ok(!verifyConsistency(first, second, r1, r2, []), 'empty proof');
      assert.ok(!verifyConsistency(first, second, r1, r2, [...proof, r2]), 'extended');
      assert.ok(!verifyConsistency(first, second, r1, r2, [r1, ...proof]), 'prefixed');
      assert.ok(!verifyConsistency(first, second, r2, r1, proof), 'swapped roots');
      assert.ok(!verifyConsistency(second, first, r2, r1, proof), 'swapped sizes');
      for (const f of [first - 1, first + 1, first ^ 2]) {
        if (f > 0 && f < second && f !== first) {
          assert.ok(!verifyConsistency(f, second, roots[f] as Buffer, r2, proof), `wrong first ${f}: ${first}->${second}`);
          assert.ok(!verifyConsistency(f, second, r1, r2, proof), `wrong first ${f} (same root): ${first}->${second}`);
        }
      }
      for (const s of [second - 1, second + 1, second * 2]) {
        if (s > first && s <= MAX && s !== second) {
          assert.ok(!verifyConsistency(first, s, r1, roots[s] as Buffer, proof), `wrong second ${s}: ${first}->${second}`);
        }
      }
    }
  }
});

test('argument validation', () => {
  const lookup = lookupFor(store, 8);
  assert.throws(() => inclusionProofPlan(8, 8), RangeError);
  assert.throws(() => inclusionProofPlan(-1, 8), RangeError);
  assert.throws(() => inclusionProofPlan(1.5, 8), RangeError);
  assert.throws(() => inclusionProofPlan(0, Number.NaN), RangeError);
  assert.throws(() => inclusionProofPlan(0, 0), RangeError);
  assert.throws(() => buildInclusionProof(3, 2, lookup), RangeError);
  assert.throws(() => consistencyProofPlan(5, 4), RangeError);
  assert.throws(() => consistencyProofPlan(-1, 4), RangeError);
  assert.throws(() => buildConsistencyProof(2, 1, lookup), RangeError);
  assert.throws(() => nodesCompletedByAppend(-3), RangeError);
  assert.throws(() => frontierNodeRefs(2 ** 53), RangeError);
  assert.throws(() => rootOfSize(0.5, lookup), RangeError);
  assert.throws(() => verifyInclusion(-1, 8, leafHash('x'), [], emptyRoot()), RangeError);
  // Verifiers "fail" (return false) on well-formed but impossible claims, as in the RFC.
  assert.equal(verifyInclusion(8, 8, leafHash('x'), [], emptyRoot()), false);
  assert.equal(verifyConsistency(5, 4, emptyRoot(), emptyRoot(), []), false);
  assert.equal(verifyInclusion(0, 1, Buffer.alloc(3), [], Buffer.alloc(3)), false); // wrong digest size
  assert.throws(() => new MerkleFrontier(3, [leafHash('a')]), RangeError);
  assert.throws(() => new MerkleFrontier().append(Buffer.alloc(5)), RangeError);
  assert.throws(() => rangeHash([{ level: 0, index: 99 }], () => undefined as unknown as Buffer), /missing/);
});

// ---------------------------------------------------------------------------
// 2. Known answers (SHA-256) published with the CT reference implementations.
// Source: github.com/transparency-dev/merkle, proof/verify_test.go
// (commit 02194e9afb6c1d95b5381350007963aa70fff472): `leaves`, `roots`,
// `inclusionProofs`, `consistencyProofs`, `sha256EmptyTreeHash`. The same
// leaves/roots appear in google/trillian testonly/compact_merkle_tree.go, taken
// from google/certificate-transparency cpp/merkletree/merkle_tree_test.cc.
// NB: in that file inclusion vectors use 1-based leaf numbers (`p.leaf-1`).
// ---------------------------------------------------------------------------

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const KAT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const KAT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const KAT_INCLUSION: Array<{ leaf: number; size: number; proof: string[] }> = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const KAT_CONSISTENCY: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

test('SHA-256 known answers (transparency-dev/merkle)', () => {
  const m: Merkle = createMerkle(sha256);
  assert.equal(m.emptyRoot().toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

  // Store built incrementally, exactly as the sequencer would.
  const kstore = new Map<string, Buffer>();
  const frontier = m.newFrontier();
  KAT_LEAVES.forEach((e, i) => {
    const lh = m.leafHash(e);
    kstore.set(key({ level: 0, index: i }), lh);
    for (const r of nodesCompletedByAppend(i)) {
      const l = kstore.get(key({ level: r.level - 1, index: 2 * r.index })) as Buffer;
      const rr = kstore.get(key({ level: r.level - 1, index: 2 * r.index + 1 })) as Buffer;
      kstore.set(key(r), m.nodeHash(l, rr));
    }
    frontier.append(lh);
    assert.deepEqual(frontier.root(), KAT_ROOTS[i], `frontier root ${i + 1}`);
  });
  for (let n = 1; n <= 8; n++) {
    assert.deepEqual(m.rootOfSize(n, lookupFor(kstore, n)), KAT_ROOTS[n - 1], `root of size ${n}`);
    assert.deepEqual(reference(sha256).MTH(KAT_LEAVES.slice(0, n)), KAT_ROOTS[n - 1], `reference MTH ${n}`);
  }

  for (const v of KAT_INCLUSION) {
    const idx = v.leaf - 1;
    const proof = m.buildInclusionProof(idx, v.size, lookupFor(kstore, v.size));
    assert.deepEqual(proof, v.proof.map(hex), `inclusion ${idx}/${v.size}`);
    const root = KAT_ROOTS[v.size - 1] as Buffer;
    const lh = m.leafHash(KAT_LEAVES[idx] as Buffer);
    assert.ok(m.verifyInclusion(idx, v.size, lh, proof, root), `verify ${idx}/${v.size}`);
    // the probes of verify_test.go's corruptInclusionProof
    assert.ok(!m.verifyInclusion(idx + 1, v.size, lh, proof, root), 'leafIndex + 1');
    if (idx > 0) assert.ok(!m.verifyInclusion(idx - 1, v.size, lh, proof, root), 'leafIndex - 1');
    assert.ok(!m.verifyInclusion(idx ^ 2, v.size, lh, proof, root), 'leafIndex ^ 2');
    assert.ok(!m.verifyInclusion(idx, v.size * 2, lh, proof, root), `treeSize * 2 (${idx}/${v.size})`);
    assert.ok(!m.verifyInclusion(idx, Math.floor(v.size / 2), lh, proof, root), `treeSize / 2 (${idx}/${v.size})`);
    assert.ok(!m.verifyInclusion(idx, v.size, lh, proof, m.emptyRoot()), 'empty root');
  }

  for (const v of KAT_CONSISTENCY) {
    const proof = m.buildConsistencyProof(v.size1, v.size2, lookupFor(kstore, v.size2));
    assert.deepEqual(proof, v.proof.map(hex), `consistency ${v.size1}->${v.size2}`);
    const r1 = KAT_ROOTS[v.size1 - 1] as Buffer;
    const r2 = KAT_ROOTS[v.size2 - 1] as Buffer;
    assert.ok(m.verifyConsistency(v.size1, v.size2, r1, r2, proof), `verify ${v.size1}->${v.size2}`);
    if (proof.length > 0) {
      for (const [s1, s2] of [
        [v.size1 - 1, v.size2],
        [v.size1 + 1, v.size2],
        [v.size1 ^ 2, v.size2],
        [v.size1, v.size2 * 2],
        [v.size1, Math.floor(v.size2 / 2)],
      ] as const) {
        assert.ok(!m.verifyConsistency(s1, s2, r1, r2, proof), `probe ${s1}->${s2}`);
      }
      assert.ok(!m.verifyConsistency(v.size1, v.size2, r2, r1, proof), 'swapped roots');
      assert.ok(!m.verifyConsistency(v.size1, v.size2, r1, r2, [proof[0] as Buffer, ...proof]), 'preceding proof[0]');
    }
  }
});

// ---------------------------------------------------------------------------
// 3. Incremental appends: nodesCompletedByAppend and MerkleFrontier, 1..300
// ---------------------------------------------------------------------------

test('nodesCompletedByAppend and MerkleFrontier agree with a from-scratch build (1..300)', () => {
  const N = 300;
  const E = entries(N);
  const lhs = E.map((e) => leafHash(e));
  const scratch = buildStore(lhs, nodeHash); // all complete nodes of the size-300 tree
  const incremental = new Map<string, Buffer>();
  const frontier = new MerkleFrontier();

  for (let i = 0; i < N; i++) {
    const n = i + 1;
    const lh = lhs[i] as Buffer;
    incremental.set(key({ level: 0, index: i }), lh);
    const refs = nodesCompletedByAppend(i);
    for (const r of refs) {
      const l = incremental.get(key({ level: r.level - 1, index: 2 * r.index }));
      const rr = incremental.get(key({ level: r.level - 1, index: 2 * r.index + 1 }));
      assert.ok(l && rr, `children of ${key(r)} present`);
      incremental.set(key(r), nodeHash(l, rr));
    }
    const { completed } = frontier.append(lh);
    assert.deepEqual(
      completed.map(({ level, index }) => ({ level, index })),
      refs,
      `completed refs at ${i}`,
    );
    for (const c of completed) assert.deepEqual(c.hash, incremental.get(key(c)));

    // After n appends the store holds exactly the perfect nodes complete at size n.
    const completeAtN = [...scratch.keys()].filter((k) => {
      const [level, index] = k.split('/').map(Number) as [number, number];
      return (index + 1) * 2 ** level <= n;
    });
    assert.equal(incremental.size, completeAtN.length, `node count at size ${n}`);
    for (const k of completeAtN) assert.deepEqual(incremental.get(k), scratch.get(k), `node ${k}`);

    const root = ref.MTH(E.slice(0, n));
    assert.equal(frontier.size, n);
    assert.deepEqual(frontier.root(), root, `frontier root ${n}`);
    assert.deepEqual(rootOfSize(n, lookupFor(incremental, n)), root, `rootOfSize ${n}`);

    // Restart: rebuild the frontier from stored peaks.
    const peakRefs = frontierNodeRefs(n);
    const lookup = lookupFor(incremental, n);
    const peaks = peakRefs.map(lookup);
    assert.deepEqual(peaks, frontier.peaks());
    const rebuilt = new MerkleFrontier(n, peaks);
    assert.deepEqual(rebuilt.root(), root);
    if (i + 1 < N) {
      const next = lhs[i + 1] as Buffer;
      const { completed: after } = rebuilt.append(next);
      assert.deepEqual(after.map(({ level, index }) => ({ level, index })), nodesCompletedByAppend(n));
      assert.deepEqual(rebuilt.root(), ref.MTH(E.slice(0, n + 1)));
    }
  }
  assert.deepEqual(new MerkleFrontier().root(), emptyRoot());
  assert.deepEqual(frontierNodeRefs(0), []);
});

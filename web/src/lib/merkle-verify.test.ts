/// <reference types="node" />
// Run: node --import tsx --test web/src/lib/merkle-verify.test.ts
// The reference tree is built straight from the RFC 9162 §2.1.1/§2.1.3.1 definitions (MTH and
// PATH), independently of the verification algorithm under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sm2, sm3 } from 'sm-crypto-v2';
import canonicalize from 'canonicalize';
import {
  hexToBytes,
  leafHash,
  nodeHash,
  payloadBindsHead,
  payloadDigest,
  rootFromInclusionProof,
  verifyInclusion,
  verifyTreeHeadSignature,
} from './merkle-verify';

const enc = new TextEncoder();

function sm3hex(bytes: Uint8Array): string {
  return sm3(bytes);
}

/** MTH(D[n]) per RFC 9162 §2.1.1, with SM3. */
function mth(leaves: Uint8Array[]): string {
  if (leaves.length === 0) return sm3hex(new Uint8Array());
  if (leaves.length === 1) return sm3hex(new Uint8Array([0x00, ...leaves[0]!]));
  const k = largestPowerOfTwoBelow(leaves.length);
  const left = hexToBytes(mth(leaves.slice(0, k)));
  const right = hexToBytes(mth(leaves.slice(k)));
  return sm3hex(new Uint8Array([0x01, ...left, ...right]));
}

/** PATH(m, D[n]) per RFC 9162 §2.1.3.1. */
function path(m: number, leaves: Uint8Array[]): string[] {
  if (leaves.length <= 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function entry(seq: number) {
  return { seq, action: 'user.create', actor: { type: 'user', id: 'u1', username: '管理员' }, note: `条目 ${seq} 😀` };
}

const canonicals = Array.from({ length: 9 }, (_, i) => canonicalize(entry(i + 1))!);
const leavesBytes = canonicals.map((c) => enc.encode(c));

test('SM3 matches the GB/T 32905 example "abc"', () => {
  assert.equal(sm3hex(enc.encode('abc')), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

test('leafHash and nodeHash follow the RFC prefixes', () => {
  assert.equal(leafHash(canonicals[0]!), mth([leavesBytes[0]!]));
  assert.equal(nodeHash(leafHash(canonicals[0]!), leafHash(canonicals[1]!)), mth(leavesBytes.slice(0, 2)));
});

test('every leaf of every tree size 1..9 verifies against the reference root', () => {
  for (let n = 1; n <= leavesBytes.length; n++) {
    const tree = leavesBytes.slice(0, n);
    const root = mth(tree);
    for (let m = 0; m < n; m++) {
      const res = rootFromInclusionProof(m, n, leafHash(canonicals[m]!), path(m, tree));
      assert.ok(res.ok, `n=${n} m=${m}`);
      assert.equal(res.ok && res.root, root, `n=${n} m=${m}`);
    }
  }
});

test('wrong index, wrong size, tampered path, short and long paths fail', () => {
  const n = 7;
  const tree = leavesBytes.slice(0, n);
  const root = mth(tree);
  const lh = leafHash(canonicals[4]!);
  const p = path(4, tree);
  const rootOf = (r: ReturnType<typeof rootFromInclusionProof>) => (r.ok ? r.root : null);

  assert.notEqual(rootOf(rootFromInclusionProof(3, n, lh, p)), root);
  // A smaller tree has a different shape, so the same path cannot fit it. (Sizes 7 and 8 share
  // the shape for leaf 4, which is why the root — not the size — is what binds a proof.)
  assert.notEqual(rootOf(rootFromInclusionProof(4, 5, lh, p)), root);
  const tampered = [...p];
  tampered[1] = tampered[1]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  assert.notEqual(rootOf(rootFromInclusionProof(4, n, lh, tampered)), root);
  assert.deepEqual(rootFromInclusionProof(4, n, lh, p.slice(0, -1)).ok, false);
  assert.deepEqual(rootFromInclusionProof(4, n, lh, [...p, p[0]!]).ok, false);
  assert.equal(rootFromInclusionProof(7, n, lh, p).ok, false);
  assert.equal(rootFromInclusionProof(-1, n, lh, p).ok, false);
});

test('verifyInclusion reports each check and catches a modified entry', () => {
  const n = 6;
  const tree = leavesBytes.slice(0, n);
  const head = { treeSize: n, rootHash: mth(tree).toUpperCase() };
  const m = 2;
  const good = verifyInclusion({
    canonical: canonicals[m]!,
    entry: JSON.parse(canonicals[m]!) as unknown,
    serverLeafHash: leafHash(canonicals[m]!),
    expectedLeafIndex: m,
    proof: { leafIndex: m, treeSize: n, rootHash: head.rootHash, path: path(m, tree) },
    head,
  });
  assert.ok(good.ok, JSON.stringify(good.checks));
  assert.deepEqual(good.checks.map((c) => c.check), [
    'canonicalMatchesEntry',
    'leafHashMatches',
    'proofForRequestedLeaf',
    'proofTreeSizeMatchesHead',
    'proofRootMatchesHead',
    'pathComputesRoot',
  ]);
  assert.equal(good.steps.length, path(m, tree).length);

  const forged = canonicals[m]!.replace('user.create', 'user.delete');
  const bad = verifyInclusion({
    canonical: forged,
    entry: JSON.parse(canonicals[m]!) as unknown,
    serverLeafHash: leafHash(canonicals[m]!),
    expectedLeafIndex: m,
    proof: { leafIndex: m, treeSize: n, rootHash: head.rootHash, path: path(m, tree) },
    head,
  });
  assert.equal(bad.ok, false);
  const failed = bad.checks.filter((c) => !c.ok).map((c) => c.check);
  assert.deepEqual(failed.sort(), ['canonicalMatchesEntry', 'leafHashMatches', 'pathComputesRoot']);
});

test('tree head SM2 signature verifies with the default user ID and rejects tampering', () => {
  const keys = sm2.generateKeyPairHex();
  const payload = JSON.stringify({ treeSize: 6, rootHash: 'ab'.repeat(32), timestamp: '2026-01-01T00:00:00+08:00' });
  const sig = sm2.doSignature(enc.encode(payload), keys.privateKey, { hash: true, der: false, userId: '1234567812345678' });
  assert.ok(verifyTreeHeadSignature(payload, sig, keys.publicKey));
  assert.ok(verifyTreeHeadSignature(payload, sig, keys.publicKey.slice(2)), 'bare X‖Y key accepted');
  assert.equal(verifyTreeHeadSignature(payload.replace('6', '7'), sig, keys.publicKey), false);
  assert.equal(verifyTreeHeadSignature(payload, 'zz', keys.publicKey), false);
  assert.ok(payloadBindsHead(payload, { treeSize: 6, rootHash: 'AB'.repeat(32) }));
  assert.equal(payloadBindsHead(payload, { treeSize: 7, rootHash: 'ab'.repeat(32) }), false);
  assert.ok(payloadBindsHead(`tianshu-tree-head\n6\n${'ab'.repeat(32)}`, { treeSize: 6, rootHash: 'ab'.repeat(32) }));
});

test('payload digest is SM3 over the canonical payload and catches an altered payload', () => {
  const payload = { ip: '127.0.0.1', 名称: '青海省', n: 1 };
  const digest = payloadDigest(payload);
  assert.equal(digest, sm3(enc.encode('{"ip":"127.0.0.1","n":1,"名称":"青海省"}')));
  const n = 3;
  const tree = leavesBytes.slice(0, n);
  const head = { treeSize: n, rootHash: mth(tree) };
  const base = {
    canonical: canonicals[0]!,
    serverLeafHash: leafHash(canonicals[0]!),
    expectedLeafIndex: 0,
    proof: { leafIndex: 0, treeSize: n, rootHash: head.rootHash, path: path(0, tree) },
    head,
  };
  assert.ok(verifyInclusion({ ...base, payload: { value: payload, digest } }).ok);
  const altered = verifyInclusion({ ...base, payload: { value: { ...payload, n: 2 }, digest } });
  assert.equal(altered.ok, false);
  assert.deepEqual(altered.checks.filter((c) => !c.ok).map((c) => c.check), ['payloadMatchesDigest']);
});

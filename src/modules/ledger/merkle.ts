/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree algorithms, SM3 by default.
 *
 *   leaf hash  = H(0x00 ‖ entry)
 *   node hash  = H(0x01 ‖ left ‖ right)
 *   empty tree = H("")
 *
 * Storage model: the database keeps every *perfect aligned subtree* hash.
 * Node (level, index) covers leaves [index·2^level, (index+1)·2^level); level 0
 * nodes are leaf hashes. Everything here (tree heads, audit paths, consistency
 * proofs) is computed from such stored nodes only, via a `lookup` callback.
 *
 * Everything is pure and synchronous. Tree sizes and indexes are JS numbers
 * (safe integers); we avoid 32-bit bitwise operators on purpose.
 */
import { createHash } from 'node:crypto';

export type NodeRef = { level: number; index: number };
export type CompletedNode = NodeRef & { hash: Buffer };
export type LeafRange = { start: number; end: number };
export type NodeLookup = (ref: NodeRef) => Buffer;
export type HashFn = (data: Buffer) => Buffer;

// ---------------------------------------------------------------------------
// Argument validation and integer helpers
// ---------------------------------------------------------------------------

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

function assertLeafInTree(leafIndex: number, treeSize: number): void {
  assertCount('leafIndex', leafIndex);
  assertCount('treeSize', treeSize);
  if (leafIndex >= treeSize) {
    throw new RangeError(`leafIndex ${leafIndex} is outside a tree of size ${treeSize}`);
  }
}

function assertSizes(first: number, second: number): void {
  assertCount('first', first);
  assertCount('second', second);
  if (first > second) throw new RangeError(`first (${first}) > second (${second})`);
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** The largest power of two strictly less than n (n ≥ 2): the RFC's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two ≤ n (n ≥ 1). */
function highestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

// ---------------------------------------------------------------------------
// Node-index arithmetic (hash independent)
// ---------------------------------------------------------------------------

/**
 * The perfect nodes above level 0 that become complete when leaf `leafIndex`
 * is appended, bottom-up. There is one per trailing 1-bit of leafIndex: the
 * new leaf closes the node at level l iff (leafIndex + 1) is a multiple of 2^l.
 * Each hash = nodeHash(node(level-1, 2·index), node(level-1, 2·index+1)).
 */
export function nodesCompletedByAppend(leafIndex: number): NodeRef[] {
  assertCount('leafIndex', leafIndex);
  const refs: NodeRef[] = [];
  let index = leafIndex;
  let level = 0;
  while (isOdd(index)) {
    index = half(index);
    level += 1;
    refs.push({ level, index });
  }
  return refs;
}

/**
 * Decomposition of the leaf range [start, end) into perfect aligned nodes,
 * left to right: one node per 1-bit of (end − start), largest first. This is
 * exactly how MTH splits the range (it always peels off the largest power of
 * two k < size on the left), so the pieces are MTH's maximal perfect subtrees.
 *
 * The pieces are only *aligned* (hence stored) if `start` is a multiple of the
 * largest piece; every range arising in MTH/PATH/PROOF satisfies this.
 */
export function rangeNodeRefs(start: number, end: number): NodeRef[] {
  assertCount('start', start);
  assertCount('end', end);
  if (start > end) throw new RangeError(`start (${start}) > end (${end})`);
  const size = end - start;
  if (size === 0) return [];
  if (start % highestPowerOfTwo(size) !== 0) {
    throw new RangeError(`range [${start}, ${end}) does not decompose into aligned stored nodes`);
  }
  const refs: NodeRef[] = [];
  let pos = start;
  for (let level = Math.log2(highestPowerOfTwo(size)); level >= 0; level--) {
    const width = 2 ** level;
    if (end - pos >= width) {
      refs.push({ level, index: pos / width });
      pos += width;
    }
  }
  return refs;
}

/** The stored nodes that are the peaks (binary decomposition) of a tree of `size` leaves, largest first. */
export function frontierNodeRefs(size: number): NodeRef[] {
  assertCount('size', size);
  return rangeNodeRefs(0, size);
}

/**
 * The ranges whose MTH form the audit path PATH(m, D[n]) of RFC 9162 §2.1.3.1,
 * in the order the RFC lists them (bottom-up: the leaf's sibling first).
 *
 *   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])   if m < k
 *                 = PATH(m-k, D[k:n]) : MTH(D[0:k]) if m ≥ k
 *
 * We walk top-down (collecting the sibling at each split) and reverse.
 */
export function inclusionProofPlan(leafIndex: number, treeSize: number): LeafRange[] {
  assertLeafInTree(leafIndex, treeSize);
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (leafIndex < mid) {
      ranges.push({ start: mid, end });
      end = mid;
    } else {
      ranges.push({ start, end: mid });
      start = mid;
    }
  }
  return ranges.reverse();
}

/**
 * The ranges whose MTH form the consistency proof PROOF(m, D[n]) of RFC 9162
 * §2.1.4.1, in proof order. Empty when m = 0 or m = n.
 *
 *   SUBPROOF(m, D[m], true)  = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])       if m ≤ k
 *                        = SUBPROOF(m-k, D[k:n], false) : MTH(D[0:k]) if m > k
 *
 * Subtle: b stays true only while the old tree is a prefix subtree starting at
 * leaf 0; then the verifier already knows that node (it is the old root) and it
 * is omitted. Once we descend right, the old tree's last piece must be sent.
 */
export function consistencyProofPlan(first: number, second: number): LeafRange[] {
  assertSizes(first, second);
  if (first === 0 || first === second) return [];
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = second;
  let m = first; // old tree size, relative to `start`
  let omitOldRoot = true; // the RFC's `b`
  for (;;) {
    const size = end - start;
    if (m === size) {
      if (!omitOldRoot) ranges.push({ start, end });
      break;
    }
    const k = splitPoint(size);
    if (m <= k) {
      ranges.push({ start: start + k, end });
      end = start + k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      m -= k;
      omitOldRoot = false;
    }
  }
  return ranges.reverse();
}

function dedupeRefs(refs: NodeRef[]): NodeRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.level}/${r.index}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** All stored nodes needed to build the audit path (deduplicated, in plan order). */
export function inclusionProofRefs(leafIndex: number, treeSize: number): NodeRef[] {
  return dedupeRefs(inclusionProofPlan(leafIndex, treeSize).flatMap((r) => rangeNodeRefs(r.start, r.end)));
}

/** All stored nodes needed to build the consistency proof (deduplicated, in plan order). */
export function consistencyProofRefs(first: number, second: number): NodeRef[] {
  return dedupeRefs(consistencyProofPlan(first, second).flatMap((r) => rangeNodeRefs(r.start, r.end)));
}

// ---------------------------------------------------------------------------
// Hash-dependent algorithms
// ---------------------------------------------------------------------------

export interface TreeHasher {
  /** Digest length in bytes. */
  readonly hashSize: number;
  leafHash(entry: Uint8Array | string): Buffer;
  nodeHash(left: Buffer, right: Buffer): Buffer;
  emptyRoot(): Buffer;
}

export interface Merkle extends TreeHasher {
  /** Fold perfect nodes (left to right) as MTH does. No refs → the empty root. */
  rangeHash(refs: NodeRef[], lookup: NodeLookup): Buffer;
  rootOfSize(treeSize: number, lookup: NodeLookup): Buffer;
  buildInclusionProof(leafIndex: number, treeSize: number, lookup: NodeLookup): Buffer[];
  buildConsistencyProof(first: number, second: number, lookup: NodeLookup): Buffer[];
  verifyInclusion(leafIndex: number, treeSize: number, leaf: Buffer, path: Buffer[], root: Buffer): boolean;
  verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean;
  newFrontier(size?: number, peaks?: Buffer[]): MerkleFrontier;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Build the RFC 9162 algorithms over an arbitrary hash function (SM3 by default; SHA-256 for the CT test vectors). */
export function createMerkle(hash: HashFn): Merkle {
  const hashSize = hash(Buffer.alloc(0)).length;
  const isDigest = (b: Buffer): boolean => Buffer.isBuffer(b) && b.length === hashSize;

  const hasher: TreeHasher = {
    hashSize,
    leafHash: (entry) => hash(Buffer.concat([LEAF_PREFIX, toBytes(entry)])),
    nodeHash: (left, right) => hash(Buffer.concat([NODE_PREFIX, left, right])),
    emptyRoot: () => hash(Buffer.alloc(0)),
  };
  const { nodeHash } = hasher;

  function load(lookup: NodeLookup, ref: NodeRef): Buffer {
    const h = lookup(ref);
    if (!isDigest(h)) throw new Error(`merkle node ${ref.level}/${ref.index} is missing or malformed`);
    return h;
  }

  // MTH(D[a:b]) = H(MTH(D[a:a+k]), MTH(D[a+k:b])): the left piece is the largest
  // perfect subtree and the right part recurses, so the fold starts from the
  // smallest (rightmost) piece and wraps each bigger piece on its left.
  function rangeHash(refs: NodeRef[], lookup: NodeLookup): Buffer {
    if (refs.length === 0) return hasher.emptyRoot();
    let acc = load(lookup, refs[refs.length - 1] as NodeRef);
    for (let i = refs.length - 2; i >= 0; i--) {
      acc = nodeHash(load(lookup, refs[i] as NodeRef), acc);
    }
    return acc;
  }

  const hashOfRange = (r: LeafRange, lookup: NodeLookup): Buffer => rangeHash(rangeNodeRefs(r.start, r.end), lookup);

  // RFC 9162 §2.1.3.2, step by step. Returns false (never throws) for a
  // mismatching index/size, as the RFC says "fail"; non-integers still throw.
  function verifyInclusion(leafIndex: number, treeSize: number, leaf: Buffer, path: Buffer[], root: Buffer): boolean {
    assertCount('leafIndex', leafIndex);
    assertCount('treeSize', treeSize);
    if (leafIndex >= treeSize) return false; // step 1
    if (!isDigest(leaf) || !isDigest(root) || !path.every(isDigest)) return false;
    let fn = leafIndex; // step 2
    let sn = treeSize - 1;
    let r = leaf; // step 3
    for (const p of path) {
      // step 4
      if (sn === 0) return false; // 4a
      if (isOdd(fn) || fn === sn) {
        // 4b: p is a left sibling
        r = nodeHash(p, r);
        // "If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set
        // or fn is 0": on the right edge of an unbalanced tree, skip the
        // levels where the node has no sibling (it was promoted unchanged).
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        r = nodeHash(r, p); // p is a right sibling
      }
      fn = half(fn); // 4c
      sn = half(sn);
    }
    return sn === 0 && r.equals(root); // step 5
  }

  // RFC 9162 §2.1.4.2, step by step, plus the trivial cases the RFC leaves
  // implicit: first = second (empty proof, equal roots) and first = 0 (empty
  // proof; the empty tree is a prefix of every tree).
  function verifyConsistency(
    first: number,
    second: number,
    firstRoot: Buffer,
    secondRoot: Buffer,
    proof: Buffer[],
  ): boolean {
    assertCount('first', first);
    assertCount('second', second);
    if (first > second) return false;
    if (!isDigest(firstRoot) || !isDigest(secondRoot) || !proof.every(isDigest)) return false;
    if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
    if (first === 0) return proof.length === 0 && firstRoot.equals(hasher.emptyRoot());

    if (proof.length === 0) return false; // step 1
    // step 2: when the old tree is a perfect subtree its root is omitted from
    // the proof (SUBPROOF's b = true case); the verifier supplies it.
    const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
    let fn = first - 1; // step 3
    let sn = second - 1;
    while (isOdd(fn)) {
      // step 4
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0] as Buffer; // step 5
    let sr = fr;
    for (const c of path.slice(1)) {
      // step 6
      if (sn === 0) return false; // 6a
      if (isOdd(fn) || fn === sn) {
        // 6b
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = half(fn); // 6c
      sn = half(sn);
    }
    return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0; // step 7
  }

  return {
    ...hasher,
    rangeHash,
    rootOfSize: (treeSize, lookup) => {
      assertCount('treeSize', treeSize);
      return rangeHash(rangeNodeRefs(0, treeSize), lookup);
    },
    buildInclusionProof: (leafIndex, treeSize, lookup) =>
      inclusionProofPlan(leafIndex, treeSize).map((r) => hashOfRange(r, lookup)),
    buildConsistencyProof: (first, second, lookup) =>
      consistencyProofPlan(first, second).map((r) => hashOfRange(r, lookup)),
    verifyInclusion,
    verifyConsistency,
    newFrontier: (size = 0, peaks = []) => new MerkleFrontier(size, peaks, hasher),
  };
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && highestPowerOfTwo(n) === n;
}

function toBytes(entry: Uint8Array | string): Buffer {
  return typeof entry === 'string' ? Buffer.from(entry, 'utf8') : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
}

// ---------------------------------------------------------------------------
// In-memory frontier (compact range [0, size))
// ---------------------------------------------------------------------------

/**
 * The peaks of the tree: the perfect subtree roots of the binary decomposition
 * of `size`, largest first (the stored nodes `frontierNodeRefs(size)`). Enough
 * to append leaves and compute the root without reading anything back.
 */
export class MerkleFrontier {
  readonly #hasher: TreeHasher;
  #size: number;
  #peaks: Buffer[];

  constructor(size = 0, peaks: Buffer[] = [], hasher: TreeHasher = sm3Merkle) {
    assertCount('size', size);
    const expected = frontierNodeRefs(size).length;
    if (peaks.length !== expected) {
      throw new RangeError(`a tree of size ${size} has ${expected} peaks, got ${peaks.length}`);
    }
    if (!peaks.every((p) => Buffer.isBuffer(p) && p.length === hasher.hashSize)) {
      throw new RangeError(`peaks must be ${hasher.hashSize}-byte digests`);
    }
    this.#hasher = hasher;
    this.#size = size;
    this.#peaks = [...peaks];
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Append a leaf hash (level 0 node). Returns the perfect nodes above level 0
   * that this append completed, bottom-up — the same refs as
   * `nodesCompletedByAppend(oldSize)`, with their hashes, ready to store.
   */
  append(leaf: Buffer): { completed: CompletedNode[] } {
    if (!Buffer.isBuffer(leaf) || leaf.length !== this.#hasher.hashSize) {
      throw new RangeError(`leaf must be a ${this.#hasher.hashSize}-byte digest`);
    }
    if (!Number.isSafeInteger(this.#size + 1)) throw new RangeError('tree is full');
    const completed: CompletedNode[] = [];
    let hash = leaf;
    let index = this.#size; // index of the new node at the current level
    let level = 0;
    // Each trailing 1-bit of the old size means the last peak is the left
    // sibling of the node we carry: merge them, like binary addition.
    while (isOdd(index)) {
      const left = this.#peaks.pop() as Buffer;
      hash = this.#hasher.nodeHash(left, hash);
      index = half(index);
      level += 1;
      completed.push({ level, index, hash });
    }
    this.#peaks.push(hash);
    this.#size += 1;
    return { completed };
  }

  /** The tree head for the current size (MTH folds the peaks right to left). */
  root(): Buffer {
    if (this.#peaks.length === 0) return this.#hasher.emptyRoot();
    let acc = this.#peaks[this.#peaks.length - 1] as Buffer;
    for (let i = this.#peaks.length - 2; i >= 0; i--) {
      acc = this.#hasher.nodeHash(this.#peaks[i] as Buffer, acc);
    }
    return acc;
  }

  peaks(): Buffer[] {
    return [...this.#peaks];
  }
}

// ---------------------------------------------------------------------------
// Default SM3 instance (the platform's ledger hash)
// ---------------------------------------------------------------------------

function sm3(data: Buffer): Buffer {
  return createHash('sm3').update(data).digest();
}

const sm3Merkle: Merkle = createMerkle(sm3);

export const leafHash = sm3Merkle.leafHash;
export const nodeHash = sm3Merkle.nodeHash;
export const emptyRoot = sm3Merkle.emptyRoot;
export const rangeHash = sm3Merkle.rangeHash;
export const rootOfSize = sm3Merkle.rootOfSize;
export const buildInclusionProof = sm3Merkle.buildInclusionProof;
export const buildConsistencyProof = sm3Merkle.buildConsistencyProof;
export const verifyInclusion = sm3Merkle.verifyInclusion;
export const verifyConsistency = sm3Merkle.verifyConsistency;

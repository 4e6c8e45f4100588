// Ledger verification done in the browser, so that an auditor does not have to trust the
// server's word that an entry is in the signed tree. Pure functions, no React, no fetch:
// the page fetches, this module decides. Unit-tested in merkle-verify.test.ts.
//
// Hashing follows RFC 9162 §2.1 with SM3 in place of SHA-256 (DESIGN.md §6):
//   leaf hash = SM3(0x00 ‖ UTF-8(canonical entry))
//   node hash = SM3(0x01 ‖ left ‖ right)
import canonicalize from 'canonicalize';
import { sm2, sm3 } from 'sm-crypto-v2';

/** SM2 user ID the server signs tree heads with (the GB/T 32918 default). */
export const SM2_USER_ID = '1234567812345678';

const utf8 = new TextEncoder();

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.trim().toLowerCase();
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/.test(clean)) {
    throw new Error(`not a hex string: ${hex.slice(0, 16)}…`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** SM3 over raw bytes, lowercase hex. */
export function sm3Bytes(data: Uint8Array): string {
  return sm3(data);
}

/** Leaf hash of a canonical entry string. TextEncoder gives exact UTF-8 (surrogate pairs included). */
export function leafHash(canonical: string): string {
  return sm3Bytes(concat(LEAF_PREFIX, utf8.encode(canonical)));
}

/** SM3 over the UTF-8 of the payload's RFC 8785 form, as the server computes payloadDigest. */
export function payloadDigest(payload: unknown): string {
  const text = canonicalize(payload);
  if (text === undefined) throw new Error('payload cannot be canonicalised');
  return sm3Bytes(utf8.encode(text));
}

/** Leaf hash over arbitrary bytes (used by tests that follow the RFC definitions literally). */
export function leafHashBytes(data: Uint8Array): string {
  return sm3Bytes(concat(LEAF_PREFIX, data));
}

export function nodeHash(leftHex: string, rightHex: string): string {
  return sm3Bytes(concat(NODE_PREFIX, hexToBytes(leftHex), hexToBytes(rightHex)));
}

export function sameHex(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** One application of the path: which side the sibling was on and what came out. */
export interface PathStep {
  index: number;
  /** Where the sibling from the proof sits relative to the running hash. */
  siblingSide: 'left' | 'right';
  sibling: string;
  result: string;
}

export type ProofFailure = 'LEAF_INDEX_OUT_OF_RANGE' | 'PATH_TOO_LONG' | 'PATH_TOO_SHORT' | 'BAD_HEX';

export type RootFromProof =
  | { ok: true; root: string; steps: PathStep[] }
  | { ok: false; reason: ProofFailure; steps: PathStep[] };

/**
 * RFC 9162 §2.1.3.2 "Verifying an Inclusion Proof", steps 1–5, returning the computed root
 * (the caller compares it with a root it trusts). Arithmetic uses division rather than `>>`
 * because JS bit operators truncate to 32 bits and tree sizes are not bounded by that.
 */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHashHex: string,
  path: readonly string[],
): RootFromProof {
  const steps: PathStep[] = [];
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) {
    return { ok: false, reason: 'LEAF_INDEX_OUT_OF_RANGE', steps };
  }
  const half = (n: number) => Math.floor(n / 2);
  const lsb = (n: number) => n % 2 === 1;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHashHex.toLowerCase();
  try {
    for (let i = 0; i < path.length; i++) {
      const p = (path[i] ?? '').toLowerCase();
      if (sn === 0) return { ok: false, reason: 'PATH_TOO_LONG', steps };
      if (lsb(fn) || fn === sn) {
        r = nodeHash(p, r);
        steps.push({ index: i, siblingSide: 'left', sibling: p, result: r });
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        r = nodeHash(r, p);
        steps.push({ index: i, siblingSide: 'right', sibling: p, result: r });
      }
      fn = half(fn);
      sn = half(sn);
    }
  } catch {
    return { ok: false, reason: 'BAD_HEX', steps };
  }
  if (sn !== 0) return { ok: false, reason: 'PATH_TOO_SHORT', steps };
  return { ok: true, root: r, steps };
}

/** A single check shown to the auditor; the UI translates `check` into words. */
export type CheckName =
  | 'canonicalMatchesEntry'
  | 'payloadMatchesDigest'
  | 'leafHashMatches'
  | 'proofForRequestedLeaf'
  | 'proofTreeSizeMatchesHead'
  | 'proofRootMatchesHead'
  | 'pathComputesRoot';

export interface Check {
  check: CheckName;
  ok: boolean;
  expected?: string;
  actual?: string;
  /** Why the path could not even be walked. */
  reason?: ProofFailure;
}

export interface InclusionInput {
  /** The exact canonical string the server says it hashed. */
  canonical: string;
  /** The entry object as served, re-canonicalised here to show the hashed string is what is displayed. */
  entry?: unknown;
  serverLeafHash: string;
  /**
   * The payload as served, with the digest the hashed entry claims for it. The payload is not
   * in the leaf; only this digest ties it to the tree.
   */
  payload?: { value: unknown; digest: string };
  /** The leaf index the auditor asked about (seq − 1). */
  expectedLeafIndex: number;
  proof: { leafIndex: number; treeSize: number; rootHash: string; path: readonly string[] };
  /** The root the auditor trusts: the one in the signed tree head. */
  head: { treeSize: number; rootHash: string };
}

export interface InclusionResult {
  ok: boolean;
  computedLeafHash: string;
  computedRoot: string | null;
  checks: Check[];
  steps: PathStep[];
}

export function verifyInclusion(input: InclusionInput): InclusionResult {
  const checks: Check[] = [];

  if (input.entry !== undefined) {
    let recanonical: string | undefined;
    try {
      recanonical = canonicalize(input.entry);
    } catch {
      recanonical = undefined;
    }
    checks.push({
      check: 'canonicalMatchesEntry',
      ok: recanonical === input.canonical,
      expected: input.canonical,
      actual: recanonical ?? '',
    });
  }

  if (input.payload) {
    let digest = '';
    try {
      digest = payloadDigest(input.payload.value);
    } catch {
      digest = '';
    }
    checks.push({
      check: 'payloadMatchesDigest',
      ok: sameHex(digest, input.payload.digest),
      expected: input.payload.digest.toLowerCase(),
      actual: digest,
    });
  }

  // The leaf hash is recomputed from the string, never taken from the server.
  const computedLeafHash = leafHash(input.canonical);
  checks.push({
    check: 'leafHashMatches',
    ok: sameHex(computedLeafHash, input.serverLeafHash),
    expected: input.serverLeafHash.toLowerCase(),
    actual: computedLeafHash,
  });

  checks.push({
    check: 'proofForRequestedLeaf',
    ok: input.proof.leafIndex === input.expectedLeafIndex,
    expected: String(input.expectedLeafIndex),
    actual: String(input.proof.leafIndex),
  });
  checks.push({
    check: 'proofTreeSizeMatchesHead',
    ok: input.proof.treeSize === input.head.treeSize,
    expected: String(input.head.treeSize),
    actual: String(input.proof.treeSize),
  });
  checks.push({
    check: 'proofRootMatchesHead',
    ok: sameHex(input.proof.rootHash, input.head.rootHash),
    expected: input.head.rootHash.toLowerCase(),
    actual: input.proof.rootHash.toLowerCase(),
  });

  // Walk the path from OUR leaf hash against the HEAD's size, so a proof for a different
  // leaf or tree cannot pass even if the server's own fields were altered consistently.
  const walked = rootFromInclusionProof(input.expectedLeafIndex, input.head.treeSize, computedLeafHash, input.proof.path);
  const computedRoot = walked.ok ? walked.root : null;
  checks.push(
    walked.ok
      ? {
          check: 'pathComputesRoot',
          ok: sameHex(walked.root, input.head.rootHash),
          expected: input.head.rootHash.toLowerCase(),
          actual: walked.root,
        }
      : { check: 'pathComputesRoot', ok: false, reason: walked.reason, expected: input.head.rootHash.toLowerCase() },
  );

  return {
    ok: checks.every((c) => c.ok),
    computedLeafHash,
    computedRoot,
    checks,
    steps: walked.steps,
  };
}

/**
 * sm-crypto-v2 wants an uncompressed point with the 04 prefix (or a compressed one);
 * servers sometimes publish the bare 64-byte X‖Y, so accept that too.
 */
export function normalisePublicKey(hex: string): string {
  const k = hex.trim().toLowerCase();
  return k.length === 128 ? `04${k}` : k;
}

/**
 * SM2 (GB/T 32918) verification of the tree head's signed payload: Z_A over the signer's
 * user ID is mixed in (hash: true), which plain ECDSA on the SM2 curve would not do.
 */
export function verifyTreeHeadSignature(signedPayload: string, signatureHex: string, publicKeyHex: string): boolean {
  try {
    return sm2.doVerifySignature(utf8.encode(signedPayload), signatureHex.trim().toLowerCase(), normalisePublicKey(publicKeyHex), {
      hash: true,
      der: false,
      userId: SM2_USER_ID,
    });
  } catch {
    // A malformed key or signature is a failed verification, not a crash of the page.
    return false;
  }
}

/**
 * Whether the signed payload actually commits to the tree size and root shown next to it.
 * The payload format belongs to the server; accept JSON with treeSize/rootHash fields, or
 * any text that contains both values.
 */
export function payloadBindsHead(signedPayload: string, head: { treeSize: number; rootHash: string }): boolean {
  try {
    const parsed: unknown = JSON.parse(signedPayload);
    if (typeof parsed === 'object' && parsed !== null && 'treeSize' in parsed && 'rootHash' in parsed) {
      const p = parsed as { treeSize: unknown; rootHash: unknown };
      return Number(p.treeSize) === head.treeSize && typeof p.rootHash === 'string' && sameHex(p.rootHash, head.rootHash);
    }
  } catch {
    // not JSON: fall back to a textual check
  }
  const text = signedPayload.toLowerCase();
  return text.includes(head.rootHash.toLowerCase()) && new RegExp(`(^|\\D)${head.treeSize}(\\D|$)`).test(text);
}

/**
 * Whether a load's keys are certainly distinct, found while the rows stream past, so that the merge
 * can skip looking for duplicate keys in the database (a sort or hash of every staged row). Only a
 * 64-bit hash of each key is kept: equal keys have equal hashes, so no two equal hashes means no
 * duplicate. Two equal hashes mean a duplicate or (rarely) a collision: the merge then looks in the
 * database, which gives the exact rows. Memory is 16 bytes a key; past `maxKeys` the set stops
 * tracking and says "maybe", leaving it to the database.
 *
 * The key text is the value as checked (normalised, in COPY form). Two different texts can still be
 * one value in PostgreSQL (a timestamp written with two offsets); the merge's primary key catches
 * those, so this is a shortcut, never the only check.
 */
export class DistinctKeys {
  /** Pairs of 32-bit halves; (0, 0) marks an empty slot. */
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  #maybeDuplicates = false;
  readonly #maxKeys: number;

  constructor(maxKeys = 8_000_000) {
    this.#maxKeys = maxKeys;
    this.#slots = new Uint32Array(2 * 1024);
    this.#mask = 1024 - 1;
  }

  /** True when two added keys may be equal (or too many keys were added to tell). */
  get maybeDuplicates(): boolean {
    return this.#maybeDuplicates;
  }

  add(key: string): void {
    if (this.#maybeDuplicates) return;
    // Two FNV-1a lanes with different offsets and a final mix: 64 bits from one pass.
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    this.#addHash(a, b);
  }

  /**
   * The same as `add` for the key's text in UTF-8 (valid): the hash is taken over the UTF-16 code
   * units the bytes decode to, so a key added either way is the same key.
   */
  addBytes(bytes: Uint8Array, start: number, end: number): void {
    if (this.#maybeDuplicates) return;
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (let i = start; i < end; ) {
      let c = bytes[i]!;
      if (c < 0x80) i += 1;
      else if (c < 0xe0) {
        c = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
        i += 2;
      } else if (c < 0xf0) {
        c = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
        i += 3;
      } else {
        const cp = ((c & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
        i += 4;
        // A surrogate pair: the high unit here, the low one below.
        const high = 0xd800 + ((cp - 0x10000) >> 10);
        a = Math.imul(a ^ high, 0x01000193);
        b = Math.imul(b ^ high, 0x01000193) ^ (b >>> 15);
        c = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      }
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    this.#addHash(a, b);
  }

  #addHash(a: number, b: number): void {
    if (this.#size >= this.#maxKeys) {
      this.#maybeDuplicates = true;
      this.#slots = new Uint32Array(0);
      return;
    }
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0;
    b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35) >>> 0;
    if (a === 0 && b === 0) b = 1;
    if (!this.#insert(a, b)) {
      this.#maybeDuplicates = true;
      this.#slots = new Uint32Array(0);
      return;
    }
    this.#size += 1;
    if (this.#size * 2 > this.#mask + 1) this.#grow();
  }

  /** False when the hash is already there. */
  #insert(a: number, b: number): boolean {
    const slots = this.#slots;
    let i = (a ^ b) & this.#mask;
    for (;;) {
      const x = slots[2 * i]!;
      const y = slots[2 * i + 1]!;
      if (x === 0 && y === 0) {
        slots[2 * i] = a;
        slots[2 * i + 1] = b;
        return true;
      }
      if (x === a && y === b) return false;
      i = (i + 1) & this.#mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.#insert(old[i]!, old[i + 1]!);
    }
  }
}

/**
 * A small read-through cache with a short lifetime, for what the gateway looks up on every call
 * (grants, an entry's resources, a consumer's division). Concurrent misses of one key share one load;
 * a failed load is not kept. `clear()` drops everything at once (a grant changed in this process);
 * the lifetime bounds how long a change made by another replica takes to be seen.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: Promise<V>; until: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const value = load();
    const entry = { value, until: now + this.#ttlMs };
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

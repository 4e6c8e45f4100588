/**
 * Failed sign-ins per client address in a fixed window. The per-account lockout stops guessing one
 * password; this stops one address from guessing many accounts (or locking them all). It is kept in
 * memory: each replica counts its own share, which still bounds an address to `limit` × replicas
 * failures per window.
 */
export class LoginThrottle {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, { count: number; since: number }>();
  /** Stops an attacker with many addresses from growing the map without bound. */
  static readonly MAX_TRACKED = 100_000;

  constructor(options: { limit: number; windowMinutes: number; now?: () => number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMinutes * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfter(ip: string): number {
    const f = this.#current(ip);
    if (!f || f.count < this.#limit) return 0;
    return Math.max(1, Math.ceil((f.since + this.#windowMs - this.#now()) / 1000));
  }

  /** Counts a failure; returns true when this failure reached the limit. */
  fail(ip: string): boolean {
    const f = this.#current(ip);
    if (f) {
      f.count += 1;
      return f.count === this.#limit;
    }
    if (this.#failures.size >= LoginThrottle.MAX_TRACKED) this.#evictExpired();
    if (this.#failures.size >= LoginThrottle.MAX_TRACKED) this.#failures.delete(this.#failures.keys().next().value!);
    this.#failures.set(ip, { count: 1, since: this.#now() });
    return this.#limit === 1;
  }

  #current(ip: string): { count: number; since: number } | undefined {
    const f = this.#failures.get(ip);
    if (f && this.#now() - f.since >= this.#windowMs) {
      this.#failures.delete(ip);
      return undefined;
    }
    return f;
  }

  #evictExpired(): void {
    const now = this.#now();
    for (const [ip, f] of this.#failures) if (now - f.since >= this.#windowMs) this.#failures.delete(ip);
  }
}

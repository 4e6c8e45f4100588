/**
 * The per-grant rate limit (限流): a token bucket per grant, in this process's memory. A bucket holds
 * at most a minute's worth of calls and refills continuously at rateLimitPerMinute / 60 per second,
 * so a consumer may burst up to its minute's allowance and then goes at the granted pace.
 *
 * Per replica: N replicas behind a load balancer admit up to N times the rate in the worst case.
 * That is the usual trade for a limit that costs nothing per call (no shared counter to update);
 * a node that needs an exact cluster-wide limit puts it in the load balancer (DECISIONS §25).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number; perMinute: number }>();
  readonly #now: () => number;
  #takes = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Takes one call from the bucket of `key`. Returns 0 when the call may go ahead, else the whole
   * number of seconds (≥ 1) after which one will be allowed again (the Retry-After).
   */
  take(key: string, perMinute: number): number {
    const now = this.#now();
    if (++this.#takes % 10_000 === 0) this.#prune(now);
    const ratePerMs = perMinute / 60_000;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: perMinute, at: now, perMinute };
      this.#buckets.set(key, bucket);
    } else {
      // A changed limit takes effect at once: the difference is added to (or taken from) what is
      // left, so a raised limit is usable straight away and a lowered one caps what was saved up.
      const refilled = Math.min(bucket.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * (bucket.perMinute / 60_000));
      bucket.tokens = Math.max(0, Math.min(perMinute, refilled + perMinute - bucket.perMinute));
      bucket.perMinute = perMinute;
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  }

  /** Forgets buckets that have refilled (they would start full anyway). */
  #prune(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * (b.perMinute / 60_000) >= b.perMinute) this.#buckets.delete(key);
    }
  }
}

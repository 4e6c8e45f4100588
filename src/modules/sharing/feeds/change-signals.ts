/**
 * Wakes change-feed readers that wait for a table's next change (long polls, webhook dispatch). A load
 * committed in this process signals at once (ResourceService.onChanged); one committed on another
 * replica is found by a poll of the waited-on resources' change sequence numbers — one query for all
 * of them, and only while somebody waits — so it is seen within `pollMs`.
 */
export interface ChangeSignalsOptions {
  /** The last change sequence number of each resource (ResourceService.changeSeqs). */
  readSeqs: (resourceIds: readonly string[]) => Promise<Map<string, number>>;
  pollMs?: number | undefined;
  onError?: ((err: unknown) => void) | undefined;
}

interface Waiter {
  after: number;
  wake: (changed: boolean) => void;
}

export const DEFAULT_POLL_MS = 250;

export class ChangeSignals {
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #listeners = new Set<(resourceId: string, changeSeq: number) => void>();
  readonly #options: ChangeSignalsOptions;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;

  constructor(options: ChangeSignalsOptions) {
    this.#options = options;
  }

  /** A resource's changes up to `changeSeq` are committed. */
  notify(resourceId: string, changeSeq: number): void {
    for (const listener of this.#listeners) listener(resourceId, changeSeq);
    const waiters = this.#waiters.get(resourceId);
    if (!waiters) return;
    for (const w of [...waiters]) if (w.after < changeSeq) w.wake(true);
  }

  /** Every signal, for a reader that follows many resources (the webhook dispatcher). */
  listen(listener: (resourceId: string, changeSeq: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves true once the resource has a change after `after`, false after `ms` or when `signal`
   * aborts (the caller went away) or the signals close.
   */
  wait(resourceId: string, after: number, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || ms <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let set = this.#waiters.get(resourceId);
      if (!set) this.#waiters.set(resourceId, (set = new Set()));
      const waiters = set;
      const timeout = setTimeout(() => waiter.wake(false), ms);
      const onAbort = () => waiter.wake(false);
      const waiter: Waiter = {
        after,
        wake: (changed) => {
          clearTimeout(timeout);
          signal?.removeEventListener('abort', onAbort);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.#waiters.get(resourceId) === waiters) this.#waiters.delete(resourceId);
          if (this.#waiters.size === 0) this.#stopPolling();
          resolve(changed);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#startPolling();
    });
  }

  /** How many readers wait now (tests, metrics). */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }

  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w.wake(false);
    this.#stopPolling();
  }

  #startPolling(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#poll(), this.#options.pollMs ?? DEFAULT_POLL_MS);
    this.#timer.unref();
  }

  #stopPolling(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#waiters.size === 0) return;
    this.#polling = true;
    try {
      const seqs = await this.#options.readSeqs([...this.#waiters.keys()]);
      for (const [resourceId, seq] of seqs) {
        const waiters = this.#waiters.get(resourceId);
        if (waiters) for (const w of [...waiters]) if (w.after < seq) w.wake(true);
      }
    } catch (err) {
      this.#options.onError?.(err);
    } finally {
      this.#polling = false;
    }
  }
}

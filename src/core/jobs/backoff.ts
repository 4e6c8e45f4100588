/** How long a failed job waits before its next attempt. */
export interface BackoffPolicy {
  /** The wait after the first failure; it doubles with every further failure. */
  baseSeconds: number;
  /** The longest wait. */
  maxSeconds: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 3600 };

/**
 * The wait after `failures` failed attempts (≥ 1): exponential and capped, with "equal jitter" —
 * half the step fixed, half random — so that jobs failing together (a source that went down for
 * everyone) spread their retries out, while none comes back sooner than half its step.
 *
 * @example
 * retryDelayMs(1, { baseSeconds: 30, maxSeconds: 3600 }); // 15,000–30,000
 * retryDelayMs(3, { baseSeconds: 30, maxSeconds: 3600 }); // 60,000–120,000
 */
export function retryDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const step = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** exponent) * 1000;
  return Math.round(step / 2 + (random() * step) / 2);
}

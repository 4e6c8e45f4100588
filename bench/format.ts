/** Shared by the benchmark figures: how numbers are printed, and the median of a few runs. */

/** `12345.6` → `12,346`. */
export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function ratio(n: number, baseline: number): string {
  return (n / baseline).toFixed(n / baseline >= 10 ? 1 : 2);
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rejects when `promise` has not settled within `ms`, so a stuck benchmark cannot run forever. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

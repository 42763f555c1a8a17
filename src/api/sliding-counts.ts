// Counters over a sliding time window, kept in ten buckets: what the retry budget and the circuit breakers
// measure rates with. Time comes from the caller, so tests drive it with an injected clock.

const BUCKETS = 10;

export class SlidingCounts<K extends string> {
  private readonly counts = new Map<K, number[]>();
  private readonly bucketMs: number;
  private bucket: number | undefined;

  constructor(keys: readonly K[], windowMs: number) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
    for (const key of keys) this.counts.set(key, new Array<number>(BUCKETS).fill(0));
  }

  add(key: K, now: number): void {
    this.rotate(now);
    const series = this.series(key);
    series[BUCKETS - 1] = (series[BUCKETS - 1] ?? 0) + 1;
  }

  /** The count of `key` over the last window. */
  total(key: K, now: number): number {
    this.rotate(now);
    return this.series(key).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    for (const series of this.counts.values()) series.fill(0);
  }

  private series(key: K): number[] {
    const series = this.counts.get(key);
    if (!series) throw new Error(`SlidingCounts: unknown key ${key}`);
    return series;
  }

  /** Drops every bucket older than the window, however long the counter sat idle. */
  private rotate(now: number): void {
    const current = Math.floor(now / this.bucketMs);
    this.bucket ??= current;
    const steps = Math.min(BUCKETS, current - this.bucket);
    if (steps <= 0) return;
    for (const series of this.counts.values()) {
      series.splice(0, steps);
      series.push(...new Array<number>(steps).fill(0));
    }
    this.bucket = current;
  }
}

// Per-tool token buckets: each tool accepts up to N calls per minute, refilled continuously, so an agent stuck
// in a loop is slowed down with a clear retry-after instead of hammering the API.

export interface RateDecision {
  ok: boolean;
  /** When not ok: how long until a call would be accepted. */
  retryAfterMs: number;
}

export class ToolRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  take(tool: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(tool) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.set(tool, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.refillPerMs) };
  }
}

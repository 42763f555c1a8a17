// The pure parts of the retry policy: backoff bounds, Retry-After parsing and which requests may repeat.
import { describe, expect, it } from "vitest";
import { backoffDelayMs, isSafeToRepeat, parseRetryAfterMs } from "../../src/api/retry.js";

const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000, retryAfterCapMs: 5_000 };

describe("backoffDelayMs", () => {
  it("draws full jitter below an exponential ceiling that stops at maxDelayMs", () => {
    expect([0, 1, 2, 3, 4].map((i) => backoffDelayMs(i, policy, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  it("reads delta seconds, HTTP dates, and ignores garbage", () => {
    expect(parseRetryAfterMs("3", now)).toBe(3_000);
    expect(parseRetryAfterMs("Sun, 22 Nov 2026 12:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfterMs("Sun, 22 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe("isSafeToRepeat", () => {
  it("allows reads, PATCH and DELETE, and a POST only with an idempotency key", () => {
    expect(isSafeToRepeat("GET", false)).toBe(true);
    expect(isSafeToRepeat("PATCH", false)).toBe(true);
    expect(isSafeToRepeat("DELETE", false)).toBe(true);
    expect(isSafeToRepeat("POST", false)).toBe(false);
    expect(isSafeToRepeat("POST", true)).toBe(true);
  });
});

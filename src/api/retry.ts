// When and how long to wait before sending a request again. Pure functions plus injectable sleep, random and
// clock, so tests can assert the exact schedule without waiting for it.
import { type Clock, systemClock } from "./clock.js";
import type { ApiError } from "./errors.js";

export interface RetryPolicy {
  /** Extra attempts after the first; 0 disables retries. */
  maxRetries: number;
  /** Backoff ceiling for the first retry; doubles per attempt. */
  baseDelayMs: number;
  /** Backoff never waits longer than this. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited out: the error goes back to the caller instead. */
  retryAfterCapMs: number;
}

/** The clock retries run on, with the randomness the jitter draws from. */
export interface RetryTiming extends Clock {
  /** Uniform in [0, 1); drives the jitter. */
  random(): number;
}

export const realTiming: RetryTiming = { ...systemClock, random: Math.random };

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and min(max, base·2^attempt). Full jitter
 * spreads a crowd of clients that failed together, which plain exponential backoff keeps in lock-step.
 */
export function backoffDelayMs(retryIndex: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** Reads `Retry-After` as delta-seconds or an HTTP date. Returns undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Whether sending the same request twice cannot do anything twice. The contract makes GET, PATCH (same body)
 * and DELETE safe; a POST is only safe with an `Idempotency-Key`, which makes the upstream replay it.
 */
export function isSafeToRepeat(method: string, hasIdempotencyKey: boolean): boolean {
  const upper = method.toUpperCase();
  if (upper === "POST") return hasIdempotencyKey;
  return upper === "GET" || upper === "HEAD" || upper === "PATCH" || upper === "PUT" || upper === "DELETE";
}

export type RetryDecision = { retry: true; waitMs: number } | { retry: false };

/** Decides whether the failed attempt number `retryIndex` (0 = the first retry) is followed by another. */
export function decideRetry(
  error: ApiError,
  retryIndex: number,
  safeToRepeat: boolean,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (!error.transient || !safeToRepeat || retryIndex >= policy.maxRetries) return { retry: false };
  if (error.retryAfterMs !== undefined) {
    // The server said when; waiting less would only earn another 429/503, waiting past the cap would stall
    // the agent, so anything longer goes back to the caller with the hint.
    return error.retryAfterMs <= policy.retryAfterCapMs
      ? { retry: true, waitMs: error.retryAfterMs }
      : { retry: false };
  }
  return { retry: true, waitMs: backoffDelayMs(retryIndex, policy, random) };
}

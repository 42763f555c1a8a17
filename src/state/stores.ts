// The state that guards writes and money, behind interfaces: one implementation per process (memory.ts), one in
// Redis for several replicas (redis.ts), both held to the same contract (tests/state/contract.ts). Every key a caller
// passes already names the principal it belongs to (src/pipeline/principal.ts), so two callers never share an
// entry: not an idempotency record, a rate-limit bucket or a refund ledger.

/** Which idempotency key a write uses, and which keys are known to be done. */
export interface IdempotencyStore {
  /**
   * The key an earlier call claimed for `identity` within the last `ttlMs`, or `key`, now claimed for it. Atomic:
   * of two concurrent claims for one identity, both get the same key.
   */
  claim(identity: string, key: string, ttlMs: number): Promise<string>;
  /** Records that the API did the write sent with `key` (it answered 2xx). */
  markDone(key: string): Promise<void>;
  /** Whether a write with `key` was seen done before. */
  wasDone(key: string): Promise<boolean>;
}

export interface RateDecision {
  ok: boolean;
  /** When not ok: how long until a call would be accepted. */
  retryAfterMs: number;
}

/** Token buckets, full at first and refilled continuously at `perMinute`. */
export interface RateLimitStore {
  /** Takes a token from `bucket`, or says how long until one is there. */
  take(bucket: string, perMinute: number): Promise<RateDecision>;
}

/**
 * Small documents changed atomically: `change` sees the current document (undefined when there is none or it
 * expired) and returns the next one (undefined deletes it) with a result; when it throws, the document stays as
 * it was and the error reaches the caller. Changes to one key never interleave. `change` must be synchronous and
 * depend only on the document it is given: an optimistic store (Redis) may run it again on a conflict.
 * Documents are JSON values: the Redis store keeps them as JSON, so anything JSON cannot carry is lost there.
 * The refund ledgers (src/policy/refund-limits.ts) live here, because a limit checked in one step and counted in
 * another could be passed by two calls at once.
 */
export interface DocumentStore {
  update<D, T>(key: string, ttlMs: number, change: DocumentChange<D, T>): Promise<T>;
}

export type DocumentChange<D, T> = (doc: D | undefined) => { doc: D | undefined; result: T };

export interface StateStores {
  readonly idempotency: IdempotencyStore;
  readonly rateLimits: RateLimitStore;
  readonly documents: DocumentStore;
}

/** Whether a shared store answers, for a readiness check; `error` is a few words safe to show. */
export interface StateHealth {
  ok: boolean;
  latencyMs?: number;
  error?: string;
}

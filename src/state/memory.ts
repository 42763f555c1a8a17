// In-memory state stores: the embedded default, for one process (stdio, or a single HTTP replica). Bounded, so
// a long session or many callers cannot grow them without limit: idempotency records and rate-limit buckets are
// kept in LRUs, documents expire.
import { LRUCache } from "lru-cache";
import type { DocumentStore, IdempotencyStore, RateDecision, RateLimitStore, StateStores } from "./stores.js";

const MAX_IDENTITIES = 10_000;
const MAX_DONE_KEYS = 10_000;
const MAX_BUCKETS = 10_000;
const MAX_DOCUMENTS = 10_000;

export function memoryIdempotencyStore(now: () => number): IdempotencyStore {
  const claims = new LRUCache<string, { key: string; until: number }>({ max: MAX_IDENTITIES });
  const done = new LRUCache<string, true>({ max: MAX_DONE_KEYS });
  return {
    async claim(identity, key, ttlMs) {
      const earlier = claims.get(identity);
      if (earlier && earlier.until >= now()) return earlier.key;
      if (ttlMs > 0) claims.set(identity, { key, until: now() + ttlMs });
      return key;
    },
    async markDone(key) {
      done.set(key, true);
    },
    async wasDone(key) {
      return done.has(key);
    },
  };
}

export function memoryRateLimitStore(now: () => number): RateLimitStore {
  const buckets = new LRUCache<string, { tokens: number; updatedAt: number }>({ max: MAX_BUCKETS });
  return {
    async take(bucket, perMinute): Promise<RateDecision> {
      const at = now();
      const refillPerMs = perMinute / 60_000;
      const state = buckets.get(bucket) ?? { tokens: perMinute, updatedAt: at };
      state.tokens = Math.min(perMinute, state.tokens + (at - state.updatedAt) * refillPerMs);
      state.updatedAt = at;
      buckets.set(bucket, state);
      if (state.tokens >= 1) {
        state.tokens -= 1;
        return { ok: true, retryAfterMs: 0 };
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - state.tokens) / refillPerMs) };
    },
  };
}

export function memoryDocumentStore(now: () => number): DocumentStore {
  const documents = new LRUCache<string, { doc: unknown; until: number }>({ max: MAX_DOCUMENTS });
  return {
    // A change runs synchronously between reading and writing, so in one process no other change can come between.
    async update(key, ttlMs, change) {
      const current = documents.get(key);
      const live = current && current.until > now() ? current.doc : undefined;
      const next = change(live as never);
      if (next.doc === undefined) documents.delete(key);
      else documents.set(key, { doc: next.doc, until: now() + ttlMs });
      return next.result;
    },
  };
}

export function memoryStores(now: () => number): StateStores {
  return {
    idempotency: memoryIdempotencyStore(now),
    rateLimits: memoryRateLimitStore(now),
    documents: memoryDocumentStore(now),
  };
}

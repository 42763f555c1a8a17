// The state stores of a deployment with several replicas, in one Redis they share (the in-memory ones in
// memory.ts serve one process). Each store is held to the same contract (tests/state/contract.ts, run against
// Redis by `npm run test:services`). When Redis does not answer, idempotency keys and documents (the refund
// ledgers) fail closed with StateUnavailableError, rate limits fall back to each replica's memory, and health()
// says so for /readyz.
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { redisDocumentStore } from "./redis-documents.js";
import { describeRedisFailure } from "./redis-failures.js";
import { redisIdempotencyStore } from "./redis-idempotency.js";
import { redisRateLimitStore } from "./redis-rate-limits.js";
import type { StateHealth, StateStores } from "./stores.js";

export { connectRedis, type RedisTuning } from "./redis-client.js";

export interface RedisStoresOptions {
  /** Starts every key (`customer-mcp:` for example), so deployments sharing one Redis never meet. */
  readonly prefix: string;
  /** Epoch ms: the one clock expiry is decided by (the app's clock). */
  readonly now: () => number;
  readonly logger: Logger;
}

export interface RedisStateStores extends StateStores {
  /** Whether Redis answers a PING now, and how fast: for /readyz. Never throws. */
  health(): Promise<StateHealth>;
  /** Closes the client (QUIT, or a disconnect when Redis does not answer). */
  close(): Promise<void>;
}

export function redisStores(redis: Redis, options: RedisStoresOptions): RedisStateStores {
  const logger = options.logger.child({ component: "state" });
  return {
    idempotency: redisIdempotencyStore(redis, options),
    rateLimits: redisRateLimitStore(redis, { ...options, logger }),
    documents: redisDocumentStore(redis, options),
    async health() {
      const started = performance.now();
      try {
        await redis.ping();
        return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (error) {
        return { ok: false, error: describeRedisFailure(error) };
      }
    },
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

// The Redis state stores against the same contract as the memory ones (tests/state/contract.ts), on a real Redis,
// with the contract's clock injected.
import type { Redis } from "ioredis";
import { beforeAll } from "vitest";
import { redisStores } from "../../src/state/redis.js";
import { captureLogs } from "../helpers/logs.js";
import { documentStoreContract, idempotencyStoreContract, rateLimitStoreContract, type TestClock } from "../state/contract.js";
import { useRedis } from "./redis.js";

const env = useRedis();
let redis: Redis;
beforeAll(async () => {
  ({ redis } = await env.connect());
});
const stores = (clock: TestClock) =>
  redisStores(redis, { prefix: env.prefix, now: clock.now, logger: captureLogs().logger });

idempotencyStoreContract("redis", (clock) => stores(clock).idempotency);
rateLimitStoreContract("redis", (clock) => stores(clock).rateLimits);
documentStoreContract("redis", (clock) => stores(clock).documents);

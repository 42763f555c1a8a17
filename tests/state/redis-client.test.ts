// The Redis client with no Redis behind it (a loopback port nobody listens on): it still starts, says what is
// wrong without repeating the URL or its password, and every guard fails closed at once. The stores with a real
// Redis are tested in tests/services/.
import { describe, expect, it } from "vitest";
import { ConfigurationError, StateUnavailableError } from "../../src/errors.js";
import { connectRedis, redisStores } from "../../src/state/redis.js";
import { captureLogs } from "../helpers/logs.js";

describe("connectRedis", () => {
  it("refuses a URL that is not redis:// or rediss://, without repeating it", async () => {
    const failure = await connectRedis("http://admin:hunter2@cache.internal:6379", captureLogs().logger).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect(String((failure as Error).message)).not.toMatch(/hunter2|cache\.internal/);
  });

  it("starts without Redis; guards fail closed at once, health says why, and nothing logs the URL", async () => {
    const logs = captureLogs();
    // Port 1 on loopback: nobody listens, so every connection is refused at once.
    const redis = await connectRedis("redis://admin:hunter2@127.0.0.1:1/0", logs.logger, { connectTimeoutMs: 1_000 });
    try {
      const stores = redisStores(redis, { prefix: "never-written:", now: () => 0, logger: logs.logger });
      await expect(stores.idempotency.claim("identity", "key", 60_000)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(stores.documents.update("ledger", 60_000, () => ({ doc: 1, result: 1 }))).rejects.toMatchObject({
        code: "state_unavailable",
      });
      expect(await stores.rateLimits.take("bucket", 2)).toEqual({ ok: true, retryAfterMs: 0 });
      expect(await stores.health()).toEqual({ ok: false, error: "not connected to Redis" });
      expect(logs.lines().map((line) => line.msg)).toContain("Redis is unreachable: writes and refunds are refused until it is back");
      expect(logs.text()).not.toMatch(/hunter2|admin|127\.0\.0\.1:1\b|redis:\/\//);
    } finally {
      redis.disconnect();
    }
  });
});

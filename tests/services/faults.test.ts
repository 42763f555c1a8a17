// Real faults between a replica and Redis (a TCP proxy that stalls or cuts the connection): what guards a write
// or money fails closed with state_unavailable, within the command timeout when Redis hangs and at once when it is
// unreachable; rate limits fall back to the replica's memory (warned once); health() says what is wrong; and
// everything works again once Redis is back.
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError, StateUnavailableError } from "../../src/errors.js";
import { type RedisStateStores, redisStores } from "../../src/state/redis.js";
import type { CapturedLogs } from "../helpers/logs.js";
import { captureLogs } from "../helpers/logs.js";
import { testClock } from "../state/contract.js";
import { startRedisProxy, type RedisProxy } from "./proxy.js";
import { TEST_REDIS_URL, useRedis } from "./redis.js";
import { whenReady } from "./wait.js";

const COMMAND_TIMEOUT_MS = 300;
const env = useRedis();
const clock = testClock();
let proxy: RedisProxy;
let redis: Redis;
let logs: CapturedLogs;
let stores: RedisStateStores;
/** The same stores over a direct connection: what another replica, whose Redis link is fine, sees. */
let direct: RedisStateStores;

beforeAll(async () => {
  proxy = await startRedisProxy(TEST_REDIS_URL);
  ({ redis, logs } = await env.connect(proxy.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS, maxReconnectDelayMs: 100 }));
  stores = redisStores(redis, { prefix: env.prefix, now: clock.now, logger: logs.logger });
  const other = await env.connect();
  direct = redisStores(other.redis, { prefix: env.prefix, now: clock.now, logger: captureLogs().logger });
});
afterEach(async () => {
  proxy.restore();
  await whenReady(redis);
});
afterAll(() => proxy.close());

interface Counter {
  count: number;
}
const increment = (doc: Counter | undefined) => {
  const count = (doc?.count ?? 0) + 1;
  return { doc: { count }, result: count };
};

/** The refusal a guarded step fails with, checked for what the caller is told. */
async function refusal(step: Promise<unknown>): Promise<StateUnavailableError> {
  const error: unknown = await step.then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(StateUnavailableError);
  const refused = error as StateUnavailableError;
  expect(refused).toBeInstanceOf(AppError);
  expect(refused.code).toBe("state_unavailable");
  expect(refused.message).toContain("refused before it changed anything");
  expect(refused.nextStep).toContain("Nothing was changed. Writes and refunds are refused until");
  expect(refused.nextStep).toContain("read tools still work");
  return refused;
}

/** Milliseconds `step` took to settle. */
async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step().catch(() => undefined);
  return performance.now() - started;
}

describe("Redis hangs (the connection stays open, nothing comes back)", () => {
  it("refuses claims, done keys and document changes with state_unavailable after the command timeout", async () => {
    const doc = "ledger:hang";
    await stores.documents.update<Counter, number>(doc, 60_000, increment);
    proxy.stall();

    let changes = 0;
    const refused = await refusal(stores.documents.update<Counter, number>(doc, 60_000, (current) => {
      changes++;
      return increment(current);
    }));
    expect(changes).toBe(0);
    expect((refused.cause as Error).message).toBe("Redis did not answer within the command timeout");
    await refusal(stores.idempotency.claim("claim:hang", "key-1", 60_000));
    await refusal(stores.idempotency.wasDone("done:hang"));
    await refusal(stores.idempotency.markDone("done:hang"));

    const took = await timed(() => stores.idempotency.claim("claim:hang:2", "key-1", 60_000));
    expect(took).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 20);
    expect(took).toBeLessThan(COMMAND_TIMEOUT_MS + 500);
    expect(await stores.health()).toEqual({ ok: false, error: "Redis did not answer within the command timeout" });

    proxy.restore();
    // The document is as it was before the refused change; claims and done keys work again.
    expect(await stores.documents.update<Counter, number>(doc, 60_000, increment)).toBe(2);
    expect(await stores.idempotency.claim("claim:after-hang", "key-2", 60_000)).toBe("key-2");
    await stores.idempotency.markDone("done:after-hang");
    expect(await direct.idempotency.wasDone("done:after-hang")).toBe(true);
    expect(await stores.health()).toMatchObject({ ok: true });
  });

  it("lets rate-limited calls through on this replica's bucket once the command timed out", async () => {
    proxy.stall();
    const decision = await stores.rateLimits.take("bucket:hang", 2);
    expect(decision).toEqual({ ok: true, retryAfterMs: 0 });
  });
});

describe("Redis is unreachable (the connection is cut and new ones are refused)", () => {
  it("refuses guarded steps at once, and takes them again once Redis is back", async () => {
    proxy.cut();
    const refused = await refusal(stores.idempotency.claim("claim:cut", "key-1", 60_000));
    const causes = /^(not connected to Redis|connection to Redis failed \(E[A-Z]+\))$/;
    expect((refused.cause as Error).message).toMatch(causes);
    await refusal(stores.documents.update<Counter, number>("ledger:cut", 60_000, increment));
    expect(await timed(() => stores.idempotency.claim("claim:cut", "key-1", 60_000))).toBeLessThan(COMMAND_TIMEOUT_MS);
    expect(await stores.health()).toMatchObject({ ok: false, error: expect.stringMatching(/Redis/) });

    proxy.restore();
    await whenReady(redis);
    expect(await stores.idempotency.claim("claim:cut", "key-2", 60_000)).toBe("key-2");
    expect(await stores.documents.update<Counter, number>("ledger:cut", 60_000, increment)).toBe(1);
    expect(await stores.health()).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
  });

  it("keeps rate limits per replica while it is down, warning once, and shares them again once it is back", async () => {
    // Stores of their own, so an earlier test's outage (ended by no successful take yet) does not count.
    const own = captureLogs();
    const replica = redisStores(redis, { prefix: env.prefix, now: clock.now, logger: own.logger });
    const fallback = "Redis does not answer: rate limits are kept per replica until it is back";
    const warnings = () => own.lines().filter((line) => line.msg === fallback);
    proxy.cut();
    // The fallback bucket has the same semantics: 3 a minute, full at first, then a wait of 20 s.
    for (let i = 0; i < 3; i++) expect((await replica.rateLimits.take("bucket:cut", 3)).ok, `call ${i + 1}`).toBe(true);
    const refused = await replica.rateLimits.take("bucket:cut", 3);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBe(20_000);
    expect(warnings()).toHaveLength(1);

    proxy.restore();
    await whenReady(redis);
    // Shared again: calls through this replica and through another use one bucket in Redis.
    for (let i = 0; i < 2; i++) expect((await replica.rateLimits.take("bucket:shared", 3)).ok).toBe(true);
    expect((await direct.rateLimits.take("bucket:shared", 3)).ok).toBe(true);
    expect((await replica.rateLimits.take("bucket:shared", 3)).ok).toBe(false);
    expect(own.lines().map((line) => line.msg)).toContain("Redis answers again: rate limits are shared again");
    expect(warnings()).toHaveLength(1);
  });

  it("logs the outage once and its end, without the URL or the address", async () => {
    const outage = "Redis is unreachable: writes and refunds are refused until it is back";
    const outages = () => logs.lines().filter((line) => line.msg === outage);
    const before = outages().length;
    proxy.cut();
    await refusal(stores.idempotency.claim("claim:log", "key-1", 60_000));
    await stores.health();
    proxy.restore();
    await whenReady(redis);
    expect(outages().length - before).toBe(1);
    expect(logs.lines().filter((line) => line.msg === "Redis is reachable again").length).toBeGreaterThanOrEqual(1);
    expect(logs.text()).not.toContain(String(proxy.port));
    expect(logs.text()).not.toContain("redis://");
  });
});

// The Redis stores under the real server, through the real SDK client: an agent's retry that lands on another
// replica replays the first write, even across an idempotency window boundary where a replica on its own would
// derive a new key; and while Redis is unreachable reads go on while writes and refunds are refused with
// state_unavailable, with nothing written; and a refund the API made is reported made even when Redis goes away
// between the API's answer and the ledger's record of it.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStores } from "../../src/state/redis.js";
import { captureLogs } from "../helpers/logs.js";
import { manualClock, type TestContextOptions } from "../helpers/context.js";
import { useSandbox } from "../helpers/fixture.js";
import { callTool, errorOf } from "../helpers/mcp.js";
import { dataOf } from "../resilience/harness.js";
import { startRedisProxy, type RedisProxy } from "./proxy.js";
import { TEST_REDIS_URL, useRedis } from "./redis.js";
import { whenReady } from "./wait.js";

const WINDOW_MS = 600_000;
const env = useSandbox({ seed: 7 });
const redisEnv = useRedis();

/** A replica's context options: its own Redis client, the deployment's prefix, the given clock. */
function replica(
  redis: Redis,
  clock: TestContextOptions["clock"],
  limits: TestContextOptions["limits"] = {},
  logger = captureLogs().logger,
): TestContextOptions {
  return {
    ...(clock ? { clock } : {}),
    logger,
    limits: { idempotencyWindowMs: WINDOW_MS, ...limits },
    stores: (now) => redisStores(redis, { prefix: redisEnv.prefix, now, logger }),
  };
}

const ticket = (subject: string) => ({
  customer_id: env.sandbox.store.fixtures.demoCustomerId,
  subject,
  description: "Opened by the Redis service test.",
});

describe("two replicas behind one load balancer", () => {
  it("replay an agent's retry that lands on the other replica, across a window boundary", async () => {
    // Just before a window slot ends: the retry, two seconds later, falls in the next slot.
    const clock = manualClock(Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS + 10 * WINDOW_MS - 1_000);
    const [a, b] = [await redisEnv.connect(), await redisEnv.connect()];
    const first = await env.connect(replica(a.redis, clock));
    const second = await env.connect(replica(b.redis, clock));
    const before = env.sandbox.store.created.tickets;

    const made = dataOf<{ ticket: { id: string }; replayed: boolean }>(
      await callTool(first.client, "create_ticket", ticket("Charged twice")),
    );
    clock.advance(2_000);
    const retried = dataOf<{ ticket: { id: string }; replayed: boolean }>(
      await callTool(second.client, "create_ticket", ticket("Charged twice")),
    );
    expect(made.replayed).toBe(false);
    expect(retried).toMatchObject({ replayed: true, ticket: { id: made.ticket.id } });
    expect(env.sandbox.store.created.tickets - before).toBe(1);
  });
});

describe("a replica whose Redis is unreachable", () => {
  let proxy: RedisProxy;
  beforeAll(async () => {
    proxy = await startRedisProxy(TEST_REDIS_URL);
  });
  afterAll(() => proxy.close());

  it("serves reads, refuses writes and refunds with state_unavailable, and writes again once Redis is back", async () => {
    const { redis } = await redisEnv.connect(proxy.url, { commandTimeoutMs: 300, maxReconnectDelayMs: 100 });
    // Two servers on that replica: one that claims idempotency keys, one that does not (so the refund ledger is
    // the first guard a refund meets).
    const claiming = await env.connect(replica(redis, undefined));
    const unclaimed = await env.connect(replica(redis, undefined, { idempotencyWindowMs: 0 }));
    const { fixtures, created } = env.sandbox.store;
    const before = { tickets: created.tickets, refunds: created.refunds };
    const posts = env.sandbox.requests.count({ method: "POST" });

    proxy.cut();
    const read = await callTool(claiming.client, "get_customer", { customer_id: fixtures.demoCustomerId });
    expect(read.isError).toBeFalsy();

    const write = errorOf(await callTool(claiming.client, "create_ticket", ticket("During the outage")));
    expect(write).toMatchObject({ error_code: "state_unavailable", next_step: expect.stringContaining("Nothing was changed") });
    const refund = errorOf(await callTool(unclaimed.client, "issue_refund", {
      transaction_id: fixtures.refundableTransactionId,
      amount: 100,
      reason: "requested_by_customer",
    }));
    expect(refund.error_code).toBe("state_unavailable");
    expect({ tickets: created.tickets, refunds: created.refunds }).toEqual(before);
    expect(env.sandbox.requests.count({ method: "POST" })).toBe(posts);

    proxy.restore();
    await whenReady(redis);
    const after = dataOf<{ replayed: boolean }>(await callTool(claiming.client, "create_ticket", ticket("After the outage")));
    expect(after.replayed).toBe(false);
    expect(created.tickets - before.tickets).toBe(1);
  });

  it("reports a refund the API made as made when Redis goes away before the ledger records it", async () => {
    const { redis } = await redisEnv.connect(proxy.url, { commandTimeoutMs: 300, maxReconnectDelayMs: 100 });
    const logs = captureLogs();
    // One refund per session, so what the ledger still counts afterwards shows.
    const connected = await env.connect({
      ...replica(redis, undefined, { idempotencyWindowMs: 0 }, logs.logger),
      writes: { maxSessionRefundCount: 1 },
    });
    const { fixtures, created } = env.sandbox.store;
    const before = created.refunds;
    // Redis goes away exactly when the API client records the refund as done (SET of a done key): after the API's
    // answer, before the ledger's settlement.
    proxy.cutWhen((command) => /\r\nset\r\n/i.test(command) && command.includes(`${redisEnv.prefix}done=`));

    const refund = { transaction_id: fixtures.partiallyRefundedTransactionId, amount: 100, reason: "service_issue" };
    const made = dataOf<{ refund: { amount: { amount: number } }; replayed: boolean }>(
      await callTool(connected.client, "issue_refund", refund),
    );
    expect(made).toMatchObject({ refund: { amount: { amount: 100 } }, replayed: false });
    expect(created.refunds - before).toBe(1);
    const warnings = logs.lines().filter((line) => line.level === "warn").map((line) => line.msg);
    expect(warnings).toEqual(expect.arrayContaining([
      "could not record a write the API did",
      "could not settle a refund reservation; its amount stays reserved until the window ends",
    ]));

    // The reservation the ledger could not settle still counts: the session's one refund is used.
    proxy.restore();
    await whenReady(redis);
    const again = errorOf(await callTool(connected.client, "issue_refund", refund));
    expect(again.error_code).toBe("limit_exceeded");
    expect(created.refunds - before).toBe(1);
  });
});

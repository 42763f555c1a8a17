// Two replicas, each with its own Redis client, sharing one Redis: what the contract promises within one process
// holds across them. Concurrent claims for one identity get one key, concurrent changes to one document never
// interleave (the optimistic write settles the race), a rate-limit bucket is shared, and concurrent refunds through
// two RefundLimiters never pass a limit.
import { describe, expect, it, beforeAll } from "vitest";
import { LimitExceededError } from "../../src/errors.js";
import { RefundLimiter, type RefundLimits } from "../../src/policy/refund-limits.js";
import { type RedisStateStores, redisStores } from "../../src/state/redis.js";
import { captureLogs } from "../helpers/logs.js";
import { testClock } from "../state/contract.js";
import { useRedis } from "./redis.js";

const env = useRedis();
const clock = testClock();
let replicas: [RedisStateStores, RedisStateStores];

beforeAll(async () => {
  const connect = async () => {
    const { redis } = await env.connect();
    return redisStores(redis, { prefix: env.prefix, now: clock.now, logger: captureLogs().logger });
  };
  replicas = [await connect(), await connect()];
});

/** The replica the i-th of many concurrent calls lands on: every other call on the other one. */
const on = (i: number): RedisStateStores => replicas[i % 2] as RedisStateStores;
const settled = <T>(count: number, call: (i: number) => Promise<T>) =>
  Promise.allSettled(Array.from({ length: count }, (_, i) => call(i)));

describe("two replicas on one Redis", () => {
  it("give concurrent claims for one identity one key", async () => {
    const keys = await Promise.all(Array.from({ length: 40 }, (_, i) => on(i).idempotency.claim("identity:race", `key-${i}`, 60_000)));
    expect(new Set(keys).size).toBe(1);
    expect(await on(1).idempotency.claim("identity:race", "later", 60_000)).toBe(keys[0]);
  });

  it("see each other's done keys", async () => {
    await on(0).idempotency.markDone("cmcp-create_ticket-abc");
    expect(await on(1).idempotency.wasDone("cmcp-create_ticket-abc")).toBe(true);
  });

  it("never interleave concurrent changes to one document", async () => {
    const increment = (doc: { count: number } | undefined) => ({ doc: { count: (doc?.count ?? 0) + 1 }, result: 0 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => on(i).documents.update("counter:race", 60_000, increment)));
    const read = (doc: { count: number } | undefined) => ({ doc, result: doc?.count });
    expect(await on(0).documents.update("counter:race", 60_000, read)).toBe(60);
  });

  it("share one rate-limit bucket", async () => {
    const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => on(i).rateLimits.take("bucket:race", 5)));
    expect(decisions.filter((decision) => decision.ok)).toHaveLength(5);
  });
});

describe("refund limits across two replicas", () => {
  const limits: RefundLimits = {
    maxRefund: 10_000,
    maxSessionRefunds: 50_000,
    maxSessionRefundCount: 1_000,
    maxSessionCurrencies: 10,
  };
  const allowance = (i: number, ledger: string, over: Partial<RefundLimits> = {}) =>
    new RefundLimiter(on(i).documents, { ...limits, ...over }).allowance(ledger);

  it("never let concurrent refunds pass the total, and settle each exactly once", async () => {
    const ledger = "alice:2026-11-22";
    const results = await settled(30, (i) => allowance(i, ledger).reserve(5_000, "usd", `refund-${i}`));
    const reserved = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const refused = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    expect(reserved).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const reason of refused) expect(reason).toBeInstanceOf(LimitExceededError);
    expect((await allowance(0, ledger).usage()).used).toEqual({ usd: 50_000 });

    // Half are made, half are declined, settled concurrently from both replicas.
    await Promise.all(reserved.map((reservation, i) => (i % 2 ? reservation.release() : reservation.commit())));
    const usage = await allowance(1, ledger).usage();
    expect(usage).toEqual({ used: { usd: 25_000 }, refunds: 5, currencies: ["usd"] });
  });

  it("never let concurrent refunds pass the count across currencies", async () => {
    const ledger = "bob:2026-11-22";
    const currencies = ["usd", "eur", "gbp"];
    const results = await settled(12, (i) =>
      allowance(i, ledger, { maxSessionRefundCount: 4 }).reserve(100, currencies[i % 3] as string, `refund-${i}`));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(4);
    expect((await allowance(0, ledger).usage()).refunds).toBe(4);
  });

  it("count a refund repeated on the other replica once", async () => {
    const ledger = "carol:2026-11-22";
    await (await allowance(0, ledger).reserve(4_000, "usd", "lost-answer")).unknown();
    // The agent's retry lands on the other replica with the same key: it is the same refund.
    expect(await allowance(1, ledger).earlier("lost-answer")).toEqual({ amount: 4_000, currency: "usd" });
    await (await allowance(1, ledger).reserve(4_000, "usd", "lost-answer")).commit();
    expect((await allowance(0, ledger).usage()).used).toEqual({ usd: 4_000 });
  });
});

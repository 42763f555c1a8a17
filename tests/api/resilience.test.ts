// The policies of src/api/http.ts one by one, against the real sandbox: single flight, the read cache and its
// invalidation, stale-if-error, the circuit breaker's transitions, the call deadline, the bulkhead, the retry
// budget and cancellation of the upstream request.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { RetryBudget } from "../../src/api/budget.js";
import { createBreakers, failureShareLowerBound } from "../../src/api/breakers.js";
import { ApiCircuitOpenError, ApiOverloadedError, ApiServerError } from "../../src/api/errors.js";
import type { RetryTiming } from "../../src/api/retry.js";
import { mulberry32 } from "../../src/sandbox/random.js";
import { testApi, testContext } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";
import { recordingTiming } from "../helpers/timing.js";

const env = useSandbox({ seed: 7 });
beforeAll(async () => {
});
afterEach(() => {
  env.sandbox.faults.clear();
  env.sandbox.requests.clear();
  vi.useRealTimers();
});

const ada = () => env.sandbox.store.fixtures.demoCustomerId;
const customerPath = () => `/v1/customers/${ada()}`;
const exactly = (path: string) => env.sandbox.requests.all().filter((entry) => entry.path === path).length;

/** Timing whose sleeps advance its own clock instantly, so deadlines can be tested without waiting. */
function fastForwardTiming(start = 1_000_000): RetryTiming & { elapsed(): number } {
  let now = start;
  return {
    now: () => now,
    random: () => 1,
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      now += ms;
    },
    elapsed: () => now - start,
  };
}

describe("single flight", () => {
  it("sends one upstream request for 20 concurrent identical reads, even with the cache off", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 100, path: customerPath() });
    const api = testApi(env.sandbox);
    const results = await Promise.all(Array.from({ length: 20 }, () => api.customers.get(ada())));
    expect(new Set(results.map((customer) => customer.id))).toEqual(new Set([ada()]));
    expect(exactly(customerPath())).toBe(1);
  });

  it("keeps the shared request alive for the others when one caller cancels", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 100, path: customerPath() });
    const api = testApi(env.sandbox);
    const quitter = new AbortController();
    const cancelled = api.customers.get(ada(), { signal: quitter.signal }).catch((error: unknown) => error);
    const patient = api.customers.get(ada());
    quitter.abort();
    expect(await cancelled).toMatchObject({ code: "cancelled" });
    expect((await patient).id).toBe(ada());
    expect(exactly(customerPath())).toBe(1);
  });
});

describe("read cache", () => {
  let connected: Connected;
  beforeAll(async () => {
    connected = await connectInMemory(testContext(env.sandbox, { cache: { ttlMs: 60_000, staleMaxAgeMs: 600_000 } }));
  });
  afterAll(async () => {
    await connected.close();
  });

  it("serves a repeated read from the cache with its original fetched_at, and fresh: true goes upstream", async () => {
    const first = await callTool(connected.client, "get_customer", { customer_id: ada() });
    const second = await callTool(connected.client, "get_customer", { customer_id: ada() });
    expect(exactly(customerPath())).toBe(1);
    expect((second.structuredContent as { fetched_at: string }).fetched_at).toBe(
      (first.structuredContent as { fetched_at: string }).fetched_at,
    );
    await callTool(connected.client, "get_customer", { customer_id: ada(), fresh: true });
    expect(exactly(customerPath())).toBe(2);
  });

  it("drops cached ticket lists when a ticket is created", async () => {
    const search = () => callTool(connected.client, "search_tickets", { customer_id: ada(), status: "open" });
    const before = (await search()).structuredContent as { tickets: unknown[] };
    await search();
    expect(env.sandbox.requests.count({ method: "GET", path: "/v1/tickets" })).toBe(1);
    const created = await callTool(connected.client, "create_ticket", {
      customer_id: ada(),
      subject: "Cache invalidation check",
      description: "Created by the resilience test.",
    });
    expect(created.isError).toBeFalsy();
    const after = (await search()).structuredContent as { tickets: unknown[] };
    expect(env.sandbox.requests.count({ method: "GET", path: "/v1/tickets" })).toBe(2);
    expect(after.tickets.length).toBe(before.tickets.length + 1);
  });

  it("serves a recent answer marked stale while the API fails, but never for money", async () => {
    const tight = await connectInMemory(
      testContext(env.sandbox, {
        maxRetries: 0,
        timing: { ...recordingTiming(), now: () => Date.now() },
        cache: { ttlMs: 1, staleMaxAgeMs: 600_000 },
      }),
    );
    const ok = await callTool(tight.client, "get_customer", { customer_id: ada() });
    await callTool(tight.client, "list_transactions", { customer_id: ada() });
    await new Promise((resolve) => setTimeout(resolve, 5)); // let the 1 ms TTL lapse
    env.sandbox.faults.add({ kind: "status", status: 503 });
    const stale = await callTool(tight.client, "get_customer", { customer_id: ada() });
    expect(stale.isError).toBeFalsy();
    expect(stale.structuredContent).toMatchObject({
      stale: true,
      fetched_at: (ok.structuredContent as { fetched_at: string }).fetched_at,
    });
    const money = errorOf(await callTool(tight.client, "list_transactions", { customer_id: ada() }));
    expect(money.error_code).toBe("backend_unavailable");
    await tight.close();
  });

  it("serves nothing cached, not even stale, when the cache TTL is 0 (whatever the stale age says)", async () => {
    const off = await connectInMemory(
      testContext(env.sandbox, { maxRetries: 0, cache: { ttlMs: 0, staleMaxAgeMs: 600_000 } }),
    );
    const before = env.sandbox.requests.count({ method: "GET" });
    expect((await callTool(off.client, "get_customer", { customer_id: ada() })).isError).toBeFalsy();
    expect((await callTool(off.client, "get_customer", { customer_id: ada() })).isError).toBeFalsy();
    // Both reads went upstream: nothing was served from the cache.
    expect(env.sandbox.requests.count({ method: "GET" }) - before).toBeGreaterThanOrEqual(2);
    env.sandbox.faults.add({ kind: "status", status: 503 });
    const failed = errorOf(await callTool(off.client, "get_customer", { customer_id: ada() }));
    expect(failed.error_code).toBe("backend_unavailable");
    await off.close();
  });
});

describe("circuit breaker", () => {
  /** A clock that moves only when told to; the breaker's window and cooldown read it. */
  function steppedTiming(start = Date.parse("2026-11-22T12:00:00Z")) {
    let now = start;
    return { timing: { ...recordingTiming(), now: () => now }, advance: (ms: number) => (now += ms) };
  }
  const breakerSettings = { breakerMinAttempts: 10, breakerFailurePercent: 50, breakerCooldownMs: 5_000 };

  it("opens on a dead backend after 10 failed attempts, fails fast, probes after the cooldown and closes", async () => {
    const clock = steppedTiming();
    const api = testApi(env.sandbox, { maxRetries: 0, timing: clock.timing, api: breakerSettings });
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/customers" });
    for (let i = 0; i < 9; i++) await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    expect(api.breakerState("customers")).toBe("closed");
    await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    expect(api.breakerState("customers")).toBe("open");

    const started = performance.now();
    const fastFail = await api.customers.get(ada()).catch((error: unknown) => error);
    expect(performance.now() - started).toBeLessThan(100);
    expect(fastFail).toBeInstanceOf(ApiCircuitOpenError);
    expect((fastFail as ApiCircuitOpenError).retryAfterMs).toBe(5_000);
    expect(exactly(customerPath())).toBe(10);
    // Other route groups keep working while the customers breaker is open.
    await expect(api.segments.list()).resolves.toHaveLength(env.sandbox.store.segments.length);

    clock.advance(6_000);
    expect(api.breakerState("customers")).toBe("half-open");
    // The half-open probe fails: open again, and again failing fast.
    await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    expect(api.breakerState("customers")).toBe("open");
    await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiCircuitOpenError);

    clock.advance(6_000);
    env.sandbox.faults.clear();
    await expect(api.customers.get(ada())).resolves.toMatchObject({ id: ada() });
    expect(api.breakerState("customers")).toBe("closed");
    expect(api.breakerOpenings("customers")).toBe(2);
  });

  it("does not open on failures that have left the window", async () => {
    const clock = steppedTiming();
    const api = testApi(env.sandbox, { maxRetries: 0, timing: clock.timing, api: breakerSettings });
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/customers" });
    for (let i = 0; i < 9; i++) await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    clock.advance(11_000);
    for (let i = 0; i < 9; i++) await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    expect(api.breakerState("customers")).toBe("closed");
    await expect(api.customers.get(ada())).rejects.toBeInstanceOf(ApiServerError);
    expect(api.breakerState("customers")).toBe("open");
  });

  it("opens only when the window shows, beyond doubt, that at least half the attempts fail", () => {
    expect(failureShareLowerBound(9, 9)).toBeCloseTo(0.5);
    expect(failureShareLowerBound(10, 10)).toBeGreaterThan(0.5);
    expect(failureShareLowerBound(5, 10)).toBeLessThan(0.5);
    // With more attempts the share it takes comes down towards the threshold.
    expect(failureShareLowerBound(60, 100)).toBeLessThan(0.5);
    expect(failureShareLowerBound(70, 100)).toBeGreaterThan(0.5);
    expect(failureShareLowerBound(560, 1_000)).toBeGreaterThan(0.5);
  });

  /** Drives one breaker with the shipped settings through simulated steady traffic; returns its openings. */
  async function simulate(attemptsPerSecond: number, seconds: number, faultRate: number, seed: number) {
    let now = 0;
    const breakers = createBreakers(
      { failurePercent: 50, windowMs: 10_000, minimumAttempts: 10, cooldownMs: 5_000 },
      captureLogs().logger,
      () => now,
    );
    const random = mulberry32(seed);
    const failure = new ApiServerError("backend_unavailable", "down", { status: 503 });
    const attempt = () => (random() < faultRate ? Promise.reject(failure) : Promise.resolve());
    for (let i = 0; i < attemptsPerSecond * seconds; i++) {
      now += 1_000 / attemptsPerSecond;
      await breakers.execute("tickets", attempt).catch(() => undefined);
    }
    return breakers.openings("tickets");
  }

  it("never opens at a steady 30% fault rate, from 1 to 200 attempts a second (simulated hours)", async () => {
    // A plain "half of at least 20 attempts" rule opened 5 to 35 times an hour at 2 to 6 attempts a second.
    for (const rate of [1, 2, 3, 4, 6, 10]) {
      expect(await simulate(rate, 3_600, 0.3, rate), `openings in an hour at ${rate} attempts/s`).toBe(0);
    }
    for (const rate of [20, 50, 200]) {
      expect(await simulate(rate, 600, 0.3, rate), `openings in 10 minutes at ${rate} attempts/s`).toBe(0);
    }
  });

  it("opens within the first 10 attempts of a dead backend, however slow the traffic", async () => {
    for (const rate of [1, 5, 50]) expect(await simulate(rate, 10 / rate, 1, rate), `at ${rate} attempts/s`).toBe(1);
  });

  it("does not count 404s as failures", async () => {
    const api = testApi(env.sandbox, { api: { breakerMinAttempts: 2 } });
    for (let i = 0; i < 4; i++) await expect(api.customers.get("cus_doesnotexist00")).rejects.toThrow();
    expect(api.breakerState("customers")).toBe("closed");
  });

  it("reaches the model as backend_unavailable with a retry hint", async () => {
    const connected = await connectInMemory(
      testContext(env.sandbox, { maxRetries: 0, api: { breakerMinAttempts: 10, breakerCooldownMs: 30_000 } }),
    );
    env.sandbox.faults.add({ kind: "status", status: 502, path: "/v1/segments" });
    for (let i = 0; i < 10; i++) await callTool(connected.client, "list_segments", {});
    const error = errorOf(await callTool(connected.client, "list_segments", {}));
    expect(error).toMatchObject({ error_code: "backend_unavailable", retry_after_ms: expect.any(Number) });
    expect(error.message).toMatch(/pausing calls/);
    await connected.close();
  });
});

describe("deadline and budget", () => {
  it("never starts a retry that would end past the call's deadline", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/segments" });
    const timing = fastForwardTiming();
    const api = testApi(env.sandbox, { timing, maxRetries: 10, api: { callTimeoutMs: 1_000 } });
    await expect(api.segments.list()).rejects.toBeInstanceOf(ApiServerError);
    // Backoff ceilings 100, 200, 400 fit in 1 s; the next (800) would not.
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(4);
    expect(timing.elapsed()).toBeLessThan(1_000);
  });

  it("stops retrying when the retry budget is spent", () => {
    let now = 0;
    const budget = new RetryBudget({ percent: 20, minPerSecond: 10 }, () => now);
    for (let i = 0; i < 100; i++) budget.recordRequest();
    const granted = Array.from({ length: 200 }, () => budget.tryRetry()).filter(Boolean).length;
    // A reserve of 10 per second over the 10 s window, plus 20% of 100 requests.
    expect(granted).toBe(100 + 20);
    now += 11_000; // the window has moved on: old requests and retries no longer count
    expect(budget.tryRetry()).toBe(true);
  });

  it("applies the budget to real retries", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/segments" });
    const api = testApi(env.sandbox, {
      maxRetries: 5,
      api: { retryBudgetPercent: 0, retryBudgetMinPerSecond: 1 },
    });
    const list = () => api.segments.list().catch(() => undefined);
    // With a 0% share only the reserve is left: 1 per second over the 10 s window, 10 retries in all.
    await list();
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(1 + 5);
    await list();
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(2 + 10);
    await list();
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(3 + 10);
  });
});

describe("bulkhead", () => {
  it("refuses at once with rate_limited when every slot and the queue are taken", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 200, path: "/v1/segments" });
    const api = testApi(env.sandbox, { api: { maxConcurrency: 1, maxQueue: 0 } });
    const slow = api.segments.list();
    const started = performance.now();
    const refused = await api.customers.get(ada()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiOverloadedError);
    expect((refused as ApiOverloadedError).code).toBe("rate_limited");
    expect(performance.now() - started).toBeLessThan(150);
    await slow;
  });
});

describe("cancellation", () => {
  it("aborts the upstream request when the client cancels the tool call, and starts no retry", async () => {
    const connected = await connectInMemory(testContext(env.sandbox));
    env.sandbox.faults.add({ kind: "latency", latencyMs: 2_000, path: customerPath() });
    const controller = new AbortController();
    const call = connected.client
      .callTool({ name: "get_customer", arguments: { customer_id: ada() } }, undefined, { signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.waitFor(() => expect(exactly(customerPath())).toBe(1));
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await vi.waitFor(() => {
      const entry = env.sandbox.requests.all().find((request) => request.path === customerPath());
      expect(entry?.closedBeforeAnswer).toBe(true);
    });
    expect(exactly(customerPath())).toBe(1);
    await connected.close();
  });
});

describe("per-tool rate limit", () => {
  it("answers rate_limited with retry_after_ms once a tool's bucket is empty", async () => {
    const connected = await connectInMemory(testContext(env.sandbox, { limits: { callsPerMinutePerTool: 3 } }));
    for (let i = 0; i < 3; i++) {
      expect((await callTool(connected.client, "list_segments", {})).isError).toBeFalsy();
    }
    const error = errorOf(await callTool(connected.client, "list_segments", {}));
    expect(error.error_code).toBe("rate_limited");
    expect(error.retry_after_ms).toBeGreaterThan(0);
    // Other tools have their own bucket.
    expect((await callTool(connected.client, "get_customer", { customer_id: ada() })).isError).toBeFalsy();
    await connected.close();
  });
});

describe("idempotent writes", () => {
  it("replays a repeated identical write instead of writing twice, and writes again with a new key", async () => {
    const connected = await connectInMemory(testContext(env.sandbox, { limits: { idempotencyWindowMs: 600_000 } }));
    const note = { customer_id: ada(), body: "Called back about the invoice." };
    const before = env.sandbox.store.created.notes;
    const first = await callTool(connected.client, "add_customer_note", note);
    const again = await callTool(connected.client, "add_customer_note", note);
    expect(env.sandbox.store.created.notes).toBe(before + 1);
    expect(first.structuredContent).toMatchObject({ replayed: false });
    expect(again.structuredContent).toMatchObject({ replayed: true });
    expect((again.structuredContent as { note: { id: string } }).note.id).toBe(
      (first.structuredContent as { note: { id: string } }).note.id,
    );
    await callTool(connected.client, "add_customer_note", { ...note, idempotency_key: "second-call-0001" });
    expect(env.sandbox.store.created.notes).toBe(before + 2);
    await connected.close();
  });
});

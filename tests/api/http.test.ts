// The HTTP client's retry, timeout and validation behaviour, against the real sandbox with its fault injection.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { z } from "zod";
import { staticKeyAuth } from "../../src/api/auth.js";
import {
  ApiAuthError,
  ApiCancelledError,
  ApiInvalidResponseError,
  ApiNetworkError,
  ApiNotFoundError,
  ApiRateLimitError,
  ApiOutcomeUnknownError,
  ApiServerError,
  ApiTimeoutError,
} from "../../src/api/errors.js";
import { createHttpClient, type HttpClient } from "../../src/api/http.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { resilienceSettingsOf } from "../../src/api/index.js";
import { testApi, testConfig } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { recordingTiming } from "../helpers/timing.js";

const env = useSandbox({ seed: 11 });
beforeAll(async () => {
});
afterEach(() => {
  env.sandbox.faults.clear();
  env.sandbox.requests.clear();
});

function rawClient(options: { timeoutMs?: number; maxRetries?: number } = {}) {
  const timing = recordingTiming();
  const config = testConfig(env.sandbox, options);
  const http: HttpClient = createHttpClient({
    baseUrl: env.sandbox.url,
    auth: staticKeyAuth(env.sandbox.apiKey),
    settings: resilienceSettingsOf(config.api, config.cache),
    logger: captureLogs().logger,
    timing,
    userAgent: "customer-mcp-tests",
  });
  return { http, timing };
}

const TicketSchema = z.object({ id: z.string().startsWith("tkt_"), subject: z.string() });

function ticketBody() {
  const customer = env.sandbox.store.customers[0];
  if (!customer) throw new Error("sandbox has no customers");
  return {
    customer_id: customer.id,
    subject: "Card declined",
    description: "Customer reports a decline.",
    priority: "normal",
  };
}

describe("retries", () => {
  it("turns two 503s followed by a success into one success after three requests", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "GET", path: "/v1/segments", times: 2 });
    const timing = recordingTiming({ random: 0.5 });
    const segments = await testApi(env.sandbox, { timing }).segments.list();
    expect(segments.length).toBeGreaterThan(0);
    expect(env.sandbox.requests.count({ method: "GET", path: "/v1/segments" })).toBe(3);
    // Full jitter with random()=0.5: half of 100·2^0, then half of 100·2^1.
    expect(timing.sleeps).toEqual([50, 100]);
  });

  it("gives up after the configured number of retries and reports backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "GET", path: "/v1/segments" });
    const timing = recordingTiming();
    const error = await testApi(env.sandbox, { timing, maxRetries: 2 })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiServerError);
    expect((error as ApiServerError).code).toBe("backend_unavailable");
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(3);
    expect(timing.sleeps).toHaveLength(2);
  });

  it("waits exactly the Retry-After the API asks for (delta seconds)", async () => {
    env.sandbox.faults.add({ kind: "status", status: 429, retryAfter: "2", path: "/v1/segments", times: 1 });
    const timing = recordingTiming();
    await testApi(env.sandbox, { timing }).segments.list();
    expect(timing.sleeps).toEqual([2_000]);
  });

  it("reads a Retry-After given as an HTTP date against the injected clock", async () => {
    env.sandbox.faults.add({
      kind: "status",
      status: 503,
      retryAfter: "Sun, 22 Nov 2026 12:00:03 GMT",
      path: "/v1/segments",
      times: 1,
    });
    const timing = recordingTiming({ now: Date.parse("2026-11-22T12:00:00Z") });
    await testApi(env.sandbox, { timing }).segments.list();
    expect(timing.sleeps).toEqual([3_000]);
  });

  it("returns rate_limited with the hint instead of waiting out a Retry-After above the cap", async () => {
    env.sandbox.faults.add({ kind: "status", status: 429, retryAfter: "60", path: "/v1/segments" });
    const timing = recordingTiming();
    const error = await testApi(env.sandbox, { timing, retryAfterCapMs: 10_000 })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRateLimitError);
    expect((error as ApiRateLimitError).retryAfterMs).toBe(60_000);
    expect(timing.sleeps).toEqual([]);
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(1);
  });

  it("does not retry a 404", async () => {
    const error = await testApi(env.sandbox)
      .customers.get("cus_doesnotexist00")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNotFoundError);
    expect(env.sandbox.requests.count({ path: "/v1/customers/" })).toBe(1);
  });

  it("never retries a POST without an Idempotency-Key, even on a 503, and never advises repeating it", async () => {
    const { http, timing } = rawClient();
    const before = env.sandbox.store.created.tickets;
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/tickets", times: 1 });
    const error = await http
      .request({ method: "POST", path: "/v1/tickets", body: ticketBody(), schema: TicketSchema })
      .catch((e: unknown) => e);
    // A 503 may come after a commit, so the write's outcome is unknown; without a key a repeat could write twice.
    expect(error).toBeInstanceOf(ApiOutcomeUnknownError);
    expect((error as ApiOutcomeUnknownError).cause).toBeInstanceOf(ApiServerError);
    expect((error as ApiOutcomeUnknownError).nextStep).toMatch(/^Do not repeat it/);
    expect(env.sandbox.requests.count({ method: "POST", path: "/v1/tickets" })).toBe(1);
    expect(timing.sleeps).toEqual([]);
    expect(env.sandbox.store.created.tickets).toBe(before);
    http.close();
  });

  it("retries a POST with an Idempotency-Key after a reset-after-commit and writes it once", async () => {
    const { http } = rawClient();
    const before = env.sandbox.store.created.tickets;
    env.sandbox.faults.add({ kind: "reset_after", method: "POST", path: "/v1/tickets", times: 1 });
    const result = await http.request({
      method: "POST",
      path: "/v1/tickets",
      body: ticketBody(),
      idempotencyKey: "test-reset-after-commit-1",
      schema: TicketSchema,
    });
    expect(result.attempts).toBe(2);
    // The replay answered this request's own first attempt: nothing earlier made the ticket.
    expect(result.replayed).toBe(false);
    expect(env.sandbox.store.created.tickets).toBe(before + 1);
    // A later request with the same key is a replay of an earlier write.
    const again = await http.request({
      method: "POST",
      path: "/v1/tickets",
      body: ticketBody(),
      idempotencyKey: "test-reset-after-commit-1",
      schema: TicketSchema,
    });
    expect(again).toMatchObject({ attempts: 1, replayed: true, data: { id: result.data.id } });
    expect(env.sandbox.store.created.tickets).toBe(before + 1);
    http.close();
  });

  it("retries a body cut off mid-stream", async () => {
    env.sandbox.faults.add({ kind: "truncated_body", method: "GET", path: "/v1/segments", times: 1 });
    const segments = await testApi(env.sandbox).segments.list();
    expect(segments.length).toBeGreaterThan(0);
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(2);
  });

  it("reports backend_unavailable when nothing listens on the port", async () => {
    const closed = await startSandbox({ seed: 1, counts: { customers: 5, transactions: 5, tickets: 1 } });
    await closed.close();
    const timing = recordingTiming();
    const error = await testApi(closed, { timing, maxRetries: 1 })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiNetworkError);
    expect(timing.sleeps).toHaveLength(1);
  });
});

describe("response validation", () => {
  it("reports malformed JSON as upstream_invalid without retrying", async () => {
    env.sandbox.faults.add({ kind: "malformed_json", path: "/v1/segments" });
    const error = await testApi(env.sandbox)
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiInvalidResponseError);
    expect((error as Error).message).toContain("malformed JSON");
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(1);
  });

  it("reports a body that breaks the contract as upstream_invalid and names the field", async () => {
    env.sandbox.faults.add({ kind: "wrong_schema", path: "/v1/customers" });
    const error = await testApi(env.sandbox)
      .customers.search({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiInvalidResponseError);
    expect((error as Error).message).toMatch(/does not match its contract \(field `/);
  });

  it("tolerates fields the contract does not know and drops them", async () => {
    const customer = env.sandbox.store.customers[0];
    if (!customer) throw new Error("no customer");
    const fetched = await testApi(env.sandbox).customers.get(customer.id);
    expect(fetched.id).toBe(customer.id);
    expect(fetched).not.toHaveProperty("internal");
    expect(fetched).not.toHaveProperty("risk");
  });

  it("reports authentication_failed for a wrong key, without retrying", async () => {
    const error = await testApi(env.sandbox, { apiKey: "sk_wrong" })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiAuthError);
    expect((error as ApiAuthError).code).toBe("authentication_failed");
    expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(1);
  });
});

// Last in the file on purpose: the sandbox keeps sleeping on requests these tests abandon, and those late
// requests must not land in another test's counts.
describe("timeouts and cancellation", () => {
  it("times out an answer slower than the per-attempt timeout, then succeeds on the retry", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 1_000, path: "/v1/segments", times: 1 });
    const timing = recordingTiming();
    const segments = await testApi(env.sandbox, { timing, timeoutMs: 150 }).segments.list();
    expect(segments.length).toBeGreaterThan(0);
    expect(timing.sleeps).toHaveLength(1);
  });

  it("reports timeout when every attempt is too slow", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 1_000, path: "/v1/segments" });
    const error = await testApi(env.sandbox, { timeoutMs: 100, maxRetries: 1 })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
  });

  it("counts a body that trickles past the timeout as a timeout", async () => {
    env.sandbox.faults.add({ kind: "slow_body", latencyMs: 1_000, path: "/v1/segments" });
    const error = await testApi(env.sandbox, { timeoutMs: 150, maxRetries: 0 })
      .segments.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
  });

  it("stops at once, without retrying, when the caller cancels", async () => {
    env.sandbox.faults.add({ kind: "latency", latencyMs: 1_000, path: "/v1/segments" });
    const controller = new AbortController();
    const timing = recordingTiming();
    const pending = testApi(env.sandbox, { timing }).segments.list({ signal: controller.signal });
    setImmediate(() => controller.abort());
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCancelledError);
    expect(timing.sleeps).toEqual([]);
  });
});

// Fault injection: every kind, matching, rate and times, and what each does (or does not) commit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, type Segment, startSandbox, type Ticket } from "../../src/sandbox/index.js";
import { call, type ErrorBody, type Page } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 17, counts: { customers: 100, transactions: 500, tickets: 100 } });
});
afterEach(() => {
  sb.faults.clear();
  sb.requests.clear();
});
afterAll(() => sb.close());

const ticketBody = () => ({
  customer_id: sb.store.fixtures.demoCustomerId,
  subject: "Fault test",
  description: "Created under fault injection.",
  priority: "low",
});

describe("status faults", () => {
  it.each([
    [429, "rate_limited"],
    [500, "internal_error"],
    [502, "unavailable"],
    [503, "unavailable"],
    [504, "unavailable"],
    [408, "unavailable"],
    [401, "authentication_failed"],
    [403, "permission_denied"],
    [404, "not_found"],
    [409, "conflict"],
    [400, "invalid_request"],
  ])("answers an injected %i with the contract error type %s", async (status, type) => {
    sb.faults.add({ kind: "status", status, path: "/v1/segments" });
    const res = await call<ErrorBody>(sb, "/v1/segments", { headers: { "X-Request-Id": "trace-1" } });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ type, request_id: "trace-1" });
    expect(res.headers.get("retry-after")).toBeNull();
  });

  it("sends Retry-After when the rule has one", async () => {
    sb.faults.add({ kind: "status", status: 503, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT" });
    const res = await call(sb, "/v1/segments");
    expect(res.headers.get("retry-after")).toBe("Wed, 21 Oct 2026 07:28:00 GMT");
  });

  it("expires after `times` matching requests and reports remaining in list()", async () => {
    sb.faults.add({ kind: "status", status: 429, retryAfter: "2", path: "/v1/segments", times: 2 });
    expect(sb.faults.list()[0]?.remaining).toBe(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sb, "/v1/segments")).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect(sb.faults.list()).toEqual([]);
  });

  it("matches method case-insensitively and paths by prefix or ^regex", async () => {
    sb.faults.add({ kind: "status", status: 500, method: "post", path: "/v1/tickets" });
    sb.faults.add({ kind: "status", status: 502, path: "^/v1/customers/[^/]+/notes$" });
    expect((await call(sb, "/v1/tickets?limit=1")).status).toBe(200);
    expect((await call(sb, "/v1/tickets", { method: "POST", body: ticketBody() })).status).toBe(500);
    const ada = sb.store.fixtures.demoCustomerId;
    expect((await call(sb, `/v1/customers/${ada}/notes`)).status).toBe(502);
    expect((await call(sb, `/v1/customers/${ada}`)).status).toBe(200);
  });

  it("never faults /health", async () => {
    sb.faults.add({ kind: "status", status: 503 });
    expect((await call(sb, "/health")).status).toBe(200);
  });

  it("does not perform the operation", async () => {
    const before = sb.store.created.tickets;
    sb.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/tickets", times: 1 });
    expect((await call(sb, "/v1/tickets", { method: "POST", body: ticketBody() })).status).toBe(503);
    expect(sb.store.created.tickets).toBe(before);
  });

  it("applies a rate deterministically for a given seed", async () => {
    const run = async () => {
      const other = await startSandbox({
        seed: 99,
        counts: { customers: 3 },
        faults: [{ kind: "status", status: 500, rate: 0.5 }],
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await call(other, "/v1/segments")).status);
        return statuses;
      } finally {
        await other.close();
      }
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it("never applies a rule with rate 0", async () => {
    sb.faults.add({ kind: "status", status: 500, rate: 0 });
    expect((await call(sb, "/v1/segments")).status).toBe(200);
  });
});

describe("connection faults", () => {
  it("reset_before drops the connection without committing the write", async () => {
    const before = sb.store.created.tickets;
    sb.faults.add({ kind: "reset_before", method: "POST", path: "/v1/tickets", times: 1 });
    await expect(call(sb, "/v1/tickets", { method: "POST", body: ticketBody() })).rejects.toThrow();
    expect(sb.store.created.tickets).toBe(before);
    expect(sb.requests.all()[0]).toMatchObject({ status: null, fault: "reset_before" });
  });

  it("reset_after commits the write, idempotency record included, then drops the connection", async () => {
    const before = sb.store.created.tickets;
    sb.faults.add({ kind: "reset_after", method: "POST", path: "/v1/tickets", times: 1 });
    const headers = { "Idempotency-Key": "reset-after-1" };
    await expect(call(sb, "/v1/tickets", { method: "POST", body: ticketBody(), headers })).rejects.toThrow();
    expect(sb.store.created.tickets).toBe(before + 1);
    const retry = await call<Ticket>(sb, "/v1/tickets", { method: "POST", body: ticketBody(), headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(sb.store.created.tickets).toBe(before + 1);
  });

  it("truncated_body sends the full Content-Length but only part of the body", async () => {
    sb.faults.add({ kind: "truncated_body", path: "/v1/segments", times: 1 });
    await expect(call(sb, "/v1/segments")).rejects.toThrow();
    expect((await call(sb, "/v1/segments")).status).toBe(200);
    expect(sb.requests.all().map((e) => e.status)).toEqual([null, 200]);
  });
});

describe("body faults", () => {
  it("malformed_json answers 200 application/json that does not parse", async () => {
    sb.faults.add({ kind: "malformed_json", path: "/v1/segments" });
    const res = await call(sb, "/v1/segments");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it("wrong_schema answers valid JSON that breaks the contract", async () => {
    sb.faults.add({ kind: "wrong_schema", path: "/v1/" });
    const list = await call<Record<string, unknown>>(sb, "/v1/segments");
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body.data)).toBe(false);
    const one = await call<Record<string, unknown>>(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}`);
    expect(typeof one.body.id).toBe("number");
  });

  it("slow_body trickles the real body out over latencyMs", async () => {
    sb.faults.add({ kind: "slow_body", latencyMs: 150, path: "/v1/segments" });
    const started = performance.now();
    const res = await fetch(`${sb.url}/v1/segments`, { headers: { Authorization: `Bearer ${sb.apiKey}` } });
    const headersAt = performance.now() - started;
    const body = (await res.json()) as Page<Segment>;
    const total = performance.now() - started;
    expect(res.status).toBe(200);
    expect(body.data.length).toBe(sb.store.segments.length);
    expect(total).toBeGreaterThanOrEqual(140);
    expect(headersAt).toBeLessThan(total);
  });

  it("oversized_body answers 200 with valid JSON of exactly `bytes` bytes and commits the operation", async () => {
    const before = sb.store.created.tickets;
    sb.faults.add({ kind: "oversized_body", bytes: 300_000, method: "POST", path: "/v1/tickets", times: 1 });
    const res = await call<{ padding: string }>(sb, "/v1/tickets", { method: "POST", body: ticketBody() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Buffer.byteLength(res.text)).toBe(300_000);
    expect(res.headers.get("content-length")).toBe("300000");
    expect(res.body.padding).toMatch(/^x+$/);
    expect(sb.store.created.tickets).toBe(before + 1);
    expect(sb.requests.all()[0]).toMatchObject({ status: 200, fault: "oversized_body" });
  });

  it("oversized_body defaults to just over the client's 16 MiB cap and stops streaming when the client hangs up", async () => {
    sb.faults.add({ kind: "oversized_body", path: "/v1/segments", times: 1 });
    const abort = new AbortController();
    const res = await fetch(`${sb.url}/v1/segments`, {
      headers: { Authorization: `Bearer ${sb.apiKey}` },
      signal: abort.signal,
    });
    expect(Number(res.headers.get("content-length"))).toBe(17 * 1024 * 1024);
    const reader = res.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    abort.abort();
    await reader?.cancel().catch(() => undefined);
    // The sandbox stops streaming once the socket closes; the next request is served normally.
    expect((await call(sb, "/v1/segments")).status).toBe(200);
  });

  it("latency delays the answer and lets a following rule apply too", async () => {
    sb.faults.add({ kind: "latency", latencyMs: 100, path: "/v1/segments" });
    sb.faults.add({ kind: "latency", latencyMs: 50, path: "/v1/segments" });
    sb.faults.add({ kind: "status", status: 503, path: "/v1/segments" });
    const started = performance.now();
    const res = await call(sb, "/v1/segments");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(503);
    expect(sb.requests.all()[0]?.fault).toBe("status");
  });

  it("applies only the first matching non-latency rule", async () => {
    sb.faults.add({ kind: "status", status: 502, path: "/v1/segments" });
    sb.faults.add({ kind: "status", status: 500, path: "/v1/segments" });
    expect((await call(sb, "/v1/segments")).status).toBe(502);
  });
});

describe("FaultController", () => {
  it("adds, lists and removes rules by id", () => {
    const id = sb.faults.add({ kind: "latency", latencyMs: 10 });
    expect(sb.faults.list()).toEqual([{ kind: "latency", latencyMs: 10, id }]);
    expect(sb.faults.remove(id)).toBe(true);
    expect(sb.faults.remove(id)).toBe(false);
  });

  it("rejects an invalid rule", () => {
    expect(() => sb.faults.add({ kind: "status" })).toThrow(/status/);
    expect(() => sb.faults.add({ kind: "latency", path: "^(" })).toThrow();
    expect(() => sb.faults.add({ kind: "status", status: 200 })).toThrow();
    expect(() => sb.faults.add({ kind: "oversized_body", bytes: 8 })).toThrow(/bytes/);
    expect(() => sb.faults.add({ kind: "oversized_body", bytes: 1024 ** 3 })).toThrow(/bytes/);
  });

  it("takes initial rules from the options", async () => {
    const other = await startSandbox({
      counts: { customers: 3 },
      faults: [{ kind: "status", status: 503, times: 1 }],
    });
    try {
      expect((await call(other, "/v1/segments")).status).toBe(503);
      expect((await call(other, "/v1/segments")).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

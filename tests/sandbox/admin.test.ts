// The /_sandbox admin routes: fault control and stats over HTTP, API key only, never faulted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FaultRule, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { call, type ErrorBody } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 23, counts: { customers: 20, transactions: 40, tickets: 10 } });
});
afterEach(() => sb.faults.clear());
afterAll(() => sb.close());

describe("/_sandbox/faults", () => {
  it("adds a rule with POST and lists it with GET", async () => {
    const rule: FaultRule = { kind: "status", status: 503, path: "/v1/segments", times: 1, retryAfter: "1" };
    const created = await call<{ id: string }>(sb, "/_sandbox/faults", { method: "POST", body: rule });
    expect(created.status).toBe(201);
    const listed = await call<{ data: unknown[] }>(sb, "/_sandbox/faults");
    expect(listed.body.data).toEqual([{ ...rule, id: created.body.id, remaining: 1 }]);
    expect((await call(sb, "/v1/segments")).status).toBe(503);
    expect((await call(sb, "/v1/segments")).status).toBe(200);
  });

  it.each([
    ["an unknown kind", { kind: "explode" }],
    ["a status rule without status", { kind: "status" }],
    ["a misspelt field", { kind: "latency", latency_ms: 100 }],
    ["a rate above 1", { kind: "status", status: 500, rate: 2 }],
    ["an invalid regex path", { kind: "status", status: 500, path: "^[" }],
  ])("answers 400 for %s", async (_label, body) => {
    const res = await call<ErrorBody>(sb, "/_sandbox/faults", { method: "POST", body });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request");
  });

  it("deletes one rule by id, and 404s for an unknown id", async () => {
    const id = sb.faults.add({ kind: "latency", latencyMs: 1 });
    expect((await call(sb, `/_sandbox/faults/${id}`, { method: "DELETE" })).status).toBe(200);
    expect(sb.faults.list()).toEqual([]);
    expect((await call(sb, `/_sandbox/faults/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("clears all rules with DELETE", async () => {
    sb.faults.add({ kind: "latency", latencyMs: 1 });
    sb.faults.add({ kind: "status", status: 500, path: "/nothing" });
    const res = await call<{ cleared: number }>(sb, "/_sandbox/faults", { method: "DELETE" });
    expect(res.body.cleared).toBe(2);
    expect(sb.faults.list()).toEqual([]);
  });

  it("is never faulted itself", async () => {
    sb.faults.add({ kind: "status", status: 503 });
    expect((await call(sb, "/_sandbox/faults")).status).toBe(200);
  });

  it("requires the API key", async () => {
    expect((await call(sb, "/_sandbox/faults", { token: null })).status).toBe(401);
    expect((await call(sb, "/_sandbox/faults", { token: "sk_wrong_000000" })).status).toBe(401);
  });
});

describe("/_sandbox/stats", () => {
  it("reports the requests handled and the records created through the API", async () => {
    const before = await call<{ requests_total: number; created: { notes: number } }>(sb, "/_sandbox/stats");
    await call(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
      method: "POST",
      body: { body: "Stats note", author: "Maya" },
    });
    const after = await call<{ requests_total: number; created: { notes: number } }>(sb, "/_sandbox/stats");
    expect(after.body.requests_total).toBe(before.body.requests_total + 1);
    expect(after.body.created.notes).toBe(before.body.created.notes + 1);
  });
});

describe("POST /_sandbox/tokens/revoke", () => {
  it("revokes issued OAuth tokens", async () => {
    const grant = await fetch(`${sb.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }).toString(),
    });
    const { access_token: token } = (await grant.json()) as { access_token: string };
    expect((await call(sb, "/v1/segments", { token })).status).toBe(200);
    expect((await call(sb, "/_sandbox/tokens/revoke", { method: "POST" })).status).toBe(200);
    expect((await call(sb, "/v1/segments", { token })).status).toBe(401);
  });
});

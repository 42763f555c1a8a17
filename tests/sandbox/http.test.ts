// HTTP behaviour shared by all routes: errors, request ids, body limits, and robustness against bad input.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { call, type ErrorBody } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 31, counts: { customers: 50, transactions: 100, tickets: 20 } });
});
afterAll(() => sb.close());

/** Raw request bypassing fetch's own validation, for malformed input. */
function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${sb.url}${path}`,
      { method: init.method ?? "GET", headers: init.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("errors", () => {
  it("answers 404 not_found for an unknown route, with the contract error body", async () => {
    for (const path of ["/", "/v2/customers", "/v1/customers/", "/v1/unknown", "/v1//customers"]) {
      const res = await call<ErrorBody>(sb, path);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatchObject({ type: "not_found", message: expect.any(String) });
      expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
    }
  });

  it("answers 404 for a known path with an unsupported method", async () => {
    expect((await call(sb, "/v1/segments", { method: "DELETE" })).status).toBe(404);
  });

  it("answers 400 invalid_request for a body that is not JSON", async () => {
    const res = await call<ErrorBody>(sb, "/v1/tickets", { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request");
  });

  it.each(["[]", "42", '"text"', "null"])(
    "answers 400 when the JSON body %s is not an object",
    async (body) => {
      const res = await call<ErrorBody>(sb, "/v1/tickets", { method: "POST", body });
      expect(res.status).toBe(400);
    },
  );

  it("answers 413 with invalid_request for a body over 1 MiB", async () => {
    const big = JSON.stringify({ body: "x".repeat(1024 * 1024 + 10), author: "Maya" });
    const res = await call<ErrorBody>(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
      method: "POST",
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.body.error.type).toBe("invalid_request");
    expect(sb.store.created.notes).toBe(0);
  });

  it("ignores unknown body fields", async () => {
    const res = await call(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
      method: "POST",
      body: { body: "hi", author: "Maya", colour: "blue", __proto__: { admin: true } },
    });
    expect(res.status).toBe(201);
  });
});

describe("X-Request-Id", () => {
  it("echoes a client request id", async () => {
    const res = await call(sb, "/v1/segments", { headers: { "X-Request-Id": "client-abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("client-abc-123");
  });

  it("generates one when the client sent none or an unusable one", async () => {
    const none = await call(sb, "/v1/segments");
    expect(none.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]+$/);
    const tooLong = await call(sb, "/v1/segments", { headers: { "X-Request-Id": "r".repeat(201) } });
    expect(tooLong.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("robustness", () => {
  it("survives malformed input and keeps serving", async () => {
    const auth = { Authorization: `Bearer ${sb.apiKey}` };
    const attempts = [
      raw("/v1/customers?limit=%zz&query=%E0%A4%A", { headers: auth }),
      raw("/v1/customers/%00%ff", { headers: auth }),
      raw("/v1/tickets", {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: "\u0000\u0001",
      }),
      raw("/v1/customers", { headers: { Authorization: "Bearer" } }),
      raw("/v1/customers", { headers: { Authorization: "Basic Zm9vOmJhcg==" } }),
      raw("/oauth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{bad" }),
      raw("/oauth/token", {
        method: "POST",
        headers: { Authorization: "Basic !!!" },
        body: "grant_type=client_credentials",
      }),
      raw(`/v1/customers?cursor=${"A".repeat(5000)}`, { headers: auth }),
      raw("/_sandbox/faults", { method: "POST", headers: auth, body: "[1,2" }),
    ];
    const results = await Promise.all(attempts);
    for (const r of results) expect(r.status).toBeGreaterThanOrEqual(400);
    for (const r of results) expect(r.status).toBeLessThan(500);
    expect((await call(sb, "/health")).status).toBe(200);
  });

  it("serves many concurrent requests", async () => {
    const results = await Promise.all(
      Array.from({ length: 256 }, (_, i) =>
        call(sb, i % 2 ? `/v1/customers/${sb.store.fixtures.demoCustomerId}` : "/v1/customers?limit=5"),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

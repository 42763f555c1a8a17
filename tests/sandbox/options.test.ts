// startSandbox options: loopback-only hosts, closing, and the request log.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { call } from "./helpers.js";

describe("startSandbox", () => {
  it.each(["0.0.0.0", "192.168.1.10", "example.com", "::", "128.0.0.1", "127.0.0.300"])(
    "refuses the non-loopback host %s",
    async (host) => {
      await expect(startSandbox({ host, counts: { customers: 3 } })).rejects.toThrow(/loopback/);
    },
  );

  it.each(["127.0.0.1", "localhost", "127.0.0.2"])("listens on the loopback host %s", async (host) => {
    const sb = await startSandbox({ host, counts: { customers: 3 } });
    try {
      expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.\d:\d+$/);
      expect(sb.port).toBeGreaterThan(0);
      expect((await call(sb, "/health")).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it("rejects invalid counts", async () => {
    await expect(startSandbox({ counts: { customers: -1 } })).rejects.toThrow();
    await expect(startSandbox({ counts: { tickets: 1.5 } })).rejects.toThrow();
  });

  it("closes even with keep-alive connections and pending slow responses open", async () => {
    const sb = await startSandbox({
      counts: { customers: 3 },
      faults: [{ kind: "latency", latencyMs: 60_000 }],
    });
    await call(sb, "/health");
    const pending = fetch(`${sb.url}/v1/segments`, {
      headers: { Authorization: `Bearer ${sb.apiKey}` },
    }).catch((err: unknown) => err);
    await sb.close();
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${sb.url}/health`)).rejects.toThrow();
  });
});

describe("request log", () => {
  it("records method, path, status, fault, idempotency key and acting user, and counts by filter", async () => {
    const sb = await startSandbox({ counts: { customers: 3 }, clock: () => 1_000 });
    try {
      await call(sb, "/v1/segments?limit=1");
      await call(sb, "/v1/customers");
      await call(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
        method: "POST",
        body: { body: "x", author: "y" },
        headers: { "Idempotency-Key": "log-1", "X-Request-Id": "log-req", "X-On-Behalf-Of": "agent-7@example.com" },
      });
      expect(sb.requests.count()).toBe(3);
      expect(sb.requests.count({ method: "get" })).toBe(2);
      expect(sb.requests.count({ path: "/v1/customers" })).toBe(2);
      expect(sb.requests.all()[2]).toEqual({
        method: "POST",
        path: `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`,
        status: 201,
        fault: null,
        idempotencyKey: "log-1",
        onBehalfOf: "agent-7@example.com",
        replayed: false,
        requestId: "log-req",
        at: 1_000,
      });
      expect(sb.requests.all()[0]?.onBehalfOf).toBeNull();
      sb.requests.clear();
      expect(sb.requests.count()).toBe(0);
    } finally {
      await sb.close();
    }
  });
});

describe("acting user (X-On-Behalf-Of)", () => {
  it("refuses a value outside 1-255 visible ASCII characters as the contract says, naming the header", async () => {
    const sb = await startSandbox({ counts: { customers: 3 } });
    try {
      for (const value of ["two words", "x".repeat(256)]) {
        const answer = await call<{ error: { type: string; param: string } }>(sb, "/v1/customers", {
          headers: { "X-On-Behalf-Of": value },
        });
        expect(answer.status).toBe(400);
        expect(answer.body.error).toMatchObject({ type: "invalid_request", param: "X-On-Behalf-Of" });
      }
      expect((await call(sb, "/v1/customers", { headers: { "X-On-Behalf-Of": "x".repeat(255) } })).status).toBe(200);
    } finally {
      await sb.close();
    }
  });
});

describe("logger", () => {
  it("logs requests at debug level without query strings or other PII", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(line) });
    const sb = await startSandbox({ counts: { customers: 3 }, logger });
    try {
      await call(sb, "/v1/customers?email=ada.lovelace%40example.com");
      await call(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
        method: "POST",
        body: { body: "Secret note about Ada", author: "Maya" },
      });
    } finally {
      await sb.close();
    }
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(records.some((r) => r.msg === "sandbox request")).toBe(true);
    expect(records.every((r) => r.level === 20)).toBe(true);
    const text = lines.join("\n");
    expect(text).not.toContain("ada.lovelace");
    expect(text).not.toContain("Secret note");
    expect(text).not.toContain(sb.apiKey);
  });
});

// What the API layer refuses before it can do harm: upstream bodies over the size cap (a typed error, not
// memory), and path segments that could change the route.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { ApiInvalidResponseError } from "../../src/api/errors.js";
import { createCustomerApi } from "../../src/api/index.js";
import { DEFAULT_MAX_RESPONSE_BYTES, pathOf } from "../../src/api/transport.js";
import { DEFAULT_OVERSIZED_BYTES } from "../../src/sandbox/faults.js";
import { testConfig, testContext } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";
import { recordingTiming } from "../helpers/timing.js";

const env = useSandbox({ seed: 23 });
beforeAll(async () => {
});
afterEach(() => {
  env.sandbox.faults.clear();
  env.sandbox.requests.clear();
});

function cappedApi(maxResponseBytes: number) {
  const config = testConfig(env.sandbox);
  return createCustomerApi({
    baseUrl: env.sandbox.url,
    credentials: { kind: "api_key", apiKey: env.sandbox.apiKey },
    settings: config.api,
    logger: captureLogs().logger,
    timing: recordingTiming(),
    userAgent: "customer-mcp-tests",
    maxResponseBytes,
  });
}

describe("upstream response size cap", () => {
  it("fails a body over the cap as upstream_invalid, after one request and without retrying", async () => {
    const api = cappedApi(64 * 1024);
    try {
      env.sandbox.faults.add({ kind: "oversized_body", bytes: 1024 * 1024, path: "/v1/segments" });
      const error = await api.segments.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiInvalidResponseError);
      expect((error as ApiInvalidResponseError).code).toBe("upstream_invalid");
      expect((error as Error).message).toContain(`larger than ${64 * 1024} bytes`);
      expect(env.sandbox.requests.count({ path: "/v1/segments" })).toBe(1);
    } finally {
      api.close();
    }
  });

  it("still reads bodies within the cap", async () => {
    const api = cappedApi(64 * 1024);
    try {
      expect((await api.segments.list()).length).toBeGreaterThan(0);
    } finally {
      api.close();
    }
  });

  it("defaults to 16 MiB, which the sandbox's default oversized body exceeds", () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(16 * 1024 * 1024);
    expect(DEFAULT_OVERSIZED_BYTES).toBeGreaterThan(DEFAULT_MAX_RESPONSE_BYTES);
  });

  it("turns an oversized answer into a tool error with error_code, message and next_step, and keeps serving", async () => {
    const connected = await connectInMemory(testContext(env.sandbox));
    try {
      env.sandbox.faults.add({ kind: "oversized_body", path: "/v1/customers", times: 1 });
      const customerId = env.sandbox.store.fixtures.demoCustomerId;
      const error = errorOf(await callTool(connected.client, "get_customer", { customer_id: customerId }));
      expect(error).toMatchObject({
        error_code: "upstream_invalid",
        message: expect.stringContaining("larger than"),
        next_step: expect.any(String),
      });
      expect(error.message).not.toMatch(/http:|127\.0\.0\.1|xxxx/);
      const again = await callTool(connected.client, "get_customer", { customer_id: customerId });
      expect(again.isError).toBeFalsy();
    } finally {
      await connected.close();
    }
  });
});

describe("pathOf", () => {
  it("encodes every dynamic segment so it stays one segment", () => {
    expect(pathOf`/v1/customers/${"cus_1/notes?x=1#y"}`).toBe("/v1/customers/cus_1%2Fnotes%3Fx%3D1%23y");
    expect(pathOf`/v1/tickets/${"a b"}/comments`).toBe("/v1/tickets/a%20b/comments");
    expect(pathOf`/v1/customers/${"..%2f"}`).toBe("/v1/customers/..%252f");
  });

  it.each(["", ".", ".."])("refuses the segment %j, which URL parsing would resolve", (segment) => {
    expect(() => pathOf`/v1/customers/${segment}/notes`).toThrow(TypeError);
  });
});

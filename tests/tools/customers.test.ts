// search_customers and get_customer through the real SDK Client over an in-memory pair, against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { testContext } from "../helpers/context.js";
import { type CapturedLogs, captureLogs } from "../helpers/logs.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

let connected: Connected;
let logs: CapturedLogs;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  logs = captureLogs("debug");
  connected = await connectInMemory(testContext(env.sandbox, { logger: logs.logger, maxRetries: 1 }));
});
afterAll(async () => {
  await connected.close();
});

function ada() {
  const customer = env.sandbox.store.customers.find((c) => c.email === SANDBOX_DEMO_CUSTOMER_EMAIL);
  if (!customer) throw new Error("the sandbox has no demo customer");
  return customer;
}

describe("tools/list", () => {
  it("lists every registered tool in registry order, each with an output schema and all four annotations", async () => {
    const { tools } = await connected.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(allTools.map((tool) => tool.name));
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.outputSchema?.type).toBe("object");
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof tool.annotations?.[hint]).toBe("boolean");
      }
    }
    const search = tools.find((tool) => tool.name === "search_customers");
    expect(search?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  });
});

describe("search_customers", () => {
  it("finds a customer by exact email and returns summaries with ids", async () => {
    const result = await callTool(connected.client, "search_customers", {
      email: SANDBOX_DEMO_CUSTOMER_EMAIL,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      customers: [
        {
          id: ada().id,
          name: { untrusted: "customer", text: "Ada Lovelace" },
          email: SANDBOX_DEMO_CUSTOMER_EMAIL,
          status: "active",
        },
      ],
      next_cursor: null,
    });
    // The text fallback carries the same data for clients that ignore structuredContent.
    const text = result.content[0]?.type === "text" ? result.content[0].text : "";
    expect(JSON.parse(text)).toEqual(result.structuredContent);
  });

  it("pages with next_cursor without repeating customers", async () => {
    const first = await callTool(connected.client, "search_customers", { status: "active", limit: 5 });
    const firstPage = first.structuredContent as { customers: Array<{ id: string }>; next_cursor: string };
    expect(firstPage.customers).toHaveLength(5);
    const second = await callTool(connected.client, "search_customers", {
      status: "active",
      limit: 5,
      cursor: firstPage.next_cursor,
    });
    const secondIds = (second.structuredContent as { customers: Array<{ id: string }> }).customers.map(
      (c) => c.id,
    );
    expect(secondIds).toHaveLength(5);
    expect(secondIds.filter((id) => firstPage.customers.some((c) => c.id === id))).toEqual([]);
  });

  it("clamps an oversized limit instead of failing", async () => {
    const result = await callTool(connected.client, "search_customers", { limit: 5000 });
    expect((result.structuredContent as { customers: unknown[] }).customers).toHaveLength(100);
  });

  it("rejects a one-letter query with an actionable invalid_arguments error", async () => {
    const error = errorOf(await callTool(connected.client, "search_customers", { query: "a" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "query", message: expect.stringContaining("2") }]);
    expect(error.next_step).toBeTruthy();
  });

  it("reports an upstream 5xx as backend_unavailable and keeps serving", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/customers" });
    const error = errorOf(await callTool(connected.client, "search_customers", { query: "lovelace" }));
    expect(error.error_code).toBe("backend_unavailable");
    expect(error.message).not.toMatch(/request_id|\{|http:/);
    env.sandbox.faults.clear();
    const retry = await callTool(connected.client, "search_customers", { query: "lovelace" });
    expect(retry.isError).toBeFalsy();
  });
});

describe("get_customer", () => {
  it("returns the compact profile and recent transactions, never internal or risk fields", async () => {
    const result = await callTool(connected.client, "get_customer", {
      customer_id: ada().id,
      include_transactions: true,
    });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as {
      customer: Record<string, unknown>;
      recent_transactions: Array<Record<string, unknown>>;
    };
    expect(data.customer).toMatchObject({
      id: ada().id,
      name: { untrusted: "customer", text: "Ada Lovelace" },
      status: "active",
    });
    expect(data.recent_transactions.length).toBeGreaterThan(0);
    expect(data.recent_transactions[0]).toMatchObject({
      amount: { amount: expect.any(Number), currency: expect.any(String), display: expect.any(String) },
    });
    const text = JSON.stringify(result);
    for (const leaked of ["internal", "legacy_id", "risk", "fingerprint", "crm_sync_state", "metadata"]) {
      expect(text).not.toContain(leaked);
    }
  });

  it("accepts booleans sent as strings by lenient clients", async () => {
    const result = await callTool(connected.client, "get_customer", {
      customer_id: ada().id,
      include_transactions: "true",
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toHaveProperty("recent_transactions");
  });

  it("reports not_found for an id that does not exist", async () => {
    const error = errorOf(
      await callTool(connected.client, "get_customer", { customer_id: "cus_doesnotexist00" }),
    );
    expect(error.error_code).toBe("not_found");
    expect(error.next_step).toMatch(/search/);
  });

  it("rejects a malformed id before calling the API", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await callTool(connected.client, "get_customer", { customer_id: "../../admin" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([
      { path: "customer_id", message: expect.stringContaining("search_customers") },
    ]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("names an unknown argument instead of silently ignoring it", async () => {
    const error = errorOf(await callTool(connected.client, "get_customer", { customerId: ada().id }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(JSON.stringify(error.issues)).toContain("customerId");
  });
});

describe("logging", () => {
  it("logs each call with tool and call id, and never the API key", async () => {
    await callTool(connected.client, "get_customer", { customer_id: ada().id });
    const calls = logs.lines().filter((line) => line.msg === "audit");
    expect(calls.at(-1)).toMatchObject({ tool: "get_customer", outcome: "ok", call_id: expect.any(String) });
    expect(logs.text()).not.toContain(env.sandbox.apiKey);
  });
});

describe("protocol errors", () => {
  it("answers an unknown tool with a JSON-RPC error naming tools/list", async () => {
    await expect(connected.client.callTool({ name: "delete_everything", arguments: {} })).rejects.toThrow(
      /tools\/list/,
    );
  });
});

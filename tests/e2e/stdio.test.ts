// The real path: the built dist/index.js spawned over stdio with --sandbox, driven by raw JSON-RPC and by the
// SDK's own stdio client.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it, vi } from "vitest";
import { SANDBOX_DEMO_CUSTOMER_EMAIL, startSandbox } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { DIST_ENTRY, initialize, spawnServer } from "../helpers/spawn.js";

function expectOnlyJsonRpc(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const message = JSON.parse(line) as Record<string, unknown>;
    expect(message.jsonrpc).toBe("2.0");
  }
}

describe("dist/index.js --sandbox over stdio", () => {
  it("serves a whole session with nothing but JSON-RPC on stdout and logs on stderr, then exits 0 when stdin closes", async () => {
    const server = spawnServer(["--sandbox"]);
    const init = await initialize(server);
    expect(init.result).toMatchObject({
      protocolVersion: "2025-11-25",
      serverInfo: { name: "customer-mcp" },
      capabilities: { tools: {}, resources: {} },
      instructions: expect.stringContaining("search_customers"),
    });

    const list = (await server.request("tools/list")).result as { tools: Array<Record<string, unknown>> };
    // The default profile is readonly: every read tool, no write tool.
    const reads = allTools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name);
    expect(list.tools.map((tool) => tool.name)).toEqual(reads);

    const search = (await server.request("tools/call", {
      name: "search_customers",
      arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
    })) as { result: { structuredContent: { customers: Array<{ id: string }> } } };
    const id = search.result.structuredContent.customers[0]?.id;
    expect(id).toMatch(/^cus_/);

    const customer = (await server.request("tools/call", {
      name: "get_customer",
      arguments: { customer_id: id, include_transactions: true },
    })) as {
      result: { isError?: boolean; structuredContent: { customer: { name: { untrusted: string; text: string } } } };
    };
    expect(customer.result.isError).toBeFalsy();
    expect(customer.result.structuredContent.customer.name).toEqual({ untrusted: "customer", text: "Ada Lovelace" });

    const segments = (await server.request("resources/read", { uri: "customer://segments" })) as {
      result: { contents: Array<{ text: string }> };
    };
    expect(JSON.parse(segments.result.contents[0]?.text ?? "")).toHaveProperty("segments");

    const invalid = (await server.request("tools/call", {
      name: "get_customer",
      arguments: { customer_id: 42 },
    })) as {
      result: { isError: boolean };
    };
    expect(invalid.result.isError).toBe(true);

    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    expectOnlyJsonRpc(server.stdoutLines);
    const logs = server.stderrLines.map((line) => JSON.parse(line) as { msg: string });
    expect(logs.some((line) => line.msg.includes("--sandbox: using the built-in sandbox customer API"))).toBe(
      true,
    );
    expect(logs.some((line) => line.msg === "audit")).toBe(true);
  });

  it("exits 0 on SIGTERM", async () => {
    const server = spawnServer(["--sandbox"]);
    await initialize(server);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expectOnlyJsonRpc(server.stdoutLines);
  });

  it("on SIGTERM finishes the call in flight, refuses new calls, and exits 0", async () => {
    const sandbox = await startSandbox({
      seed: 3,
      faults: [{ kind: "latency", latencyMs: 800, path: "/v1/segments" }],
    });
    const server = spawnServer([], { CUSTOMER_API_URL: sandbox.url, CUSTOMER_API_KEY: sandbox.apiKey });
    try {
      await initialize(server);
      const slow = server.request("tools/call", { name: "list_segments", arguments: {} });
      await vi.waitFor(() => expect(sandbox.requests.count({ path: "/v1/segments" })).toBe(1), { timeout: 5_000 });
      server.child.kill("SIGTERM");
      await vi.waitFor(
        () => expect(server.stderrLines.some((line) => line.includes("taking no new calls"))).toBe(true),
        { timeout: 5_000 },
      );
      const refused = (await server.request("tools/call", { name: "list_segments", arguments: {} })) as {
        result: { isError: boolean; content: Array<{ text: string }> };
      };
      expect(refused.result.isError).toBe(true);
      expect(JSON.parse(refused.result.content[0]?.text ?? "{}")).toMatchObject({ error_code: "server_shutting_down" });
      const finished = (await slow) as { result: { isError?: boolean } };
      expect(finished.result.isError).toBeFalsy();
      expect(await server.exited).toBe(0);
      expectOnlyJsonRpc(server.stdoutLines);
    } finally {
      server.child.kill("SIGKILL");
      await sandbox.close();
    }
  });

  it("keeps serving after a failing backend and answers with a clear error", async () => {
    const faults = JSON.stringify([{ kind: "status", status: 503, path: "/v1/segments" }]);
    const server = spawnServer(["--sandbox"], {
      CUSTOMER_SANDBOX_FAULTS: faults,
      CUSTOMER_API_MAX_RETRIES: "0",
    });
    await initialize(server);
    const failed = await server.request("resources/read", { uri: "customer://segments" });
    expect(failed.error).toMatchObject({ message: expect.stringContaining("temporarily unavailable") });
    const ok = (await server.request("tools/call", {
      name: "search_customers",
      arguments: { query: "lovelace" },
    })) as {
      result: { isError?: boolean };
    };
    expect(ok.result.isError).toBeFalsy();
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    expectOnlyJsonRpc(server.stdoutLines);
  });

  it("works with the SDK's stdio client and validates structuredContent against the output schema", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [DIST_ENTRY, "--sandbox"],
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn" },
      stderr: "pipe",
    });
    const client = new Client({ name: "e2e-sdk-client", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe("customer-mcp");
      // The SDK client checks structuredContent against the tool's outputSchema and throws on a mismatch.
      await client.listTools();
      const result = await client.callTool({ name: "search_customers", arguments: { query: "lovelace" } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});

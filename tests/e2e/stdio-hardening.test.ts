// The built server over real stdio, fed junk between valid requests: every junk line gets a JSON-RPC error,
// the valid requests around it are still answered, stdout stays JSON-RPC only, and the process stays up.
import { describe, expect, it, vi } from "vitest";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import { initialize, type SpawnedServer, spawnServer } from "../helpers/spawn.js";

interface RpcLine {
  jsonrpc: string;
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

function parsedLines(server: SpawnedServer): RpcLine[] {
  return server.stdoutLines.map((line) => JSON.parse(line) as RpcLine);
}

/** Error answers to junk: the ones not addressed to a request the helper sent (those have numeric ids). */
function junkAnswers(server: SpawnedServer): Array<{ id: unknown; code: number; message: string }> {
  return parsedLines(server)
    .filter((line) => line.error && typeof line.id !== "number")
    .map((line) => ({ id: line.id, code: line.error?.code ?? 0, message: line.error?.message ?? "" }));
}

async function searchAda(server: SpawnedServer): Promise<void> {
  const response = (await server.request("tools/call", {
    name: "search_customers",
    arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
  })) as { result: { isError?: boolean; structuredContent: { customers: Array<{ id: string }> } } };
  expect(response.result.isError).toBeFalsy();
  expect(response.result.structuredContent.customers[0]?.id).toMatch(/^cus_/);
}

describe("dist/index.js over stdio, fed malformed input", () => {
  it("answers every bad line with a JSON-RPC error, keeps answering valid requests, and stays up", async () => {
    const server = spawnServer(["--sandbox"]);
    await initialize(server);

    server.writeLine("this is not JSON at all");
    await searchAda(server);
    server.writeLine('{"jsonrpc":"2.0","id":901,"method":"tools/call","params":{"name":"search_cust');
    server.writeLine(JSON.stringify({ jsonrpc: "1.0", id: "v1", method: "ping" }));
    expect((await server.request("ping")).result).toEqual({});
    server.child.stdin.write(Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a]));
    server.writeLine("\u0000\u0001\u0002");
    server.writeLine(JSON.stringify([{ jsonrpc: "2.0", id: 902, method: "ping" }]));
    server.writeLine("42");
    // Two megabytes in one line: over the 1 MiB cap, skipped without being buffered.
    server.writeLine(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 903,
        method: "tools/call",
        params: { name: "search_customers", arguments: { query: "x".repeat(2 * 1024 * 1024) } },
      }),
    );
    // Deep nesting under the size cap: refused before parsing (validating it would overflow the stack).
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    server.writeLine(
      `{"jsonrpc":"2.0","id":904,"method":"tools/call","params":{"name":"get_customer","arguments":{"customer_id":${deep}}}}`,
    );
    await searchAda(server);
    const tools = (await server.request("tools/list")) as { result: { tools: unknown[] } };
    expect(tools.result.tools.length).toBeGreaterThan(0);

    // Every junk answer is in stdout before the last valid answer: junk is answered as it is read, in order.
    expect(junkAnswers(server)).toEqual([
      { id: null, code: -32700, message: expect.stringMatching(/^Parse error/) },
      { id: null, code: -32700, message: expect.stringMatching(/^Parse error/) },
      { id: "v1", code: -32600, message: expect.stringContaining('jsonrpc must be "2.0"') },
      { id: null, code: -32700, message: expect.stringContaining("UTF-8") },
      { id: null, code: -32700, message: expect.stringMatching(/^Parse error/) },
      { id: null, code: -32600, message: expect.stringContaining("batches") },
      { id: null, code: -32600, message: expect.stringContaining("JSON object") },
      { id: null, code: -32600, message: expect.stringContaining("Request too large") },
      { id: null, code: -32600, message: expect.stringContaining("nested deeper than 64 levels") },
    ]);
    expect(parsedLines(server).some((line) => line.id === 903 || line.id === 904)).toBe(false);

    expect(server.child.exitCode).toBeNull();
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    for (const line of parsedLines(server)) expect(line.jsonrpc).toBe("2.0");
    const logs = server.stderrLines.map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(logs.filter((line) => line.msg === "stdio transport error")).toHaveLength(9);
    expect(logs.some((line) => line.level >= 50)).toBe(false);
  });

  it("mirrors none of the rejected lines to the client: stdout carries one answer per junk line, no log notifications", async () => {
    const server = spawnServer(["--sandbox"]);
    await initialize(server);
    for (let i = 0; i < 30; i++) server.writeLine(`junk ${i}`);
    expect((await server.request("ping")).result).toEqual({});
    const lines = parsedLines(server) as Array<RpcLine & { method?: string }>;
    expect(lines.filter((line) => line.method === "notifications/message")).toEqual([]);
    expect(junkAnswers(server)).toHaveLength(30);
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    // stderr keeps them, bounded: 20 a minute, the rest counted.
    const logged = server.stderrLines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "stdio transport error");
    expect(logged).toHaveLength(20);
    expect(logged.every((line) => line.mirror === false)).toBe(true);
  });

  // Changed deliberately (issue 12): requests before initialize used to be served; now only ping is.
  it("refuses requests before initialize with -32600 (ping excepted), then serves them once initialized", async () => {
    const server = spawnServer(["--sandbox"]);
    server.writeLine("{");
    const early = await server.request("tools/call", { name: "search_customers", arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL } });
    expect(early.error).toEqual({ code: -32600, message: expect.stringContaining("not initialized") });
    expect((await server.request("ping")).result).toEqual({});
    await initialize(server);
    await searchAda(server);
    expect(junkAnswers(server)).toEqual([{ id: null, code: -32700, message: expect.any(String) }]);
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    // The refused call never ran: the only audit record is the call made after initialize.
    const audit = server.stderrLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "audit");
    expect(audit).toHaveLength(1);
  });

  it("answers invalid params with -32602 in one line, and a reused in-flight id with -32600 without running it twice", async () => {
    const server = spawnServer(["--sandbox"], {
      CUSTOMER_SANDBOX_FAULTS: JSON.stringify([{ kind: "latency", latencyMs: 60_000, path: "/v1/tickets" }]),
      CUSTOMER_MCP_SHUTDOWN_GRACE_MS: "100",
    });
    await initialize(server);
    const level = await server.request("logging/setLevel", { level: "loud" });
    expect(level.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^Invalid params: level: [^\n]+$/),
    });
    const array = await server.request("tools/call", { name: "search_customers", arguments: [] });
    expect(array.error).toMatchObject({ code: -32602, message: expect.stringMatching(/^Invalid params: arguments: /) });

    // A ticket search hangs on the sandbox; the same id again is refused while it runs.
    const call = JSON.stringify({ jsonrpc: "2.0", id: "dup", method: "tools/call", params: { name: "search_tickets", arguments: { status: "open" } } });
    server.writeLine(call);
    server.writeLine(call);
    await vi.waitFor(() => expect(parsedLines(server).some((line) => line.id === "dup")).toBe(true));
    expect(parsedLines(server).filter((line) => line.id === "dup")).toEqual([
      { jsonrpc: "2.0", id: "dup", error: { code: -32600, message: expect.stringContaining("still in flight") } },
    ]);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // One record for the one search that ran (cut off by shutdown), none for the refused duplicate.
    const audit = server.stderrLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "audit");
    expect(audit.map((line) => [line.tool, line.outcome])).toEqual([["search_tickets", "interrupted"]]);
  });
});

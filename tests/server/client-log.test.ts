// MCP logging: the server's warnings and errors reach the client as notifications/message, at the level the
// client sets, with only safe fields. Real SDK client over the in-memory pair, real sandbox faults.
import { Writable } from "node:stream";
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { createLogger } from "../../src/logger.js";
import { ClientLogMirror } from "../../src/mcp/client-log.js";
import { RejectedMessageError } from "../../src/transports/stdio.js";
import { transportErrorLogger } from "../../src/transports/transport-log.js";
import { testContext } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

const env = useSandbox({ seed: 42 });

async function connectWithMirror() {
  const mirror = new ClientLogMirror();
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger({ level: "info", destination: stderr, onWarning: mirror.listener });
  const ctx = testContext(env.sandbox, { logger, maxRetries: 0 });
  const conn = await connectInMemory(ctx, { clientLog: mirror });
  const received: Array<LoggingMessageNotification["params"]> = [];
  conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    received.push(notification.params);
  });
  return { ...conn, logger, received, mirror };
}

describe("MCP logging", () => {
  it("declares the logging capability", async () => {
    const conn = await connectWithMirror();
    expect(conn.client.getServerCapabilities()?.logging).toEqual({});
    await conn.close();
  });

  it("mirrors a failing call's warning with tool, call id and error code, and nothing secret", async () => {
    const conn = await connectWithMirror();
    env.sandbox.faults.add({ kind: "status", status: 500, path: "/v1/customers", times: 1 });
    const error = errorOf(await callTool(conn.client, "get_customer", { customer_id: env.sandbox.store.fixtures.demoCustomerId }));
    expect(error.error_code).toBe("backend_error");
    await vi.waitFor(() => expect(conn.received.length).toBeGreaterThan(0));
    const warning = conn.received.find((message) => (message.data as { tool?: string }).tool === "get_customer");
    expect(warning).toMatchObject({
      level: "warning",
      logger: "customer-mcp",
      data: { tool: "get_customer", call_id: expect.any(String), error_code: "backend_error" },
    });
    expect(Object.keys(warning!.data as object).sort()).toEqual(["call_id", "error_code", "message", "tool"]);
    expect(JSON.stringify(conn.received)).not.toContain(env.sandbox.apiKey);
    env.sandbox.faults.clear();
    await conn.close();
  });

  it("follows logging/setLevel: below the level nothing is sent", async () => {
    const conn = await connectWithMirror();
    await conn.client.setLoggingLevel("error");
    conn.logger.warn("a warning the client asked not to see");
    conn.logger.error({ incident_id: "inc_1" }, "an error the client sees");
    conn.logger.info("info lines are never mirrored");
    await vi.waitFor(() => expect(conn.received).toHaveLength(1));
    expect(conn.received[0]).toMatchObject({ level: "error", data: { message: "an error the client sees", incident_id: "inc_1" } });
    await conn.client.setLoggingLevel("warning");
    conn.logger.warn("now it is sent");
    await vi.waitFor(() => expect(conn.received).toHaveLength(2));
    expect(conn.received[1]).toMatchObject({ level: "warning", data: { message: "now it is sent" } });
    await conn.close();
  });

  it("drops lines once detached, and a closed client never breaks logging", async () => {
    const conn = await connectWithMirror();
    await conn.close();
    expect(() => conn.logger.error("after close")).not.toThrow();
    conn.mirror.detach();
    conn.logger.error("after detach");
    expect(conn.received).toHaveLength(0);
  });

  it("keeps lines logged with mirror: false on stderr only: the transport's rejected lines are never echoed back", async () => {
    const conn = await connectWithMirror();
    const report = transportErrorLogger(conn.logger);
    for (let i = 0; i < 5; i++) report(new RejectedMessageError(-32700, "Parse error: the message is not valid JSON."));
    conn.logger.warn({ mirror: false }, "an operator-only warning");
    conn.logger.warn("a warning the client may see");
    await vi.waitFor(() => expect(conn.received).toHaveLength(1));
    expect(conn.received[0]).toMatchObject({ data: { message: "a warning the client may see" } });
    await conn.close();
  });
});

describe("transport error log", () => {
  it("logs at most maxPerWindow lines a window and counts the rest on the next line", async () => {
    const logs = captureLogs("info");
    const logger = logs.logger;
    let now = 0;
    const report = transportErrorLogger(logger, { maxPerWindow: 3, windowMs: 60_000, now: () => now });
    const junk = () => report(new RejectedMessageError(-32600, "Invalid Request: a message must be a JSON object."));
    for (let i = 0; i < 1_000; i++) junk();
    now = 60_000;
    junk();
    report(new Error("EPIPE"));
    await vi.waitFor(() => expect(logs.lines()).toHaveLength(5));
    const lines = logs.lines();
    expect(lines.map((line) => [line.msg, line.mirror, line.jsonrpc_code, line.suppressed_before])).toEqual([
      ["stdio transport error", false, -32600, undefined],
      ["stdio transport error", false, -32600, undefined],
      ["stdio transport error", false, -32600, undefined],
      ["stdio transport error", false, -32600, 997],
      ["stdio transport error", false, undefined, undefined],
    ]);
    expect(lines[4]).toMatchObject({ err: { message: "EPIPE" } });
  });
});

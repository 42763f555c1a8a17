// Spawns the built server (dist/index.js) as a child process and speaks raw JSON-RPC over its stdio, keeping
// every stdout and stderr line so tests can check that stdout carried nothing but JSON-RPC; or connects the SDK's
// own stdio client to it.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach } from "vitest";
import { confirmEverything, type ElicitationAnswer } from "./mcp.js";
import { repeatedKeys } from "./logs.js";

export const DIST_ENTRY = resolve("dist/index.js");

export interface SpawnedServer {
  child: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderrLines: string[];
  /** Sends a request and resolves with the response carrying the same id. */
  request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  notify(method: string, params?: Record<string, unknown>): void;
  /** Writes a raw line (for malformed-input tests). */
  writeLine(line: string): void;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** Servers still running: killed after each test, so a hung server or a timed-out test leaves nothing behind. */
const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

export function spawnServer(args: string[], env: Record<string, string> = {}): SpawnedServer {
  const child = spawn(process.execPath, [DIST_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  child.on("exit", () => running.delete(child));
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let nextId = 1;

  createInterface({ input: child.stdout }).on("line", (line) => {
    stdoutLines.push(line);
    try {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === "number") waiting.get(message.id)?.(message);
    } catch {
      // Kept in stdoutLines; the test asserts every line parses.
    }
  });
  createInterface({ input: child.stderr }).on("line", (line) => stderrLines.push(line));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const writeLine = (line: string) => child.stdin.write(`${line}\n`);
  return {
    child,
    stdoutLines,
    stderrLines,
    exited,
    writeLine,
    notify(method, params) {
      writeLine(JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) }));
    },
    request(method, params) {
      const id = nextId++;
      const answered = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
      writeLine(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) }));
      return answered;
    },
  };
}

export async function initialize(server: SpawnedServer): Promise<Record<string, unknown>> {
  const response = await server.request("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "e2e-test", version: "1.0.0" },
  });
  server.notify("notifications/initialized");
  return response;
}

export interface StdioConnected {
  client: Client;
  /** Every stderr line so far (JSON log lines). */
  stderrLines: string[];
  /** The audit records the server has written to stderr so far. */
  auditRecords(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The SDK's own Client over a spawned dist/index.js, answering confirmation forms with `elicitation` (null: a
 * client without elicitation). Closing ends stdin, so the server drains and exits as it would for a real client.
 */
export async function connectStdio(
  env: Record<string, string>,
  elicitation: ElicitationAnswer | null = confirmEverything,
): Promise<StdioConnected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [DIST_ENTRY],
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stderr: "pipe",
  });
  const stderrLines: string[] = [];
  const stderr = transport.stderr;
  if (stderr instanceof PassThrough) createInterface({ input: stderr }).on("line", (line) => stderrLines.push(line));
  const client = new Client({ name: "e2e-sdk-client", version: "1.0.0" }, {
    capabilities: elicitation ? { elicitation: { form: {} } } : {},
  });
  if (elicitation) client.setRequestHandler(ElicitRequestSchema, (request) => elicitation(request.params));
  await client.connect(transport);
  return {
    client,
    stderrLines,
    auditRecords: () =>
      stderrLines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg !== "audit") return [];
          const repeated = repeatedKeys(line);
          if (repeated.length > 0) throw new Error(`audit line names ${repeated.join(", ")} twice: ${line.slice(0, 300)}`);
          return [parsed];
        } catch (error) {
          if (error instanceof SyntaxError) return [];
          throw error;
        }
      }),
    close: () => client.close(),
  };
}

// How much smaller the MCP results of the main read tools are than the raw upstream JSON they were built from.
// Runs the real server (in memory) against an in-process sandbox; every upstream body a tool call read is counted
// through the API client's onResponse hook. Shared by `npm run measure:projection` and `npm run bench`.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import pino from "pino";
import { createCustomerApi } from "../../src/api/index.js";
import { parseCommand } from "../../src/config/config.js";
import { systemClock } from "../../src/context.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { memoryStores } from "../../src/state/memory.js";
import { createServer } from "../../src/mcp/server.js";
import { TOOL_NAMES } from "../../src/tools/index.js";

export const PROJECTION_SAMPLE = 100;
/** The target: the result text is at most this share of the raw upstream JSON. */
export const PROJECTION_TARGET = 0.4;

interface Case {
  tool: string;
  args(customerId: string): Record<string, unknown>;
  /** Whether the 40% target applies (the issue sets it for get_customer and get_customer_overview). */
  targeted: boolean;
}

const CASES: Case[] = [
  { tool: "get_customer", args: (id) => ({ customer_id: id }), targeted: true },
  { tool: "get_customer_overview", args: (id) => ({ customer_id: id }), targeted: true },
  // Reported for reference: transactions are compact upstream already, so this option shrinks less.
  { tool: "get_customer", args: (id) => ({ customer_id: id, include_transactions: true }), targeted: false },
];

/** Byte totals over the sample; divide by `samples` for averages. */
export interface ProjectionRow {
  label: string;
  targeted: boolean;
  raw: number;
  text: number;
  wire: number;
}

export interface ProjectionResult {
  samples: number;
  rows: ProjectionRow[];
}

export async function measureProjection(sample = PROJECTION_SAMPLE): Promise<ProjectionResult> {
  const sandbox = await startSandbox({ seed: 42 });
  // The per-tool rate limit would stop a measurement of hundreds of calls; it is not what is measured here.
  const command = parseCommand(["--sandbox"], { CUSTOMER_MCP_CALLS_PER_MINUTE: "100000" }, TOOL_NAMES);
  if (command.kind !== "serve") throw new Error("unexpected command");
  let upstreamBytes = 0;
  const logger = pino({ level: "silent" });
  const api = createCustomerApi({
    baseUrl: sandbox.url,
    credentials: { kind: "api_key", apiKey: sandbox.apiKey },
    settings: command.config.api,
    logger,
    userAgent: "measure-projection",
    onResponse: (event) => {
      upstreamBytes += event.rawBytes;
    },
  });
  // Measured as an operator granting PII sees it: masking would only make results smaller.
  const config = { ...command.config, access: { profile: "admin" as const, readOnly: false } };
  const server = createServer({ config, logger, api, clock: systemClock, state: memoryStores(systemClock.now) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "measure-projection", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);

  const customers = sandbox.store.customers.slice(0, sample);
  const rows: ProjectionRow[] = [];
  try {
    for (const testCase of CASES) {
      const label = `${testCase.tool} ${JSON.stringify(testCase.args("…"))}`;
      const row: ProjectionRow = { label, targeted: testCase.targeted, raw: 0, text: 0, wire: 0 };
      for (const customer of customers) {
        upstreamBytes = 0;
        const call = { name: testCase.tool, arguments: testCase.args(customer.id) };
        const result = (await client.callTool(call)) as CallToolResult;
        if (result.isError) throw new Error(`${testCase.tool} failed: ${JSON.stringify(result.content)}`);
        const text = result.content.find((item) => item.type === "text");
        row.raw += upstreamBytes;
        row.text += Buffer.byteLength(text?.type === "text" ? text.text : "");
        row.wire += Buffer.byteLength(JSON.stringify(result));
      }
      rows.push(row);
    }
  } finally {
    await client.close();
    await server.close();
    api.close();
    await sandbox.close();
  }
  return { samples: customers.length, rows };
}

export function projectionVerdict(row: ProjectionRow): "met" | "missed" | "no target (reference)" {
  if (!row.targeted) return "no target (reference)";
  return row.text / row.raw <= PROJECTION_TARGET ? "met" : "missed";
}

/** The markdown table of scripts/measure-projection.ts (docs/benchmarks.md, projection section). */
export function projectionTable(result: ProjectionResult): string {
  const n = result.samples;
  return [
    "| tool call | raw upstream JSON (avg bytes) | result text (avg bytes) | text / raw | whole result on the wire (avg bytes) | wire / raw | target text / raw ≤ 0.40 |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...result.rows.map((row) => {
      const textRatio = row.text / row.raw;
      return `| \`${row.label}\` | ${Math.round(row.raw / n)} | ${Math.round(row.text / n)} | ${textRatio.toFixed(2)} | ${Math.round(row.wire / n)} | ${(row.wire / row.raw).toFixed(2)} | ${projectionVerdict(row)} |`;
    }),
  ].join("\n");
}

// A bounded chaos soak: the built server (dist/index.js) spawned over stdio against a sandbox in this process that
// injects a random mix of faults, driven with 5,000 tool calls (mostly reads, some writes with distinct
// arguments), 16 in flight, over raw JSON-RPC. Bounded in count and in time. It checks that every request gets
// exactly one response, stdout carries only JSON-RPC, no write is done twice, the process survives and still
// answers, and its memory stays flat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultRule, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { initialize, type SpawnedServer, spawnServer } from "../helpers/spawn.js";
import { residentBytes, runPool } from "../resilience/harness.js";

const FAULTS: FaultRule[] = [
  { kind: "latency", latencyMs: 20, path: "/v1", rate: 0.05 },
  { kind: "status", status: 503, path: "/v1", rate: 0.05 },
  { kind: "status", status: 429, retryAfter: "0", path: "/v1", rate: 0.03 },
  { kind: "reset_after", method: "POST", path: "/v1", rate: 0.05 },
  { kind: "malformed_json", method: "GET", path: "/v1", rate: 0.01 },
];
const TOTAL_CALLS = 5_000;
const WARM_UP_CALLS = 500;
const IN_FLIGHT = 16;
/** No new call is sent after this, whatever happened; the test timeout covers it plus the tail. */
const SEND_WINDOW_MS = 60_000;
/** A call that gets no response within this counts as unanswered instead of hanging the test. */
const RESPONSE_TIMEOUT_MS = 30_000;
/**
 * Guards against unbounded growth (leaked calls, timers, sockets, cache or key maps); it is not a benchmark. Measured
 * with the heap cap below: 5-12 MB.
 */
const MAX_RSS_GROWTH_BYTES = 50 * 1024 * 1024;
/** Error codes the faults above can legitimately produce once retries run out. */
const EXPECTED_ERRORS = ["upstream_invalid", "backend_unavailable", "rate_limited", "timeout", "outcome_unknown"];

interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

interface Answer {
  result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ text?: string }> };
  error?: unknown;
}

const QUERIES = ["an", "er", "in", "ar", "son", "le", "ma", "ri", "@example", "ol"];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 97, faults: FAULTS });
});
afterAll(() => sandbox.close());

/** The i-th call: 1 in 10 a write with its own arguments, the rest reads spread over customers and queries. */
function callFor(i: number): ToolCall {
  const customers = sandbox.store.customers;
  const customerId = customers[(i * 7_919) % customers.length]?.id ?? "";
  switch (i % 20) {
    case 0:
      return {
        name: "create_ticket",
        arguments: { customer_id: customerId, subject: `Soak ticket ${i}`, description: `Opened by soak call ${i}.` },
      };
    case 10:
      return { name: "add_customer_note", arguments: { customer_id: customerId, body: `Soak note ${i}.` } };
    case 1:
    case 4:
    case 7:
    case 13:
    case 16:
    case 19:
      return { name: "search_customers", arguments: { query: QUERIES[i % QUERIES.length], limit: 5 + (i % 7) } };
    case 2:
    case 5:
    case 11:
    case 14:
    case 17:
      return { name: "list_transactions", arguments: { customer_id: customerId, limit: 5 } };
    default:
      return { name: "get_customer", arguments: { customer_id: customerId } };
  }
}

/** Sends one tools/call; resolves with the response, or undefined when none came in time. */
async function send(server: SpawnedServer, call: ToolCall): Promise<Answer | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), RESPONSE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([server.request("tools/call", { ...call }) as Promise<Answer>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorCodeOf(answer: Answer): string {
  const text = answer.result?.content?.[0]?.text ?? "{}";
  return String((JSON.parse(text) as { error_code?: unknown }).error_code);
}

describe("chaos soak of dist/index.js over stdio", () => {
  it(`answers ${TOTAL_CALLS} calls under random faults exactly once each, writes nothing twice and stays flat`, { timeout: 150_000 }, async () => {
    const server = spawnServer([], {
      CUSTOMER_API_URL: sandbox.url,
      CUSTOMER_API_KEY: sandbox.apiKey,
      CUSTOMER_MCP_PROFILE: "admin",
      CUSTOMER_API_RETRY_BASE_MS: "1",
      CUSTOMER_API_RETRY_MAX_DELAY_MS: "5",
      CUSTOMER_MCP_CALLS_PER_MINUTE: "100000",
      // Small enough that the bounded cache is full by the end of the warm-up, so later growth is not the cache.
      CUSTOMER_MCP_CACHE_MAX_ENTRIES: "200",
      LOG_LEVEL: "warn",
      // V8 grows the old generation lazily: uncapped, RSS rose 15-60 MB over these calls from heap sizing alone
      // (measured), which would drown a leak or flake the bound. Capped, it collects instead; a leak then shows
      // as growth, or as an out-of-memory exit that the liveness and one-response-per-id checks catch.
      NODE_OPTIONS: "--max-old-space-size=128",
    });
    const pid = server.child.pid ?? 0;
    let sent = 1; // initialize
    try {
      await initialize(server);
      const answers: Array<Answer | undefined> = [];
      let rssAfterWarmUp: number | undefined;
      const stopAt = Date.now() + SEND_WINDOW_MS;
      const started = performance.now();
      const issued = await runPool(TOTAL_CALLS, IN_FLIGHT, async (i) => {
        sent++;
        answers[i] = await send(server, callFor(i));
        if (i === WARM_UP_CALLS) rssAfterWarmUp = residentBytes(pid);
      }, stopAt);
      const elapsedMs = performance.now() - started;

      // Every call got an answer, and no answer is a protocol-level error or an unexpected failure.
      expect(issued).toBeGreaterThan(WARM_UP_CALLS);
      const unanswered = answers.slice(0, issued).filter((answer) => answer === undefined).length;
      expect(unanswered, "calls without a response").toBe(0);
      const answered = answers.slice(0, issued) as Answer[];
      expect(answered.filter((answer) => answer.error !== undefined), "JSON-RPC errors").toEqual([]);
      const codes = answered.filter((answer) => answer.result?.isError).map(errorCodeOf);
      expect(codes.filter((code) => !EXPECTED_ERRORS.includes(code)), "unexpected error codes").toEqual([]);
      expect(codes.length, "failed calls").toBeLessThan(issued * 0.05);

      // Writes: each has distinct arguments. Repeat the ones that failed (as next_step says); then every write
      // intent holds exactly one record, however many attempts and replays it took.
      const writes = Array.from({ length: issued }, (_, i) => i).filter((i) => i % 10 === 0);
      for (const i of writes) {
        for (let again = 0; again < 3 && answers[i]?.result?.isError; again++) {
          sent++;
          answers[i] = await send(server, callFor(i));
        }
        expect(answers[i]?.result?.isError, `write ${i} after repeating`).toBeFalsy();
      }
      const tickets = writes.filter((i) => i % 20 === 0).length;
      expect(sandbox.store.created.tickets, "tickets created").toBe(tickets);
      expect(sandbox.store.created.notes, "notes created").toBe(writes.length - tickets);

      // Still alive, still answering.
      expect(server.child.exitCode).toBeNull();
      sandbox.faults.clear();
      const final = await send(server, callFor(3));
      sent++;
      expect(final?.result?.isError).toBeFalsy();

      const rssAtEnd = residentBytes(pid);
      if (rssAfterWarmUp !== undefined && rssAtEnd !== undefined) {
        expect(rssAtEnd - rssAfterWarmUp, "RSS growth after warm-up").toBeLessThan(MAX_RSS_GROWTH_BYTES);
      }

      // Exactly one response per request id, and nothing but JSON-RPC on stdout.
      const responses = new Map<number, number>();
      for (const line of server.stdoutLines) {
        const message = JSON.parse(line) as { jsonrpc?: string; id?: unknown };
        expect(message.jsonrpc).toBe("2.0");
        if (typeof message.id === "number") responses.set(message.id, (responses.get(message.id) ?? 0) + 1);
      }
      expect(responses.size, "ids answered").toBe(sent);
      expect([...responses.values()].filter((count) => count !== 1), "ids answered more than once").toEqual([]);
      for (let id = 1; id <= sent; id++) expect(responses.has(id), `response to request ${id}`).toBe(true);
      expect(elapsedMs).toBeLessThan(SEND_WINDOW_MS + RESPONSE_TIMEOUT_MS);
    } finally {
      server.child.stdin.end();
      expect(await server.exited).toBe(0);
    }
  });
});

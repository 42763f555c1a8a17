// The acceptance criterion for writes: against the sandbox with a ~30% mix of resets-after-commit and 503s on
// POST /v1/tickets, N create_ticket calls with distinct arguments create exactly N tickets, and repeating any of
// them creates none. Checked in memory through the real SDK client and server (200 calls), and through the built
// server spawned over stdio against a sandbox in this process (30 calls), where the writes can be counted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FaultRule, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";
import { initialize, spawnServer } from "../helpers/spawn.js";
import { recordingTiming } from "../helpers/timing.js";
import { dataOf, runPool, wallClockTiming } from "./harness.js";

/** reset_after commits the ticket and then drops the connection; the 503 refuses it. Together ~28% of attempts. */
const FAULTS: FaultRule[] = [
  { kind: "reset_after", method: "POST", path: "/v1/tickets", rate: 0.15 },
  { kind: "status", status: 503, method: "POST", path: "/v1/tickets", rate: 0.15 },
];
/**
 * The most the configuration allows. With ~28% of attempts failing, 7 attempts (6 retries) leave about 1 call in
 * 7,000 failing, which over 200 calls would fail this test about 3% of the time; 11 attempts make it negligible.
 */
const MAX_RETRIES = 10;
const WINDOW_MS = 600_000;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 31, faults: FAULTS, counts: { customers: 50, transactions: 100, tickets: 20 } });
});
afterEach(() => {
  sandbox.requests.clear();
});
afterAll(() => sandbox.close());

interface Created {
  ticket: { id: string; subject: string };
  replayed: boolean;
}

function ticketArgs(run: string, index: number): Record<string, unknown> {
  const customer = sandbox.store.customers[index % sandbox.store.customers.length];
  return {
    customer_id: customer?.id,
    subject: `${run} #${index}`,
    description: `Ticket ${index} of the ${run} run.`,
    priority: index % 3 === 0 ? "high" : "normal",
  };
}

/** How many POST /v1/tickets attempts each fault hit since the log was last cleared. */
function faultsHit(target: Sandbox): { reset_after: number; status: number } {
  const entries = target.requests.all().filter((entry) => entry.method === "POST" && entry.path === "/v1/tickets");
  return {
    reset_after: entries.filter((entry) => entry.fault === "reset_after").length,
    status: entries.filter((entry) => entry.fault === "status").length,
  };
}

/** Tickets in the store whose subject starts with `run`. */
function ticketsOf(target: Sandbox, run: string): string[] {
  return target.store.tickets.filter((ticket) => ticket.subject.startsWith(`${run} #`)).map((ticket) => ticket.id);
}

describe("create_ticket under resets-after-commit and 503s (in memory)", () => {
  it("creates exactly 200 tickets for 200 distinct calls, and repeating all of them creates none", async () => {
    const run = "No-duplicates acceptance";
    const ctx = testContext(sandbox, {
      maxRetries: MAX_RETRIES,
      timing: recordingTiming(),
      limits: { idempotencyWindowMs: WINDOW_MS },
    });
    const connected = await connectInMemory(ctx);
    const before = sandbox.store.created.tickets;
    const first: Array<Created | string> = [];
    await runPool(200, 8, async (i) => {
      const result = await callTool(connected.client, "create_ticket", ticketArgs(run, i));
      first[i] = result.isError ? errorOf(result).error_code : (result.structuredContent as unknown as Created);
    });
    const failed = first.filter((outcome) => typeof outcome === "string");
    expect(failed, "calls that did not succeed").toEqual([]);
    const created = first as Created[];
    expect(sandbox.store.created.tickets - before).toBe(200);
    expect(new Set(created.map((outcome) => outcome.ticket.id)).size).toBe(200);
    expect(ticketsOf(sandbox, run)).toHaveLength(200);
    // The run really met both faults, and some calls only succeeded by having a committed write replayed.
    const hit = faultsHit(sandbox);
    expect(hit.reset_after).toBeGreaterThan(10);
    expect(hit.status).toBeGreaterThan(10);
    expect(created.filter((outcome) => outcome.replayed).length).toBeGreaterThan(0);

    // The same 200 calls again, faults still on: every one replays its ticket, none writes.
    const repeated: Array<Created | string> = [];
    await runPool(200, 8, async (i) => {
      const result = await callTool(connected.client, "create_ticket", ticketArgs(run, i));
      repeated[i] = result.isError ? errorOf(result).error_code : (result.structuredContent as unknown as Created);
    });
    expect(repeated.filter((outcome) => typeof outcome === "string"), "repeats that did not succeed").toEqual([]);
    expect(sandbox.store.created.tickets - before).toBe(200);
    (repeated as Created[]).forEach((outcome, i) => {
      expect(outcome.replayed, `repeat #${i} replayed`).toBe(true);
      expect(outcome.ticket.id, `repeat #${i} ticket`).toBe(created[i]?.ticket.id);
    });
    await connected.close();
    ctx.api.close();
  });

  it("writes once per explicit idempotency_key and refuses the same key with a different body", async () => {
    const ctx = testContext(sandbox, {
      maxRetries: MAX_RETRIES,
      timing: recordingTiming(),
      limits: { idempotencyWindowMs: WINDOW_MS },
    });
    const connected = await connectInMemory(ctx);
    const create = (args: Record<string, unknown>) => callTool(connected.client, "create_ticket", args);
    const args = { ...ticketArgs("Explicit key", 1), idempotency_key: "ticket-for-order-7731" };
    const before = sandbox.store.created.tickets;

    const first = dataOf<Created>(await create(args));
    const again = dataOf<Created>(await create(args));
    expect(sandbox.store.created.tickets - before).toBe(1);
    expect(again).toMatchObject({ replayed: true, ticket: { id: first.ticket.id } });

    const conflict = errorOf(await create({ ...args, subject: "A different ticket under the same key" }));
    expect(conflict.error_code).toBe("idempotency_conflict");
    expect(sandbox.store.created.tickets - before).toBe(1);

    // The caller's key names the write, so a new key is a new write even with the same arguments.
    const renamed = dataOf<Created>(await create({ ...args, idempotency_key: "ticket-for-order-7731-b" }));
    expect(renamed.replayed).toBe(false);
    expect(sandbox.store.created.tickets - before).toBe(2);
    await connected.close();
    ctx.api.close();
  });

  // With the production breaker and retry budget a 30% failure rate makes some calls fail fast
  // (backend_unavailable with retry_after_ms). An agent repeats them after the hint; the repeat must replay
  // whatever the failed call committed, so the count still comes out exact.
  it("stays exact when the breaker and the retry budget fail calls and the agent repeats them", async () => {
    const run = "Agent repeats";
    const ctx = testContext(sandbox, {
      timing: wallClockTiming(),
      maxRetries: 3,
      api: { breakerThreshold: 3, breakerCooldownMs: 100, retryBudgetPercent: 20 },
      limits: { idempotencyWindowMs: WINDOW_MS },
    });
    const connected = await connectInMemory(ctx);
    const before = sandbox.store.created.tickets;
    let failures = 0;
    for (let i = 0; i < 100; i++) {
      for (let attempt = 0; ; attempt++) {
        const result = await callTool(connected.client, "create_ticket", ticketArgs(run, i));
        if (!result.isError) break;
        failures++;
        const payload = errorOf(result);
        expect(["backend_unavailable", "backend_error"]).toContain(payload.error_code);
        expect(attempt, `ticket #${i} still failing`).toBeLessThan(20);
        // Follow the hint, as next_step tells the model (at most the 100 ms cooldown here).
        const wait = Math.min(Number(payload.retry_after_ms ?? 0), 100);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    expect(sandbox.store.created.tickets - before).toBe(100);
    expect(ticketsOf(sandbox, run)).toHaveLength(100);
    expect(failures, "calls that failed and were repeated").toBeGreaterThan(0);
    await connected.close();
    ctx.api.close();
  });
});

describe("create_ticket under resets-after-commit and 503s (dist/index.js over stdio)", () => {
  it("creates exactly 30 tickets for 30 distinct calls, and repeating them creates none", { timeout: 60_000 }, async () => {
    const run = "No-duplicates over stdio";
    const server = spawnServer([], {
      CUSTOMER_API_URL: sandbox.url,
      CUSTOMER_API_KEY: sandbox.apiKey,
      CUSTOMER_MCP_PROFILE: "admin",
      CUSTOMER_API_MAX_RETRIES: String(MAX_RETRIES),
      CUSTOMER_API_RETRY_BASE_MS: "1",
      CUSTOMER_API_RETRY_MAX_DELAY_MS: "5",
      // The breaker and the budget protect a failing API by failing calls fast; the in-memory test above covers
      // that. Here every call is meant to get through on retries alone.
      CUSTOMER_API_RETRY_BUDGET_PERCENT: "100",
      CUSTOMER_API_BREAKER_THRESHOLD: "1000",
      CUSTOMER_MCP_IDEMPOTENCY_WINDOW_MS: String(WINDOW_MS),
      LOG_LEVEL: "warn",
    });
    try {
      await initialize(server);
      const call = async (i: number): Promise<Created> => {
        const response = (await server.request("tools/call", { name: "create_ticket", arguments: ticketArgs(run, i) })) as {
          result?: { isError?: boolean; structuredContent?: Created; content?: Array<{ text: string }> };
        };
        if (!response.result || response.result.isError || !response.result.structuredContent) {
          throw new Error(`create_ticket #${i} failed: ${JSON.stringify(response)}`);
        }
        return response.result.structuredContent;
      };
      const before = sandbox.store.created.tickets;
      const first: Created[] = [];
      await runPool(30, 4, async (i) => {
        first[i] = await call(i);
      });
      expect(sandbox.store.created.tickets - before).toBe(30);
      expect(ticketsOf(sandbox, run)).toHaveLength(30);
      expect(faultsHit(sandbox).reset_after + faultsHit(sandbox).status).toBeGreaterThan(0);

      const repeated: Created[] = [];
      await runPool(30, 4, async (i) => {
        repeated[i] = await call(i);
      });
      expect(sandbox.store.created.tickets - before).toBe(30);
      repeated.forEach((outcome, i) => {
        expect(outcome, `repeat #${i}`).toMatchObject({ replayed: true, ticket: { id: first[i]?.ticket.id } });
      });
      for (const line of server.stdoutLines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
    } finally {
      server.child.stdin.end();
      expect(await server.exited).toBe(0);
    }
  });
});

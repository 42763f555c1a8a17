// Writes tell the truth, checked through the built server against the sandbox's reset_after and slow_body faults:
// `replayed` means an earlier call made the write; a refund this call made counts against the limits exactly
// once; money that moved is reported as done even when the read after it fails; a write whose outcome is
// unknown (retries exhausted after a reset, a cancel mid-POST, a shutdown) says so in the result and the audit,
// and repeating it replays, even after a restart.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { errorOf } from "../helpers/mcp.js";
import { connectStdio, initialize, spawnServer, type StdioConnected } from "../helpers/spawn.js";
import { dataOf } from "../resilience/harness.js";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 23 });
});
afterEach(() => {
  sandbox.faults.clear();
});
afterAll(() => sandbox.close());

const apiEnv = () => ({ CUSTOMER_API_URL: sandbox.url, CUSTOMER_API_KEY: sandbox.apiKey });

const usedCharges = new Set<string>();
/** Succeeded usd charges with nothing refunded yet, each handed out once. */
function charges(count: number): string[] {
  const found = sandbox.store.transactions
    .filter((txn) => txn.type === "charge" && txn.status === "succeeded" && txn.currency === "usd"
      && txn.amount >= 2_000 && (txn.refunded_amount ?? 0) === 0 && !usedCharges.has(txn.id))
    .slice(0, count)
    .map((txn) => txn.id);
  if (found.length < count) throw new Error("not enough refundable usd charges in the seed");
  for (const id of found) usedCharges.add(id);
  return found;
}

interface RefundResult {
  refund: { id: string };
  transaction: unknown;
  transaction_note?: string;
  replayed: boolean;
}

async function call(conn: StdioConnected, name: string, args: Record<string, unknown>, signal?: AbortSignal) {
  return (await conn.client.callTool({ name, arguments: args }, undefined, signal ? { signal } : {})) as CallToolResult;
}

/** Waits for the server's audit record of the `index`-th call to `tool` on this connection. */
async function auditOf(conn: StdioConnected, tool: string, index: number): Promise<Record<string, unknown>> {
  const records = () => conn.auditRecords().filter((record) => record.tool === tool);
  await vi.waitFor(() => expect(records().length).toBeGreaterThan(index));
  return records()[index] as Record<string, unknown>;
}

describe("refunds whose answer is lost after the API made them", () => {
  it("count against the session limit exactly once each, and none is reported as a replay", async () => {
    // $10 refunds under a $30 session limit, each first attempt reset after the refund is made.
    const conn = await connectStdio({ ...apiEnv(), CUSTOMER_MCP_PROFILE: "billing", CUSTOMER_MCP_MAX_SESSION_REFUNDS: "3000" });
    const before = sandbox.store.created.refunds;
    const outcomes: Array<string | boolean> = [];
    try {
      for (const id of charges(6)) {
        sandbox.faults.add({ kind: "reset_after", method: "POST", path: "/v1/refunds", times: 1 });
        const result = await call(conn, "issue_refund", { transaction_id: id, amount: 1_000, reason: "duplicate" });
        outcomes.push(result.isError ? errorOf(result).error_code : dataOf<RefundResult>(result).replayed);
        sandbox.faults.clear();
      }
    } finally {
      await conn.close();
    }
    expect(outcomes).toEqual([false, false, false, "limit_exceeded", "limit_exceeded", "limit_exceeded"]);
    expect(sandbox.store.created.refunds - before).toBe(3);
  });

  it("are reported as done when the read of the charge afterwards fails", async () => {
    const [id] = charges(1);
    // The person confirms, and at that moment reads of this charge start failing for good.
    const conn = await connectStdio({ ...apiEnv(), CUSTOMER_MCP_PROFILE: "billing" }, () => {
      sandbox.faults.add({ kind: "status", status: 503, method: "GET", path: `/v1/transactions/${id}` });
      return { action: "accept", content: { confirm: true } };
    });
    const before = sandbox.store.created.refunds;
    try {
      const result = await call(conn, "issue_refund", { transaction_id: id, amount: 1_000, reason: "service_issue" });
      const data = dataOf<RefundResult>(result);
      expect(data).toMatchObject({ transaction: null, replayed: false, refund: { id: expect.stringMatching(/^re_/) } });
      expect(data.transaction_note).toMatch(/refund was made.*Do not refund again/);
      expect(sandbox.store.created.refunds - before).toBe(1);
      expect(await auditOf(conn, "issue_refund", 0)).toMatchObject({ outcome: "ok", decision: "confirmed" });
    } finally {
      await conn.close();
    }
  });

  it("are audited as unknown when the call is cancelled mid-POST, and a repeat replays without counting twice", async () => {
    const [id, other] = charges(2);
    // $10 refunds under a $15 limit: counted twice, the repeat would be refused.
    const conn = await connectStdio({ ...apiEnv(), CUSTOMER_MCP_PROFILE: "billing", CUSTOMER_MCP_MAX_SESSION_REFUNDS: "1500" });
    const before = sandbox.store.created.refunds;
    const args = { transaction_id: id, amount: 1_000, reason: "requested_by_customer" };
    try {
      // The refund is made at once; its answer then trickles in over 5 s, and the client gives up meanwhile.
      sandbox.faults.add({ kind: "slow_body", method: "POST", path: "/v1/refunds", latencyMs: 5_000, times: 1 });
      const controller = new AbortController();
      const cancelled = call(conn, "issue_refund", args, controller.signal).catch((error: unknown) => error);
      await vi.waitFor(() => expect(sandbox.store.created.refunds - before).toBe(1));
      controller.abort();
      expect(await cancelled).toBeInstanceOf(Error);
      const audit = await auditOf(conn, "issue_refund", 0);
      expect(audit).toMatchObject({ outcome: "unknown", error_code: "outcome_unknown" });

      const repeat = dataOf<RefundResult>(await call(conn, "issue_refund", args));
      expect(repeat.replayed).toBe(true);
      expect(sandbox.store.created.refunds - before).toBe(1);
      // The refund of unknown outcome still counts: $10 used, $5 left.
      const refused = errorOf(await call(conn, "issue_refund", { ...args, transaction_id: other }));
      expect(refused.error_code).toBe("limit_exceeded");
      expect(sandbox.store.created.refunds - before).toBe(1);
    } finally {
      await conn.close();
    }
  });
});

describe("a write whose retries all lose their answer", () => {
  it("fails as outcome_unknown with a next step to repeat it exactly, and the repeat replays", async () => {
    const conn = await connectStdio({ ...apiEnv(), CUSTOMER_MCP_PROFILE: "support" });
    const before = sandbox.store.created.tickets;
    const args = { customer_id: sandbox.store.customers[3]?.id, subject: "Lost answers", description: "Every answer is lost." };
    try {
      sandbox.faults.add({ kind: "reset_after", method: "POST", path: "/v1/tickets" });
      const failed = errorOf(await call(conn, "create_ticket", args));
      expect(failed.error_code).toBe("outcome_unknown");
      expect(failed.next_step).toMatch(/^Repeat this exact call/);
      expect(failed.next_step).toMatch(/Never retry it with changed arguments or a new idempotency_key/);
      expect(await auditOf(conn, "create_ticket", 0)).toMatchObject({ outcome: "unknown" });
      expect(sandbox.store.created.tickets - before).toBe(1);

      sandbox.faults.clear();
      const repeat = dataOf<{ ticket: { subject: { text: string } }; replayed: boolean }>(
        await call(conn, "create_ticket", args),
      );
      expect(repeat).toMatchObject({ replayed: true, ticket: { subject: { text: "Lost answers" } } });
      expect(sandbox.store.created.tickets - before).toBe(1);
    } finally {
      await conn.close();
    }
  });
});

describe("writes cut off by a shutdown and repeated after a restart", () => {
  const WINDOW_MS = 600_000; // the shipped CUSTOMER_MCP_IDEMPOTENCY_WINDOW_MS
  const slot = () => Math.floor(Date.now() / WINDOW_MS);

  async function cutOffThenRepeat(run: string): Promise<{ crossedSlot: boolean }> {
    const env = { ...apiEnv(), CUSTOMER_MCP_PROFILE: "support", CUSTOMER_MCP_SHUTDOWN_GRACE_MS: "200" };
    const args = (i: number) => ({ customer_id: sandbox.store.customers[i]?.id, subject: `${run} #${i}`, description: "Cut off." });
    const startSlot = slot();
    const before = sandbox.store.created.tickets;

    // The tickets are made at once, their answers trickle in over 10 s, and the server stops after 200 ms of grace.
    sandbox.faults.add({ kind: "slow_body", method: "POST", path: "/v1/tickets", latencyMs: 10_000 });
    const first = spawnServer([], env);
    await initialize(first);
    const pending = [0, 1, 2, 3, 4].map((i) => first.request("tools/call", { name: "create_ticket", arguments: args(i) }));
    await vi.waitFor(() => expect(sandbox.store.created.tickets - before).toBe(5));
    first.child.stdin.end();
    expect(await first.exited).toBe(0);
    void Promise.allSettled(pending);
    const audits = first.stderrLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === "audit" && record.tool === "create_ticket");
    expect(audits.map((record) => record.outcome)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown"]);
    sandbox.faults.clear();

    const second = spawnServer([], env);
    try {
      await initialize(second);
      const repeats = await Promise.all([0, 1, 2, 3, 4].map((i) =>
        second.request("tools/call", { name: "create_ticket", arguments: args(i) }) as Promise<{
          result: { structuredContent: { replayed: boolean; ticket: { subject: { text: string } } } };
        }>));
      // Only a window boundary between the two servers changes the key (a documented limit); then run again.
      if (slot() !== startSlot) return { crossedSlot: true };
      repeats.forEach((repeat, i) => {
        expect(repeat.result.structuredContent).toMatchObject({ replayed: true, ticket: { subject: { text: `${run} #${i}` } } });
      });
      expect(sandbox.store.created.tickets - before).toBe(5);
    } finally {
      second.child.stdin.end();
      expect(await second.exited).toBe(0);
    }
    return { crossedSlot: false };
  }

  it("replays every repeat: five cut-off writes, five tickets, none written twice", { timeout: 60_000 }, async () => {
    // Two runs cannot both straddle a 10-minute window boundary.
    const first = await cutOffThenRepeat("Restart run A");
    if (first.crossedSlot) expect((await cutOffThenRepeat("Restart run B")).crossedSlot).toBe(false);
  });
});

// Money and destructive actions need a human: issue_refund and suspending a customer go through MCP elicitation
// (form mode). Real SDK client over the in-memory pair, real sandbox; the client's answer is the test's input,
// and the sandbox's own counters say whether anything was written.
import type { ElicitRequest } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { type AuditRecord, AuditTrail } from "../../src/pipeline/audit.js";
import { CallTracker } from "../../src/pipeline/lifecycle.js";
import { useSandbox } from "../helpers/fixture.js";
import { accountTools } from "../../src/tools/accounts.js";
import { transactionTools } from "../../src/tools/transactions.js";
import { captureLogs } from "../helpers/logs.js";
import { testContext, type TestContextOptions } from "../helpers/context.js";
import { recordingTiming } from "../helpers/timing.js";
import { callTool, type ClientOptions, connectInMemory, errorOf } from "../helpers/mcp.js";

const tools = [...transactionTools, ...accountTools];

const env = useSandbox({ seed: 42 });

async function connect(clientOptions: ClientOptions, options: TestContextOptions = {}) {
  const logs = captureLogs();
  const ctx = testContext(env.sandbox, { logger: logs.logger, ...options });
  const connected = await connectInMemory(ctx, { tools }, clientOptions);
  return { ...connected, logs };
}

/** A succeeded charge with something left to refund, not yet used by another test. */
const usedCharges = new Set<string>();
function freshRefundableCharge() {
  const charge = env.sandbox.store.transactions.find(
    (txn) =>
      txn.type === "charge"
      && txn.status === "succeeded"
      && (txn.refunded_amount ?? 0) === 0
      && txn.amount <= 50_000
      && !usedCharges.has(txn.id),
  );
  if (!charge) throw new Error("the seed has no unused refundable charge left");
  usedCharges.add(charge.id);
  return charge;
}

function activeCustomer() {
  const customer = env.sandbox.store.customers.find((c) => c.status === "active" && !usedCustomers.has(c.id));
  if (!customer) throw new Error("no active customer left");
  usedCustomers.add(customer.id);
  return customer;
}
const usedCustomers = new Set<string>();

describe("issue_refund asks the user to confirm", () => {
  it("shows customer, charge, amount with currency and reason, and refunds once when the user confirms", async () => {
    const charge = freshRefundableCharge();
    const customer = env.sandbox.store.customersById.get(charge.customer_id);
    const asked: Array<ElicitRequest["params"]> = [];
    const conn = await connect({
      elicitation: (params) => {
        asked.push(params);
        return { action: "accept", content: { confirm: true } };
      },
    });
    const before = env.sandbox.store.created.refunds;
    const result = await callTool(conn.client, "issue_refund", {
      transaction_id: charge.id,
      amount: 100,
      reason: "requested_by_customer",
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(env.sandbox.store.created.refunds).toBe(before + 1);
    expect(asked).toHaveLength(1);
    const form = asked[0]!;
    expect(form.mode).toBe("form");
    expect(form.message).toContain(charge.id);
    expect(form.message).toContain(charge.customer_id);
    expect(form.message).toContain(customer!.name);
    expect(form.message).toContain(`100 minor units of ${charge.currency.toUpperCase()}`);
    expect(form.message).toContain("requested_by_customer");
    expect(form.message).toContain("Nothing happens unless you confirm");
    const schema = (form as { requestedSchema: { properties: Record<string, { type: string }>; required: string[] } })
      .requestedSchema;
    expect(schema.properties.confirm?.type).toBe("boolean");
    expect(schema.required).toEqual(["confirm"]);
    await conn.close();
  });

  it.each([
    ["declines", { action: "decline" as const }],
    ["cancels", { action: "cancel" as const }],
    ["accepts the form without ticking the box", { action: "accept" as const, content: { confirm: false } }],
  ])("writes nothing when the user %s", async (_how, answer) => {
    const charge = freshRefundableCharge();
    const conn = await connect({ elicitation: () => answer });
    const before = env.sandbox.store.created.refunds;
    const result = await callTool(conn.client, "issue_refund", { transaction_id: charge.id, reason: "duplicate" });
    const error = errorOf(result);
    expect(error.error_code).toBe("confirmation_declined");
    expect(error.message).toMatch(/Nothing was changed/);
    expect(error.next_step).toMatch(/Do not retry/);
    expect(env.sandbox.store.created.refunds).toBe(before);
    expect(env.sandbox.store.transactionsById.get(charge.id)?.refunded_amount ?? 0).toBe(0);
    await conn.close();
  });

  it("fails closed when the client cannot ask (no elicitation capability)", async () => {
    const charge = freshRefundableCharge();
    const conn = await connect({ elicitation: null });
    const before = env.sandbox.store.created.refunds;
    const error = errorOf(await callTool(conn.client, "issue_refund", { transaction_id: charge.id, reason: "duplicate" }));
    expect(error.error_code).toBe("confirmation_required");
    expect(error.message).toMatch(/cannot show a confirmation form/);
    expect(env.sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });

  it("goes ahead without asking only when the operator allows unconfirmed writes, and says so in the log", async () => {
    const charge = freshRefundableCharge();
    const conn = await connect({ elicitation: null }, { writes: { allowUnconfirmed: true } });
    const before = env.sandbox.store.created.refunds;
    const result = await callTool(conn.client, "issue_refund", {
      transaction_id: charge.id,
      amount: 100,
      reason: "duplicate",
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(env.sandbox.store.created.refunds).toBe(before + 1);
    expect(conn.logs.lines().some((line) => String(line.msg).includes("without confirmation"))).toBe(true);
    await conn.close();
  });

  it("still asks when unconfirmed writes are allowed but the client can ask", async () => {
    const charge = freshRefundableCharge();
    const conn = await connect({ elicitation: () => ({ action: "decline" }) }, { writes: { allowUnconfirmed: true } });
    const error = errorOf(await callTool(conn.client, "issue_refund", { transaction_id: charge.id, reason: "duplicate" }));
    expect(error.error_code).toBe("confirmation_declined");
    await conn.close();
  });

  it("a client error while asking writes nothing", async () => {
    const charge = freshRefundableCharge();
    const conn = await connect({
      elicitation: () => {
        throw new Error("the form could not be rendered");
      },
    });
    const before = env.sandbox.store.created.refunds;
    const error = errorOf(await callTool(conn.client, "issue_refund", { transaction_id: charge.id, reason: "duplicate" }));
    expect(error.error_code).toBe("confirmation_required");
    expect(env.sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });

  it("time spent waiting for the person does not count against the call's API deadline", async () => {
    const charge = freshRefundableCharge();
    // The API clock is injected: the person "takes" a minute to answer, three times the call's 20 s deadline.
    let now = Date.parse("2026-11-22T12:00:00Z");
    const timing = { ...recordingTiming(), now: () => now };
    const conn = await connect(
      {
        elicitation: () => {
          now += 60_000;
          return { action: "accept", content: { confirm: true } };
        },
      },
      { timing, api: { callTimeoutMs: 20_000 } },
    );
    const before = env.sandbox.store.created.refunds;
    const result = await callTool(conn.client, "issue_refund", { transaction_id: charge.id, amount: 100, reason: "duplicate" });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(env.sandbox.store.created.refunds).toBe(before + 1);
    await conn.close();
  });
});

describe("suspending a customer asks the user to confirm", () => {
  it("suspends after confirmation, showing the status change and reason", async () => {
    const customer = activeCustomer();
    const asked: string[] = [];
    const conn = await connect({
      elicitation: (params) => {
        asked.push(params.message);
        return { action: "accept", content: { confirm: true } };
      },
    });
    const result = await callTool(conn.client, "update_customer_status", {
      customer_id: customer.id,
      status: "suspended",
      reason: "chargeback fraud confirmed",
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(env.sandbox.store.customersById.get(customer.id)?.status).toBe("suspended");
    expect(asked[0]).toContain(customer.id);
    expect(asked[0]).toContain("active → suspended");
    expect(asked[0]).toContain("chargeback fraud confirmed");
    await conn.close();
  });

  it("leaves the customer untouched when the user declines, or the client cannot ask", async () => {
    for (const elicitation of [() => ({ action: "decline" as const }), null]) {
      const customer = activeCustomer();
      const conn = await connect({ elicitation });
      const before = env.sandbox.store.updated.customers;
      const error = errorOf(
        await callTool(conn.client, "update_customer_status", {
          customer_id: customer.id,
          status: "suspended",
          reason: "suspected fraud",
        }),
      );
      expect(error.error_code).toBe(elicitation ? "confirmation_declined" : "confirmation_required");
      expect(env.sandbox.store.customersById.get(customer.id)?.status).toBe("active");
      expect(env.sandbox.store.updated.customers).toBe(before);
      await conn.close();
    }
  });

  it("does not ask for changes that block nothing (inactive)", async () => {
    const customer = activeCustomer();
    let asked = 0;
    const conn = await connect({
      elicitation: () => {
        asked++;
        return { action: "decline" };
      },
    });
    const result = await callTool(conn.client, "update_customer_status", {
      customer_id: customer.id,
      status: "inactive",
      reason: "closed at the customer's request",
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(asked).toBe(0);
    await conn.close();
  });
});

describe("a confirmation still open at shutdown", () => {
  it("ends the call as interrupted, changing nothing, and records no one's decision", async () => {
    const charge = freshRefundableCharge();
    const records: AuditRecord[] = [];
    const audit = new AuditTrail([{ name: "test", write: (record) => void records.push(record), close: async () => {} }]);
    const tracker = new CallTracker();
    let asked = false;
    const ctx = testContext(env.sandbox);
    // The person never answers: the form is still open when the grace period ends.
    const conn = await connectInMemory(ctx, { tools, tracker, audit }, {
      elicitation: () => {
        asked = true;
        return new Promise(() => {});
      },
    });
    const before = env.sandbox.store.created.refunds;
    const call = callTool(conn.client, "issue_refund", { transaction_id: charge.id, reason: "duplicate" });
    await vi.waitFor(() => expect(asked).toBe(true));
    tracker.stopInFlight();
    expect(errorOf(await call)).toMatchObject({ error_code: "server_shutting_down", message: expect.stringContaining("it changed nothing") });
    expect(records).toEqual([expect.objectContaining({ tool: "issue_refund", decision: "allowed", outcome: "interrupted" })]);
    expect(env.sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });
});

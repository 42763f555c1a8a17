// list_transactions and issue_refund through the real SDK Client over an in-memory pair, against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { transactionTools } from "../../src/tools/transactions.js";
import { testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

interface TransactionsPage {
  transactions: Array<{ id: string; type: string; created_at: string }>;
  next_cursor: string | null;
  truncated?: boolean;
  hint?: string;
}

interface RefundResult {
  refund: { id: string; transaction_id: string; amount: { amount: number; currency: string }; reason: string };
  transaction: { id: string; refunded: { amount: number } | null; refundable: { amount: number } | null };
  replayed: boolean;
}

let connected: Connected;
let tight: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox, { maxRetries: 1 }), { tools: transactionTools });
  // 1,000 tokens leave about 2,000 characters for items: five or so full transaction views.
  tight = await connectInMemory(testContext(env.sandbox, { maxResultTokens: 1_000 }), { tools: transactionTools });
});
afterAll(async () => {
  await connected.close();
  await tight.close();
});

const fixtures = () => env.sandbox.store.fixtures;
const adaTransactions = () => env.sandbox.store.transactionsByCustomer.get(fixtures().demoCustomerId) ?? [];

async function page(client: Connected, args: Record<string, unknown>): Promise<TransactionsPage> {
  const result = await callTool(client.client, "list_transactions", args);
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as unknown as TransactionsPage;
}

async function walk(client: Connected, args: Record<string, unknown>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let truncated = 0;
  for (; pages < 100; pages++) {
    const result = await page(client, { ...args, ...(cursor ? { cursor } : {}) });
    ids.push(...result.transactions.map((txn) => txn.id));
    if (result.truncated) {
      truncated++;
      expect(result.hint).toMatch(/next_cursor/);
    }
    if (result.next_cursor === null) break;
    cursor = result.next_cursor;
  }
  return { ids, pages: pages + 1, truncated };
}

async function refund(args: Record<string, unknown>): Promise<RefundResult> {
  const result = await callTool(connected.client, "issue_refund", args);
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as unknown as RefundResult;
}

describe("list_transactions", () => {
  it("lists a customer's transactions newest first with money views and no card fingerprints", async () => {
    const result = await callTool(connected.client, "list_transactions", { customer_id: fixtures().demoCustomerId });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as unknown as TransactionsPage;
    expect(data.transactions.map((txn) => txn.id)).toEqual(adaTransactions().map((txn) => txn.id));
    expect(data.next_cursor).toBeNull();
    expect(data.transactions[0]).toMatchObject({ amount: { amount: expect.any(Number), display: expect.any(String) } });
    expect(JSON.stringify(result)).not.toMatch(/fingerprint|metadata|exp_month/);
  });

  it("pages across upstream pages with no gaps or repeats", async () => {
    const { ids, pages } = await walk(connected, { customer_id: fixtures().demoCustomerId, limit: 3 });
    expect(pages).toBeGreaterThan(2);
    expect(ids).toEqual(adaTransactions().map((txn) => txn.id));
  });

  it("honours the type filter on every page", async () => {
    const { ids } = await walk(connected, { customer_id: fixtures().demoCustomerId, type: "charge", limit: 2 });
    const charges = adaTransactions().filter((txn) => txn.type === "charge");
    expect(charges.length).toBeGreaterThan(2);
    expect(ids).toEqual(charges.map((txn) => txn.id));
  });

  it("honours since", async () => {
    const all = adaTransactions();
    const since = all[3]?.created_at ?? "";
    const data = await page(connected, { customer_id: fixtures().demoCustomerId, since });
    expect(data.transactions.map((txn) => txn.id)).toEqual(all.filter((t) => t.created_at >= since).map((t) => t.id));
  });

  it("cuts a page to the response budget with a hint, and the cursor resumes with no gap or repeat", async () => {
    const first = await page(tight, { customer_id: fixtures().demoCustomerId, limit: 20 });
    expect(first.truncated).toBe(true);
    expect(first.hint).toMatch(/filter/);
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(first.transactions.length).toBeGreaterThan(0);
    expect(first.transactions.length).toBeLessThan(adaTransactions().length);

    const { ids, truncated } = await walk(tight, { customer_id: fixtures().demoCustomerId, limit: 20 });
    expect(truncated).toBeGreaterThan(0);
    expect(ids).toEqual(adaTransactions().map((txn) => txn.id));
  });

  it("reports not_found for a customer that does not exist", async () => {
    const error = errorOf(await callTool(connected.client, "list_transactions", { customer_id: "cus_doesnotexist00" }));
    expect(error.error_code).toBe("not_found");
  });

  it("rejects a malformed since and an unknown type before calling the API", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(
      await callTool(connected.client, "list_transactions", {
        customer_id: fixtures().demoCustomerId,
        since: "yesterday",
        type: "chargeback",
      }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect((error.issues as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual(["since", "type"]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx as backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/customers/" });
    const error = errorOf(
      await callTool(connected.client, "list_transactions", { customer_id: fixtures().demoCustomerId }),
    );
    expect(error.error_code).toBe("backend_unavailable");
  });
});

describe("issue_refund", () => {
  it("refunds part of a charge, then the rest, and refuses a third refund without writing", async () => {
    const id = fixtures().refundableTransactionId;
    const createdBefore = env.sandbox.store.created.refunds;

    const part = await refund({ transaction_id: id, amount: 1000, reason: "requested_by_customer", note: "half" });
    expect(part).toMatchObject({
      refund: { transaction_id: id, amount: { amount: 1000, currency: "usd" }, reason: "requested_by_customer" },
      transaction: { id, refunded: { amount: 1000 }, refundable: { amount: 3999 } },
      replayed: false,
    });
    const rest = await refund({ transaction_id: id, amount: 3999, reason: "requested_by_customer" });
    expect(rest.transaction).toMatchObject({ refunded: { amount: 4999 }, refundable: { amount: 0 } });
    expect(env.sandbox.store.created.refunds).toBe(createdBefore + 2);

    const posts = env.sandbox.requests.count({ method: "POST", path: "/v1/refunds" });
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: id, amount: 1, reason: "duplicate" }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "amount", message: expect.stringContaining("nothing remains") }]);
    expect(env.sandbox.store.created.refunds).toBe(createdBefore + 2);
    expect(env.sandbox.requests.count({ method: "POST", path: "/v1/refunds" })).toBe(posts);
  });

  it("refunds the full remainder when amount is omitted, with an idempotency key", async () => {
    const id = fixtures().partiallyRefundedTransactionId;
    const result = await refund({ transaction_id: id, reason: "service_issue" });
    expect(result.refund.amount.amount).toBe(12900 - 4900);
    expect(result.transaction.refundable?.amount).toBe(0);
    const post = env.sandbox.requests.all().filter((entry) => entry.path === "/v1/refunds").at(-1);
    expect(post?.idempotencyKey).toMatch(/^cmcp-issue_refund-/);
  });

  it("refuses more than the refundable remainder before writing, naming the amount", async () => {
    const id = adaTransactions().find((t) => t.type === "charge" && t.status === "succeeded" && t.refunded_amount === 0)?.id;
    const before = env.sandbox.store.created.refunds;
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: id, amount: 10_000_000, reason: "duplicate" }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "amount", message: expect.stringContaining("at most") }]);
    expect(error.next_step).toMatch(/at most/);
    expect(env.sandbox.store.created.refunds).toBe(before);
  });

  it.each(["pending", "failed"] as const)("refuses to refund a %s charge before writing", async (status) => {
    const txn = adaTransactions().find((t) => t.type === "charge" && t.status === status);
    expect(txn).toBeDefined();
    const posts = env.sandbox.requests.count({ method: "POST", path: "/v1/refunds" });
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: txn?.id, reason: "duplicate" }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.message).toContain(status);
    expect(error.issues).toEqual([{ path: "transaction_id", message: expect.stringContaining("succeeded charge") }]);
    expect(env.sandbox.requests.count({ method: "POST", path: "/v1/refunds" })).toBe(posts);
  });

  it("reports not_found for a transaction that does not exist", async () => {
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: "txn_doesnotexist00", reason: "duplicate" }),
    );
    expect(error.error_code).toBe("not_found");
  });

  it("rejects a malformed id, a non-positive amount and an unknown reason before calling the API", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: "cus_3O3Q9pP73Q2x6o", amount: 0, reason: "whim" }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    const paths = (error.issues as Array<{ path: string; message: string }>).map((issue) => issue.path).sort();
    expect(paths).toEqual(["amount", "reason", "transaction_id"]);
    expect(JSON.stringify(error.issues)).toContain("list_transactions");
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx on the write as outcome_unknown, to be repeated as is, and creates no refund", async () => {
    const id = adaTransactions().find((t) => t.type === "charge" && t.status === "succeeded" && t.refunded_amount === 0)?.id;
    const before = env.sandbox.store.created.refunds;
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/refunds" });
    const error = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: id, amount: 100, reason: "duplicate" }),
    );
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(env.sandbox.store.created.refunds).toBe(before);
  });
});

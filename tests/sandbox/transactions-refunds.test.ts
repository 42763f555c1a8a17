// Transactions and refunds: listing per customer, lookup, and the refund rules of the contract.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Refund, type Sandbox, startSandbox, type Transaction } from "../../src/sandbox/index.js";
import { call, collect, type ErrorBody, type Page } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 3 });
});
afterAll(() => sb.close());

const ada = () => sb.store.fixtures.demoCustomerId;

function refund(body: Record<string, unknown>) {
  return call<Refund & ErrorBody>(sb, "/v1/refunds", { method: "POST", body });
}

describe("GET /v1/customers/{id}/transactions", () => {
  it("lists all of a customer's transactions newest first", async () => {
    const { items } = await collect<Transaction>(sb, `/v1/customers/${ada()}/transactions?limit=3`);
    const expected = sb.store.transactions.filter((t) => t.customer_id === ada());
    expect(items).toHaveLength(expected.length);
    expect(items.length).toBeGreaterThanOrEqual(8);
    const times = items.map((t) => t.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("filters by type and since", async () => {
    const { items: charges } = await collect<Transaction>(
      sb,
      `/v1/customers/${ada()}/transactions?type=charge`,
    );
    expect(charges.length).toBeGreaterThan(0);
    expect(charges.every((t) => t.type === "charge")).toBe(true);
    const since = "2025-06-01";
    const { items: recent } = await collect<Transaction>(
      sb,
      `/v1/customers/${ada()}/transactions?since=${since}`,
    );
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((t) => t.created_at >= "2025-06-01T00:00:00.000Z")).toBe(true);
  });

  it.each([
    ["type", "type=payout"],
    ["since", "since=2025-13-45"],
  ])("rejects an invalid %s with 400", async (param, qs) => {
    const res = await call<ErrorBody>(sb, `/v1/customers/${ada()}/transactions?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("answers 404 for an unknown customer", async () => {
    expect((await call(sb, "/v1/customers/cus_nobodyAtAll00/transactions")).status).toBe(404);
  });
});

describe("GET /v1/transactions/{id}", () => {
  it("returns the transaction with its payment method", async () => {
    const id = sb.store.fixtures.partiallyRefundedTransactionId;
    const res = await call<Transaction>(sb, `/v1/transactions/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      type: "charge",
      status: "succeeded",
      amount: 12900,
      refunded_amount: 4900,
    });
    expect(res.body.payment_method).toEqual(
      expect.objectContaining({ brand: expect.any(String), last4: expect.stringMatching(/^\d{4}$/) }),
    );
  });

  it("answers 404 for an unknown id", async () => {
    expect((await call(sb, "/v1/transactions/txn_00000000000000")).status).toBe(404);
  });
});

describe("POST /v1/refunds", () => {
  it("refunds part of a succeeded charge and raises its refunded_amount", async () => {
    const id = sb.store.fixtures.refundableTransactionId;
    const res = await refund({
      transaction_id: id,
      amount: 999,
      reason: "requested_by_customer",
      note: "Asked nicely",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      transaction_id: id,
      customer_id: ada(),
      amount: 999,
      currency: "usd",
      reason: "requested_by_customer",
      status: "succeeded",
      note: "Asked nicely",
    });
    expect(res.body.id).toMatch(/^re_[A-Za-z0-9]{8,24}$/);
    expect(sb.store.transactionsById.get(id)?.refunded_amount).toBe(999);
    expect(sb.store.created.refunds).toBe(1);
  });

  it("books the refund as a refund transaction on the customer", async () => {
    const page = await call<Page<Transaction>>(sb, `/v1/customers/${ada()}/transactions?type=refund`);
    expect(
      page.body.data.some(
        (t) => t.metadata.original_transaction_id === sb.store.fixtures.refundableTransactionId,
      ),
    ).toBe(true);
  });

  it("answers 422 refund_exceeds_remaining when the amount exceeds what remains", async () => {
    const id = sb.store.fixtures.partiallyRefundedTransactionId; // 12900 with 4900 refunded
    const res = await refund({ transaction_id: id, amount: 8001, reason: "duplicate" });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ type: "refund_exceeds_remaining", param: "amount" });
    expect(sb.store.transactionsById.get(id)?.refunded_amount).toBe(4900);
  });

  it("allows refunding exactly the remaining amount, and nothing after that", async () => {
    const id = sb.store.fixtures.partiallyRefundedTransactionId;
    expect((await refund({ transaction_id: id, amount: 8000, reason: "duplicate" })).status).toBe(201);
    const again = await refund({ transaction_id: id, amount: 1, reason: "duplicate" });
    expect(again.status).toBe(422);
    expect(again.body.error.type).toBe("refund_exceeds_remaining");
  });

  it.each([
    ["a pending charge", () => sb.store.fixtures.pendingTransactionId],
    ["a credit", () => sb.store.transactions.find((t) => t.type === "credit")?.id ?? ""],
    [
      "a failed charge",
      () => sb.store.transactions.find((t) => t.type === "charge" && t.status === "failed")?.id ?? "",
    ],
  ])("answers 409 conflict for %s", async (_label, id) => {
    const res = await refund({ transaction_id: id(), amount: 1, reason: "duplicate" });
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe("conflict");
  });

  it.each([
    ["transaction_id", { transaction_id: "not-an-id", amount: 1, reason: "duplicate" }],
    ["amount", { transaction_id: "txn_AAAAAAAAAAAAAA", amount: 0, reason: "duplicate" }],
    ["amount", { transaction_id: "txn_AAAAAAAAAAAAAA", amount: 1.5, reason: "duplicate" }],
    ["reason", { transaction_id: "txn_AAAAAAAAAAAAAA", amount: 1, reason: "because" }],
  ])("answers 400 with param %s for an invalid body", async (param, body) => {
    const res = await refund(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request", param });
  });

  it("answers 404 with param transaction_id for a well-formed but unknown transaction", async () => {
    const res = await refund({ transaction_id: "txn_AAAAAAAAAAAAAA", amount: 1, reason: "duplicate" });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found", param: "transaction_id" });
  });
});

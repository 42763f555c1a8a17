// Refund limits: a ceiling per refund, a running total per session and currency, and caps across currencies (a
// count of refunds and of currencies per session), on top of the refundable remainder. A refused refund is
// refused before the user is asked and before anything is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefundAllowance, type RefundLimits } from "../../src/policy/refund-limits.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { transactionTools } from "../../src/tools/transactions.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

/** Caps across currencies set wide open unless a test is about them. */
function allowanceOf(limits: Partial<RefundLimits> & Pick<RefundLimits, "maxRefund" | "maxSessionRefunds">) {
  return new RefundAllowance({ maxSessionRefundCount: 1_000, maxSessionCurrencies: 100, ...limits });
}

describe("RefundAllowance", () => {
  let keys = 0;
  const key = () => `key-${++keys}`;

  it("refuses one refund above the per-refund ceiling, naming the limit", () => {
    const allowance = allowanceOf({ maxRefund: 5_000, maxSessionRefunds: 100_000 });
    expect(() => allowance.reserve(5_001, "usd", key())).toThrow(/above this server's limit of \$50\.00 per refund/);
    expect(allowance.usedIn("usd")).toBe(0);
    allowance.reserve(5_000, "usd", key()).commit();
    expect(allowance.usedIn("usd")).toBe(5_000);
  });

  it("keeps a session total per currency, never converting between them", () => {
    const allowance = allowanceOf({ maxRefund: 10_000, maxSessionRefunds: 15_000 });
    allowance.reserve(10_000, "usd", key()).commit();
    expect(() => allowance.reserve(6_000, "usd", key())).toThrow(/\$100\.00 already refunded or in progress; \$50\.00 left/);
    allowance.reserve(10_000, "eur", key()).commit();
    allowance.reserve(5_000, "usd", key()).commit();
    expect(allowance.usedIn("usd")).toBe(15_000);
    expect(allowance.usedIn("eur")).toBe(10_000);
  });

  it("counts a refund in flight, and gives back what a released one reserved (once)", () => {
    const allowance = allowanceOf({ maxRefund: 10_000, maxSessionRefunds: 10_000 });
    const inFlight = allowance.reserve(8_000, "usd", key());
    expect(() => allowance.reserve(8_000, "usd", key())).toThrow(/limit_exceeded|above/);
    inFlight.release();
    inFlight.release();
    expect(allowance.usedIn("usd")).toBe(0);
    const committed = allowance.reserve(8_000, "usd", key());
    committed.commit();
    committed.release();
    expect(allowance.usedIn("usd")).toBe(8_000);
  });

  it("keeps counting a refund whose outcome is unknown, and its repeat reuses that count", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 2_500 });
    const lost = key();
    allowance.reserve(1_000, "usd", lost).unknown();
    expect(allowance.usedIn("usd")).toBe(1_000);
    expect(allowance.earlier(lost)).toEqual({ amount: 1_000, currency: "usd" });
    // The repeat (same key) is the same refund: it reserves nothing more, whatever the API answers.
    const repeat = allowance.reserve(1_000, "usd", lost);
    expect(allowance.usedIn("usd")).toBe(1_000);
    repeat.replayedFromEarlier();
    expect(allowance.usedIn("usd")).toBe(1_000);
    allowance.reserve(1_000, "usd", key()).commit();
    expect(() => allowance.reserve(1_000, "usd", key())).toThrow(/\$5\.00 left/);
  });

  it("gives back an unknown refund's count once a repeat learns the API never made it", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    const lost = key();
    allowance.reserve(1_000, "usd", lost).unknown();
    allowance.reserve(1_000, "usd", lost).release();
    expect(allowance.usedIn("usd")).toBe(0);
    expect(allowance.earlier(lost)).toBeUndefined();
  });

  it("does not count a replay of a refund made before this session", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    allowance.reserve(1_000, "usd", key()).replayedFromEarlier();
    expect(allowance.usedIn("usd")).toBe(0);
  });

  it("counts two concurrent calls with the same key once", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 5_000 });
    const same = key();
    const a = allowance.reserve(1_000, "usd", same);
    const b = allowance.reserve(1_000, "usd", same);
    expect(allowance.usedIn("usd")).toBe(2_000);
    a.commit();
    b.commit();
    expect(allowance.usedIn("usd")).toBe(1_000);
  });
});

describe("RefundAllowance across currencies", () => {
  let keys = 0;
  const key = () => `cross-${++keys}`;

  it.each(["zzz", "xxx", "USD", "us", "usdx", ""])("refuses %j, which is not a lower-case ISO 4217 code and would open a fresh total", (code) => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    expect(() => allowance.reserve(1, code, key())).toThrow(/not in an ISO 4217 currency/);
    expect(allowance.refundCount).toBe(0);
    expect(allowance.currencies()).toEqual([]);
  });

  it("seven currencies do not give seven session totals: with the default of one, the second currency is refused", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000, maxSessionCurrencies: 1 });
    allowance.reserve(1_000, "usd", key()).commit();
    for (const code of ["eur", "gbp", "jpy", "chf", "cad", "aud"]) {
      expect(() => allowance.reserve(1_000, code, key())).toThrow(
        new RegExp(`already refunds in USD; this server allows refunds in at most 1 currency per session, so a refund in ${code.toUpperCase()} is refused`),
      );
    }
    expect(allowance.currencies()).toEqual(["usd"]);
    expect(allowance.usedIn("eur")).toBe(0);
  });

  it("allows as many currencies as configured, each with its own total", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000, maxSessionCurrencies: 2 });
    allowance.reserve(1_000, "usd", key()).commit();
    allowance.reserve(1_000, "eur", key()).commit();
    expect(() => allowance.reserve(1, "gbp", key())).toThrow(/at most 2 currencies/);
    expect(() => allowance.reserve(1, "usd", key())).toThrow(/\$0\.00 left/);
  });

  it("a currency whose only refund was declined is free again; one whose outcome is unknown stays taken", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000, maxSessionCurrencies: 1 });
    allowance.reserve(500, "usd", key()).release();
    expect(allowance.currencies()).toEqual([]);
    allowance.reserve(500, "eur", key()).unknown();
    expect(() => allowance.reserve(1, "usd", key())).toThrow(/already refunds in EUR/);
  });

  it("a refund in flight holds its currency: two concurrent refunds in two currencies cannot both start", () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000, maxSessionCurrencies: 1 });
    const first = allowance.reserve(100, "usd", key());
    expect(() => allowance.reserve(100, "eur", key())).toThrow(/at most 1 currency/);
    first.commit();
  });

  it("counts refunds in every currency together, in flight and unknown included, each key once", () => {
    const allowance = allowanceOf({
      maxRefund: 1_000,
      maxSessionRefunds: 100_000,
      maxSessionRefundCount: 3,
      maxSessionCurrencies: 3,
    });
    const lost = key();
    allowance.reserve(1, "usd", lost).unknown();
    // The repeat of the lost call is the same refund: it takes no second place in the count.
    allowance.reserve(1, "usd", lost).commit();
    allowance.reserve(1, "eur", key()).commit();
    const inFlight = allowance.reserve(1, "gbp", key());
    expect(allowance.refundCount).toBe(3);
    expect(() => allowance.reserve(1, "usd", key())).toThrow(/already made 3 refunds \(in progress included\), this server's limit per session across all currencies/);
    inFlight.release();
    expect(allowance.refundCount).toBe(2);
    allowance.reserve(1, "usd", key()).commit();
    expect(() => allowance.reserve(1, "eur", key())).toThrow(/already made 3 refunds/);
  });
});

describe("issue_refund under operator limits", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const used = new Set<string>();
  function charges(count: number, minAmount: number) {
    const found = sandbox.store.transactions.filter(
      (txn) =>
        txn.type === "charge" && txn.status === "succeeded" && (txn.refunded_amount ?? 0) === 0
        && txn.currency === "usd" && txn.amount >= minAmount && !used.has(txn.id),
    ).slice(0, count);
    if (found.length < count) throw new Error("not enough refundable usd charges in the seed");
    for (const txn of found) used.add(txn.id);
    return found;
  }

  it("refuses a refund above the per-refund limit without asking the user or writing", async () => {
    const [charge] = charges(1, 2_000);
    let asked = 0;
    const conn = await connectInMemory(
      testContext(sandbox, { writes: { maxRefund: 1_000 } }),
      { tools: transactionTools },
      {
        elicitation: () => {
          asked++;
          return { action: "accept", content: { confirm: true } };
        },
      },
    );
    const before = sandbox.store.created.refunds;
    // Omitting amount means the whole remainder, which is above the limit too.
    for (const args of [{ amount: 1_001 }, {}]) {
      const error = errorOf(
        await callTool(conn.client, "issue_refund", { transaction_id: charge!.id, reason: "duplicate", ...args }),
      );
      expect(error.error_code).toBe("limit_exceeded");
      expect(error.message).toMatch(/\$10\.00 per refund/);
    }
    expect(asked).toBe(0);
    expect(sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });

  it("stops at the session total, and a declined refund does not use it up", async () => {
    const [first, second, third] = charges(3, 500);
    let answer: "accept" | "decline" = "accept";
    const conn = await connectInMemory(
      testContext(sandbox, { writes: { maxRefund: 1_000, maxSessionRefunds: 500 } }),
      { tools: transactionTools },
      { elicitation: () => (answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" }) },
    );
    const refund = (id: string, amount: number) =>
      callTool(conn.client, "issue_refund", { transaction_id: id, amount, reason: "requested_by_customer" });

    answer = "decline";
    expect(errorOf(await refund(first!.id, 300)).error_code).toBe("confirmation_declined");
    answer = "accept";
    expect((await refund(first!.id, 300)).isError).toBeFalsy();
    expect((await refund(second!.id, 200)).isError).toBeFalsy();
    const before = sandbox.store.created.refunds;
    const error = errorOf(await refund(third!.id, 1));
    expect(error.error_code).toBe("limit_exceeded");
    expect(error.message).toMatch(/\$5\.00 already refunded or in progress; \$0\.00 left/);
    expect(sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });

  it("a refund the API refused (4xx) gives its amount back; nothing was refunded", async () => {
    const [first, second] = charges(2, 500);
    const conn = await connectInMemory(
      testContext(sandbox, { writes: { maxRefund: 1_000, maxSessionRefunds: 300 } }),
      { tools: transactionTools },
    );
    sandbox.faults.add({ kind: "status", status: 409, method: "POST", path: "/v1/refunds", times: 1 });
    const refused = errorOf(
      await callTool(conn.client, "issue_refund", { transaction_id: first!.id, amount: 300, reason: "duplicate" }),
    );
    expect(refused.error_code).toBe("conflict");
    const result = await callTool(conn.client, "issue_refund", { transaction_id: second!.id, amount: 300, reason: "duplicate" });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    sandbox.faults.clear();
    await conn.close();
  });

  it("a hostile backend's made-up currency (zzz) is refused as upstream_invalid before anything is asked or written", async () => {
    const [charge] = charges(1, 500);
    charge!.currency = "zzz";
    let asked = 0;
    const conn = await connectInMemory(
      testContext(sandbox, { writes: { maxRefund: 1_000, maxSessionRefunds: 500 } }),
      { tools: transactionTools },
      {
        elicitation: () => {
          asked++;
          return { action: "accept", content: { confirm: true } };
        },
      },
    );
    const before = sandbox.store.created.refunds;
    const error = errorOf(
      await callTool(conn.client, "issue_refund", { transaction_id: charge!.id, amount: 500, reason: "duplicate" }),
    );
    expect(error.error_code).toBe("upstream_invalid");
    expect(asked).toBe(0);
    expect(sandbox.store.created.refunds).toBe(before);
    await conn.close();
  });

  it("charges in seven currencies refund the session total once, not seven times (default: one currency per session)", async () => {
    const codes = ["usd", "eur", "gbp", "jpy", "chf", "cad", "aud"];
    const found = charges(codes.length, 500);
    found.forEach((charge, i) => {
      charge.currency = codes[i] as string;
    });
    const conn = await connectInMemory(
      testContext(sandbox, { writes: { maxRefund: 500, maxSessionRefunds: 500 } }),
      { tools: transactionTools },
    );
    const before = sandbox.store.created.refunds;
    const outcomes: string[] = [];
    for (const charge of found) {
      const result = await callTool(conn.client, "issue_refund", { transaction_id: charge.id, amount: 500, reason: "duplicate" });
      outcomes.push(result.isError ? errorOf(result).error_code : "refunded");
    }
    expect(outcomes).toEqual(["refunded", ...codes.slice(1).map(() => "limit_exceeded")]);
    expect(sandbox.store.created.refunds).toBe(before + 1);
    await conn.close();
  });

  it("stops at the refund count across currencies when more currencies are allowed", async () => {
    const found = charges(3, 500);
    found[1]!.currency = "eur";
    const conn = await connectInMemory(
      testContext(sandbox, {
        writes: { maxRefund: 500, maxSessionRefunds: 500, maxSessionCurrencies: 5, maxSessionRefundCount: 2 },
      }),
      { tools: transactionTools },
    );
    const refund = (id: string) => callTool(conn.client, "issue_refund", { transaction_id: id, amount: 100, reason: "duplicate" });
    expect((await refund(found[0]!.id)).isError).toBeFalsy();
    expect((await refund(found[1]!.id)).isError).toBeFalsy();
    const error = errorOf(await refund(found[2]!.id));
    expect(error.error_code).toBe("limit_exceeded");
    expect(error.message).toMatch(/already made 2 refunds/);
    await conn.close();
  });

  it("each server session has its own total", async () => {
    const [a, b] = charges(2, 500);
    const limits = { writes: { maxRefund: 1_000, maxSessionRefunds: 300 } };
    for (const charge of [a!, b!]) {
      const conn = await connectInMemory(testContext(sandbox, limits), { tools: transactionTools });
      const result = await callTool(conn.client, "issue_refund", { transaction_id: charge.id, amount: 300, reason: "duplicate" });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      await conn.close();
    }
  });
});

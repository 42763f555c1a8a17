// Refund limits: a ceiling per refund, a running total per session and currency, and caps across currencies (a
// count of refunds and of currencies per session), on top of the refundable remainder. A refused refund is
// refused before the user is asked and before anything is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefundLimiter, type RefundLimits } from "../../src/policy/refund-limits.js";
import { memoryDocumentStore } from "../../src/state/memory.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { transactionTools } from "../../src/tools/transactions.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

/** Caps across currencies set wide open unless a test is about them; one ledger in a fresh memory store. */
function allowanceOf(limits: Partial<RefundLimits> & Pick<RefundLimits, "maxRefund" | "maxSessionRefunds">) {
  const limiter = new RefundLimiter(memoryDocumentStore(() => 0), {
    maxSessionRefundCount: 1_000,
    maxSessionCurrencies: 100,
    ...limits,
  });
  const allowance = limiter.allowance("local:session-1");
  const usedIn = async (currency: string) => (await allowance.usage()).used[currency] ?? 0;
  return Object.assign(allowance, { usedIn });
}

describe("RefundLimiter", () => {
  let keys = 0;
  const key = () => `key-${++keys}`;

  it("refuses one refund above the per-refund ceiling, naming the limit", async () => {
    const allowance = allowanceOf({ maxRefund: 5_000, maxSessionRefunds: 100_000 });
    await expect(allowance.reserve(5_001, "usd", key())).rejects.toThrow(/above this server's limit of \$50\.00 per refund/);
    expect(await allowance.usedIn("usd")).toBe(0);
    await (await allowance.reserve(5_000, "usd", key())).commit();
    expect(await allowance.usedIn("usd")).toBe(5_000);
  });

  it("keeps a session total per currency, never converting between them", async () => {
    const allowance = allowanceOf({ maxRefund: 10_000, maxSessionRefunds: 15_000 });
    await (await allowance.reserve(10_000, "usd", key())).commit();
    await expect(allowance.reserve(6_000, "usd", key())).rejects.toThrow(/\$100\.00 already refunded or in progress; \$50\.00 left/);
    await (await allowance.reserve(10_000, "eur", key())).commit();
    await (await allowance.reserve(5_000, "usd", key())).commit();
    expect(await allowance.usedIn("usd")).toBe(15_000);
    expect(await allowance.usedIn("eur")).toBe(10_000);
  });

  it("counts a refund in flight, and gives back what a released one reserved (once)", async () => {
    const allowance = allowanceOf({ maxRefund: 10_000, maxSessionRefunds: 10_000 });
    const inFlight = await allowance.reserve(8_000, "usd", key());
    await expect(allowance.reserve(8_000, "usd", key())).rejects.toThrow(/limit_exceeded|above/);
    await inFlight.release();
    await inFlight.release();
    expect(await allowance.usedIn("usd")).toBe(0);
    const committed = await allowance.reserve(8_000, "usd", key());
    await committed.commit();
    await committed.release();
    expect(await allowance.usedIn("usd")).toBe(8_000);
  });

  it("keeps counting a refund whose outcome is unknown, and its repeat reuses that count", async () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 2_500 });
    const lost = key();
    await (await allowance.reserve(1_000, "usd", lost)).unknown();
    expect(await allowance.usedIn("usd")).toBe(1_000);
    expect(await allowance.earlier(lost)).toEqual({ amount: 1_000, currency: "usd" });
    // The repeat (same key) is the same refund: it reserves nothing more, whatever the API answers.
    const repeat = await allowance.reserve(1_000, "usd", lost);
    expect(await allowance.usedIn("usd")).toBe(1_000);
    await repeat.replayedFromEarlier();
    expect(await allowance.usedIn("usd")).toBe(1_000);
    await (await allowance.reserve(1_000, "usd", key())).commit();
    await expect(allowance.reserve(1_000, "usd", key())).rejects.toThrow(/\$5\.00 left/);
  });

  it("gives back an unknown refund's count once a repeat learns the API never made it", async () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    const lost = key();
    await (await allowance.reserve(1_000, "usd", lost)).unknown();
    await (await allowance.reserve(1_000, "usd", lost)).release();
    expect(await allowance.usedIn("usd")).toBe(0);
    expect(await allowance.earlier(lost)).toBeUndefined();
  });

  it("does not count a replay of a refund made before this session", async () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    await (await allowance.reserve(1_000, "usd", key())).replayedFromEarlier();
    expect(await allowance.usedIn("usd")).toBe(0);
  });

  it("counts two concurrent calls with the same key once", async () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 5_000 });
    const same = key();
    const [a, b] = await Promise.all([allowance.reserve(1_000, "usd", same), allowance.reserve(1_000, "usd", same)]);
    expect(await allowance.usedIn("usd")).toBe(2_000);
    await a.commit();
    await b.commit();
    expect(await allowance.usedIn("usd")).toBe(1_000);
  });

  it("lets only one of many concurrent refunds through a limit that fits one", async () => {
    const allowance = allowanceOf({ maxRefund: 1_000, maxSessionRefunds: 1_000 });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => allowance.reserve(1_000, "usd", key())));
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
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

// Seeded data: determinism per seed, the documented fixtures, and the data invariants others rely on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SANDBOX_AGENTS,
  SANDBOX_DEMO_CUSTOMER_EMAIL,
  type Sandbox,
  type SandboxStore,
  startSandbox,
} from "../../src/sandbox/index.js";

let a: Sandbox;
let b: Sandbox;
let c: Sandbox;

beforeAll(async () => {
  [a, b, c] = await Promise.all([
    startSandbox({ seed: 42 }),
    startSandbox({ seed: 42 }),
    startSandbox({ seed: 43 }),
  ]);
});
afterAll(() => Promise.all([a.close(), b.close(), c.close()]));

const snapshot = (s: SandboxStore) =>
  JSON.stringify([s.customers, s.transactions, s.tickets, s.comments, s.notes, s.segments, s.fixtures]);

describe("determinism", () => {
  it("produces identical data for the same seed", () => {
    expect(snapshot(a.store)).toBe(snapshot(b.store));
  });

  it("produces different data for a different seed", () => {
    expect(a.store.customers[1]?.id).not.toBe(c.store.customers[1]?.id);
    expect(snapshot(a.store)).not.toBe(snapshot(c.store));
  });

  it("gives API-created records the same ids in two sandboxes with the same seed", async () => {
    const post = (sb: Sandbox) =>
      fetch(`${sb.url}/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
        method: "POST",
        headers: { Authorization: `Bearer ${sb.apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ body: "Same id?", author: "Test" }),
      }).then((r) => r.json() as Promise<{ id: string }>);
    expect((await post(a)).id).toBe((await post(b)).id);
  });
});

describe("volumes", () => {
  it("seeds the default counts", () => {
    const s = a.store;
    expect(s.customers).toHaveLength(1000);
    expect(s.transactions).toHaveLength(10_000);
    expect(s.tickets).toHaveLength(2000);
    expect(s.notes.length).toBeGreaterThanOrEqual(1000);
    expect(s.segments.length).toBeGreaterThanOrEqual(5);
    expect(s.segments.length).toBeLessThanOrEqual(8);
  });

  it("honours smaller counts", async () => {
    const small = await startSandbox({ counts: { customers: 10, transactions: 30, tickets: 8 } });
    try {
      expect(small.store.customers).toHaveLength(10);
      expect(small.store.transactions).toHaveLength(30);
      expect(small.store.tickets).toHaveLength(8);
    } finally {
      await small.close();
    }
  });
});

describe("fixtures", () => {
  it("makes customer 0 Ada Lovelace, active, with her activity", () => {
    const s = a.store;
    const ada = s.customers[0];
    expect(ada).toMatchObject({ name: "Ada Lovelace", email: SANDBOX_DEMO_CUSTOMER_EMAIL, status: "active" });
    expect(s.fixtures.demoCustomerId).toBe(ada?.id);
    const txns = s.transactions.filter((t) => t.customer_id === ada?.id);
    expect(txns.length).toBeGreaterThanOrEqual(8);
    const partial = s.transactionsById.get(s.fixtures.partiallyRefundedTransactionId);
    expect(partial?.refunded_amount).toBeGreaterThan(0);
    expect(partial?.refunded_amount).toBeLessThan(partial?.amount ?? 0);
    expect(s.transactionsById.get(s.fixtures.refundableTransactionId)).toMatchObject({
      type: "charge",
      status: "succeeded",
      refunded_amount: 0,
    });
    expect(
      s.tickets.filter((t) => t.customer_id === ada?.id && t.status === "open").length,
    ).toBeGreaterThanOrEqual(2);
    expect(s.notes.some((n) => n.customer_id === ada?.id)).toBe(true);
  });

  it("seeds exactly one ticket that tries to instruct an AI", () => {
    const hits = a.store.tickets.filter((t) => /ignore all previous instructions/i.test(t.description));
    expect(hits.map((t) => t.id)).toEqual([a.store.fixtures.promptInjectionTicketId]);
  });

  it("seeds one customer name and one comment with a zero-width and a control character", () => {
    const unsafe = {
      test: (s: string) => s.includes("\u200B") && [...s].some((ch) => ch.charCodeAt(0) < 0x20),
    };
    const names = a.store.customers.filter((c) => unsafe.test(c.name));
    expect(names.map((c) => c.id)).toEqual([a.store.fixtures.unsafeNameCustomerId]);
    const comments = a.store.comments.filter((c) => unsafe.test(c.body));
    expect(comments.map((c) => c.id)).toEqual([a.store.fixtures.unsafeCommentId]);
  });

  it("includes non-ASCII names", () => {
    expect(a.store.customers.some((c) => [...c.name].some((ch) => ch.charCodeAt(0) > 0x7f))).toBe(true);
  });
});

describe("invariants", () => {
  it("uses contract id patterns and unique ids", () => {
    const s = a.store;
    const groups: Array<[string, Array<{ id: string }>]> = [
      ["cus", s.customers],
      ["txn", s.transactions],
      ["tkt", s.tickets],
      ["cmt", s.comments],
      ["note", s.notes],
      ["seg", s.segments],
    ];
    for (const [prefix, records] of groups) {
      const pattern = new RegExp(`^${prefix}_[A-Za-z0-9]{8,24}$`);
      expect(records.every((r) => pattern.test(r.id))).toBe(true);
      expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    }
  });

  it("keeps e-mails on example domains, unique, and phones fake", () => {
    const emails = a.store.customers.map((c) => c.email);
    expect(emails.every((e) => /^[a-z0-9.]+@example\.(com|org|net)$/.test(e))).toBe(true);
    expect(new Set(emails).size).toBe(emails.length);
    expect(a.store.customers.every((c) => c.phone.startsWith("+1-555-01"))).toBe(true);
  });

  it("keeps refunded_amount within amount and comments_count equal to the comments", () => {
    const s = a.store;
    expect(s.transactions.every((t) => t.refunded_amount >= 0 && t.refunded_amount <= t.amount)).toBe(true);
    const counts = new Map<string, number>();
    for (const c of s.comments) counts.set(c.ticket_id, (counts.get(c.ticket_id) ?? 0) + 1);
    expect(s.tickets.every((t) => t.comments_count === (counts.get(t.id) ?? 0))).toBe(true);
  });

  it("spreads timestamps over 2024-01-01..2026-10-31", () => {
    const times = [...a.store.customers, ...a.store.transactions, ...a.store.tickets].map(
      (r) => r.created_at,
    );
    expect(times.every((t) => t >= "2024-01-01T00:00:00.000Z" && t <= "2026-10-31T23:59:59.999Z")).toBe(true);
  });

  it("has mostly active customers, and some inactive and suspended ones", () => {
    const count = (status: string) => a.store.customers.filter((c) => c.status === status).length;
    expect(count("active")).toBeGreaterThan(700);
    expect(count("inactive")).toBeGreaterThan(0);
    expect(count("suspended")).toBeGreaterThan(0);
  });

  it("leaves some ticket assignees null and uses only the fixed agents otherwise", () => {
    const ids = new Set(SANDBOX_AGENTS.map((x) => x.id));
    expect(a.store.tickets.some((t) => t.assignee === null)).toBe(true);
    expect(a.store.tickets.every((t) => t.assignee === null || ids.has(t.assignee.id))).toBe(true);
  });
});

// Idempotency-Key on POST: replay, conflict, validation, scope and the 24-hour window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Refund, type Sandbox, startSandbox, type Ticket } from "../../src/sandbox/index.js";
import { call, type ErrorBody, manualClock } from "./helpers.js";

const clock = manualClock();
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 13, clock: clock.now });
});
afterAll(() => sb.close());

const ticketBody = () => ({
  customer_id: sb.store.fixtures.demoCustomerId,
  subject: "Duplicate charge",
  description: "Charged twice.",
  priority: "normal",
});

function postTicket(key: string, body: unknown) {
  return call<Ticket & ErrorBody>(sb, "/v1/tickets", {
    method: "POST",
    body,
    headers: { "Idempotency-Key": key },
  });
}

describe("Idempotency-Key", () => {
  it("replays the original ticket when the same Idempotency-Key and body are sent again", async () => {
    const before = sb.store.created.tickets;
    const first = await postTicket("key-replay-1", ticketBody());
    const second = await postTicket("key-replay-1", ticketBody());
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(sb.store.created.tickets).toBe(before + 1);
    expect(
      sb.requests
        .all()
        .filter((e) => e.idempotencyKey === "key-replay-1")
        .map((e) => e.replayed),
    ).toEqual([false, true]);
  });

  it("treats key order and whitespace in the body as the same body", async () => {
    const body = ticketBody();
    await postTicket("key-canonical", body);
    const reordered = `{ "priority": "normal", "description": "Charged twice.", "subject": "Duplicate charge",
      "customer_id": "${body.customer_id}" }`;
    const res = await postTicket("key-canonical", reordered);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays the original body even after the record changed", async () => {
    const first = await postTicket("key-snapshot", ticketBody());
    await call(sb, `/v1/tickets/${first.body.id}`, { method: "PATCH", body: { status: "solved" } });
    const replay = await postTicket("key-snapshot", ticketBody());
    expect(replay.body.status).toBe("open");
  });

  it("answers 422 idempotency_conflict for the same key with a different body", async () => {
    await postTicket("key-conflict", ticketBody());
    const res = await postTicket("key-conflict", { ...ticketBody(), subject: "Something else" });
    expect(res.status).toBe(422);
    expect(res.body.error.type).toBe("idempotency_conflict");
  });

  it("scopes keys by method and path", async () => {
    await postTicket("key-shared", ticketBody());
    const note = await call(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}/notes`, {
      method: "POST",
      body: { body: "hello", author: "Maya" },
      headers: { "Idempotency-Key": "key-shared" },
    });
    expect(note.status).toBe(201);
    expect(note.headers.get("idempotent-replayed")).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["with a space", "has space"],
  ])("answers 400 for a key that is %s", async (_label, key) => {
    const res = await postTicket(key, ticketBody());
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request");
  });

  it("performs the request again once 24 hours have passed on the clock", async () => {
    const before = sb.store.created.tickets;
    const first = await postTicket("key-window", ticketBody());
    clock.advance(24 * 60 * 60 * 1000);
    const second = await postTicket("key-window", ticketBody());
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(sb.store.created.tickets).toBe(before + 2);
  });

  it("does not remember failures, so a corrected retry can succeed", async () => {
    const id = sb.store.fixtures.refundableTransactionId; // 4999 remaining
    const tooMuch = await call<ErrorBody>(sb, "/v1/refunds", {
      method: "POST",
      body: { transaction_id: id, amount: 5000, reason: "duplicate" },
      headers: { "Idempotency-Key": "refund-1" },
    });
    expect(tooMuch.status).toBe(422);
    const ok = await call<Refund>(sb, "/v1/refunds", {
      method: "POST",
      body: { transaction_id: id, amount: 100, reason: "duplicate" },
      headers: { "Idempotency-Key": "refund-1" },
    });
    expect(ok.status).toBe(201);
  });

  it("refunds only once when a refund is retried with its key", async () => {
    const id = sb.store.fixtures.refundableTransactionId;
    const before = sb.store.transactionsById.get(id)?.refunded_amount ?? 0;
    const body = { transaction_id: id, amount: 50, reason: "service_issue" };
    const headers = { "Idempotency-Key": "refund-2" };
    const a = await call<Refund>(sb, "/v1/refunds", { method: "POST", body, headers });
    const b = await call<Refund>(sb, "/v1/refunds", { method: "POST", body, headers });
    expect(b.body.id).toBe(a.body.id);
    expect(sb.store.transactionsById.get(id)?.refunded_amount).toBe(before + 50);
  });
});

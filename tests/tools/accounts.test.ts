// get_customer_overview, update_customer_status and add_customer_note through the real SDK Client over an
// in-memory pair, against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { accountTools } from "../../src/tools/accounts.js";
import { testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

/** Free text as views mark it: `untrusted` says who wrote it. */
interface Marked {
  untrusted: string;
  text: string;
  suspicious?: true;
}
interface Overview {
  customer: { id: string; name: Marked; status: string };
  recent_transactions: Array<{ id: string }>;
  more_transactions: boolean;
  open_tickets: Array<{ id: string; subject: Marked; priority: string; status: string; updated_at: string }>;
  more_open_tickets: boolean;
  refundable: {
    charges: Array<{ transaction_id: string; refundable: number; currency: string }>;
    totals: Array<{ amount: number; currency: string; display: string }>;
    transactions_scanned: number;
    complete: boolean;
  };
  notes_count: number;
  notes_count_is_lower_bound: boolean;
}

let connected: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox, { maxRetries: 1 }), { tools: accountTools });
});
afterAll(async () => {
  await connected.close();
});

const adaId = () => env.sandbox.store.fixtures.demoCustomerId;

/** A customer no other test touches, in the given status. */
function customerWithStatus(status: "active" | "inactive" | "suspended", skip = 0) {
  const found = env.sandbox.store.customers.slice(10).filter((c) => c.status === status)[skip];
  if (!found) throw new Error(`the sandbox has no ${status} customer`);
  return found;
}

async function overviewOf(customerId: string): Promise<{ data: Overview; text: string }> {
  const result = await callTool(connected.client, "get_customer_overview", { customer_id: customerId });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const first = result.content[0];
  return { data: result.structuredContent as unknown as Overview, text: first?.type === "text" ? first.text : "" };
}

describe("get_customer_overview", () => {
  it("matches the sandbox store for Ada: transactions, open tickets, refundable totals and notes", async () => {
    const { data } = await overviewOf(adaId());
    const store = env.sandbox.store;
    const transactions = store.transactionsByCustomer.get(adaId()) ?? [];
    const openTickets = (store.ticketsByCustomer.get(adaId()) ?? []).filter((t) => t.status === "open");
    const refundable = transactions
      .slice(0, 20)
      .filter((t) => t.type === "charge" && t.status === "succeeded" && t.amount > t.refunded_amount);

    expect(data.customer).toMatchObject({
      id: adaId(),
      name: { untrusted: "customer", text: "Ada Lovelace" },
      status: "active",
    });
    expect(data.recent_transactions.map((t) => t.id)).toEqual(transactions.slice(0, 5).map((t) => t.id));
    expect(data.more_transactions).toBe(transactions.length > 5);
    expect(data.open_tickets.map((t) => t.id)).toEqual(openTickets.slice(0, 5).map((t) => t.id));
    expect(data.open_tickets.map((t) => t.id).sort()).toEqual([...store.fixtures.openTicketIds].sort());
    expect(data.open_tickets[0]).toEqual({
      id: openTickets[0]?.id,
      subject: { untrusted: "customer", text: openTickets[0]?.subject },
      priority: openTickets[0]?.priority,
      status: "open",
      updated_at: openTickets[0]?.updated_at,
    });
    expect(data.refundable.charges).toEqual(
      refundable.map((t) => ({ transaction_id: t.id, refundable: t.amount - t.refunded_amount, currency: t.currency })),
    );
    const total = refundable.reduce((sum, t) => sum + t.amount - t.refunded_amount, 0);
    expect(data.refundable.totals).toEqual([{ amount: total, currency: "usd", display: expect.stringMatching(/^\$/) }]);
    expect(data.refundable).toMatchObject({ transactions_scanned: transactions.length, complete: true });
    expect(data.notes_count).toBe(store.notesByCustomer.get(adaId())?.length);
    expect(data.notes_count_is_lower_bound).toBe(false);
  });

  it("makes exactly four upstream reads and stays under 40% of the raw upstream JSON", async () => {
    const before = env.sandbox.requests.count();
    const { text } = await overviewOf(adaId());
    expect(env.sandbox.requests.count()).toBe(before + 4);

    const headers = { authorization: `Bearer ${env.sandbox.apiKey}` };
    const id = adaId();
    const paths = [
      `/v1/customers/${id}`,
      `/v1/customers/${id}/transactions?limit=20`,
      `/v1/tickets?customer_id=${id}&status=open&limit=5`,
      `/v1/customers/${id}/notes?limit=100`,
    ];
    const read = async (path: string) => (await fetch(env.sandbox.url + path, { headers })).text();
    const bodies = await Promise.all(paths.map(read));
    const raw = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    expect(Buffer.byteLength(text) / raw).toBeLessThanOrEqual(0.4);
    for (const leaked of ["internal", "risk", "fingerprint", "metadata", "legacy_id"]) expect(text).not.toContain(leaked);
  });

  it("marks the notes count as a lower bound when there are more notes than one page", async () => {
    const customer = customerWithStatus("active", 5);
    const notes = env.sandbox.store.notesByCustomer.get(customer.id)?.length ?? 0;
    for (let i = notes; i < 101; i++) {
      await callTool(connected.client, "add_customer_note", { customer_id: customer.id, body: `note ${i}` });
    }
    const { data } = await overviewOf(customer.id);
    expect(data.notes_count).toBe(100);
    expect(data.notes_count_is_lower_bound).toBe(true);
  });

  it("reports not_found for a customer that does not exist", async () => {
    const error = errorOf(
      await callTool(connected.client, "get_customer_overview", { customer_id: "cus_doesnotexist00" }),
    );
    expect(error.error_code).toBe("not_found");
  });

  it("rejects a malformed id before calling the API", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await callTool(connected.client, "get_customer_overview", { customer_id: "ada" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "customer_id", message: expect.stringContaining("search_customers") }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx on any of its reads as backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/tickets" });
    const error = errorOf(await callTool(connected.client, "get_customer_overview", { customer_id: adaId() }));
    expect(error.error_code).toBe("backend_unavailable");
  });
});

describe("update_customer_status", () => {
  it("changes the status, returns the previous one and the updated profile", async () => {
    const customer = customerWithStatus("active");
    const result = await callTool(connected.client, "update_customer_status", {
      customer_id: customer.id,
      status: "suspended",
      reason: "chargeback fraud confirmed",
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      customer: { id: customer.id, status: "suspended" },
      previous_status: "active",
      changed: true,
    });
    expect(env.sandbox.store.customersById.get(customer.id)?.status).toBe("suspended");
  });

  it("makes no PATCH when the customer already has that status", async () => {
    const customer = customerWithStatus("inactive");
    const patches = env.sandbox.requests.count({ method: "PATCH" });
    const result = await callTool(connected.client, "update_customer_status", {
      customer_id: customer.id,
      status: "inactive",
      reason: "already closed",
    });
    expect(result.structuredContent).toMatchObject({
      customer: { id: customer.id, status: "inactive" },
      previous_status: "inactive",
      changed: false,
    });
    expect(env.sandbox.requests.count({ method: "PATCH" })).toBe(patches);
  });

  it.each([
    ["missing", undefined],
    ["too short", "no"],
    ["blank", "     "],
  ])("requires a reason (%s) and writes nothing", async (_case, reason) => {
    const customer = customerWithStatus("active", 1);
    const before = env.sandbox.requests.count();
    const error = errorOf(
      await callTool(connected.client, "update_customer_status", {
        customer_id: customer.id,
        status: "suspended",
        ...(reason === undefined ? {} : { reason }),
      }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "reason", message: expect.any(String) }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("rejects an unknown status", async () => {
    const error = errorOf(
      await callTool(connected.client, "update_customer_status", {
        customer_id: adaId(),
        status: "deleted",
        reason: "user asked",
      }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "status", message: expect.any(String) }]);
  });

  it("reports not_found for a customer that does not exist", async () => {
    const error = errorOf(
      await callTool(connected.client, "update_customer_status", {
        customer_id: "cus_doesnotexist00",
        status: "active",
        reason: "reactivated on request",
      }),
    );
    expect(error.error_code).toBe("not_found");
  });

  it("reports an upstream 5xx on the PATCH as outcome_unknown, to be repeated as is, and leaves the status alone", async () => {
    const customer = customerWithStatus("active", 2);
    env.sandbox.faults.add({ kind: "status", status: 503, method: "PATCH", path: "/v1/customers/" });
    const error = errorOf(
      await callTool(connected.client, "update_customer_status", {
        customer_id: customer.id,
        status: "inactive",
        reason: "closing the account",
      }),
    );
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(env.sandbox.store.customersById.get(customer.id)?.status).toBe("active");
  });
});

describe("add_customer_note", () => {
  it("creates exactly one note with the default author", async () => {
    const before = env.sandbox.store.created.notes;
    const result = await callTool(connected.client, "add_customer_note", {
      customer_id: adaId(),
      body: "Called about the double charge; refund promised.",
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      note: {
        id: expect.stringMatching(/^note_/),
        customer_id: adaId(),
        author: { untrusted: "staff", text: "customer-mcp agent" },
        body: { untrusted: "staff", text: "Called about the double charge; refund promised." },
      },
      replayed: false,
    });
    expect(env.sandbox.store.created.notes).toBe(before + 1);
    const post = env.sandbox.requests.all().filter((entry) => entry.method === "POST").at(-1);
    expect(post?.idempotencyKey).toMatch(/^cmcp-add_customer_note-/);
  });

  it("keeps the given author", async () => {
    const result = await callTool(connected.client, "add_customer_note", {
      customer_id: adaId(),
      body: "VIP: handle with care.",
      author: "Jordan Blake",
    });
    expect(result.structuredContent).toMatchObject({ note: { author: { untrusted: "staff", text: "Jordan Blake" } } });
  });

  it("reports not_found for a customer that does not exist", async () => {
    const before = env.sandbox.store.created.notes;
    const error = errorOf(
      await callTool(connected.client, "add_customer_note", { customer_id: "cus_doesnotexist00", body: "hello" }),
    );
    expect(error.error_code).toBe("not_found");
    expect(env.sandbox.store.created.notes).toBe(before);
  });

  it.each([
    ["an empty body", { body: "" }],
    ["a body over 5000 characters", { body: "x".repeat(5001) }],
    ["an author over 200 characters", { body: "ok", author: "a".repeat(201) }],
  ])("rejects %s before calling the API", async (_case, args) => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await callTool(connected.client, "add_customer_note", { customer_id: adaId(), ...args }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx as outcome_unknown, to be repeated as is, and creates no note", async () => {
    const before = env.sandbox.store.created.notes;
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/customers/" });
    const error = errorOf(await callTool(connected.client, "add_customer_note", { customer_id: adaId(), body: "hi" }));
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(env.sandbox.store.created.notes).toBe(before);
  });
});

// Customers: listing and pagination, filters, get by id, and the status change that needs a reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Customer,
  SANDBOX_DEMO_CUSTOMER_EMAIL,
  type Sandbox,
  startSandbox,
} from "../../src/sandbox/index.js";
import { call, collect, type ErrorBody, manualClock, type Page } from "./helpers.js";

const clock = manualClock();
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, clock: clock.now });
});
afterAll(() => sb.close());

const newestFirst = (a: Customer, b: Customer) =>
  a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;

describe("GET /v1/customers", () => {
  it("pages through every customer exactly once, newest first", async () => {
    const { items, pages } = await collect<Customer>(sb, "/v1/customers?limit=100");
    expect(items).toHaveLength(sb.store.customers.length);
    expect(new Set(items.map((c) => c.id)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(items.length / 100));
    expect(items.map((c) => c.id)).toEqual([...items].sort(newestFirst).map((c) => c.id));
  });

  it("returns 20 by default and a null next_cursor on the last page", async () => {
    const first = await call<Page<Customer>>(sb, "/v1/customers");
    expect(first.body.data).toHaveLength(20);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const tiny = await startSandbox({ counts: { customers: 3 } });
    try {
      const only = await call<Page<Customer>>(tiny, "/v1/customers");
      expect(only.body.data).toHaveLength(3);
      expect(only.body.next_cursor).toBeNull();
    } finally {
      await tiny.close();
    }
  });

  it("serves the full verbose record, internal fields included", async () => {
    const res = await call<Page<Customer>>(sb, "/v1/customers?limit=1");
    const c = res.body.data[0];
    expect(c).toMatchObject({
      object: "customer",
      address: expect.any(Object),
      internal: expect.objectContaining({ legacy_id: expect.any(String), feature_flags: expect.any(Object) }),
      risk: expect.objectContaining({ score: expect.any(Number) }),
      account_manager: expect.objectContaining({ email: expect.stringMatching(/@example\.(com|org|net)$/) }),
    });
  });

  it.each(["0", "101", "abc", "1.5", "-1", ""])("rejects limit=%s with 400 param limit", async (limit) => {
    const res = await call<ErrorBody>(sb, `/v1/customers?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request", param: "limit" });
  });

  it.each([1, 100])("accepts limit=%i", async (limit) => {
    const res = await call<Page<Customer>>(sb, `/v1/customers?limit=${limit}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(limit);
  });

  it("rejects a tampered cursor with 400 param cursor", async () => {
    const first = await call<Page<Customer>>(sb, "/v1/customers?limit=5");
    const cursor = first.body.next_cursor ?? "";
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith("AA") ? "BB" : "AA"}`;
    for (const bad of [tampered, "garbage", "e30.abc"]) {
      const res = await call<ErrorBody>(sb, `/v1/customers?cursor=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe("cursor");
    }
  });

  it("rejects a cursor reused with different filters", async () => {
    const first = await call<Page<Customer>>(sb, "/v1/customers?limit=5&status=active");
    const res = await call<ErrorBody>(
      sb,
      `/v1/customers?status=inactive&cursor=${encodeURIComponent(first.body.next_cursor ?? "")}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("cursor");
  });

  it("finds Ada Lovelace by exact e-mail, case-insensitively", async () => {
    const res = await call<Page<Customer>>(
      sb,
      `/v1/customers?email=${encodeURIComponent("ADA.Lovelace@Example.com")}`,
    );
    expect(res.body.data.map((c) => c.email)).toEqual([SANDBOX_DEMO_CUSTOMER_EMAIL]);
    expect(res.body.data[0]?.id).toBe(sb.store.fixtures.demoCustomerId);
  });

  it("matches query as a case-insensitive substring of name or e-mail", async () => {
    const byName = await collect<Customer>(sb, "/v1/customers?query=LOVEL&limit=100");
    expect(byName.items.map((c) => c.name)).toContain("Ada Lovelace");
    const byEmail = await collect<Customer>(sb, "/v1/customers?query=example.net&limit=100");
    const expected = sb.store.customers.filter((c) => c.email.includes("example.net"));
    expect(byEmail.items).toHaveLength(expected.length);
  });

  it("filters by status, segment_id and created_after, and pages filtered results without gaps", async () => {
    const segment = sb.store.segments[1];
    if (!segment) throw new Error("no segment");
    const after = "2025-06-01T00:00:00Z";
    const { items } = await collect<Customer>(
      sb,
      `/v1/customers?status=active&segment_id=${segment.id}&created_after=${after}&limit=7`,
    );
    const expected = sb.store.customers.filter(
      (c) =>
        c.status === "active" && c.segment_id === segment.id && c.created_at > "2025-06-01T00:00:00.000Z",
    );
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((c) => c.id))).toEqual(new Set(expected.map((c) => c.id)));
  });

  it.each([
    ["status", "status=deleted"],
    ["segment_id", "segment_id=vip"],
    ["created_after", "created_after=yesterday"],
    ["query", `query=${"x".repeat(201)}`],
  ])("rejects an invalid %s filter with 400 and the param", async (param, qs) => {
    const res = await call<ErrorBody>(sb, `/v1/customers?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request", param });
  });

  it("ignores unknown query parameters", async () => {
    expect((await call(sb, "/v1/customers?limit=2&expand=everything")).status).toBe(200);
  });
});

describe("GET /v1/customers/{id}", () => {
  it("returns the customer", async () => {
    const ada = sb.store.customers[0];
    const res = await call<Customer>(sb, `/v1/customers/${ada?.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ada);
  });

  it.each(["cus_doesNotExist1", "cus_short", "txn_AAAAAAAAAAAAAA", "cus_bad-chars!!"])(
    "answers 404 not_found for %s",
    async (id) => {
      const res = await call<ErrorBody>(sb, `/v1/customers/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe("not_found");
    },
  );
});

describe("PATCH /v1/customers/{id}", () => {
  const target = () => {
    const c = sb.store.customers.find(
      (x) => x.status === "active" && x.id !== sb.store.fixtures.demoCustomerId,
    );
    if (!c) throw new Error("no active customer");
    return c;
  };

  it("requires a reason when the status changes", async () => {
    const c = target();
    const res = await call<ErrorBody>(sb, `/v1/customers/${c.id}`, {
      method: "PATCH",
      body: { status: "suspended" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request", param: "reason" });
    expect(c.status).toBe("active");
  });

  it("changes the status with a reason and stamps updated_at from the clock", async () => {
    const c = target();
    const res = await call<Customer>(sb, `/v1/customers/${c.id}`, {
      method: "PATCH",
      body: { status: "suspended", reason: "Chargeback investigation", extra: "ignored" },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("suspended");
    expect(res.body.updated_at).toBe(new Date(clock.now()).toISOString());
    expect(res.body.internal.last_status_change).toMatchObject({ from: "active", to: "suspended" });
    expect(sb.store.customersById.get(c.id)?.status).toBe("suspended");
  });

  it("does not need a reason when the status stays the same", async () => {
    const ada = sb.store.customers[0];
    const res = await call<Customer>(sb, `/v1/customers/${ada?.id}`, {
      method: "PATCH",
      body: { status: "active" },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("active");
  });

  it("rejects an unknown status with 400 param status", async () => {
    const res = await call<ErrorBody>(sb, `/v1/customers/${sb.store.fixtures.demoCustomerId}`, {
      method: "PATCH",
      body: { status: "deleted", reason: "x" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("status");
  });

  it("answers 404 for an unknown customer", async () => {
    const res = await call(sb, "/v1/customers/cus_00000000000000", {
      method: "PATCH",
      body: { status: "active" },
    });
    expect(res.status).toBe(404);
  });
});

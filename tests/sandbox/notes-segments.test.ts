// Customer notes and segments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Note, type Sandbox, type Segment, startSandbox } from "../../src/sandbox/index.js";
import { call, collect, type ErrorBody, type Page } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 9 });
});
afterAll(() => sb.close());

const ada = () => sb.store.fixtures.demoCustomerId;

describe("customer notes", () => {
  it("lists a customer's notes newest first", async () => {
    const { items } = await collect<Note>(sb, `/v1/customers/${ada()}/notes`);
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((n) => n.customer_id === ada())).toBe(true);
    const times = items.map((n) => n.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("adds a note", async () => {
    const res = await call<Note>(sb, `/v1/customers/${ada()}/notes`, {
      method: "POST",
      body: { body: "Called about the renewal.", author: "Maya Chen" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      customer_id: ada(),
      body: "Called about the renewal.",
      author: "Maya Chen",
    });
    expect(res.body.id).toMatch(/^note_[A-Za-z0-9]{8,24}$/);
    expect(sb.store.created.notes).toBe(1);
  });

  it.each([
    ["body", { author: "Maya" }],
    ["author", { body: "Hello" }],
  ])("answers 400 with param %s when it is missing", async (param, body) => {
    const res = await call<ErrorBody>(sb, `/v1/customers/${ada()}/notes`, { method: "POST", body });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("answers 404 for an unknown customer", async () => {
    expect((await call(sb, "/v1/customers/cus_00000000000000/notes")).status).toBe(404);
  });
});

describe("GET /v1/segments", () => {
  it("returns every segment in one page with customer counts that match the customers", async () => {
    const res = await call<Page<Segment>>(sb, "/v1/segments");
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data.length).toBeGreaterThanOrEqual(5);
    expect(res.body.data.length).toBeLessThanOrEqual(8);
    for (const segment of res.body.data) {
      expect(segment.customer_count).toBe(
        sb.store.customers.filter((c) => c.segment_id === segment.id).length,
      );
    }
    expect(res.body.data.reduce((n, s) => n + s.customer_count, 0)).toBe(sb.store.customers.length);
  });
});

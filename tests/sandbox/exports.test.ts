// Exports: lifecycle driven by the injected clock, cancel, and download in both formats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Export, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { call, type ErrorBody, manualClock } from "./helpers.js";

const clock = manualClock();
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 21, clock: clock.now, exportDurationMs: 1000 });
});
afterAll(() => sb.close());

async function createExport(body: unknown) {
  return call<Export & ErrorBody>(sb, "/v1/exports", { method: "POST", body });
}

describe("POST /v1/exports", () => {
  it("queues an export (202) that runs and then succeeds as the clock advances", async () => {
    const created = await createExport({ format: "csv", filter: { status: "active" } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: "queued",
      progress: 0,
      format: "csv",
      filter: { status: "active" },
      row_count: null,
      finished_at: null,
    });
    const id = created.body.id;
    clock.advance(600);
    const running = await call<Export>(sb, `/v1/exports/${id}`);
    expect(running.body.status).toBe("running");
    expect(running.body.progress).toBeGreaterThan(0);
    expect(running.body.progress).toBeLessThan(1);
    clock.advance(400);
    const done = await call<Export>(sb, `/v1/exports/${id}`);
    expect(done.body).toMatchObject({ status: "succeeded", progress: 1 });
    expect(done.body.row_count).toBe(sb.store.customers.filter((c) => c.status === "active").length);
    expect(done.body.finished_at).toBe(new Date(clock.now()).toISOString());
  });

  it("succeeds immediately when exportDurationMs is 0", async () => {
    const instant = await startSandbox({ exportDurationMs: 0, counts: { customers: 10 } });
    try {
      const res = await call<Export>(instant, "/v1/exports", { method: "POST", body: { format: "jsonl" } });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: "succeeded", progress: 1, row_count: 10 });
    } finally {
      await instant.close();
    }
  });

  it.each([
    ["format", { format: "xlsx" }],
    ["filter.status", { format: "csv", filter: { status: "gone" } }],
    ["filter.segment_id", { format: "csv", filter: { segment_id: "enterprise" } }],
  ])("answers 400 with param %s for an invalid body", async (param, body) => {
    const res = await createExport(body);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("answers 404 for an unknown segment in the filter", async () => {
    const res = await createExport({ format: "csv", filter: { segment_id: "seg_AAAAAAAAAAAAAA" } });
    expect(res.status).toBe(404);
    expect(res.body.error.param).toBe("filter.segment_id");
  });
});

describe("GET /v1/exports/{id}/download", () => {
  it("answers 409 conflict until the export has succeeded", async () => {
    const { body } = await createExport({ format: "csv" });
    const res = await call<ErrorBody>(sb, `/v1/exports/${body.id}/download`);
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe("conflict");
  });

  it("serves a CSV with a header row and one row per matching customer", async () => {
    const segment = sb.store.segments[0];
    const { body } = await createExport({ format: "csv", filter: { segment_id: segment?.id } });
    clock.advance(1000);
    const res = await call(sb, `/v1/exports/${body.id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,name,email,phone,address,tax_id,date_of_birth,status,segment_id,created_at,lifetime_value,currency");
    expect(lines).toHaveLength(1 + (segment?.customer_count ?? 0));
  });

  it("serves JSON lines, one parseable object per customer", async () => {
    const { body } = await createExport({ format: "jsonl", filter: { status: "suspended" } });
    clock.advance(1000);
    const res = await call(sb, `/v1/exports/${body.id}/download`);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const rows = res.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { status: string });
    expect(rows).toHaveLength(sb.store.customers.filter((c) => c.status === "suspended").length);
    expect(rows.every((r) => r.status === "suspended")).toBe(true);
  });
});

describe("DELETE /v1/exports/{id}", () => {
  it("cancels a queued export, which then never succeeds", async () => {
    const { body } = await createExport({ format: "csv" });
    const res = await call<Export>(sb, `/v1/exports/${body.id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("canceled");
    clock.advance(10_000);
    expect((await call<Export>(sb, `/v1/exports/${body.id}`)).body.status).toBe("canceled");
    expect((await call(sb, `/v1/exports/${body.id}/download`)).status).toBe(409);
  });

  it("cancels a running export", async () => {
    const { body } = await createExport({ format: "csv" });
    clock.advance(500);
    expect((await call<Export>(sb, `/v1/exports/${body.id}`)).body.status).toBe("running");
    const res = await call<Export>(sb, `/v1/exports/${body.id}`, { method: "DELETE" });
    expect(res.body.status).toBe("canceled");
  });

  it("answers 409 conflict for an export that already finished", async () => {
    const { body } = await createExport({ format: "csv" });
    clock.advance(1000);
    const res = await call<ErrorBody>(sb, `/v1/exports/${body.id}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe("conflict");
  });

  it("answers 404 for an unknown export", async () => {
    expect((await call(sb, "/v1/exports/exp_00000000000000", { method: "DELETE" })).status).toBe(404);
  });
});

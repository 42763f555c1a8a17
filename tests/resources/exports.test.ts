// customer://exports/{export_id} through the real SDK Client over an in-memory pair, against the sandbox: the
// file itself, its size caps, unfinished and unknown exports, and id completion.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import type { CustomerApi, NewExport } from "../../src/api/index.js";
import { capExportFile } from "../../src/resources/exports.js";
import { manualClock, testApi, testContext } from "../helpers/context.js";
import { type Connected, connectInMemory } from "../helpers/mcp.js";

const EXPORT_DURATION_MS = 5_000;
const TINY_BUDGET_TOKENS = 1_000;

const clock = manualClock();
let api: CustomerApi;
let connected: Connected;
let tiny: Connected;

const env = useSandbox({ seed: 42, clock: clock.now, exportDurationMs: EXPORT_DURATION_MS });
beforeAll(async () => {
  api = testApi(env.sandbox);
  // Resources come from the resource index whatever the options; no tools or prompts are needed here.
  const only = { tools: [], prompts: [] };
  connected = await connectInMemory(testContext(env.sandbox, { clock, maxResultTokens: 200_000 }), only);
  tiny = await connectInMemory(testContext(env.sandbox, { clock, maxResultTokens: TINY_BUDGET_TOKENS }), only);
});
afterAll(async () => {
  await connected.close();
  await tiny.close();
  api.close();
});

/** Starts an export straight through the API; `finish` lets the sandbox's clock run past its duration. */
async function startExport(request: NewExport, finish = true): Promise<string> {
  const { record } = await api.exports.create(request, { idempotencyKey: `test-${randomUUID()}` });
  if (finish) clock.advance(EXPORT_DURATION_MS);
  return record.id;
}

async function read(client: Connected, id: string): Promise<{ text: string; mimeType: string | undefined }> {
  const result = await client.client.readResource({ uri: `customer://exports/${id}` });
  const first = result.contents[0];
  const text = first && "text" in first ? first.text : undefined;
  if (typeof text !== "string") throw new Error("resource has no text");
  return { text, mimeType: first?.mimeType };
}

describe("customer://exports/{export_id}", () => {
  it("is offered as a resource template", async () => {
    const { resourceTemplates } = await connected.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("customer://exports/{export_id}");
  });

  it("reads a finished CSV export with its header and one row per matching customer", async () => {
    const id = await startExport({ format: "csv", filter: { status: "suspended" } });
    const { text, mimeType } = await read(connected, id);
    expect(mimeType).toBe("text/csv");
    const [header, ...rows] = text.trimEnd().split("\r\n");
    expect(header).toBe("id,name,email,phone,address,tax_id,date_of_birth,status,segment_id,created_at,lifetime_value,currency");
    const suspended = env.sandbox.store.customers.filter((c) => c.status === "suspended");
    expect(rows.map((row) => row.split(",")[0]).sort()).toEqual(suspended.map((c) => c.id).sort());
    expect(text).not.toContain("truncated");
  });

  it("reads a JSON Lines export as application/x-ndjson", async () => {
    const id = await startExport({ format: "jsonl", filter: { status: "inactive" } });
    const { text, mimeType } = await read(connected, id);
    expect(mimeType).toBe("application/x-ndjson");
    const rows = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { status: string });
    expect(rows).toHaveLength(env.sandbox.store.customers.filter((c) => c.status === "inactive").length);
    expect(rows.every((row) => row.status === "inactive")).toBe(true);
  });

  it("cuts a CSV file at a whole row to fit the response budget, keeps the header and counts the rows left out", async () => {
    const id = await startExport({ format: "csv", filter: {} });
    const full = await api.exports.download(id);
    const { text } = await read(tiny, id);
    expect(text.length).toBeLessThanOrEqual(TINY_BUDGET_TOKENS * 4);
    const lines = text.trimEnd().split("\r\n");
    const notice = lines.at(-1) ?? "";
    const match = /^# truncated: (\d+) of (\d+) rows not shown/.exec(notice);
    expect(match).not.toBeNull();
    const [left, total] = [Number(match?.[1]), Number(match?.[2])];
    expect(total).toBe(env.sandbox.store.customers.length);
    // Header plus whole rows: exactly a prefix of the real file, ending at a line break.
    const kept = text.slice(0, text.length - notice.length - 2);
    expect(full.startsWith(kept)).toBe(true);
    expect(kept.endsWith("\r\n")).toBe(true);
    expect(lines[0]).toMatch(/^id,name,email/);
    expect(lines.length - 2 + left).toBe(total);
    expect(notice).toMatch(/narrow/);
  });

  it("ends a cut JSON Lines file with a JSON line that counts the rows left out", async () => {
    const id = await startExport({ format: "jsonl", filter: {} });
    const { text } = await read(tiny, id);
    expect(text.length).toBeLessThanOrEqual(TINY_BUDGET_TOKENS * 4);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const notice = lines.at(-1);
    expect(notice).toMatchObject({ truncated: true, rows_total: env.sandbox.store.customers.length });
    expect(lines.length - 1 + Number(notice?.rows_not_shown)).toBe(env.sandbox.store.customers.length);
  });

  it("refuses to read an export that has not finished yet and says its status", async () => {
    const id = await startExport({ format: "csv", filter: {} }, false);
    await expect(read(connected, id)).rejects.toMatchObject({
      message: expect.stringMatching(/queued.*succeeded/),
      data: { error_code: "conflict" },
    });
    clock.advance(EXPORT_DURATION_MS);
  });

  it("says a cancelled export has no file", async () => {
    const id = await startExport({ format: "csv", filter: {} }, false);
    await api.exports.cancel(id);
    await expect(read(connected, id)).rejects.toMatchObject({
      message: expect.stringMatching(/canceled.*export_customers/),
    });
  });

  it("answers an unknown export with the resource-not-found error", async () => {
    await expect(read(connected, "exp_doesnotexist00")).rejects.toMatchObject({ code: -32002 });
  });

  it("answers a malformed id with invalid params", async () => {
    await expect(read(connected, "report.csv")).rejects.toMatchObject({ code: -32602 });
  });

  it("completes only a full id of an export that exists, since exports cannot be listed", async () => {
    const id = await startExport({ format: "csv", filter: {} });
    const complete = async (value: string) =>
      (
        await connected.client.complete({
          ref: { type: "ref/resource", uri: "customer://exports/{export_id}" },
          argument: { name: "export_id", value },
        })
      ).completion.values;
    expect(await complete(id)).toEqual([id]);
    expect(await complete(id.slice(0, 6))).toEqual([]);
    expect(await complete("exp_doesnotexist00")).toEqual([]);
  });
});

describe("capExportFile", () => {
  const limits = { maxChars: 1_000_000, maxBytes: 1_000_000 };

  it("returns a file within both limits unchanged", () => {
    const file = "id,name\r\ncus_1,Ada\r\n";
    expect(capExportFile(file, "csv", limits)).toBe(file);
  });

  it("enforces the byte cap on multi-byte text even when the characters fit", () => {
    const rows = Array.from({ length: 200 }, (_, i) => `cus_${i},${"é".repeat(20)}\r\n`);
    const file = `id,name\r\n${rows.join("")}`;
    const capped = capExportFile(file, "csv", { maxChars: 1_000_000, maxBytes: 2_000 });
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(2_000);
    expect(capped).toMatch(/^id,name\r\n/);
    expect(capped).toMatch(/# truncated: \d+ of 200 rows not shown/);
  });

  it("never splits a CSV row whose quoted cell holds a line break", () => {
    const rows = Array.from({ length: 100 }, (_, i) => `cus_${i},"line one\nline two ${i}"\r\n`);
    const file = `id,note\r\n${rows.join("")}`;
    const capped = capExportFile(file, "csv", { maxChars: 600, maxBytes: 1_000_000 });
    const kept = capped.slice(0, capped.lastIndexOf("# truncated"));
    expect(file.startsWith(kept)).toBe(true);
    expect(kept.endsWith("\"\r\n")).toBe(true);
    const shown = (kept.match(/^cus_/gm) ?? []).length;
    expect(capped).toContain(`# truncated: ${100 - shown} of 100 rows not shown`);
  });
});

// export_customers through the real SDK Client over an in-memory pair, against the sandbox. One manual clock
// drives both the server's polling and the sandbox's export progress, so nothing waits in real time.
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import type { Clock } from "../../src/context.js";
import { exportTools } from "../../src/tools/exports.js";
import { parseCommand } from "../../src/config/config.js";
import { memoryStores } from "../../src/state/memory.js";
import { TOOL_NAMES } from "../../src/tools/index.js";
import { manualClock, stallingAfterFirstSleep, type TestContextOptions, testContext } from "../helpers/context.js";
import { type CapturedLogs, captureLogs } from "../helpers/logs.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

const EXPORT_DURATION_MS = 5_000;
const POLL_MS = 500;

const clock = manualClock();
let connected: Connected;
let logs: CapturedLogs;
const extra: Connected[] = [];

const env = useSandbox({ seed: 42, clock: clock.now, exportDurationMs: EXPORT_DURATION_MS });
beforeAll(async () => {
  logs = captureLogs("debug");
  connected = await connect({ logger: logs.logger });
});
afterAll(async () => {
  for (const connection of [connected, ...extra]) await connection.close();
});

/** A server on the shared env.sandbox; the budget is large so a whole export file fits in one read. */
async function connect(options: TestContextOptions = {}): Promise<Connected> {
  const ctx = testContext(env.sandbox, {
    clock,
    exportPollMs: POLL_MS,
    maxResultTokens: 200_000,
    maxRetries: 1,
    ...options,
  });
  // No prompts: this file tests tools, and one process may build several servers here.
  const connection = await connectInMemory(ctx, { tools: exportTools, prompts: [] });
  if (connected) extra.push(connection);
  return connection;
}

/** export_customers with a progress token: its result and every progress notification it sent. */
async function exportWithProgress(connection: Connected, args: Record<string, unknown>) {
  const updates: Progress[] = [];
  const result = (await connection.client.callTool(
    { name: "export_customers", arguments: args },
    undefined,
    { onprogress: (progress) => updates.push(progress) },
  )) as CallToolResult;
  return { result, updates };
}

/** The configuration customer-mcp runs with when nothing is set. */
function shippedConfig() {
  const vars = { CUSTOMER_API_URL: env.sandbox.url, CUSTOMER_API_KEY: env.sandbox.apiKey };
  const command = parseCommand([], vars, TOOL_NAMES);
  if (command.kind !== "serve") throw new Error("expected a serve configuration");
  return command.config;
}

function lastExport() {
  const exp = env.sandbox.store.exports.at(-1);
  if (!exp) throw new Error("the sandbox has no export");
  return exp;
}

function textOf(contents: ReadonlyArray<object>): string {
  const first = contents[0];
  const text = first && "text" in first ? first.text : undefined;
  if (typeof text !== "string") throw new Error("resource has no text");
  return text;
}

describe("export_customers", () => {
  it("is a non-destructive, non-idempotent write on a closed system", async () => {
    const { tools } = await connected.client.listTools();
    expect(tools.find((tool) => tool.name === "export_customers")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    });
  });

  it("exports the matching customers and links to a CSV file with a header and one row each", async () => {
    const result = await callTool(connected.client, "export_customers", { status: "active" });
    expect(result.isError).toBeFalsy();
    const active = env.sandbox.store.customers.filter((c) => c.status === "active");
    const data = result.structuredContent as { export: { id: string }; resource_uri: string };
    expect(data).toMatchObject({
      export: {
        id: expect.stringMatching(/^exp_/),
        status: "succeeded",
        format: "csv",
        filter: { segment_id: null, status: "active" },
        row_count: active.length,
        finished_at: expect.any(String),
      },
      resource_uri: `customer://exports/${data.export.id}`,
      replayed: false,
    });
    expect(result.content).toContainEqual({
      type: "resource_link",
      uri: data.resource_uri,
      name: `${data.export.id}.csv`,
      title: expect.any(String),
      description: expect.any(String),
      mimeType: "text/csv",
    });

    const file = await connected.client.readResource({ uri: data.resource_uri });
    expect(file.contents[0]?.mimeType).toBe("text/csv");
    const [header, ...rows] = textOf(file.contents).trimEnd().split("\r\n");
    expect(header).toBe("id,name,email,phone,address,tax_id,date_of_birth,status,segment_id,created_at,lifetime_value,currency");
    expect(rows.map((row) => row.split(",")[0]).sort()).toEqual(active.map((c) => c.id).sort());
  });

  it("exports one segment as JSON Lines when asked", async () => {
    const segment = env.sandbox.store.segments[0];
    if (!segment) throw new Error("the sandbox has no segment");
    const result = await callTool(connected.client, "export_customers", {
      format: "jsonl",
      segment_id: segment.id,
    });
    const data = result.structuredContent as { export: { id: string; row_count: number }; resource_uri: string };
    const members = env.sandbox.store.customers.filter((c) => c.segment_id === segment.id);
    expect(data.export).toMatchObject({ format: "jsonl", filter: { segment_id: segment.id, status: null } });
    expect(data.export.row_count).toBe(members.length);
    const link = result.content.find((item) => item.type === "resource_link");
    expect(link).toMatchObject({ name: `${data.export.id}.jsonl`, mimeType: "application/x-ndjson" });

    const file = await connected.client.readResource({ uri: data.resource_uri });
    expect(file.contents[0]?.mimeType).toBe("application/x-ndjson");
    const rows = textOf(file.contents)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; segment_id: string });
    expect(rows).toHaveLength(members.length);
    expect(rows.every((row) => row.segment_id === segment.id)).toBe(true);
  });

  it("reports strictly increasing progress that ends at 100", async () => {
    const { result, updates } = await exportWithProgress(connected, { status: "inactive" });
    expect(result.isError).toBeFalsy();
    const values = updates.map((update) => update.progress);
    expect(values.length).toBeGreaterThan(2);
    values.slice(1).forEach((value, i) => expect(value).toBeGreaterThan(values[i] ?? Number.POSITIVE_INFINITY));
    expect(values.at(-1)).toBe(100);
    expect(updates.every((update) => update.total === 100)).toBe(true);
    expect(updates.at(-1)?.message).toMatch(/succeeded/);
  });

  it("reports progress through the shipped read cache too: export status is always read upstream", async () => {
    const shipped = shippedConfig();
    expect(shipped.cache.ttlMs).toBeGreaterThan(EXPORT_DURATION_MS);
    const cached = await connect({ cache: shipped.cache });
    const polls = () => env.sandbox.requests.all().filter((entry) => entry.method === "GET" && /^\/v1\/exports\/[^/]+$/.test(entry.path)).length;
    const before = polls();
    const { result, updates } = await exportWithProgress(cached, { status: "active" });
    expect(result.isError).toBeFalsy();
    // A cached status would have held the first answer for the whole TTL: one poll per interval instead.
    expect(polls() - before).toBeLessThanOrEqual(EXPORT_DURATION_MS / POLL_MS + 1);
    expect(updates.map((update) => update.progress).at(-1)).toBe(100);
    expect(new Set(updates.map((update) => update.progress)).size).toBeGreaterThan(2);
  });

  it("cancels the upstream export when the client cancels the call", async () => {
    // After the first poll every sleep lasts until the call is cancelled, as with a slow export, so the
    // cancellation is guaranteed to arrive while the export is still running.
    const gated = stallingAfterFirstSleep(clock).clock;
    const cancelLogs = captureLogs("debug");
    // The shipped idempotency window (tests default to none), for the repeats at the end.
    const limits = { idempotencyWindowMs: shippedConfig().limits.idempotencyWindowMs };
    // One process's state for the call and its repeats, as in a server (or all replicas, through Redis).
    const shared = memoryStores(clock.now);
    const stores = () => shared;
    const client = (await connect({ clock: gated, logger: cancelLogs.logger, limits, stores })).client;
    const deletesBefore = env.sandbox.requests.count({ method: "DELETE" });
    const controller = new AbortController();

    const call = client.callTool({ name: "export_customers", arguments: {} }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort(),
    });
    await expect(call).rejects.toThrow();

    await vi.waitFor(() => expect(lastExport().status).toBe("canceled"));
    expect(env.sandbox.requests.count({ method: "DELETE" })).toBe(deletesBefore + 1);
    expect(env.sandbox.store.exportJobs.get(lastExport().id)?.canceledAtMs).not.toBeNull();
    await vi.waitFor(() =>
      expect(cancelLogs.lines()).toContainEqual(
        expect.objectContaining({ msg: "export cancelled upstream", reason: "call_cancelled" }),
      ),
    );
    // The boundary records the call as cancelled by the caller, not as an unexpected failure.
    await vi.waitFor(() =>
      expect(cancelLogs.lines()).toContainEqual(
        expect.objectContaining({ msg: "audit", outcome: "error", error_code: "cancelled" }),
      ),
    );
    expect(cancelLogs.lines().filter((line) => line.level === "error")).toEqual([]);

    // The same call again (same caller, arguments and window, so the same key): not the cancelled export replayed
    // for the next ten minutes, but one new export; and a repeat of that replays it rather than starting a third.
    const cancelledId = lastExport().id;
    const exportsBefore = env.sandbox.store.exports.length;
    const repeating = (await connect({ limits, stores })).client;
    const again = await callTool(repeating, "export_customers", {});
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent).toMatchObject({ export: { status: "succeeded" }, replayed: false });
    const restartedId = (again.structuredContent as { export: { id: string } }).export.id;
    expect(restartedId).not.toBe(cancelledId);
    expect(env.sandbox.store.exports.length).toBe(exportsBefore + 1);
    const once = await callTool(repeating, "export_customers", {});
    expect(once.structuredContent).toMatchObject({ export: { id: restartedId }, replayed: true });
    expect(env.sandbox.store.exports.length).toBe(exportsBefore + 1);
  });

  it("leaves an export someone else cancelled cancelled: neither the call nor its repeat starts another", async () => {
    // The second sleep waits until the test has cancelled the export upstream, as a person would.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let sleeps = 0;
    const held: Clock = {
      now: clock.now,
      async sleep(ms, signal) {
        if (sleeps++ === 1) await released;
        return clock.sleep(ms, signal);
      },
    };
    const limits = { idempotencyWindowMs: shippedConfig().limits.idempotencyWindowMs };
    const shared = memoryStores(clock.now);
    const client = (await connect({ clock: held, limits, stores: () => shared })).client;
    const args = { format: "jsonl", status: "suspended" };
    const call = callTool(client, "export_customers", args);
    await vi.waitFor(() => expect(sleeps).toBe(2));
    const deleted = await fetch(`${env.sandbox.url}/v1/exports/${lastExport().id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${env.sandbox.apiKey}` },
    });
    expect(deleted.status).toBe(200);
    release();
    const exportsBefore = env.sandbox.store.exports.length;
    expect(errorOf(await call)).toMatchObject({ error_code: "conflict", next_step: expect.stringMatching(/new idempotency_key/) });
    const repeat = (await connect({ limits, stores: () => shared })).client;
    expect(errorOf(await callTool(repeat, "export_customers", args))).toMatchObject({ error_code: "conflict" });
    expect(env.sandbox.store.exports.length).toBe(exportsBefore);
  });

  it("gives up with timeout and cancels the export when it runs longer than the maximum wait", async () => {
    const { client } = await connect({ exportMaxWaitMs: 2_000 });
    const deletesBefore = env.sandbox.requests.count({ method: "DELETE" });
    const startedAt = clock.now();
    const error = errorOf(await callTool(client, "export_customers", { status: "active" }));
    expect(error.error_code).toBe("timeout");
    expect(error.next_step).toMatch(/cancelled.*narrow the filter/i);
    expect(lastExport().status).toBe("canceled");
    expect(env.sandbox.requests.count({ method: "DELETE" })).toBe(deletesBefore + 1);
    // It stopped at the limit rather than polling on until the export would have finished.
    expect(clock.now() - startedAt).toBe(2_000);
  });

  it.each([
    ["segment_id", { segment_id: "enterprise" }, /seg_/],
    ["format", { format: "xlsx" }, /csv/],
    ["status", { status: "deleted" }, /active/],
  ])("rejects an invalid %s before calling the API", async (path, args, hint) => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await callTool(connected.client, "export_customers", args));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path, message: expect.stringMatching(hint) }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports not_found when the segment does not exist", async () => {
    const created = env.sandbox.store.created.exports;
    const error = errorOf(
      await callTool(connected.client, "export_customers", { segment_id: "seg_doesnotexist00" }),
    );
    expect(error.error_code).toBe("not_found");
    expect(env.sandbox.store.created.exports).toBe(created);
  });

  it("reports an upstream 5xx on starting the export as outcome_unknown and keeps serving", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/exports" });
    const created = env.sandbox.store.created.exports;
    const error = errorOf(await callTool(connected.client, "export_customers", {}));
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(error.message).not.toMatch(/request_id|\{|http:/);
    expect(env.sandbox.store.created.exports).toBe(created);
    env.sandbox.faults.clear();
    const retry = await callTool(connected.client, "export_customers", { status: "suspended" });
    expect(retry.isError).toBeFalsy();
  });

  it("cancels the export and reports backend_unavailable when polling keeps failing with 5xx", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "GET", path: "/v1/exports/" });
    const deletesBefore = env.sandbox.requests.count({ method: "DELETE" });
    const error = errorOf(await callTool(connected.client, "export_customers", { status: "active" }));
    expect(error.error_code).toBe("backend_unavailable");
    expect(lastExport().status).toBe("canceled");
    expect(env.sandbox.requests.count({ method: "DELETE" })).toBe(deletesBefore + 1);
  });

  it("sends one idempotency key on the POST so a retried start does not create a second export", async () => {
    env.sandbox.faults.add({ kind: "reset_after", method: "POST", path: "/v1/exports", times: 1 });
    const created = env.sandbox.store.created.exports;
    const result = await callTool(connected.client, "export_customers", { status: "suspended" });
    expect(result.isError).toBeFalsy();
    expect(env.sandbox.store.created.exports).toBe(created + 1);
    const posts = env.sandbox.requests.all().filter((r) => r.method === "POST").slice(-2);
    expect(posts[0]?.idempotencyKey).toBeTruthy();
    expect(posts[1]?.idempotencyKey).toBe(posts[0]?.idempotencyKey);
    // The replay answered this call's own first attempt, so the export is this call's, not an earlier one's.
    expect(result.structuredContent).toMatchObject({ replayed: false });
  });
});

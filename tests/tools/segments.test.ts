// list_segments through the real SDK Client over an in-memory pair, against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { segmentTools } from "../../src/tools/segments.js";
import { testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

let connected: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox, { maxRetries: 1 }), { tools: segmentTools });
});
afterAll(async () => {
  await connected.close();
});

describe("list_segments", () => {
  it("lists every segment with its customer count", async () => {
    const result = await callTool(connected.client, "list_segments", {});
    expect(result.isError).toBeFalsy();
    const { segments } = result.structuredContent as { segments: Array<Record<string, unknown>> };
    expect(segments).toEqual(
      env.sandbox.store.segments.map((segment) => ({
        id: segment.id,
        name: segment.name,
        description: segment.description ?? null,
        customer_count: segment.customer_count,
      })),
    );
    const total = segments.reduce((sum, segment) => sum + Number(segment.customer_count), 0);
    expect(total).toBe(env.sandbox.store.customers.length);
  });

  it("returns the same data as the customer://segments resource", async () => {
    const result = await callTool(connected.client, "list_segments", {});
    const resource = await connected.client.readResource({ uri: "customer://segments" });
    const first = resource.contents[0];
    const { fetched_at: fetchedAt, ...data } = result.structuredContent as Record<string, unknown>;
    expect(fetchedAt).toEqual(expect.any(String));
    expect(first && "text" in first ? JSON.parse(first.text) : null).toEqual(data);
  });

  it("rejects arguments it does not take", async () => {
    const error = errorOf(await callTool(connected.client, "list_segments", { segment_id: "seg_a1b2c3d4" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(JSON.stringify(error.issues)).toContain("segment_id");
  });

  it("reports an upstream 404 as not_found", async () => {
    env.sandbox.faults.add({ kind: "status", status: 404, path: "/v1/segments", times: 1 });
    const error = errorOf(await callTool(connected.client, "list_segments", {}));
    expect(error.error_code).toBe("not_found");
  });

  it("reports an upstream 5xx as backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/segments" });
    const error = errorOf(await callTool(connected.client, "list_segments", {}));
    expect(error.error_code).toBe("backend_unavailable");
  });
});

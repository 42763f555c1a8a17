// Resources and completion through the real SDK Client over an in-memory pair.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import { testContext } from "../helpers/context.js";
import { type Connected, connectInMemory } from "../helpers/mcp.js";

let connected: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox));
});
afterAll(async () => {
  await connected.close();
});

function textOf(contents: ReadonlyArray<object>): string {
  const first = contents[0];
  const text = first && "text" in first ? first.text : undefined;
  if (typeof text !== "string") throw new Error("resource has no text");
  return text;
}

describe("customer://segments", () => {
  it("is listed and reads as JSON with every segment", async () => {
    const { resources } = await connected.client.listResources();
    expect(resources.map((r) => r.uri)).toContain("customer://segments");
    const result = await connected.client.readResource({ uri: "customer://segments" });
    expect(result.contents[0]?.mimeType).toBe("application/json");
    const data = JSON.parse(textOf(result.contents)) as {
      segments: Array<{ id: string; customer_count: number }>;
    };
    expect(data.segments.length).toBe(env.sandbox.store.segments.length);
    expect(data.segments[0]).toMatchObject({
      id: expect.stringMatching(/^seg_/),
      customer_count: expect.any(Number),
    });
  });
});

describe("customer://customers/{customer_id}", () => {
  const ada = () => env.sandbox.store.customers.find((c) => c.email === SANDBOX_DEMO_CUSTOMER_EMAIL);

  it("is offered as a template and reads one customer's compact profile", async () => {
    const { resourceTemplates } = await connected.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("customer://customers/{customer_id}");
    const id = ada()?.id ?? "";
    const result = await connected.client.readResource({ uri: `customer://customers/${id}` });
    const data = JSON.parse(textOf(result.contents)) as { customer: { id: string; name: unknown } };
    expect(data.customer.id).toBe(id);
    expect(data.customer.name).toEqual({ untrusted: "customer", text: "Ada Lovelace" });
    expect(textOf(result.contents)).not.toContain("internal");
  });

  it("answers an unknown customer with the resource-not-found error", async () => {
    await expect(
      connected.client.readResource({ uri: "customer://customers/cus_doesnotexist00" }),
    ).rejects.toMatchObject({
      code: -32002,
    });
  });

  it("answers a malformed id with invalid params", async () => {
    await expect(connected.client.readResource({ uri: "customer://customers/bob" })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it("completes a customer id from part of a name", async () => {
    const result = await connected.client.complete({
      ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
      argument: { name: "customer_id", value: "lovelace" },
    });
    expect(result.completion.values).toContain(ada()?.id);
  });
});

describe("resources/list", () => {
  it("pages through the segments resource and every customer, each exactly once", async () => {
    const uris: string[] = [];
    const titles: unknown[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await connected.client.listResources(cursor ? { cursor } : {});
      uris.push(...page.resources.map((resource) => resource.uri));
      titles.push(...page.resources.map((resource) => resource.title));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(uris[0]).toBe("customer://segments");
    expect(new Set(uris).size).toBe(uris.length);
    const customers = uris.filter((uri) => uri.startsWith("customer://customers/"));
    expect(customers).toHaveLength(env.sandbox.store.customers.length);
    // Listing titles are names for a picker, not results: they stay plain strings, never the marked shape.
    expect(titles.every((title) => typeof title === "string")).toBe(true);
  });

  it("rejects a cursor it did not issue", async () => {
    await expect(connected.client.listResources({ cursor: "bogus" })).rejects.toMatchObject({ code: -32602 });
  });
});

describe("customer id completion", () => {
  const complete = (value: string) =>
    connected.client.complete({
      ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
      argument: { name: "customer_id", value },
    });

  it("completes an id prefix to the matching ids", async () => {
    const id = env.sandbox.store.fixtures.demoCustomerId;
    const result = await complete(id.slice(0, 8));
    expect(result.completion.values).toContain(id);
    for (const value of result.completion.values) expect(value.startsWith(id.slice(0, 8))).toBe(true);
  });

  it("completes an exact email and confirms an exact id", async () => {
    const id = env.sandbox.store.fixtures.demoCustomerId;
    expect((await complete(SANDBOX_DEMO_CUSTOMER_EMAIL)).completion.values).toEqual([id]);
    expect((await complete(id)).completion.values).toEqual([id]);
    expect((await complete("cus_doesnotexist00")).completion.values).toEqual([]);
  });
});

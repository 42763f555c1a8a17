// customer://tickets/{ticket_id} through the real SDK Client over an in-memory pair: reads, errors and completion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { type Connected, connectInMemory } from "../helpers/mcp.js";

let connected: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox, { maxRetries: 1 }), { tools: [] });
});
afterAll(async () => {
  await connected.close();
});

const fixtures = () => env.sandbox.store.fixtures;

function textOf(contents: ReadonlyArray<object>): string {
  const first = contents[0];
  const text = first && "text" in first ? first.text : undefined;
  if (typeof text !== "string") throw new Error("resource has no text");
  return text;
}

const complete = (value: string) =>
  connected.client.complete({
    ref: { type: "ref/resource", uri: "customer://tickets/{ticket_id}" },
    argument: { name: "ticket_id", value },
  });

describe("customer://tickets/{ticket_id}", () => {
  it("is offered as a template but not enumerated by resources/list", async () => {
    const { resourceTemplates } = await connected.client.listResourceTemplates();
    const template = resourceTemplates.find((t) => t.uriTemplate === "customer://tickets/{ticket_id}");
    expect(template).toMatchObject({ name: "ticket", mimeType: "application/json" });
    const { resources } = await connected.client.listResources();
    expect(resources.some((resource) => resource.uri.startsWith("customer://tickets/"))).toBe(false);
  });

  it("reads a ticket as JSON with the same view as get_ticket", async () => {
    const id = fixtures().openTicketIds[0] ?? "";
    const result = await connected.client.readResource({ uri: `customer://tickets/${id}` });
    expect(result.contents[0]?.mimeType).toBe("application/json");
    const data = JSON.parse(textOf(result.contents)) as {
      ticket: { id: string; subject: unknown; description: unknown };
      recent_comments: Array<{ id: string }>;
      more_comments: boolean;
    };
    expect(data.ticket).toMatchObject({ id, subject: { untrusted: "customer", text: "Charged twice for my annual plan" } });
    expect(data.ticket.description).toEqual({ untrusted: "customer", text: env.sandbox.store.ticketsById.get(id)?.description });
    expect(data.recent_comments).toHaveLength(2);
    expect(data.more_comments).toBe(false);
  });

  it("answers an unknown ticket with the resource-not-found error", async () => {
    await expect(connected.client.readResource({ uri: "customer://tickets/tkt_doesnotexist00" })).rejects.toMatchObject(
      { code: -32002 },
    );
  });

  it("answers a malformed id with invalid params, without calling the API", async () => {
    const before = env.sandbox.requests.count();
    await expect(connected.client.readResource({ uri: "customer://tickets/bob" })).rejects.toMatchObject({
      code: -32602,
    });
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("answers an upstream 5xx with an internal error that names no upstream detail", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/tickets/" });
    const id = fixtures().openTicketIds[0] ?? "";
    const error: unknown = await connected.client.readResource({ uri: `customer://tickets/${id}` }).catch((e) => e);
    expect(error).toMatchObject({ code: -32603, message: expect.stringContaining("temporarily unavailable") });
    expect(String((error as Error).message)).not.toMatch(/http:|request_id/);
  });
});

describe("ticket id completion", () => {
  it("completes a tkt_ prefix to matching ids, including a known ticket", async () => {
    const id = fixtures().openTicketIds[0] ?? "";
    const prefix = id.slice(0, 7);
    const { completion } = await complete(prefix);
    expect(completion.values).toContain(id);
    for (const value of completion.values) expect(value.startsWith(prefix)).toBe(true);
  });

  it("confirms an exact id that exists and offers nothing for one that does not", async () => {
    const id = fixtures().promptInjectionTicketId;
    expect((await complete(id)).completion.values).toEqual([id]);
    expect((await complete("tkt_doesnotexist00")).completion.values).toEqual([]);
  });

  it("completes from text in the subject or description", async () => {
    const { completion } = await complete("ignore all previous");
    expect(completion.values).toEqual([fixtures().promptInjectionTicketId]);
  });

  it("offers nothing for a single character and when the API fails", async () => {
    expect((await complete("c")).completion.values).toEqual([]);
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/tickets" });
    expect((await complete("charged twice")).completion.values).toEqual([]);
  });
});

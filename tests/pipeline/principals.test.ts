// Two principals on one process (one AppContext, its state stores shared, as on a replica serving many users)
// never share what guards writes and data: an idempotency record, a rate-limit bucket, a cached read that holds
// PII. Each gets their own tools/list from their grant.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import type { AppContext } from "../../src/context.js";
import { createServer } from "../../src/mcp/server.js";
import { onBehalfOfHeader } from "../../src/api/transport.js";
import { localPrincipal, type Principal } from "../../src/pipeline/principal.js";
import { createPolicy } from "../../src/policy/index.js";
import { testContext } from "../helpers/context.js";

const env = useSandbox({ seed: 37, counts: { customers: 20, transactions: 40, tickets: 10 } });

function principal(ctx: AppContext, subject: string, profile: "readonly" | "support"): Principal {
  return { ...localPrincipal(ctx.config), subject, policy: createPolicy({ profile, readOnly: false }) };
}

/** A client connected to a server of its own for `who`, on the shared context. */
async function clientFor(ctx: AppContext, who: Principal) {
  const server = createServer(ctx, { principal: who });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: `client-of-${who.subject}`, version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { client, call, close: () => client.close() };
}

describe("two principals on one process", () => {
  it("never share an idempotency record: identical writes are two tickets, each one's repeat replays its own", async () => {
    const ctx = testContext(env.sandbox, { limits: { idempotencyWindowMs: 600_000 } });
    const alice = await clientFor(ctx, principal(ctx, "alice@example.com", "support"));
    const bob = await clientFor(ctx, principal(ctx, "bob@example.com", "support"));
    const args = { customer_id: env.sandbox.store.customers[0]?.id, subject: "Same words", description: "From two people." };
    const before = env.sandbox.store.created.tickets;
    type Created = { ticket: { id: string }; replayed: boolean };
    const ticketOf = (result: CallToolResult) => result.structuredContent as Created;
    const first = ticketOf(await alice.call("create_ticket", args));
    const second = ticketOf(await bob.call("create_ticket", args));
    expect(env.sandbox.store.created.tickets - before).toBe(2);
    expect(second.ticket.id).not.toBe(first.ticket.id);
    expect(ticketOf(await alice.call("create_ticket", args))).toMatchObject({ replayed: true, ticket: { id: first.ticket.id } });
    expect(ticketOf(await bob.call("create_ticket", args))).toMatchObject({ replayed: true, ticket: { id: second.ticket.id } });
    expect(env.sandbox.store.created.tickets - before).toBe(2);
    await alice.close();
    await bob.close();
  });

  it("never share a rate-limit bucket: one caller's empty bucket leaves the other's full", async () => {
    const ctx = testContext(env.sandbox, { limits: { callsPerMinutePerTool: 2 } });
    const alice = await clientFor(ctx, principal(ctx, "alice@example.com", "readonly"));
    const bob = await clientFor(ctx, principal(ctx, "bob@example.com", "readonly"));
    for (let i = 0; i < 2; i++) expect((await alice.call("list_segments", {})).isError).toBeFalsy();
    expect((await alice.call("list_segments", {})).isError).toBe(true);
    expect((await bob.call("list_segments", {})).isError).toBeFalsy();
    await alice.close();
    await bob.close();
  });

  it("never share a cached read: a PII-granted caller's answer is not served to a masked one, nor the reverse", async () => {
    const ctx = testContext(env.sandbox, { cache: { ttlMs: 60_000 } });
    const support = await clientFor(ctx, principal(ctx, "alice@example.com", "support"));
    const readonly = await clientFor(ctx, principal(ctx, "bob@example.com", "readonly"));
    const customer = env.sandbox.store.customers[1];
    const path = `/v1/customers/${customer?.id}`;
    const reads = () => env.sandbox.requests.all().filter((entry) => entry.method === "GET" && entry.path === path).length;
    const before = reads();
    const emailShown = async (who: typeof support) =>
      ((await who.call("get_customer", { customer_id: customer?.id })).structuredContent as { customer: { email: string } })
        .customer.email;
    expect(await emailShown(support)).toBe(customer?.email);
    expect(await emailShown(readonly)).toMatch(/^.\*\*\*@/);
    // Each caller read it from the API once; the repeats came from their own cache entry.
    expect(await emailShown(support)).toBe(customer?.email);
    expect(await emailShown(readonly)).toMatch(/^.\*\*\*@/);
    expect(reads() - before).toBe(2);
    await support.close();
    await readonly.close();
  });

  it("each get the tools of their own grant", async () => {
    const ctx = testContext(env.sandbox);
    const support = await clientFor(ctx, principal(ctx, "alice@example.com", "support"));
    const readonly = await clientFor(ctx, principal(ctx, "bob@example.com", "readonly"));
    const names = async (who: typeof support) => (await who.client.listTools()).tools.map((tool) => tool.name);
    expect(await names(support)).toContain("create_ticket");
    expect(await names(readonly)).not.toContain("create_ticket");
    expect((await readonly.call("create_ticket", { customer_id: "cus_aaaaaaaa", subject: "x", description: "y" })).isError)
      .toBe(true);
    await support.close();
    await readonly.close();
  });

  it("are named upstream in X-On-Behalf-Of, each request for its own caller, never with their credentials", async () => {
    const ctx = testContext(env.sandbox);
    const customerId = env.sandbox.store.customers[3]?.id ?? "";
    const seen = async (subject: string) => {
      const who = await clientFor(ctx, principal(ctx, subject, "readonly"));
      const before = env.sandbox.requests.all().length;
      expect((await who.call("get_customer", { customer_id: customerId })).isError).toBeFalsy();
      await who.close();
      return env.sandbox.requests.all().slice(before).map((entry) => entry.onBehalfOf);
    };
    expect(await seen("alice@example.com")).toEqual(["alice@example.com"]);
    // Outside the header's visible ASCII, a subject is percent-encoded rather than dropped or mangled.
    expect(await seen("Zoë Müller")).toEqual(["Zo%C3%AB%20M%C3%BCller"]);
    const long = "x".repeat(300);
    expect(await seen(long)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
  });

  it("name two subjects alike never: one sent as it is and one percent-encoded, or one that looks hashed", () => {
    const subjects = ["a b", "a%20b", "a%2520b", "sha256:abc", "sha256%3Aabc", "x".repeat(300), `sha256:${"0".repeat(64)}`, "Zoë", "Zo%C3%AB"];
    const sent = subjects.map(onBehalfOfHeader);
    expect(new Set(sent).size).toBe(subjects.length);
    for (const value of sent) expect(value).toMatch(/^[\x21-\x7e]{1,255}$/);
    expect(onBehalfOfHeader("a%20b")).toBe("a%2520b");
    expect(onBehalfOfHeader("agent-7@example.com")).toBe("agent-7@example.com");
  });
});

// An attacker without customers:pii tries to rebuild a masked email through text search: it extends a guess one
// character at a time and watches which records come back from search_customers, search_tickets and the id
// completions of resource templates and prompts. None of them may answer on text the caller cannot see; with
// the PII scope, searches match emails as the API does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { callTool, type Connected, connectInMemory } from "../helpers/mcp.js";

let readonly: Connected;
let support: Connected;

const env = useSandbox({ seed: 13 });
beforeAll(async () => {
  readonly = await connectInMemory(testContext(env.sandbox, { access: { profile: "readonly" } }));
  support = await connectInMemory(testContext(env.sandbox, { access: { profile: "support" } }));
});
afterAll(async () => {
  await readonly.close();
  await support.close();
});

const ada = () => {
  const customer = env.sandbox.store.customers[0];
  if (!customer) throw new Error("no demo customer");
  return customer;
};

async function customerIdsFound(connected: Connected, query: string): Promise<string[]> {
  const result = await callTool(connected.client, "search_customers", { query, limit: 100 });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return (result.structuredContent as { customers: Array<{ id: string }> }).customers.map((c) => c.id);
}

async function completedCustomerIds(connected: Connected, value: string): Promise<string[]> {
  const answer = await connected.client.complete({
    ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
    argument: { name: "customer_id", value },
  });
  return answer.completion.values;
}

describe("text search without customers:pii", () => {
  it("finds nothing by the hidden part of an email, whose visible part still matches", async () => {
    const { email, id } = ada();
    const [local = ""] = email.split("@");
    // Only the email holds these: the name is "Ada Lovelace", with a space, not a dot or an @.
    for (const hidden of [local, `${local}@`, local.slice(1, 6)]) {
      expect(await customerIdsFound(readonly, hidden), `query ${hidden}`).not.toContain(id);
      expect(await completedCustomerIds(readonly, hidden), `completion ${hidden}`).not.toContain(id);
    }
    // The name is visible, and so is an email's domain ("a***@example.com"): those still match.
    expect(await customerIdsFound(readonly, "lovelace")).toContain(id);
    expect(await completedCustomerIds(readonly, "Lovelace")).toContain(id);
    const domain = `@${email.split("@")[1]}`;
    const byDomain = await customerIdsFound(readonly, domain);
    expect(byDomain.length).toBeGreaterThan(0);
    for (const found of byDomain) expect(env.sandbox.store.customersById.get(found)?.email).toContain(domain);
  });

  it("cannot rebuild an address by extending a guessed suffix one character at a time", async () => {
    const { email, id } = ada();
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-";
    // The attack as the review ran it: the masked email shows the domain; prepend each character in turn and keep
    // the one that still finds the customer, by search or by completion. Six steps are enough to tell.
    let suffix = `@${email.split("@")[1]}`;
    const start = suffix;
    for (let step = 0; step < 6; step++) {
      let extended: string | undefined;
      for (const next of alphabet) {
        const guess = `${next}${suffix}`;
        const found = [...(await customerIdsFound(readonly, guess)), ...(await completedCustomerIds(readonly, guess))];
        if (found.includes(id)) {
          extended = guess;
          break;
        }
      }
      if (!extended) break;
      suffix = extended;
    }
    expect(suffix, "what the attack rebuilt").toBe(start);
    expect(email.endsWith(suffix)).toBe(true);
  });

  it("finds no ticket by an email a customer typed into it, which get_ticket shows masked", async () => {
    const customerId = ada().id;
    const created = await callTool(support.client, "create_ticket", {
      customer_id: customerId,
      subject: "Please write to my other address",
      description: "My new address is zeta.quartz.oracle@hidden.example, please use it from now on.",
    });
    const ticketId = (created.structuredContent as { ticket: { id: string } }).ticket.id;
    const search = async (connected: Connected, query: string) => {
      const result = await callTool(connected.client, "search_tickets", { query, limit: 100 });
      return (result.structuredContent as { tickets: Array<{ id: string }> }).tickets.map((t) => t.id);
    };
    expect(await search(readonly, "zeta.quartz")).not.toContain(ticketId);
    expect(await search(readonly, "other address")).toContain(ticketId);
    const ticket = await callTool(readonly.client, "get_ticket", { ticket_id: ticketId });
    expect(JSON.stringify(ticket.structuredContent)).not.toContain("zeta.quartz");
    // The support profile holds customers:pii: it sees the address and finds the ticket by it.
    expect(await search(support, "zeta.quartz")).toContain(ticketId);
  });
});

describe("text search with customers:pii", () => {
  it("matches emails as the API does", async () => {
    const { email, id } = ada();
    expect(await customerIdsFound(support, email.split("@")[0] ?? "")).toContain(id);
    expect(await completedCustomerIds(support, email.split("@")[0] ?? "")).toContain(id);
  });
});

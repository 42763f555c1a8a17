// Hostile customer data: emails and phone numbers typed into every free-text field the API carries (a name,
// tags, a ticket's subject and description, comments, a note's author and body, an assignee's and an account
// manager's name, a transaction description) and into an argument name. Without customers:pii none of them may
// reach a tool result, a resource, a resource listing, a prompt, an error, the log or the audit in clear.
import { beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool, type Connected, connectInMemory } from "../helpers/mcp.js";

const EMAIL = "quentin.private@leak.example";
const PHONE = "+1 (555) 010-9931";
const PHONE_DIGITS = "5550109931";
const planted = `reach me at ${EMAIL} or ${PHONE}`;

let ticketId: string;

const env = useSandbox({ seed: 17 });
beforeAll(async () => {
  const ada = env.sandbox.store.customers[0];
  const ticket = env.sandbox.store.ticketsById.get(env.sandbox.store.fixtures.openTicketIds[0] ?? "");
  const txn = env.sandbox.store.transactionsByCustomer.get(ada?.id ?? "")?.[0];
  if (!ada || !ticket || !txn) throw new Error("fixtures missing");
  // What a hostile customer (or a careless colleague) can put into records the server only reads.
  ada.name = `Ada Lovelace, ${planted}`;
  ada.tags = ["vip", planted];
  if (ada.account_manager) ada.account_manager.name = `Jordan ${EMAIL}`;
  ticket.customer_id = ada.id;
  ticket.tags = [planted];
  ticket.assignee = { id: "usr_leakyagent01", name: `Agent ${PHONE}` };
  txn.description = `Order note: ${planted}`;
  ticketId = ticket.id;
  // And through the API, as the customer's own messages arrive.
  const writer = await connectInMemory(testContext(env.sandbox, { access: { profile: "admin" } }));
  await callTool(writer.client, "add_ticket_comment", { ticket_id: ticketId, body: planted, public: true });
  await callTool(writer.client, "add_customer_note", { customer_id: ada.id, body: planted, author: `Sam ${EMAIL}` });
  await writer.close();
});

/** Everything a readonly agent can get to about the planted records, as one string. */
async function everything(connected: Connected): Promise<string> {
  const customerId = env.sandbox.store.customers[0]?.id ?? "";
  const parts: unknown[] = [];
  for (const [name, args] of [
    ["get_customer", { customer_id: customerId, include_transactions: true }],
    ["get_customer_overview", { customer_id: customerId }],
    ["list_transactions", { customer_id: customerId }],
    ["search_customers", { query: "lovelace" }],
    ["search_tickets", { customer_id: customerId }],
    ["get_ticket", { ticket_id: ticketId }],
  ] as const) {
    const result = await callTool(connected.client, name, args);
    expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
    parts.push(result);
  }
  parts.push(await connected.client.readResource({ uri: `customer://customers/${customerId}` }));
  parts.push(await connected.client.readResource({ uri: `customer://tickets/${ticketId}` }));
  parts.push(await connected.client.listResources());
  parts.push(await connected.client.getPrompt({ name: "account_review", arguments: { customer_id: customerId } }));
  parts.push(await connected.client.getPrompt({ name: "draft_ticket_reply", arguments: { ticket_id: ticketId } }));
  return JSON.stringify(parts);
}

function expectNoPii(text: string, where: string): void {
  expect(text, where).not.toContain(EMAIL);
  expect(text, where).not.toContain("quentin.private");
  expect(text.replace(/\D/g, ""), where).not.toContain(PHONE_DIGITS);
}

describe("PII in free text, without customers:pii", () => {
  it("is masked in every result, resource, listing and prompt, and in the log and audit", async () => {
    const logs = captureLogs("debug");
    const connected = await connectInMemory(
      testContext(env.sandbox, { logger: logs.logger, access: { profile: "readonly" } }),
    );
    const shown = await everything(connected);
    await connected.close();
    expectNoPii(shown, "what the agent was shown");
    expectNoPii(logs.text(), "the log and audit");
    // Masked, not dropped: the visible parts are still there.
    expect(shown).toContain("q***@leak.example");
    expect(shown).toContain("***-***-9931");
  });

  it("is shown to a profile with customers:pii", async () => {
    const connected = await connectInMemory(testContext(env.sandbox, { access: { profile: "support" } }));
    expect(await everything(connected)).toContain(EMAIL);
    await connected.close();
  });

  it("never echoes an argument name that is not one into the error, the log or the audit", async () => {
    const logs = captureLogs("debug");
    const connected = await connectInMemory(
      testContext(env.sandbox, { logger: logs.logger, access: { profile: "readonly" } }),
    );
    const result = await callTool(connected.client, "get_customer", {
      customer_id: env.sandbox.store.customers[0]?.id,
      [EMAIL]: true,
      [PHONE]: "x",
      customerId: "a typo worth naming",
    });
    await connected.close();
    expect(result.isError).toBe(true);
    const text = JSON.stringify(result.content);
    expect(text).toContain("`customerId`");
    expect(text).toContain("2 with names not shown");
    expectNoPii(text, "the error");
    expectNoPii(logs.text(), "the log and audit");
  });
});

// A hostile backend fills every field a view does not clip itself (tags, names, segment descriptions, a card
// brand, comment after comment) with hundreds of kilobytes of text. No result may exceed the response budget: texts are
// clipped wherever they come from, and a result that still would not fit is cut shorter or refused with
// result_too_large, never sent.
import type { McpError } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { callTool, type Connected, connectInMemory, errorOf } from "../helpers/mcp.js";

/** Large, but small enough that no upstream page passes the 16 MiB body cap (a separate defence, tested apart). */
const HUGE = "x".repeat(300_000);
let customerId: string;
let ticketId: string;

const env = useSandbox({ seed: 31 });
beforeAll(async () => {
  const ada = env.sandbox.store.customers[0];
  const ticket = env.sandbox.store.ticketsById.get(env.sandbox.store.fixtures.openTicketIds[0] ?? "");
  if (!ada || !ticket) throw new Error("fixtures missing");
  customerId = ada.id;
  ticketId = ticket.id;
  ada.name = HUGE;
  ada.tags = Array.from({ length: 100_000 }, (_, i) => `tag-${i}`);
  if (ada.account_manager) ada.account_manager.name = HUGE;
  for (const txn of env.sandbox.store.transactionsByCustomer.get(ada.id) ?? []) {
    txn.description = HUGE;
    if (txn.payment_method) txn.payment_method.brand = HUGE;
  }
  for (const segment of env.sandbox.store.segments) segment.description = HUGE;
  ticket.customer_id = ada.id;
  ticket.subject = HUGE;
  ticket.description = HUGE;
  ticket.tags = [HUGE, HUGE];
  ticket.assignee = { id: "usr_hugeagent001", name: HUGE };
  const comments = env.sandbox.store.commentsByTicket.get(ticket.id) ?? [];
  for (const comment of comments) {
    comment.body = HUGE;
    comment.author.name = HUGE;
  }
  // Ten comments in all, as many as get_ticket shows.
  const first = comments[0];
  if (!first) throw new Error("the ticket has no comment");
  for (let i = comments.length; i < 10; i++) {
    env.sandbox.store.addComment({ ...first, id: `cmt_hugecomment${String(i).padStart(3, "0")}` });
  }
});

async function connect(maxResultTokens: number): Promise<Connected> {
  return connectInMemory(testContext(env.sandbox, { maxResultTokens, access: { profile: "admin" } }));
}

/** Every read of the hostile records, as [what, size of the text the model reads]. */
async function sizes(connected: Connected): Promise<Array<[string, number, string | undefined]>> {
  const out: Array<[string, number, string | undefined]> = [];
  for (const [name, args] of [
    ["get_customer", { customer_id: customerId, include_transactions: true }],
    ["get_customer_overview", { customer_id: customerId }],
    ["list_transactions", { customer_id: customerId, limit: 100 }],
    ["list_segments", {}],
    ["search_customers", { query: "xxxxxxxx" }],
    ["search_tickets", { customer_id: customerId }],
    ["get_ticket", { ticket_id: ticketId }],
  ] as const) {
    const result = await callTool(connected.client, name, args);
    const text = result.content[0]?.type === "text" ? result.content[0].text : "";
    out.push([name, text.length, result.isError ? text : undefined]);
  }
  for (const uri of [`customer://customers/${customerId}`, `customer://tickets/${ticketId}`, "customer://segments"]) {
    try {
      const read = await connected.client.readResource({ uri });
      out.push([uri, (read.contents[0] as { text: string }).text.length, undefined]);
    } catch (error) {
      // A resource read refuses with a JSON-RPC error that carries the error_code.
      const data = (error as McpError).data as { error_code?: string } | undefined;
      out.push([uri, 0, data?.error_code ?? String(error)]);
    }
  }
  const listing = await connected.client.listResources();
  out.push(["resources/list", JSON.stringify(listing).length, undefined]);
  const prompt = await connected.client.getPrompt({ name: "draft_ticket_reply", arguments: { ticket_id: ticketId } });
  const promptText = prompt.messages.map((message) => (message.content.type === "text" ? message.content.text : ""));
  out.push(["draft_ticket_reply", promptText.join("").length, undefined]);
  return out;
}

describe("the response budget against hundreds of kilobytes in every upstream text", () => {
  it("keeps every result of the default budget (20,000 tokens, 80,000 characters) within it", async () => {
    const connected = await connect(20_000);
    const measured = await sizes(connected);
    await connected.close();
    for (const [what, size, failed] of measured) {
      expect(failed, `${what} failed`).toBeUndefined();
      expect(size, what).toBeLessThanOrEqual(80_000);
    }
  });

  it("cuts texts shorter to fit a small budget (1,000 tokens), or refuses with result_too_large", async () => {
    const connected = await connect(1_000);
    const measured = await sizes(connected);
    const refused = errorOf(await callTool(connected.client, "get_ticket", { ticket_id: ticketId }));
    await connected.close();
    // resources/list is not a result the model reads: it keeps its own bound (100 entries, titles of at most 200
    // characters), which the default-budget case above checks.
    for (const [what, size, failed] of measured.filter(([what]) => what !== "resources/list")) {
      // Fits (prompts are one text each, cut at the budget), or is refused for its size: nothing else.
      if (failed === undefined) expect(size, what).toBeLessThanOrEqual(4_000 + 200);
      else expect(failed, what).toMatch(/result_too_large/);
    }
    // Ten comments with their authors cannot fit 4,000 characters even at 40 characters a text.
    expect(refused).toMatchObject({ error_code: "result_too_large", next_step: expect.stringMatching(/Ask for less/) });
    expect(measured.find(([what]) => what === `customer://tickets/${ticketId}`)?.[2]).toBe("result_too_large");
    // Texts were cut shorter, not refused, where that was enough.
    expect(measured.find(([what]) => what === "get_customer")?.[2]).toBeUndefined();
  });
});

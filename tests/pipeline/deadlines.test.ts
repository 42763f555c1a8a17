// Every primitive that reads customer data ends at the call deadline, not only tools/call: a slow comments page
// used to hold customer://tickets/… and draft_ticket_reply open for 30 s while get_ticket gave up at 5 s.
// Each request here would succeed on its own (the per-request timeout is longer than the slowness), so only the
// call deadline can end them.
import { beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { type Connected, callTool, errorOf } from "../helpers/mcp.js";

const CALL_DEADLINE_MS = 300;
const SLOW_PAGE_MS = 3_000;

const env = useSandbox({ seed: 42 });
let connected: Connected;
let ticketId = "";

beforeAll(async () => {
  connected = await env.connect({ timeoutMs: 10_000, maxRetries: 0, api: { callTimeoutMs: CALL_DEADLINE_MS } });
  ticketId = env.sandbox.store.fixtures.openTicketIds[0] ?? "";
});

const slowComments = () =>
  env.sandbox.faults.add({ kind: "latency", latencyMs: SLOW_PAGE_MS, path: `/v1/tickets/${ticketId}/comments` });

describe("the call deadline", () => {
  it("ends get_ticket with a timeout error", async () => {
    slowComments();
    const result = await callTool(connected.client, "get_ticket", { ticket_id: ticketId });
    expect(errorOf(result).error_code).toBe("timeout");
  });

  it("ends a read of customer://tickets/{ticket_id}", async () => {
    slowComments();
    await expect(connected.client.readResource({ uri: `customer://tickets/${ticketId}` }))
      .rejects.toThrow(/did not answer in time/);
  });

  it("ends prompts/get of draft_ticket_reply", async () => {
    slowComments();
    await expect(connected.client.getPrompt({ name: "draft_ticket_reply", arguments: { ticket_id: ticketId } }))
      .rejects.toThrow(/did not answer in time/);
  });

  it("lets the same reads through once the comments are fast again", async () => {
    const result = await connected.client.readResource({ uri: `customer://tickets/${ticketId}` });
    expect(result.contents).toHaveLength(1);
  });
});

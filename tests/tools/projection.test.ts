// Registry-wide guard: whatever read tool an agent calls on a seeded customer, no internal, risk, metadata or
// payment-fingerprint field reaches the result, and nothing is larger than the response budget.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory } from "../helpers/mcp.js";

const NEVER_SHOWN = [
  "internal",
  "legacy_id",
  "crm_sync_state",
  "pii_vault_ref",
  "dedupe_hash",
  "risk",
  "fraud_model_version",
  "fingerprint",
  "exp_month",
  "metadata",
  "processor_ref",
];

let connected: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox));
});
afterAll(async () => {
  await connected.close();
});

describe("projections", () => {
  it("never show internal, risk, metadata or card-fingerprint fields from any read tool", async () => {
    const { demoCustomerId, openTicketIds } = env.sandbox.store.fixtures;
    const calls: Array<[string, Record<string, unknown>]> = [
      ["search_customers", { limit: 100 }],
      ["get_customer", { customer_id: demoCustomerId, include_transactions: true }],
      ["get_customer_overview", { customer_id: demoCustomerId }],
      ["list_transactions", { customer_id: demoCustomerId, limit: 100 }],
      ["list_segments", {}],
      ["search_tickets", { customer_id: demoCustomerId }],
      ["get_ticket", { ticket_id: openTicketIds[0] }],
    ];
    for (const [name, args] of calls) {
      const result = await callTool(connected.client, name, args);
      expect(result.isError, name).toBeFalsy();
      const keys = new Set<string>();
      JSON.stringify(result.structuredContent, (key, value: unknown) => {
        keys.add(key);
        return value;
      });
      for (const field of NEVER_SHOWN) expect(keys.has(field), `${name} exposes ${field}`).toBe(false);
      const text = result.content[0]?.type === "text" ? result.content[0].text : "";
      expect(text.length, `${name} exceeds the budget`).toBeLessThanOrEqual(20_000 * 4);
    }
  });

  it("accepts numbers sent as strings where the schema wants a number", async () => {
    const result = await callTool(connected.client, "search_customers", { limit: "3" });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { customers: unknown[] }).customers).toHaveLength(3);
  });
});

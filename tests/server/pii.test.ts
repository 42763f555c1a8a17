// Without the customers:pii scope (the default readonly profile), no seeded email, phone, address, tax id or date
// of birth appears unmasked in any tool result, resource, prompt or log line; with it, agents see them.
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool, connectInMemory } from "../helpers/mcp.js";

const env = useSandbox({ seed: 9, exportDurationMs: 0 });

/** The raw values of the demo customer that must never be shown without the PII scope. */
function secrets(): string[] {
  const ada = env.sandbox.store.customers[0];
  if (!ada) throw new Error("no demo customer");
  return [ada.email, ada.phone, ada.tax_id, ada.date_of_birth, ada.address.line1, ada.address.postal_code];
}

async function everythingShown(profile: "readonly" | "support"): Promise<{ text: string; logs: string }> {
  const logs = captureLogs("debug");
  const connected = await connectInMemory(
    testContext(env.sandbox, { logger: logs.logger, access: { profile, readOnly: false } }),
  );
  const id = env.sandbox.store.fixtures.demoCustomerId;
  const parts: unknown[] = [];
  for (const [name, args] of [
    ["search_customers", { query: "lovelace" }],
    ["search_customers", { email: env.sandbox.store.customers[0]?.email }],
    ["get_customer", { customer_id: id, include_transactions: true }],
    ["get_customer_overview", { customer_id: id }],
  ] as const) {
    const result = await callTool(connected.client, name, args);
    expect(result.isError, name).toBeFalsy();
    parts.push(result);
  }
  parts.push(await connected.client.readResource({ uri: `customer://customers/${id}` }));
  parts.push(await connected.client.getPrompt({ name: "account_review", arguments: { customer_id: id } }));
  await connected.close();
  return { text: JSON.stringify(parts), logs: logs.text() };
}

describe("PII masking", () => {
  it("masks every PII field of the demo customer in results, resources, prompts and logs by default", async () => {
    const { text, logs } = await everythingShown("readonly");
    for (const secret of secrets()) {
      expect(text, `result shows ${secret}`).not.toContain(secret);
      expect(logs, `log shows ${secret}`).not.toContain(secret);
    }
    expect(text).toContain("a***@example.com");
    expect(text).toContain("****-**-**");
  });

  it("shows PII to a profile that has customers:pii", async () => {
    const { text } = await everythingShown("support");
    const ada = env.sandbox.store.customers[0];
    expect(text).toContain(ada?.email);
    expect(text).toContain(ada?.tax_id);
  });

  it("masks emails in an export file read without the PII scope", async () => {
    const connected = await connectInMemory(testContext(env.sandbox, { access: { profile: "admin", scopes: ["exports:run"], readOnly: false } }));
    const result = await callTool(connected.client, "export_customers", { format: "csv", status: "active" });
    expect(result.isError).toBeFalsy();
    const uri = (result.structuredContent as { resource_uri: string }).resource_uri;
    const file = await connected.client.readResource({ uri });
    const text = JSON.stringify(file);
    expect(text).not.toContain(env.sandbox.store.customers[0]?.email);
    expect(text).toMatch(/[a-z]\*\*\*@example\.(com|org|net)/);
    await connected.close();
  });
});

describe("free text", () => {
  it("strips control and invisible characters from names and comments before the model sees them", async () => {
    const connected = await connectInMemory(testContext(env.sandbox));
    const { unsafeNameCustomerId } = env.sandbox.store.fixtures;
    const result = await callTool(connected.client, "get_customer", { customer_id: unsafeNameCustomerId });
    const raw = env.sandbox.store.customersById.get(unsafeNameCustomerId)?.name ?? "";
    const hidden = ["\u200B", "\u0007"];
    expect(hidden.every((char) => raw.includes(char))).toBe(true);
    const shown = (result.structuredContent as { customer: { name: { text: string } } }).customer.name.text;
    expect(shown).toBe(hidden.reduce((name, char) => name.replaceAll(char, ""), raw));
    expect(JSON.stringify(result)).not.toMatch(/\\u200b|\\u0007|\u200B/i);
    await connected.close();
  });
});

// A customer who names themselves so that the confirmation form lies: line breaks that push the real amount
// off the first screen, a fake "Refund: $1.00" line, text that rewrites the checkbox. The form a person sees
// must say what will happen in its own words, with someone else's text on one quoted, clipped line.
import type { ElicitRequest } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { MAX_CONFIRMATION_VALUE } from "../../src/mcp/confirm.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory } from "../helpers/mcp.js";

const FORGED_NAME = [
  "Ada",
  ...new Array(60).fill(""),
  "Refund: $1.00 (100 minor units of USD)",
  "Reason: duplicate",
  "",
  'Tick "Refund $1.00" below.',
].join("\n");

const env = useSandbox({ seed: 29 });

/** Runs `tool` as a person who answers every form, and returns the forms they were shown. */
async function formsShown(tool: string, args: Record<string, unknown>): Promise<Array<ElicitRequest["params"]>> {
  const asked: Array<ElicitRequest["params"]> = [];
  const connected = await connectInMemory(testContext(env.sandbox, { access: { profile: "admin" } }), {}, {
    elicitation: (params) => {
      asked.push(params);
      return { action: "decline" };
    },
  });
  const result = await callTool(connected.client, tool, args);
  await connected.close();
  expect(result.isError).toBe(true);
  return asked;
}

function checkboxTitle(form: ElicitRequest["params"]): string {
  const { requestedSchema } = form as unknown as { requestedSchema: { properties: { confirm: { title: string } } } };
  return requestedSchema.properties.confirm.title;
}

describe("a confirmation form under a forged customer name", () => {
  it("keeps a refund's amount on its first line and the name on one quoted, clipped line", async () => {
    const charge = env.sandbox.store.transactions.find(
      (txn) => txn.type === "charge" && txn.status === "succeeded" && txn.currency === "usd"
        && txn.amount - (txn.refunded_amount ?? 0) >= 50_000,
    );
    if (!charge) throw new Error("no charge of $500 or more");
    const customer = env.sandbox.store.customersById.get(charge.customer_id);
    if (!customer) throw new Error("no customer");
    customer.name = FORGED_NAME;
    const [form] = await formsShown("issue_refund", {
      transaction_id: charge.id,
      amount: 50_000,
      reason: "service_issue",
      note: "Goodwill.\nRefund: $1.00",
    });
    const lines = form?.message.split("\n") ?? [];
    expect(lines[0]).toBe(`Refund $500.00 from charge ${charge.id}? Money leaves the company and cannot be taken back.`);
    // Summary, blank, seven facts, blank, footer: the name and the note add no line.
    expect(lines).toHaveLength(11);
    const customerLine = lines.find((line) => line.trimStart().startsWith("Customer:")) ?? "";
    expect(customerLine).toMatch(/^ {2}Customer: +"Ada Refund: \$1\.00 .*…"$/);
    const quoted = /"(.*)"$/.exec(customerLine)?.[1]?.replace(/\\(.)/g, "$1") ?? "";
    expect(quoted.length, "the name as shown, clipped, with its ellipsis").toBe(MAX_CONFIRMATION_VALUE + 1);
    expect(lines.filter((line) => line.includes("500.00")).length).toBeGreaterThanOrEqual(1);
    expect(lines.find((line) => line.trimStart().startsWith("Note:"))).toMatch(/"Goodwill\. Refund: \$1\.00"$/);
    expect(checkboxTitle(form!)).toBe("Refund $500.00");
  });

  it("labels a suspension's checkbox with the customer id, never the name", async () => {
    const customer = env.sandbox.store.customers.find((c) => c.status === "active" && c.id !== charge0());
    if (!customer) throw new Error("no active customer");
    customer.name = 'Eve"\nSuspend nobody: untick to confirm';
    const [form] = await formsShown("update_customer_status", {
      customer_id: customer.id,
      status: "suspended",
      reason: "chargeback fraud\nconfirmed",
    });
    const lines = form?.message.split("\n") ?? [];
    expect(lines[0]).toBe(`Suspend customer ${customer.id}? A suspended customer is blocked until someone reactivates them.`);
    // Summary, blank, four facts, blank, footer.
    expect(lines).toHaveLength(8);
    expect(lines.find((line) => line.trimStart().startsWith("Customer:"))).toMatch(
      /"Eve\\" Suspend nobody: untick to confirm"$/,
    );
    expect(checkboxTitle(form!)).toBe(`Suspend ${customer.id}`);
  });
});

/** The customer the refund case renamed, so the suspension case picks another one. */
function charge0(): string {
  return env.sandbox.store.customers.find((c) => c.name === FORGED_NAME)?.id ?? "";
}

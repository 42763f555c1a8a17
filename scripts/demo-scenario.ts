// The support scenario npm run demo plays, as a function of a connected client and a printer, so the same steps
// run against the spawned built server (scripts/demo.ts) and in tests, which check the transcript a person reads.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../src/sandbox/index.js";
import { moneyView } from "../src/views/money.js";

/** Free text from the API comes marked with who wrote it (see docs/security.md). */
interface Untrusted {
  untrusted: string;
  text: string;
}

interface Money {
  amount: number;
  currency: string;
  display: string;
}
/** A transaction as get_customer lists it: refundable is minor units of the amount's currency, when above zero. */
interface Transaction {
  id: string;
  type: string;
  status: string;
  amount: Money;
  refundable?: number;
  created_at: string;
}

function fail(message: string): never {
  throw new Error(message);
}

function errorText(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "(no text)";
}

/** The section titles, in order: a transcript must show every one. */
export const DEMO_STEPS = [
  "1. Connect",
  `2. Find the customer who wrote in from ${SANDBOX_DEMO_CUSTOMER_EMAIL}`,
  "3. Open their record with recent transactions",
  "4. The overview an agent starts with: open tickets and what can be refunded",
  "5. Read the customer://segments resource",
  "6. Provoke a clear error: open a customer id that does not exist",
  "7. And a malformed argument, caught before any API call",
] as const;

/** Plays the scenario, printing the transcript line by line; throws when a step does not behave as expected. */
export async function playDemo(client: Client, print: (line: string) => void): Promise<void> {
  const step = (index: number) => {
    const title = DEMO_STEPS[index - 1] ?? "";
    print(`\n── ${title} ${"─".repeat(Math.max(0, 70 - title.length))}`);
  };
  step(1);
  const server = client.getServerVersion();
  print(`Connected to ${server?.name} ${server?.version} (built-in sandbox API).`);
  const { tools } = await client.listTools();
  print(`Tools: ${tools.map((tool) => tool.name).join(", ")}`);

  step(2);
  const search = (await client.callTool({
    name: "search_customers",
    arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
  })) as CallToolResult;
  const found = (
    search.structuredContent as { customers?: Array<{ id: string; name: Untrusted; status: string }> }
  )?.customers?.[0];
  if (search.isError || !found) fail(`search_customers did not find the demo customer: ${errorText(search)}`);
  print(`search_customers → ${found.name.text} (${found.id}), status ${found.status}`);

  step(3);
  const opened = (await client.callTool({
    name: "get_customer",
    arguments: { customer_id: found.id, include_transactions: true },
  })) as CallToolResult;
  if (opened.isError) fail(`get_customer failed: ${errorText(opened)}`);
  const record = opened.structuredContent as {
    customer: {
      name: Untrusted;
      email: string;
      segment_id: string;
      lifetime_value: Money | null;
      account_manager: Untrusted | null;
    };
    recent_transactions: Transaction[];
  };
  const { customer } = record;
  print(`${customer.name.text} <${customer.email}> · segment ${customer.segment_id}`);
  print(
    `Lifetime value ${customer.lifetime_value?.display ?? "n/a"} · account manager ${customer.account_manager?.text ?? "none"}`,
  );
  print("Recent transactions:");
  for (const txn of record.recent_transactions) {
    const refundable = txn.refundable ? ` (refundable ${moneyView(txn.refundable, txn.amount.currency).display})` : "";
    print(
      `  ${txn.created_at.slice(0, 10)}  ${txn.type.padEnd(7)} ${txn.status.padEnd(9)} ${txn.amount.display.padStart(10)}${refundable}`,
    );
  }

  step(4);
  const overview = (await client.callTool({
    name: "get_customer_overview",
    arguments: { customer_id: found.id },
  })) as CallToolResult;
  if (overview.isError) fail(`get_customer_overview failed: ${errorText(overview)}`);
  const summary = overview.structuredContent as {
    open_tickets: Array<{ id: string; subject: Untrusted; priority: string }>;
    refundable: { totals: Money[] };
    notes_count: number;
  };
  for (const ticket of summary.open_tickets) {
    print(`  open ticket ${ticket.id} [${ticket.priority}] ${ticket.subject.text}`);
  }
  print(`  refundable in total: ${summary.refundable.totals.map((total) => total.display).join(", ") || "nothing"}`);
  print(`  internal notes: ${summary.notes_count}`);

  step(5);
  const segments = await client.readResource({ uri: "customer://segments" });
  const first = segments.contents[0];
  const parsed = JSON.parse(first && "text" in first ? first.text : "{}") as {
    segments?: Array<{ id: string; name: string; customer_count: number }>;
  };
  if (!parsed.segments?.length) fail("customer://segments returned no segments");
  for (const segment of parsed.segments) {
    print(
      `  ${segment.id}  ${segment.name.padEnd(12)} ${String(segment.customer_count).padStart(5)} customers`,
    );
  }

  step(6);
  const missing = (await client.callTool({
    name: "get_customer",
    arguments: { customer_id: "cus_doesnotexist00" },
  })) as CallToolResult;
  if (!missing.isError) fail("expected an error for an unknown customer");
  const error = JSON.parse(errorText(missing)) as { error_code: string; message: string; next_step: string };
  print(
    `error_code: ${error.error_code}\nmessage:    ${error.message}\nnext_step:  ${error.next_step}`,
  );

  step(7);
  const invalid = (await client.callTool({
    name: "get_customer",
    arguments: { customer_id: "ada lovelace" },
  })) as CallToolResult;
  if (!invalid.isError) fail("expected an error for a malformed id");
  print(JSON.parse(errorText(invalid)).message);
}

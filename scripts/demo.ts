// npm run demo: spawns the built server with --sandbox over stdio, plays a short support scenario through the
// MCP SDK client, and prints a readable transcript. Exits non-zero if any step does not behave as expected.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../src/sandbox/index.js";

/** Free text from the API comes marked with who wrote it (see docs/security.md). */
interface Untrusted {
  untrusted: string;
  text: string;
}

interface Money {
  display: string;
}
interface Transaction {
  id: string;
  type: string;
  status: string;
  amount: Money;
  refundable: Money | null;
  created_at: string;
}

function step(title: string): void {
  console.log(`\n── ${title} ${"─".repeat(Math.max(0, 70 - title.length))}`);
}

function fail(message: string): never {
  console.error(`demo failed: ${message}`);
  process.exit(1);
}

function errorText(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "(no text)";
}

async function main(): Promise<void> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["dist/index.js", "--sandbox"],
    // Server logs go to stderr; only errors are shown so the transcript stays readable.
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "error" },
    stderr: "inherit",
  });
  const client = new Client({ name: "customer-mcp-demo", version: "1.0.0" });
  await client.connect(transport);

  step("1. Connect");
  const server = client.getServerVersion();
  console.log(`Connected to ${server?.name} ${server?.version} over stdio (built-in sandbox API).`);
  const { tools } = await client.listTools();
  console.log(`Tools: ${tools.map((tool) => tool.name).join(", ")}`);

  step(`2. Find the customer who wrote in from ${SANDBOX_DEMO_CUSTOMER_EMAIL}`);
  const search = (await client.callTool({
    name: "search_customers",
    arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
  })) as CallToolResult;
  const found = (
    search.structuredContent as { customers?: Array<{ id: string; name: Untrusted; status: string }> }
  )?.customers?.[0];
  if (search.isError || !found) fail(`search_customers did not find the demo customer: ${errorText(search)}`);
  console.log(`search_customers → ${found.name.text} (${found.id}), status ${found.status}`);

  step("3. Open their record with recent transactions");
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
      account_manager: string;
    };
    recent_transactions: Transaction[];
  };
  const { customer } = record;
  console.log(`${customer.name.text} <${customer.email}> · segment ${customer.segment_id}`);
  console.log(
    `Lifetime value ${customer.lifetime_value?.display ?? "n/a"} · account manager ${customer.account_manager}`,
  );
  console.log("Recent transactions:");
  for (const txn of record.recent_transactions) {
    const refundable = txn.refundable ? ` (refundable ${txn.refundable.display})` : "";
    console.log(
      `  ${txn.created_at.slice(0, 10)}  ${txn.type.padEnd(7)} ${txn.status.padEnd(9)} ${txn.amount.display.padStart(10)}${refundable}`,
    );
  }

  step("4. The overview an agent starts with: open tickets and what can be refunded");
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
    console.log(`  open ticket ${ticket.id} [${ticket.priority}] ${ticket.subject.text}`);
  }
  console.log(`  refundable in total: ${summary.refundable.totals.map((total) => total.display).join(", ") || "nothing"}`);
  console.log(`  internal notes: ${summary.notes_count}`);

  step("5. Read the customer://segments resource");
  const segments = await client.readResource({ uri: "customer://segments" });
  const first = segments.contents[0];
  const parsed = JSON.parse(first && "text" in first ? first.text : "{}") as {
    segments?: Array<{ id: string; name: string; customer_count: number }>;
  };
  if (!parsed.segments?.length) fail("customer://segments returned no segments");
  for (const segment of parsed.segments) {
    console.log(
      `  ${segment.id}  ${segment.name.padEnd(12)} ${String(segment.customer_count).padStart(5)} customers`,
    );
  }

  step("6. Provoke a clear error: open a customer id that does not exist");
  const missing = (await client.callTool({
    name: "get_customer",
    arguments: { customer_id: "cus_doesnotexist00" },
  })) as CallToolResult;
  if (!missing.isError) fail("expected an error for an unknown customer");
  const error = JSON.parse(errorText(missing)) as { error_code: string; message: string; next_step: string };
  console.log(
    `error_code: ${error.error_code}\nmessage:    ${error.message}\nnext_step:  ${error.next_step}`,
  );

  step("7. And a malformed argument, caught before any API call");
  const invalid = (await client.callTool({
    name: "get_customer",
    arguments: { customer_id: "ada lovelace" },
  })) as CallToolResult;
  if (!invalid.isError) fail("expected an error for a malformed id");
  console.log(JSON.parse(errorText(invalid)).message);

  await client.close();
  console.log("\nDemo finished: the server answered every step and exited cleanly.");
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

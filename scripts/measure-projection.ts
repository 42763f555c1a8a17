// npm run measure:projection — how much smaller the MCP results of the main read tools are than the raw upstream
// JSON they were built from. Runs the real server (in memory) against the sandbox; every upstream body the
// tool call read is counted through the API client's onResponse hook. Writes a section of docs/benchmarks.md.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { measureProjection, PROJECTION_TARGET, projectionTable } from "./bench/projection.js";

const BEGIN = "<!-- projection:begin -->";
const END = "<!-- projection:end -->";

async function main(): Promise<void> {
  const result = await measureProjection();
  const table = projectionTable(result);
  const section = [
    BEGIN,
    "## Response efficiency: projections against raw upstream JSON",
    "",
    `Command: \`npm run measure:projection\` · ${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · Node ${process.version}`,
    "",
    `Averages over the first ${result.samples} sandbox customers (seed 42). *Raw upstream JSON* is every body the`,
    "tool call read from the API (all of its requests). *Result text* is the JSON text content the model reads;",
    "*whole result on the wire* is the JSON-RPC `result` object, which carries the same data twice (text content and",
    "`structuredContent`, as the MCP spec recommends for compatibility). The 40% target applies to the text.",
    "",
    table,
    "",
    "The `include_transactions` row is reported for reference (the issue sets no target for it): transaction",
    "records are small upstream, and the summary keeps what an agent acts on (id, type, status, amount with",
    "display string, refundable remainder, description, date), so each item shrinks only to about 45% of its",
    "raw record. `get_customer_overview` reads 20 transactions to find refundable charges but returns 5.",
    "",
    "Free text (customer names, ticket subjects) is included as marked untrusted data, `{\"untrusted\":\"customer\",",
    "\"text\":…}`: 34 bytes per field more than a bare string. The marker's value names the writer instead of a",
    "separate `source` key because `untrusted: true` plus `source` (48 bytes) put `get_customer` over the target.",
    END,
  ].join("\n");
  const path = "docs/benchmarks.md";
  let doc: string;
  try {
    doc = readFileSync(path, "utf8");
  } catch {
    doc = "# Benchmarks\n\nMeasured results, each with the command that produced it.\n";
  }
  doc = doc.includes(BEGIN)
    ? doc.slice(0, doc.indexOf(BEGIN)) + section + doc.slice(doc.indexOf(END) + END.length)
    : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, doc);
  console.log(table);
  const missed = result.rows.filter((row) => row.targeted && row.text / row.raw > PROJECTION_TARGET);
  if (missed.length) {
    console.error(`target missed for: ${missed.map((row) => row.label).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

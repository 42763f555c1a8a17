// npm run measure:degradation: how an agent fares against a degrading customer API with the settings the server
// ships with. For each fault rate (0, 10, 30, 50 and 100% of POST /v1/tickets attempts failing, half reset after
// the ticket is committed, half 503), the built server is spawned over stdio against a fresh sandbox in this
// process, and patient agents (scripts/degradation/agent.ts) create distinct tickets. Reported per row: calls
// that failed at their first try, calls that never succeeded in six tries, duplicate tickets, breaker openings,
// upstream attempts per ticket, and p50/p99 of each try's latency. Writes the table into docs/resilience.md.
//
//   npm run measure:degradation               both tables (one agent, 8 agents), updates docs/resilience.md
//   flags: --tickets N (per row, default 200), --skip-build, --no-write (print only)
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Sandbox, startSandbox } from "../src/sandbox/index.js";
import { baseEnv, StdioRpc } from "./bench/rpc.js";
import { distribution } from "./bench/stats.js";
import { failedTry, PATIENT_AGENT, type PatientOutcome, patientCall, ticketFaults } from "./degradation/agent.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: flags } = parseArgs({
  options: {
    tickets: { type: "string", default: "200" },
    "skip-build": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
});
const TICKETS = Number(flags.tickets);
const RATES = [0, 0.1, 0.3, 0.5, 1];
/** A dead backend makes every ticket take six tries and about five seconds: the row is cut by time instead. */
const ROW_TIME_LIMIT_MS = 120_000;
const BEGIN = "<!-- degradation:begin -->";
const END = "<!-- degradation:end -->";

interface Row {
  rate: number;
  agents: number;
  tickets: number;
  firstTryFailures: number;
  neverSucceeded: number;
  duplicates: number;
  breakerOpenings: number;
  attemptsPerTicket: number;
  p50: number;
  p99: number;
  seconds: number;
  /** Error codes the agent saw, with counts. */
  errors: Record<string, number>;
}

async function measureRow(rate: number, agents: number, dir: string): Promise<Row> {
  const sandbox: Sandbox = await startSandbox({ seed: 11, counts: { customers: 50, transactions: 100, tickets: 20 } });
  for (const fault of ticketFaults(rate)) sandbox.faults.add(fault);
  const stderrPath = join(dir, `stderr-${rate}-${agents}.log`);
  const stderr = openSync(stderrPath, "w");
  const server = new StdioRpc(process.execPath, [join(ROOT, "dist/index.js")], {
    env: {
      ...baseEnv(),
      CUSTOMER_API_URL: sandbox.url,
      CUSTOMER_API_KEY: sandbox.apiKey,
      // Everything else is the shipped default, but for the profile (create_ticket is a write) and the per-tool
      // rate limit, which exists to stop an agent calling one tool this often.
      CUSTOMER_MCP_PROFILE: "support",
      CUSTOMER_MCP_CALLS_PER_MINUTE: "100000",
    },
    stderr,
  });
  const run = `Degradation ${rate * 100}% x${agents}`;
  const outcomes: Array<PatientOutcome<unknown>> = [];
  const started = performance.now();
  try {
    await server.initialize();
    let next = 0;
    const worker = async () => {
      while (next < TICKETS && performance.now() - started < ROW_TIME_LIMIT_MS) {
        const i = next++;
        const customer = sandbox.store.customers[i % sandbox.store.customers.length];
        const args = { customer_id: customer?.id, subject: `${run} #${i}`, description: `Ticket ${i}.` };
        outcomes[i] = await patientCall(async () => {
          const response = await server.request("tools/call", { name: "create_ticket", arguments: args });
          const result = response.result as { isError?: boolean; content?: Array<{ text?: string }> } | undefined;
          return result && !result.isError ? { ok: true, value: result } : failedTry(result?.content?.[0]?.text);
        });
      }
    };
    await Promise.all(Array.from({ length: agents }, worker));
  } finally {
    await server.close();
    closeSync(stderr);
  }
  const seconds = (performance.now() - started) / 1000;
  const done = outcomes.filter(Boolean);
  const made = sandbox.store.tickets.filter((ticket) => ticket.subject.startsWith(`${run} #`));
  const attempts = sandbox.requests.all().filter((entry) => entry.method === "POST" && entry.path === "/v1/tickets");
  await sandbox.close();
  const errors: Record<string, number> = {};
  for (const outcome of done) for (const code of outcome.errors) errors[code] = (errors[code] ?? 0) + 1;
  const tries = distribution(done.flatMap((outcome) => outcome.tryMs));
  const logLines = readFileSync(stderrPath, "utf8").split("\n");
  return {
    rate,
    agents,
    tickets: done.length,
    firstTryFailures: done.filter((outcome) => outcome.tries > 1 || !outcome.value).length,
    neverSucceeded: done.filter((outcome) => !outcome.value).length,
    duplicates: made.length - new Set(made.map((ticket) => ticket.subject)).size,
    breakerOpenings: logLines.filter((line) => line.includes('"msg":"circuit breaker open"')).length,
    attemptsPerTicket: attempts.length / Math.max(1, done.length),
    p50: tries.p50,
    p99: tries.p99,
    seconds,
    errors,
  };
}

function table(rows: Row[]): string {
  const header = [
    "| fault rate | tickets | first-try failures | never succeeded | duplicates | breaker openings | upstream attempts per ticket | try p50 | try p99 | wall time |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const lines = rows.map((row) =>
    `| ${row.rate * 100}% | ${row.tickets} | ${row.firstTryFailures} | ${row.neverSucceeded} | ${row.duplicates} | `
    + `${row.breakerOpenings} | ${row.attemptsPerTicket.toFixed(2)} | ${Math.round(row.p50)} ms | ${Math.round(row.p99)} ms | `
    + `${row.seconds.toFixed(1)} s |`);
  return [...header, ...lines].join("\n");
}

function errorSummary(rows: Row[]): string[] {
  return rows
    .filter((row) => Object.keys(row.errors).length > 0)
    .map((row) => `- ${row.rate * 100}%, ${row.agents} agent${row.agents > 1 ? "s" : ""}: the agent saw `
      + Object.entries(row.errors).map(([code, count]) => `${code} ×${count}`).join(", ") + ".");
}

async function main(): Promise<void> {
  if (!flags["skip-build"]) execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "customer-mcp-degradation-"));
  const rows: Row[] = [];
  try {
    for (const agents of [1, 8]) {
      for (const rate of RATES) {
        const row = await measureRow(rate, agents, dir);
        process.stderr.write(`${JSON.stringify(row)}\n`);
        rows.push(row);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const section = [
    BEGIN,
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run measure:degradation\` on this project's CI machine`
    + " kind (2 cores), shipped defaults, the built server over stdio against the in-process sandbox. Each row: "
    + `${TICKETS} distinct create_ticket calls (a row stops starting new ones after ${ROW_TIME_LIMIT_MS / 1000} s), `
    + `each by a patient agent (up to ${PATIENT_AGENT.maxTries} tries, waiting retry_after_ms up to `
    + `${PATIENT_AGENT.maxWaitMs / 1000} s). The fault rate is the share of POST /v1/tickets attempts that fail, half`
    + " reset after the ticket is committed, half 503. A try's latency is one tools/call, the server's own retries"
    + " included. Breaker openings count every move to open, re-openings after a failed half-open probe included;"
    + " upstream attempts per ticket are what the backend received.",
    "",
    "One agent, calls one after another:",
    "",
    table(rows.filter((row) => row.agents === 1)),
    "",
    "8 agents at once on one server (one breaker and retry budget for all):",
    "",
    table(rows.filter((row) => row.agents === 8)),
    "",
    ...errorSummary(rows),
    END,
  ].join("\n");
  process.stdout.write(`${section}\n`);
  if (flags["no-write"]) return;
  const docPath = join(ROOT, "docs/resilience.md");
  const doc = readFileSync(docPath, "utf8");
  if (!doc.includes(BEGIN)) throw new Error(`docs/resilience.md has no ${BEGIN} marker`);
  writeFileSync(docPath, doc.slice(0, doc.indexOf(BEGIN)) + section + doc.slice(doc.indexOf(END) + END.length));
}

main().catch((error: unknown) => {
  process.stderr.write(`measure:degradation failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

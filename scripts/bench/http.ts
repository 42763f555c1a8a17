// npm run bench:http — customer-mcp http under load: cache-warm get_customer over Streamable HTTP with a bearer
// token verified on every request, against the floor of a minimal stateless SDK HTTP server with one echo tool,
// measured in the same run; and two replicas sharing Redis against one. Everything runs on this machine: the
// sandbox API in its own process, the replicas as built (dist/index.js http), the authorization server and the
// load generator in this process. Writes the HTTP section of docs/benchmarks.md (between its markers).
//
//   npm run bench:http [-- --calls N --concurrency C --quick]
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startAuthServer } from "../../tests/helpers/oauth.js";
import { closedLoop, type LoadResult } from "./load.js";
import { distribution } from "./stats.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist/index.js");
const BEGIN = "<!-- bench-http:begin -->";
const END = "<!-- bench-http:end -->";
const PUBLIC_URL = "https://customer-mcp.bench/mcp";
const REDIS_URL = process.env.CUSTOMER_MCP_TEST_REDIS_URL || "redis://127.0.0.1:6379";
const GOAL = 0.5;

const { values: flags } = parseArgs({
  options: {
    calls: { type: "string", default: "4000" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "3" },
    quick: { type: "boolean", default: false },
  },
});
const ROUNDS = flags.quick ? 1 : Number(flags.rounds);
const CALLS = flags.quick ? 500 : Number(flags.calls);
const CONCURRENCY = Number(flags.concurrency);
const WARMUP = Math.min(500, Math.ceil(CALLS / 4));
const MAX_MS = 120_000;

const children: ChildProcess[] = [];
process.on("exit", () => {
  children.forEach((child) => child.kill("SIGKILL"));
  rmSync(LOGS, { recursive: true, force: true });
});

const LOGS = mkdtempSync(join(tmpdir(), "bench-http-"));

/**
 * Spawns `node args…` with stderr to a file (as a deployment logs to a file or a pipe it does not parse), and
 * resolves with the first line there that matches `ready`.
 */
async function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<RegExpExecArray> {
  const logPath = join(LOGS, `${children.length}.log`);
  const log = openSync(logPath, "w");
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "ignore", log] });
  closeSync(log);
  children.push(child);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  for (let waited = 0; waited < 20_000; waited += 50) {
    const match = ready.exec(readFileSync(logPath, "utf8"));
    if (match) return match;
    if (exited !== undefined) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`not ready (${exited === undefined ? "timeout" : `exited ${exited}`}): ${args.join(" ")}\n${readFileSync(logPath, "utf8").slice(0, 4000)}`);
}

interface Target {
  label: string;
  endpoints: string[];
  body: string;
  headers: Record<string, string>;
}

async function measure(target: Target): Promise<LoadResult> {
  let turn = 0;
  const call = async () => {
    const endpoint = target.endpoints[turn++ % target.endpoints.length] as string;
    const response = await fetch(endpoint, { method: "POST", headers: target.headers, body: target.body });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"isError":true')) throw new Error(`${response.status}: ${text.slice(0, 200)}`);
  };
  await closedLoop(call, { concurrency: CONCURRENCY, maxCalls: WARMUP, maxMs: MAX_MS });
  return closedLoop(call, { concurrency: CONCURRENCY, maxCalls: CALLS, maxMs: MAX_MS });
}

interface Row {
  label: string;
  /** The round with the median rate. */
  result: LoadResult;
  /** Rates of every round, lowest first. */
  rates: number[];
}

function describeRow({ label, result, rates }: Row, floor: number): string {
  const latency = distribution(result.latencies.subarray(0, result.completed));
  const ratio = result.callsPerSecond / floor;
  const range = rates.length > 1 ? `${rates[0]?.toFixed(0)}–${rates.at(-1)?.toFixed(0)}` : "—";
  return `| ${label} | ${result.callsPerSecond.toFixed(0)} | ${range} | ${latency.p50.toFixed(2)} ms | ${latency.p99.toFixed(2)} ms | ${ratio.toFixed(2)}× | ${result.errors} |`;
}

async function main(): Promise<void> {
  if (!existsSync(DIST)) throw new Error("dist/index.js is missing: npm run bench:http builds it first");
  const started = Date.now();
  const load = loadavg();
  const [, sandboxUrl, apiKey] = await start([DIST, "sandbox", "--port", "0"], {}, /on (http:\/\/127\.0\.0\.1:\d+) \(API key: ([^)]+)\)/) as unknown as [string, string, string];
  const as = await startAuthServer({ resource: PUBLIC_URL });
  const token = await as.sign({ sub: "bench@example.com", scope: "customers:read", exp: Math.floor(Date.now() / 1000) + 3_600 });
  const replicaEnv = (redis: boolean): Record<string, string> => ({
    CUSTOMER_API_URL: sandboxUrl,
    CUSTOMER_API_KEY: apiKey,
    CUSTOMER_MCP_OAUTH_ISSUER: as.issuer,
    CUSTOMER_MCP_PUBLIC_URL: PUBLIC_URL,
    // Measure overhead, not limits: the rest stays at its defaults (cache on, LOG_LEVEL=info, readonly profile).
    CUSTOMER_MCP_CALLS_PER_MINUTE: "100000",
    CUSTOMER_API_MAX_CONCURRENCY: "256",
    LOG_LEVEL: "info",
    ...(redis ? { CUSTOMER_MCP_REDIS_URL: REDIS_URL, CUSTOMER_MCP_REDIS_PREFIX: `bench-${started}:` } : {}),
  });
  const replica = async (redis: boolean, id: string) =>
    (await start([DIST, "http", "--port", "0"], { ...replicaEnv(redis), CUSTOMER_MCP_REPLICA_ID: id }, /"url":"(http:\/\/[^"]+\/mcp)"/))[1] as string;

  const [, floorUrl] = await start([join(ROOT, "scripts/bench/minimal-http-server.mjs")], {}, /on (http:\/\/\S+\/mcp)/) as unknown as [string, string];
  const memoryReplica = await replica(false, "memory-1");
  const redisReplicas = [await replica(true, "redis-1"), await replica(true, "redis-2")];

  const mcpHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "Mcp-Protocol-Version": "2025-11-25" };
  const customerId = "cus_3O3Q9pP73Q2x6o"; // Ada Lovelace, the sandbox's first customer (seed 42)
  const getCustomer = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_customer", arguments: { customer_id: customerId } } });
  const echo = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hello" } } });
  const withToken = { ...mcpHeaders, Authorization: `Bearer ${token}` };

  const targets: Target[] = [
    { label: "floor: minimal stateless SDK server, echo tool, no auth", endpoints: [floorUrl], body: echo, headers: mcpHeaders },
    { label: "customer-mcp, 1 replica, state in memory", endpoints: [memoryReplica], body: getCustomer, headers: withToken },
    { label: "customer-mcp, 1 replica, state in Redis", endpoints: [redisReplicas[0] as string], body: getCustomer, headers: withToken },
    { label: "customer-mcp, 2 replicas, state in Redis", endpoints: redisReplicas, body: getCustomer, headers: withToken },
  ];
  // Rounds interleave the targets, so a slow moment of the machine does not fall on one of them only; each row
  // is the round with the median rate.
  const results: LoadResult[][] = targets.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [index, target] of targets.entries()) {
      process.stderr.write(`bench:http: round ${round}/${ROUNDS}, ${target.label}…\n`);
      results[index]?.push(await measure(target));
    }
  }
  const rows: Row[] = targets.map((target, index) => {
    const byRate = [...(results[index] ?? [])].sort((a, b) => a.callsPerSecond - b.callsPerSecond);
    return {
      label: target.label,
      result: byRate[Math.floor(byRate.length / 2)] as LoadResult,
      rates: byRate.map((result) => result.callsPerSecond),
    };
  });
  await as.close();

  const floor = rows[0]?.result.callsPerSecond ?? Number.NaN;
  const one = rows[2]?.result.callsPerSecond ?? Number.NaN;
  const two = rows[3]?.result.callsPerSecond ?? Number.NaN;
  const best = Math.max(rows[1]?.result.callsPerSecond ?? 0, one);
  const lines = [
    BEGIN,
    "## HTTP: throughput and latency of `customer-mcp http`",
    "",
    `Command: \`npm run bench:http${flags.quick ? " -- --quick" : ""}\` · ${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model.split(" ").slice(0, 2).join(" ")}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM · Node ${process.version} · load average ${load.map((value) => value.toFixed(2)).join(" ")} at start · ${Math.round((Date.now() - started) / 1000)} s in all`,
    "",
    `Each row: the median of ${ROUNDS} interleaved round${ROUNDS > 1 ? "s" : ""} of ${CALLS} \`tools/call\` requests after ${WARMUP} of warm-up, ${CONCURRENCY} in flight at once (closed loop, keep-alive), each a separate HTTP POST answered as JSON. customer-mcp rows call \`get_customer\` for one customer with the read cache warm, a bearer JWT (ES256) verified against the authorization server's keys on every request, the readonly profile's PII masking, an audit record per call, \`LOG_LEVEL=info\` to a file and the rate limit taken per call (in Redis where it says so). The floor is the SDK's stateless pattern with nothing else: one echo tool, no auth. The load generator, the sandbox, the authorization server and the servers share this machine's cores; with 2 replicas on 2 cores, the replicas compete with each other and with the load generator.`,
    "",
    "| run | calls/s | rounds | p50 | p99 | vs floor | errors |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((row) => describeRow(row, floor)),
    "",
    "| target | goal | measured | met |",
    "|---|---|---|---|",
    `| cache-warm \`get_customer\` with tokens, best single replica, vs the floor's echo | ≥ ${GOAL}× | ${best.toFixed(0)} vs ${floor.toFixed(0)} calls/s: ${(best / floor).toFixed(2)}× | ${best / floor >= GOAL ? "met" : "**not met**"} |`,
    `| 2 replicas vs 1 (both on Redis) | reported | ${two.toFixed(0)} vs ${one.toFixed(0)} calls/s: ${(two / one).toFixed(2)}× | — |`,
    "",
    "- **What the gap to the floor pays for.** Both build a new MCP server and SDK transport per request. On top of",
    "  that, each customer-mcp call verifies an ES256 token, builds the caller's principal, takes a rate-limit token,",
    "  runs the call pipeline (scope, deadline, cache lookup, PII masking, output validation, the response budget),",
    "  writes an audit record and a request log line, and serializes a larger result. One thing the floor pays and",
    "  customer-mcp does not: the SDK's default JSON Schema validator builds a new Ajv for every server, so for every",
    "  request in this pattern; customer-mcp shares one per process. Before it did, a CPU profile of a replica under",
    "  this load had Ajv's set-up (addKeyword and its callers) among its busiest functions, and on 2026-12-02 this",
    "  benchmark measured 0.48-0.64x in five runs; with it shared, 0.70-0.78x in three.",
    "- **Two replicas on two cores.** The load generator, the sandbox, Redis and the replicas already use both cores",
    "  with one replica, so a second replica adds no CPU: the rate stays about the same, which shows that sharing state",
    "  through Redis costs the replicas nothing noticeable, not that scaling out is free. On a deployment, each",
    "  replica brings its own cores.",
    "- **Rounds.** The `rounds` column gives the lowest and highest rate of the rounds. Two rows whose ranges",
    "  overlap are not told apart by the run: a difference between them is noise on this machine.",
    END,
  ];
  const docPath = join(ROOT, "docs/benchmarks.md");
  const doc = readFileSync(docPath, "utf8");
  const section = lines.join("\n");
  const next = doc.includes(BEGIN)
    ? doc.slice(0, doc.indexOf(BEGIN)) + section + doc.slice(doc.indexOf(END) + END.length)
    : `${doc.trimEnd()}\n\n${section}\n`;
  if (!flags.quick) writeFileSync(docPath, next);
  process.stdout.write(`${section}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:http failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

// Turns the benchmark's measurements into the issue's targets (met or not, with a note) and into the markdown
// section of docs/benchmarks.md between the bench markers. The projection section is left as it is.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { PROJECTION_TARGET, projectionVerdict } from "./projection.js";
import type { BenchResults, ColdStartVariant, Target } from "./types.js";

const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
const PROJECTION_BEGIN = "<!-- projection:begin -->";

const ratio = (a: number, b: number) => a / b;
const x = (value: number) => `${value.toFixed(2)}×`;
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

function variant(results: BenchResults, key: string): ColdStartVariant {
  const found = results.coldStart.find((v) => v.key === key);
  if (!found) throw new Error(`no cold-start variant ${key}`);
  return found;
}

export function evaluateTargets(r: BenchResults): Target[] {
  const targets: Target[] = [];
  const remote = variant(r, "remote");
  const minimal = variant(r, "minimal");
  const startRatio = ratio(remote.initMs, minimal.initMs);
  const cpu = (v: ColdStartVariant) => (v.cpuMs === null ? "—" : ms(v.cpuMs));
  const startWhy = startRatio <= 1.0
    ? "The bundle is one file to load where the minimal server reads ~260 files of the SDK and zod, which pays for"
    + " axios, pino and this server's own schemas."
    : "Not met in this run.";
  targets.push({
    name: "Cold start to `initialize` (remote API)",
    target: "≤ 1.0× the minimal SDK server",
    measured: `${ms(remote.initMs)} vs ${ms(minimal.initMs)}: ${x(startRatio)}`,
    met: startRatio <= 1.0,
    note: `${startWhy} CPU time by then: ${cpu(remote)} vs ${cpu(minimal)}. axios is loaded only after`
      + " `initialize` is answered; see “Where start-up time goes” below.",
  });

  const seq = r.sequential;
  const overheadP50 = seq.cacheOff.p50 - seq.direct.p50;
  const overheadP99 = seq.cacheOff.p99 - seq.direct.p99;
  const echoP50 = seq.echo.p50;
  const c64 = r.concurrency.find((c) => c.concurrency === 64);
  const serverCpuOff = c64?.cacheOff.cpuPerCallMs.server ?? null;
  const serverCpuWarm = c64?.cacheWarm.cpuPerCallMs.server ?? null;
  targets.push({
    name: "Per-call overhead p50, `get_customer` vs direct HTTP (sequential, cache off)",
    target: "≤ 0.3 ms",
    measured: `${ms(seq.cacheOff.p50)} − ${ms(seq.direct.p50)} = ${ms(overheadP50)}`,
    met: overheadP50 <= 0.3,
    note: overheadP50 <= 0.3
      ? ""
      : `A round trip to the minimal server's echo tool, i.e. stdio plus the SDK with no work at all, takes ${ms(echoP50)}`
        + ` p50 in this run${echoP50 > 0.3 ? ", more than the whole budget" : ""}. The rest is this server's own work`
        + ` per call (about ${serverCpuOff === null ? "—" : ms(serverCpuOff)} of CPU per cache-off call at concurrency 64,`
        + " against the minimal server's table below): argument validation, the call scope and deadline, the resilience"
        + " pipeline and axios, the zod parse of the upstream record, projection, PII masking, output validation, two log"
        + " lines, and the result serialized twice. That work is spread over many steps (“Per-call cost” below); only"
        + " removing steps would close the gap, and the stdio floor stays.",
  });
  targets.push({
    name: "Per-call overhead p99 (sequential, cache off)",
    target: "≤ 2 ms",
    measured: `${ms(seq.cacheOff.p99)} − ${ms(seq.direct.p99)} = ${ms(overheadP99)}`,
    met: overheadP99 <= 2,
    note: overheadP99 <= 2
      ? ""
      : `Even the direct request's p99 is ${ms(seq.direct.p99)} against a p50 of ${ms(seq.direct.p50)} in this run: the`
        + " tail is mostly scheduling on a shared 2-core machine, where the server is a third busy process, plus garbage"
        + " collection pauses (less garbage per call would shorten them). Re-measure on a quiet machine.",
  });

  if (c64) {
    const offRatio = ratio(c64.cacheOff.callsPerSecond, c64.direct.callsPerSecond);
    const total = (p: typeof c64.direct) =>
      (p.cpuPerCallMs.harness ?? 0) + (p.cpuPerCallMs.server ?? 0) + (p.cpuPerCallMs.sandbox ?? 0);
    targets.push({
      name: "Throughput at concurrency 64, cache off",
      target: "≥ 0.9× a plain loop of the same HTTP requests with the same client",
      measured: `${c64.cacheOff.callsPerSecond} vs ${c64.direct.callsPerSecond} calls/s: ${x(offRatio)}`,
      met: offRatio >= 0.9,
      note: offRatio >= 0.9
        ? ""
        : "Every process is CPU-bound on 2 cores, so the rate follows the CPU each call costs in all processes together:"
          + ` ${ms(total(c64.direct))} for the plain loop (harness and sandbox) against ${ms(total(c64.cacheOff))} for a`
          + ` tool call, of which the server itself spends ${serverCpuOff === null ? "—" : ms(serverCpuOff)} (axios making`
          + " the same request is only part of it; see the CPU table). With a core per process, the slowest process would"
          + " set the rate instead; on this machine only less CPU per call closes it (“Per-call cost” below).",
    });
    const warmRatio = ratio(c64.cacheWarm.callsPerSecond, c64.echo.callsPerSecond);
    targets.push({
      name: "Throughput at concurrency 64, cache warm",
      target: "≥ 0.5× the minimal server's echo tool",
      measured: `${c64.cacheWarm.callsPerSecond} vs ${c64.echo.callsPerSecond} calls/s: ${x(warmRatio)}`,
      met: warmRatio >= 0.5,
      note: warmRatio >= 0.5
        ? ""
        : `A cached call costs the server ${serverCpuWarm === null ? "—" : ms(serverCpuWarm)} of CPU against the echo`
          + ` tool's ${c64.echo.cpuPerCallMs.server === null ? "—" : ms(c64.echo.cpuPerCallMs.server)}: a cache hit still`
          + " validates its arguments, runs the call scope, masks PII and sanitizes every string of the result, validates"
          + " the output, writes the audit record (its one log line), and serializes the result twice. Reaching 0.5× would"
          + " mean about 0.1 ms per call, which needs fewer of those steps, not faster ones (“Per-call cost” below).",
    });
  }

  const remoteRss = remote.rssMb ?? NaN;
  const minimalRss = minimal.rssMb ?? NaN;
  const rssRatio = ratio(remoteRss, minimalRss);
  targets.push({
    name: "RSS after start (remote API)",
    target: "≤ 1.25× the minimal server",
    measured: `${remoteRss.toFixed(1)} vs ${minimalRss.toFixed(1)} MiB: ${x(rssRatio)}`,
    met: rssRatio <= 1.25,
    note: rssRatio <= 1.25 ? "" : "Code size: axios, pino, cockatiel and every tool's schemas on top of the SDK.",
  });

  const s = r.soak;
  const floor = r.soakFloor;
  const heapLimit = r.machine.v8HeapLimitMb ? ` (${(r.machine.v8HeapLimitMb / 1024).toFixed(1)} GiB here)` : "";
  const complete = s.calls >= (r.settings.soakCalls as number) && s.errors === 0;
  const incomplete = `The soak did not complete cleanly (${s.calls} calls, ${s.errors} errors${s.timedOut ? ", time bound reached" : ""}).`;
  targets.push({
    name: `RSS growth over the ${s.calls.toLocaleString("en-US")}-call soak`,
    target: "≤ 2 MB",
    measured: `${s.growthFromStartMb.toFixed(1)} MiB from start, ${s.growthAfterWarmupMb.toFixed(1)} MiB after the first `
      + `${s.warmupCalls.toLocaleString("en-US")} calls (minimal server's echo soak: ${floor.growthFromStartMb.toFixed(1)}`
      + ` and ${floor.growthAfterWarmupMb.toFixed(1)} MiB)`,
    met: complete && s.growthFromStartMb <= 2,
    note: !complete
      ? incomplete
      : "Not a leak: the live heap after a full GC stays flat (next row). The growth is garbage from calls still in"
        + " flight that survives two scavenges, lands in the old generation, and is collected only as the heap nears a"
        + ` limit V8 sets from the machine's memory${heapLimit}, so RSS keeps climbing slowly. A heap cap bounds it`
        + " (`NODE_OPTIONS=--max-old-space-size=128` held a 100,000-call soak at about 175-195 MiB, see “Memory”"
        + " below); less garbage per call would slow it.",
  });
  targets.push({
    name: "Live heap growth over the soak, after a full GC (leak check)",
    target: "≤ 2 MB",
    measured: `${s.liveHeapAfterWarmupMb.toFixed(1)} → ${s.liveHeapEndMb.toFixed(1)} MiB: ${s.liveHeapGrowthMb.toFixed(2)} MiB`,
    met: complete && s.liveHeapGrowthMb <= 2,
    note: complete ? "" : incomplete,
  });

  for (const row of r.projection.rows.filter((row) => row.targeted)) {
    const value = row.text / row.raw;
    targets.push({
      name: `Response efficiency \`${row.label}\``,
      target: `result text ≤ ${PROJECTION_TARGET.toFixed(2)}× raw upstream JSON`,
      measured: `${value.toFixed(2)}×`,
      met: projectionVerdict(row) === "met",
      note: "",
    });
  }

  targets.push({
    name: "`npm run bench` run time (build included)",
    target: "< 5 minutes",
    measured: `${Math.round(r.totalSeconds)} s`,
    met: r.totalSeconds < 300,
    note: "",
  });
  return targets;
}

/** The bench section as markdown; written into `docPath` between the markers unless docPath is null. */
export function writeReport(r: BenchResults, docPath: string | null): string {
  const m = r.machine;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(
    "## Performance: start-up, per-call overhead, throughput, memory",
    "",
    `Command: \`${r.command}\` · ${m.date.slice(0, 10)} · ${m.cores} × ${m.cpu}`
    + `${m.memoryMb ? `, ${(m.memoryMb / 1024).toFixed(0)} GiB RAM` : ""} · Node ${m.node} · ${m.os} · `
    + `load average ${m.loadAverageAtStart.join(" ")} at start, ${m.loadAverageAtEnd.join(" ")} at end · `
    + `${Math.round(r.totalSeconds)} s in all`
    + `${r.optionalSeconds ? ` (plus ${Math.round(r.optionalSeconds)} s for \`--compare-tsc\`)` : ""}`,
    "",
  );
  if (r.note) push(`> ${r.note}`, "");
  push(
    "The server runs as built (`dist/index.js`, spawned over stdio) against the sandbox API in its own process"
    + " (`customer-mcp sandbox --port 0`), so the server and the plain HTTP loop reach the same sandbox. Settings, so"
    + " the run measures overhead rather than limits: `"
    + Object.entries(r.settings.serverEnv as Record<string, string>).map(([k, v]) => `${k}=${v}`).join("`, `")
    + "`; everything else at its default (retries, retry budget, breakers, timeouts, `LOG_LEVEL=info` to a file, the"
    + " `readonly` profile with PII masking). Cache off is `CUSTOMER_MCP_CACHE_TTL_MS=0`. The floors, measured in the"
    + " same run: bare `node -e 0`, a minimal SDK stdio server with one echo tool (`scripts/bench/minimal-server.mjs`),"
    + " and the same `GET /v1/customers/{id}` made directly with the server's own HTTP client"
    + ` (axios, keep-alive agent, ${String(r.settings.agentMaxSockets)} sockets) at the same concurrency.`,
    "",
    "### Targets",
    "",
    "| target | goal | measured | met |",
    "|---|---|---|---|",
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**not met**"} |`),
    "",
  );
  const missed = r.targets.filter((t) => t.note);
  if (missed.length) {
    push(...missed.map((t) => `- **${t.name}** (${t.met ? "met" : "not met"}): ${t.note}`), "");
  }

  push(
    `### Cold start (median of ${r.coldStart[0]?.runs ?? 0} runs each, interleaved)`,
    "",
    "The target applies to the remote-API row: that is what users start. `--sandbox` also seeds and starts the"
    + " sandbox API inside the server before it answers.",
    "",
    "| process | spawn → `initialize` answered | CPU time by then | spawn → first `tools/list` answered | RSS after `tools/list` |",
    "|---|---:|---:|---:|---:|",
    ...r.coldStart.map(
      (v) => `| ${v.label} | ${v.key === "node" ? `${ms(v.initMs)} (to exit)` : ms(v.initMs)} | ${v.cpuMs === null ? "—" : ms(v.cpuMs)} | ${v.listMs === null ? "—" : ms(v.listMs)} | ${v.rssMb === null ? "—" : `${v.rssMb.toFixed(1)} MiB`} |`,
    ),
    "",
    "CPU time (user + system, all threads, read from `/proc/<pid>/stat` when `initialize` is answered; 10 ms"
    + " resolution) is less sensitive to other load on the machine than wall time.",
    "",
  );
  const tsc = r.coldStart.find((v) => v.key === "tsc");
  const remote = r.coldStart.find((v) => v.key === "remote");
  if (tsc && remote) {
    push(
      `Bundled build (\`npm run build\`, esbuild, ${ms(r.build.bundleMs)} to build) against the unbundled tsc output`
      + ` (${ms(r.build.tscMs)} to build): spawn → \`initialize\` ${ms(remote.initMs)} vs ${ms(tsc.initMs)}`
      + ` (${x(remote.initMs / tsc.initMs)}), RSS ${remote.rssMb?.toFixed(1)} vs ${tsc.rssMb?.toFixed(1)} MiB.`,
      "",
    );
  }

  const seq = r.sequential;
  push(
    `### Per-call latency: \`get_customer\` against the same record over HTTP (ms; sequential: ${seq.rounds} interleaved rounds)`,
    "",
    "| concurrency | tool call p50 | tool call p99 | direct HTTP p50 | direct HTTP p99 | overhead p50 | overhead p99 | cache warm p50 | echo (minimal) p50 |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| 1 (sequential) | ${f(seq.cacheOff.p50)} | ${f(seq.cacheOff.p99)} | ${f(seq.direct.p50)} | ${f(seq.direct.p99)} | ${f(seq.cacheOff.p50 - seq.direct.p50)} | ${f(seq.cacheOff.p99 - seq.direct.p99)} | ${f(seq.cacheWarm.p50)} | ${f(seq.echo.p50)} |`,
    ...r.concurrency.map(
      (c) => `| ${c.concurrency} | ${f(c.cacheOff.p50)} | ${f(c.cacheOff.p99)} | ${f(c.direct.p50)} | ${f(c.direct.p99)} | ${f(c.cacheOff.p50 - c.direct.p50)} | ${f(c.cacheOff.p99 - c.direct.p99)} | ${f(c.cacheWarm.p50)} | ${f(c.echo.p50)} |`,
    ),
    "",
    `Tool calls with the cache off; at concurrency 16 and more, medians over ${r.concurrency[0]?.cacheOff.runs ?? 0} runs`
    + ` of up to ${String(r.settings.phaseCalls)} calls or ${String(r.settings.phaseMaxMs)} ms each.`,
    "",
    "### Throughput (calls/s, median of the runs)",
    "",
    "| concurrency | cache off | plain HTTP loop | off / plain | cache warm | echo (minimal server) | warm / echo |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...r.concurrency.map(
      (c) => `| ${c.concurrency} | ${c.cacheOff.callsPerSecond} | ${c.direct.callsPerSecond} | ${x(c.cacheOff.callsPerSecond / c.direct.callsPerSecond)} | ${c.cacheWarm.callsPerSecond} | ${c.echo.callsPerSecond} | ${x(c.cacheWarm.callsPerSecond / c.echo.callsPerSecond)} |`,
    ),
    "",
  );

  const cpuRow = (name: string, p: BenchResults["concurrency"][number]["direct"]) => {
    const parts = [p.cpuPerCallMs.harness, p.cpuPerCallMs.server, p.cpuPerCallMs.sandbox];
    const total = parts.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    return `| ${name} | ${parts.map((v) => (v === null ? "—" : f(v))).join(" | ")} | ${f(total)} | ${p.callsPerSecond} |`;
  };
  const cpu64 = r.concurrency.find((c) => c.concurrency === 64);
  if (cpu64) {
    push(
      "CPU time per call at concurrency 64, by process (ms; from `/proc/<pid>/stat` and `process.cpuUsage()` over"
      + " each run, medians). With every process busy on 2 cores, throughput is about 2 000 ms/s divided by the total:",
      "",
      "| path | harness (client) | server | sandbox (upstream) | total | calls/s |",
      "|---|---:|---:|---:|---:|---:|",
      cpuRow("plain HTTP loop (axios in the harness)", cpu64.direct),
      cpuRow("tool call, cache off (axios in the server)", cpu64.cacheOff),
      cpuRow("tool call, cache warm", cpu64.cacheWarm),
      cpuRow("echo tool, minimal server", cpu64.echo),
      "",
    );
  }

  const s = r.soak;
  const floor = r.soakFloor;
  const soakRow = (name: string, x: typeof s) =>
    `| ${name} | ${x.callsPerSecond} | ${x.rssAfterStartMb.toFixed(1)} | ${x.rssAfterWarmupMb.toFixed(1)} | ${x.rssEndMb.toFixed(1)} | `
    + `${x.growthAfterWarmupMb.toFixed(1)} | ${x.growthFromStartMb.toFixed(1)} | ${x.liveHeapAfterWarmupMb.toFixed(1)} → `
    + `${x.liveHeapEndMb.toFixed(1)} (${x.liveHeapGrowthMb >= 0 ? "+" : ""}${x.liveHeapGrowthMb.toFixed(2)}) |`;
  push(
    "### Memory soak",
    "",
    `${s.calls.toLocaleString("en-US")} \`get_customer\` calls at concurrency ${String(r.settings.soakConcurrency)} over`
    + " every sandbox customer in a freshly started server with the default cache; every tenth call passes"
    + ` \`fresh: true\`, so the upstream path runs too (${(s.upstreamRequests ?? 0).toLocaleString("en-US")} upstream`
    + ` requests). ${s.seconds} s, ${s.errors} errors${s.timedOut ? ", stopped by the time bound" : ""}. The floor: the`
    + ` same number of echo calls to the minimal SDK server (${floor.seconds} s, ${floor.errors} errors). RSS from`
    + " `/proc/<pid>/status` (VmRSS), in MiB; the live heap is `process.memoryUsage().heapUsed` right after a full GC,"
    + " taken after the warm-up and at the end (the soak's servers run with `--expose-gc` and"
    + " `scripts/bench/heap-probe.mjs`, which does that on SIGUSR2).",
    "",
    `| server | calls/s | RSS after start | after ${s.warmupCalls.toLocaleString("en-US")} calls (warm-up) | end (after 1 s idle) | growth after warm-up | growth from start | live heap after full GC |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    soakRow("customer-mcp, `get_customer`", s),
    soakRow("minimal SDK server, echo (floor)", floor),
    "",
    ...(s.rssAfterFullGcEndMb === undefined
      ? []
      : [
          `Right after the final full GC, RSS was ${s.rssAfterFullGcEndMb.toFixed(1)} MiB for customer-mcp and`
          + ` ${floor.rssAfterFullGcEndMb?.toFixed(1) ?? "—"} MiB for the minimal server.`,
          "",
        ]),
    `RSS samples of customer-mcp (calls → MiB): ${s.samples.map((p) => `${p.calls.toLocaleString("en-US")} → ${p.rssMb.toFixed(0)}`).join(", ")}.`,
    "",
    "### Cache effect",
    "",
    `${r.cacheEffect.lookups} identical \`get_customer\` lookups made ${r.cacheEffect.upstreamCacheOn} upstream`
    + ` request(s) with the cache on and ${r.cacheEffect.upstreamCacheOff} with it off (counted by the sandbox,`
    + " `GET /_sandbox/stats`). In the cache-off throughput runs, the sandbox counted"
    + ` ${r.cacheEffect.upstreamPerCacheOffCall.map((n) => n.toFixed(2)).join(", ")} upstream requests per tool call`
    + " (1.00: every call made exactly its one request; calls rotate over every customer, so the single flight"
    + " never merges them).",
    "",
    "### Response efficiency",
    "",
    `Average result text against raw upstream JSON over ${r.projection.samples} customers (the same measurement as`
    + " `npm run measure:projection`; details in the projection section at the end): "
    + `${r.projection.rows.map((row) => `\`${row.label}\` ${(row.text / row.raw).toFixed(2)}× (${projectionVerdict(row)})`).join("; ")}.`,
  );
  const section = lines.join("\n");
  if (docPath) {
    let doc = existsSync(docPath)
      ? readFileSync(docPath, "utf8")
      : "# Benchmarks\n\nMeasured results, each with the command that produced it.\n";
    const block = `${BEGIN}\n${section}\n${END}`;
    if (doc.includes(BEGIN)) {
      doc = doc.slice(0, doc.indexOf(BEGIN)) + block + doc.slice(doc.indexOf(END) + END.length);
    } else if (doc.includes(PROJECTION_BEGIN)) {
      const at = doc.indexOf(PROJECTION_BEGIN);
      doc = `${doc.slice(0, at)}${block}\n\n${doc.slice(at)}`;
    } else {
      doc = `${doc.trimEnd()}\n\n${block}\n`;
    }
    writeFileSync(docPath, doc);
  }
  return section;
}

function f(value: number): string {
  return value.toFixed(2);
}

// Audit completeness on the real process: the built server over stdio with CUSTOMER_MCP_AUDIT_FILE, SIGTERM
// arriving while calls are still running. Every call the server received has exactly one record in the file
// (and on stderr), calls cut off by shutdown included, and no secret reaches either.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import type { AuditRecord } from "../../src/pipeline/audit.js";
import { connectStdio, initialize, spawnServer } from "../helpers/spawn.js";

describe("audit trail across SIGTERM", () => {
  it("N calls received, N records: finished, failed, denied and interrupted ones", async () => {
    const auditFile = join(mkdtempSync(join(tmpdir(), "audit-e2e-")), "audit.jsonl");
    const server = spawnServer(["--sandbox"], {
      CUSTOMER_MCP_AUDIT_FILE: auditFile,
      CUSTOMER_MCP_SHUTDOWN_GRACE_MS: "200",
      // Ticket searches hang far longer than the test: they are still running when SIGTERM arrives.
      CUSTOMER_SANDBOX_FAULTS: JSON.stringify([{ kind: "latency", latencyMs: 60_000, path: "/v1/tickets" }]),
    });
    await initialize(server);

    const call = (name: string, args: Record<string, unknown>) =>
      server.request("tools/call", { name, arguments: args });
    // Sent first, so by the time later calls are answered the server has read these too.
    const slow = Array.from({ length: 4 }, () => void call("search_tickets", { status: "open" }));
    const found = (await call("search_customers", { email: SANDBOX_DEMO_CUSTOMER_EMAIL })) as {
      result: { structuredContent: { customers: Array<{ id: string }> } };
    };
    const ada = found.result.structuredContent.customers[0]!.id;
    const answered = await Promise.all([
      ...Array.from({ length: 6 }, () => call("get_customer", { customer_id: ada })),
      call("get_customer", { customer_id: "not-an-id" }),
      // The default profile is readonly: refused.
      call("issue_refund", { transaction_id: "txn_abcdef123456", reason: "duplicate" }),
      call("add_customer_note", { customer_id: ada, body: "private words" }),
    ]);
    expect(answered).toHaveLength(9);
    const received = slow.length + 1 + answered.length;

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);

    const records = readFileSync(auditFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as AuditRecord);
    expect(records).toHaveLength(received);
    const count = (predicate: (r: AuditRecord) => boolean) => records.filter(predicate).length;
    expect(count((r) => r.tool === "search_tickets" && r.outcome === "interrupted")).toBe(4);
    expect(count((r) => r.tool === "get_customer" && r.outcome === "ok")).toBe(6);
    expect(count((r) => r.error_code === "invalid_arguments")).toBe(1);
    expect(count((r) => r.decision === "denied" && r.error_code === "permission_denied")).toBe(2);
    expect(new Set(records.map((r) => r.call_id)).size).toBe(received);
    for (const record of records) expect(record.client).toEqual({ name: "e2e-test", version: "1.0.0" });

    // The same records on stderr, and nowhere a secret or the note's words.
    const stderrAudit = server.stderrLines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "audit");
    expect(stderrAudit.map((line) => line.call_id).sort()).toEqual(records.map((r) => r.call_id).sort());
    const everything = `${readFileSync(auditFile, "utf8")}\n${server.stderrLines.join("\n")}`;
    // The --sandbox key is random per process: no sandbox key, of any value, is written anywhere.
    expect(everything).not.toContain("sk_sandbox_");
    expect(everything).not.toContain("private words");
  });

  it("a path the server cannot write stops startup instead of losing records later", async () => {
    // A regular file where a folder should be: neither the folder nor the file can be made.
    const notAFolder = join(mkdtempSync(join(tmpdir(), "audit-e2e-")), "file");
    writeFileSync(notAFolder, "");
    const server = spawnServer(["--sandbox"], { CUSTOMER_MCP_AUDIT_FILE: join(notAFolder, "audit.jsonl") });
    expect(await server.exited).toBe(2);
    expect(server.stderrLines.join("\n")).toMatch(/EEXIST|ENOTDIR/);
  });
});

describe("audit files an attacker or a careless deployment picks", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "audit-e2e-"));
  const cases: Array<[string, () => { path: string; check?: () => void }, RegExp]> = [
    ["a symlink to another file", () => {
      const folder = dir();
      const victim = join(folder, "victim.txt");
      writeFileSync(victim, "precious\n", { mode: 0o644 });
      symlinkSync(victim, join(folder, "audit.jsonl"));
      return {
        path: join(folder, "audit.jsonl"),
        check: () => {
          expect(readFileSync(victim, "utf8")).toBe("precious\n");
          expect(statSync(victim).mode & 0o777).toBe(0o644);
        },
      };
    }, /is a symbolic link/],
    ["an existing world-readable file", () => {
      const path = join(dir(), "audit.jsonl");
      writeFileSync(path, "");
      chmodSync(path, 0o644);
      return { path, check: () => expect(readFileSync(path, "utf8")).toBe("") };
    }, /mode 0644/],
    // Before the fix this path spun startup at 100% CPU, deaf to SIGTERM.
    ["a file under /proc", () => ({ path: "/proc/self/coredump_filter" }), /kernel pseudo-filesystem/],
    ["/proc behind a symlinked folder", () => {
      const folder = dir();
      symlinkSync("/proc/self", join(folder, "logs"));
      return { path: join(folder, "logs", "timerslack_ns") };
    }, /through a symbolic link/],
    ["a FIFO nobody reads", () => {
      const path = join(dir(), "audit.fifo");
      execFileSync("mkfifo", ["-m", "600", path]);
      return { path };
    }, /FIFO/],
  ];

  it.each(cases)("refuses %s at startup: exit 2, one sentence, nothing written", async (_name, setup, sentence) => {
    const { path, check } = setup();
    const server = spawnServer(["--sandbox"], { CUSTOMER_MCP_AUDIT_FILE: path });
    expect(await server.exited).toBe(2);
    const report = server.stderrLines.filter((line) => !line.startsWith("{"));
    expect(report).toEqual(["customer-mcp: configuration error", expect.stringMatching(sentence)]);
    expect(report[1]).toContain(`CUSTOMER_MCP_AUDIT_FILE (${path})`);
    expect(server.stdoutLines).toEqual([]);
    check?.();
  });
});

describe("audit lines on stderr whatever LOG_LEVEL says", () => {
  it.each(["warn", "silent"])("LOG_LEVEL=%s still writes one audit line per call", async (level) => {
    const server = spawnServer(["--sandbox"], { LOG_LEVEL: level });
    await initialize(server);
    await server.request("tools/call", { name: "search_customers", arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL } });
    await server.request("tools/call", { name: "get_customer", arguments: { customer_id: "cus_doesnotexist0" } });
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    const lines = server.stderrLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.msg === "audit").map((line) => line.tool)).toEqual(["search_customers", "get_customer"]);
    // Nothing else below the level reached stderr.
    expect(lines.filter((line) => line.msg !== "audit" && line.level === "info")).toEqual([]);
  });
});

describe("every primitive is a call, on the built server", () => {
  it("records a resource read, a prompt and a completion once each, with method, target and principal", async () => {
    const connected = await connectStdio({ CUSTOMER_MCP_SANDBOX: "true", CUSTOMER_MCP_SUBJECT: "agent-7@example.com" });
    try {
      const { client } = connected;
      const found = (await client.callTool({ name: "search_customers", arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL } }))
        .structuredContent as { customers: Array<{ id: string }> };
      const id = found.customers[0]?.id ?? "";
      await client.readResource({ uri: `customer://customers/${id}` });
      await client.getPrompt({ name: "account_review", arguments: { customer_id: id } });
      const completed = await client.complete({
        ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
        argument: { name: "customer_id", value: "Lovelace" },
      });
      expect(completed.completion.values).toContain(id);
      await vi.waitFor(() => expect(connected.auditRecords()).toHaveLength(4));
      const principal = { subject: "agent-7@example.com", client: { name: "e2e-sdk-client", version: "1.0.0" } };
      expect(connected.auditRecords()).toEqual([
        expect.objectContaining({ method: "tools/call", tool: "search_customers", principal, outcome: "ok" }),
        expect.objectContaining({ method: "resources/read", uri: `customer://customers/${id}`, principal, outcome: "ok" }),
        expect.objectContaining({ method: "prompts/get", prompt: "account_review", principal, outcome: "ok" }),
        expect.objectContaining({
          method: "completion/complete",
          uri: "customer://customers/{customer_id}",
          argument: "customer_id",
          principal,
          outcome: "ok",
          args: { value: "[text, 8 chars]" },
        }),
      ]);
    } finally {
      await connected.close();
    }
  });
});

// Audit completeness on the real process: the built server over stdio with CUSTOMER_MCP_AUDIT_FILE, SIGTERM
// arriving while calls are still running. Every call the server received has exactly one record in the file
// (and on stderr), calls cut off by shutdown included, and no secret reaches either.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SANDBOX_API_KEY, SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import type { AuditRecord } from "../../src/server/audit.js";
import { initialize, spawnServer } from "../helpers/spawn.js";

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
    expect(everything).not.toContain(SANDBOX_API_KEY);
    expect(everything).not.toContain("private words");
  });

  it("a path the server cannot write stops startup instead of losing records later", async () => {
    // A regular file where a folder should be: neither the folder nor the file can be made.
    const notAFolder = join(mkdtempSync(join(tmpdir(), "audit-e2e-")), "file");
    writeFileSync(notAFolder, "");
    const server = spawnServer(["--sandbox"], { CUSTOMER_MCP_AUDIT_FILE: join(notAFolder, "audit.jsonl") });
    expect(await server.exited).not.toBe(0);
    expect(server.stderrLines.join("\n")).toMatch(/EEXIST|ENOTDIR/);
  });
});

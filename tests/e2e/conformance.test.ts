// The official MCP conformance suite's server scenarios against the built server over HTTP
// (CUSTOMER_MCP_HTTP_AUTH=none on loopback), with tests/e2e/conformance.yml as the baseline of scenarios that
// need the suite's own reference fixtures. The suite's CLI exits non-zero on any unexpected result.
// Pinned at 0.1.13: later releases need Node.js 22 (fs.globSync), and this project supports Node.js 20.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnHttpServer } from "../helpers/spawn-http.js";

const CLI = resolve("node_modules/@modelcontextprotocol/conformance/dist/index.js");

describe("MCP conformance suite (server scenarios)", () => {
  it("passes every scenario that applies, including initialize, ping, tools-list and DNS rebinding protection", async () => {
    const server = await spawnHttpServer(["--sandbox"], { CUSTOMER_MCP_HTTP_AUTH: "none", CUSTOMER_MCP_PROFILE: "admin" });
    const results = mkdtempSync(join(tmpdir(), "conformance-"));
    try {
      // The suite checks DNS rebinding protection with a localhost URL.
      const url = server.endpoint.replace("127.0.0.1", "localhost");
      const run = spawn(process.execPath, [
        CLI, "server", "--url", url, "--expected-failures", resolve("tests/e2e/conformance.yml"), "--output-dir", results,
      ], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      run.stdout.on("data", (chunk) => (output += String(chunk)));
      run.stderr.on("data", (chunk) => (output += String(chunk)));
      const code = await new Promise<number | null>((done) => run.on("exit", done));
      const summary = output.slice(output.indexOf("=== SUMMARY ==="));
      expect(code, output.slice(output.indexOf("=== SUMMARY ==="))).toBe(0);
      for (const scenario of ["server-initialize", "ping", "tools-list", "dns-rebinding-protection", "logging-set-level"]) {
        expect(summary).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
      }
    } finally {
      rmSync(results, { recursive: true, force: true });
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 120_000);
});

// The command line of the built server: configuration errors exit 2 with plain sentences; help and version.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { DIST_ENTRY } from "../helpers/spawn.js";

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [DIST_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    input: "",
    encoding: "utf8",
    timeout: 15_000,
  });
}

/** Like run(), but without blocking the event loop, so a sandbox in this process can answer. */
function runAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DIST_ENTRY, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("exit", (status) => resolve({ status, stderr }));
  });
}

describe("customer-mcp CLI", () => {
  it("exits 2 naming CUSTOMER_API_URL and --sandbox when nothing is configured", () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("CUSTOMER_API_URL");
    expect(result.stderr).toContain("--sandbox");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with one line per bad variable and never echoes the key", () => {
    const result = run([], {
      CUSTOMER_API_URL: "not a url",
      CUSTOMER_API_KEY: "sk_live_do_not_print",
      CUSTOMER_API_TIMEOUT_MS: "-5",
    });
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(2);
    expect(result.stderr).not.toContain("sk_live_do_not_print");
  });

  // The unknown name is no longer repeated (it may be a key pasted into the wrong place): its position is given.
  it("exits 2 naming where an unknown tool, scope or profile is, without repeating it", () => {
    const tools = run(["--sandbox", "--tools", "search_customers,delete_everything"]);
    expect(tools.status).toBe(2);
    expect(tools.stderr).toContain("--tools: entry 2 is not a known tool (of 2 given)");
    expect(tools.stderr).not.toContain("delete_everything");
    const scopes = run(["--sandbox"], { CUSTOMER_MCP_SCOPES: "customers:read,customers:delete" });
    expect(scopes.status).toBe(2);
    expect(scopes.stderr).toContain("CUSTOMER_MCP_SCOPES: entry 2 is not a known scope");
    expect(scopes.stderr).not.toContain("customers:delete");
    const profile = run(["--sandbox", "--profile", "root"]);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toContain("CUSTOMER_MCP_PROFILE must be one of readonly, support, billing, admin.");
  });

  it("doctor checks the sandbox and lists the read tools the default profile gets", () => {
    const result = run(["doctor", "--sandbox"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("API health: ok");
    expect(result.stderr).toContain("credentials: ok");
    expect(result.stderr).toMatch(
      /tools \(7 of 14, about \d+ tokens of definitions the model reads, \d+ with output schemas\)/,
    );
    expect(result.stderr).toContain("  search_customers\n");
    expect(result.stderr).not.toContain("(writes)");
  });

  it("a key pasted into the wrong variable or flag never reaches stderr", () => {
    const key = "sk_live_pasted_by_mistake_91c";
    for (const [args, env] of [
      [["--sandbox"], { CUSTOMER_MCP_EXCLUDE_TOOLS: key }],
      [["--sandbox", "--profile", key], {}],
      [[key], {}],
      [[`--${key}`], {}],
      [[], { CUSTOMER_API_URL: `https://${key}@customers.example.com`, CUSTOMER_API_KEY: "k" }],
    ] as Array<[string[], Record<string, string>]>) {
      const result = run(args, env);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/configuration error/);
      expect(result.stderr).not.toContain("sk_live_pasted");
    }
  });

  it("doctor: flags from a client's configuration only narrow the operator's environment", () => {
    const result = run(["doctor", "--sandbox", "--profile", "admin", "--exclude-tools", "list_segments"], {
      CUSTOMER_MCP_PROFILE: "billing",
      CUSTOMER_MCP_EXCLUDE_TOOLS: "issue_refund",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: --profile admin asks for customers:write, tickets:write, exports:run, which the environment "
      + "(CUSTOMER_MCP_PROFILE) does not grant",
    );
    expect(result.stderr).toContain("scopes: customers:read, customers:pii, tickets:read, billing:read, refunds:write\n");
    expect(result.stderr).toContain("  list_transactions\n");
    expect(result.stderr).not.toContain("issue_refund");
    expect(result.stderr).not.toContain("list_segments");
    expect(result.stderr).not.toContain("(writes)");
  });

  it("doctor exits 1 and says which check failed when the API refuses the key", async () => {
    const sandbox = await startSandbox({ seed: 1, counts: { customers: 5, transactions: 10, tickets: 6 } });
    try {
      const result = await runAsync(["doctor"], { CUSTOMER_API_URL: sandbox.url, CUSTOMER_API_KEY: "sk_wrong_key" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("API health: ok");
      expect(result.stderr).toMatch(/credentials: FAILED \(authentication_failed/);
      expect(result.stderr).not.toContain("sk_wrong_key");
    } finally {
      await sandbox.close();
    }
  });

  it("prints the package version", () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const result = run(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it("prints help listing every flag and environment variable", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    for (const word of [
      "--sandbox",
      "--help",
      "--version",
      "CUSTOMER_API_URL",
      "CUSTOMER_API_KEY",
      "LOG_LEVEL",
    ]) {
      expect(result.stdout).toContain(word);
    }
  });
});

// The package as users meet it: the tarball `npm pack` makes, installed offline into an empty project, run with
// `npx customer-mcp`. One pack and install for the whole file (beforeAll); dist/ comes from the global setup.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/config/config.js";
import { VARIABLES } from "../../src/config/env.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { type InstalledPackage, packAndInstall, runCommand, runSession, startStdio } from "../helpers/package.js";

/** The tarball is about 310 kB today; twice that means something that should not ship got in. */
const MAX_TARBALL_BYTES = 650_000;

const packageJson = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

/**
 * The flags parseCommand accepts, read from FLAG_OPTIONS in src/config/config.ts (it is not exported), with their short
 * forms, so a new flag fails this test until --help lists it.
 */
function declaredFlags(): string[] {
  const source = readFileSync("src/config/config.ts", "utf8");
  const block = /const FLAG_OPTIONS = \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? "";
  const flags: string[] = [];
  for (const match of block.matchAll(/^\s*"?([a-z][\w-]*)"?:\s*\{([^}]*)\}/gm)) {
    flags.push(`--${match[1]}`);
    const short = /short:\s*"(\w)"/.exec(match[2] ?? "")?.[1];
    if (short) flags.push(`-${short}`);
  }
  return flags;
}

/** The subcommands parseCommand accepts, read from the list it checks positionals against. */
function declaredSubcommands(): readonly string[] {
  return COMMANDS;
}

describe("the installed package (npm pack, npm install <tarball>, npx customer-mcp)", () => {
  let pkg: InstalledPackage;

  beforeAll(async () => {
    pkg = await packAndInstall();
  }, 120_000);

  afterAll(async () => {
    await pkg?.cleanup();
  });

  it("packs only dist/*.js, the SBOM, README.md, LICENSE, .env.example and package.json, in a small tarball", () => {
    expect(pkg.files).toEqual(
      expect.arrayContaining([
        ".env.example",
        "LICENSE",
        "README.md",
        "dist/index.js",
        "dist/sbom.cdx.json",
        "package.json",
      ]),
    );
    for (const path of pkg.files) {
      expect(path).toMatch(/^(dist\/([\w-]+\.js|sbom\.cdx\.json)|README\.md|LICENSE|\.env\.example|package\.json)$/);
    }
    expect(pkg.tarballBytes).toBeGreaterThan(0);
    expect(pkg.tarballBytes).toBeLessThan(MAX_TARBALL_BYTES);
  });

  it("serves initialize, tools/list and a tools/call through `npx customer-mcp --sandbox`, stdout JSON-RPC only", async () => {
    const server = startStdio("npx", ["customer-mcp", "--sandbox"], { cwd: pkg.installDir, env: pkg.npmEnv });
    const exitCode = await runSession(server, async () => {
      const init = await server.initialize();
      expect(init).toMatchObject({
        protocolVersion: "2025-11-25",
        serverInfo: { name: "customer-mcp", version: packageJson.version },
      });

      const list = (await server.request("tools/list")).result as { tools: Array<{ name: string }> };
      const reads = allTools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name);
      expect(list.tools.map((tool) => tool.name)).toEqual(reads);

      const search = (await server.request("tools/call", {
        name: "search_customers",
        arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
      })) as { result: { isError?: boolean; structuredContent: { customers: Array<{ id: string }> } } };
      expect(search.result.isError).toBeFalsy();
      expect(search.result.structuredContent.customers).toHaveLength(1);
      expect(search.result.structuredContent.customers[0]?.id).toMatch(/^cus_/);
    });
    expect(exitCode).toBe(0);
    for (const line of server.stdoutLines) expect(JSON.parse(line)).toHaveProperty("jsonrpc", "2.0");
  }, 60_000);

  it("`npx customer-mcp --help` lists every flag, subcommand and environment variable", async () => {
    const flags = declaredFlags();
    const subcommands = declaredSubcommands();
    expect(flags).toEqual(expect.arrayContaining(["--sandbox", "--help", "-h", "--version", "-v"]));
    expect(subcommands).toEqual(expect.arrayContaining(["serve", "http", "doctor", "sandbox"]));

    const result = await runCommand("npx", ["customer-mcp", "--help"], { cwd: pkg.installDir, env: pkg.npmEnv });
    expect(result.status, result.stderr).toBe(0);
    for (const flag of flags) expect(result.stdout).toMatch(new RegExp(`(^|[\\s,|\\[])${flag}\\b`, "m"));
    for (const subcommand of subcommands) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+customer-mcp \\[?${subcommand}\\b`, "m"));
    }
    for (const name of Object.keys(VARIABLES)) expect(result.stdout).toContain(name);
  }, 30_000);

  it("`npx customer-mcp --version` prints package.json's version", async () => {
    const result = await runCommand("npx", ["customer-mcp", "--version"], { cwd: pkg.installDir, env: pkg.npmEnv });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${packageJson.version}\n`);
  }, 30_000);
});

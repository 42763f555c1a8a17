// The MCP Bundle: manifest.json passes `mcpb validate`, agrees with package.json, src/config/env.ts and the tool
// registry, and the bundle `npm run bundle` packs holds only what runs; the server configuration a client derives
// from the manifest (mcpb's own getMcpConfigForManifest, as Claude Desktop uses it) starts that bundle against a
// local sandbox. Everything runs offline; dist/ comes from the global setup.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { getMcpConfigForManifest, type McpbManifestAny } from "@anthropic-ai/mcpb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VARIABLES } from "../../src/config/env.js";
import { PROFILES } from "../../src/policy/access.js";
import { SANDBOX_DEMO_CUSTOMER_EMAIL, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { runSession, startStdio } from "../helpers/package.js";

const run = promisify(execFile);
const MCPB_CLI = join(dirname(createRequire(import.meta.url).resolve("@anthropic-ai/mcpb")), "cli", "cli.js");

interface Manifest {
  manifest_version: string;
  name: string;
  version: string;
  description: string;
  license: string;
  server: {
    type: string;
    entry_point: string;
    mcp_config: { command: string; args: string[]; env: Record<string, string> };
  };
  tools: Array<{ name: string; description: string }>;
  compatibility: { runtimes: { node: string } };
  user_config: Record<
    string,
    { type: string; required?: boolean; sensitive?: boolean; default?: unknown; description: string }
  >;
}

const manifest = JSON.parse(readFileSync("manifest.json", "utf8")) as Manifest;
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  name: string;
  version: string;
  description: string;
  license: string;
  bin: Record<string, string>;
  engines: { node: string };
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("manifest.json", () => {
  it("passes `mcpb validate`", async () => {
    const { stdout } = await run(process.execPath, [MCPB_CLI, "validate", "manifest.json"], { timeout: 30_000 });
    expect(stdout).toContain("Manifest schema validation passes!");
  });

  it("agrees with package.json: name, version, description, licence, entry point and Node range", () => {
    expect(manifest).toMatchObject({
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      server: { type: "node", entry_point: pkg.bin["customer-mcp"] },
      compatibility: { runtimes: { node: pkg.engines.node } },
    });
    expect(manifest.server.mcp_config.command).toBe("node");
    expect(manifest.server.mcp_config.args).toEqual([`\${__dirname}/${manifest.server.entry_point}`]);
  });

  it("lists every tool of the registry, in order, described by its title", () => {
    expect(manifest.tools).toEqual(allTools.map((tool) => ({ name: tool.name, description: tool.title })));
  });

  it("maps each user setting to a variable the server reads, and uses every setting it declares", () => {
    const env = manifest.server.mcp_config.env;
    for (const name of Object.keys(env)) expect(Object.keys(VARIABLES)).toContain(name);
    const used = Object.values(env).map((value) => /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1]);
    expect(used.sort()).toEqual(Object.keys(manifest.user_config).sort());
  });

  it("offers the sandbox, asks for the URL and a sensitive key, and offers every profile, readonly by default", () => {
    const { api_url: url, api_key: key, profile, use_sandbox: useSandbox } = manifest.user_config;
    expect(manifest.server.mcp_config.env).toEqual({
      CUSTOMER_API_URL: "${user_config.api_url}",
      CUSTOMER_API_KEY: "${user_config.api_key}",
      CUSTOMER_MCP_PROFILE: "${user_config.profile}",
      CUSTOMER_MCP_SANDBOX: "${user_config.use_sandbox}",
    });
    // Optional settings need a default: without one mcpb passes the literal "${user_config.…}" text on.
    expect(useSandbox).toMatchObject({ type: "boolean", default: false });
    expect(url).toMatchObject({ type: "string", default: "" });
    expect(key).toMatchObject({ type: "string", default: "", sensitive: true });
    // An optional setting without a default would reach the server as the literal "${user_config.profile}".
    expect(profile).toMatchObject({ type: "string", default: "readonly" });
    for (const name of Object.keys(PROFILES)) expect(profile?.description).toContain(name);
  });
});

describe("npm run bundle", () => {
  let work: string;
  let unpacked: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "customer-mcp-mcpb-"));
    const bundle = join(work, "customer-mcp.mcpb");
    unpacked = join(work, "unpacked");
    // --skip-build: the global setup built dist/, and a second build here would swap it under other test files.
    const [, started] = await Promise.all([
      run(process.execPath, ["scripts/bundle.mjs", "--skip-build", "--out", bundle], { timeout: 60_000 }).then(() =>
        run(process.execPath, [MCPB_CLI, "unpack", bundle, unpacked], { timeout: 30_000 }),
      ),
      startSandbox({ seed: 11, counts: { customers: 20, transactions: 40, tickets: 12 } }),
    ]);
    sandbox = started;
  }, 90_000);

  afterAll(async () => {
    await sandbox?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("packs the manifest, dist/*.js, the SBOM, a trimmed package.json, README.md and LICENSE, nothing else", () => {
    const files = filesUnder(unpacked).map((path) => relative(unpacked, path).split("\\").join("/"));
    expect(files).toEqual(
      expect.arrayContaining(["manifest.json", "package.json", "README.md", "LICENSE", "dist/index.js", "dist/sbom.cdx.json"]),
    );
    const allowed = /^(manifest\.json|package\.json|README\.md|LICENSE|dist\/[\w-]+\.js|dist\/sbom\.cdx\.json)$/;
    for (const file of files) expect(file).toMatch(allowed);
    const staged = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8")) as Record<string, unknown>;
    expect(staged).toMatchObject({ name: pkg.name, version: pkg.version, type: "module" });
    expect(staged).not.toHaveProperty("devDependencies");
    expect(staged).not.toHaveProperty("scripts");
  });

  /** The server configuration Claude Desktop derives from the unpacked bundle's manifest for `userConfig`. */
  async function derivedConfig(userConfig: Record<string, string | boolean>) {
    const bundled = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8")) as McpbManifestAny;
    const config = await getMcpConfigForManifest({
      manifest: bundled,
      extensionPath: unpacked,
      systemDirs: {},
      userConfig,
      pathSeparator: "/",
    });
    if (!config) throw new Error("mcpb derived no server configuration");
    return config;
  }

  /** Starts the bundle as configured, checks what it lists, finds the demo customer, and returns the exit code. */
  async function runBundle(config: Awaited<ReturnType<typeof derivedConfig>>, expectTool: string) {
    const server = startStdio(config.command, config.args ?? [], {
      cwd: unpacked,
      env: { PATH: process.env.PATH ?? "", ...config.env },
    });
    return runSession(server, async () => {
      await server.initialize();
      const list = (await server.request("tools/list")).result as { tools: Array<{ name: string }> };
      expect(list.tools.map((tool) => tool.name)).toContain(expectTool);
      const search = (await server.request("tools/call", {
        name: "search_customers",
        arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
      })) as { result: { isError?: boolean } };
      expect(search.result.isError, JSON.stringify(search.result)).toBeFalsy();
    });
  }

  it("starts, from the configuration a client derives from the manifest, against the API the user names", async () => {
    const config = await derivedConfig({ api_url: sandbox.url, api_key: sandbox.apiKey, profile: "support" });
    expect(config.env).toEqual({
      CUSTOMER_API_URL: sandbox.url,
      CUSTOMER_API_KEY: sandbox.apiKey,
      CUSTOMER_MCP_PROFILE: "support",
      CUSTOMER_MCP_SANDBOX: "false",
    });
    // The support profile adds ticket writes to the reads: proof the profile setting arrived.
    expect(await runBundle(config, "create_ticket")).toBe(0);
  }, 60_000);

  it("with only the sandbox ticked, starts on the built-in sandbox with the readonly profile", async () => {
    const config = await derivedConfig({ use_sandbox: true });
    expect(config.env).toEqual({
      CUSTOMER_API_URL: "",
      CUSTOMER_API_KEY: "",
      CUSTOMER_MCP_PROFILE: "readonly",
      CUSTOMER_MCP_SANDBOX: "true",
    });
    expect(await runBundle(config, "search_customers")).toBe(0);
  }, 60_000);
});

// The README's client setup, checked the way a user follows it: every ```json block parses, and every server
// entry under "## Connect a client" is started exactly as written (command, args, env) in a folder where the
// packed tarball is installed, so `npx -y customer-mcp` resolves locally and offline. Sandbox entries must reach
// `initialize`; real-API entries run against a sandbox started here, with only their placeholder URL and key
// replaced. The `claude mcp add` lines are parsed, not run, and must equal a JSON entry.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_DEMO_CUSTOMER_EMAIL, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { type InstalledPackage, packAndInstall, runSession, startStdio } from "../helpers/package.js";

/** Every client the README promises a setup for; each needs its own `### ` section with a snippet. */
const CLIENTS = ["Claude Desktop", "Cursor", "Claude Code", "VS Code"] as const;
/** The placeholders a reader replaces; the test replaces exactly these and nothing else. */
const PLACEHOLDER_URL = "https://customers.internal.example.com";
const PLACEHOLDER_KEYS = [/^your-api-key$/, /^\$\{input:[\w-]+\}$/];

interface ServerEntry {
  /** Where it came from, for test names: `Cursor, snippet 2`. */
  label: string;
  section: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

const readme = readFileSync("README.md", "utf8");

function connectSection(): string {
  const start = readme.indexOf("\n## Connect a client\n");
  if (start < 0) throw new Error('README.md has no "## Connect a client" section');
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** `### Title` → body, in order. */
function clientSections(): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = connectSection().split(/^### (.+)$/m);
  for (let i = 1; i < parts.length; i += 2) sections.set((parts[i] as string).trim(), parts[i + 1] ?? "");
  return sections;
}

const fenced = (text: string, languages: string) =>
  [...text.matchAll(new RegExp("^```(?:" + languages + ")\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1] as string);

function serverEntries(config: unknown, section: string, snippet: number): ServerEntry[] {
  const root = config as { mcpServers?: Record<string, unknown>; servers?: Record<string, unknown> };
  const servers = root.mcpServers ?? root.servers ?? {};
  return Object.entries(servers).map(([name, value]) => {
    const server = value as { command?: unknown; args?: unknown; env?: unknown };
    if (typeof server.command !== "string") throw new Error(`${section} snippet ${snippet}: ${name} has no command`);
    return {
      label: `${section}, snippet ${snippet} (${name})`,
      section,
      command: server.command,
      args: (server.args ?? []) as string[],
      env: (server.env ?? {}) as Record<string, string>,
    };
  });
}

/**
 * `claude mcp add NAME [--env K=V | -e K=V | --scope S | --transport stdio]... -- COMMAND ARGS...`, with `\`
 * line continuations. Quoting is not supported: the README's lines need none, and a quoted line fails here.
 */
function parseClaudeMcpAdd(line: string): Omit<ServerEntry, "label" | "section"> & { name: string } {
  if (/["'`$]/.test(line)) throw new Error(`quoting is not supported by this parser: ${line}`);
  const tokens = line.trim().split(/\s+/);
  if (tokens.slice(0, 3).join(" ") !== "claude mcp add") throw new Error(`not a claude mcp add line: ${line}`);
  const separator = tokens.indexOf("--");
  if (separator < 0) throw new Error(`no -- before the server command: ${line}`);
  const env: Record<string, string> = {};
  let name: string | undefined;
  const options = tokens.slice(3, separator);
  for (let i = 0; i < options.length; i++) {
    const token = options[i] as string;
    if (token === "--env" || token === "-e") {
      const pair = options[++i] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new Error(`--env needs KEY=value, got "${pair}"`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (token === "--transport" || token === "-t") {
      if (options[++i] !== "stdio") throw new Error(`only stdio servers are expected: ${line}`);
    } else if (token === "--scope" || token === "-s") {
      i++;
    } else if (token.startsWith("-")) {
      throw new Error(`unexpected option ${token} in: ${line}`);
    } else if (name === undefined) {
      name = token;
    } else {
      throw new Error(`a second name "${token}" in: ${line}`);
    }
  }
  const [command, ...args] = tokens.slice(separator + 1);
  if (!name || !command) throw new Error(`missing the name or the command: ${line}`);
  return { name, command, args, env };
}

function claudeLines(text: string): string[] {
  return fenced(text, "sh|bash|shell")
    .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.startsWith("claude mcp add"));
}

const sections = clientSections();
const jsonSnippets = fenced(readme, "json");
const entries: ServerEntry[] = [];
for (const [section, body] of sections) {
  fenced(body, "json").forEach((snippet, i) => entries.push(...serverEntries(JSON.parse(snippet), section, i + 1)));
}
const isSandbox = (entry: ServerEntry) => entry.args.includes("--sandbox");
const isRealApi = (entry: ServerEntry) => "CUSTOMER_API_URL" in entry.env;
/** `cmd /c …` is the Windows form: it cannot start on Linux, so it is compared with its macOS twin instead. */
const isWindowsForm = (entry: ServerEntry) => entry.command === "cmd";
const comparable = ({ command, args, env }: Pick<ServerEntry, "command" | "args" | "env">) => ({ command, args, env });

describe("README client setup", () => {
  it("has every ```json block parse", () => {
    expect(jsonSnippets.length).toBeGreaterThan(0);
    for (const snippet of jsonSnippets) expect(() => JSON.parse(snippet), snippet).not.toThrow();
  });

  it.each(CLIENTS)("has a %s section with a sandbox entry and a real-API entry", (client) => {
    const body = sections.get(client);
    expect(body, `README "## Connect a client" needs a "### ${client}" section`).toBeDefined();
    const own = [
      ...entries.filter((entry) => entry.section === client),
      ...claudeLines(body ?? "").map((line) => ({ label: line, section: client, ...parseClaudeMcpAdd(line) })),
    ];
    expect(own.length, `### ${client} has no snippet`).toBeGreaterThan(0);
    expect(own.some(isSandbox), `### ${client} has no --sandbox entry`).toBe(true);
    expect(own.some(isRealApi), `### ${client} has no real-API entry`).toBe(true);
    // Nothing escapes the launches below: an entry is started either as a sandbox or as a real-API entry.
    for (const entry of own) expect(isSandbox(entry) || isRealApi(entry), `${entry.label} is neither`).toBe(true);
  });

  it("gives the Windows `cmd /c` form the same args and env as the macOS entry after /c", () => {
    const windows = entries.filter(isWindowsForm);
    expect(windows.length).toBeGreaterThan(0);
    for (const entry of windows) {
      expect(entry.args[0]).toBe("/c");
      const [command, ...args] = entry.args.slice(1);
      const others = entries.filter((other) => other.section === entry.section && !isWindowsForm(other));
      expect(others.map(comparable), `${entry.label} has no macOS twin`).toContainEqual({ command, args, env: entry.env });
    }
  });

  it("has `claude mcp add` lines that are the same command, args and env as a JSON entry", () => {
    const lines = claudeLines(connectSection());
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      const parsed = parseClaudeMcpAdd(line);
      expect(parsed.name).toBe("customer-mcp");
      expect(entries.filter((entry) => !isWindowsForm(entry)).map(comparable)).toContainEqual(comparable(parsed));
    }
  });

  it("declares, in the same VS Code snippet, every ${input:…} an entry uses, as a password prompt", () => {
    for (const snippet of fenced(sections.get("VS Code") ?? "", "json")) {
      const config = JSON.parse(snippet) as { inputs?: Array<{ id: string; password?: boolean }> };
      for (const match of snippet.matchAll(/\$\{input:([\w-]+)\}/g)) {
        const input = config.inputs?.find((candidate) => candidate.id === match[1]);
        expect(input, `input ${match[1]} is not declared`).toBeDefined();
        expect(input?.password).toBe(true);
      }
      for (const server of Object.values((config as { servers?: Record<string, { type?: string }> }).servers ?? {})) {
        expect(server.type).toBe("stdio");
      }
    }
  });
});

describe("README client entries, started as written", () => {
  let pkg: InstalledPackage;
  let sandbox: Sandbox;

  beforeAll(async () => {
    [pkg, sandbox] = await Promise.all([
      packAndInstall(),
      startSandbox({ seed: 7, counts: { customers: 20, transactions: 40, tickets: 12 } }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
    await pkg?.cleanup();
  });

  const launchable = entries.filter((entry) => !isWindowsForm(entry));

  it.each(launchable.filter(isSandbox).map((entry) => [entry.label, entry] as const))(
    "%s (sandbox) reaches initialize",
    async (_label, entry) => {
      expect(Object.values(entry.env).join(" ")).not.toContain("${");
      const server = startStdio(entry.command, entry.args, {
        cwd: pkg.installDir,
        env: { ...pkg.npmEnv, ...entry.env },
      });
      const exitCode = await runSession(server, async () => {
        expect(await server.initialize()).toMatchObject({ serverInfo: { name: "customer-mcp" } });
      });
      expect(exitCode).toBe(0);
    },
    60_000,
  );

  it.each(launchable.filter(isRealApi).map((entry) => [entry.label, entry] as const))(
    "%s (real API, pointed at a local sandbox) reaches initialize and tools/list",
    async (_label, entry) => {
      // Only the placeholders change: the URL to the sandbox here, the key to its key. Anything else the entry
      // sets (the profile) is used as written.
      expect(entry.env.CUSTOMER_API_URL).toBe(PLACEHOLDER_URL);
      const key = entry.env.CUSTOMER_API_KEY ?? "";
      expect(PLACEHOLDER_KEYS.some((pattern) => pattern.test(key)), `unexpected key ${key}`).toBe(true);
      const env: Record<string, string> = {
        ...entry.env,
        CUSTOMER_API_URL: sandbox.url,
        CUSTOMER_API_KEY: sandbox.apiKey,
      };
      expect(Object.values(env).join(" ")).not.toContain("${");

      const server = startStdio(entry.command, entry.args, { cwd: pkg.installDir, env: { ...pkg.npmEnv, ...env } });
      const exitCode = await runSession(server, async () => {
        await server.initialize();
        const list = (await server.request("tools/list")).result as { tools: Array<{ name: string }> };
        const names = list.tools.map((tool) => tool.name);
        if ((env.CUSTOMER_MCP_PROFILE ?? "readonly") === "readonly") {
          expect(names).toEqual(allTools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name));
        } else {
          expect(names.length).toBeGreaterThan(0);
        }
        // One call proves the URL and key reached the API, not just the server's start.
        const search = (await server.request("tools/call", {
          name: "search_customers",
          arguments: { email: SANDBOX_DEMO_CUSTOMER_EMAIL },
        })) as { result: { isError?: boolean } };
        expect(search.result.isError, JSON.stringify(search.result)).toBeFalsy();
      });
      expect(exitCode).toBe(0);
    },
    60_000,
  );
});

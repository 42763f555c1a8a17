// The README's remote setup ("## Connect to a shared server (HTTP)"), checked the way a user follows it: a built
// server runs `customer-mcp http` with OAuth against a real authorization server on loopback, and every entry is
// connected to it exactly as written, with only the placeholder URL and token replaced. URL entries (VS Code,
// Cursor) are connected as those clients do, with the real SDK's Streamable HTTP client and the entry's headers;
// the mcp-remote entry (Claude Desktop) is started as written, resolved from this project's node_modules; the
// `claude mcp add` line is parsed and must equal a URL entry.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthServer, startAuthServer } from "../helpers/oauth.js";
import { type SpawnedHttpServer, spawnHttpServer } from "../helpers/spawn-http.js";

const PLACEHOLDER_URL = "https://customer-mcp.internal.example.com/mcp";
const PLACEHOLDER_TOKEN = "<access-token>";
const INPUT = /^\$\{input:([\w-]+)\}$/;

const readme = readFileSync("README.md", "utf8");
const section = (() => {
  const start = readme.indexOf("\n## Connect to a shared server (HTTP)\n");
  if (start < 0) throw new Error('README.md has no "## Connect to a shared server (HTTP)" section');
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
})();
const fenced = (language: string) =>
  [...section.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm"))].map((match) => match[1] as string);

interface UrlEntry { name: string; url: string; headers: Record<string, string> }
interface CommandEntry { name: string; command: string; args: string[]; env: Record<string, string> }

const configs = fenced("json").map((text) => JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>);
const entries = configs.flatMap((config) => Object.entries(config.servers ?? config.mcpServers ?? {}));
const urlEntries: UrlEntry[] = entries
  .filter(([, entry]) => typeof entry.url === "string")
  .map(([name, entry]) => ({
    name,
    url: entry.url as string,
    headers: (entry.headers ?? {}) as Record<string, string>,
  }));
const commandEntries: CommandEntry[] = entries
  .filter(([, entry]) => typeof entry.command === "string")
  .map(([name, entry]) => ({
    name,
    command: entry.command as string,
    args: (entry.args ?? []) as string[],
    env: (entry.env ?? {}) as Record<string, string>,
  }));

let as: AuthServer;
let server: SpawnedHttpServer;
let token: string;

beforeAll(async () => {
  as = await startAuthServer({ resource: PLACEHOLDER_URL });
  server = await spawnHttpServer(["--sandbox"], {
    CUSTOMER_MCP_OAUTH_ISSUER: as.issuer,
    CUSTOMER_MCP_PUBLIC_URL: PLACEHOLDER_URL,
    CUSTOMER_MCP_PROFILE: "support",
  }, { lifetime: "file" });
  token = await as.sign({ sub: "readme-reader@example.com", scope: "customers:read tickets:read" });
});
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  await as?.close();
});

/** A value as the user fills it in: the token for its placeholder or an input prompt's answer. */
const filled = (value: string) => value.replace(PLACEHOLDER_TOKEN, token).replace(/\$\{input:[\w-]+\}/, token);

async function toolsThrough(client: Client): Promise<string[]> {
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

describe("README: connecting to a shared server", () => {
  it("has an entry for each client, all for the same URL, none with a real token", () => {
    expect(urlEntries.length).toBeGreaterThanOrEqual(2);
    expect(commandEntries.some((entry) => entry.args.includes("mcp-remote"))).toBe(true);
    for (const entry of urlEntries) {
      expect(entry.url).toBe(PLACEHOLDER_URL);
      const auth = entry.headers.Authorization ?? "";
      expect(auth.startsWith("Bearer ")).toBe(true);
      expect(auth === `Bearer ${PLACEHOLDER_TOKEN}` || INPUT.test(auth.slice("Bearer ".length))).toBe(true);
    }
  });

  it.each(urlEntries.map((entry) => [entry.name, entry] as const))(
    "connects the URL entry %s with its headers and lists the token's tools",
    async (_name, entry) => {
      const headers = Object.fromEntries(Object.entries(entry.headers).map(([key, value]) => [key, filled(value)]));
      const client = new Client({ name: "readme-remote", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.endpoint), { requestInit: { headers } }));
      const tools = await toolsThrough(client);
      expect(tools).toContain("get_customer");
      expect(tools).not.toContain("create_ticket");
    },
  );

  it("starts the mcp-remote entry as written and lists the token's tools through it", async () => {
    const entry = commandEntries.find((candidate) => candidate.args.includes("mcp-remote")) as CommandEntry;
    const configDir = mkdtempSync(join(tmpdir(), "mcp-remote-"));
    try {
      const transport = new StdioClientTransport({
        command: entry.command,
        args: entry.args.map((arg) => (arg === PLACEHOLDER_URL ? server.endpoint : arg)),
        env: {
          PATH: process.env.PATH ?? "",
          // Where mcp-remote keeps its OAuth state; a header means it never needs any, but it must not write home.
          MCP_REMOTE_CONFIG_DIR: configDir,
          ...Object.fromEntries(Object.entries(entry.env).map(([key, value]) => [key, filled(value)])),
        },
        stderr: "pipe",
      });
      const client = new Client({ name: "readme-mcp-remote", version: "1.0.0" });
      await client.connect(transport);
      expect(await toolsThrough(client)).toContain("get_customer");
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("gives the same server in the claude mcp add line as in the URL entries", () => {
    const line = fenced("bash").find((text) => text.includes("claude mcp add"))?.trim() ?? "";
    const match = /^claude mcp add --transport http (\S+) (\S+) --header "([^"]+)"$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, name, url, header] = match as unknown as [string, string, string, string];
    const [headerName, ...value] = header.split(": ");
    expect(urlEntries).toContainEqual({ name, url, headers: { [headerName as string]: value.join(": ") } });
  });
});

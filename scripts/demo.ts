// npm run demo: spawns the built server with --sandbox over stdio, plays a short support scenario through the
// MCP SDK client (scripts/demo-scenario.ts), and prints a readable transcript. Exits non-zero if any step does not
// behave as expected.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { playDemo } from "./demo-scenario.js";

function fail(message: string): never {
  console.error(`demo failed: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["dist/index.js", "--sandbox"],
    // Server logs go to stderr; only errors are shown so the transcript stays readable.
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "error" },
    stderr: "inherit",
  });
  const client = new Client({ name: "customer-mcp-demo", version: "1.0.0" });
  await client.connect(transport);

  await playDemo(client, (line) => console.log(line));
  await client.close();
  console.log("\nDemo finished: the server answered every step and exited cleanly.");
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

// The floor for the benchmark: the smallest useful MCP server the SDK allows — one echo tool over stdio, as its
// README shows it. Plain ESM JavaScript so node runs it as is, with no build step or loader in the way.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "minimal-echo", version: "1.0.0" });
server.registerTool(
  "echo",
  {
    title: "Echo",
    description: "Returns its text argument unchanged.",
    inputSchema: { text: z.string().describe("Text to echo back.") },
  },
  ({ text }) => ({ content: [{ type: "text", text }] }),
);
await server.connect(new StdioServerTransport());

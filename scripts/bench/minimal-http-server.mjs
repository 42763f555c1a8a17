// The floor of the HTTP benchmark: the smallest stateless Streamable HTTP server the SDK allows, one echo tool,
// a new server and transport per request (as the SDK's stateless example does) on node:http, JSON answers. No
// authentication, no state, no logging: what any stateless SDK server pays per call. Prints its URL on stderr.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import process from "node:process";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

function echoServer() {
  const server = new McpServer({ name: "minimal-echo-http", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Returns its text argument unchanged.", inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  return server;
}

const http = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const server = echoServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
  });
});
http.listen(0, "127.0.0.1", () => {
  process.stderr.write(`minimal http server on http://127.0.0.1:${http.address().port}/mcp\n`);
});

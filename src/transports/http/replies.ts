// Answers the HTTP layer gives itself, before any MCP server sees the request: always JSON, a JSON-RPC error
// object where the client speaks JSON-RPC (the MCP endpoint), and never an echo of what the client sent.
import type { ServerResponse } from "node:http";

/** JSON-RPC codes the SDK uses for transport-level refusals. */
export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;
/** Server error range: a refusal that is not about the message itself (auth, size, shutting down). */
export const JSONRPC_SERVER_ERROR = -32000;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** A JSON-RPC error with no id (the request was not read as one), as the MCP endpoint's answer. */
export function sendRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { jsonrpc: "2.0", id: null, error: { code, message } }, headers);
}

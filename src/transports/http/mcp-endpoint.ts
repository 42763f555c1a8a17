// POST /mcp: one stateless Streamable HTTP exchange. In order: the service takes requests (not draining), the
// Host and Origin are ours, the caller is authenticated, the body is one JSON-RPC message (UTF-8 JSON, no batch)
// within the size limit, the token covers the tool called (else 403 with the scope to ask for); then a new MCP
// server for this caller's principal answers on a new transport, as JSON, or as an SSE stream when the call
// asked for progress. Nothing is kept between requests, so any replica can serve any request.
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { Logger } from "pino";
import type { HttpSettings } from "../../config/http.js";
import type { AppContext } from "../../context.js";
import { type ToolCatalog, refusalOf } from "../../mcp/catalog.js";
import { createServer } from "../../mcp/server.js";
import type { AuditTrail } from "../../pipeline/audit.js";
import type { CallTracker } from "../../pipeline/lifecycle.js";
import { type Narrowing, type PolicyCache, remotePrincipal } from "../../pipeline/principal.js";
import { type Scope, type Toolset, TOOLSETS } from "../../policy/access.js";
import type { Authenticator } from "./authenticator.js";
import { isJsonContentType, readBody } from "./body.js";
import type { OriginPolicy } from "./origins.js";
import { JSONRPC_INVALID_REQUEST, JSONRPC_PARSE_ERROR, JSONRPC_SERVER_ERROR, sendJson, sendRpcError } from "./replies.js";
import type { RequestFacts } from "./request-log.js";

export interface McpEndpointDeps {
  readonly ctx: AppContext;
  readonly settings: HttpSettings;
  readonly authenticator: Authenticator;
  readonly policies: PolicyCache;
  readonly catalog: ToolCatalog;
  readonly tracker: CallTracker;
  readonly audit: AuditTrail;
  readonly origins: OriginPolicy;
  readonly draining: () => boolean;
  readonly log: Logger;
  /** One for the process: the SDK's default would build a new Ajv for every request's server. */
  readonly schemaValidator: jsonSchemaValidator;
}

export async function handleMcpPost(
  req: IncomingMessage,
  res: ServerResponse,
  deps: McpEndpointDeps,
  facts: RequestFacts,
): Promise<void> {
  if (deps.draining()) {
    res.setHeader("Connection", "close");
    sendRpcError(res, 503, JSONRPC_SERVER_ERROR, "This replica is shutting down; send the request again (another replica will take it).", {
      "Retry-After": "1",
    });
    return;
  }
  const authentication = await deps.authenticator.authenticate({
    authorization: req.headersDistinct.authorization,
    url: req.url,
  });
  if (!authentication.ok) {
    facts.authError = authentication.description;
    const refusal = { error: authentication.error, error_description: authentication.description };
    sendJson(res, authentication.status, refusal, {
      "WWW-Authenticate": authentication.challenge,
      ...(authentication.status === 503 ? { "Retry-After": "5" } : {}),
    });
    return;
  }
  const { identity } = authentication;
  facts.subject = identity.subject;
  if (!isJsonContentType(req.headers["content-type"], req.headers["content-encoding"])) {
    sendRpcError(
      res,
      415,
      JSONRPC_SERVER_ERROR,
      "Unsupported Media Type: send the JSON-RPC message as Content-Type: application/json (UTF-8), uncompressed.",
    );
    return;
  }
  const body = await readBody(req, res, deps.settings.maxBodyBytes);
  if (!body.ok) {
    if (body.reason === "too_large") {
      res.setHeader("Connection", "close");
      sendRpcError(res, 413, JSONRPC_SERVER_ERROR, `Request body too large: this server accepts at most ${deps.settings.maxBodyBytes} bytes.`);
    } else if (body.reason === "not_utf8") {
      sendRpcError(res, 400, JSONRPC_PARSE_ERROR, "Parse error: the body is not valid UTF-8.");
    }
    return;
  }
  facts.bytesIn = body.bytes;
  let message: unknown;
  try {
    message = JSON.parse(body.text);
  } catch {
    sendRpcError(res, 400, JSONRPC_PARSE_ERROR, "Parse error: the body is not valid JSON.");
    return;
  }
  // One message per request. Batches left MCP in 2025-06-18; answering one would run several calls for one
  // request (each billed once to the rate limit but answered together), and two with one id would cancel each
  // other in the SDK's transport.
  if (Array.isArray(message)) {
    sendRpcError(res, 400, JSONRPC_INVALID_REQUEST, "Invalid Request: batches are not supported; send one JSON-RPC message per request.");
    return;
  }
  if (!JSONRPCMessageSchema.safeParse(message).success) {
    sendRpcError(res, 400, JSONRPC_INVALID_REQUEST, "Invalid Request: the body must be one JSON-RPC 2.0 request, notification or response.");
    return;
  }
  const method = methodOf(message);
  if (method !== undefined) facts.rpc = [method];
  // Checked here rather than by the SDK's transport, whose answer quotes the header back. As there, not on
  // `initialize`, where the version is negotiated (a newer client gets this server's latest in the answer).
  const version = header(req, "mcp-protocol-version");
  if (method !== "initialize" && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    sendRpcError(res, 400, JSONRPC_SERVER_ERROR, `Bad Request: unsupported MCP-Protocol-Version; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}.`);
    return;
  }

  const narrowing = narrowingOf(req);
  if (!narrowing.ok) {
    sendRpcError(res, 400, JSONRPC_INVALID_REQUEST, narrowing.message);
    return;
  }
  const policy = deps.policies.policyFor(identity.scopes, narrowing.value);
  const missing = missingScopes(message, deps, identity.scopes, narrowing.value);
  if (missing.length > 0) {
    sendJson(res, 403, {
      error: "insufficient_scope",
      error_description: `The token does not grant ${missing.join(", ")}, which this tool needs; ask for a token with it.`,
    }, { "WWW-Authenticate": deps.authenticator.insufficientScope(missing) });
    return;
  }

  const principal = remotePrincipal(identity, policy, deps.ctx.clock.now());
  const server = createServer(deps.ctx, {
    principal,
    catalog: deps.catalog,
    tracker: deps.tracker,
    audit: deps.audit,
    confirmations: "unavailable",
    requireInitialize: false,
    schemaValidator: deps.schemaValidator,
  });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    // JSON unless a call asked for progress: then an SSE stream carries the notifications before the result.
    enableJsonResponse: !wantsProgress(message),
  });
  transport.onerror = (error) => deps.log.debug({ err: error, request_id: facts.requestId }, "MCP transport refused a message");
  res.on("close", () => {
    // Closing the server aborts whatever handler is still running (a client that went away cancels its call).
    const closeFailed = (error: unknown) => deps.log.debug({ err: error, request_id: facts.requestId }, "MCP transport did not close cleanly");
    transport.close().catch(closeFailed);
    server.close().catch(closeFailed);
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, message);
}

function methodOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const method = (message as { method?: unknown }).method;
  return typeof method === "string" ? method.slice(0, 64) : undefined;
}

function wantsProgress(message: unknown): boolean {
  const params = (message as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params;
  return params?._meta?.progressToken !== undefined;
}

/**
 * The scopes a tools/call needs and the token lacks, for a tool the operator's ceiling does grant: the client
 * can fix that with another token (RFC 6750 insufficient_scope). A tool outside the ceiling is not listed, and
 * its call is refused by the pipeline as permission_denied like any unknown grant.
 */
function missingScopes(
  message: unknown,
  deps: McpEndpointDeps,
  tokenScopes: readonly Scope[] | undefined,
  narrowing: Narrowing,
): Scope[] {
  if (tokenScopes === undefined || methodOf(message) !== "tools/call") return [];
  const ceiling = deps.policies.policyFor(undefined, narrowing).grant;
  const name = (message as { params?: { name?: unknown } }).params?.name;
  const tool = typeof name === "string" ? deps.catalog.get(name) : undefined;
  if (!tool || refusalOf(tool.definition, ceiling) !== undefined) return [];
  return tool.definition.access.scopes.filter((scope) => !tokenScopes.includes(scope));
}

/** X-MCP-Readonly and X-MCP-Toolsets: a client may ask for less than its grant, never for more. */
function narrowingOf(req: IncomingMessage): { ok: true; value: Narrowing } | { ok: false; message: string } {
  const readOnlyHeader = header(req, "x-mcp-readonly")?.trim().toLowerCase();
  const toolsetsHeader = header(req, "x-mcp-toolsets");
  let readOnly: boolean | undefined;
  if (readOnlyHeader !== undefined) {
    if (!["true", "false", "1", "0"].includes(readOnlyHeader)) {
      return { ok: false, message: "X-MCP-Readonly must be true or false." };
    }
    readOnly = readOnlyHeader === "true" || readOnlyHeader === "1";
  }
  let toolsets: Toolset[] | undefined;
  if (toolsetsHeader !== undefined) {
    const names = toolsetsHeader.split(",").map((name) => name.trim()).filter(Boolean);
    const unknown = names.filter((name) => !(TOOLSETS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      return { ok: false, message: `X-MCP-Toolsets names ${unknown.length} unknown toolset(s); the toolsets are ${TOOLSETS.join(", ")}.` };
    }
    toolsets = names as Toolset[];
  }
  return { ok: true, value: { ...(readOnly === undefined ? {} : { readOnly }), ...(toolsets ? { toolsets } : {}) } };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

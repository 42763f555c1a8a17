// The HTTP service of `customer-mcp http`: MCP at POST /mcp, health and readiness, and the OAuth protected-resource
// metadata, on one node:http server with bounded request times. Drain stops intake (readiness turns 503, new MCP
// requests are refused with 503 so the client retries elsewhere), waits for calls in flight within the grace
// period, then closes the listener and every connection.
import { randomUUID } from "node:crypto";
import { createServer as createNodeServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { Logger } from "pino";
import { resourceMetadataPaths } from "../../auth/index.js";
import type { HttpSettings } from "../../config/http.js";
import type { AppContext } from "../../context.js";
import type { ToolCatalog } from "../../mcp/catalog.js";
import type { AuditTrail } from "../../pipeline/audit.js";
import { newIncidentId } from "../../pipeline/boundary.js";
import type { CallTracker } from "../../pipeline/lifecycle.js";
import { PolicyCache } from "../../pipeline/principal.js";
import type { Authenticator } from "./authenticator.js";
import { Readiness, type ReadinessCheck, sendReadiness } from "./health.js";
import { handleMcpPost } from "./mcp-endpoint.js";
import { OriginPolicy } from "./origins.js";
import { JSONRPC_SERVER_ERROR, sendJson, sendRpcError } from "./replies.js";
import { logWhenDone, type RequestFacts } from "./request-log.js";

const MCP_PATH = "/mcp";
/** Headers must arrive within this (or the request timeout, when shorter): a slow-headers client holds a socket. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Node's parser and timeout errors → the status answered on the raw socket; anything else is a 400. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout"],
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large"],
};

export interface HttpServiceOptions {
  readonly ctx: AppContext;
  readonly settings: HttpSettings;
  readonly authenticator: Authenticator;
  readonly catalog: ToolCatalog;
  readonly tracker: CallTracker;
  readonly audit: AuditTrail;
  /** What /readyz reports besides the authenticator (Redis, the customer API). */
  readonly checks: readonly ReadinessCheck[];
  readonly logger: Logger;
}

export interface HttpService {
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly server: Server;
  /** Stops intake, waits for calls in flight up to `graceMs`, closes connections. True if nothing was cut off. */
  drain(graceMs: number): Promise<boolean>;
}

export async function startHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const { settings, logger } = options;
  const log = logger.child({ component: "http", replica: settings.replicaId });
  let draining = false;
  let port = settings.port;
  const origins = new OriginPolicy(settings, () => port);
  const readiness = new Readiness(
    [{ name: "tokens", required: true, check: () => options.authenticator.ready() }, ...options.checks],
    () => options.ctx.clock.now(),
  );
  const endpoint = {
    ctx: options.ctx,
    settings,
    authenticator: options.authenticator,
    policies: new PolicyCache(options.ctx.config.access),
    catalog: options.catalog,
    tracker: options.tracker,
    audit: options.audit,
    origins,
    draining: () => draining,
    log,
    schemaValidator: new AjvJsonSchemaValidator(),
  };

  // RFC 9728's two places: under the resource's path (/.well-known/oauth-protected-resource/mcp) and the root one.
  const metadataPaths: ReadonlySet<string> = new Set(
    options.authenticator.metadata ? resourceMetadataPaths(settings.publicUrl.href) : [],
  );
  const route = async (req: IncomingMessage, res: ServerResponse, facts: RequestFacts): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === MCP_PATH) {
      if (!origins.hostAllowed(req)) {
        sendRpcError(res, 403, JSONRPC_SERVER_ERROR, "Forbidden: the Host header does not name this server.");
        return;
      }
      const origin = origins.originAllowed(req);
      if (origin === false) {
        sendRpcError(res, 403, JSONRPC_SERVER_ERROR, "Forbidden: requests from this Origin are not allowed.");
        return;
      }
      origins.applyCors(req, res);
      if (req.method === "OPTIONS") {
        res.writeHead(204, origin ? origins.preflightHeaders() : {});
        res.end();
        return;
      }
      if (req.method !== "POST") {
        // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
        sendRpcError(res, 405, JSONRPC_SERVER_ERROR, "Method Not Allowed: this server is stateless; send JSON-RPC with POST.", {
          Allow: "POST, OPTIONS",
        });
        return;
      }
      await handleMcpPost(req, res, endpoint, facts);
      return;
    }
    const isMetadata = metadataPaths.has(path ?? "");
    if (!isMetadata && path !== "/healthz" && path !== "/readyz") {
      // A near miss (/mcp/, /MCP) is told where the endpoint is, rather than which method to use.
      sendJson(res, 404, { error: "not_found", error_description: `Not found; the MCP endpoint is POST ${MCP_PATH}.` });
      return;
    }
    if (isMetadata) {
      // Public by design (RFC 9728), so any page may read it: a browser-based client discovers the
      // authorization server here before it has a token. No credentials are involved, hence "*".
      res.setHeader("Access-Control-Allow-Origin", "*");
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
          // The SDK's discovery sends its protocol version with the request.
          "Access-Control-Allow-Headers": "MCP-Protocol-Version",
          "Access-Control-Max-Age": "600",
          Allow: "GET, HEAD, OPTIONS",
        });
        res.end();
        return;
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: "method_not_allowed" }, { Allow: "GET, HEAD" });
      return;
    }
    if (path === "/healthz") {
      sendJson(res, 200, { status: "ok" });
      return;
    }
    if (path === "/readyz") {
      await sendReadiness(res, readiness, draining);
      return;
    }
    sendJson(res, 200, options.authenticator.metadata, { "Cache-Control": "public, max-age=300" });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", requestId);
    const facts: RequestFacts = { requestId };
    // While draining, no connection is kept for another request.
    if (draining) res.setHeader("Connection", "close");
    logWhenDone(req, res, facts, log, origins.remoteOf(req));
    route(req, res, facts).catch((error: unknown) => {
      const incidentId = newIncidentId();
      log.error({ err: error, incident_id: incidentId, request_id: requestId }, "HTTP request failed");
      sendRpcError(res, 500, JSONRPC_SERVER_ERROR, `Internal error (incident ${incidentId}).`);
    });
  };

  const server = createNodeServer(
    {
      requestTimeout: settings.requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, settings.requestTimeoutMs),
      // How often Node looks for requests over those times (its default, 30 s, would let them run far longer).
      connectionsCheckingInterval: Math.min(1_000, settings.requestTimeoutMs),
      // Longer than the idle timeout of the proxy in front, so the proxy, not Node, closes idle connections: else
      // the proxy may send a request on a socket Node is closing, and a POST it cannot resend fails with 502.
      keepAliveTimeout: settings.keepAliveTimeoutMs,
    },
    onRequest,
  );
  // `Expect: 100-continue`: Node would tell the client to send its body before anything is checked. Handled as
  // any request instead, so a bad token, a draining replica or a declared size over the limit is answered first;
  // readBody says "continue" only when the body is wanted.
  server.on("checkContinue", onRequest);
  // A malformed request line or headers (400), headers over Node's 16 KiB (431), or a client too slow to send its
  // request (408): answer and drop the socket, never crash. The answer is written on the raw socket, so never
  // into another answer: when the bad request was pipelined behind one whose body has all arrived, that one is
  // answered first and the error after it; when the current request is the bad one but its answer has begun
  // (an SSE stream), the socket is only closed.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    const [status, reason] = CLIENT_ERRORS[error.code ?? ""] ?? [400, "Bad Request"];
    log.debug({ err: error, status }, status === 408 ? "HTTP request not received in time" : "malformed HTTP request");
    const body = JSON.stringify({ error: reason.toLowerCase().replaceAll(" ", "_") });
    const answer = () =>
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    const current = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable) {
      socket.destroy();
    } else if (current && !current.writableEnded && current.req.complete) {
      let finished = false;
      current.once("finish", () => {
        finished = true;
        if (socket.writable) answer();
        else socket.destroy();
      });
      // Closed without finishing (the client went away): nothing more to say on this socket.
      current.once("close", () => {
        if (!finished) socket.destroy();
      });
    } else if (current?.headersSent) {
      socket.destroy();
    } else {
      // The request's own log line (if it got that far) says what the client got, not the 200 it was about to.
      if (current) current.statusCode = status;
      answer();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // From here on an error on the listener (EMFILE when out of descriptors, say) is logged; Node keeps accepting.
  // Without a listener, Node would throw it and the process would exit with every call in flight.
  server.on("error", (error) => log.error({ err: error }, "HTTP listener error"));
  port = (server.address() as AddressInfo).port;
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;

  return {
    url,
    server,
    async drain(graceMs) {
      // Still listening, so probes see /readyz turn 503 and new MCP requests get a 503 the client can retry
      // elsewhere; calls already running get the grace period to finish.
      draining = true;
      // Calls still running after the grace period are stopped as if cancelled and given a moment to unwind: an
      // export is cancelled upstream, each client gets its error on its open stream, and each record what it did.
      const finished = await options.tracker.shutdown(graceMs);
      // One turn for the last responses to be written before their sockets go.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return finished;
    },
  };
}

// One JSON line per HTTP request on stderr: enough to follow a request through the proxy, the replica and the
// audit trail (request id, subject, JSON-RPC methods), never a header value that could carry a secret.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** What the handlers learn about a request as it goes, for its log line. */
export interface RequestFacts {
  readonly requestId: string;
  subject?: string;
  rpc?: string[];
  bytesIn?: number;
  /** Why a token was refused (never the token). */
  authError?: string;
}

/** Logs the request's line once the response is finished, or the connection closed before it was. */
export function logWhenDone(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  log: Logger,
  remote: string | undefined,
): void {
  const started = performance.now();
  let logged = false;
  const done = (event: "finish" | "close") => {
    if (logged) return;
    logged = true;
    const line = {
      request_id: facts.requestId,
      http_method: req.method,
      path: pathOf(req.url),
      status: res.statusCode,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(remote ? { remote } : {}),
      ...(facts.subject ? { subject: facts.subject } : {}),
      ...(facts.rpc && facts.rpc.length > 0 ? { rpc: facts.rpc } : {}),
      ...(facts.bytesIn !== undefined ? { bytes_in: facts.bytesIn } : {}),
      ...(facts.authError ? { auth_error: facts.authError } : {}),
      ...(event === "close" && !res.writableFinished ? { aborted: true } : {}),
    };
    log.info(line, "http request");
  };
  res.once("finish", () => done("finish"));
  res.once("close", () => done("close"));
}

/** The path without its query: a query may carry what must not be logged (a token sent the wrong way). */
function pathOf(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

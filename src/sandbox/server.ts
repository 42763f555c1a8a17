// The request pipeline: read the body, plan faults, authenticate, route, apply idempotency, deliver, log.
// Every failure is answered (or the socket dropped) here; nothing a client sends can crash the process.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Authenticator } from "./auth.js";
import type { Route, RouteRequest, SandboxContext } from "./context.js";
import { deliver, type Schedule } from "./delivery.js";
import type { FaultPlan, FaultRule, FaultRules } from "./faults.js";
import {
  ApiError,
  BodyTooLargeError,
  errorReply,
  errorTypeForStatus,
  invalid,
  jsonReply,
  notFound,
  parseJsonObject,
  pickRequestId,
  type Reply,
  readBody,
  splitUrl,
} from "./http.js";
import { hashBody, type IdempotencyStore, parseIdempotencyKey } from "./idempotency.js";
import type { BoundedRequestLog, RequestLogEntry } from "./request-log.js";
import type { Router } from "./router.js";
import type { AdminContext, AdminRoute } from "./routes/admin.js";

export const MAX_BODY_BYTES = 1024 * 1024;
const NO_FAULTS: FaultPlan = { latencyMs: 0, action: null };

export interface Runtime {
  readonly ctx: SandboxContext;
  readonly auth: Authenticator;
  readonly faults: FaultRules;
  readonly idempotency: IdempotencyStore;
  readonly requests: BoundedRequestLog;
  readonly api: Router<Route>;
  readonly admin: Router<AdminRoute>;
  readonly adminContext: AdminContext;
  readonly schedule: Schedule;
  readonly logger: Logger | undefined;
}

interface Incoming {
  method: string;
  path: string;
  query: URLSearchParams;
  raw: Buffer;
  req: IncomingMessage;
  requestId: string;
}

export function createRequestListener(rt: Runtime) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Socket errors after a deliberate reset must not surface as unhandled 'error' events.
    req.on("error", () => {});
    res.on("error", () => {});
    handle(rt, req, res).catch((err: unknown) => {
      rt.logger?.debug({ err }, "sandbox: request pipeline failed");
      res.destroy();
    });
  };
}

/** The contract's acting-user header value (v1.1). */
const ACTING_USER = /^[\x21-\x7e]{1,255}$/;

async function handle(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const method = (req.method ?? "GET").toUpperCase();
  const { path, query } = splitUrl(req.url ?? "/");
  const requestId = pickRequestId(req.headers["x-request-id"]);
  const idemHeader = req.headers["idempotency-key"];
  const onBehalfOf = req.headers["x-on-behalf-of"];
  const isAdmin = path === "/_sandbox" || path.startsWith("/_sandbox/");
  const entry: RequestLogEntry = {
    method,
    path,
    status: null,
    fault: null,
    idempotencyKey: typeof idemHeader === "string" ? idemHeader : null,
    onBehalfOf: typeof onBehalfOf === "string" ? onBehalfOf : null,
    replayed: false,
    requestId,
    at: rt.ctx.clock(),
  };
  // Logged on arrival, so a slow request that finishes later never lands in a log cleared since it arrived.
  if (!isAdmin) rt.requests.add(entry);
  // Lets tests see that a cancelled call really dropped its upstream request.
  res.once("close", () => {
    if (!res.writableFinished) entry.closedBeforeAnswer = true;
  });
  let finished = false;
  const finish = (status: number | null) => {
    if (finished) return;
    finished = true;
    entry.status = status;
    rt.logger?.debug(
      {
        method,
        path,
        status,
        fault: entry.fault,
        request_id: requestId,
        ms: Math.round(performance.now() - started),
      },
      "sandbox request",
    );
  };

  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) return finish(null);
    const tooLarge = new ApiError(
      413,
      "invalid_request",
      `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
    );
    return deliver(res, errorReply(tooLarge, requestId), requestId, null, rt.schedule, finish);
  }
  const incoming: Incoming = { method, path, query, raw, req, requestId };

  if (isAdmin) {
    return deliver(
      res,
      guard(requestId, rt, () => runAdmin(rt, incoming)),
      requestId,
      null,
      rt.schedule,
      finish,
    );
  }

  if (onBehalfOf !== undefined && !(typeof onBehalfOf === "string" && ACTING_USER.test(onBehalfOf))) {
    const invalid = new ApiError(400, "invalid_request", "X-On-Behalf-Of must be 1-255 visible ASCII characters.", "X-On-Behalf-Of");
    return deliver(res, errorReply(invalid, requestId), requestId, null, rt.schedule, finish);
  }
  const plan = path === "/health" ? NO_FAULTS : rt.faults.plan(method, path);
  entry.fault = plan.action?.kind ?? (plan.latencyMs > 0 ? "latency" : null);
  if (plan.latencyMs > 0) await new Promise<void>((resolve) => rt.schedule(plan.latencyMs, resolve));
  if (res.destroyed) return finish(null);
  if (plan.action?.kind === "reset_before") {
    res.destroy();
    return finish(null);
  }
  const reply =
    plan.action?.kind === "status"
      ? faultStatusReply(plan.action, requestId)
      : guard(requestId, rt, () => dispatch(rt, incoming, entry));
  deliver(res, reply, requestId, plan.action, rt.schedule, finish);
}

/** Runs a handler; expected errors become contract bodies, anything else a bare 500 with no details. */
function guard(requestId: string, rt: Runtime, run: () => Reply): Reply {
  try {
    return run();
  } catch (err) {
    if (err instanceof ApiError) return errorReply(err, requestId);
    rt.logger?.debug({ err }, "sandbox: unexpected handler error");
    return errorReply(new ApiError(500, "internal_error", "An unexpected error occurred."), requestId);
  }
}

function faultStatusReply(rule: FaultRule, requestId: string): Reply {
  const status = rule.status ?? 500;
  const headers: Record<string, string> =
    rule.retryAfter === undefined ? {} : { "Retry-After": rule.retryAfter };
  const err = new ApiError(
    status,
    errorTypeForStatus(status),
    `Injected fault: HTTP ${status}.`,
    undefined,
    headers,
  );
  return errorReply(err, requestId);
}

function routeRequest(incoming: Incoming, params: Record<string, string>, parseBody: boolean): RouteRequest {
  return {
    method: incoming.method,
    path: incoming.path,
    params,
    query: incoming.query,
    headers: incoming.req.headers,
    body: parseBody ? parseJsonObject(incoming.raw) : {},
    requestId: incoming.requestId,
  };
}

function dispatch(rt: Runtime, incoming: Incoming, entry: RequestLogEntry): Reply {
  const { method, path, req } = incoming;
  if (path === "/health" && method === "GET") return jsonReply(200, { status: "ok" });
  if (path === "/oauth/token" && method === "POST") return rt.auth.tokenEndpoint(req.headers, incoming.raw);
  if (path !== "/v1" && !path.startsWith("/v1/")) throw notFound("route");
  rt.auth.require(req.headers);
  const match = rt.api.match(method, path);
  if (!match) throw notFound("route");
  const request = routeRequest(incoming, match.params, method === "POST" || method === "PATCH");
  if (method !== "POST") return match.route.handler(request, rt.ctx);

  const key = parseIdempotencyKey(req.headers["idempotency-key"]);
  if (key === null) return match.route.handler(request, rt.ctx);
  const scope = `${method} ${path}`;
  const bodyHash = hashBody(request.body);
  const found = rt.idempotency.lookup(scope, key, bodyHash);
  if (found.kind === "replay") {
    entry.replayed = true;
    return { ...found.reply, headers: { ...found.reply.headers, "Idempotent-Replayed": "true" } };
  }
  const reply = match.route.handler(request, rt.ctx);
  // Only successes are remembered: a failed attempt did nothing, so a retry may legitimately succeed.
  if (reply.status >= 200 && reply.status < 300) rt.idempotency.save(scope, key, bodyHash, reply);
  return reply;
}

function runAdmin(rt: Runtime, incoming: Incoming): Reply {
  rt.auth.requireApiKey(incoming.req.headers);
  const match = rt.admin.match(incoming.method, incoming.path);
  if (!match) throw notFound("route");
  const parse = incoming.method === "POST";
  if (parse && incoming.raw.length === 0 && match.route.path === "/_sandbox/faults") {
    throw invalid("A fault rule is required.");
  }
  return match.route.handler(routeRequest(incoming, match.params, parse), rt.adminContext);
}

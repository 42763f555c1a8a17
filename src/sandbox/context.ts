// What every route handler receives: the parsed request and the sandbox's shared state.
import type { IncomingHttpHeaders } from "node:http";
import type { Reply } from "./http.js";
import type { Paginator } from "./pagination.js";
import type { SandboxStore } from "./store.js";

export interface SandboxContext {
  readonly store: SandboxStore;
  readonly clock: () => number;
  readonly paginator: Paginator;
  readonly exportDurationMs: number;
}

export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  /** Path parameters by name, e.g. `customer_id`. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON object for POST and PATCH; `{}` otherwise. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly requestId: string;
}

export type Handler = (req: RouteRequest, ctx: SandboxContext) => Reply;

export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Literal segments and `:name` parameters, e.g. "/v1/customers/:customer_id/notes". */
  readonly path: string;
  readonly handler: Handler;
}

export function param(req: RouteRequest, name: string): string {
  return req.params[name] ?? "";
}

export function nowIso(ctx: SandboxContext): string {
  return new Date(ctx.clock()).toISOString();
}

// Admin routes under /_sandbox: fault control and stats over HTTP, for tests and benchmarks that run the
// sandbox in another process. They need the API key itself (not an OAuth token) and are never faulted.
import type { RouteRequest } from "../context.js";
import type { FaultRules } from "../faults.js";
import { FaultRuleSchema } from "../faults.js";
import { jsonReply, notFound, type Reply } from "../http.js";
import type { BoundedRequestLog } from "../request-log.js";
import type { SandboxStore } from "../store.js";
import { parseBody } from "../validation.js";

export interface AdminContext {
  readonly faults: FaultRules;
  readonly requests: BoundedRequestLog;
  readonly store: SandboxStore;
  revokeTokens(): void;
}

export interface AdminRoute {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly handler: (req: RouteRequest, admin: AdminContext) => Reply;
}

export const adminRoutes: readonly AdminRoute[] = [
  {
    method: "GET",
    path: "/_sandbox/faults",
    handler: (_req, admin) => jsonReply(200, { data: admin.faults.list() }),
  },
  {
    method: "POST",
    path: "/_sandbox/faults",
    handler: (req, admin) => jsonReply(201, { id: admin.faults.add(parseBody(FaultRuleSchema, req.body)) }),
  },
  {
    method: "DELETE",
    path: "/_sandbox/faults",
    handler: (_req, admin) => {
      const cleared = admin.faults.list().length;
      admin.faults.clear();
      return jsonReply(200, { cleared });
    },
  },
  {
    method: "DELETE",
    path: "/_sandbox/faults/:fault_id",
    handler: (req, admin) => {
      const id = req.params.fault_id ?? "";
      if (!admin.faults.remove(id)) throw notFound("fault rule");
      return jsonReply(200, { id, deleted: true });
    },
  },
  {
    method: "GET",
    path: "/_sandbox/stats",
    handler: (_req, admin) =>
      jsonReply(200, {
        requests_total: admin.requests.total,
        created: { ...admin.store.created },
        updated: { ...admin.store.updated },
        faults_active: admin.faults.list().length,
      }),
  },
  {
    method: "POST",
    path: "/_sandbox/tokens/revoke",
    handler: (_req, admin) => {
      admin.revokeTokens();
      return jsonReply(200, { revoked: true });
    },
  },
];

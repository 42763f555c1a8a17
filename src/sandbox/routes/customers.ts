// Customer routes: search/list, get, and the status change that needs a reason.
import { z } from "zod";
import { nowIso, param, type Route } from "../context.js";
import { invalid, jsonReply } from "../http.js";
import { canonicalJson } from "../idempotency.js";
import { CUSTOMER_STATUSES, type Customer } from "../records.js";
import { newestFirst } from "../store.js";
import { enumParam, idParam, isoParam, parseBody, textParam } from "../validation.js";
import { findCustomer } from "./lookup.js";

const PatchCustomerBody = z.object({
  status: z.enum(CUSTOMER_STATUSES).optional(),
  reason: z.string().trim().min(1).max(500).optional(),
});

export const customerRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/customers",
    handler: (req, ctx) => {
      const q = req.query;
      const query = textParam(q, "query", 200)?.toLowerCase();
      const email = textParam(q, "email", 320)?.toLowerCase();
      const status = enumParam(q, "status", CUSTOMER_STATUSES);
      const segmentId = idParam(q, "segment_id", "seg");
      const createdAfter = isoParam(q, "created_after");
      const scope = canonicalJson(["customers", query, email, status, segmentId, createdAfter]);
      const keep = (c: Customer) =>
        (query === undefined || ctx.store.searchText(c.id).includes(query)) &&
        (email === undefined || c.email.toLowerCase() === email) &&
        (status === undefined || c.status === status) &&
        (segmentId === undefined || c.segment_id === segmentId) &&
        (createdAfter === undefined || c.created_at > createdAfter);
      const unfiltered = [query, email, status, segmentId, createdAfter].every((v) => v === undefined);
      return jsonReply(
        200,
        ctx.paginator.page(ctx.store.customerList, newestFirst, q, scope, unfiltered ? undefined : keep),
      );
    },
  },
  {
    method: "GET",
    path: "/v1/customers/:customer_id",
    handler: (req, ctx) => jsonReply(200, findCustomer(ctx, param(req, "customer_id"))),
  },
  {
    method: "PATCH",
    path: "/v1/customers/:customer_id",
    handler: (req, ctx) => {
      const customer = findCustomer(ctx, param(req, "customer_id"));
      const body = parseBody(PatchCustomerBody, req.body);
      if (body.status === undefined || body.status === customer.status) return jsonReply(200, customer);
      if (body.reason === undefined) throw invalid("reason is required when status changes.", "reason");
      const at = nowIso(ctx);
      customer.internal.last_status_change = {
        from: customer.status,
        to: body.status,
        reason: body.reason,
        at,
      };
      customer.internal.row_version++;
      customer.status = body.status;
      customer.updated_at = at;
      ctx.store.updated.customers++;
      return jsonReply(200, customer);
    },
  },
];

// Support tickets: list with filters, get, open a new one, and change status, priority or assignee.
import { z } from "zod";
import { nowIso, param, type Route } from "../context.js";
import { invalid, jsonReply } from "../http.js";
import { canonicalJson } from "../idempotency.js";
import { TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES, type Ticket } from "../records.js";
import { newestFirst } from "../store.js";
import { enumParam, idParam, idSchema, parseBody, textParam } from "../validation.js";
import { findCustomer, findTicket } from "./lookup.js";

const CreateTicketBody = z.object({
  customer_id: idSchema("cus"),
  subject: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(10_000),
  priority: z.enum(TICKET_PRIORITIES),
  channel: z.enum(TICKET_CHANNELS).optional(),
});

const PatchTicketBody = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  /** null unassigns. */
  assignee_id: z.string().max(100).nullable().optional(),
});

export const ticketRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/tickets",
    handler: (req, ctx) => {
      const q = req.query;
      const customerId = idParam(q, "customer_id", "cus");
      const status = enumParam(q, "status", TICKET_STATUSES);
      const priority = enumParam(q, "priority", TICKET_PRIORITIES);
      const query = textParam(q, "query", 200)?.toLowerCase();
      const scope = canonicalJson(["tickets", customerId, status, priority, query]);
      const source =
        customerId === undefined ? ctx.store.ticketList : (ctx.store.ticketsByCustomer.get(customerId) ?? []);
      const keep =
        status === undefined && priority === undefined && query === undefined
          ? undefined
          : (t: Ticket) =>
              (status === undefined || t.status === status) &&
              (priority === undefined || t.priority === priority) &&
              (query === undefined || ctx.store.searchText(t.id).includes(query));
      return jsonReply(200, ctx.paginator.page(source, newestFirst, q, scope, keep));
    },
  },
  {
    method: "GET",
    path: "/v1/tickets/:ticket_id",
    handler: (req, ctx) => jsonReply(200, findTicket(ctx, param(req, "ticket_id"))),
  },
  {
    method: "POST",
    path: "/v1/tickets",
    handler: (req, ctx) => {
      const body = parseBody(CreateTicketBody, req.body);
      const customer = findCustomer(ctx, body.customer_id, "customer_id");
      const at = nowIso(ctx);
      const ticket: Ticket = {
        id: ctx.store.newId("tkt"),
        customer_id: customer.id,
        subject: body.subject,
        description: body.description,
        status: "open",
        priority: body.priority,
        assignee: null,
        channel: body.channel ?? "web",
        tags: [],
        comments_count: 0,
        created_at: at,
        updated_at: at,
      };
      ctx.store.addTicket(ticket);
      return jsonReply(201, ticket);
    },
  },
  {
    method: "PATCH",
    path: "/v1/tickets/:ticket_id",
    handler: (req, ctx) => {
      const ticket = findTicket(ctx, param(req, "ticket_id"));
      const body = parseBody(PatchTicketBody, req.body);
      let assignee = ticket.assignee;
      if (body.assignee_id === null) assignee = null;
      else if (body.assignee_id !== undefined) {
        const agent = ctx.store.agent(body.assignee_id);
        if (!agent) throw invalid("assignee_id is not a known agent.", "assignee_id");
        assignee = { ...agent };
      }
      const status = body.status ?? ticket.status;
      const priority = body.priority ?? ticket.priority;
      const changed =
        status !== ticket.status || priority !== ticket.priority || assignee?.id !== ticket.assignee?.id;
      if (!changed) return jsonReply(200, ticket);
      ticket.status = status;
      ticket.priority = priority;
      ticket.assignee = assignee;
      ticket.updated_at = nowIso(ctx);
      ctx.store.updated.tickets++;
      return jsonReply(200, ticket);
    },
  },
];

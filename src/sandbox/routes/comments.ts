// Ticket comments: list oldest first, and add one (which bumps the ticket's count and updated_at).
import { z } from "zod";
import { nowIso, param, type Route } from "../context.js";
import { jsonReply } from "../http.js";
import type { Comment } from "../records.js";
import { oldestFirst } from "../store.js";
import { parseBody } from "../validation.js";
import { findTicket } from "./lookup.js";

/** Comments written through the API are signed by the API client's service account. */
export const API_COMMENT_AUTHOR = {
  id: "usr_apiclient0001",
  name: "Customer API client",
  type: "agent",
} as const;

const CreateCommentBody = z.object({
  body: z.string().trim().min(1).max(10_000),
  public: z.boolean(),
});

export const commentRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/tickets/:ticket_id/comments",
    handler: (req, ctx) => {
      const ticket = findTicket(ctx, param(req, "ticket_id"));
      const comments = ctx.store.commentsByTicket.get(ticket.id) ?? [];
      return jsonReply(200, ctx.paginator.page(comments, oldestFirst, req.query, `comments:${ticket.id}`));
    },
  },
  {
    method: "POST",
    path: "/v1/tickets/:ticket_id/comments",
    handler: (req, ctx) => {
      const ticket = findTicket(ctx, param(req, "ticket_id"));
      const body = parseBody(CreateCommentBody, req.body);
      const at = nowIso(ctx);
      const comment: Comment = {
        id: ctx.store.newId("cmt"),
        ticket_id: ticket.id,
        author: { ...API_COMMENT_AUTHOR },
        body: body.body,
        public: body.public,
        created_at: at,
      };
      ctx.store.addComment(comment);
      ticket.comments_count++;
      ticket.updated_at = at;
      return jsonReply(201, comment);
    },
  },
];

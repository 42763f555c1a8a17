// Compact views of support tickets and their comments. Summaries leave the description out so lists stay small;
// free text (subject, description, comment bodies) is clipped so one long ticket cannot blow a result's budget.
import { z } from "zod";
import type { Comment, Ticket } from "../api/index.js";
import { clipText } from "./text.js";

const SUBJECT_LIMIT = 300;
const COMMENT_LIMIT = 1_500;

export const TicketStatus = z.enum(["open", "pending", "solved", "closed"]);
export const TicketPriority = z.enum(["low", "normal", "high", "urgent"]);
export const TicketChannel = z.enum(["email", "chat", "phone", "web"]);

export const TicketSummaryView = z.object({
  id: z.string(),
  customer_id: z.string(),
  subject: z.string(),
  status: TicketStatus,
  priority: TicketPriority,
  assignee: z.string().nullable().describe("Name of the assigned agent; null when unassigned."),
  channel: TicketChannel.nullable().describe("Where the ticket came in."),
  comments_count: z.number().int().nullable(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export type TicketSummaryView = z.infer<typeof TicketSummaryView>;

export const TicketView = TicketSummaryView.extend({
  assignee_id: z.string().nullable().describe("Id of the assigned agent (usr_...), usable as update_ticket's assignee_id."),
  description: z.string().nullable().describe("The customer's original request, clipped when very long."),
  tags: z.array(z.string()),
});
export type TicketView = z.infer<typeof TicketView>;

export const CommentView = z.object({
  id: z.string(),
  author: z.string().describe("Name of who wrote it."),
  author_type: z.enum(["agent", "customer", "system"]),
  public: z.boolean().describe("True for a reply the customer sees; false for an internal note."),
  body: z.string().describe("The comment text, clipped when very long."),
  created_at: z.string(),
});
export type CommentView = z.infer<typeof CommentView>;

export function ticketSummaryView(ticket: Ticket): TicketSummaryView {
  return {
    id: ticket.id,
    customer_id: ticket.customer_id,
    subject: clipText(ticket.subject, SUBJECT_LIMIT),
    status: ticket.status,
    priority: ticket.priority,
    assignee: ticket.assignee?.name ?? null,
    channel: ticket.channel ?? null,
    comments_count: ticket.comments_count ?? null,
    created_at: ticket.created_at,
    updated_at: ticket.updated_at ?? null,
  };
}

export function ticketView(ticket: Ticket): TicketView {
  return {
    ...ticketSummaryView(ticket),
    assignee_id: ticket.assignee?.id ?? null,
    description: ticket.description == null ? null : clipText(ticket.description),
    tags: ticket.tags ?? [],
  };
}

export function commentView(comment: Comment): CommentView {
  return {
    id: comment.id,
    author: comment.author.name,
    author_type: comment.author.type,
    public: comment.public,
    body: clipText(comment.body, COMMENT_LIMIT),
    created_at: comment.created_at,
  };
}

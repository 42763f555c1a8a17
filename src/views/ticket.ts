// Compact views of support tickets and their comments. Summaries leave the description out so lists stay small;
// free text (subject, description, comment authors and bodies) is clipped so one long ticket cannot blow a result's
// budget, and marked as untrusted data with who wrote it.
import { z } from "zod";
import { CommentAuthorTypeSchema, TicketChannelSchema, TicketPrioritySchema, TicketStatusSchema } from "../api/schemas.js";
import type { Comment, Ticket } from "../api/index.js";
import type { UntrustedSource } from "../policy/untrusted.js";
import { labelsField, UntrustedTextView, untrustedText } from "./text.js";

const SUBJECT_LIMIT = 300;
const COMMENT_LIMIT = 1_500;
const AUTHOR_LIMIT = 200;

export const TicketStatus = TicketStatusSchema;
export const TicketPriority = TicketPrioritySchema;
export const TicketChannel = TicketChannelSchema;

const COMMENT_SOURCE: Readonly<Record<Comment["author"]["type"], UntrustedSource>> = {
  customer: "customer",
  agent: "staff",
  system: "system",
};

export const TicketSummaryView = z.object({
  id: z.string(),
  customer_id: z.string(),
  // The customer writes the subject and description, even when an agent opens the ticket on their behalf.
  subject: UntrustedTextView,
  status: TicketStatus,
  priority: TicketPriority,
  // An agent's name comes from the staff directory, where people type their own: marked like other free text.
  assignee: UntrustedTextView.nullable(),
  channel: TicketChannel.nullable(),
  comments_count: z.number().int().nullable(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export type TicketSummaryView = z.infer<typeof TicketSummaryView>;

export const TicketView = TicketSummaryView.extend({
  assignee_id: z.string().nullable(),
  description: UntrustedTextView.nullable(),
  tags: UntrustedTextView.optional(),
});
export type TicketView = z.infer<typeof TicketView>;

export const CommentView = z.object({
  id: z.string(),
  // Marked, not plain: a customer's comment carries the name the customer typed, the same text customer.name marks.
  author: UntrustedTextView,
  author_type: CommentAuthorTypeSchema,
  public: z.boolean(),
  body: UntrustedTextView,
  created_at: z.string(),
});
export type CommentView = z.infer<typeof CommentView>;

export function ticketSummaryView(ticket: Ticket): TicketSummaryView {
  return {
    id: ticket.id,
    customer_id: ticket.customer_id,
    subject: untrustedText(ticket.subject, "customer", SUBJECT_LIMIT),
    status: ticket.status,
    priority: ticket.priority,
    assignee: ticket.assignee?.name ? untrustedText(ticket.assignee.name, "staff", AUTHOR_LIMIT) : null,
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
    description: ticket.description == null ? null : untrustedText(ticket.description, "customer"),
    ...labelsField(ticket.tags),
  };
}

export function commentView(comment: Comment): CommentView {
  const source = COMMENT_SOURCE[comment.author.type] ?? "unknown";
  return {
    id: comment.id,
    author: untrustedText(comment.author.name, source, AUTHOR_LIMIT),
    author_type: comment.author.type,
    public: comment.public,
    body: untrustedText(comment.body, source, COMMENT_LIMIT),
    created_at: comment.created_at,
  };
}

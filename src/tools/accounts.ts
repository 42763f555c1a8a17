// Customer account tools: the one-call overview agents start with, the status change, and notes.
import { z } from "zod";
import { CustomerStatusSchema } from "../api/schemas.js";
import type { CustomerApi } from "../api/index.js";
import { CustomerView, customerView } from "../views/customer.js";
import { NoteView, noteView } from "../views/note.js";
import {
  type CustomerOverview,
  customerOverview,
  CustomerOverviewShape,
  OVERVIEW_NOTES_PAGE,
  OVERVIEW_OPEN_TICKETS,
  OVERVIEW_RECENT_TRANSACTIONS,
  OVERVIEW_SCANNED_TRANSACTIONS,
} from "../views/overview.js";
import { defineTool, READ_ONLY, Replayed } from "./define.js";
import { ParamCustomerId } from "./params.js";

const DEFAULT_NOTE_AUTHOR = "customer-mcp agent";

/**
 * Reads everything the overview needs in four parallel requests, so its cost is fixed whatever the customer's
 * history. Shared with the account_review prompt.
 */
export async function loadCustomerOverview(customerId: string, ctx: { api: CustomerApi }): Promise<CustomerOverview> {
  const [customer, transactions, openTickets, notes] = await Promise.all([
    ctx.api.customers.get(customerId),
    ctx.api.customers.listTransactions(customerId, { limit: OVERVIEW_SCANNED_TRANSACTIONS }),
    ctx.api.tickets.search({ customer_id: customerId, status: "open", limit: OVERVIEW_OPEN_TICKETS }),
    ctx.api.customers.listNotes(customerId, { limit: OVERVIEW_NOTES_PAGE }),
  ]);
  return customerOverview({ customer, transactions, openTickets, notes });
}

export const getCustomerOverview = defineTool({
  name: "get_customer_overview",
  title: "Get a customer overview",
  description: [
    `The best first call about a customer: profile, ${OVERVIEW_RECENT_TRANSACTIONS} newest transactions, up to`,
    `${OVERVIEW_OPEN_TICKETS} open tickets, what is refundable among the ${OVERVIEW_SCANNED_TRANSACTIONS} newest`,
    "transactions (with totals per currency) and the notes count. Older transactions: list_transactions; more",
    "tickets: search_tickets.",
  ].join(" "),
  input: { customer_id: ParamCustomerId },
  output: CustomerOverviewShape,
  // It shows transactions and tickets too, so it needs every scope whose data it shows.
  access: { toolset: "customers", scopes: ["customers:read", "billing:read", "tickets:read"] },
  annotations: READ_ONLY,
  async handler({ customer_id }, ctx) {
    return loadCustomerOverview(customer_id, ctx);
  },
});

export const updateCustomerStatus = defineTool({
  name: "update_customer_status",
  title: "Change a customer's status",
  description: [
    "Set a customer's status to active, inactive or suspended, with a reason kept in the audit trail. Suspending",
    "blocks the account and asks the user to confirm; if they decline nothing changes: do not retry. Setting the",
    "current status writes nothing (changed: false). Returns the profile and the previous status.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    status: CustomerStatusSchema.describe("New status; suspended blocks the account."),
    reason: z
      .string()
      .trim()
      .min(3)
      .max(500)
      .describe("Why, e.g. 'chargeback fraud confirmed by risk team'."),
  },
  output: {
    customer: CustomerView,
    previous_status: CustomerStatusSchema,
    changed: z.boolean(),
  },
  access: { toolset: "customers", scopes: ["customers:write"], confirmation: "sometimes" },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ customer_id, status, reason }, ctx) {
    const before = await ctx.api.customers.get(customer_id);
    if (before.status === status) {
      return { customer: customerView(before), previous_status: before.status, changed: false };
    }
    if (status === "suspended") {
      // The name and the reason are someone else's text: details only, never the summary or the label.
      await ctx.confirm({
        action: `suspending ${customer_id}`,
        summary: `Suspend customer ${customer_id}? A suspended customer is blocked until someone reactivates them.`,
        details: [
          ["Customer", { untrusted: ctx.policy.presentText(before.name) }],
          ["Customer id", customer_id],
          ["Status", `${before.status} → suspended`],
          ["Reason", { untrusted: reason }],
        ],
        confirmLabel: `Suspend ${customer_id}`,
      });
    }
    const after = await ctx.api.customers.updateStatus(customer_id, { status, reason });
    ctx.log.info({ from: before.status, to: status }, "customer status changed");
    return { customer: customerView(after), previous_status: before.status, changed: true };
  },
});

export const addCustomerNote = defineTool({
  name: "add_customer_note",
  title: "Add a note to a customer",
  description: [
    "Add an internal note to a customer's account (staff see it, the customer never does): a decision, a call",
    "summary, a follow-up. Each call adds a note: do not repeat one that succeeded. On a ticket, use",
    "add_ticket_comment instead.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    body: z.string().trim().min(1).max(5000).describe("The note."),
    author: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default(DEFAULT_NOTE_AUTHOR)
      .describe("Who it is from, e.g. the user's name."),
  },
  output: {
    note: NoteView,
    replayed: Replayed,
  },
  access: { toolset: "customers", scopes: ["customers:write"] },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ customer_id, body, author }, ctx) {
    const written = await ctx.api.customers.addNote(
      customer_id,
      { body, author },
      { idempotencyKey: await ctx.idempotencyKey() },
    );
    return { note: noteView(written.record), replayed: written.replayed };
  },
});

export const accountTools = [getCustomerOverview, updateCustomerStatus, addCustomerNote];

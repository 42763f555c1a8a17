// Customer account tools: the one-call overview agents start with, the status change, and notes.
import { z } from "zod";
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
import { defineTool, READ_ONLY } from "./define.js";
import { ParamCustomerId } from "./params.js";

const DEFAULT_NOTE_AUTHOR = "customer-mcp agent";

/**
 * Reads everything the overview needs in four parallel requests, so its cost is fixed whatever the customer's
 * history. Shared with the account_review prompt.
 */
export async function loadCustomerOverview(
  customerId: string,
  ctx: { api: CustomerApi; signal: AbortSignal },
): Promise<CustomerOverview> {
  const options = { signal: ctx.signal };
  const [customer, transactions, openTickets, notes] = await Promise.all([
    ctx.api.customers.get(customerId, options),
    ctx.api.customers.listTransactions(customerId, { limit: OVERVIEW_SCANNED_TRANSACTIONS }, options),
    ctx.api.tickets.search({ customer_id: customerId, status: "open", limit: OVERVIEW_OPEN_TICKETS }, options),
    ctx.api.customers.listNotes(customerId, { limit: OVERVIEW_NOTES_PAGE }, options),
  ]);
  return customerOverview({ customer, transactions, openTickets, notes });
}

export const getCustomerOverview = defineTool({
  name: "get_customer_overview",
  title: "Get a customer overview",
  description: [
    "The first thing to call about a customer: in one call, their profile, the",
    `${OVERVIEW_RECENT_TRANSACTIONS} newest transactions, up to ${OVERVIEW_OPEN_TICKETS} open tickets, what can`,
    `still be refunded (succeeded charges among the ${OVERVIEW_SCANNED_TRANSACTIONS} newest transactions, with`,
    "totals per currency) and how many notes they have. Needs an exact id: use search_customers first if you only",
    "have a name or email. For older transactions use list_transactions; for more tickets use search_tickets.",
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
    "Set a customer's account status to active, inactive or suspended, with a reason that is kept in the audit",
    "trail. Suspending blocks the customer's account: the user is asked to confirm it, and if they decline nothing",
    "changes and you must not retry. If the customer already has",
    "that status nothing is written and changed is false. Returns the updated profile and the previous status.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    status: z
      .enum(["active", "inactive", "suspended"])
      .describe("The new status: active, inactive or suspended (blocks the account)."),
    reason: z
      .string()
      .trim()
      .min(3)
      .max(500)
      .describe("Why the status changes (3-500 characters), e.g. 'chargeback fraud confirmed by risk team'."),
  },
  output: {
    customer: CustomerView,
    previous_status: z.enum(["active", "inactive", "suspended"]),
    changed: z.boolean().describe("False when the customer already had this status and nothing was written."),
  },
  access: { toolset: "customers", scopes: ["customers:write"] },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler({ customer_id, status, reason }, ctx) {
    const options = { signal: ctx.signal };
    const before = await ctx.api.customers.get(customer_id, options);
    if (before.status === status) {
      return { customer: customerView(before), previous_status: before.status, changed: false };
    }
    if (status === "suspended") {
      await ctx.confirm({
        action: `suspending ${customer_id}`,
        summary: `Suspend ${before.name}'s account? A suspended customer is blocked until someone reactivates them.`,
        details: [
          ["Customer", `${before.name} (${customer_id})`],
          ["Status", `${before.status} → suspended`],
          ["Reason", reason],
        ],
        confirmLabel: `Suspend ${before.name}`,
      });
    }
    const after = await ctx.api.customers.updateStatus(customer_id, { status, reason }, options);
    ctx.log.info({ from: before.status, to: status }, "customer status changed");
    return { customer: customerView(after), previous_status: before.status, changed: true };
  },
});

export const addCustomerNote = defineTool({
  name: "add_customer_note",
  title: "Add a note to a customer",
  description: [
    "Attach an internal note to a customer's account (visible to staff, never to the customer), e.g. to record a",
    "decision, a call summary or a follow-up. Each call adds a new note, so do not repeat a call that succeeded.",
    "get_customer_overview shows how many notes a customer has.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    body: z.string().trim().min(1).max(5000).describe("The note text (1-5000 characters)."),
    author: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default(DEFAULT_NOTE_AUTHOR)
      .describe(`Who the note is from, e.g. the user's name (default "${DEFAULT_NOTE_AUTHOR}").`),
  },
  output: {
    note: NoteView,
    replayed: z.boolean().describe("True when the API recognised a retry and returned the note it already made."),
  },
  access: { toolset: "customers", scopes: ["customers:write"] },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler({ customer_id, body, author }, ctx) {
    const written = await ctx.api.customers.addNote(
      customer_id,
      { body, author },
      { signal: ctx.signal, idempotencyKey: ctx.idempotencyKey() },
    );
    return { note: noteView(written.record), replayed: written.replayed };
  },
});

export const accountTools = [getCustomerOverview, updateCustomerStatus, addCustomerNote];

// The customer overview: profile, latest activity, open tickets, refundable money and the notes count in one
// compact result. It is the most called read, so every field here is paid for on nearly every conversation.
import { z } from "zod";
import { TicketPrioritySchema, TicketStatusSchema } from "../api/schemas.js";
import type { Customer, Note, Page, Ticket, Transaction } from "../api/index.js";
import { CustomerView, customerView } from "./customer.js";
import { MoneyView, moneyView } from "./money.js";
import { UntrustedTextView, untrustedText } from "./text.js";
import { TransactionSummaryView, transactionSummaryView } from "./transaction.js";

export const OVERVIEW_RECENT_TRANSACTIONS = 5;
export const OVERVIEW_SCANNED_TRANSACTIONS = 20;
export const OVERVIEW_OPEN_TICKETS = 5;
export const OVERVIEW_NOTES_PAGE = 100;

const SUBJECT_LIMIT = 200;

export const OpenTicketView = z.object({
  id: z.string(),
  subject: UntrustedTextView,
  priority: TicketPrioritySchema,
  status: TicketStatusSchema,
  updated_at: z.string(),
});
export type OpenTicketView = z.infer<typeof OpenTicketView>;

export const CustomerOverviewShape = {
  customer: CustomerView,
  // Newest first, like open_tickets and refundable.charges; the tool description says how many.
  recent_transactions: z.array(TransactionSummaryView),
  more_transactions: z.boolean(),
  open_tickets: z.array(OpenTicketView),
  more_open_tickets: z.boolean(),
  refundable: z.object({
    charges: z.array(
      z.object({
        transaction_id: z.string(),
        refundable: z.number().int().describe("Minor units."),
        currency: z.string(),
      }),
    ),
    totals: z.array(MoneyView),
    transactions_scanned: z.number().int(),
    complete: z.boolean().describe("False when older transactions were not scanned."),
  }),
  notes_count: z.number().int(),
  notes_count_is_lower_bound: z.boolean(),
};
export type CustomerOverview = z.infer<z.ZodObject<typeof CustomerOverviewShape>>;

/** The upstream answers an overview is built from. */
export interface OverviewSources {
  customer: Customer;
  /** The newest transactions (up to OVERVIEW_SCANNED_TRANSACTIONS). */
  transactions: Page<Transaction>;
  openTickets: Page<Ticket>;
  notes: Page<Note>;
}

export function customerOverview(sources: OverviewSources): CustomerOverview {
  const { customer, transactions, openTickets, notes } = sources;
  const recent = transactions.data.slice(0, OVERVIEW_RECENT_TRANSACTIONS);
  return {
    customer: customerView(customer),
    recent_transactions: recent.map(transactionSummaryView),
    more_transactions: transactions.data.length > recent.length || transactions.next_cursor !== null,
    open_tickets: openTickets.data.slice(0, OVERVIEW_OPEN_TICKETS).map(openTicketView),
    more_open_tickets: openTickets.data.length > OVERVIEW_OPEN_TICKETS || openTickets.next_cursor !== null,
    refundable: refundableOf(transactions),
    notes_count: notes.data.length,
    notes_count_is_lower_bound: notes.next_cursor !== null,
  };
}

function openTicketView(ticket: Ticket): OpenTicketView {
  return {
    id: ticket.id,
    subject: untrustedText(ticket.subject, "customer", SUBJECT_LIMIT),
    priority: ticket.priority,
    status: ticket.status,
    updated_at: ticket.updated_at ?? ticket.created_at,
  };
}

function refundableOf(transactions: Page<Transaction>): CustomerOverview["refundable"] {
  const charges: CustomerOverview["refundable"]["charges"] = [];
  const totals = new Map<string, number>();
  for (const txn of transactions.data) {
    if (txn.type !== "charge" || txn.status !== "succeeded") continue;
    const remaining = txn.amount - (txn.refunded_amount ?? 0);
    if (remaining <= 0) continue;
    charges.push({ transaction_id: txn.id, refundable: remaining, currency: txn.currency });
    totals.set(txn.currency, (totals.get(txn.currency) ?? 0) + remaining);
  }
  return {
    charges,
    totals: [...totals].map(([currency, amount]) => moneyView(amount, currency)),
    transactions_scanned: transactions.data.length,
    complete: transactions.next_cursor === null,
  };
}

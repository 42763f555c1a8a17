// Compact view of a transaction: what happened, how much, how much can still be refunded. The card
// fingerprint and metadata are never mapped.
import { z } from "zod";
import { TransactionStatusSchema, TransactionTypeSchema } from "../api/schemas.js";
import type { Transaction } from "../api/index.js";
import { MoneyView, moneyView } from "./money.js";
import { UntrustedTextView, untrustedText } from "./text.js";

const DESCRIPTION_LIMIT = 300;

export const TransactionView = z.object({
  id: z.string(),
  type: TransactionTypeSchema,
  status: TransactionStatusSchema,
  amount: MoneyView,
  refunded: MoneyView.nullable().describe("Charges only."),
  refundable: MoneyView.nullable().describe("Succeeded charges only."),
  // The billing system writes it, but it carries what a person or a merchant typed ("Refund for order #…"), so
  // it is marked like other free text.
  description: UntrustedTextView.nullable(),
  payment_method: z.string().nullable(),
  created_at: z.string(),
});
export type TransactionView = z.infer<typeof TransactionView>;

export function transactionView(txn: Transaction): TransactionView {
  const isCharge = txn.type === "charge";
  const refunded = txn.refunded_amount ?? 0;
  const card = txn.payment_method;
  return {
    id: txn.id,
    type: txn.type,
    status: txn.status,
    amount: moneyView(txn.amount, txn.currency),
    refunded: isCharge ? moneyView(refunded, txn.currency) : null,
    refundable:
      isCharge && txn.status === "succeeded"
        ? moneyView(Math.max(0, txn.amount - refunded), txn.currency)
        : null,
    description: txn.description ? untrustedText(txn.description, "system", DESCRIPTION_LIMIT) : null,
    payment_method: card?.last4 ? `${card.brand ?? "card"} ending ${card.last4}` : null,
    created_at: txn.created_at,
  };
}

/**
 * The short form used inside other results (a customer's recent transactions): money in minor units with one
 * display string, refundable only where something can still be refunded, and no card details. About half the
 * size of TransactionView; list_transactions gives the full view.
 */
export const TransactionSummaryView = z.object({
  id: z.string(),
  type: TransactionTypeSchema,
  status: TransactionStatusSchema,
  amount: MoneyView,
  refundable: z
    .number()
    .int()
    .optional()
    .describe("Minor units; present only when above zero."),
  description: UntrustedTextView.optional(),
  created_at: z.string(),
});
export type TransactionSummaryView = z.infer<typeof TransactionSummaryView>;

export function transactionSummaryView(txn: Transaction): TransactionSummaryView {
  const refundable =
    txn.type === "charge" && txn.status === "succeeded" ? Math.max(0, txn.amount - (txn.refunded_amount ?? 0)) : 0;
  return {
    id: txn.id,
    type: txn.type,
    status: txn.status,
    amount: moneyView(txn.amount, txn.currency),
    ...(refundable > 0 ? { refundable } : {}),
    ...(txn.description ? { description: untrustedText(txn.description, "system", DESCRIPTION_LIMIT) } : {}),
    created_at: txn.created_at,
  };
}

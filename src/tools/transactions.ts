// Transaction tools: page through a customer's ledger, and refund a charge (all or part of what remains).
import { z } from "zod";
import type { Transaction } from "../api/index.js";
import { UserInputError } from "../errors.js";
import { moneyView } from "../views/money.js";
import { RefundView, refundView } from "../views/refund.js";
import { TransactionView, transactionView } from "../views/transaction.js";
import { defineTool, READ_ONLY } from "./define.js";
import { listPage, PageMetaShape, pageMeta } from "./paging.js";
import { ParamCursor, ParamCustomerId, ParamLimit, ParamTimestamp, ParamTransactionId } from "./params.js";

export const listTransactions = defineTool({
  name: "list_transactions",
  title: "List a customer's transactions",
  description: [
    "Page through one customer's transactions (charges, refunds, credits), newest first, with status, amounts",
    "and what is still refundable. Filter by type or by a since date. For a quick look at the latest five use",
    "get_customer_overview instead. Pages: pass next_cursor back as cursor with the same filters; null means",
    "there are no more; truncated: true means the page was cut to fit the response budget.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    type: z.enum(["charge", "refund", "credit"]).optional().describe("Only transactions of this type."),
    since: ParamTimestamp.optional().describe("Only transactions created at or after this ISO 8601 time."),
    limit: ParamLimit,
    cursor: ParamCursor,
  },
  output: {
    transactions: z.array(TransactionView),
    ...PageMetaShape,
  },
  access: { toolset: "billing", scopes: ["billing:read"] },
  annotations: READ_ONLY,
  async handler({ customer_id, cursor, limit, ...filter }, ctx) {
    const page = await listPage({
      cursor,
      limit,
      maxResultTokens: ctx.config.limits.maxResultTokens,
      fetch: (upstream) =>
        ctx.api.customers.listTransactions(customer_id, { ...filter, ...upstream }, { signal: ctx.signal }),
      view: transactionView,
      narrowHint: "filter by type or since, or lower limit",
    });
    return { transactions: page.items, ...pageMeta(page) };
  },
});

export const issueRefund = defineTool({
  name: "issue_refund",
  title: "Refund a charge",
  description: [
    "Return money to a customer from one succeeded charge: the full refundable remainder when amount is omitted,",
    "or part of it. Money leaves the company and cannot be taken back, so confirm the amount with the user",
    "first. Check the refundable amount with get_customer_overview or list_transactions; refunds beyond it, and",
    "refunds of pending, failed or non-charge transactions, are refused without writing. Each successful call",
    "refunds again: never repeat one that succeeded. Returns the refund and the charge after it.",
  ].join(" "),
  input: {
    transaction_id: ParamTransactionId,
    amount: z
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe("Amount in minor units (cents for usd), e.g. 1999 for $19.99. Omit to refund all that remains."),
    reason: z
      .enum(["duplicate", "fraudulent", "requested_by_customer", "service_issue"])
      .describe("Why the money is returned."),
    note: z.string().trim().min(1).max(500).optional().describe("Optional internal note kept with the refund."),
  },
  output: {
    refund: RefundView,
    transaction: TransactionView.describe("The charge after the refund, with what remains refundable."),
    replayed: z.boolean().describe("True when the API recognised a retry and returned the refund it already made."),
  },
  access: { toolset: "billing", scopes: ["refunds:write"] },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler({ transaction_id, amount, reason, note }, ctx) {
    const options = { signal: ctx.signal };
    const charge = await ctx.api.transactions.get(transaction_id, options);
    const refundAmount = checkedRefundAmount(charge, amount);
    const written = await ctx.api.transactions.refund(
      { transaction_id, amount: refundAmount, reason, ...(note === undefined ? {} : { note }) },
      { ...options, idempotencyKey: ctx.idempotencyKey() },
    );
    const after = await ctx.api.transactions.get(transaction_id, options);
    return { refund: refundView(written.record), transaction: transactionView(after), replayed: written.replayed };
  },
});

/**
 * Refuses, before anything is written, a refund the API would reject: the API's own 422 stays the backstop for
 * a race with another refund.
 */
function checkedRefundAmount(charge: Transaction, amount: number | undefined): number {
  if (charge.type !== "charge" || charge.status !== "succeeded") {
    throw new UserInputError(
      `Invalid arguments: transaction_id: ${charge.id} is a ${charge.status} ${charge.type}; only succeeded charges can be refunded.`,
      [{ path: "transaction_id", message: `is a ${charge.status} ${charge.type}, not a succeeded charge` }],
      { nextStep: "Pick a succeeded charge with a refundable amount from list_transactions or get_customer_overview." },
    );
  }
  const remaining = Math.max(0, charge.amount - (charge.refunded_amount ?? 0));
  const left = moneyView(remaining, charge.currency).display;
  if (remaining === 0) {
    throw new UserInputError(
      `Invalid arguments: amount: ${charge.id} is already fully refunded; nothing remains to refund.`,
      [{ path: "amount", message: "nothing remains refundable on this charge" }],
      { nextStep: "Do not retry this refund; tell the user the charge is already fully refunded." },
    );
  }
  if (amount !== undefined && amount > remaining) {
    throw new UserInputError(
      `Invalid arguments: amount: ${amount} exceeds the ${remaining} (${left}) that remains refundable on ${charge.id}.`,
      [{ path: "amount", message: `must be at most ${remaining} (${left}), the refundable remainder` }],
      { nextStep: `Refund at most ${remaining}, or omit amount to refund the whole remainder.` },
    );
  }
  return amount ?? remaining;
}

export const transactionTools = [listTransactions, issueRefund];

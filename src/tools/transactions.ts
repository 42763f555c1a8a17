// Transaction tools: page through a customer's ledger, and refund a charge (all or part of what remains).
import { z } from "zod";
import { RefundReasonSchema, TransactionTypeSchema } from "../api/schemas.js";
import { ApiError, ApiOutcomeUnknownError } from "../api/errors.js";
import type { Transaction } from "../api/index.js";
import type { CallContext, ConfirmationRequest } from "../context.js";
import { UserInputError } from "../errors.js";
import { moneyView } from "../views/money.js";
import { RefundView, refundView } from "../views/refund.js";
import { TransactionView, transactionView } from "../views/transaction.js";
import { defineTool, READ_ONLY, Replayed } from "./define.js";
import { listPage, PageMetaShape, pageMeta } from "./paging.js";
import { ParamCursor, ParamCustomerId, ParamLimit, ParamTimestamp, ParamTransactionId } from "./params.js";

export const listTransactions = defineTool({
  name: "list_transactions",
  title: "List a customer's transactions",
  description: [
    "Page through a customer's charges, refunds and credits, newest first, with status, amounts and what is",
    "still refundable; filter by type or since. For the latest five, get_customer_overview is enough. Paged: pass",
    "next_cursor back as cursor with the same filters; truncated: true means a page was cut to fit.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    type: TransactionTypeSchema.optional().describe("Only this type."),
    since: ParamTimestamp.optional().describe("Only transactions at or after this time."),
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
    const page = await listPage(ctx, {
      cursor,
      limit,
      fetch: (upstream) =>
        ctx.api.customers.listTransactions(customer_id, { ...filter, ...upstream }),
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
    "Refund a succeeded charge: all that remains refundable when amount is omitted, or part of it. The user",
    "confirms the exact refund first; if they decline, nothing happens: do not retry. Operator limits per refund",
    "and per session apply. The refundable amount is in get_customer_overview or list_transactions; more than",
    "that, or a pending, failed or non-charge transaction, is refused without writing. Every successful call",
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
      .describe("Minor units, e.g. 1999 for $19.99; omit to refund all that remains."),
    reason: RefundReasonSchema.describe("Why the money is returned."),
    note: z.string().trim().min(1).max(500).optional().describe("Internal note kept with the refund."),
  },
  output: {
    refund: RefundView,
    transaction: TransactionView.nullable().describe("The charge after the refund; null when it could not be read."),
    // Present with transaction: null; it says so itself.
    transaction_note: z.string().optional(),
    replayed: Replayed,
  },
  access: { toolset: "billing", scopes: ["refunds:write"], confirmation: "always" },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler({ transaction_id, amount, reason, note }, ctx) {
    const charge = await ctx.api.transactions.get(transaction_id);
    const key = await ctx.idempotencyKey();
    // A repeat of a call whose outcome was unknown sends the same body again, so the API replays it; its amount
    // already counts against the limits.
    const earlier = await ctx.refunds.earlier(key);
    const refundAmount = earlier?.amount ?? checkedRefundAmount(charge, amount);
    // Limits are checked before the user is asked: a refund the server would refuse is never put to them.
    const reservation = await ctx.refunds.reserve(refundAmount, charge.currency, key);
    let written;
    try {
      const customer = await ctx.api.customers.get(charge.customer_id);
      const confirmation = refundConfirmation({
        charge,
        customerName: ctx.policy.presentText(customer.name),
        refundAmount,
        reason,
        note,
        repeat: earlier !== undefined,
      });
      await ctx.confirm(confirmation);
      written = await ctx.api.transactions.refund(
        { transaction_id, amount: refundAmount, reason, ...(note === undefined ? {} : { note }) },
        { idempotencyKey: key },
      );
    } catch (error) {
      // A refund the API may have made keeps counting against the session's limit.
      const unknown = error instanceof ApiOutcomeUnknownError;
      await settle(() => (unknown ? reservation.unknown() : reservation.release()), ctx);
      throw error;
    }
    const { replayed } = written;
    await settle(() => (replayed ? reservation.replayedFromEarlier() : reservation.commit()), ctx);
    // The money has moved: from here on nothing may turn the result into an error.
    const after = await readChargeAfterRefund(transaction_id, ctx);
    return {
      refund: refundView(written.record),
      transaction: after ? transactionView(after) : null,
      ...(after
        ? {}
        : {
            transaction_note:
              "The refund was made, but the charge could not be read afterwards; read it with list_transactions. "
              + "Do not refund again.",
          }),
      replayed: written.replayed,
    };
  },
});

/**
 * Settles a reservation once the API's answer is known. That answer is what the caller gets, whatever happens
 * here: a settlement the ledger cannot record (its shared state unreachable) leaves the amount reserved until the
 * window ends, which can only count a refund too much, never too little.
 */
async function settle(step: () => Promise<void>, ctx: CallContext): Promise<void> {
  try {
    await step();
  } catch (error) {
    ctx.log.warn(
      { error: error instanceof Error ? error.message : String(error) },
      "could not settle a refund reservation; its amount stays reserved until the window ends",
    );
  }
}

/** The charge after a refund, or undefined when the API could not be read (the refund itself stands). */
async function readChargeAfterRefund(transactionId: string, ctx: CallContext): Promise<Transaction | undefined> {
  try {
    return await ctx.api.transactions.get(transactionId);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    ctx.log.warn({ error_code: error.code }, "refund made, but the charge could not be read afterwards");
    return undefined;
  }
}

/** What the user confirms: customer, charge, exact amount with currency, reason and note. */
function refundConfirmation(refund: {
  charge: Transaction;
  customerName: string;
  refundAmount: number;
  reason: string;
  note: string | undefined;
  /** It repeats an earlier call whose outcome was unknown. */
  repeat: boolean;
}): ConfirmationRequest {
  const { charge, refundAmount } = refund;
  const money = (minor: number) => moneyView(minor, charge.currency).display;
  const remainingAfter = charge.amount - (charge.refunded_amount ?? 0) - refundAmount;
  const amount = `${money(refundAmount)} (${refundAmount} minor units of ${charge.currency.toUpperCase()})`;
  // The customer's name and the note are someone else's text: details only, never the summary or the label.
  return {
    action: `a refund of ${money(refundAmount)} on ${charge.id}`,
    summary: `Refund ${money(refundAmount)} from charge ${charge.id}? Money leaves the company and cannot be taken back.`,
    details: [
      ["Customer", { untrusted: refund.customerName }],
      ["Customer id", charge.customer_id],
      ["Charge", `${charge.id}: ${money(charge.amount)} on ${charge.created_at.slice(0, 10)}`],
      ["Refund", amount],
      ["Left after", `${money(remainingAfter)} still refundable on this charge`],
      ["Reason", refund.reason],
      ...(refund.note === undefined ? [] : [["Note", { untrusted: refund.note }] as const]),
      ...(refund.repeat
        ? [["Repeat", "an earlier attempt may have made this refund already; it is made at most once"] as const]
        : []),
    ],
    confirmLabel: `Refund ${money(refundAmount)}`,
  };
}

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

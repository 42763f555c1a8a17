// View of a refund: which charge it returns money from, how much, why, and whether it went through.
import { z } from "zod";
import { RefundReasonSchema, RefundStatusSchema } from "../api/schemas.js";
import type { Refund } from "../api/index.js";
import { MoneyView, moneyView } from "./money.js";
import { UntrustedTextView, untrustedText } from "./text.js";

export const RefundView = z.object({
  id: z.string(),
  transaction_id: z.string(),
  customer_id: z.string(),
  amount: MoneyView,
  reason: RefundReasonSchema,
  status: RefundStatusSchema,
  // Written by whoever issued the refund (staff, or the model through issue_refund): free text, so marked.
  note: UntrustedTextView.nullable(),
  created_at: z.string(),
});
export type RefundView = z.infer<typeof RefundView>;

export function refundView(refund: Refund): RefundView {
  return {
    id: refund.id,
    transaction_id: refund.transaction_id,
    customer_id: refund.customer_id,
    amount: moneyView(refund.amount, refund.currency),
    reason: refund.reason,
    status: refund.status,
    note: refund.note ? untrustedText(refund.note, "staff", 500) : null,
    created_at: refund.created_at,
  };
}

// Transactions (per-customer list, get by id) and refunds against succeeded charges.
import { z } from "zod";
import { nowIso, param, type Route } from "../context.js";
import { ApiError, conflict, jsonReply } from "../http.js";
import { canonicalJson } from "../idempotency.js";
import { REFUND_REASONS, type Refund, TRANSACTION_TYPES, type Transaction } from "../records.js";
import { newestFirst } from "../store.js";
import { enumParam, idSchema, isoParam, parseBody } from "../validation.js";
import { findCustomer, findTransaction } from "./lookup.js";

const CreateRefundBody = z.object({
  transaction_id: idSchema("txn"),
  amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  reason: z.enum(REFUND_REASONS),
  note: z.string().max(1000).nullish(),
});

export const transactionRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/customers/:customer_id/transactions",
    handler: (req, ctx) => {
      const customer = findCustomer(ctx, param(req, "customer_id"));
      const type = enumParam(req.query, "type", TRANSACTION_TYPES);
      const since = isoParam(req.query, "since");
      const scope = canonicalJson(["transactions", customer.id, type, since]);
      const keep =
        type === undefined && since === undefined
          ? undefined
          : (t: Transaction) =>
              (type === undefined || t.type === type) && (since === undefined || t.created_at >= since);
      const txns = ctx.store.transactionsByCustomer.get(customer.id) ?? [];
      return jsonReply(200, ctx.paginator.page(txns, newestFirst, req.query, scope, keep));
    },
  },
  {
    method: "GET",
    path: "/v1/transactions/:transaction_id",
    handler: (req, ctx) => jsonReply(200, findTransaction(ctx, param(req, "transaction_id"))),
  },
  {
    method: "POST",
    path: "/v1/refunds",
    handler: (req, ctx) => {
      const body = parseBody(CreateRefundBody, req.body);
      const txn = findTransaction(ctx, body.transaction_id, "transaction_id");
      if (txn.type !== "charge" || txn.status !== "succeeded") {
        throw conflict(`Only succeeded charges can be refunded; this is a ${txn.status} ${txn.type}.`);
      }
      const remaining = txn.amount - txn.refunded_amount;
      if (body.amount > remaining) {
        throw new ApiError(
          422,
          "refund_exceeds_remaining",
          `The refund amount ${body.amount} exceeds the ${remaining} ${txn.currency} that remains refundable.`,
          "amount",
        );
      }
      const createdAt = nowIso(ctx);
      const refund: Refund = {
        id: ctx.store.newId("re"),
        transaction_id: txn.id,
        customer_id: txn.customer_id,
        amount: body.amount,
        currency: txn.currency,
        reason: body.reason,
        status: "succeeded",
        note: body.note ?? null,
        created_at: createdAt,
      };
      txn.refunded_amount += body.amount;
      ctx.store.addRefund(refund);
      // The ledger shows the money going back as its own `refund` transaction, as the seeded data does.
      ctx.store.addTransaction({
        id: ctx.store.newId("txn"),
        customer_id: txn.customer_id,
        type: "refund",
        status: "succeeded",
        amount: body.amount,
        currency: txn.currency,
        refunded_amount: 0,
        description: `Refund of ${txn.id}`,
        payment_method: { ...txn.payment_method },
        created_at: createdAt,
        metadata: { refund_id: refund.id, original_transaction_id: txn.id, reason: body.reason },
      });
      const customer = ctx.store.customersById.get(txn.customer_id);
      if (customer) customer.lifetime_value.amount -= body.amount;
      return jsonReply(201, refund);
    },
  },
];

// Transaction and refund endpoints of the contract: read one transaction, refund all or part of it.
import type { CallOptions, WriteOptions } from "./customers.js";
import { type HttpClient, pathOf } from "./http.js";
import { type Refund, RefundSchema, type Transaction, TransactionSchema, type Written } from "./schemas.js";

export interface RefundRequest {
  transaction_id: string;
  amount: number;
  reason: Refund["reason"];
  note?: string;
}

export interface TransactionsApi {
  get(transactionId: string, options?: CallOptions): Promise<Transaction>;
  refund(request: RefundRequest, options: WriteOptions): Promise<Written<Refund>>;
}

export function transactionsApi(http: HttpClient): TransactionsApi {
  return {
    async get(transactionId, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/transactions/${transactionId}`,
        schema: TransactionSchema,
        signal: options.signal,
      });
      return data;
    },
    async refund(request, options) {
      const result = await http.request({
        method: "POST",
        path: "/v1/refunds",
        body: request,
        idempotencyKey: options.idempotencyKey,
        schema: RefundSchema,
        signal: options.signal,
      });
      return { record: result.data, replayed: result.replayed };
    },
  };
}

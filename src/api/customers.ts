// Customer endpoints of the contract: search, read, and a customer's transactions.
import type { HttpClient } from "./http.js";
import { pathOf } from "./http.js";
import {
  type Customer,
  CustomerSchema,
  type Page,
  pageOf,
  type Transaction,
  TransactionSchema,
} from "./schemas.js";

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CustomerSearch {
  query?: string;
  email?: string;
  status?: Customer["status"];
  segment_id?: string;
  created_after?: string;
  limit?: number;
  cursor?: string;
}

export interface TransactionFilter {
  type?: Transaction["type"];
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface CustomersApi {
  search(filter: CustomerSearch, options?: CallOptions): Promise<Page<Customer>>;
  get(customerId: string, options?: CallOptions): Promise<Customer>;
  listTransactions(
    customerId: string,
    filter: TransactionFilter,
    options?: CallOptions,
  ): Promise<Page<Transaction>>;
}

const CustomerPage = pageOf(CustomerSchema);
const TransactionPage = pageOf(TransactionSchema);

export function customersApi(http: HttpClient): CustomersApi {
  return {
    async search(filter, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: "/v1/customers",
        query: { ...filter },
        schema: CustomerPage,
        signal: options.signal,
      });
      return data;
    },
    async get(customerId, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/customers/${customerId}`,
        schema: CustomerSchema,
        signal: options.signal,
      });
      return data;
    },
    async listTransactions(customerId, filter, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/customers/${customerId}/transactions`,
        query: { ...filter },
        schema: TransactionPage,
        signal: options.signal,
      });
      return data;
    },
  };
}

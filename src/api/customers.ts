// Customer endpoints of the contract: search, read, and a customer's transactions.
import type { HttpClient } from "./http.js";
import { pathOf } from "./http.js";
import {
  type Customer,
  CustomerSchema,
  type Note,
  NoteSchema,
  type Page,
  pageOf,
  type Transaction,
  TransactionSchema,
  type Written,
} from "./schemas.js";

export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of a write: the idempotency key makes a POST safe to retry and to repeat. */
export interface WriteOptions extends CallOptions {
  idempotencyKey: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
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

export interface TransactionFilter extends PageRequest {
  type?: Transaction["type"];
  since?: string;
}

export interface StatusChange {
  status: Customer["status"];
  reason: string;
}

export interface CustomersApi {
  search(filter: CustomerSearch, options?: CallOptions): Promise<Page<Customer>>;
  get(customerId: string, options?: CallOptions): Promise<Customer>;
  listTransactions(
    customerId: string,
    filter: TransactionFilter,
    options?: CallOptions,
  ): Promise<Page<Transaction>>;
  /** PATCH is safe to repeat with the same body, so this is retried like a read. */
  updateStatus(customerId: string, change: StatusChange, options?: CallOptions): Promise<Customer>;
  listNotes(customerId: string, page: PageRequest, options?: CallOptions): Promise<Page<Note>>;
  addNote(
    customerId: string,
    note: { body: string; author: string },
    options: WriteOptions,
  ): Promise<Written<Note>>;
}

const CustomerPage = pageOf(CustomerSchema);
const TransactionPage = pageOf(TransactionSchema);
const NotePage = pageOf(NoteSchema);

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
    async updateStatus(customerId, change, options = {}) {
      const { data } = await http.request({
        method: "PATCH",
        path: pathOf`/v1/customers/${customerId}`,
        body: change,
        schema: CustomerSchema,
        signal: options.signal,
      });
      return data;
    },
    async listNotes(customerId, page, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/customers/${customerId}/notes`,
        query: { ...page },
        schema: NotePage,
        signal: options.signal,
      });
      return data;
    },
    async addNote(customerId, note, options) {
      const result = await http.request({
        method: "POST",
        path: pathOf`/v1/customers/${customerId}/notes`,
        body: note,
        idempotencyKey: options.idempotencyKey,
        schema: NoteSchema,
        signal: options.signal,
      });
      return { record: result.data, replayed: result.replayed };
    },
  };
}

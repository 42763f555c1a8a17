// The typed customer API that tools, resources and prompts use. Built from one HttpClient; tests build it
// against the sandbox, production against CUSTOMER_API_URL. Adapting to an API that differs from the
// contract means changing files in this folder only.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { type AuthProvider, staticKeyAuth } from "./auth.js";
import { type CustomersApi, customersApi } from "./customers.js";
import { type ExportsApi, exportsApi } from "./exports.js";
import { createHttpClient, type HttpClient, type HttpClientOptions } from "./http.js";
import { type RetryPolicy, type RetryTiming, realTiming } from "./retry.js";
import { type SegmentsApi, segmentsApi } from "./segments.js";
import { type TicketsApi, ticketsApi } from "./tickets.js";
import { type TransactionsApi, transactionsApi } from "./transactions.js";

export interface CustomerApi {
  customers: CustomersApi;
  segments: SegmentsApi;
  transactions: TransactionsApi;
  tickets: TicketsApi;
  exports: ExportsApi;
  close(): void;
}

export interface CustomerApiOptions {
  baseUrl: string;
  apiKey: string;
  /** The `api` block of the configuration: timeout and retry settings. */
  settings: Config["api"];
  logger: Logger;
  userAgent: string;
  /** Injected in tests so retry schedules are asserted, not waited for. */
  timing?: RetryTiming;
  auth?: AuthProvider;
  onResponse?: HttpClientOptions["onResponse"];
}

export function retryPolicyOf(settings: Config["api"]): RetryPolicy {
  return {
    maxRetries: settings.maxRetries,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: settings.retryMaxDelayMs,
    retryAfterCapMs: settings.retryAfterCapMs,
  };
}

export function createCustomerApi(options: CustomerApiOptions): CustomerApi {
  const http: HttpClient = createHttpClient({
    baseUrl: options.baseUrl,
    auth: options.auth ?? staticKeyAuth(options.apiKey),
    timeoutMs: options.settings.timeoutMs,
    retry: retryPolicyOf(options.settings),
    logger: options.logger,
    timing: options.timing ?? realTiming,
    userAgent: options.userAgent,
    onResponse: options.onResponse,
  });
  return {
    customers: customersApi(http),
    segments: segmentsApi(http),
    transactions: transactionsApi(http),
    tickets: ticketsApi(http),
    exports: exportsApi(http),
    close: () => http.close(),
  };
}

export type {
  CallOptions,
  CustomerSearch,
  PageRequest,
  StatusChange,
  TransactionFilter,
  WriteOptions,
} from "./customers.js";
export type { NewExport } from "./exports.js";
export type {
  Comment,
  Customer,
  Export,
  Money,
  Note,
  Page,
  Refund,
  Segment,
  Ticket,
  Transaction,
  Written,
} from "./schemas.js";
export type { NewTicket, TicketChange, TicketSearch } from "./tickets.js";
export type { RefundRequest } from "./transactions.js";

// The typed customer API that tools, resources and prompts use. Built from one HttpClient; tests build it
// against the sandbox, production against CUSTOMER_API_URL. Adapting to an API that differs from the
// contract means changing files in this folder only.
import type { Logger } from "pino";
import { type AuthProvider, staticKeyAuth } from "./auth.js";
import { type CustomersApi, customersApi } from "./customers.js";
import { createHttpClient, type HttpClient } from "./http.js";
import { type RetryPolicy, type RetryTiming, realTiming } from "./retry.js";
import { type SegmentsApi, segmentsApi } from "./segments.js";

export interface CustomerApi {
  customers: CustomersApi;
  segments: SegmentsApi;
  close(): void;
}

export interface CustomerApiOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  userAgent: string;
  /** Injected in tests so retry schedules are asserted, not waited for. */
  timing?: RetryTiming;
  auth?: AuthProvider;
}

export function createCustomerApi(options: CustomerApiOptions): CustomerApi {
  const http: HttpClient = createHttpClient({
    baseUrl: options.baseUrl,
    auth: options.auth ?? staticKeyAuth(options.apiKey),
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    logger: options.logger,
    timing: options.timing ?? realTiming,
    userAgent: options.userAgent,
  });
  return {
    customers: customersApi(http),
    segments: segmentsApi(http),
    close: () => http.close(),
  };
}

export type { CallOptions, CustomerSearch, TransactionFilter } from "./customers.js";
export type { Customer, Money, Page, Segment, Transaction } from "./schemas.js";

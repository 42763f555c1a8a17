// The typed customer API that tools, resources and prompts use. Built from one HttpClient; tests build it
// against the sandbox, production against CUSTOMER_API_URL. Adapting to an API that differs from the
// contract means changing files in this folder only.
import type { Logger } from "pino";
import { z } from "zod";
import type { ApiCredentials, Config } from "../config/config.js";
import { type AuthProvider, staticKeyAuth } from "./auth.js";
import { clientCredentialsAuth } from "./oauth.js";
import { type CustomersApi, customersApi } from "./customers.js";
import { type ExportsApi, exportsApi } from "./exports.js";
import { createHttpClient, type HttpClient, type HttpClientOptions, type ResilienceSettings } from "./http.js";
import { realTiming, type RetryTiming } from "./retry.js";
import { type SegmentsApi, segmentsApi } from "./segments.js";
import { type TicketsApi, ticketsApi } from "./tickets.js";
import { type TransactionsApi, transactionsApi } from "./transactions.js";

/** Starts loading the HTTP library ahead of the first request (it is loaded lazily to keep start-up short). */
export { loadHttpLibrary } from "./transport.js";

const HealthSchema = z.object({ status: z.string() });

export interface CustomerApi {
  customers: CustomersApi;
  segments: SegmentsApi;
  transactions: TransactionsApi;
  tickets: TicketsApi;
  exports: ExportsApi;
  /** Runs `fn` as one tool call: a shared deadline, `fresh` reads, and a record of what its requests did. */
  withCall: HttpClient["withCall"];
  /** Runs a wait that is not the API's (a human confirming) without spending the call's deadline. */
  outsideDeadline: HttpClient["outsideDeadline"];
  /** The API's `/health` answer. */
  health(): Promise<{ status: string }>;
  /** State of the circuit breaker of a route group such as `customers`. */
  breakerState: HttpClient["breakerState"];
  /** How many times a route group's breaker has opened since start. */
  breakerOpenings: HttpClient["breakerOpenings"];
  close(): void;
}

export interface CustomerApiOptions {
  baseUrl: string;
  credentials: ApiCredentials;
  /** The `api` block of the configuration: timeouts, retries, breaker, concurrency. */
  settings: Config["api"];
  /** The `cache` block; absent = no cache (single flight still applies). */
  cache?: Config["cache"];
  logger: Logger;
  userAgent: string;
  /** Injected in tests so retry schedules are asserted, not waited for. */
  timing?: RetryTiming;
  /** Overrides the provider built from `credentials`. */
  auth?: AuthProvider;
  onResponse?: HttpClientOptions["onResponse"];
  /** Upstream bodies larger than this fail as upstream_invalid instead of being buffered (default 16 MiB). */
  maxResponseBytes?: number;
  /** Where writes seen done are kept, by idempotency key (the process's IdempotencyStore); defaults to the client. */
  doneWrites?: HttpClientOptions["doneWrites"];
}

export function resilienceSettingsOf(api: Config["api"], cache?: Config["cache"]): ResilienceSettings {
  return {
    timeoutMs: api.timeoutMs,
    callTimeoutMs: api.callTimeoutMs,
    retry: {
      maxRetries: api.maxRetries,
      baseDelayMs: api.retryBaseDelayMs,
      maxDelayMs: api.retryMaxDelayMs,
      retryAfterCapMs: api.retryAfterCapMs,
    },
    retryBudget: { percent: api.retryBudgetPercent, minPerSecond: api.retryBudgetMinPerSecond },
    breaker: {
      failurePercent: api.breakerFailurePercent,
      windowMs: api.breakerWindowMs,
      minimumAttempts: api.breakerMinAttempts,
      cooldownMs: api.breakerCooldownMs,
    },
    maxConcurrency: api.maxConcurrency,
    maxQueue: api.maxQueue,
    cache: cache ?? { ttlMs: 0, maxEntries: 1, staleMaxAgeMs: 0 },
  };
}

function authFor(options: CustomerApiOptions): AuthProvider {
  if (options.auth) return options.auth;
  const { credentials } = options;
  if (credentials.kind === "api_key") return staticKeyAuth(credentials.apiKey);
  return clientCredentialsAuth({
    tokenUrl: credentials.tokenUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    ...(credentials.scope ? { scope: credentials.scope } : {}),
    timeoutMs: options.settings.timeoutMs,
    logger: options.logger,
    userAgent: options.userAgent,
    now: (options.timing ?? realTiming).now,
  });
}

export function createCustomerApi(options: CustomerApiOptions): CustomerApi {
  const http: HttpClient = createHttpClient({
    baseUrl: options.baseUrl,
    auth: authFor(options),
    settings: resilienceSettingsOf(options.settings, options.cache),
    logger: options.logger,
    timing: options.timing ?? realTiming,
    userAgent: options.userAgent,
    onResponse: options.onResponse,
    ...(options.doneWrites ? { doneWrites: options.doneWrites } : {}),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
  return {
    customers: customersApi(http),
    segments: segmentsApi(http),
    transactions: transactionsApi(http),
    tickets: ticketsApi(http),
    exports: exportsApi(http),
    withCall: (callOptions, fn) => http.withCall(callOptions, fn),
    outsideDeadline: (fn) => http.outsideDeadline(fn),
    health: async () => (await http.request({ method: "GET", path: "/health", schema: HealthSchema })).data,
    breakerState: (group) => http.breakerState(group),
    breakerOpenings: (group) => http.breakerOpenings(group),
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
export type { CallScope } from "./scope.js";
export type { NewTicket, TicketChange, TicketSearch } from "./tickets.js";
export type { RefundRequest } from "./transactions.js";

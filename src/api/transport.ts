// One HTTP attempt against the customer API with axios: keep-alive agents, a timeout that covers the whole
// body, cancellation, bearer auth, and zod validation of every 2xx body. The policies around it (retries,
// breakers, cache) live in http.ts; nothing outside src/api/ ever sees an axios object.
import { createHash } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { AxiosError, AxiosInstance, AxiosResponse, AxiosStatic } from "axios";
import type { z } from "zod";
import type { AuthProvider } from "./auth.js";
import {
  type ApiError,
  ApiAuthError,
  apiErrorFromResponse,
  apiErrorFromTransport,
  describeIssues,
  invalidResponse,
  isApiError,
  type TransportFailure,
} from "./errors.js";
import { parseRetryAfterMs } from "./retry.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";
export type QueryValue = string | number | boolean | undefined;

export interface HttpRequest<T> {
  method: HttpMethod;
  /** Path below the base URL; every dynamic segment must already be encoded (see `pathOf`). */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Sent as `Idempotency-Key`; a POST without one is never retried. */
  idempotencyKey?: string;
  /** Validates the 2xx body. Text responses (downloads) are validated as a string. */
  schema: z.ZodType<T>;
  responseType?: "json" | "text";
  /** Aborts the request and any retry when the tool call is cancelled. */
  signal?: AbortSignal;
  /**
   * The `X-On-Behalf-Of` value (contract v1.1), already encoded by onBehalfOfHeader: the person or agent the call
   * is for. Grants nothing upstream.
   */
  onBehalfOf?: string;
}

const HASHED = "sha256:";

/**
 * The contract's X-On-Behalf-Of value: 1-255 visible ASCII characters, one value per subject (two subjects must
 * never be named alike; the contract has no place for a tenant, so an IdP's subjects must be unique per issuer).
 * A visible-ASCII subject without `%` that does not start with `sha256:` is sent as it is.
 * Any other (an IdP may use any Unicode) is percent-encoded, which always yields a `%` and so never meets a
 * subject sent as it is; one still longer than 255 is sent as `sha256:` and the hex SHA-256 of its UTF-8, which
 * the audit trail's subject can be matched against. Subjects are well-formed Unicode (claims.ts refuses others).
 */
export function onBehalfOfHeader(subject: string): string {
  if (/^[\x21-\x24\x26-\x7e]{1,255}$/.test(subject) && !subject.startsWith(HASHED)) return subject;
  const encoded = encodeURIComponent(subject);
  return encoded.length <= 255 && encoded.length > 0
    ? encoded
    : `${HASHED}${createHash("sha256").update(subject).digest("hex")}`;
}

export interface HttpResult<T> {
  data: T;
  /** The upstream's `X-Request-Id` of the answer that was used. */
  requestId: string | undefined;
  /**
   * True when the upstream replayed the result of a write made before this request began. A replay of the
   * request's own earlier attempt (its answer was lost and the retry replayed it) is not one: see http.ts.
   */
  replayed: boolean;
  attempts: number;
  /** Size of the raw upstream body, for measuring how much the projections save. */
  rawBytes: number;
}

/** One completed upstream exchange, for metrics and measurements (never carries headers or bodies). */
export interface ResponseEvent {
  method: HttpMethod;
  path: string;
  status: number;
  rawBytes: number;
  requestId: string | undefined;
  attempt: number;
}

export interface TransportOptions {
  baseUrl: string;
  auth: AuthProvider;
  userAgent: string;
  now(): number;
  /** Upstream bodies larger than this are refused rather than buffered. */
  maxResponseBytes?: number;
  /** Called after every upstream answer that was read in full, successful or not. */
  onResponse?: (event: ResponseEvent) => void;
}

export interface Transport {
  /** Sends one attempt; `timeoutMs` bounds it end to end, `signal` cancels it. */
  attempt<T>(request: HttpRequest<T>, callId: string, attemptNo: number, timeoutMs: number): Promise<HttpResult<T>>;
  close(): void;
}

/** Far above any page the tools ask for (a 100-item page is well under 1 MiB); what exceeds it is not buffered. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Joins path segments, encoding each dynamic one so an id can never change the route. encodeURIComponent keeps
 * dots, and URL parsing resolves a "." or ".." segment, so those (and empty segments) are refused.
 */
export function pathOf(strings: TemplateStringsArray, ...segments: string[]): string {
  for (const segment of segments) {
    if (/^\.{0,2}$/.test(segment)) {
      throw new TypeError("pathOf: a path segment must not be empty, \".\" or \"..\"");
    }
  }
  return strings.reduce(
    (out, part, i) => out + part + (i < segments.length ? encodeURIComponent(segments[i] ?? "") : ""),
    "",
  );
}

/**
 * axios, imported on first use rather than at start: it is a large share of the code loaded before `initialize`
 * can be answered, and no request is made before then. index.ts starts the import once the server is connected.
 */
export async function loadHttpLibrary(): Promise<AxiosStatic> {
  return (await import("axios")).default;
}

/** Same as axios.isAxiosError, without needing axios loaded. */
export function isAxiosError(error: unknown): error is AxiosError {
  return typeof error === "object" && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true;
}

/**
 * An axios instance that hands back raw text for every status: callers parse and validate themselves, so a
 * malformed body is a typed error, never a silent string. No redirects: one would re-send the credentials to
 * wherever it points.
 */
export async function rawTextClient(options: {
  baseUrl?: string;
  userAgent: string;
  maxSockets: number;
  maxContentLength: number;
}): Promise<{ instance: AxiosInstance; destroy(): void }> {
  const axios = await loadHttpLibrary();
  const maxFreeSockets = Math.ceil(options.maxSockets / 4);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const instance = axios.create({
    ...(options.baseUrl ? { baseURL: options.baseUrl.replace(/\/+$/, "") } : {}),
    httpAgent,
    httpsAgent,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: options.maxContentLength,
    maxBodyLength: 1024 * 1024,
    headers: { Accept: "application/json", "User-Agent": options.userAgent },
  });
  return {
    instance,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export function createTransport(options: TransportOptions): Transport {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // Created on the first request (see loadHttpLibrary); the promise is shared by every attempt.
  let client: ReturnType<typeof rawTextClient> | undefined;
  const http = () => (client ??= rawTextClient({
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    maxSockets: 128,
    maxContentLength: maxResponseBytes,
  }));

  async function attempt<T>(
    request: HttpRequest<T>,
    callId: string,
    attemptNo: number,
    timeoutMs: number,
  ): Promise<HttpResult<T>> {
    // Loading the library (once per process) is not the API's time: it happens before the attempt's clock starts.
    const { instance } = await http();
    const timeout = new AbortController();
    // A TimeoutError reason lets code waiting on the signal (the token provider) tell a timeout from a cancel.
    const timer = setTimeout(() => timeout.abort(new DOMException("attempt timed out", "TimeoutError")), timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
    let response: AxiosResponse<string>;
    let authorization: string;
    let sending = false;
    try {
      authorization = await options.auth.authorization(signal);
      sending = true;
      response = await instance.request<string>({
        method: request.method,
        url: request.path,
        params: request.query ? definedOnly(request.query) : undefined,
        data: request.body,
        signal,
        headers: {
          Authorization: authorization,
          "X-Request-Id": callId,
          ...(request.body === undefined ? {} : { "Content-Type": "application/json" }),
          ...(request.idempotencyKey ? { "Idempotency-Key": request.idempotencyKey } : {}),
          ...(request.onBehalfOf ? { "X-On-Behalf-Of": request.onBehalfOf } : {}),
        },
      });
    } catch (error) {
      const failure = isApiError(error)
        ? error
        : attemptFailure(error, { callerSignal: request.signal, timeoutSignal: timeout.signal, maxResponseBytes });
      // Without a token there was no request: nothing reached the API.
      throw sending ? failure : failure.markNotApplied();
    } finally {
      clearTimeout(timer);
    }
    try {
      return interpret(request, response, attemptNo);
    } catch (error) {
      // The header stays in this function: the provider learns which token was refused, the error only
      // whether a retry with new credentials is worth it.
      if (error instanceof ApiAuthError && error.status === 401) {
        error.renewable = options.auth.invalidate(authorization);
      }
      throw error;
    }
  }

  function interpret<T>(request: HttpRequest<T>, response: AxiosResponse<string>, attemptNo: number): HttpResult<T> {
    const headers = response.headers;
    const requestId = headerString(headers["x-request-id"]);
    const raw = typeof response.data === "string" ? response.data : "";
    options.onResponse?.({
      method: request.method,
      path: request.path,
      status: response.status,
      rawBytes: Buffer.byteLength(raw),
      requestId,
      attempt: attemptNo,
    });
    if (response.status < 200 || response.status >= 300) {
      throw apiErrorFromResponse({
        status: response.status,
        body: parseJsonOrUndefined(raw),
        requestId,
        retryAfterMs: parseRetryAfterMs(headerString(headers["retry-after"]), options.now()),
      });
    }
    let body: unknown = raw;
    if (request.responseType !== "text") {
      try {
        body = raw === "" ? null : JSON.parse(raw);
      } catch (cause) {
        throw invalidResponse("malformed JSON", { cause, status: response.status, requestId });
      }
    }
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) {
      throw invalidResponse(describeMismatch(parsed.error), {
        cause: parsed.error,
        status: response.status,
        requestId,
      });
    }
    return {
      data: parsed.data,
      requestId,
      replayed: headerString(headers["idempotent-replayed"]) === "true",
      attempts: 1,
      rawBytes: Buffer.byteLength(raw),
    };
  }

  return {
    attempt,
    close() {
      void client?.then(({ destroy }) => destroy());
    },
  };
}

/** The typed error for an attempt that got no complete answer. */
function attemptFailure(
  error: unknown,
  context: { callerSignal: AbortSignal | undefined; timeoutSignal: AbortSignal; maxResponseBytes: number },
): ApiError {
  const cause = sanitizedCause(error);
  if (/maxContentLength/.test(cause.message)) {
    return invalidResponse(`body larger than ${context.maxResponseBytes} bytes`, { cause });
  }
  const failure = apiErrorFromTransport(transportFailure(error, context.callerSignal, context.timeoutSignal), cause);
  // No connection was made, so no request reached the API.
  return isAxiosError(error) && NO_CONNECTION.has(error.code ?? "") ? failure.markNotApplied() : failure;
}

/** Socket errors that mean the connection was never established. */
const NO_CONNECTION: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function transportFailure(
  error: unknown,
  callerSignal: AbortSignal | undefined,
  timeoutSignal: AbortSignal,
): TransportFailure {
  if (callerSignal?.aborted) return "cancelled";
  if (timeoutSignal.aborted) return "timeout";
  if (isAxiosError(error) && (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT"))
    return "timeout";
  return "network";
}

/**
 * Axios errors carry the whole request config, Authorization header included; only their code and message
 * (which name the failure, never a credential) are kept for the log.
 */
export function sanitizedCause(error: unknown): Error {
  if (isAxiosError(error)) {
    const cause = new Error(error.code ? `${error.code}: ${error.message}` : error.message);
    cause.name = "TransportError";
    return cause;
  }
  return error instanceof Error ? error : new Error(String(error));
}

function definedOnly(query: Record<string, QueryValue>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value;
  return out;
}

export function headerString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseJsonOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Names the first mismatching field without quoting any upstream value. */
function describeMismatch(error: z.ZodError): string {
  return describeIssues(error.issues.slice(0, 1));
}

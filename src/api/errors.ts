// Upstream failures, typed. One factory (`apiErrorFromResponse` / `apiErrorFromTransport`) turns what the
// HTTP layer saw into exactly one of these classes, so retry rules and the tool boundary can switch on type,
// never on strings. Messages are written for the model and never quote the upstream body.
import { AppError, type AppErrorOptions, type ErrorCode } from "../errors.js";

export interface ApiErrorDetails extends AppErrorOptions {
  status?: number;
  /** The upstream `X-Request-Id`, for correlating with the API team's logs. */
  requestId?: string;
  /** The argument the upstream blamed (`error.param`), when it said. */
  param?: string;
}

export abstract class ApiError extends AppError {
  /** Whether the same request may succeed if sent again (for requests that are safe to repeat). */
  abstract readonly transient: boolean;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly param: string | undefined;

  constructor(message: string, details: ApiErrorDetails = {}) {
    super(message, details);
    this.status = details.status;
    this.requestId = details.requestId;
    this.param = details.param;
  }

  #knownNotApplied = false;

  /**
   * True when the request certainly changed nothing upstream: the API answered with a refusal (4xx), or the HTTP
   * layer knows no attempt of it reached the API. A timeout, a dropped connection or a 5xx may follow a commit,
   * so for those it is false.
   */
  get notApplied(): boolean {
    return this.#knownNotApplied || (this.status !== undefined && this.status >= 400 && this.status < 500);
  }

  /** For the HTTP layer, which knows when a request never left this server (a queue that ended, no token). */
  markNotApplied(): this {
    this.#knownNotApplied = true;
    return this;
  }

  #undone = false;

  /** True when what the call had written was taken back before it ended (an export cancelled upstream). */
  get undone(): boolean {
    return this.#undone;
  }

  /** For a tool that undid its own write before failing: the call then changed nothing. */
  markUndone(): this {
    this.#undone = true;
    return this;
  }
}

export class ApiNotFoundError extends ApiError {
  readonly code = "not_found" as const;
  readonly transient = false;
}

export class ApiValidationError extends ApiError {
  readonly code = "invalid_request" as const;
  readonly transient = false;
}

/** Base of the classes that cover several related codes; the factory picks the code. */
abstract class ApiErrorWithCode<C extends ErrorCode> extends ApiError {
  readonly code: C;

  constructor(code: C, message: string, details?: ApiErrorDetails) {
    super(message, details);
    this.code = code;
  }
}

export class ApiAuthError extends ApiErrorWithCode<"authentication_failed" | "permission_denied"> {
  readonly transient = false;
  /** Set on a 401 when the credentials provider has (or can get) a newer token worth one more try. */
  renewable = false;
}

export class ApiConflictError extends ApiErrorWithCode<"conflict" | "idempotency_conflict" | "refund_exceeds_remaining"> {
  readonly transient = false;
}

export class ApiRateLimitError extends ApiError {
  readonly code = "rate_limited" as const;
  readonly transient = true;
}

/** 5xx and 408: the upstream failed or is overloaded. */
export class ApiServerError extends ApiErrorWithCode<"backend_unavailable" | "backend_error"> {
  readonly transient = true;
}

/** The request never got a complete answer: refused, reset, or the body was cut off. */
export class ApiNetworkError extends ApiError {
  readonly code = "backend_unavailable" as const;
  readonly transient = true;
}

export class ApiTimeoutError extends ApiError {
  readonly code = "timeout" as const;
  readonly transient = true;
}

/** The caller cancelled: never retried, never reported as the backend's fault. */
export class ApiCancelledError extends ApiError {
  readonly code = "cancelled" as const;
  readonly transient = false;
}

/** The upstream answered 2xx with something that is not the contract (bad JSON or wrong shape). */
export class ApiInvalidResponseError extends ApiError {
  readonly code = "upstream_invalid" as const;
  readonly transient = false;
}

/** What the HTTP layer knows about a non-2xx answer. */
export interface ErrorResponse {
  status: number;
  /** Parsed JSON body when there was one; only `error.type` and `error.param` are ever read from it. */
  body: unknown;
  requestId: string | undefined;
  retryAfterMs: number | undefined;
}

function upstreamErrorFields(body: unknown): { type?: string; param?: string } {
  if (typeof body !== "object" || body === null || !("error" in body)) return {};
  const error = (body as { error: unknown }).error;
  if (typeof error !== "object" || error === null) return {};
  const { type, param } = error as { type?: unknown; param?: unknown };
  return {
    ...(typeof type === "string" ? { type } : {}),
    // `param` names an argument; keep it only when it looks like one so it is safe to echo.
    ...(typeof param === "string" && /^[a-z][a-z0-9_.]{0,63}$/.test(param) ? { param } : {}),
  };
}

/** Builds the typed error for a non-2xx upstream answer. */
export function apiErrorFromResponse(response: ErrorResponse): ApiError {
  const { status, requestId, retryAfterMs } = response;
  const { type, param } = upstreamErrorFields(response.body);
  const details: ApiErrorDetails = { status, requestId, param, retryAfterMs };

  if (status === 404) {
    return new ApiNotFoundError("The customer API has no record with that id.", {
      ...details,
      nextStep: "Check the id; find valid ids with a search tool first.",
    });
  }
  if (status === 401) {
    return new ApiAuthError("authentication_failed", "The customer API rejected this server's credentials.", {
      ...details,
      nextStep: "Tell the user an operator must check the server's API credentials; retrying will not help.",
    });
  }
  if (status === 403) {
    return new ApiAuthError(
      "permission_denied",
      "The customer API does not allow this action for this server's credentials.",
      {
        ...details,
        nextStep: "Ask an operator to grant the API credentials access, or choose another action.",
      },
    );
  }
  if (status === 409) {
    return new ApiConflictError("conflict", "The record is not in a state that allows this action.", {
      ...details,
      nextStep: "Read the record again to see its current state before retrying.",
    });
  }
  if (status === 422 && type === "idempotency_conflict") {
    return new ApiConflictError(
      "idempotency_conflict",
      "This idempotency key was already used for a different request.",
      { ...details, nextStep: "Use a new idempotency key for a different request." },
    );
  }
  if (status === 422 && type === "refund_exceeds_remaining") {
    return new ApiConflictError(
      "refund_exceeds_remaining",
      "The refund is larger than what remains refundable.",
      {
        ...details,
        nextStep: "Read the transaction to see its refundable amount and refund at most that.",
      },
    );
  }
  if (status === 400 || status === 422) {
    const what = param ? ` (argument \`${param}\`)` : "";
    return new ApiValidationError(`The customer API rejected the request as invalid${what}.`, {
      ...details,
      nextStep: "Check the arguments against the tool's schema and try again with corrected values.",
    });
  }
  if (status === 429) {
    return new ApiRateLimitError("The customer API is rate limiting this server.", {
      ...details,
      nextStep: "Wait for retry_after_ms (or a few seconds) before calling again.",
    });
  }
  if (status === 408 || status === 502 || status === 503 || status === 504) {
    return new ApiServerError("backend_unavailable", "The customer API is temporarily unavailable.", {
      ...details,
      nextStep: "Try again shortly; if it persists, tell the user the customer system is down.",
    });
  }
  if (status >= 500) {
    return new ApiServerError("backend_error", "The customer API failed while handling the request.", {
      ...details,
      nextStep: "Try again once; if it fails again, tell the user and include the request id.",
    });
  }
  return new ApiValidationError(`The customer API answered with unexpected status ${status}.`, details);
}

/** How a request failed before a complete answer arrived. */
export type TransportFailure = "timeout" | "cancelled" | "network";

export function apiErrorFromTransport(failure: TransportFailure, cause: unknown): ApiError {
  switch (failure) {
    case "timeout":
      return new ApiTimeoutError("The customer API did not answer in time.", {
        cause,
        nextStep: "Try again; narrow the request (smaller limit, more filters) if it keeps timing out.",
      });
    case "cancelled":
      return new ApiCancelledError("The request was cancelled before it finished.", { cause });
    case "network":
      return new ApiNetworkError("The customer API could not be reached or dropped the connection.", {
        cause,
        nextStep: "Try again shortly; if it persists, tell the user the customer system is unreachable.",
      });
  }
}

/**
 * The error for a 2xx answer that breaks the contract. Its cause is logged (src/pipeline/boundary.ts), so it is
 * reduced to what names the failure without quoting the body: JSON.parse's SyntaxError repeats the start of the body
 * (a short one whole, tokens and customer text included), so it never travels on as the cause, whoever passes it.
 */
export function invalidResponse(reason: string, details: ApiErrorDetails = {}): ApiInvalidResponseError {
  const { cause, ...rest } = details;
  return new ApiInvalidResponseError(
    `The customer API sent a response that does not match its contract (${reason}).`,
    {
      ...rest,
      ...(cause === undefined ? {} : { cause: bodyFreeCause(cause) }),
      nextStep: "This is an upstream fault; tell the user and do not retry in a loop.",
    },
  );
}

/** A cause that says what failed without any text taken from the upstream body. */
function bodyFreeCause(cause: unknown): Error {
  // The transport's own causes (src/api/transport.ts sanitizedCause) hold a code and the HTTP library's message.
  if (cause instanceof Error && cause.name === "TransportError") return cause;
  const issues = (cause as { issues?: unknown } | null)?.issues;
  const safe = new Error(
    cause instanceof SyntaxError
      ? "the body is not valid JSON"
      : Array.isArray(issues)
        ? describeIssues(issues as Array<{ path?: unknown; code?: unknown }>)
        : "the body could not be read",
  );
  safe.name = cause instanceof Error ? cause.name : "Error";
  return safe;
}

/**
 * "field `data.0.currency`: custom; …" for up to five zod issues. Path segments are array indices or schema keys;
 * anything else (a key the upstream chose) is shown as `[key]`.
 */
export function describeIssues(issues: ReadonlyArray<{ path?: unknown; code?: unknown }>): string {
  if (issues.length === 0) return "unexpected shape";
  const describe = (issue: { path?: unknown; code?: unknown }) => {
    const path = Array.isArray(issue.path) && issue.path.length > 0
      ? issue.path.map((segment) => (typeof segment === "number" || (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(segment)) ? String(segment) : "[key]")).join(".")
      : "body";
    const code = typeof issue.code === "string" && /^[a-z_]{1,40}$/.test(issue.code) ? issue.code : "invalid";
    return `field \`${path}\`: ${code}`;
  };
  const shown = issues.slice(0, 5).map(describe).join("; ");
  return issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown;
}

/** Narrowing helper for callers that only need the code. */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export type { ErrorCode };

/** This server's circuit breaker for the route group is open: failing fast instead of calling a failing API. */
export class ApiCircuitOpenError extends ApiError {
  readonly code = "backend_unavailable" as const;
  readonly transient = false;

  /** Never sent. */
  override get notApplied(): boolean {
    return true;
  }
}

/**
 * A write was sent and may have been done, but no usable answer says so: the connection dropped, the attempt
 * timed out or was cancelled, the API failed with a 5xx, or it accepted the write with a body that breaks the
 * contract. Repeating the same call replays it (same idempotency key); a new key could do it twice.
 */
export class ApiOutcomeUnknownError extends ApiError {
  readonly code = "outcome_unknown" as const;
  readonly transient = false;

  /** `repeatable`: sending the request again cannot do it twice (it has an idempotency key, or is a PATCH). */
  constructor(cause: ApiError, repeatable: boolean) {
    super(
      unknownOutcomeMessage(cause.status),
      {
        cause,
        status: cause.status,
        requestId: cause.requestId,
        nextStep: repeatable
          ? "Repeat this exact call, with the same arguments (and the same idempotency_key, if you gave one): it is "
          + "done at most once, and returns the result if it was already done. Never retry it with changed "
          + "arguments or a new idempotency_key. If repeating keeps failing, tell the user the outcome is unknown."
          : "Do not repeat it: it could be done twice. Tell the user to check in the customer system whether it was done.",
      },
    );
  }

  override get notApplied(): boolean {
    return false;
  }
}

function unknownOutcomeMessage(status: number | undefined): string {
  if (status !== undefined && status >= 200 && status < 300) {
    return "The customer API accepted this write, but its answer does not match the contract, so the result cannot be shown.";
  }
  if (status !== undefined && status >= 500) {
    return `The customer API failed (HTTP ${status}) while handling this write, so whether it was done is unknown.`;
  }
  return "This write was sent to the customer API, but no answer came back, so whether it was done is unknown.";
}

/** This server's own concurrency limit is full: refused at once rather than queued without bound. */
export class ApiOverloadedError extends ApiError {
  readonly code = "rate_limited" as const;
  readonly transient = false;

  /** Never sent. */
  override get notApplied(): boolean {
    return true;
  }
}

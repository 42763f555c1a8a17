// The error taxonomy the rest of the server speaks. Every failure a tool call can meet is either one of these
// classes (expected: the model gets an actionable message) or anything else (unexpected: the model gets a
// generic message with an incident id, the stack goes to the log). Upstream failures live in api/errors.ts and
// extend AppError so the boundary treats both levels alike.

/** Stable codes the model sees as `error_code`. Adding one is an API change: document it in the README. */
export const ERROR_CODES = [
  "invalid_arguments",
  "not_found",
  "invalid_request",
  "authentication_failed",
  "permission_denied",
  "conflict",
  "idempotency_conflict",
  "refund_exceeds_remaining",
  "rate_limited",
  "backend_unavailable",
  "backend_error",
  "timeout",
  "cancelled",
  "upstream_invalid",
  "outcome_unknown",
  "result_too_large",
  "server_shutting_down",
  "confirmation_declined",
  "confirmation_required",
  "limit_exceeded",
  "audit_unavailable",
  "state_unavailable",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  cause?: unknown;
  /** What the caller (usually a model) should do next. Must be safe to show. */
  nextStep?: string;
  /** When retrying makes sense, how long to wait first. */
  retryAfterMs?: number;
}

/**
 * Base of every expected error. `message` is written for the caller and must never contain upstream bodies,
 * secrets, URLs or stack traces; diagnostic detail belongs in `cause`, which only reaches the log.
 */
export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  readonly nextStep: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.nextStep = options.nextStep;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface InputIssue {
  /** Dotted path of the argument, e.g. `customer_id` or `filter.status`. */
  path: string;
  message: string;
}

/** The caller's arguments are wrong; the message says which and how to fix them. */
export class UserInputError extends AppError {
  readonly code = "invalid_arguments" as const;
  readonly issues: readonly InputIssue[];

  constructor(message: string, issues: readonly InputIssue[] = [], options: AppErrorOptions = {}) {
    super(message, {
      nextStep: "Correct the arguments listed in `issues` and call the tool again.",
      ...options,
    });
    this.issues = issues;
  }
}

/** The operator's configuration is invalid. Carries one plain sentence per problem. */
export class ConfigurationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join(" "));
    this.name = "ConfigurationError";
    this.problems = problems;
  }
}

/** The server's own policy refuses the action (not the upstream API). */
export class PolicyDeniedError extends AppError {
  readonly code = "permission_denied" as const;
}

/** This server's own per-tool rate limit refused the call. */
export class CallRateLimitedError extends AppError {
  readonly code = "rate_limited" as const;
}

/** The server is stopping and takes no new calls. */
export class ShuttingDownError extends AppError {
  readonly code = "server_shutting_down" as const;
}

/** The user declined or cancelled the confirmation of a write: nothing was done. */
export class ConfirmationDeclinedError extends AppError {
  readonly code = "confirmation_declined" as const;
}

/** The write needs a human's confirmation and this client cannot ask for one (fail closed): nothing was done. */
export class ConfirmationRequiredError extends AppError {
  readonly code = "confirmation_required" as const;
}

/** Even cut short, a result would exceed the response budget; nothing was written by reading it. */
export class ResultTooLargeError extends AppError {
  readonly code = "result_too_large" as const;
}

/** An operator-set limit (an amount per refund or per session) refuses the write: nothing was done. */
export class LimitExceededError extends AppError {
  readonly code = "limit_exceeded" as const;
}

/** The audit trail cannot be written, so a write is refused (fail closed) until it can: nothing was done. */
export class AuditUnavailableError extends AppError {
  readonly code = "audit_unavailable" as const;
}

/**
 * The shared state that guards writes and money (Redis, src/state/redis.ts) cannot be reached or did not answer in
 * time, so a write or refund is refused (fail closed) before it changed anything. Reads do not need it.
 */
export class StateUnavailableError extends AppError {
  readonly code = "state_unavailable" as const;
}

// The error boundary's logic, kept free of the MCP SDK: argument validation with actionable messages, and the
// translation of any thrown value into the one error payload the model sees. Expected errors (AppError) keep
// their safe message and next step; anything else becomes a generic message with an incident id, and only the
// log gets the details.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { z } from "zod";
import { isApiError } from "../api/errors.js";
import { AppError, type ErrorCode, type InputIssue, UserInputError } from "../errors.js";

/** Outcomes caused by the caller's request, not by a fault: logged at info, not warn. */
const CALLER_ERRORS: ReadonlySet<ErrorCode> = new Set([
  "invalid_arguments",
  "not_found",
  "cancelled",
  "conflict",
  "idempotency_conflict",
  "refund_exceeds_remaining",
]);

export interface ErrorPayload {
  error_code: ErrorCode;
  message: string;
  next_step?: string;
  retry_after_ms?: number;
  issues?: readonly InputIssue[];
  incident_id?: string;
}

export function newIncidentId(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Validates tool arguments. Some clients send numbers, booleans, objects or arrays as strings
 * ("20", "true", "{...}"); where the schema expects one of those at the top level and the string reads
 * unambiguously as it, the string is accepted.
 */
export function parseArguments<T>(schema: z.ZodType<T>, args: unknown): T {
  const first = schema.safeParse(args ?? {});
  if (first.success) return first.data;
  const coerced = coerceStringArguments(args, first.error);
  if (coerced !== undefined) {
    const second = schema.safeParse(coerced);
    if (second.success) return second.data;
    throw inputError(second.error);
  }
  throw inputError(first.error);
}

function coerceStringArguments(args: unknown, error: z.ZodError): Record<string, unknown> | undefined {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return undefined;
  const copy: Record<string, unknown> = { ...(args as Record<string, unknown>) };
  let changed = false;
  for (const issue of error.issues) {
    if (issue.code !== "invalid_type" || issue.path.length !== 1) continue;
    const key = String(issue.path[0]);
    const value = copy[key];
    if (typeof value !== "string") continue;
    const converted = convertString(value, issue.expected);
    if (converted !== undefined) {
      copy[key] = converted;
      changed = true;
    }
  }
  return changed ? copy : undefined;
}

function convertString(value: string, expected: string): unknown {
  const text = value.trim();
  if (expected === "number" && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (expected === "boolean" && (text === "true" || text === "false")) return text === "true";
  if (expected === "object" || expected === "array") {
    try {
      const parsed: unknown = JSON.parse(text);
      const isArray = Array.isArray(parsed);
      if (expected === "array" ? isArray : typeof parsed === "object" && parsed !== null && !isArray)
        return parsed;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function inputError(error: z.ZodError): UserInputError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join(".") : "(arguments)",
    message: describeIssue(issue),
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return new UserInputError(`Invalid arguments: ${summary}.`, issues);
}

/** What an argument name looks like; anything else (an email sent as a key, a sentence) is not echoed. */
export const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    // The names are the caller's text: ones that look like argument names are echoed (a typo is worth
    // naming), others only counted, so data sent as a key never lands in the result, the log or the audit.
    const named = issue.keys.filter((key) => ARGUMENT_NAME.test(key));
    const unnamed = issue.keys.length - named.length;
    const list = [
      ...named.map((key) => `\`${key}\``),
      ...(unnamed > 0 ? [`${unnamed} with ${unnamed === 1 ? "a name" : "names"} not shown`] : []),
    ].join(", ");
    return `unknown argument(s) ${list}; check the tool's input schema`;
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) return "is required";
  return issue.message;
}

/** Turns anything thrown during a call into the payload the model sees, logging it at the right level. */
export function toErrorPayload(error: unknown, log: Logger): ErrorPayload {
  if (error instanceof AppError) {
    const payload: ErrorPayload = { error_code: error.code, message: error.message };
    if (error.nextStep) payload.next_step = error.nextStep;
    if (error.retryAfterMs !== undefined) payload.retry_after_ms = error.retryAfterMs;
    if (error instanceof UserInputError && error.issues.length) payload.issues = error.issues;
    // Expected errors are logged without a stack: the code, the upstream status and request id, and the
    // cause's message are what an operator needs to correlate with the API's logs.
    log[CALLER_ERRORS.has(error.code) ? "info" : "warn"](
      {
        error_code: error.code,
        ...(isApiError(error) ? { upstream_status: error.status, upstream_request_id: error.requestId } : {}),
        ...(error.cause instanceof Error ? { cause: error.cause.message } : {}),
      },
      "tool call failed",
    );
    return payload;
  }
  const incidentId = newIncidentId();
  log.error({ incident_id: incidentId, err: error }, "unexpected error in tool call");
  return {
    error_code: "internal_error",
    message: `The server hit an unexpected error (incident ${incidentId}).`,
    next_step: "Do not retry in a loop; tell the user and mention the incident id.",
    incident_id: incidentId,
  };
}

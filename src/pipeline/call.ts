// The call pipeline. Every MCP request that reads or changes customer data (tools/call, resources/read,
// prompts/get, completion/complete) runs through the same five steps, so none of them can skip a guard:
//
//   admit   shutdown intake, the principal's grant, the audit trail's health for writes, the rate limit
//   parse   the arguments against their schema (a clear invalid_arguments when they do not fit)
//   run     the handler inside a call scope: deadline, cancellation signal and the principal's subject, carried in
//           AsyncLocalStorage so every API request of the call follows them
//   present what the principal may see: PII masked, texts clipped, the response budget, the output schema
//   record  one audit record, whatever happened
//
// The MCP adapters (src/mcp/) only translate: a request into a CallPlan, an outcome into the wire shape.
import type { Logger } from "pino";
import { isApiError } from "../api/errors.js";
import type { CallScope } from "../api/index.js";
import { ShuttingDownError } from "../errors.js";
import { admit, type Admission } from "./admit.js";
import type { CallTicket } from "./lifecycle.js";
import type { CallMethod, CallTarget, OpenAuditRecord } from "./audit.js";
import { type ErrorPayload, newIncidentId, toErrorPayload } from "./boundary.js";
import { type Principal, principalKey } from "./principal.js";
import type { PipelineRuntime } from "./runtime.js";

export type { PipelineRuntime } from "./runtime.js";

export interface CallRequest {
  readonly method: CallMethod;
  readonly target: CallTarget;
  /** As the client sent them: recorded (hashed and summarised) before anything else looks at them. */
  readonly arguments: unknown;
  readonly principal: Principal;
  /** The client's cancellation of this request. */
  readonly signal: AbortSignal;
}

/** The call while it runs, as `run` and `present` see it. */
export interface RunningCall {
  readonly id: string;
  readonly principal: Principal;
  readonly signal: AbortSignal;
  /** Whether shutdown, not the client, stopped the call (after the grace period). */
  stoppedByShutdown(): boolean;
  /** Child logger with the method, the target and the call id. */
  readonly log: Logger;
  /** The call's audit record, for the decision and the idempotency key a handler learns. */
  readonly record: OpenAuditRecord;
}

/** What one kind of call does at each step. */
export interface CallPlan<Args, Result, Shown> {
  readonly admission: Admission;
  parse(raw: unknown): Args;
  /** The deadline of the call's API work, waits for a person excluded. */
  readonly deadlineMs: number;
  /** Whether the call bypasses cached reads. */
  fresh?(args: Args): boolean;
  run(args: Args, call: RunningCall): Promise<Result>;
  present(result: Result, call: RunningCall, scope: CallScope | undefined): Shown;
}

export type CallOutcome<Shown> =
  | { ok: true; value: Shown }
  | { ok: false; error: unknown; payload: ErrorPayload };

/** Runs one call through every step; never throws (a failure is an outcome with the payload the client sees). */
export async function runCall<Args, Result, Shown>(
  runtime: PipelineRuntime,
  request: CallRequest,
  plan: CallPlan<Args, Result, Shown>,
): Promise<CallOutcome<Shown>> {
  const { ctx } = runtime;
  const id = newIncidentId();
  const { principal } = request;
  const record = runtime.audit.begin({
    callId: id,
    method: request.method,
    target: request.target,
    arguments: request.arguments,
    principal,
  });
  const log = ctx.logger.child({ method: request.method, ...request.target, call_id: id });
  let scope: CallScope | undefined;
  const fail = (error: unknown, ticket?: CallTicket): CallOutcome<Shown> => {
    const stopped = ticket?.stoppedByShutdown ? shutdownOutcome(error, scope) : { error };
    const payload = toErrorPayload(stopped.error, log);
    const outcome = payload.error_code === "outcome_unknown" ? "unknown" : (stopped.outcome ?? "error");
    record.finish({ outcome, errorCode: payload.error_code, ...scopeFacts(scope) });
    return { ok: false, error, payload };
  };

  let ticket: CallTicket;
  try {
    ticket = await admit(runtime, principal, plan.admission, record, request.signal);
  } catch (error) {
    // A refusal at intake (shutting down, denied) is reported as it is.
    return fail(error);
  }
  // The ticket's signal: the client's cancellation, or shutdown's once its grace period is over.
  const { signal } = ticket;
  const call: RunningCall = { id, principal, signal, log, record, stoppedByShutdown: () => ticket.stoppedByShutdown };
  try {
    const args = plan.parse(request.arguments);
    const { value } = await ctx.api.withCall(
      {
        subject: principalKey(principal),
        onBehalfOf: principal.subject,
        signal,
        fresh: plan.fresh?.(args) ?? false,
        timeoutMs: plan.deadlineMs,
        onScope: (callScope) => {
          scope = callScope;
          record.mayHaveWritten = () => callScope.writesSent > 0;
          record.facts = () => scopeFacts(callScope);
        },
      },
      () => plan.run(args, call),
    );
    const shown = plan.present(value, call, scope);
    record.finish({ outcome: "ok", ...scopeFacts(scope) });
    return { ok: true, value: shown };
  } catch (error) {
    return fail(error, ticket);
  } finally {
    ticket.leave();
  }
}

/**
 * A call that shutdown stopped (not its client) ends as server_shutting_down, recorded as `interrupted`; one that
 * had sent a change says the change may have been made (recorded as `unknown`); an outcome_unknown error stays.
 */
function shutdownOutcome(
  error: unknown,
  scope: CallScope | undefined,
): { error: unknown; outcome?: "unknown" | "interrupted" } {
  if (isApiError(error) && error.code === "outcome_unknown") return { error };
  if ((scope?.writesSent ?? 0) > 0 && !(isApiError(error) && error.undone)) {
    return {
      error: new ShuttingDownError(
        "The server shut down before this call finished, after it had sent a change to the customer API: "
        + "whether the change was made is not known.",
        { nextStep: "Repeat this exact call with the same arguments: a change already made is replayed, not made twice." },
      ),
      outcome: "unknown",
    };
  }
  return {
    error: new ShuttingDownError("The server shut down before this call finished; it changed nothing.", {
      nextStep: "Call again: another server (or this one, restarted) takes it.",
    }),
    outcome: "interrupted",
  };
}

function scopeFacts(scope: CallScope | undefined): { upstreamRequestIds?: string[]; cacheHits?: number } {
  return scope ? { upstreamRequestIds: scope.upstreamRequestIds, cacheHits: scope.cacheHits } : {};
}

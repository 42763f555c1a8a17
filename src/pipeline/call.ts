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
import type { CallScope } from "../api/index.js";
import { admit, type Admission } from "./admit.js";
import type { CallMethod, CallTarget, OpenAuditRecord } from "./audit.js";
import { type ErrorPayload, newIncidentId, toErrorPayload } from "./boundary.js";
import { auditPrincipal, type Principal, principalKey } from "./principal.js";
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
    principal: auditPrincipal(principal),
  });
  const log = ctx.logger.child({ method: request.method, ...request.target, call_id: id });
  const call: RunningCall = { id, principal, signal: request.signal, log, record };
  let scope: CallScope | undefined;
  const fail = (error: unknown): CallOutcome<Shown> => {
    const payload = toErrorPayload(error, log);
    const outcome = payload.error_code === "outcome_unknown" ? "unknown" : "error";
    record.finish({ outcome, errorCode: payload.error_code, ...scopeFacts(scope) });
    return { ok: false, error, payload };
  };

  let leave: () => void;
  try {
    leave = await admit(runtime, principal, plan.admission, record);
  } catch (error) {
    return fail(error);
  }
  try {
    const args = plan.parse(request.arguments);
    const { value } = await ctx.api.withCall(
      {
        subject: principalKey(principal),
        onBehalfOf: principal.subject,
        signal: request.signal,
        fresh: plan.fresh?.(args) ?? false,
        timeoutMs: plan.deadlineMs,
        onScope: (callScope) => {
          scope = callScope;
          record.mayHaveWritten = () => callScope.writesSent > 0;
        },
      },
      () => plan.run(args, call),
    );
    const shown = plan.present(value, call, scope);
    record.finish({ outcome: "ok", ...scopeFacts(scope) });
    return { ok: true, value: shown };
  } catch (error) {
    return fail(error);
  } finally {
    leave();
  }
}

function scopeFacts(scope: CallScope | undefined): { upstreamRequestIds?: string[]; cacheHits?: number } {
  return scope ? { upstreamRequestIds: scope.upstreamRequestIds, cacheHits: scope.cacheHits } : {};
}

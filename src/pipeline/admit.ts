// The admit step: whether a call may start at all. In order: the server is not shutting down (intake), the
// principal's grant allows it, a write finds the audit trail writable (fail closed: no change the trail could
// not record), and the principal has not used up the target's rate limit. A refusal is recorded as `denied`.
import { AuditUnavailableError, CallRateLimitedError, PolicyDeniedError, ShuttingDownError } from "../errors.js";
import type { OpenAuditRecord } from "./audit.js";
import type { CallTicket } from "./lifecycle.js";
import type { PipelineRuntime } from "./runtime.js";
import { type Principal, principalKey } from "./principal.js";

export interface Admission {
  /** The target as messages name it: a tool name, a URI, a prompt name. */
  readonly label: string;
  /** Why the principal's grant refuses the call; undefined when it allows it. */
  readonly refusal?: string;
  /** Whether the call may change something (a tool that is not read-only). */
  readonly write: boolean;
  /** The rate-limit bucket of the target, per principal: `tool:get_customer`, `prompt:account_review`. */
  readonly bucket: string;
}

/**
 * Admits the call and returns its ticket (its signal, and what ends its stay in the intake), or throws the
 * refusal. `signal` is the client's cancellation of the call.
 */
export async function admit(
  runtime: PipelineRuntime,
  principal: Principal,
  admission: Admission,
  record: OpenAuditRecord,
  signal: AbortSignal,
): Promise<CallTicket> {
  const { ctx, tracker, audit } = runtime;
  const refuse = (error: Error): never => {
    record.decision = "denied";
    throw error;
  };
  const ticket = tracker.enter(signal);
  if (!ticket) {
    return refuse(new ShuttingDownError("The server is shutting down and takes no new calls.", {
      nextStep: "Call again once the client has restarted the server.",
    }));
  }
  try {
    const { label } = admission;
    if (admission.refusal) {
      refuse(new PolicyDeniedError(`${label} is not enabled on this server: ${admission.refusal}.`, {
        nextStep: "Use the tools listed by tools/list; ask an operator if this action is needed.",
      }));
    }
    if (admission.write && !audit.healthy) {
      refuse(new AuditUnavailableError(
        `${label} was refused: the audit trail cannot be written right now, and this server makes no change it cannot record.`,
        {
          nextStep: "Nothing was changed. Read tools still work. Tell the user that an operator must fix the audit "
            + "file (disk space, disk errors); writes are accepted again once an audit record is written.",
        },
      ));
    }
    const perMinute = ctx.config.limits.callsPerMinutePerTool;
    const rate = await ctx.state.rateLimits.take(`${principalKey(principal)}\u0000${admission.bucket}`, perMinute);
    if (!rate.ok) {
      refuse(new CallRateLimitedError(`${label} was called too often; this server allows each caller a limited rate per tool, resource and prompt.`, {
        retryAfterMs: rate.retryAfterMs,
        nextStep: `Wait ${Math.ceil(rate.retryAfterMs / 1000)} s before calling ${label} again, and avoid calling it in a loop.`,
      }));
    }
  } catch (error) {
    ticket.leave();
    throw error;
  }
  return ticket;
}

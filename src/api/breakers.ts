// Circuit breakers, one per upstream route group (customers, tickets, exports, ...), so one failing part of the
// API does not make the others fail fast. A breaker opens after N consecutive transient failures, fails calls
// at once with `backend_unavailable` and a retry hint while open, then lets one probe through (half-open): a
// success closes it, a failure opens it again. Built on cockatiel's CircuitBreakerPolicy.
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from "cockatiel";
import type { Logger } from "pino";
import { ApiCircuitOpenError, ApiError, ApiOverloadedError } from "./errors.js";

export interface BreakerSettings {
  threshold: number;
  cooldownMs: number;
}

export interface Breakers {
  /** Runs `fn` through the group's breaker. */
  execute<T>(group: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  state(group: string): "closed" | "open" | "half-open" | "isolated";
}

/** Only failures that say the backend is unwell count; a 404, a cancel or our own overload do not. */
function countsAsFailure(error: Error): boolean {
  return error instanceof ApiError && error.transient && error.code !== "rate_limited" && !(error instanceof ApiOverloadedError);
}

const STATE_NAMES: Record<CircuitState, "closed" | "open" | "half-open" | "isolated"> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

export function createBreakers(settings: BreakerSettings, logger: Logger, now: () => number): Breakers {
  const policies = new Map<string, { policy: ReturnType<typeof circuitBreaker>; openedAt: number }>();

  function policyFor(group: string) {
    let entry = policies.get(group);
    if (!entry) {
      const policy = circuitBreaker(handleWhen(countsAsFailure), {
        halfOpenAfter: settings.cooldownMs,
        breaker: new ConsecutiveBreaker(settings.threshold),
      });
      const created = { policy, openedAt: 0 };
      policy.onStateChange((state) => {
        if (state === CircuitState.Open) created.openedAt = now();
        const level = state === CircuitState.Closed ? "info" : "warn";
        logger[level]({ component: "breaker", route_group: group, state: STATE_NAMES[state] }, `circuit breaker ${STATE_NAMES[state]}`);
      });
      entry = created;
      policies.set(group, entry);
    }
    return entry;
  }

  return {
    async execute(group, fn, signal) {
      const entry = policyFor(group);
      try {
        return await entry.policy.execute(() => fn(), signal);
      } catch (error) {
        if (!(error instanceof BrokenCircuitError)) throw error;
        const retryAfterMs = Math.max(0, settings.cooldownMs - (now() - entry.openedAt));
        throw new ApiCircuitOpenError(
          "The customer API has been failing, so this server is pausing calls to it for a moment.",
          {
            cause: error,
            retryAfterMs,
            nextStep: `Wait about ${Math.ceil(retryAfterMs / 1000)} s before calling again; if it persists, tell the user the customer system is down.`,
          },
        );
      }
    },
    state: (group) => STATE_NAMES[policyFor(group).policy.state],
  };
}

// Circuit breakers, one per upstream route group (customers, tickets, exports, ...), so one failing part of the
// API does not make the others fail fast. A breaker opens on a failure *rate*, over a sliding window: when the
// attempts in it show, beyond reasonable doubt, that at least `failurePercent` of attempts fail. "Beyond doubt" is
// the lower bound of a 99.87% (z = 3) Wilson interval of the window's failure share: a dead backend opens it
// after 9 failed attempts (10 with the default minimum), while a backend failing 30% of the time does not look
// like a 50% one by chance, as it does about every two minutes to a plain "half of at least 20" rule at a few
// attempts a second. While open it fails requests at once with `backend_unavailable` and a retry hint; after
// the cooldown one probe goes through (half-open): a success closes it with a clean window, a failure opens it
// for another cooldown.
//
// Attempts, not calls, are counted: attempts are the load the backend feels, and with faults independent per
// attempt the share of failed attempts equals the backend's fault rate whatever the retries do, while a dead
// backend is seen within the first few calls instead of after each call has spent its retries.
//
// Our own rather than cockatiel's: cockatiel 3 reads Date.now() (tests inject the clock), compares the raw share
// with the threshold, and keeps idle buckets' old counts until enough requests rotate them out.
import type { Logger } from "pino";
import { ApiCircuitOpenError, ApiError, ApiOverloadedError } from "./errors.js";
import { SlidingCounts } from "./sliding-counts.js";

export interface BreakerSettings {
  /** Opens when the window shows, with 99.87% confidence, that at least this share (percent) of attempts fail. */
  failurePercent: number;
  /** Length of the sliding window the rate is taken over. */
  windowMs: number;
  /** A window with fewer attempts than this never opens the breaker (too little evidence). */
  minimumAttempts: number;
  /** How long an open breaker fails fast before it lets a probe through. */
  cooldownMs: number;
}

export type BreakerState = "closed" | "open" | "half-open";

export interface Breakers {
  /** Runs `fn` through the group's breaker, or throws ApiCircuitOpenError without calling it. */
  execute<T>(group: string, fn: () => Promise<T>): Promise<T>;
  state(group: string): BreakerState;
  /** How many times the group's breaker has opened since start (for measurements and doctor). */
  openings(group: string): number;
}

/** One-sided 99.87% confidence for "the failure share is at least the threshold". */
const CONFIDENCE_Z = 3;

/**
 * The Wilson score lower bound of the failure share, given `failures` of `attempts`: the share the backend fails
 * at least, with 99.87% confidence. 10 of 10 gives 0.53; 5 of 10 gives 0.16; 70 of 100 gives 0.55; 550 of
 * 1,000 gives 0.50.
 */
export function failureShareLowerBound(failures: number, attempts: number): number {
  if (attempts === 0) return 0;
  const z2 = CONFIDENCE_Z * CONFIDENCE_Z;
  const share = failures / attempts;
  const centre = share + z2 / (2 * attempts);
  const spread = CONFIDENCE_Z * Math.sqrt((share * (1 - share)) / attempts + z2 / (4 * attempts * attempts));
  return (centre - spread) / (1 + z2 / attempts);
}

/** How long callers are told to wait while a probe is in flight: about one attempt. */
const PROBE_RETRY_AFTER_MS = 1_000;

/** What an attempt's outcome says about the backend's health. */
type Verdict = "success" | "failure" | "ignored";

/**
 * A failure says the backend is unwell: 5xx, 408, a dropped connection, a timeout. Any other answer from the API
 * (404, 409, 422) shows it healthy. A 429, a malformed 2xx, a cancel or our own refusals say nothing either way.
 */
export function verdictOf(error: unknown): Verdict {
  if (!(error instanceof ApiError) || error instanceof ApiOverloadedError || error instanceof ApiCircuitOpenError) {
    return "ignored";
  }
  if (error.code === "rate_limited" || error.code === "cancelled") return "ignored";
  if (error.transient) return "failure";
  return error.status !== undefined && error.status >= 400 && error.status < 500 ? "success" : "ignored";
}

interface GroupBreaker {
  state: BreakerState;
  counts: SlidingCounts<"success" | "failure">;
  openedAt: number;
  probing: boolean;
  openings: number;
}

export function createBreakers(settings: BreakerSettings, logger: Logger, now: () => number): Breakers {
  const groups = new Map<string, GroupBreaker>();

  function breakerOf(group: string): GroupBreaker {
    let breaker = groups.get(group);
    if (!breaker) {
      const counts = new SlidingCounts(["success", "failure"], settings.windowMs);
      breaker = { state: "closed", counts, openedAt: 0, probing: false, openings: 0 };
      groups.set(group, breaker);
    }
    return breaker;
  }

  function moveTo(group: string, breaker: GroupBreaker, state: BreakerState, facts: Record<string, number> = {}) {
    breaker.state = state;
    if (state === "open") {
      breaker.openedAt = now();
      breaker.openings++;
    }
    if (state === "closed") breaker.counts.reset();
    const level = state === "closed" ? "info" : "warn";
    logger[level]({ component: "breaker", route_group: group, state, ...facts }, `circuit breaker ${state}`);
  }

  /** Refuses the request while open, or lets it through as the one probe once the cooldown is over. */
  function admit(group: string, breaker: GroupBreaker): { probe: boolean } {
    if (breaker.state === "closed") return { probe: false };
    const waited = now() - breaker.openedAt;
    if (breaker.state === "open" && waited >= settings.cooldownMs) moveTo(group, breaker, "half-open");
    if (breaker.state === "half-open" && !breaker.probing) {
      breaker.probing = true;
      return { probe: true };
    }
    const retryAfterMs = breaker.state === "open" ? settings.cooldownMs - waited : PROBE_RETRY_AFTER_MS;
    throw new ApiCircuitOpenError(
      "The customer API has been failing, so this server is pausing calls to it for a moment.",
      {
        retryAfterMs,
        nextStep: `Wait about ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s before calling again; if it persists, tell the user the customer system is down.`,
      },
    );
  }

  function record(group: string, breaker: GroupBreaker, probe: boolean, verdict: Verdict): void {
    if (probe) {
      breaker.probing = false;
      if (verdict === "success") moveTo(group, breaker, "closed");
      else if (verdict === "failure") moveTo(group, breaker, "open");
      // An ignored outcome (a cancel) leaves the breaker half-open for the next request to probe.
      return;
    }
    if (verdict === "ignored" || breaker.state !== "closed") return;
    const at = now();
    breaker.counts.add(verdict, at);
    if (verdict !== "failure") return;
    const failures = breaker.counts.total("failure", at);
    const attempts = failures + breaker.counts.total("success", at);
    const sure = failureShareLowerBound(failures, attempts) * 100 >= settings.failurePercent;
    if (attempts >= settings.minimumAttempts && sure) {
      moveTo(group, breaker, "open", { failures, attempts });
    }
  }

  return {
    async execute(group, fn) {
      const breaker = breakerOf(group);
      const { probe } = admit(group, breaker);
      let result;
      try {
        result = await fn();
      } catch (error) {
        record(group, breaker, probe, verdictOf(error));
        throw error;
      }
      record(group, breaker, probe, "success");
      return result;
    },
    state: (group) => {
      const breaker = breakerOf(group);
      // An open breaker whose cooldown is over lets the next request probe: report that without waiting for one.
      return breaker.state === "open" && now() - breaker.openedAt >= settings.cooldownMs ? "half-open" : breaker.state;
    },
    openings: (group) => groups.get(group)?.openings ?? 0,
  };
}

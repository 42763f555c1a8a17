// The degraded API and the agent of issue 11, shared by the acceptance test (tests/e2e/degraded-api.test.ts) and
// npm run measure:degradation, so both describe the same scenario: POST /v1/tickets failing a share of attempts
// (half reset the connection after the ticket is committed, half answer 503), and a patient agent that repeats a
// failed call exactly, waiting what retry_after_ms says up to a second, at most six tries.
import type { FaultRule } from "../../src/sandbox/index.js";

export const PATIENT_AGENT = { maxTries: 6, maxWaitMs: 1_000 } as const;

/**
 * Fault rules under which `rate` of the attempts on POST /v1/tickets fail, half reset after commit and half 503.
 * Rules are rolled in order, so the second rate is taken of what the first left.
 */
export function ticketFaults(rate: number): FaultRule[] {
  if (rate <= 0) return [];
  const resets = rate / 2;
  const unavailable = Math.min(1, (rate - resets) / (1 - resets));
  return [
    { kind: "reset_after", method: "POST", path: "/v1/tickets", rate: resets },
    { kind: "status", status: 503, method: "POST", path: "/v1/tickets", rate: unavailable },
  ];
}

/** One try as the agent sees it. */
export type TryResult<T> = { ok: true; value: T } | { ok: false; errorCode: string; retryAfterMs?: number };

export interface PatientOutcome<T> {
  value?: T;
  tries: number;
  /** Error codes of the tries that failed, in order. */
  errors: string[];
  /** Milliseconds each try took. */
  tryMs: number[];
}

/** Repeats `attempt` until it succeeds or six tries are spent, waiting min(retry_after_ms, 1 s) in between. */
export async function patientCall<T>(attempt: () => Promise<TryResult<T>>): Promise<PatientOutcome<T>> {
  const errors: string[] = [];
  const tryMs: number[] = [];
  for (let tries = 1; tries <= PATIENT_AGENT.maxTries; tries++) {
    const started = performance.now();
    const result = await attempt();
    tryMs.push(performance.now() - started);
    if (result.ok) return { value: result.value, tries, errors, tryMs };
    errors.push(result.errorCode);
    const waitMs = Math.min(result.retryAfterMs ?? 0, PATIENT_AGENT.maxWaitMs);
    if (waitMs > 0 && tries < PATIENT_AGENT.maxTries) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  return { tries: PATIENT_AGENT.maxTries, errors, tryMs };
}

/** The error payload fields the agent reads from a failed tools/call result's text. */
export function failedTry(text: string | undefined): { ok: false; errorCode: string; retryAfterMs?: number } {
  try {
    const payload = JSON.parse(text ?? "{}") as { error_code?: unknown; retry_after_ms?: unknown };
    return {
      ok: false,
      errorCode: typeof payload.error_code === "string" ? payload.error_code : "no_error_code",
      ...(typeof payload.retry_after_ms === "number" ? { retryAfterMs: payload.retry_after_ms } : {}),
    };
  } catch {
    return { ok: false, errorCode: "unreadable_error" };
  }
}

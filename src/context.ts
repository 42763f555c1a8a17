// The one object every handler receives. Built once in index.ts (or by a test) and passed down explicitly:
// there are no module-level singletons, so a test can build as many independent servers as it likes.
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { CustomerApi } from "./api/index.js";
import type { Config } from "./config/config.js";
import type { Policy } from "./policy/index.js";
import type { RefundAllowance } from "./policy/refund-limits.js";

/** Time, injectable: tests pass a clock whose sleep advances a fake now instantly. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, signal ? { signal } : undefined);
  },
};

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly api: CustomerApi;
  /** The grant, and how data is presented to the model under it (PII masking). */
  readonly policy: Policy;
  readonly clock: Clock;
}

/** A value someone else wrote (a customer's name, the model's note): shown on one line, clipped and quoted. */
export interface UntrustedValue {
  readonly untrusted: string;
}

/**
 * What a person is asked to confirm before a write that moves money or blocks an account. `action`, `summary`
 * and `confirmLabel` are built from this server's own values only (amounts, ids, enums): text anyone else wrote
 * goes in `details` as an UntrustedValue, so it can never rewrite what the form says will happen.
 */
export interface ConfirmationRequest {
  /** The action in a few words, used in errors: "a refund of $19.99 on txn_…". */
  readonly action: string;
  /** The first line of the form: what will happen. */
  readonly summary: string;
  /** The exact facts, one `label: value` line each (customer, transaction, amount with currency, reason). */
  readonly details: ReadonlyArray<readonly [label: string, value: string | UntrustedValue]>;
  /** Label of the single checkbox the person ticks, e.g. "Refund $19.99". */
  readonly confirmLabel: string;
}

/** What a tool handler gets for one call: the app context plus this call's signal, logger and progress. */
export interface CallContext extends AppContext {
  readonly callId: string;
  /** Aborted when the client cancels the call or the connection closes. */
  readonly signal: AbortSignal;
  /** Child logger carrying `tool` and `call_id`. */
  readonly log: Logger;
  /** Sends `notifications/progress` when the client asked for progress; a no-op otherwise. */
  reportProgress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * The `Idempotency-Key` for this call's write. Every POST carries one, so the HTTP layer may retry it and the
   * API replays instead of writing twice.
   */
  idempotencyKey(): string;
  /**
   * Asks the user to confirm `request` (MCP elicitation) and resolves when the write may go ahead. Throws, with
   * nothing written, when the user declines or cancels, or when the client cannot ask and the operator has not
   * allowed unconfirmed writes.
   */
  confirm(request: ConfirmationRequest): Promise<void>;
  /** The session's refund limits (per refund, per session and currency). */
  readonly refunds: RefundAllowance;
}

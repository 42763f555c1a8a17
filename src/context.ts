// The objects handlers receive. The AppContext is built once per process in index.ts (or by a test) and passed down
// explicitly: there are no module-level singletons, so a test can build as many independent servers as it likes.
// Per call it is joined by the principal it runs for (PrincipalContext) and, for tools, the call's guards.
import type { Logger } from "pino";
import type { Clock } from "./api/clock.js";
import type { CustomerApi } from "./api/index.js";
import type { Config } from "./config/config.js";
import type { Principal } from "./pipeline/principal.js";
import type { Policy } from "./policy/index.js";
import type { RefundAllowance } from "./policy/refund-limits.js";
import type { StateStores } from "./state/stores.js";

export { type Clock, systemClock } from "./api/clock.js";

/** The parts one process shares between every caller it serves. Nothing here belongs to one caller. */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly api: CustomerApi;
  readonly clock: Clock;
  /** State that guards writes and money, keyed by principal (src/state/). */
  readonly state: StateStores;
}

/** What every call's handler gets besides the app: who is calling, with what grant, and the call's signal. */
export interface PrincipalContext extends AppContext {
  readonly principal: Principal;
  /** The principal's policy: their grant, and how data is presented to them (PII masking). */
  readonly policy: Policy;
  /** Aborted when the client cancels the call or the connection closes; API requests of the call follow it. */
  readonly signal: AbortSignal;
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

/** What a tool handler gets for one call: who is calling, plus this call's logger, progress and write guards. */
export interface CallContext extends PrincipalContext {
  readonly callId: string;
  /** Child logger carrying `tool` and `call_id`. */
  readonly log: Logger;
  /** Sends `notifications/progress` when the client asked for progress; a no-op otherwise. */
  reportProgress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * The `Idempotency-Key` for this call's write. Every POST carries one, so the HTTP layer may retry it and the
   * API replays instead of writing twice.
   */
  idempotencyKey(): Promise<string>;
  /**
   * Asks the user to confirm `request` (MCP elicitation) and resolves when the write may go ahead. Throws, with
   * nothing written, when the user declines or cancels, or when the client cannot ask and the operator has not
   * allowed unconfirmed writes.
   */
  confirm(request: ConfirmationRequest): Promise<void>;
  /** The principal's refund limits in their window (per refund, per window and currency, and across currencies). */
  readonly refunds: RefundAllowance;
}

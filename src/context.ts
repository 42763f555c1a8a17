// The one object every handler receives. Built once in index.ts (or by a test) and passed down explicitly:
// there are no module-level singletons, so a test can build as many independent servers as it likes.
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { CustomerApi } from "./api/index.js";
import type { Config } from "./config.js";
import type { Policy } from "./policy/index.js";

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
}

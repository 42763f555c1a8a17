// Time, injectable: the one clock interface of the server. Tests pass clocks whose sleep advances a fake now at
// once, so deadlines, windows and backoffs are asserted without waiting. The API layer adds jitter to it
// (RetryTiming in retry.ts); everything else uses it as it is.
import { setTimeout as delay } from "node:timers/promises";

export interface Clock {
  /** Epoch milliseconds. */
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

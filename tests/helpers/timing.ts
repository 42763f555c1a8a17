// Retry timing for tests: sleeps are recorded, not waited for, and jitter is fixed, so a retry schedule is
// asserted exactly and the suite never waits on a backoff.
import type { RetryTiming } from "../../src/api/retry.js";

export interface RecordingTiming extends RetryTiming {
  readonly sleeps: number[];
}

export function recordingTiming(options: { random?: number; now?: number } = {}): RecordingTiming {
  const sleeps: number[] = [];
  return {
    sleeps,
    async sleep(ms, signal) {
      sleeps.push(ms);
      signal?.throwIfAborted();
    },
    random: () => options.random ?? 0.5,
    now: () => options.now ?? Date.parse("2026-11-22T12:00:00Z"),
  };
}

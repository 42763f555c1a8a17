// A retry budget, as Finagle's: over a sliding 10 s window, retries may be at most a reserve of `minPerSecond`
// per second plus `percent` of the requests sent. When a backend is failing, every caller retrying multiplies
// its load; the share caps that amplification, and the reserve lets a quiet client (one agent) still retry
// every transient failure it meets.
import { SlidingCounts } from "./sliding-counts.js";

const WINDOW_MS = 10_000;

export interface RetryBudgetSettings {
  /** Retries allowed as a share of the requests sent in the window, in percent. */
  percent: number;
  /** Retries always allowed per second of the window, however few requests were sent. */
  minPerSecond: number;
}

export class RetryBudget {
  private readonly counts = new SlidingCounts(["requests", "retries"], WINDOW_MS);
  private readonly reserve: number;

  constructor(
    private readonly settings: RetryBudgetSettings,
    private readonly now: () => number,
  ) {
    this.reserve = settings.minPerSecond * (WINDOW_MS / 1000);
  }

  recordRequest(): void {
    this.counts.add("requests", this.now());
  }

  /** Takes one retry from the budget if there is one left; false means "do not retry". */
  tryRetry(): boolean {
    const now = this.now();
    const sent = this.counts.total("requests", now);
    const allowed = this.reserve + Math.floor((sent * this.settings.percent) / 100);
    if (this.counts.total("retries", now) >= allowed) return false;
    this.counts.add("retries", now);
    return true;
  }
}

// A retry budget: retries may be at most a fixed share of the requests sent recently (plus a small floor so a
// quiet client can still retry). When a backend is failing, every caller retrying multiplies its load; the
// budget caps that amplification, as gRPC and Finagle clients do.

const WINDOW_MS = 10_000;
const BUCKETS = 10;
/** Retries always allowed per window, so a single failing request can still be retried on a quiet server. */
const MIN_RETRIES_PER_WINDOW = 10;

export class RetryBudget {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private bucketStart: number | undefined;

  constructor(
    private readonly percent: number,
    private readonly now: () => number,
  ) {}

  recordRequest(): void {
    this.rotate();
    this.requests[BUCKETS - 1] = (this.requests[BUCKETS - 1] ?? 0) + 1;
  }

  /** Takes one retry from the budget if there is one left; false means "do not retry". */
  tryRetry(): boolean {
    this.rotate();
    const sent = this.requests.reduce((a, b) => a + b, 0);
    const retried = this.retries.reduce((a, b) => a + b, 0);
    const allowed = MIN_RETRIES_PER_WINDOW + Math.floor((sent * this.percent) / 100);
    if (retried >= allowed) return false;
    this.retries[BUCKETS - 1] = (this.retries[BUCKETS - 1] ?? 0) + 1;
    return true;
  }

  /** Shifts the window so only the last WINDOW_MS counts. */
  private rotate(): void {
    const size = WINDOW_MS / BUCKETS;
    const current = Math.floor(this.now() / size);
    this.bucketStart ??= current;
    const steps = Math.min(BUCKETS, current - this.bucketStart);
    for (let i = 0; i < steps; i++) {
      this.requests.shift();
      this.requests.push(0);
      this.retries.shift();
      this.retries.push(0);
    }
    if (steps > 0) this.bucketStart = current;
  }
}

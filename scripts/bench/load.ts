// A closed-loop load generator: `concurrency` workers each start a call as soon as their previous one ended, so
// exactly that many calls are in flight (pipelined over one connection or stdio stream). Every loop is bounded in
// count and in time.

export interface LoadOptions {
  concurrency: number;
  /** Stop starting calls after this many. */
  maxCalls: number;
  /** Stop starting calls after this long; calls in flight are then given `graceMs` to finish. */
  maxMs: number;
  graceMs?: number;
  /** Called every `everyCalls` completed calls (e.g. to sample memory). */
  onProgress?: (completed: number) => void;
  everyCalls?: number;
}

export interface LoadResult {
  /** Per-call latency in ms, in completion order. */
  latencies: Float64Array;
  completed: number;
  errors: number;
  firstError: string | undefined;
  elapsedMs: number;
  callsPerSecond: number;
  /** True when the time bound, not the count, ended the run. */
  timedOut: boolean;
}

export async function closedLoop(call: (index: number) => Promise<unknown>, options: LoadOptions): Promise<LoadResult> {
  const latencies = new Float64Array(options.maxCalls);
  let started = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + options.maxMs;
  let timedOut = false;

  async function worker(): Promise<void> {
    while (started < options.maxCalls) {
      if (performance.now() >= deadline) {
        timedOut = true;
        return;
      }
      const index = started++;
      const t = performance.now();
      try {
        await call(index);
        latencies[completed++] = performance.now() - t;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      if (options.onProgress && options.everyCalls && completed % options.everyCalls === 0) {
        options.onProgress(completed);
      }
    }
  }

  const workers = Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const grace = options.graceMs ?? 10_000;
  let guard: NodeJS.Timeout | undefined;
  const hardStop = new Promise<"stuck">((resolve) => {
    guard = setTimeout(() => resolve("stuck"), options.maxMs + grace);
  });
  const outcome = await Promise.race([workers, hardStop]);
  clearTimeout(guard);
  if (outcome === "stuck") throw new Error(`load run did not finish within ${options.maxMs + grace} ms`);
  const elapsedMs = performance.now() - t0;
  return {
    latencies: latencies.subarray(0, completed),
    completed,
    errors,
    firstError,
    elapsedMs,
    callsPerSecond: (completed / elapsedMs) * 1000,
    timedOut,
  };
}

// Tracks tool calls in flight so shutdown can stop taking new ones and wait, within a bound, for the rest; and,
// once the bound has passed, tell the rest to stop, so that each ends as a call does when cancelled (an export is
// cancelled upstream, the client is answered, the record says what happened) rather than being cut off mid-way.

/** How long calls stopped at the end of the grace period get to unwind. */
const STOP_SETTLE_MS = 2_000;

/** One call's stay in the tracker, from admission to its end. */
export interface CallTicket {
  /** Aborted when the client cancels the call, or when shutdown stops it; the call's work follows it. */
  readonly signal: AbortSignal;
  /** Whether shutdown, not the client, stopped the call. */
  readonly stoppedByShutdown: boolean;
  leave(): void;
}

interface OpenCall {
  readonly controller: AbortController;
  stoppedByShutdown: boolean;
}

export class CallTracker {
  readonly #calls = new Set<OpenCall>();
  #closing = false;
  readonly #idleWaiters: Array<() => void> = [];

  get inFlight(): number {
    return this.#calls.size;
  }

  get isClosing(): boolean {
    return this.#closing;
  }

  /**
   * Registers a call whose client may cancel it with `clientSignal`; undefined once shutdown has begun (the call
   * must be refused).
   */
  enter(clientSignal: AbortSignal): CallTicket | undefined {
    if (this.#closing) return undefined;
    const call: OpenCall = { controller: new AbortController(), stoppedByShutdown: false };
    const cancel = () => call.controller.abort(clientSignal.reason);
    if (clientSignal.aborted) cancel();
    else clientSignal.addEventListener("abort", cancel, { once: true });
    this.#calls.add(call);
    return {
      signal: call.controller.signal,
      get stoppedByShutdown() {
        return call.stoppedByShutdown;
      },
      leave: () => {
        clientSignal.removeEventListener("abort", cancel);
        if (!this.#calls.delete(call)) return;
        if (this.#calls.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
      },
    };
  }

  /** After the grace period: makes every call still running end now, as if cancelled. */
  stopInFlight(): void {
    for (const call of this.#calls) {
      if (call.controller.signal.aborted) continue;
      call.stoppedByShutdown = true;
      call.controller.abort(new Error("the server is shutting down"));
    }
  }

  /** Stops intake and resolves true when every call has finished, or false when `graceMs` ran out first. */
  async drain(graceMs: number): Promise<boolean> {
    this.#closing = true;
    if (this.#calls.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Shutdown's part for calls: stop intake, wait up to `graceMs`, then stop whatever still runs and give it a
   * moment to unwind. True when every call had finished within the grace period.
   */
  async shutdown(graceMs: number): Promise<boolean> {
    if (await this.drain(graceMs)) return true;
    this.stopInFlight();
    await this.drain(STOP_SETTLE_MS);
    return false;
  }
}

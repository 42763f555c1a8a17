// Tracks tool calls in flight so shutdown can stop taking new ones and wait, within a bound, for the rest; and,
// once the bound has passed, tell the rest to stop, so that each ends as a call does when cancelled (an export is
// cancelled upstream, the client is answered, the record says what happened) rather than being cut off mid-way.
import { setMaxListeners } from "node:events";

export class CallTracker {
  private active = 0;
  private closing = false;
  private readonly idleWaiters: Array<() => void> = [];
  readonly #stop = stopController();

  /** Aborted by `stopInFlight`: every call runs under it besides its own client's cancellation. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** After the grace period: makes every call still running end now, as if cancelled. */
  stopInFlight(): void {
    this.#stop.abort(new Error("the server is shutting down"));
  }

  get inFlight(): number {
    return this.active;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Registers a call; false once shutdown has begun (the call must be refused). */
  enter(): boolean {
    if (this.closing) return false;
    this.active++;
    return true;
  }

  leave(): void {
    this.active--;
    if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Stops intake and resolves true when every call has finished, or false when `graceMs` ran out first. */
  async drain(graceMs: number): Promise<boolean> {
    this.closing = true;
    if (this.active === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Every call in flight listens on the stop signal until it ends (src/pipeline/call.ts), so it has as many
 * listeners as there are calls: not a leak, and Node's warning at 11 would be noise on stderr.
 */
function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

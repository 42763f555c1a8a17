// Tracks tool calls in flight so shutdown can stop taking new ones and wait, within a bound, for the rest.

export class CallTracker {
  private active = 0;
  private closing = false;
  private readonly idleWaiters: Array<() => void> = [];

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

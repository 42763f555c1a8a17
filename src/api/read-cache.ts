// Cached reads with single flight. Identical concurrent GETs share one upstream request; answers are kept
// (LRU, bounded) and served while younger than the TTL; older ones are kept a while longer so that, when the
// API is failing, a recent answer can still be served marked stale. Writes invalidate whole route groups.
// Invariant: with a TTL of 0 the cache keeps nothing, so nothing cached is ever served, stale or fresh (single
// flight still shares a request that is in flight: its answer is fetched for every caller waiting on it).
import { LRUCache } from "lru-cache";

interface Entry {
  value: unknown;
  fetchedAt: number;
  group: string;
}

export interface CacheSettings {
  ttlMs: number;
  maxEntries: number;
  staleMaxAgeMs: number;
}

export interface CachedValue<T> {
  value: T;
  fetchedAt: number;
}

export class ReadCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Flight>();

  constructor(private readonly settings: CacheSettings) {
    this.entries = new LRUCache({ max: settings.maxEntries });
  }

  get enabled(): boolean {
    return this.settings.ttlMs > 0;
  }

  /** A cached answer younger than the TTL. */
  fresh<T>(key: string, now: number): CachedValue<T> | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(key);
    if (!entry || now - entry.fetchedAt > this.settings.ttlMs) return undefined;
    return { value: entry.value as T, fetchedAt: entry.fetchedAt };
  }

  /** A cached answer young enough to serve, marked stale, while the API is failing. Never with the cache off. */
  stale<T>(key: string, now: number): CachedValue<T> | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(key);
    const tooOld = !entry || now - entry.fetchedAt > this.settings.staleMaxAgeMs;
    if (!entry || this.settings.staleMaxAgeMs === 0 || tooOld) return undefined;
    return { value: entry.value as T, fetchedAt: entry.fetchedAt };
  }

  store(key: string, group: string, value: unknown, fetchedAt: number): void {
    if (this.enabled) this.entries.set(key, { value, fetchedAt, group });
  }

  invalidate(groups: readonly string[]): void {
    for (const [key, entry] of this.entries.entries()) if (groups.includes(entry.group)) this.entries.delete(key);
  }

  /**
   * Joins the request already in flight for `key`, or starts one. The shared request is aborted only when
   * every caller waiting on it has given up, so one cancelled caller never fails the others.
   */
  async shared<T>(key: string, run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let flight = this.inFlight.get(key);
    if (!flight) {
      const controller = new AbortController();
      const created: Flight = { promise: Promise.resolve(), waiters: 0, controller };
      created.promise = run(controller.signal).finally(() => {
        if (this.inFlight.get(key) === created) this.inFlight.delete(key);
      });
      this.inFlight.set(key, created);
      flight = created;
    }
    return (await waitFor(flight, signal)) as T;
  }
}

interface Flight {
  promise: Promise<unknown>;
  waiters: number;
  controller: AbortController;
}

function waitFor(flight: Flight, signal: AbortSignal | undefined): Promise<unknown> {
  flight.waiters++;
  // Every waiter keeps the shared promise observed, so a rejection nobody awaits cannot surface as unhandled.
  flight.promise.catch(() => undefined);
  if (!signal) return flight.promise.finally(() => flight.waiters--);
  return new Promise((resolve, reject) => {
    const leave = () => {
      signal.removeEventListener("abort", onAbort);
      flight.waiters--;
    };
    const onAbort = () => {
      leave();
      if (flight.waiters === 0) flight.controller.abort(signal.reason);
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    flight.promise.then(
      (value) => {
        leave();
        resolve(value);
      },
      (error: unknown) => {
        leave();
        reject(error);
      },
    );
  });
}

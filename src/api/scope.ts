// The scope of one call (a tool call, a resource read, a prompt, a completion) as the HTTP layer sees it, carried
// through async code by AsyncLocalStorage so the typed API functions need no extra parameters: who it is for, its
// cancellation signal and deadline, whether to bypass the cache, and what its requests did (oldest data used,
// whether any of it was stale, cache hits, upstream request ids, writes sent).
import { AsyncLocalStorage } from "node:async_hooks";
import { onBehalfOfHeader } from "./transport.js";

export interface CallScope {
  /** Who the call is for (a principal's key): cached reads are kept apart per subject. */
  readonly subject: string;
  /** The X-On-Behalf-Of value sent with every request of the call: the subject encoded once, for the call. */
  readonly onBehalfOf: string | undefined;
  /** Aborts every request of the call (the client cancelled, or the connection went away). */
  readonly signal: AbortSignal | undefined;
  /** Bypass cached reads (they are still refreshed). */
  readonly fresh: boolean;
  /** Epoch ms after which no attempt or retry starts (moved later by time spent waiting for a human). */
  deadline: number;
  /** Epoch ms of the oldest upstream answer the call used, cached or not. */
  oldestFetchedAt: number | undefined;
  stale: boolean;
  cacheHits: number;
  upstreamRequestIds: string[];
  /** Writes (non-GET requests) the call has started sending: if it is cut off, their outcome is unknown. */
  writesSent: number;
}

export interface CallScopeOptions {
  subject: string;
  onBehalfOf?: string;
  signal?: AbortSignal;
  fresh?: boolean;
  deadline: number;
  /** Receives the scope before `fn` runs, so a caller can read what the requests did even when `fn` throws. */
  onScope?: (scope: CallScope) => void;
}

export interface CallScopes {
  run<T>(options: CallScopeOptions, fn: () => Promise<T>): Promise<{ value: T; scope: CallScope }>;
  current(): CallScope | undefined;
}

/** One store per API client (no process-wide singleton), so independent servers never share call state. */
export function createCallScopes(): CallScopes {
  const storage = new AsyncLocalStorage<CallScope>();
  return {
    async run(options, fn) {
      const scope: CallScope = {
        subject: options.subject,
        onBehalfOf: options.onBehalfOf === undefined ? undefined : onBehalfOfHeader(options.onBehalfOf),
        signal: options.signal,
        fresh: options.fresh ?? false,
        deadline: options.deadline,
        oldestFetchedAt: undefined,
        stale: false,
        cacheHits: 0,
        upstreamRequestIds: [],
        writesSent: 0,
      };
      options.onScope?.(scope);
      const value = await storage.run(scope, fn);
      return { value, scope };
    },
    current: () => storage.getStore(),
  };
}

/** Records that the call used data fetched at `fetchedAt` (from the API or the cache). */
export function noteData(scope: CallScope | undefined, fetchedAt: number, how: "upstream" | "cache" | "stale"): void {
  if (!scope) return;
  scope.oldestFetchedAt = scope.oldestFetchedAt === undefined ? fetchedAt : Math.min(scope.oldestFetchedAt, fetchedAt);
  if (how !== "upstream") scope.cacheHits++;
  if (how === "stale") scope.stale = true;
}

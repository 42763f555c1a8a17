// The one way this server talks HTTP to the customer API. Each request goes through, outside in:
//   cache + single flight (GET) → deadline → retry loop (backoff, Retry-After, retry budget, one re-auth on 401)
//   → circuit breaker per route group → bulkhead (global concurrency cap) → one attempt (transport.ts).
// Everything above this file sees typed data or a typed ApiError. docs/resilience.md says which policy does what.
import { randomBytes } from "node:crypto";
import { BulkheadRejectedError, bulkhead, TaskCancelledError } from "cockatiel";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { type BreakerSettings, type Breakers, type BreakerState, createBreakers } from "./breakers.js";
import { RetryBudget, type RetryBudgetSettings } from "./budget.js";
import {
  type ApiError,
  ApiAuthError,
  ApiOutcomeUnknownError,
  ApiOverloadedError,
  apiErrorFromTransport,
  isApiError,
} from "./errors.js";
import { type CacheSettings, ReadCache } from "./read-cache.js";
import { decideRetry, isSafeToRepeat, type RetryPolicy, type RetryTiming } from "./retry.js";
import { type CallScope, type CallScopes, createCallScopes, noteData } from "./scope.js";
import {
  createTransport,
  type HttpRequest,
  type HttpResult,
  type Transport,
  type TransportOptions,
} from "./transport.js";

export type { HttpMethod, HttpRequest, HttpResult, QueryValue, ResponseEvent } from "./transport.js";
export { pathOf } from "./transport.js";

export interface ResilienceSettings {
  /** Per-attempt budget: connect, headers and the whole body. */
  timeoutMs: number;
  /** Deadline of one call outside a tool call's scope (inside one, the scope's deadline applies). */
  callTimeoutMs: number;
  retry: RetryPolicy;
  retryBudget: RetryBudgetSettings;
  breaker: BreakerSettings;
  maxConcurrency: number;
  maxQueue: number;
  cache: CacheSettings;
}

/** Which writes are known to be done, by idempotency key (src/state/stores.ts, IdempotencyStore). */
export interface DoneWrites {
  markDone(key: string): Promise<void>;
  wasDone(key: string): Promise<boolean>;
}

export interface HttpClientOptions extends Omit<TransportOptions, "now"> {
  settings: ResilienceSettings;
  logger: Logger;
  timing: RetryTiming;
  /**
   * Where the keys of writes seen done are kept: a later request with one of them that is answered with a replay
   * is certainly replaying that earlier write, even if its own first attempt was lost. Defaults to this client.
   */
  doneWrites?: DoneWrites;
}

export interface HttpClient {
  request<T>(request: HttpRequest<T>): Promise<HttpResult<T>>;
  /** Runs `fn` as one call: shared deadline, `fresh` reads, and a record of what its requests did. */
  withCall<T>(options: CallOptions, fn: () => Promise<T>): Promise<{ value: T; scope: CallScope }>;
  /**
   * Runs `fn`, a wait that is not the API's (a human confirming a refund), without spending the current call's
   * deadline: the deadline moves later by the time `fn` took.
   */
  outsideDeadline<T>(fn: () => Promise<T>): Promise<T>;
  breakerState(group: string): BreakerState;
  /** How many times a route group's breaker has opened since start. */
  breakerOpenings(group: string): number;
  close(): void;
}

/** How one call is run: for whom, until when, with which cancellation signal, bypassing the cache or not. */
export interface CallOptions {
  /** The principal's key: what cached reads are kept apart by. */
  subject: string;
  /** The person or agent the call is for, sent upstream as X-On-Behalf-Of (contract v1.1). */
  onBehalfOf?: string;
  signal?: AbortSignal;
  fresh?: boolean;
  timeoutMs?: number;
  /** Receives the scope before the call runs, so a caller can read what its requests did even when it throws. */
  onScope?: (scope: CallScope) => void;
}

const DONE_KEYS_REMEMBERED = 10_000;

/** The default DoneWrites: an LRU in this client, for a client nobody shares state with. */
function localDoneWrites(): DoneWrites {
  const done = new LRUCache<string, true>({ max: DONE_KEYS_REMEMBERED });
  return {
    markDone: async (key) => void done.set(key, true),
    wasDone: async (key) => done.has(key),
  };
}

/** Data that must never be served stale: money moves, and an old balance could mislead a refund. */
const NO_STALE_GROUPS = new Set(["transactions", "refunds"]);
/**
 * Reads never cached: an export changes on its own (queued → running → succeeded) with no write of ours to
 * invalidate it, and export_customers polls it; a cached status would hold progress still for a whole TTL.
 */
const UNCACHED_GROUPS = new Set(["exports"]);
/** Writes to one group change what reads of these groups return; a group not listed changes only its own. */
const INVALIDATES: Record<string, readonly string[]> = {
  refunds: ["refunds", "transactions", "customers"],
};

/** `/v1/customers/cus_1/notes` → `customers`: the unit for breakers, cache invalidation and stale rules. */
export function routeGroup(path: string): string {
  return /^\/v1\/([a-z_]+)/.exec(path)?.[1] ?? "other";
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { settings, timing } = options;
  const log = options.logger.child({ component: "api" });
  const transport: Transport = createTransport({ ...options, now: timing.now });
  const scopes: CallScopes = createCallScopes();
  const breakers: Breakers = createBreakers(settings.breaker, log, timing.now);
  const concurrency = bulkhead(settings.maxConcurrency, settings.maxQueue);
  const budget = new RetryBudget(settings.retryBudget, timing.now);
  const cache = new ReadCache(settings.cache);
  const doneWrites = options.doneWrites ?? localDoneWrites();

  /**
   * One attempt: a slot from the bulkhead, then the route group's breaker, then the wire. Waiting for a slot
   * counts against the call's deadline and ends at once when the caller cancels; the attempt's own timeout is
   * computed only once it has a slot, so a late start never runs past the deadline.
   */
  async function guardedAttempt<T>(request: HttpRequest<T>, callId: string, attemptNo: number, deadline: number) {
    const group = routeGroup(request.path);
    const waiting = new AbortController();
    const timer = setTimeout(() => waiting.abort(), Math.max(0, deadline - timing.now()));
    const onCancel = () => waiting.abort();
    request.signal?.addEventListener("abort", onCancel, { once: true });
    let sending = false;
    const run = () => {
      const left = deadline - timing.now();
      if (waiting.signal.aborted || left <= 0) throw queueEnded();
      const timeoutMs = Math.min(settings.timeoutMs, left);
      sending = true;
      return breakers.execute(group, () => transport.attempt(request, callId, attemptNo, timeoutMs));
    };
    // Ended before the attempt got a slot, the request never left this server; once sending, it may have.
    const queueEnded = () => {
      const error = request.signal?.aborted ? apiErrorFromTransport("cancelled", request.signal.reason) : deadlineExceeded();
      return sending ? error : error.markNotApplied();
    };
    try {
      return await untilAborted(concurrency.execute(run, waiting.signal), waiting.signal, queueEnded);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw new ApiOverloadedError("This server already has as many customer API requests in flight as it allows.", {
          cause: error,
          retryAfterMs: 1_000,
          nextStep: "Wait a second and call again, or make fewer calls at once.",
        });
      }
      if (error instanceof TaskCancelledError) throw queueEnded();
      throw error;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onCancel);
    }
  }

  /**
   * Records that the API did the write sent with `key`. The write is done whatever happens here: when the record
   * cannot be kept (shared state unreachable), the call still returns its result, and the cost is only that a
   * later request with the key, answered with a replay after an attempt of its own may have written, reports the
   * write as its own.
   */
  async function rememberDone(key: string): Promise<void> {
    try {
      await doneWrites.markDone(key);
    } catch (error) {
      log.warn({ error: error instanceof Error ? error.message : String(error) }, "could not record a write the API did");
    }
  }

  /**
   * The retry loop, bounded by the deadline and the retry budget. It also tells the truth about writes: a
   * replayed answer counts as a replay only when an earlier request made the write (no attempt of this one may
   * have, or an earlier request with the key was seen done), and a write that fails after an attempt that may
   * have made it fails as `outcome_unknown`.
   */
  async function send<T>(request: HttpRequest<T>, deadline: number): Promise<HttpResult<T>> {
    const callId = `cmcp_${randomBytes(8).toString("hex")}`;
    const safe = isSafeToRepeat(request.method, Boolean(request.idempotencyKey));
    const isWrite = request.method !== "GET";
    let reauthenticated = false;
    let mayHaveApplied = false;
    const appliedBefore = request.idempotencyKey !== undefined && (await doneWrites.wasDone(request.idempotencyKey));
    /** The error a failed request ends with: for a write, whether it may have been done is part of it. */
    const fail = (error: ApiError): ApiError => {
      if (!isWrite) return error;
      return mayHaveApplied ? new ApiOutcomeUnknownError(error, safe) : error.markNotApplied();
    };
    budget.recordRequest();
    for (let retryIndex = 0, attemptNo = 1; ; attemptNo++) {
      const remaining = deadline - timing.now();
      if (remaining <= 0) throw fail(deadlineExceeded());
      const started = performance.now();
      try {
        const result = await guardedAttempt(request, callId, attemptNo, deadline);
        const fields = { method: request.method, path: request.path, ms: elapsed(started), attempt: attemptNo };
        log.debug(fields, "upstream request succeeded");
        if (isWrite && request.idempotencyKey) await rememberDone(request.idempotencyKey);
        return { ...result, attempts: attemptNo, replayed: result.replayed && (appliedBefore || !mayHaveApplied) };
      } catch (error) {
        if (!isApiError(error)) throw error;
        mayHaveApplied ||= !error.notApplied;
        const fields = {
          method: request.method,
          path: request.path,
          ms: elapsed(started),
          attempt: attemptNo,
          error_code: error.code,
          status: error.status,
          upstream_request_id: error.requestId,
        };
        if (request.signal?.aborted) throw fail(apiErrorFromTransport("cancelled", error));
        // An expired token is not a failure of the request: one fresh token, one more try, not counted as a retry.
        if (error instanceof ApiAuthError && error.renewable && !reauthenticated) {
          reauthenticated = true;
          log.info(fields, "upstream answered 401; retrying once with a fresh token");
          continue;
        }
        const decision = decideRetry(error, retryIndex, safe, settings.retry, timing.random);
        if (!decision.retry) {
          log.debug(fields, "upstream request failed");
          throw fail(error);
        }
        if (decision.waitMs >= deadline - timing.now()) {
          log.warn({ ...fields, retry_in_ms: decision.waitMs }, "upstream request failed; no time left to retry");
          throw fail(error);
        }
        if (!budget.tryRetry()) {
          log.warn(fields, "upstream request failed; retry budget exhausted, not retrying");
          throw fail(error);
        }
        log.warn({ ...fields, retry_in_ms: decision.waitMs }, "upstream request failed; retrying");
        retryIndex++;
        try {
          await timing.sleep(decision.waitMs, request.signal);
        } catch (cause) {
          throw fail(apiErrorFromTransport("cancelled", cause));
        }
      }
    }
  }

  /** GETs: fresh cache, else one shared upstream request, else (when failing) a recent answer marked stale. */
  async function read<T>(
    request: HttpRequest<T>,
    scope: CallScope | undefined,
    deadline: number,
  ): Promise<HttpResult<T>> {
    const key = cacheKey(request, scope?.subject ?? "");
    const group = routeGroup(request.path);
    if (cache.enabled && !scope?.fresh) {
      const hit = cache.fresh<HttpResult<T>>(key, timing.now());
      if (hit) {
        noteData(scope, hit.fetchedAt, "cache");
        return hit.value;
      }
    }
    try {
      const result = await cache.shared(key, (signal) => send({ ...request, signal }, deadline), request.signal);
      const fetchedAt = timing.now();
      cache.store(key, group, result, fetchedAt);
      noteData(scope, fetchedAt, "upstream");
      if (result.requestId) scope?.upstreamRequestIds.push(result.requestId);
      return result;
    } catch (error) {
      // A caller that gave up is told so, whatever the shared request was doing.
      if (request.signal?.aborted) {
        throw isApiError(error) && error.code === "cancelled" ? error : apiErrorFromTransport("cancelled", error);
      }
      const servable = isApiError(error) && error.code !== "cancelled" && (error.transient || error.code === "backend_unavailable");
      const stale = servable && !NO_STALE_GROUPS.has(group) && !/\/transactions\b/.test(request.path)
        ? cache.stale<HttpResult<T>>(key, timing.now())
        : undefined;
      if (!stale) throw error;
      const ageMs = timing.now() - stale.fetchedAt;
      log.warn({ path: request.path, error_code: (error as ApiError).code, age_ms: ageMs }, "serving a stale answer");
      noteData(scope, stale.fetchedAt, "stale");
      return stale.value;
    }
  }

  return {
    async request<T>(given: HttpRequest<T>): Promise<HttpResult<T>> {
      const scope = scopes.current();
      // A request made inside a call is cancelled with it, unless it brings a signal of its own (cancelling an
      // export upstream outlives the call that gave up on it).
      const signal = given.signal ?? scope?.signal;
      const request = {
        ...given,
        ...(signal ? { signal } : {}),
        ...(scope?.onBehalfOf ? { onBehalfOf: scope.onBehalfOf } : {}),
      };
      const deadline = scope?.deadline ?? timing.now() + settings.callTimeoutMs;
      const group = routeGroup(request.path);
      if (request.method === "GET" && request.responseType !== "text" && !UNCACHED_GROUPS.has(group)) {
        return read(request, scope, deadline);
      }
      if (request.method !== "GET" && scope) scope.writesSent++;
      const result = await send(request, deadline);
      if (request.method !== "GET") cache.invalidate(INVALIDATES[group] ?? [group]);
      if (result.requestId) scope?.upstreamRequestIds.push(result.requestId);
      noteData(scope, timing.now(), "upstream");
      return result;
    },
    withCall(callOptions, fn) {
      return scopes.run(
        {
          subject: callOptions.subject,
          ...(callOptions.onBehalfOf ? { onBehalfOf: callOptions.onBehalfOf } : {}),
          ...(callOptions.signal ? { signal: callOptions.signal } : {}),
          fresh: callOptions.fresh,
          deadline: timing.now() + (callOptions.timeoutMs ?? settings.callTimeoutMs),
          ...(callOptions.onScope ? { onScope: callOptions.onScope } : {}),
        },
        fn,
      );
    },
    async outsideDeadline(fn) {
      const scope = scopes.current();
      const started = timing.now();
      try {
        return await fn();
      } finally {
        if (scope) scope.deadline += timing.now() - started;
      }
    },
    breakerState: (group) => breakers.state(group),
    breakerOpenings: (group) => breakers.openings(group),
    close: () => transport.close(),
  };
}

/**
 * The cache entry of a read: the subject it is for, then the path and sorted query. Kept apart per subject, so
 * an answer fetched for one caller is never served to another, whatever either may see.
 */
function cacheKey(request: HttpRequest<unknown>, subject: string): string {
  const query = Object.entries(request.query ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join("&");
  return `${subject}\n${query ? `${request.path}?${query}` : request.path}`;
}

/** Settles with `promise`, or rejects with `reason()` as soon as `signal` aborts (leaving `promise` handled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function deadlineExceeded(): ApiError {
  return apiErrorFromTransport("timeout", new Error("call deadline exceeded before the next attempt"));
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

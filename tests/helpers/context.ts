// Builds the same AppContext index.ts builds, pointed at a sandbox, with injectable timing and captured logs.
// Defaults start from the real configuration defaults, relaxed where a feature would get in the way of tests
// that are not about it: the cache, the breaker, the retry budget, rate limits and remembered idempotency
// keys are off unless a test asks for them.
import type { Logger } from "pino";
import { type CustomerApi, createCustomerApi } from "../../src/api/index.js";
import type { RetryTiming } from "../../src/api/retry.js";
import { type Config, parseCommand } from "../../src/config/config.js";
import { TOOL_NAMES } from "../../src/tools/index.js";
import type { AppContext, Clock } from "../../src/context.js";
import { memoryStores } from "../../src/state/memory.js";
import type { StateStores } from "../../src/state/stores.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { captureLogs } from "./logs.js";
import { recordingTiming } from "./timing.js";

export interface TestContextOptions {
  api?: Partial<Config["api"]>;
  cache?: Partial<Config["cache"]>;
  limits?: Partial<Config["limits"]>;
  access?: Partial<Config["access"]>;
  writes?: Partial<Config["writes"]>;
  timing?: RetryTiming;
  logger?: Logger;
  apiKey?: string;
  clock?: Clock;
  /** The state stores on the context's clock; default memoryStores (tests/services/ pass Redis ones). */
  stores?: (now: () => number) => StateStores;
  // Shortcuts for the settings most tests touch.
  timeoutMs?: number;
  maxRetries?: number;
  retryAfterCapMs?: number;
  maxResultTokens?: number;
  exportPollMs?: number;
  exportMaxWaitMs?: number;
}

export function testConfig(sandbox: Sandbox, options: TestContextOptions = {}): Config {
  const env = { CUSTOMER_API_URL: sandbox.url, CUSTOMER_API_KEY: options.apiKey ?? sandbox.apiKey };
  const command = parseCommand([], env, TOOL_NAMES);
  if (command.kind !== "serve") throw new Error("expected a serve configuration");
  const defaults = command.config;
  return {
    ...defaults,
    api: {
      ...defaults.api,
      timeoutMs: options.timeoutMs ?? 2_000,
      callTimeoutMs: 20_000,
      maxRetries: options.maxRetries ?? 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 2_000,
      retryAfterCapMs: options.retryAfterCapMs ?? 10_000,
      retryBudgetPercent: 100,
      breakerMinAttempts: 1_000_000,
      ...options.api,
    },
    cache: { ...defaults.cache, ttlMs: 0, staleMaxAgeMs: 0, ...options.cache },
    limits: {
      ...defaults.limits,
      maxResultTokens: options.maxResultTokens ?? 20_000,
      exportPollMs: options.exportPollMs ?? 100,
      exportMaxWaitMs: options.exportMaxWaitMs ?? 60_000,
      callsPerMinutePerTool: 100_000,
      idempotencyWindowMs: 0,
      ...options.limits,
    },
    writes: { ...defaults.writes, ...options.writes },
    // Tests exercise every tool; the access model has its own tests (tests/server/access.test.ts).
    access: { profile: "admin", readOnly: false, ...options.access },
    logLevel: "debug",
  };
}

export function testApi(sandbox: Sandbox, options: TestContextOptions & { state?: StateStores } = {}): CustomerApi {
  const config = testConfig(sandbox, options);
  return createCustomerApi({
    baseUrl: sandbox.url,
    credentials: { kind: "api_key", apiKey: options.apiKey ?? sandbox.apiKey },
    settings: config.api,
    cache: config.cache,
    logger: options.logger ?? captureLogs().logger,
    timing: options.timing ?? recordingTiming(),
    userAgent: "customer-mcp-tests",
    ...(options.state ? { doneWrites: options.state.idempotency } : {}),
  });
}

/**
 * The AppContext index.ts builds, against the sandbox: its state stores run on the context's clock, and the API
 * client keeps the keys of writes it has seen done in them, as in production.
 */
export function testContext(sandbox: Sandbox, options: TestContextOptions = {}): AppContext {
  const logger = options.logger ?? captureLogs().logger;
  const config = testConfig(sandbox, options);
  const clock = options.clock ?? manualClock();
  const state = (options.stores ?? memoryStores)(() => clock.now());
  return { config, logger, api: testApi(sandbox, { ...options, logger, state }), clock, state };
}
/**
 * A clock that only moves when slept on: sleep(ms) advances now() by ms at once. Pass the same `now` to the
 * sandbox (`startSandbox({ clock: clock.now })`) and time-based behaviour such as export progress is exact.
 */
export function manualClock(start = Date.parse("2026-11-22T12:00:00Z")): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      now += ms;
      // Yield so other work (the request that is being polled, a cancellation) can run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    },
  };
}

/**
 * `clock` whose first sleep passes and every later one lasts until its signal aborts: a job slower than any
 * wait, so a cancellation or a shutdown is sure to arrive while it runs. `sleeps()` counts the sleeps begun.
 */
export function stallingAfterFirstSleep(clock: Clock): { clock: Clock; sleeps: () => number } {
  let sleeps = 0;
  return {
    sleeps: () => sleeps,
    clock: {
      now: clock.now,
      async sleep(ms, signal) {
        if (sleeps++ === 0) return clock.sleep(ms, signal);
        signal?.throwIfAborted();
        return new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
      },
    },
  };
}

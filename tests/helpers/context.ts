// Builds the same AppContext index.ts builds, pointed at a sandbox, with injectable timing and captured logs.
import type { Logger } from "pino";
import { type CustomerApi, createCustomerApi } from "../../src/api/index.js";
import type { RetryTiming } from "../../src/api/retry.js";
import type { Config } from "../../src/config.js";
import type { AppContext, Clock } from "../../src/context.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { captureLogs } from "./logs.js";
import { recordingTiming } from "./timing.js";

export interface TestContextOptions {
  timeoutMs?: number;
  maxRetries?: number;
  retryAfterCapMs?: number;
  timing?: RetryTiming;
  logger?: Logger;
  apiKey?: string;
  maxResultTokens?: number;
  exportPollMs?: number;
  exportMaxWaitMs?: number;
  clock?: Clock;
}

export function testConfig(sandbox: Sandbox, options: TestContextOptions = {}): Config {
  return {
    backend: { kind: "remote", url: sandbox.url, apiKey: options.apiKey ?? sandbox.apiKey },
    api: {
      timeoutMs: options.timeoutMs ?? 2_000,
      maxRetries: options.maxRetries ?? 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 2_000,
      retryAfterCapMs: options.retryAfterCapMs ?? 10_000,
    },
    limits: {
      maxResultTokens: options.maxResultTokens ?? 20_000,
      exportPollMs: options.exportPollMs ?? 100,
      exportMaxWaitMs: options.exportMaxWaitMs ?? 60_000,
    },
    logLevel: "debug",
    warnings: [],
  };
}

export function testApi(sandbox: Sandbox, options: TestContextOptions = {}): CustomerApi {
  return createCustomerApi({
    baseUrl: sandbox.url,
    apiKey: options.apiKey ?? sandbox.apiKey,
    settings: testConfig(sandbox, options).api,
    logger: options.logger ?? captureLogs().logger,
    timing: options.timing ?? recordingTiming(),
    userAgent: "customer-mcp-tests",
  });
}

export function testContext(sandbox: Sandbox, options: TestContextOptions = {}): AppContext {
  const logger = options.logger ?? captureLogs().logger;
  return {
    config: testConfig(sandbox, options),
    logger,
    api: testApi(sandbox, { ...options, logger }),
    clock: options.clock ?? manualClock(),
  };
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
